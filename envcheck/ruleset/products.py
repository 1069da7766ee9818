"""The products the checks look for: software.toml (how to recognise each browser, file-sharing and
recording program, antivirus and Zoom, and the p2p policy) and minimums.toml (their minimum and
newest versions)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from packaging.version import Version

from envcheck.ruleset._read import PLATFORMS, rows, version
from envcheck.tomlcheck import TomlFile


@dataclass(frozen=True)
class Signature:
    """How to recognise one product; names are compared case-insensitively and exactly."""

    name: str
    platforms: tuple[str, ...]
    process_names: frozenset[str]
    app_patterns: tuple[re.Pattern, ...]
    package_names: frozenset[str]
    bundle_ids: frozenset[str]
    # Name rules over normalised names (envcheck/checks/_names.py): exact names, distinctive
    # stems (prefix on word boundaries, fork suffixes, the executable), family patterns, vetoes.
    names: tuple[str, ...] = ()
    stems: tuple[str, ...] = ()
    name_patterns: tuple[re.Pattern, ...] = ()
    excludes: tuple[re.Pattern, ...] = ()
    dual_use: bool = False
    """A download manager that also joins BitTorrent swarms (policy: software.toml [p2p_policy])."""


def _patterns(f: TomlFile, t: dict, key: str, where: str) -> tuple[re.Pattern, ...]:
    pats = []
    for i, pat in enumerate(f.get(t, key, where, list, [])):
        try:
            pats.append(re.compile(pat, re.I))
        except (re.error, TypeError) as exc:
            f.fail(f"{where}.{key}[{i}]", f"bad regular expression: {exc}")
    return tuple(pats)


def _signature(f: TomlFile, t: dict, where: str) -> Signature:
    # Minimum versions live in minimums.toml, not beside the signatures.
    f.only(t, {"name", "platforms", "process_names", "app_patterns", "package_names", "bundle_ids", "note", "source",
               "names", "stems", "name_patterns", "excludes", "dual_use", "family"}, where)
    plats = tuple(f.get(t, "platforms", where, list, list(PLATFORMS)))
    for p in plats:
        if p not in PLATFORMS:
            f.fail(f"{where}.platforms", f"unknown platform {p!r}")
    def lower(key: str) -> frozenset[str]:
        return frozenset(str(x).lower() for x in f.get(t, key, where, list, []))

    def text(key: str) -> tuple[str, ...]:
        return tuple(str(x) for x in f.get(t, key, where, list, []))

    sig = Signature(name=f.get(t, "name", where, str), platforms=plats, process_names=lower("process_names"),
                    app_patterns=_patterns(f, t, "app_patterns", where), package_names=lower("package_names"),
                    bundle_ids=lower("bundle_ids"), names=text("names"), stems=text("stems"),
                    name_patterns=_patterns(f, t, "name_patterns", where),
                    excludes=_patterns(f, t, "excludes", where), dual_use=f.get(t, "dual_use", where, bool, False))
    if not (sig.process_names or sig.app_patterns or sig.package_names or sig.bundle_ids or sig.names
            or sig.stems or sig.name_patterns):
        f.fail(where, "a signature must name at least one process, name, app pattern, package or bundle id")
    return sig


def software(sw: TomlFile) -> dict:
    """software.toml: the signatures of each product family and the p2p policy."""
    def sigs(key: str) -> tuple[Signature, ...]:
        return tuple(_signature(sw, s, f"{key}[{i}]") for i, s in enumerate(sw.get(sw.data, key, "", list)))

    zoom = sw.get(sw.data, "zoom", "", dict)
    return {"browsers": sigs("browser"), "p2p": sigs("p2p"), "recording": sigs("recording"),
            "antivirus": sigs("antivirus"), "zoom": _signature(sw, {**zoom, "name": zoom.get("name", "Zoom")}, "zoom"),
            **_p2p_policy(sw)}


def _p2p_policy(sw: TomlFile) -> dict:
    t = sw.get(sw.data, "p2p_policy", "", dict, {})
    sw.only(t, {"download_managers", "unknown_handlers", "not_sharing"}, "p2p_policy")
    out = []
    for key, default in (("download_managers", "warn"), ("unknown_handlers", "fail")):
        v = sw.get(t, key, "p2p_policy", str, default)
        if v not in ("fail", "warn", "ignore"):
            sw.fail(f"p2p_policy.{key}", "must be fail, warn or ignore")
        out.append((key, v))
    return {"p2p_policy": tuple(out),
            "p2p_not_sharing": tuple(str(x) for x in sw.get(t, "not_sharing", "p2p_policy", list, []))}


def minimums(mn: TomlFile, browsers: tuple[Signature, ...]) -> dict:
    """minimums.toml: Zoom's minimum (and newest release) per platform and each browser's minimum (named as in
    software.toml)."""
    zt = mn.get(mn.data, "zoom", "", dict)
    mn.only(zt, {"minimum_version", "effective", "source", *(f"{k}_{p}" for k in ("minimum", "current")
                                                              for p in PLATFORMS)}, "zoom")
    zoom_min = tuple((plat, version(mn, mn.get(zt, key, "zoom", str), f"zoom.{key}"))
                     for plat, key in (("any", "minimum_version"), *((p, f"minimum_{p}") for p in PLATFORMS))
                     if key in zt or plat == "any")
    zoom_current = _zoom_current(mn, zt, dict(zoom_min))
    browser_min = tuple(
        (b["name"], version(mn, b["minimum_version"], f"browser[{i}].minimum_version"),
         version(mn, b["esr_minimum_version"], f"browser[{i}].esr_minimum_version")
         if "esr_minimum_version" in b else None)
        for i, b in enumerate(rows(mn, "browser", {"name": str, "minimum_version": str},
                                    {"released": date, "esr_minimum_version": str})))
    for name, _, _ in browser_min:
        if name not in {b.name for b in browsers}:
            mn.fail(f"browser.{name}", "no browser of that name in software.toml")
    return {"zoom_minimums": zoom_min, "zoom_current": zoom_current, "browser_minimums": browser_min}


def _zoom_current(mn: TomlFile, zt: dict, minimums: dict) -> tuple[tuple[str, Version], ...]:
    """[zoom] current_<platform>: a minimum above the newest release would fail every Zoom there."""
    out = []
    for plat in PLATFORMS:
        if f"current_{plat}" not in zt:
            continue
        current = version(mn, mn.get(zt, f"current_{plat}", "zoom", str), f"zoom.current_{plat}")
        minimum = minimums.get(plat) or minimums["any"]
        if minimum > current:
            mn.fail(f"zoom.current_{plat}", f"the minimum {minimum} is above the newest release {current}")
        out.append((plat, current))
    return tuple(out)
