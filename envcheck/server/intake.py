"""Receiving a report: parse, validate, verify, check freshness, re-judge, store, receipt.

Everything up to re-judging is done before a transaction is opened, so a slow or hostile
upload never holds the database. Storing is one transaction: the report, its device key
and the receipt are written together or not at all.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from typing import Any

from sqlalchemy import Boolean, CursorResult, and_, bindparam, delete, insert, select, text, update
from sqlalchemy.exc import IntegrityError

from envcheck.report.canonical import CanonicalError, StrictJSONError, canonical, loads_strict
from envcheck.checks import rejudge
from envcheck.errors import EnvcheckError
from envcheck.report.schema import InvalidReport, validate_report
from envcheck.ruleset.loader import Rules
from envcheck.server import decisions
from envcheck.server.db import (AuditEntry, Base, DeviceKey, Enrolment, LoginFailure, RateCounter, Report, Store,
                                StoreUnavailable, UploadAttempt, UTCDateTime, WebSession)
from envcheck.server.enrol import redeem
from envcheck.server.quota import Bound, charge_in, count_stored, delete_reports, seeker_limit, trim_seeker
from envcheck.server.security import sign_receipt
from envcheck.report.signing import Verified, key_id, verify_report

RECEIPT_FORMAT = "envcheck.receipt/1"


class Rejected(EnvcheckError):
    """The upload is refused; `status` is the HTTP status (4xx) and the message the reason."""

    def __init__(self, status: int, reason: str, code: str = "refused"):
        self.status = status
        self.code = code
        """A short reason code kept in the upload log for support (attempts.py)."""
        super().__init__(reason)


@dataclass(frozen=True)
class Checked:
    """A report that passed every check that needs no database."""

    doc: dict
    verified: Verified
    sha256: str
    body: bytes
    created_at: datetime
    verdict: str
    statuses: dict[str, str]
    replayed: bool = False
    """Made from a replayed snapshot: stored, shown, never a pass for eligibility."""


@dataclass(frozen=True)
class Outcome:
    status: int
    """201 stored now, 200 the same report was stored before."""
    receipt: dict
    stored: int = 0
    """Change in the number of stored reports (1 new, minus those trimmed for the seeker's bound)."""


def stamp(when: datetime) -> str:
    return when.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _refusal_code(doc) -> str:
    """invalid_report or bad_signature, for the upload log (only ever run on a refused report)."""
    try:
        validate_report(doc)
    except InvalidReport:
        return "invalid_report"
    return "bad_signature"


def check_upload(body: bytes, rules: Rules, now: datetime, max_age: timedelta, skew: timedelta) -> Checked:
    """Everything but storing; raises Rejected (400 unreadable, 422 invalid, stale or bad signature)."""
    try:
        doc = loads_strict(body.decode("utf-8"))
    except StrictJSONError as exc:
        raise Rejected(400, f"the JSON is refused: {exc}") from None
    except UnicodeDecodeError:
        raise Rejected(400, "the body is not UTF-8 text", "not_utf8") from None
    except RecursionError:
        raise Rejected(400, "the JSON is nested too deeply", "not_json") from None
    except ValueError as exc:
        raise Rejected(400, f"the body is not JSON ({str(exc).splitlines()[0][:80]})", "not_json") from None
    try:
        verified = verify_report(doc)  # validates the shape first, then the signature
    except InvalidReport as exc:
        raise Rejected(422, exc.diagnostics()[:300], _refusal_code(doc)) from None
    created = datetime.fromisoformat(doc["created_at"].replace("Z", "+00:00"))
    if created > now + skew:
        raise Rejected(422, f"created_at {doc['created_at']} is in the future (server time {stamp(now)})", "future")
    if created < now - max_age:
        raise Rejected(422, f"stale report: created_at {doc['created_at']} is older than "
                            f"{int(max_age.total_seconds() // 3600)} hours; run the check again", "stale")
    verdict, statuses = rejudge(doc, rules)
    replayed = doc.get("replayed") is True
    if replayed and verdict == "pass":
        verdict = "incomplete"  # another machine's snapshot proves nothing about this one
    try:
        sha = hashlib.sha256(canonical(doc, verified.plain)).hexdigest()
    except CanonicalError as exc:  # validate_report refuses all of these first; fail closed anyway
        raise Rejected(422, f"report: no canonical form ({exc})") from None
    return Checked(doc, verified, sha, body, created, verdict, statuses, replayed)


# The upload path's statements, built once (SQLAlchemy Core, no ORM unit of work: issue 15's profile
# had the ORM at more than half of a report's CPU). The same SQL runs on SQLite (>= 3.35) and PostgreSQL.
_KEY_UPSERT = text(
    "INSERT INTO device_keys (seeker_no, key_id, public_key, pinned, first_seen, last_seen, first_report_id) "
    "VALUES (:s, :k, :pub, :no, :now, :now, :rid) ON CONFLICT (seeker_no, key_id) DO UPDATE SET last_seen = "
    "CASE WHEN excluded.last_seen > device_keys.last_seen THEN excluded.last_seen ELSE device_keys.last_seen END "
    "RETURNING pinned").bindparams(bindparam("now", type_=UTCDateTime()), bindparam("no", type_=Boolean()))
_PIN = (update(DeviceKey).where(DeviceKey.seeker_no == bindparam("s"), DeviceKey.key_id == bindparam("k"),
                                DeviceKey.pinned.is_(False))
        .values(pinned=True, pinned_via="enrolment"))
_SAME_ID = select(Report.sha256, Report.receipt).where(Report.report_id == bindparam("rid"))
_INSERT_REPORT = insert(Base.metadata.tables["reports"])
_INSERT_ATTEMPT = insert(Base.metadata.tables["upload_attempts"])
_INSERT_AUDIT = insert(Base.metadata.tables["audit_log"])


def record_device_key(s, seeker_no: str | None, doc: dict, report_id: str, now: datetime) -> bool:
    """Record the device key (one upsert: simultaneous first reports of one key insert it once); redeem the
    report's enrolment code. True when the key is not pinned (its reports are stored and shown but do not
    count for eligibility until a counselor confirms). `s`: a Session or a Connection in a transaction.
    Raises Rejected (422) for an enrolment code that cannot be used: nothing is stored."""
    code = doc.get("enrolment_code")
    if seeker_no is None:
        if code is not None:
            raise Rejected(422, "enrolment_code: an enrolment code needs the job-seeker number", "enrolment")
        return False
    kid = doc["signature"]["key_id"]
    pinned = bool(s.execute(_KEY_UPSERT, {"s": seeker_no, "k": kid, "pub": doc["signature"]["public_key"],
                                          "no": False, "now": now, "rid": report_id}).scalar_one())
    if code is not None:
        problem = redeem(s, seeker_no, code, kid, now)
        if problem is not None:
            raise Rejected(422, f"enrolment_code: {problem}", "enrolment")
        if s.execute(_PIN, {"s": seeker_no, "k": kid}).rowcount:
            s.execute(_INSERT_AUDIT, {"at": now, "actor": "-", "role": "-", "action": "enrol_redeem",
                                      "target": seeker_no, "ip": "-",
                                      "detail": json.dumps({"key_id": kid, "report_id": report_id})})
        pinned = True
    return not pinned


def receipt_no(report_id: str, received: datetime) -> str:
    """A short number a person can read out on the phone: 12 hex digits in groups of four."""
    digest = hashlib.sha256(f"{report_id}|{stamp(received)}".encode()).hexdigest()[:12].upper()
    return f"{digest[:4]}-{digest[4:8]}-{digest[8:]}"


def store_report(store: Store, c: Checked, rules: Rules, key: Ed25519PrivateKey, now: datetime,
                 per_seeker: int | None = None, keep: int | None = None, limits: tuple = (),
                 bound: Bound | None = None) -> Outcome:
    """Idempotent by report_id: same canonical content -> 200 and the first receipt; other content -> 409.
    One transaction: `limits` (quota.Limit, e.g. per address) and `per_seeker` (reports per job-seeker per
    hour) are counted (quota.OverQuota beyond), the report, its device key, the stored totals (quota.StoreFull
    beyond `bound`) and the upload log line are written together; `keep`: reports kept per seeker."""
    rid = c.verified.report_id
    seeker = c.verified.seeker_no
    for _attempt in range(3):
        try:
            with store.begin() as conn:
                charge_in(conn, list(limits), len(c.body), now)  # a re-sent report counts too
                old = conn.execute(_SAME_ID, {"rid": rid}).first()
                if old is not None:
                    if old.sha256 != c.sha256:
                        raise Rejected(409, f"report {rid} was already received with other content", "conflict")
                    receipt = json.loads(old.receipt)
                    _log(conn, now, "duplicate", 200, seeker, receipt)
                    return Outcome(200, receipt)
                new_key = record_device_key(conn, seeker, c.doc, rid, now)
                if per_seeker is not None and seeker is not None:
                    charge_in(conn, [seeker_limit(seeker, not new_key, per_seeker)], 0, now)
                receipt = sign_receipt({"format": RECEIPT_FORMAT, "receipt_no": receipt_no(rid, now),
                                        "report_id": rid, "received_at": stamp(now),
                                        "verdict": c.verdict, "sha256": c.sha256,
                                        # whether this device's reports count for booking (enrolled)
                                        **({"device_enrolled": not new_key} if seeker else {}),
                                        "server_key_id": key_id(key.public_key())}, key)
                claimed = {str(ch.get("id")): str(ch.get("status")) for ch in c.doc["checks"]}
                conn.execute(_INSERT_REPORT, {
                    "report_id": rid, "seeker_no": seeker, "created_at": c.created_at, "received_at": now,
                    "platform": c.doc["checker"]["platform"], "checker_version": c.doc["checker"]["version"][:64],
                    "rules_version": c.doc["checker"]["rules_version"][:64], "key_id": c.verified.key_id,
                    "claimed_verdict": c.doc["verdict"], "verdict": c.verdict, "judged_rules_version": rules.version,
                    "claimed_statuses": json.dumps(claimed, sort_keys=True),
                    "statuses": json.dumps(c.statuses, sort_keys=True),
                    "mismatch": claimed != c.statuses or c.doc["verdict"] != c.verdict,
                    "new_device_key": new_key, "sha256": c.sha256, "body": c.body, "receipt": json.dumps(receipt),
                    "receipt_no": receipt["receipt_no"], "assurance": "desktop", "replayed": c.replayed})
                trimmed = trim_seeker(conn, seeker, keep)[0] if keep is not None else 0  # off the totals too
                count_stored(conn, 1, len(c.body), bound)
                _log(conn, now, "accepted", 201, seeker, receipt)
            return Outcome(201, receipt, 1 - trimmed)
        except IntegrityError:
            continue  # another process stored the same report first: look again
    raise StoreUnavailable("the report could not be stored (conflicting concurrent uploads); try again")


def _log(conn, now: datetime, outcome: str, status: int, seeker_no: str | None, receipt: dict) -> None:
    """The upload log line (attempts.py) of a stored or re-sent report, in the storing transaction."""
    conn.execute(_INSERT_ATTEMPT, {"at": now, "seeker_no": seeker_no, "receipt_no": receipt.get("receipt_no"),
                                   "report_id": receipt.get("report_id"), "outcome": outcome, "status": status,
                                   "reason_code": "ok" if status == 201 else "duplicate"})


@dataclass(frozen=True)
class Eligibility:
    seeker_no: str
    eligible: bool
    reason: str
    report_id: str | None
    valid_until: str | None
    code: str = "no_report"
    """One of decisions.CODES; the pages render it in Japanese, the booking service may branch on it."""

    def as_dict(self) -> dict:
        return {"seeker_no": self.seeker_no, "eligible": self.eligible, "code": self.code, "reason": self.reason,
                "report_id": self.report_id, "valid_until": self.valid_until}


_REASONS = {
    "passed": "the latest report passes, its signature is valid and it is {days} days valid",
    "granted": "a counselor granted eligibility until {until}",
    "no_report": "no report has been received for this job-seeker",
    "failed": "the latest report's verdict is fail (as re-judged by the service)",
    "incomplete": "the latest report's verdict is incomplete (as re-judged by the service)",
    "expired": "the latest report expired at {until}; the job-seeker must check again",
    "revoked": "a counselor revoked eligibility; the job-seeker must check again",
    "device_rejected": "the latest report comes from a device key a counselor rejected",
    "not_enrolled": "reports were received, but from a device that is not enrolled: use the office's "
                    "enrolment code, or a counselor confirms the device",
    "replayed": "the latest report was made from a replayed snapshot, not on the device itself",
    "browser_not_accepted": "the latest report is a browser check (measured and self-declared), "
                            "which this office does not accept for booking",
}


def judged(s, seeker_no: str, rules: Rules, now: datetime, standing: decisions.Standing | None = None):
    """(decisions.Judged, the report it rests on or None): the one answer the booking API and the staff
    pages give. Only reports signed by a pinned device key count (enrolment code or a counselor)."""
    row = s.execute(select(Report.report_id, Report.verdict, Report.created_at, Report.key_id, Report.assurance,
                           Report.replayed)
                    .join(DeviceKey, and_(DeviceKey.seeker_no == Report.seeker_no, DeviceKey.key_id == Report.key_id,
                                          DeviceKey.pinned.is_(True)))
                    .where(Report.seeker_no == seeker_no)
                    .order_by(Report.created_at.desc(), Report.id.desc()).limit(1)).first()
    st = standing if standing is not None else decisions.standing(s, seeker_no)
    j = decisions.judge(row, st, now, rules.report_valid_days, decisions.accepts_browser(rules))
    if j.code == "no_report" and s.scalar(select(Report.report_id).where(Report.seeker_no == seeker_no).limit(1)):
        j = decisions.Judged(False, "not_enrolled", None, None)
    return j, row


def eligibility(s, seeker_no: str, rules: Rules, now: datetime) -> Eligibility:
    """A counselor's decision first (decisions.judge), else eligible when the latest report (by created_at)
    signed by one of the seeker's pinned device keys passes as re-judged by the service, was not made from
    a replayed snapshot, and is younger than the rules' report_valid_days (a browser check only where the
    office accepts those, rules/mobile.toml). Reports signed by other keys never change the answer."""
    j, row = judged(s, seeker_no, rules, now)
    until = stamp(j.until) if j.until else None
    reason = _REASONS[j.code].format(days=rules.report_valid_days, until=until)
    if j.code == "passed" and row is not None and row.assurance == "browser":
        reason += " (a browser check: measured and self-declared)"
    return Eligibility(seeker_no, j.eligible, reason, j.report_id, until, j.code)


def _count(s, statement) -> int:
    """Rows a DELETE removed (CursorResult.rowcount; Session.execute is typed as the plain Result)."""
    result: CursorResult[Any] = s.execute(statement)
    return result.rowcount


def purge(store: Store, retention_days: int, now: datetime) -> dict[str, int]:
    """Delete reports received before the retention period, and stale keys, sessions and throttle rows."""
    cutoff = now - timedelta(days=retention_days)
    with store.tx() as s:
        counts = {
            "reports": delete_reports(s, Report.received_at < cutoff)[0],
            "device_keys": _count(s, delete(DeviceKey).where(DeviceKey.last_seen < cutoff)),
            "sessions": _count(s, delete(WebSession).where(WebSession.expires_at < now)),
            "upload_attempts": _count(s, delete(UploadAttempt).where(UploadAttempt.at < cutoff)),
            "login_failures": _count(s, delete(LoginFailure)
                                        .where(LoginFailure.at < now - timedelta(days=1))),
            "enrolments": _count(s, delete(Enrolment).where(Enrolment.expires_at < cutoff)),
            "rate_counters": _count(s, delete(RateCounter)
                                       .where(RateCounter.window_start < now - timedelta(days=2))),
        }
        s.add(AuditEntry(at=now, actor="envcheck-server", role="admin", action="purge", target="-", ip="-",
                         detail=json.dumps(counts)))
    return counts


__all__ = ["Rejected", "Checked", "Outcome", "check_upload", "store_report", "eligibility", "purge"]
