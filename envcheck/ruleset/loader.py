"""Load and validate the rules set (rules/*.toml) into frozen, inert data.

Every file is checked when loaded: an unknown key, a wrong type, a bad regular
expression, an unparsable version or a check id the engine does not know is a
RuleError naming the file and the key. Nothing is evaluated here.

The files of products (software.toml, minimums.toml) are read in products.py, the readers every
file shares in _read.py.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from packaging.version import Version

from envcheck.errors import RuleError
from envcheck.ruleset._read import PLATFORMS, rows
from envcheck.ruleset.products import Signature, minimums, software
from envcheck.tomlcheck import TomlFile, load_toml

if TYPE_CHECKING:
    from envcheck.ruleset.mobile import MobileRules

CHECK_IDS = (
    "os.supported", "os.patched", "firewall.enabled", "p2p.absent", "antivirus.active", "antivirus.updated",
    "zoom.installed", "zoom.updated", "browser.updated", "network.wifi", "network.reachable",
    "device.camera", "device.microphone", "recording.absent",
)
FILES = ("policy.toml", "texts.toml", "software.toml", "lifecycle.toml", "updates.toml", "minimums.toml",
         "network.toml", "mobile.toml")
"""Every file of a rules set: the loader validates each one, and an update carries and verifies all of them."""


@dataclass(frozen=True)
class Text:
    ja: str
    en: str

    def get(self, lang: str) -> str:
        return self.ja if lang == "ja" else self.en


@dataclass(frozen=True)
class Message:
    summary: Text
    remedies: tuple[tuple[str, Text], ...]
    """(platform or "any", steps): a Windows user reads only the Windows steps."""
    links: tuple[tuple[str, str], ...]
    """(platform or "any", URL): a settings page or download page that fixes it."""

    def remedy(self, platform: str) -> Text | None:
        d = dict(self.remedies)
        return d.get(platform) or d.get("any")

    def link(self, platform: str) -> str | None:
        d = dict(self.links)
        return d.get(platform) or d.get("any")


@dataclass(frozen=True)
class CheckRule:
    id: str
    article: str
    severity: str
    """"required" (a failure fails the report) or "advisory" (a failure is shown as a warning)."""
    title: Text
    why: Text
    messages: tuple[tuple[str, Message], ...]

    def message(self, code: str) -> Message | None:
        return dict(self.messages).get(code)


@dataclass(frozen=True)
class Freshness:
    """How long a release table stays true for one OS family, and how recent its update agent's check must be."""

    cadence_days: int
    """The longest the vendor goes between two security releases (Windows: Patch Tuesdays are 28-35 days apart)."""
    grace_days: int
    """Time a person has to install a new release before missing it counts."""
    agent_max_age_days: int
    """The OS's own update check counts only when it succeeded within this many days."""
    open_rows_kept: int = 0
    """After the tables go stale, this many of the newest open-ended lifecycle rows (per product) still pass..."""
    major_cadence_days: int = 365
    """...until as_of + this: at most one new major release per this many days can have ended an older one."""


FRESHNESS_FAMILIES = ("windows", "macos", "linux")


@dataclass(frozen=True)
class Rules:
    version: str
    as_of: date
    stale_after_days: int
    report_valid_days: int
    thresholds: tuple[tuple[str, int], ...]
    checks: tuple[tuple[str, CheckRule], ...]
    edition_families: tuple[tuple[str, str], ...]
    windows_lifecycle: tuple[dict, ...]
    macos_lifecycle: tuple[dict, ...]
    linux_lifecycle: tuple[dict, ...]
    windows_updates: tuple[dict, ...]
    macos_releases: tuple[dict, ...]
    p2p: tuple[Signature, ...]
    recording: tuple[Signature, ...]
    antivirus: tuple[Signature, ...]
    browsers: tuple[Signature, ...]
    zoom: Signature
    zoom_minimums: tuple[tuple[str, Version], ...]
    """(platform or "any", minimum Zoom version)."""
    zoom_current: tuple[tuple[str, Version], ...]
    """(platform, the newest Zoom release `rules refresh` read from the catalogues), where known."""
    browser_minimums: tuple[tuple[str, Version, Version | None], ...]
    """(browser name, minimum version, minimum for its extended-support line or None)."""
    source: str
    freshness: tuple[tuple[str, Freshness], ...] = ()
    """(OS family "windows"/"macos"/"linux", how long the release tables can vouch for "newest")."""
    network: Any = None
    """network.toml as envcheck.diagnose.config.Config: targets, limits and cause texts of the diagnostics."""
    p2p_policy: tuple[tuple[str, str], ...] = (("download_managers", "warn"), ("unknown_handlers", "fail"))
    """software.toml [p2p_policy]: fail/warn/ignore for dual-use download managers and for handlers of
    magnet:/ed2k:/.torrent whose program no signature names."""
    p2p_not_sharing: tuple[str, ...] = ()
    """Programs that register those handlers but share nothing from this device (remote controllers)."""
    mobile: "MobileRules | None" = None
    """rules/mobile.toml (phones and the browser check, envcheck.ruleset.mobile); None when absent."""

    def threshold(self, name: str) -> int:
        return dict(self.thresholds)[name]

    def fresh(self, family: str) -> Freshness:
        return dict(self.freshness)[family]

    def fresh_until(self, family: str) -> date:
        """The last day the tables can say "this is the newest release" for `family` (see docs/rules.md)."""
        f = self.fresh(family)
        return self.as_of + timedelta(days=f.cadence_days + f.grace_days)

    def zoom_minimum(self, platform: str) -> Version:
        d = dict(self.zoom_minimums)
        return d.get(platform) or d["any"]

    def check(self, check_id: str) -> CheckRule:
        return dict(self.checks)[check_id]


def _text(f: TomlFile, table: Any, where: str) -> Text:
    return Text(*f.text_pair(table, where))


def _remedies(f: TomlFile, table: Any, where: str) -> tuple[tuple[str, Text], ...]:
    """remedy = {ja, en} for every platform, or remedy.<platform> = {ja, en} (windows/darwin/linux/any)."""
    if table is None:
        return ()
    if isinstance(table, dict) and ("ja" in table or "en" in table):
        return (("any", _text(f, table, where)),)
    if not isinstance(table, dict) or not table:
        f.fail(where, "expected {ja, en} or one {ja, en} per platform")
    f.only(table, {*PLATFORMS, "any"}, where)
    return tuple(sorted((plat, _text(f, t, f"{where}.{plat}")) for plat, t in table.items()))


def _linux_rows(f: TomlFile) -> tuple[dict, ...]:
    found = rows(f, "linux", {"distro": str, "version": str, "name": str},
                 {"end": date, "match": str, "released": date, "lts_end": date, "rolling": bool})
    for i, r in enumerate(found):
        if r.get("match", "exact") not in ("exact", "major", "any"):
            f.fail(f"linux[{i}].match", "must be exact, major or any")
    return found


def load_rules(directory: str | None = None) -> Rules:
    """Load and validate every rules file in `directory` (default: the built-in set)."""
    from envcheck.diagnose.config import parse_config  # pure validation, no sockets
    from envcheck.ruleset.mobile import load_mobile

    if directory is None:
        from envcheck.paths import builtin_rules_dir
        directory = builtin_rules_dir()
    if not os.path.isdir(directory):
        raise RuleError(str(directory), "(directory)", "not a folder")
    f = {n: load_toml(directory, n) for n in FILES if n != "mobile.toml"}  # mobile.toml: load_mobile below
    pol, txt, sw, lc, up, mn, net = (f[n] for n in FILES if n != "mobile.toml")
    network = parse_config(net.data)
    for tf, tables in ((pol, {"ruleset", "thresholds", "checks", "freshness"}), (txt, {"checks"}),
                       (sw, {"p2p", "p2p_policy", "recording", "antivirus", "zoom", "browser"}),
                       (lc, {"windows_edition_families", "windows", "macos", "linux"}),
                       (up, {"windows_update", "macos_release"}), (mn, {"zoom", "browser"})):
        tf.only(tf.data, tables, "")
    products = software(sw)
    return Rules(**_policy(pol), checks=_checks(pol, txt), **_lifecycle(lc), **_updates(up), **products,
                 **minimums(mn, products["browsers"]), source=os.path.abspath(directory), network=network,
                 mobile=load_mobile(directory, CHECK_IDS))


def _policy(pol: TomlFile) -> dict:
    """policy.toml without its [checks]: the set's identity, thresholds and freshness."""
    rs = pol.get(pol.data, "ruleset", "", dict)
    pol.only(rs, {"version", "as_of", "stale_after_days", "report_valid_days"}, "ruleset")
    thresholds = pol.get(pol.data, "thresholds", "", dict)
    for k in thresholds:
        pol.get(thresholds, k, "thresholds", int)
    for need in ("eos_warn_days", "patch_grace_days", "linux_max_upgrade_age_days", "linux_max_lists_age_days",
                 "max_definitions_age_days"):
        pol.get(thresholds, need, "thresholds", int)
    return {"version": pol.get(rs, "version", "ruleset", str), "as_of": pol.get(rs, "as_of", "ruleset", date),
            "stale_after_days": pol.get(rs, "stale_after_days", "ruleset", int),
            "report_valid_days": pol.get(rs, "report_valid_days", "ruleset", int),
            "thresholds": tuple(sorted(thresholds.items())), "freshness": _freshness(pol)}


def _freshness(pol: TomlFile) -> tuple[tuple[str, Freshness], ...]:
    fr = pol.get(pol.data, "freshness", "", dict)
    freshness = []
    for family in FRESHNESS_FAMILIES:
        t = pol.get(fr, family, "freshness", dict)
        keys = ("cadence_days", "grace_days", "agent_max_age_days", "open_rows_kept", "major_cadence_days")
        pol.only(t, {*keys, "note"}, f"freshness.{family}")
        w = f"freshness.{family}"
        vals = [pol.get(t, k, w, int) for k in keys[:3]] + [pol.get(t, keys[3], w, int, 0),
                                                               pol.get(t, keys[4], w, int, 365)]
        if any(v < 0 for v in vals):
            pol.fail(f"freshness.{family}", "days must not be negative")
        freshness.append((family, Freshness(*vals)))
    for family in fr:
        if family not in FRESHNESS_FAMILIES:
            pol.fail(f"freshness.{family}", "unknown OS family (windows, macos, linux)")
    return tuple(freshness)


def _checks(pol: TomlFile, txt: TomlFile) -> tuple[tuple[str, CheckRule], ...]:
    """Each check's article and severity (policy.toml) with its texts (texts.toml), in CHECK_IDS order."""
    meta = pol.get(pol.data, "checks", "", dict)
    texts = txt.get(txt.data, "checks", "", dict)
    for cid in list(meta) + [t for t in texts if t not in meta]:
        if cid not in CHECK_IDS:
            (pol if cid in meta else txt).fail(f"checks.{cid}", "unknown check id")
    checks = []
    for cid in CHECK_IDS:
        m = pol.get(meta, cid, "checks", dict)
        pol.only(m, {"article", "severity"}, f"checks.{cid}")
        sev = pol.get(m, "severity", f"checks.{cid}", str)
        if sev not in ("required", "advisory"):
            pol.fail(f"checks.{cid}.severity", "must be 'required' or 'advisory'")
        t = txt.get(texts, cid, "checks", dict)
        w = f"checks.{cid}"
        txt.only(t, {"title", "why", "messages"}, w)
        msgs = tuple(_message(txt, code, mt, f"{w}.messages.{code}")
                     for code, mt in txt.get(t, "messages", w, dict).items())
        checks.append((cid, CheckRule(cid, pol.get(m, "article", w, str), sev, _text(txt, t.get("title"), f"{w}.title"),
                                      _text(txt, t.get("why"), f"{w}.why"), msgs)))
    return tuple(checks)


def _message(txt: TomlFile, code: str, mt: Any, mw: str) -> tuple[str, Message]:
    if not isinstance(mt, dict):
        txt.fail(mw, "expected a table")
    txt.only(mt, {"summary", "remedy", "links"}, mw)
    links = txt.get(mt, "links", mw, dict, {})
    for plat, url in links.items():
        if plat not in (*PLATFORMS, "any") or not isinstance(url, str):
            txt.fail(f"{mw}.links.{plat}", "expected windows/darwin/linux/any = URL")
    return code, Message(_text(txt, mt.get("summary"), f"{mw}.summary"),
                         _remedies(txt, mt.get("remedy"), f"{mw}.remedy"), tuple(sorted(links.items())))


def _lifecycle(lc: TomlFile) -> dict:
    fam = lc.get(lc.data, "windows_edition_families", "", dict)
    families = tuple((str(ed).lower(), family) for family in fam if family not in ("source", "note")
                     for ed in lc.get(fam, family, "windows_edition_families", list))
    return {"edition_families": families,
            "windows_lifecycle": rows(lc, "windows", {"product": str, "version": str, "build": int, "family": str,
                                                       "released": date, "end": date}, {}),
            "macos_lifecycle": rows(lc, "macos", {"major": str, "name": str, "released": date},
                                     {"end": date, "last_security_fixes": date}),
            "linux_lifecycle": _linux_rows(lc)}


def _updates(up: TomlFile) -> dict:
    return {"windows_updates": rows(up, "windows_update", {"build": int, "revision": int, "released": date},
                                     {"kb": str, "kind": str}),
            "macos_releases": rows(up, "macos_release", {"version": str, "released": date}, {"security": bool})}
