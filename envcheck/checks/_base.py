"""What every check shares: the Decision type, unknown evidence, dates and versions."""

from __future__ import annotations

import re
from functools import lru_cache
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import Any, Callable

from packaging.version import InvalidVersion, Version

from envcheck.checks._names import matches_exe, matches_name, rules_of
from envcheck.checks._shape import Shape
from envcheck.facts.model import Facts, Unknown
from envcheck.ruleset.loader import Rules, Signature

STATUSES = ("pass", "warn", "fail", "unknown", "skipped")


@dataclass(frozen=True)
class Decision:
    status: str
    code: str
    """Selects the message in rules/texts.toml (checks.<id>.messages.<code>)."""
    params: dict[str, str] = field(default_factory=dict)


Decide = Callable[[dict, Rules, datetime, str], Decision]
"""Evidence -> decision, pure: (evidence, rules, now, platform). The intake service calls it on uploaded evidence."""
Codes = tuple[tuple[str, str], ...]
"""(status, code) pairs a decide function can answer; each code selects a message."""
DESKTOP = ("windows", "darwin", "linux")
PHONES = ("ios", "android")


def codes(by_status: dict[str, str]) -> Codes:
    """{"pass": "on", "fail": "off none"} -> (("pass", "on"), ("fail", "off"), ("fail", "none"))."""
    return tuple((status, code) for status, words in by_status.items() for code in words.split())


@dataclass(frozen=True)
class Browser:
    """How the service judges this check on a report it built from its /check page (checks/browser.py)."""

    decide: Decide
    codes: Codes
    """Each code needs a text in rules/mobile.toml [texts."<id>".<code>] (else the page shows the raw code)."""


@dataclass(frozen=True)
class Check:
    """One check, declared once (checks/registry.py); tests/test_check_registry.py derives from it what
    must exist elsewhere (texts, policy entry, fixtures, docs)."""

    id: str
    article: str
    """The terms-of-use article(s) it enforces; rules/policy.toml carries the same for reports."""
    extract: Callable[[Facts, Rules], dict]
    """Facts -> evidence: exactly the facts the decision needs, JSON-able, nothing personal."""
    decide: Decide
    """Decides evidence that is not unknown: `judge` answers {"unknown": ...} evidence before calling it."""
    codes: Codes
    """What `decide` (and `on_unknown`) can answer; `judge` adds JUDGE_CODES."""
    evidence: tuple[Shape, ...]
    """The shapes `extract` gives (one per OS or situation); unknown evidence (_shape.UNKNOWN) always fits."""
    platforms: tuple[str, ...] = DESKTOP
    """Where the desktop checker runs it; a replay fixture of each must judge it (not unknown)."""
    on_unknown: Callable[[dict, str], Decision | None] | None = None
    """(unknown evidence, platform) -> a more specific unknown decision, or None for the generic one."""
    browser: Browser | None = None


JUDGE_CODES: Codes = (("unknown", "unknown"),)
"""What `judge` itself answers for every check: unknown evidence, or evidence it cannot read."""


def unknown(reason: str, kind: str | None = None) -> dict:
    """Unknown evidence; `kind` (errors.FAILURE_KINDS) lets a decision pick the right fix text."""
    return {"unknown": reason[:300], **({"kind": kind} if kind else {})}


def unknown_fact(fact: Unknown) -> dict:
    """Evidence for one Unknown fact (callers test isinstance first, so the type checker narrows the fact)."""
    return unknown(fact.reason, fact.kind)


def unknown_of(*facts: Any) -> dict | None:
    """Evidence for the first Unknown among `facts`, else None."""
    for f in facts:
        if isinstance(f, Unknown):
            return unknown(f.reason, f.kind)
    return None


def day(d: datetime | date | None) -> str | None:
    if d is None:
        return None
    if isinstance(d, datetime):
        return d.astimezone(timezone.utc).strftime("%Y-%m-%d")
    return d.isoformat()


def parse_day(text: Any) -> date | None:
    if not isinstance(text, str):
        return None
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


def leading_version(text: Any) -> Version | None:
    """The dotted number at the start of a version string: "6.3.0 (52884)" -> 6.3.0,
    "131.0.6778.85-1~deb12u1" -> 131.0.6778.85, "1:128.5.0esr-1" -> 128.5.0."""
    if not isinstance(text, str):
        return None
    m = re.match(r"^(?:\d+:)?(\d+(?:\.\d+){0,4})", text.strip())
    if not m:
        return None
    try:
        return Version(m.group(1))
    except InvalidVersion:
        return None


@lru_cache(maxsize=65536)
def _bare(name: str) -> str:
    name = name.lower().strip()
    return name[:-4] if name.endswith(".exe") else name


def matches_process(sig: Signature, process: str, platform: str) -> bool:
    if platform not in sig.platforms:
        return False
    if _bare(process) in rules_of(sig).bare_procs:
        return True
    return matches_exe(sig, process)


def matches_item(sig: Signature, name: str, kind: str, ident: str | None, platform: str) -> bool:
    """Does an installed item (Windows DisplayName, macOS app, Linux package) belong to `sig`?"""
    if platform not in sig.platforms:
        return False
    if kind in ("package", "flatpak", "snap"):
        return name.lower() in sig.package_names or (ident or "").lower() in sig.package_names
    if kind == "app" and ident and ident.lower() in sig.bundle_ids:
        return True
    return any(p.search(name) for p in sig.app_patterns) or matches_name(sig, name)


def items(evidence: dict, key: str) -> list[dict]:
    v = evidence.get(key)
    return [x for x in v if isinstance(x, dict)] if isinstance(v, list) else []


def names(rows: list[dict], key: str = "name") -> str:
    return ", ".join(sorted({str(r.get(key)) for r in rows if r.get(key)}))
