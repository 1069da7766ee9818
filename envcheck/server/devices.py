"""Counselor decisions about a job-seeker's device keys (the trust state is DeviceKey.pinned).

A report signed by a key that is not pinned is stored and shown but never changes eligibility.
A counselor who has confirmed with the job-seeker (by phone, in person) that a new device is
theirs confirms its key; a key that is not theirs is rejected. Both are audited, with the reason.
The counselor pages (web) and `envcheck-server confirm-device / reject-device` call these.
"""

from __future__ import annotations

from sqlalchemy import select

from envcheck.errors import EnvcheckError
from envcheck.server import decisions
from envcheck.server.db import DeviceKey, utcnow


class NoSuchDeviceKey(EnvcheckError):
    """No device key with this id was seen for this job-seeker."""


def _decide(s, seeker_no: str, key_id: str, actor: str, reason: str, pinned: bool, role: str) -> DeviceKey:
    # One implementation: the counselor pages' decisions (decisions.py), so a decision made here is in
    # the same decisions table, audit log and booking answer as one made on the seeker's page.
    fn = decisions.confirm_device_key if pinned else decisions.reject_device_key
    try:
        fn(s, seeker_no, key_id, (reason or "").replace("\x00", ""), actor, role, "-", utcnow())
    except decisions.DecisionError as exc:
        if exc.code == "no_key":
            raise NoSuchDeviceKey(f"no device key {key_id[:16]} was seen for {seeker_no[:14]}") from None
        raise EnvcheckError("a reason is required (what was confirmed with the job-seeker, and how)") from None
    key = s.scalar(select(DeviceKey).where(DeviceKey.seeker_no == seeker_no, DeviceKey.key_id == key_id[:16]))
    assert key is not None  # decisions found it a moment ago, in this transaction
    return key


def confirm_device_key(session, seeker_no: str, key_id: str, actor: str, reason: str,
                       role: str = "counselor") -> DeviceKey:
    """Trust this key's reports for this job-seeker's eligibility from now on (inside `session`)."""
    return _decide(session, seeker_no, key_id, actor, reason, True, role)


def reject_device_key(session, seeker_no: str, key_id: str, actor: str, reason: str,
                      role: str = "counselor") -> DeviceKey:
    """Stop trusting this key (also one pinned before): its reports no longer count."""
    return _decide(session, seeker_no, key_id, actor, reason, False, role)


__all__ = ["confirm_device_key", "reject_device_key", "NoSuchDeviceKey"]
