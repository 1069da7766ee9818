"""Quotas for anonymous callers, kept in the database so that every service process agrees.

Fixed one-hour windows per bucket ("addr:<ip>", "seeker:<no>", ...): one upsert per bucket
(INSERT ... ON CONFLICT DO UPDATE ... RETURNING on both SQLite and PostgreSQL) counts the request
and its bytes and returns the totals, so simultaneous requests are counted exactly. The counter
is charged in its own short transaction (a refused upload still counts) before any work is done.

Storage is bounded too: at most settings.max_reports_per_seeker reports per job-seeker (the oldest
go), and no new report once settings.max_stored_reports reports or settings.max_stored_bytes bytes
are stored (507). The totals are one row (store_totals) that every insert, trim and purge changes
in its own transaction, so the bound is exact across all the service's processes; the retention
purge runs inside the service every settings.purge_every_minutes (app.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import BigInteger, bindparam, delete, func, text

from envcheck.server.db import Report, Store, StoreUnavailable, UTCDateTime

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


# Built once: the same SQL on SQLite (>= 3.35) and PostgreSQL, and no per-request statement building.
_UPSERT = text(
    "INSERT INTO rate_counters (bucket, window_start, hits, bytes) VALUES (:bucket, :window, 1, :n) "
    "ON CONFLICT (bucket, window_start) DO UPDATE SET hits = rate_counters.hits + 1, "
    "bytes = rate_counters.bytes + :n RETURNING hits, bytes"
).bindparams(bindparam("window", type_=UTCDateTime()), bindparam("n", type_=BigInteger()))
_SEEKER_COUNT = text("SELECT count(*) FROM reports WHERE seeker_no = :s")


def _count(s, bucket: str, start: datetime, nbytes: int) -> tuple[int, int]:
    hits, total = s.execute(_UPSERT, {"bucket": bucket[:120], "window": start, "n": nbytes}).one()
    return int(hits), int(total)


def _over(lim: Limit, hits: int, total: int) -> bool:
    return hits > lim.max_hits or (lim.max_bytes is not None and total > lim.max_bytes)


def _refusal(lim: Limit, start: datetime, now: datetime) -> OverQuota:
    kind = lim.bucket.split(":", 1)[0]
    return OverQuota(f"too many requests from this {'address' if kind == 'addr' else 'job-seeker number'} "
                     "this hour; try again later", int((start + WINDOW - now).total_seconds()) + 1)


def charge_in(s, limits: list[Limit], nbytes: int, now: datetime) -> None:
    """Count one request of `nbytes` in each bucket inside the caller's transaction; raise OverQuota
    when any is over (the caller's transaction then rolls back and the counter stays at its limit,
    which refuses the next request just the same)."""
    start = window_of(now)
    for lim in limits:
        hits, total = _count(s, lim.bucket, start, nbytes)
        if _over(lim, hits, total):
            raise _refusal(lim, start, now)


def charge(store: Store, limits: list[Limit], nbytes: int, now: datetime) -> None:
    """`charge_in` in a transaction of its own that is kept even when over the limit."""
    start = window_of(now)
    over = None
    with store.tx() as s:
        for lim in limits:
            hits, total = _count(s, lim.bucket, start, nbytes)
            if over is None and _over(lim, hits, total):
                over = lim
    if over is not None:
        raise _refusal(over, start, now)


class Refused:
    """This process's memory of buckets found over their limit, so that it refuses them again before
    doing any work until their window ends. Only ever refuses what the database refused already."""

    def __init__(self):
        self._until: dict[str, datetime] = {}

    def check(self, bucket: str, now: datetime) -> int | None:
        """Seconds to wait when `bucket` is known to be over, else None."""
        until = self._until.get(bucket)
        if until is None:
            return None
        if now >= until:
            del self._until[bucket]
            return None
        return int((until - now).total_seconds()) + 1

    def remember(self, bucket: str, now: datetime, until: datetime | None = None) -> None:
        """Refuse `bucket` until `until` (default: the end of the current window)."""
        if len(self._until) > 100_000:
            self._until.clear()  # bounded memory: forgetting only costs a database round trip
        self._until[bucket] = until or window_of(now) + WINDOW


def seeker_limit(seeker_no: str, enrolled: bool, per_seeker: int) -> Limit:
    """Reports per job-seeker per hour: the enrolled device has its own allowance, so a stranger
    who sends reports for someone's number cannot use up theirs."""
    return Limit(f"seeker:{seeker_no}:{'enrolled' if enrolled else 'other'}", per_seeker)


class StoreFull(Exception):
    """The storage bound is reached: answer 507 (nothing of this upload was stored)."""


@dataclass(frozen=True)
class Bound:
    reports: int
    nbytes: int


# One row, id 1 (migration 0005): updated by the same transaction as every insert and deletion of reports.
_TOTALS = text("UPDATE store_totals SET reports = reports + :r, bytes = bytes + :b WHERE id = 1 "
               "RETURNING reports, bytes").bindparams(bindparam("r", type_=BigInteger()),
                                                      bindparam("b", type_=BigInteger()))
_SEEKER_OLDEST = text("SELECT id FROM reports WHERE seeker_no = :s ORDER BY created_at, id LIMIT :n")


def count_stored(s, reports: int, nbytes: int, bound: Bound | None = None) -> tuple[int, int]:
    """Add to the stored totals inside the caller's transaction; returns the new (reports, bytes). Raises
    StoreFull when `bound` is given and this change grows a total beyond it (the caller rolls back)."""
    row = s.execute(_TOTALS, {"r": reports, "b": nbytes}).first()
    if row is None:
        raise StoreUnavailable("the store has no totals row: run `envcheck-server upgrade`")
    total, size = int(row[0]), int(row[1])
    if bound is not None and ((reports > 0 and total > bound.reports) or (nbytes > 0 and size > bound.nbytes)):
        raise StoreFull("the service's storage is full; the office has been told, try again tomorrow")
    return total, size


def delete_reports(s, where) -> tuple[int, int]:
    """Delete the reports matching `where` inside the caller's transaction and take them off the totals;
    returns (reports, bytes) removed. DELETE ... RETURNING: exactly the rows this statement removed."""
    sizes = s.execute(delete(Report).where(where).returning(func.length(Report.body))).scalars().all()
    removed, nbytes = len(sizes), sum(int(n or 0) for n in sizes)
    if removed:
        count_stored(s, -removed, -nbytes)
    return removed, nbytes


def trim_seeker(s, seeker_no: str | None, keep: int) -> tuple[int, int]:
    """Inside the storing transaction: drop the seeker's oldest reports beyond `keep`; (reports, bytes) gone."""
    if seeker_no is None:
        return 0, 0
    count = s.execute(_SEEKER_COUNT, {"s": seeker_no}).scalar_one()
    if count <= keep:
        return 0, 0
    old = s.execute(_SEEKER_OLDEST, {"s": seeker_no, "n": count - keep}).scalars().all()
    return delete_reports(s, Report.id.in_(old))


def stored_totals(store: Store) -> tuple[int, int]:
    """(reports, bytes) stored, as the totals row says."""
    with store.tx() as s:
        return count_stored(s, 0, 0)
