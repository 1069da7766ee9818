"""Validate the shape of a report (envcheck.report/1) before anything trusts it.

Pure and dependency-free: the intake service runs it on attacker-controlled
uploads before verifying the signature, so every limit here is explicit.
"""

from __future__ import annotations

import re
from typing import Any, NoReturn
from datetime import datetime

from envcheck.errors import EnvcheckError
from envcheck.ruleset.loader import CHECK_IDS

REPORT_FORMAT = "envcheck.report/1"
STATUSES = ("pass", "warn", "fail", "unknown", "skipped", "declared")
"""declared: affirmed by the job-seeker on the browser check, never measured (never a pass)."""
VERDICTS = ("pass", "fail", "incomplete")
PLATFORMS = ("windows", "darwin", "linux", "ios", "android")
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_STAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
_SEEKER = re.compile(r"^\d{5}-\d{8}$")
_B64 = re.compile(r"^[A-Za-z0-9+/]+={0,2}$")
MAX_DEPTH = 12
MAX_STRING = 4096
INT_MAX = 2 ** 53 - 1


class InvalidReport(EnvcheckError):
    """The document is not a valid, signed envcheck report (the reason says which part)."""


def _fail(where: str, why: str) -> NoReturn:
    raise InvalidReport(f"{where}: {why}")


def _path(where: tuple) -> str:
    return "$" + "".join(f"[{p}]" if type(p) is int else f".{p[:40]}" for p in where)


def _walk(doc) -> bool:
    """Bounds and encoding of every value (iterative: one pass, no recursion limit to hit).
    Returns True when no key holds a character at or above U+E000, i.e. when the fast
    canonical encoder's code-point order is RFC 8785's UTF-16 order (envcheck.report.canonical).
    Strings, lists and in-range integers, the common values, are handled inline; the rest in helpers."""
    plain = True
    stack: list[tuple[Any, tuple, int]] = [(doc, (), 0)]
    pop, push = stack.pop, stack.append
    while stack:
        node, where, depth = pop()
        if depth > MAX_DEPTH:
            _fail(_path(where), f"nested deeper than {MAX_DEPTH} levels")
        t = type(node)
        if t is str:
            if len(node) > MAX_STRING or not node.isascii():
                _string(node, where)
        elif t is dict:
            plain = _members(node, where, depth + 1, push) and plain
        elif t is list:
            for i, v in enumerate(node):
                push((v, where + (i,), depth + 1))
        elif t is not int or not -INT_MAX <= node <= INT_MAX:
            _scalar(node, t, where)
    return plain


def _string(node: str, where: tuple) -> None:
    if len(node) > MAX_STRING:
        _fail(_path(where), f"text longer than {MAX_STRING} characters")
    _unicode(node, where)


def _members(node: dict, where: tuple, depth: int, push) -> bool:
    """Check an object's keys and queue its values; False when a key is not "plain" (see _walk)."""
    plain = True
    for k, v in node.items():
        if type(k) is not str:
            _fail(_path(where), "object keys must be text")
        if not k.isascii():
            _unicode(k, where)
            if max(k) >= "\ue000":
                plain = False
        push((v, where + (k,), depth))
    return plain


def _scalar(node, t: type, where: tuple) -> None:
    """Any value but text, an object, a list or an integer within ±(2**53-1): only null and booleans pass."""
    if t is int:
        _fail(_path(where), "integer outside ±(2**53-1) (RFC 8785)")
    if t is float:
        _fail(_path(where), "floats are not allowed in a report")
    if node is not None and t is not bool:
        _fail(_path(where), f"{t.__name__} is not JSON")


def _unicode(text: str, where: tuple) -> None:
    """Lone surrogates have no UTF-8 (nor RFC 8785) form: refuse them with the field's name."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        _fail(_path(where), "text contains a lone surrogate (not Unicode)")


def _text(obj, key: str, where: str) -> str:
    v = obj.get(key) if isinstance(obj, dict) else None
    if not isinstance(v, str):
        _fail(f"{where}.{key}", "missing or not text")
    return v


def _lang(obj, key: str, where: str) -> None:
    v = obj.get(key)
    if not isinstance(v, dict):
        _fail(f"{where}.{key}", "missing or not an object with ja and en")
    _text(v, "ja", f"{where}.{key}")
    _text(v, "en", f"{where}.{key}")


#: Bounds for check ids this version does not know.
MAX_CHECKS = 64
_CHECK_ID = re.compile(r"[a-z0-9_]{1,24}(\.[a-z0-9_]{1,24}){1,3}")


def validate_report(doc: object, require_signature: bool = True) -> bool:
    """Raise InvalidReport naming the first field that is wrong. When the shape is right, return
    whether the report is "plain" (envcheck.report.canonical.canonical may take its fast path unchecked).
    The sections are checked in document order, so the first wrong field is the one named."""
    if not isinstance(doc, dict):
        _fail("report", "not a JSON object")
    if doc.get("format") != REPORT_FORMAT:
        _fail("format", f"unknown format {str(doc.get('format'))[:40]!r}, expected {REPORT_FORMAT!r}")
    plain = _walk(doc)
    _identity(doc)
    _checker(doc.get("checker"))
    _outcome(doc)
    _checks(doc.get("checks"))
    _extras(doc)
    if require_signature:
        _signature(doc.get("signature"))
    return plain


def _identity(doc: dict) -> None:
    if not _UUID.match(_text(doc, "report_id", "report")):
        _fail("report_id", "not a lowercase UUID")
    created = _text(doc, "created_at", "report")
    if not _STAMP.match(created):
        _fail("created_at", "not a UTC time like 2026-11-24T09:30:00Z")
    try:
        datetime.fromisoformat(created.replace("Z", "+00:00"))
    except ValueError:
        _fail("created_at", "not a real date and time")


def _checker(checker) -> None:
    if not isinstance(checker, dict):
        _fail("checker", "missing")
    for k in ("version", "rules_version"):
        if "\x00" in _text(checker, k, "checker"):
            _fail(f"checker.{k}", "contains a NUL character")
    if checker.get("platform") not in PLATFORMS:
        _fail("checker.platform", f"must be one of {', '.join(PLATFORMS)}")


def _outcome(doc: dict) -> None:
    seeker = doc.get("seeker_no")
    if seeker is not None and (not isinstance(seeker, str) or not _SEEKER.match(seeker)):
        _fail("seeker_no", "must be null or NNNNN-NNNNNNNN")
    if doc.get("verdict") not in VERDICTS:
        _fail("verdict", f"must be one of {', '.join(VERDICTS)}")


def _checks(checks) -> None:
    if not isinstance(checks, list) or not checks:
        _fail("checks", "missing or empty")
    if len(checks) > MAX_CHECKS:
        _fail("checks", f"more than {MAX_CHECKS} checks")
    seen: set[str] = set()
    for i, c in enumerate(checks):
        _check(c, f"checks[{i}]", seen)
    # A check this version knows but the report lacks (an older checker's) is accepted: rejudge
    # counts it unknown, so leaving a check out can never pass a required one.


def _check(c, w: str, seen: set[str]) -> None:
    if not isinstance(c, dict):
        _fail(w, "not an object")
    cid = c.get("id")
    # A check id this version does not know comes from a newer checker: accepted and ignored
    # when re-judged (checks.rejudge), so adding a check never forces every checker and the
    # service to upgrade on the same day. Only its shape is bounded here.
    if not isinstance(cid, str) or (cid not in CHECK_IDS and not _CHECK_ID.fullmatch(cid)):
        _fail(f"{w}.id", f"not a check id {str(cid)[:40]!r}")
    if cid in seen:
        _fail(f"{w}.id", f"{cid} appears twice")
    seen.add(cid)
    if c.get("status") not in STATUSES:
        _fail(f"{w}.status", f"must be one of {', '.join(STATUSES)}")
    _text(c, "article", w)
    _lang(c, "summary", w)
    if not isinstance(c.get("evidence"), dict):
        _fail(f"{w}.evidence", "missing or not an object")
    if c.get("remedy") is not None:
        _lang(c, "remedy", w)


def _extras(doc: dict) -> None:
    if not isinstance(doc.get("diagnostics", {}), dict):
        _fail("diagnostics", "not an object")
    if not isinstance(doc.get("replayed", False), bool):
        _fail("replayed", "must be true or false")
    code = doc.get("enrolment_code")
    if code is not None and (not isinstance(code, str) or not re.fullmatch(r"[0-9A-Za-z -]{12,20}", code)):
        _fail("enrolment_code", "must be a code like 7K3M-Q9TX-2HCP")


def _signature(sig) -> None:
    if not isinstance(sig, dict):
        _fail("signature", "missing: the report is not signed")
    if sig.get("alg") != "Ed25519":
        _fail("signature.alg", "must be Ed25519")
    if not re.fullmatch(r"[0-9a-f]{16}", str(sig.get("key_id", ""))):
        _fail("signature.key_id", "must be 16 lowercase hex digits")
    for k, n in (("public_key", 44), ("value", 88)):
        v = sig.get(k)
        if not isinstance(v, str) or len(v) != n or not _B64.match(v):
            _fail(f"signature.{k}", "not base64 of the right length")
