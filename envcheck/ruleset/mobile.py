"""rules/mobile.toml: the office's phone policy, iOS/iPadOS and Android lifecycle, and the browser
check's words, loaded into frozen data and validated like every other rules file.

A rules folder without mobile.toml (an older published set) loads with `mobile=None`: the browser
check then judges a phone's OS as unknown ("not in rules"), never as passing.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date

from packaging.version import InvalidVersion, Version

from envcheck.tomlcheck import TomlFile, load_toml

FILE = "mobile.toml"
PHONE_SECURITY = ("builtin", "app")


@dataclass(frozen=True)
class MobileRules:
    browser_reports_eligible: bool
    phone_security: str
    """"builtin": the phone's own protection meets article 5(6); "app": a security app is required."""
    store_user_agent: bool
    android_max_patch_age_days: int
    min_down_kbps: int
    ios: tuple[dict, ...]
    """{major, released, end?}: one per iOS/iPadOS major release."""
    ios_releases: tuple[tuple[Version, date], ...]
    android: tuple[dict, ...]
    texts: tuple[tuple[str, tuple[tuple[str, str], ...], tuple[tuple[str, str], ...] | None], ...]
    """((check id, code) as "id|code", summary (ja, en) pairs, remedy pairs or None)."""

    def lifecycle(self, os_name: str) -> tuple[dict, ...]:
        return self.ios if os_name in ("ios", "ipados") else self.android if os_name == "android" else ()

    def text(self, check_id: str, code: str) -> tuple[dict, dict | None] | None:
        for key, summary, remedy in self.texts:
            if key == f"{check_id}|{code}":
                return dict(summary), dict(remedy) if remedy else None
        return None


def _rows(f: TomlFile, key: str) -> tuple[dict, ...]:
    out = []
    for i, row in enumerate(f.get(f.data, key, "", list)):
        where = f"{key}[{i}]"
        if not isinstance(row, dict):
            f.fail(where, "expected a table")
        f.only(row, {"major", "released", "end", "source", "note"}, where)
        major = f.get(row, "major", where, str)
        if not major.isdigit():
            f.fail(f"{where}.major", "must be a whole number in quotes")
        f.get(row, "released", where, date)
        f.get(row, "end", where, date, None)
        out.append(dict(row))
    return tuple(sorted(out, key=lambda r: int(r["major"]), reverse=True))


def _pair(f: TomlFile, t, where: str) -> tuple[tuple[str, str], ...]:
    ja, en = f.text_pair(t, where)
    return (("ja", ja), ("en", en))


def load_mobile(directory: str, check_ids: tuple[str, ...]) -> MobileRules | None:
    if not os.path.exists(os.path.join(directory, FILE)):
        return None
    f = load_toml(directory, FILE)
    f.only(f.data, {"office", "thresholds", "ios", "android", "ios_release", "texts"}, "")
    office = f.get(f.data, "office", "", dict)
    f.only(office, {"browser_reports_eligible", "phone_security", "store_user_agent"}, "office")
    security = f.get(office, "phone_security", "office", str)
    if security not in PHONE_SECURITY:
        f.fail("office.phone_security", f"must be one of {', '.join(PHONE_SECURITY)}")
    th = f.get(f.data, "thresholds", "", dict)
    f.only(th, {"android_max_patch_age_days", "min_down_kbps"}, "thresholds")
    releases = []
    for i, r in enumerate(f.get(f.data, "ios_release", "", list)):
        where = f"ios_release[{i}]"
        if not isinstance(r, dict):
            f.fail(where, "expected a table")
        f.only(r, {"version", "released", "cves", "source", "note"}, where)
        try:
            releases.append((Version(f.get(r, "version", where, str)), f.get(r, "released", where, date)))
        except InvalidVersion:
            f.fail(f"{where}.version", "not a version")
    texts = []
    for cid, codes in f.get(f.data, "texts", "", dict).items():
        if cid not in check_ids:
            f.fail(f"texts.{cid}", "unknown check id")
        for code, t in codes.items():
            where = f"texts.{cid}.{code}"
            if not isinstance(t, dict):
                f.fail(where, "expected a table")
            f.only(t, {"summary", "remedy"}, where)
            texts.append((f"{cid}|{code}", _pair(f, t.get("summary"), f"{where}.summary"),
                          _pair(f, t["remedy"], f"{where}.remedy") if "remedy" in t else None))
    return MobileRules(
        browser_reports_eligible=f.get(office, "browser_reports_eligible", "office", bool),
        phone_security=security,
        store_user_agent=f.get(office, "store_user_agent", "office", bool),
        android_max_patch_age_days=f.get(th, "android_max_patch_age_days", "thresholds", int),
        min_down_kbps=f.get(th, "min_down_kbps", "thresholds", int),
        ios=_rows(f, "ios"), ios_releases=tuple(sorted(releases, key=lambda r: r[1])),
        android=_rows(f, "android"), texts=tuple(texts))
