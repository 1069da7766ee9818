"""Enrolment codes: how the office binds a job-seeker number to the device that checks for them.

The office issues a one-time code with the seeker number (`envcheck-server enrol SEEKER_NO`, or
POST /api/v1/enrolments from the office's own system with its token) and hands it over on paper or
through the seeker's マイページ message (terms of use, article 6(3)). The checker puts the code in
the signed report (`envcheck check --upload --enrol CODE`); the first report that carries a valid
code pins its device key. Redeeming is one conditional UPDATE (`... WHERE used_at IS NULL`), so
on SQLite and PostgreSQL alike exactly one of any number of simultaneous reports wins the code.

Codes are 12 characters of Crockford's base32 (60 random bits), printed as XXXX-XXXX-XXXX;
only their SHA-256 is stored.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select, update

from envcheck.report.seeker import ENROL_ALPHABET as ALPHABET
from envcheck.report.seeker import BadEnrolmentCode as BadCode
from envcheck.report.seeker import normalize_enrolment_code as normalize_code
from envcheck.server.db import AuditEntry, Enrolment

CODE_DAYS = 30


def new_code() -> str:
    raw = "".join(secrets.choice(ALPHABET) for _ in range(12))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def code_hash(code: str) -> str:
    return hashlib.sha256(normalize_code(code).encode("ascii")).hexdigest()


def issue(s, seeker_no: str, actor: str, role: str, ip: str, now: datetime,
          days: int = CODE_DAYS) -> tuple[str, datetime]:
    """A new code for this (normalised) seeker number, audited; returns (code, expires_at)."""
    code = new_code()
    until = now + timedelta(days=days)
    s.add(Enrolment(seeker_no=seeker_no, code_hash=code_hash(code), created_at=now, expires_at=until,
                    created_by=actor[:80]))
    s.add(AuditEntry(at=now, actor=actor[:80], role=role, action="enrol_issue", target=seeker_no, ip=ip,
                     detail=json.dumps({"expires_at": until.isoformat()})))
    return code, until


def redeem(s, seeker_no: str, code: str, key_id: str, now: datetime) -> str | None:
    """Use the code for this key inside the caller's transaction. None when it worked (or this key
    used it before); otherwise the reason it cannot be used."""
    try:
        h = code_hash(code)
    except BadCode as exc:
        return str(exc)
    won = s.execute(update(Enrolment)
                    .where(Enrolment.code_hash == h, Enrolment.seeker_no == seeker_no,
                           Enrolment.used_at.is_(None), Enrolment.expires_at > now)
                    .values(used_at=now, key_id=key_id)).rowcount
    if won == 1:
        return None
    row = s.execute(select(Enrolment.seeker_no, Enrolment.used_at, Enrolment.key_id, Enrolment.expires_at)
                    .where(Enrolment.code_hash == h)).first()
    if row is None or row.seeker_no != seeker_no:
        return "the enrolment code is not one the office issued for this job-seeker number"
    if row.used_at is not None:
        return None if row.key_id == key_id else "the enrolment code was already used by another device"
    return "the enrolment code has expired; ask the office for a new one"
