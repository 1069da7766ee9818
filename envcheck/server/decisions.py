"""Counselors' decisions about a seeker, and how they combine with the latest report into eligibility.

A decision is one row in `decisions` and one entry in the audit log (who, when, why), written in
the same transaction. Kinds:

- grant: eligible until a date, whatever the reports say (e.g. checked by phone interview for a
  seeker who cannot run any check). Ends at its date or at a later revoke.
- revoke: not eligible on any report created before the revoke (nor on an earlier grant); a report
  the seeker sends afterwards is judged normally again (they fixed and checked again).
- confirm_key / reject_key: a new device key is the seeker's (pinned) or is not; a report signed
  by a rejected key never makes anyone eligible.

`judge` is pure: the booking API (intake.eligibility) and the counselor pages use the same one.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from envcheck.errors import EnvcheckError
from envcheck.server.db import AuditEntry, Decision, DeviceKey

MAX_GRANT_DAYS = 180  # a grant is a bounded exception, never "forever"
MAX_REASON = 500

# Reason codes the booking API returns; the pages render them in Japanese/English (i18n "why_<code>").
ELIGIBLE_CODES = ("passed", "granted")
CODES = ("passed", "granted", "no_report", "failed", "incomplete", "expired", "revoked", "device_rejected")


class DecisionError(EnvcheckError):
    """The decision cannot be recorded as asked (bad date, no reason, unknown key): HTTP 400.
    `code` names the problem for the page (i18n "de_<code>")."""

    def __init__(self, code: str, message: str):
        self.code = code
        super().__init__(message)


@dataclass(frozen=True)
class Standing:
    """What the decisions say about one seeker at one moment."""

    grant_until: datetime | None = None
    grant_reason: str = ""
    revoked_at: datetime | None = None
    rejected_keys: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Judged:
    eligible: bool
    code: str
    until: datetime | None
    report_id: str | None


def _fold(rows) -> Standing:
    grant_until, grant_reason, revoked_at = None, "", None
    keys: dict[str, str] = {}
    for d in rows:  # in id order: the later decision wins
        if d.kind == "grant":
            grant_until, grant_reason, revoked_at = d.valid_until, d.reason, None
        elif d.kind == "revoke":
            grant_until, grant_reason, revoked_at = None, "", d.at
        elif d.key_id:
            keys[d.key_id] = d.kind
    return Standing(grant_until, grant_reason, revoked_at,
                    frozenset(k for k, kind in keys.items() if kind == "reject_key"))


def standings(s, seekers: list[str]) -> dict[str, Standing]:
    """Standing of each seeker (one query); seekers without decisions get the empty Standing."""
    found: dict[str, list] = {}
    if seekers:
        rows = s.execute(select(Decision.seeker_no, Decision.kind, Decision.key_id, Decision.valid_until,
                                Decision.reason, Decision.at)
                         .where(Decision.seeker_no.in_(sorted(set(seekers)))).order_by(Decision.id)).all()
        for r in rows:
            found.setdefault(r.seeker_no, []).append(r)
    return {n: _fold(found.get(n, [])) for n in seekers}


def standing(s, seeker_no: str) -> Standing:
    return standings(s, [seeker_no])[seeker_no]


def judge(latest, st: Standing, now: datetime, valid_days: int, accept_browser: bool = True) -> Judged:
    """Eligibility from the latest report (report_id, verdict, created_at, key_id, assurance; or None) and the
    decisions. `accept_browser`: the office's setting for browser checks (rules/mobile.toml)."""
    rid = latest.report_id if latest is not None else None
    until = None
    if latest is None:
        ok, code = False, "revoked" if st.revoked_at else "no_report"
    elif st.revoked_at is not None and latest.created_at <= st.revoked_at:
        ok, code = False, "revoked"
    elif latest.key_id in st.rejected_keys:
        ok, code = False, "device_rejected"
    elif getattr(latest, "replayed", False):
        ok, code = False, "replayed"
    elif latest.verdict != "pass":
        ok, code = False, "incomplete" if latest.verdict == "incomplete" else "failed"
    elif getattr(latest, "assurance", "desktop") == "browser" and not accept_browser:
        ok, code = False, "browser_not_accepted"
    else:
        until = latest.created_at + timedelta(days=valid_days)
        ok, code = (True, "passed") if now < until else (False, "expired")
    if st.grant_until is not None and st.grant_until > now and not (ok and until and until >= st.grant_until):
        return Judged(True, "granted", st.grant_until, rid)
    return Judged(ok, code, until, rid)


def accepts_browser(rules) -> bool:
    """Whether a passing browser check (measured + self-declared) makes a seeker eligible here."""
    return bool(rules.mobile and rules.mobile.browser_reports_eligible)


def _reason(text: str) -> str:
    reason = " ".join((text or "").split())[:MAX_REASON]
    if not reason:
        raise DecisionError("no_reason", "a reason is required")
    return reason


def _record(s, seeker_no: str, kind: str, reason: str, actor: str, role: str, ip: str, now: datetime,
            key_id: str | None = None, until: datetime | None = None) -> Decision:
    d = Decision(seeker_no=seeker_no, kind=kind, key_id=key_id, valid_until=until, reason=reason,
                 actor=actor[:80], role=role[:16], at=now)
    s.add(d)
    detail = {"reason": reason, **({"key_id": key_id} if key_id else {}),
              **({"valid_until": until.strftime("%Y-%m-%dT%H:%M:%SZ")} if until else {})}
    s.add(AuditEntry(at=now, actor=actor[:80], role=role[:16], action=f"decision_{kind}", target=seeker_no,
                     ip=ip[:64], detail=json.dumps(detail, ensure_ascii=False)))
    return d


def grant(s, seeker_no: str, until: datetime, reason: str, actor: str, role: str, ip: str,
          now: datetime) -> Decision:
    """Eligible until `until` (later than now, at most MAX_GRANT_DAYS ahead)."""
    if until <= now:
        raise DecisionError("past", "the end of the period must be in the future")
    if until > now + timedelta(days=MAX_GRANT_DAYS):
        raise DecisionError("too_long", f"a grant may last at most {MAX_GRANT_DAYS} days")
    return _record(s, seeker_no, "grant", _reason(reason), actor, role, ip, now, until=until)


def revoke(s, seeker_no: str, reason: str, actor: str, role: str, ip: str, now: datetime) -> Decision:
    return _record(s, seeker_no, "revoke", _reason(reason), actor, role, ip, now)


def _key(s, seeker_no: str, key_id: str) -> DeviceKey:
    k = s.scalar(select(DeviceKey).where(DeviceKey.seeker_no == seeker_no, DeviceKey.key_id == key_id[:16]))
    if k is None:
        raise DecisionError("no_key", "no such device key for this job-seeker")
    return k


def confirm_device_key(s, seeker_no: str, key_id: str, reason: str, actor: str, role: str, ip: str,
                       now: datetime) -> Decision:
    """The counselor confirmed with the seeker that this new key is their device: pin it."""
    why = _reason(reason)
    k = _key(s, seeker_no, key_id)
    k.pinned, k.pinned_via = True, f"counselor:{actor}"[:80]
    return _record(s, seeker_no, "confirm_key", why, actor, role, ip, now, key_id=k.key_id)


def reject_device_key(s, seeker_no: str, key_id: str, reason: str, actor: str, role: str, ip: str,
                      now: datetime) -> Decision:
    """Not the seeker's device: its reports never make them eligible."""
    why = _reason(reason)
    k = _key(s, seeker_no, key_id)
    k.pinned, k.pinned_via = False, None
    return _record(s, seeker_no, "reject_key", why, actor, role, ip, now, key_id=k.key_id)


def history(s, seeker_no: str, limit: int = 100) -> list[Decision]:
    return list(s.scalars(select(Decision).where(Decision.seeker_no == seeker_no)
                          .order_by(Decision.id.desc()).limit(limit)).all())


__all__ = [
    "CODES",
    "ELIGIBLE_CODES",
    "DecisionError",
    "Judged",
    "Standing",
    "confirm_device_key",
    "grant",
    "history",
    "judge",
    "reject_device_key",
    "revoke",
    "standing",
    "standings",
]
