"""Every upload attempt — accepted, duplicate or refused — so support can answer "I pressed send and
it failed". Kept to what support needs: time, seeker number, receipt number, report id, outcome,
HTTP status and a reason code; never the body, the address or anything else about the person.

A stored or re-sent report's line is written by intake.store_report in the storing transaction itself
(one transaction per upload). A refused upload's line is recorded after the answer is decided, in its
own transaction, and never changes that answer: a database too busy to log it loses the log line only.
"""

from __future__ import annotations

import json
import re
from datetime import datetime

from sqlalchemy import and_, or_, select

from envcheck.errors import InvalidSeekerNumber
from envcheck.report.seeker import normalize_seeker_no
from envcheck.server.db import Store, StoreUnavailable, UploadAttempt

_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
OUTCOMES = ("accepted", "duplicate", "refused")


def _what(body: bytes | None) -> tuple[str | None, str | None]:
    """(seeker number, report id) of a refused body when they can be read; else None each."""
    if not body:
        return None, None
    try:
        doc = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None, None
    if not isinstance(doc, dict):
        return None, None
    seeker, rid = doc.get("seeker_no"), doc.get("report_id")
    try:
        seeker = normalize_seeker_no(seeker) if isinstance(seeker, str) and len(seeker) <= 40 else None
    except InvalidSeekerNumber:
        seeker = None
    return seeker, rid if isinstance(rid, str) and _UUID.match(rid) else None


def record(store: Store, at: datetime, outcome: str, status: int, code: str, seeker_no: str | None = None,
           receipt_no: str | None = None, report_id: str | None = None) -> None:
    try:
        with store.tx() as s:
            s.add(UploadAttempt(at=at, seeker_no=seeker_no, receipt_no=receipt_no, report_id=report_id,
                                outcome=outcome, status=status, reason_code=code[:32]))
    except StoreUnavailable:
        pass  # the upload's own answer stands; only this log line is lost


def refused(store: Store, at: datetime, status: int, code: str, body: bytes | None) -> None:
    seeker, rid = _what(body)
    record(store, at, "refused", status, code, seeker, None, rid)


def search(s, seeker_no: str | None, receipt_no: str | None, start: datetime | None, end: datetime | None,
           outcome: str | None, before: tuple[datetime, int] | None, limit: int) -> list[UploadAttempt]:
    cond = []
    if seeker_no:
        cond.append(UploadAttempt.seeker_no == seeker_no)
    if receipt_no:
        cond.append(UploadAttempt.receipt_no == receipt_no)
    if start:
        cond.append(UploadAttempt.at >= start)
    if end:
        cond.append(UploadAttempt.at < end)
    if outcome in OUTCOMES:
        cond.append(UploadAttempt.outcome == outcome)
    if before:
        cond.append(or_(UploadAttempt.at < before[0], and_(UploadAttempt.at == before[0],
                                                           UploadAttempt.id < before[1])))
    return list(s.scalars(select(UploadAttempt).where(*cond)
                          .order_by(UploadAttempt.at.desc(), UploadAttempt.id.desc()).limit(limit)).all())
