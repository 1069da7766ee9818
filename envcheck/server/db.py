"""The store: SQLAlchemy 2 tables, the engine, and one transaction per unit of work.

The same schema runs on SQLite (one office, the default) and PostgreSQL (several processes
on several machines). The schema itself is created only by the Alembic migrations in
migrations/ (`envcheck-server init` / `upgrade`); these models must match them.
"""

from __future__ import annotations

import os
import sys
import threading
from contextlib import contextmanager
from datetime import datetime, timezone
from typing import Iterator

from sqlalchemy import (BigInteger, Boolean, DateTime, ForeignKey, Index, Integer, LargeBinary, String, Text,
                        TypeDecorator, create_engine, event, false)
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.pool import QueuePool
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

from envcheck.errors import EnvcheckError

if sys.platform == "win32":  # the service runs on Linux; on Windows only the lock per process holds

    def _lock_file(fd: int, exclusive: bool) -> None:
        pass
else:
    import fcntl

    def _lock_file(fd: int, exclusive: bool) -> None:
        fcntl.flock(fd, fcntl.LOCK_EX if exclusive else fcntl.LOCK_UN)


class StoreUnavailable(EnvcheckError):
    """The database is locked, unreachable or overloaded: the caller answers 503 and nothing was written."""


def utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(microsecond=0)


class UTCDateTime(TypeDecorator):
    """Aware UTC datetimes in, aware UTC datetimes out; stored as naive UTC on both databases."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store")
        return value.astimezone(timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        return None if value is None else value.replace(tzinfo=timezone.utc)


class Base(DeclarativeBase):
    pass


class Report(Base):
    __tablename__ = "reports"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    report_id: Mapped[str] = mapped_column(String(36), unique=True)
    seeker_no: Mapped[str | None] = mapped_column(String(14))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    platform: Mapped[str] = mapped_column(String(16))
    checker_version: Mapped[str] = mapped_column(String(64))
    rules_version: Mapped[str] = mapped_column(String(64))
    key_id: Mapped[str] = mapped_column(String(16))
    claimed_verdict: Mapped[str] = mapped_column(String(16))
    verdict: Mapped[str] = mapped_column(String(16))
    """The service's own verdict (re-judged with its rules); eligibility follows this one."""
    judged_rules_version: Mapped[str] = mapped_column(String(64))
    claimed_statuses: Mapped[str] = mapped_column(Text)
    statuses: Mapped[str] = mapped_column(Text)
    mismatch: Mapped[bool] = mapped_column(Boolean)
    new_device_key: Mapped[bool] = mapped_column(Boolean)
    sha256: Mapped[str] = mapped_column(String(64))
    body: Mapped[bytes] = mapped_column(LargeBinary)
    receipt: Mapped[str] = mapped_column(Text)
    receipt_no: Mapped[str | None] = mapped_column(String(14), nullable=True)
    """The number the seeker is told to keep (migration 0004); counselors search by it."""
    assurance: Mapped[str] = mapped_column(String(16), default="desktop", server_default="desktop")
    """"desktop" (the checker program) or "browser" (the /check page: measured + self-declared)."""
    replayed: Mapped[bool] = mapped_column(Boolean, server_default=false(), default=False)
    """Made from a replayed snapshot (`check --replay`): never counts for eligibility."""

    __table_args__ = (
        Index("ix_reports_received", "received_at", "id"),
        Index("ix_reports_verdict_received", "verdict", "received_at", "id"),
        Index("ix_reports_seeker_created", "seeker_no", "created_at"),
        Index("ix_reports_created", "created_at"),
        Index("ix_reports_receipt_no", "receipt_no"),
    )


class DeviceKey(Base):
    __tablename__ = "device_keys"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    seeker_no: Mapped[str] = mapped_column(String(14))
    key_id: Mapped[str] = mapped_column(String(16))
    public_key: Mapped[str] = mapped_column(String(64))
    pinned: Mapped[bool] = mapped_column(Boolean)
    """The trust state: only reports signed by a pinned key count for eligibility. A key is pinned by
    redeeming an enrolment code (enrol.py) or by a counselor's confirmation (devices.py)."""
    pinned_via: Mapped[str | None] = mapped_column(String(80), nullable=True)
    first_seen: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen: Mapped[datetime] = mapped_column(UTCDateTime)
    first_report_id: Mapped[str] = mapped_column(String(36))

    __table_args__ = (Index("ux_device_keys_seeker_key", "seeker_no", "key_id", unique=True),)


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)


class ApiToken(Base):
    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)


class WebSession(Base):
    __tablename__ = "web_sessions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    csrf: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)


class LoginFailure(Base):
    __tablename__ = "login_failures"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(64))
    ip: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (Index("ix_login_failures_ip_at", "ip", "at"), Index("ix_login_failures_name_at", "name", "at"))


class Enrolment(Base):
    """A one-time code the office gives a job-seeker; the first report carrying it pins its key."""

    __tablename__ = "enrolments"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    seeker_no: Mapped[str] = mapped_column(String(14))
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(String(80))
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    key_id: Mapped[str | None] = mapped_column(String(16), nullable=True)

    __table_args__ = (Index("ix_enrolments_seeker", "seeker_no"),)


class RateCounter(Base):
    """Requests and bytes per bucket ("ip:…", "seeker:…") per fixed window: shared by every process."""

    __tablename__ = "rate_counters"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    bucket: Mapped[str] = mapped_column(String(120))
    window_start: Mapped[datetime] = mapped_column(UTCDateTime)
    hits: Mapped[int] = mapped_column(Integer)
    bytes: Mapped[int] = mapped_column(BigInteger)

    __table_args__ = (Index("ux_rate_counters_bucket_window", "bucket", "window_start", unique=True),
                      Index("ix_rate_counters_window", "window_start"))


class StoreTotals(Base):
    """One row (id 1, migration 0005): the reports stored and their bytes, kept exact by every insert, trim and
    purge in the same transaction, so the storage bound holds across all the service's processes."""

    __tablename__ = "store_totals"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reports: Mapped[int] = mapped_column(BigInteger)
    bytes: Mapped[int] = mapped_column(BigInteger)


class AuditEntry(Base):
    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(80))
    """User name, "token:<name>" for the booking service, or "-" when anonymous."""
    role: Mapped[str] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(32))
    target: Mapped[str] = mapped_column(String(80))
    ip: Mapped[str] = mapped_column(String(64))
    detail: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (Index("ix_audit_at", "at", "id"),)


class Decision(Base):
    """A counselor's decision about a seeker (migration 0004): grant/revoke eligibility, confirm/reject a key."""

    __tablename__ = "decisions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    seeker_no: Mapped[str] = mapped_column(String(14))
    kind: Mapped[str] = mapped_column(String(16))
    """grant, revoke, confirm_key or reject_key."""
    key_id: Mapped[str | None] = mapped_column(String(16), nullable=True)
    valid_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    reason: Mapped[str] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(80))
    role: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (Index("ix_decisions_seeker", "seeker_no", "id"),)


class UploadAttempt(Base):
    """Every upload, accepted or not (migration 0004): what support needs and no more personal data."""

    __tablename__ = "upload_attempts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    seeker_no: Mapped[str | None] = mapped_column(String(14), nullable=True)
    receipt_no: Mapped[str | None] = mapped_column(String(14), nullable=True)
    report_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    outcome: Mapped[str] = mapped_column(String(16))
    """accepted, duplicate or refused."""
    status: Mapped[int] = mapped_column(Integer)
    reason_code: Mapped[str] = mapped_column(String(32))

    __table_args__ = (Index("ix_upload_attempts_at", "at", "id"),
                      Index("ix_upload_attempts_seeker", "seeker_no", "at"),
                      Index("ix_upload_attempts_receipt", "receipt_no"))


def make_engine(url: str, timeout: int = 5, pool_size: int = 8) -> Engine:
    """An engine that waits at most `timeout` seconds for a lock or a connection."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            os.makedirs(os.path.dirname(os.path.abspath(path)) or ".", mode=0o700, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": timeout, "check_same_thread": False},
                               pool_size=pool_size, max_overflow=8, pool_timeout=timeout)

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn, _record):  # WAL: readers never wait for the writer
            dbapi_conn.isolation_level = None  # SQLAlchemy issues BEGIN itself (below)
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute(f"PRAGMA busy_timeout={timeout * 1000}")
            cur.close()

        @event.listens_for(engine, "begin")
        def _begin(conn):  # take the write lock at BEGIN: no deadlock between two upgrading readers
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return create_engine(url, pool_pre_ping=True, pool_size=pool_size, max_overflow=8, pool_timeout=timeout,
                         connect_args={"connect_timeout": timeout,
                                       "options": f"-c lock_timeout={timeout * 1000} "
                                                  f"-c statement_timeout={timeout * 4000}"})


class _WriteLock:
    """SQLite has one writer at a time, and every transaction here takes the write lock at BEGIN. Waiting
    for it in SQLite's busy handler means sleeping 1, 2, 5 ... 100 ms between tries, so two busy workers
    spent much of their time asleep. Instead the writers queue: on a lock per process (at most `timeout`
    seconds, then 503), and across processes on an flock() of a file beside the database, which wakes the
    next writer the moment the last one commits. A transaction holds it for about a millisecond."""

    def __init__(self, database: str | None, timeout: float):
        self._thread = threading.Lock()
        self._path = database + ".lock" if database and database != ":memory:" else None
        self._fd: int | None = None
        self._timeout = timeout

    @contextmanager
    def held(self) -> Iterator[None]:
        if not self._thread.acquire(timeout=self._timeout):
            raise StoreUnavailable("the database is busy (locked); try again shortly")
        try:
            if self._path is None:
                yield
                return
            if self._fd is None:
                self._fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600)
            _lock_file(self._fd, True)
            try:
                yield
            finally:
                _lock_file(self._fd, False)
        finally:
            self._thread.release()


class Store:
    """Engine + session factory; `with store.tx() as s:` is one transaction, all or nothing.
    `with store.begin() as conn:` is the same with a Core connection (the upload path: no ORM)."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        wait = engine.pool.timeout() if isinstance(engine.pool, QueuePool) else 5.0
        self._lock = _WriteLock(engine.url.database, wait) if engine.dialect.name == "sqlite" else None

    @contextmanager
    def _locked(self) -> Iterator[None]:
        if self._lock is None:
            yield
            return
        with self._lock.held():
            yield

    @contextmanager
    def tx(self) -> Iterator[Session]:
        with _translated(), self._locked(), self._sessions.begin() as session:
            yield session

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        with _translated(), self._locked(), self.engine.begin() as conn:
            yield conn


@contextmanager
def _translated() -> Iterator[None]:
    try:
        yield
    except (OperationalError, PoolTimeout) as exc:
        raise StoreUnavailable(_why(exc)) from exc
    except DBAPIError as exc:
        if exc.connection_invalidated:
            raise StoreUnavailable(_why(exc)) from exc
        raise


def _why(exc: Exception) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    first = text[0] if text else type(exc).__name__
    if "locked" in first or "lock timeout" in first:
        return "the database is busy (locked); try again shortly"
    return "the database is unavailable; try again shortly"
