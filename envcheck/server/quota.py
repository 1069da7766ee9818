"""Quotas for anonymous callers, kept in the database so that every service process agrees.

Fixed one-hour windows per bucket ("addr:<ip>", "seeker:<no>", ...): one upsert per bucket
(INSERT ... ON CONFLICT DO UPDATE ... RETURNING on both SQLite and PostgreSQL) counts the request
and its bytes and returns the totals, so simultaneous requests are counted exactly. The counter
is charged in its own short transaction (a refused upload still counts) before any work is done.

Storage is bounded too: at most settings.max_reports_per_seeker reports per job-seeker (the oldest
go), and no new report once settings.max_stored_reports are stored (507); the retention purge
runs inside the service every settings.purge_every_minutes (app.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from envcheck.server.db import RateCounter, Report, Store

WINDOW = timedelta(hours=1)


@dataclass(frozen=True)
class Limit:
    bucket: str
    max_hits: int
    max_bytes: int | None = None


class OverQuota(Exception):
    """A limit is reached: answer 429 with Retry-After (seconds to the next window)."""

    def __init__(self, reason: str, retry_after: int):
        super().__init__(reason)
        self.retry_after = retry_after


def window_of(now: datetime) -> datetime:
    return now.replace(minute=0, second=0, microsecond=0)


def charge(store: Store, limits: list[Limit], nbytes: int, now: datetime) -> None:
    """Count one request of `nbytes` in each bucket; raise OverQuota when any is over its limit."""
    start = window_of(now)
    with store.tx() as s:
        insert = pg_insert if s.get_bind().dialect.name == "postgresql" else sqlite_insert
        over = None
        for lim in limits:
            stmt = insert(RateCounter).values(bucket=lim.bucket[:120], window_start=start, hits=1, bytes=nbytes)
            stmt = stmt.on_conflict_do_update(
                index_elements=[RateCounter.bucket, RateCounter.window_start],
                set_={"hits": RateCounter.hits + 1, "bytes": RateCounter.bytes + nbytes},
            ).returning(RateCounter.hits, RateCounter.bytes)
            hits, total = s.execute(stmt).one()
            if over is None and (hits > lim.max_hits or (lim.max_bytes is not None and total > lim.max_bytes)):
                over = lim
    if over is not None:
        kind = over.bucket.split(":", 1)[0]
        raise OverQuota(f"too many requests from this {'address' if kind == 'addr' else 'job-seeker number'} "
                        f"this hour; try again later", int((start + WINDOW - now).total_seconds()) + 1)


def charge_in(s, lim: Limit, now: datetime) -> None:
    """`charge` inside the caller's transaction (which rolls back when OverQuota is raised: the
    counter then stays at its limit, which refuses the next request just the same)."""
    start = window_of(now)
    insert = pg_insert if s.get_bind().dialect.name == "postgresql" else sqlite_insert
    stmt = insert(RateCounter).values(bucket=lim.bucket[:120], window_start=start, hits=1, bytes=0)
    stmt = stmt.on_conflict_do_update(index_elements=[RateCounter.bucket, RateCounter.window_start],
                                      set_={"hits": RateCounter.hits + 1}).returning(RateCounter.hits)
    if s.execute(stmt).scalar_one() > lim.max_hits:
        raise OverQuota("too many reports for this job-seeker number this hour; try again later",
                        int((start + WINDOW - now).total_seconds()) + 1)


def seeker_limit(seeker_no: str, enrolled: bool, per_seeker: int) -> Limit:
    """Reports per job-seeker per hour: the enrolled device has its own allowance, so a stranger
    who sends reports for someone's number cannot use up theirs."""
    return Limit(f"seeker:{seeker_no}:{'enrolled' if enrolled else 'other'}", per_seeker)


def trim_seeker(s, seeker_no: str | None, keep: int) -> int:
    """Inside the storing transaction: drop the seeker's oldest reports beyond `keep`."""
    if seeker_no is None:
        return 0
    count = s.scalar(select(func.count()).select_from(Report).where(Report.seeker_no == seeker_no))
    if count <= keep:
        return 0
    old = s.scalars(select(Report.id).where(Report.seeker_no == seeker_no).order_by(
        Report.created_at.asc(), Report.id.asc()).limit(count - keep)).all()
    return s.execute(delete(Report).where(Report.id.in_(old))).rowcount


def stored_reports(store: Store) -> int:
    with store.tx() as s:
        return int(s.scalar(select(func.count()).select_from(Report)) or 0)
