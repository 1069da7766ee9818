"""Service settings, read once from environment variables into a frozen record.

Nothing is read at import time: `Settings.from_env(environ)` is called by the command line
(or a test) and the result is handed to `create_app(settings)`.

| variable                         | default                                              |
| -------------------------------- | ---------------------------------------------------- |
| ENVCHECK_SERVER_HOME             | platformdirs user_data_dir("envcheck-server")        |
| ENVCHECK_DATABASE_URL            | sqlite:///<home>/envcheck-server.sqlite3             |
| ENVCHECK_SERVER_KEY              | <home>/server_key.pem (Ed25519, signs receipts)      |
| ENVCHECK_SESSION_SECRET          | generated into <home>/session_secret (0600)          |
| ENVCHECK_SERVER_RULES            | the rules/ folder shipped with envcheck              |
| ENVCHECK_RULES_REPO              | <home>/rules-repo (TUF repository, served read-only) |
| ENVCHECK_RULES_KEYS              | <home>/rules-keys (its signing keys, never served)   |
| ENVCHECK_RETENTION_DAYS          | 180                                                  |
| ENVCHECK_CLOCK_SKEW_SECONDS      | 300  (how far in the future created_at may be)       |
| ENVCHECK_MAX_REPORT_AGE_HOURS    | 168  (older reports are refused as stale)            |
| ENVCHECK_MAX_REPORT_BYTES        | 262144 (256 KiB)                                     |
| ENVCHECK_DB_TIMEOUT_SECONDS      | 5    (wait for a locked or slow database, then 503)  |
| ENVCHECK_BODY_TIMEOUT_SECONDS    | 30   (a request body must arrive within this, or 408) |
| ENVCHECK_RATE_PER_ADDRESS        | 120  (reports+enrolment uses per address per hour)   |
| ENVCHECK_RATE_PER_SEEKER         | 24   (reports per job-seeker number per hour)        |
| ENVCHECK_BYTES_PER_ADDRESS       | 16777216 (report bytes per address per hour, 16 MiB) |
| ENVCHECK_MAX_REPORTS_PER_SEEKER  | 500  (older ones are dropped when more arrive)       |
| ENVCHECK_MAX_STORED_REPORTS      | 1000000 (the store refuses new reports beyond, 507)  |
| ENVCHECK_MAX_STORED_BYTES        | 8589934592 (8 GiB of report bodies; beyond, 507)     |
| ENVCHECK_PURGE_EVERY_MINUTES     | 60   (the retention purge runs in the service; 0 off)|
"""

from __future__ import annotations

import os
import re
import secrets
from dataclasses import dataclass, field
from typing import Mapping

from envcheck.errors import EnvcheckError


class SettingsError(EnvcheckError):
    """An environment variable has a value the service cannot use."""


class Secret:
    """A value that never shows itself in repr() or logs."""

    __slots__ = ("_value",)

    def __init__(self, value: str):
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('**********')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and secrets.compare_digest(self._value, other._value)

    def __hash__(self) -> int:
        return hash(self._value)


def mask_url(url: str) -> str:
    """postgresql://user:pw@host/db -> postgresql://user:***@host/db"""
    return re.sub(r"(://[^:/@]*:)[^@]*@", r"\1***@", url)


def _int(env: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name}={raw!r} is not a whole number") from None
    if not low <= value <= high:
        raise SettingsError(f"{name}={value} must be between {low} and {high}")
    return value


def default_home() -> str:
    from platformdirs import user_data_dir

    return user_data_dir("envcheck-server", appauthor=False)


def _session_secret(env: Mapping[str, str], home: str) -> Secret:
    given = env.get("ENVCHECK_SESSION_SECRET")
    if given:
        if len(given) < 32:
            raise SettingsError("ENVCHECK_SESSION_SECRET must be at least 32 characters")
        return Secret(given)
    path = os.path.join(home, "session_secret")
    try:
        with open(path, encoding="ascii") as fh:
            value = fh.read().strip()
        if len(value) >= 32:
            return Secret(value)
    except FileNotFoundError:
        pass
    except (OSError, UnicodeDecodeError) as exc:
        raise SettingsError(f"cannot read {path}: {exc}") from None
    from envcheck.files import write_atomic

    value = secrets.token_urlsafe(48)
    try:
        os.makedirs(home, mode=0o700, exist_ok=True)
        write_atomic(path, value.encode("ascii") + b"\n", mode=0o600)
    except OSError as exc:
        raise SettingsError(f"cannot write the session secret to {path}: {exc.strerror or exc}") from None
    return Secret(value)


@dataclass(frozen=True)
class Settings:
    home: str
    """Folder of the service's own files (SQLite database, server key, session secret)."""
    database_url: str = field(repr=False)
    server_key_path: str
    session_secret: Secret
    rules_dir: str | None
    """None: the rules shipped with envcheck."""
    rules_repo: str = ""
    """The TUF repository of published rules, served under /api/v1/rules/ (docs/rules-updates.md)."""
    rules_keys: str = ""
    """Its role keys (owner-only); better kept on another, offline machine."""
    retention_days: int = 180
    clock_skew_seconds: int = 300
    max_report_age_hours: int = 168
    max_report_bytes: int = 256 * 1024
    db_timeout_seconds: int = 5
    body_timeout_seconds: int = 30
    rate_per_address: int = 120
    rate_per_seeker: int = 24
    bytes_per_address: int = 16 * 1024 * 1024
    max_reports_per_seeker: int = 500
    max_stored_reports: int = 1_000_000
    max_stored_bytes: int = 8 * 1024 ** 3
    purge_every_minutes: int = 60

    def __repr__(self) -> str:
        return (f"Settings(home={self.home!r}, database_url={mask_url(self.database_url)!r}, "
                f"server_key_path={self.server_key_path!r}, session_secret={self.session_secret!r}, "
                f"rules_dir={self.rules_dir!r}, rules_repo={self.rules_repo!r}, rules_keys={self.rules_keys!r}, "
                f"retention_days={self.retention_days}, "
                f"clock_skew_seconds={self.clock_skew_seconds}, max_report_age_hours={self.max_report_age_hours}, "
                f"max_report_bytes={self.max_report_bytes}, db_timeout_seconds={self.db_timeout_seconds}, "
                f"body_timeout_seconds={self.body_timeout_seconds}, rate_per_address={self.rate_per_address}, "
                f"rate_per_seeker={self.rate_per_seeker}, bytes_per_address={self.bytes_per_address}, "
                f"max_reports_per_seeker={self.max_reports_per_seeker}, "
                f"max_stored_reports={self.max_stored_reports}, max_stored_bytes={self.max_stored_bytes}, "
                f"purge_every_minutes={self.purge_every_minutes})")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> "Settings":
        env = os.environ if environ is None else environ
        home = env.get("ENVCHECK_SERVER_HOME") or default_home()
        url = env.get("ENVCHECK_DATABASE_URL") or "sqlite:///" + os.path.join(home, "envcheck-server.sqlite3")
        if not re.match(r"^(sqlite|postgresql)(\+\w+)?://", url):
            raise SettingsError("ENVCHECK_DATABASE_URL must start with sqlite:// or postgresql://")
        return cls(
            home=home,
            database_url=url,
            server_key_path=env.get("ENVCHECK_SERVER_KEY") or os.path.join(home, "server_key.pem"),
            session_secret=_session_secret(env, home),
            rules_dir=env.get("ENVCHECK_SERVER_RULES") or None,
            rules_repo=env.get("ENVCHECK_RULES_REPO") or os.path.join(home, "rules-repo"),
            rules_keys=env.get("ENVCHECK_RULES_KEYS") or os.path.join(home, "rules-keys"),
            retention_days=_int(env, "ENVCHECK_RETENTION_DAYS", 180, 1, 36500),
            clock_skew_seconds=_int(env, "ENVCHECK_CLOCK_SKEW_SECONDS", 300, 0, 86400),
            max_report_age_hours=_int(env, "ENVCHECK_MAX_REPORT_AGE_HOURS", 168, 1, 24 * 365),
            max_report_bytes=_int(env, "ENVCHECK_MAX_REPORT_BYTES", 256 * 1024, 1024, 16 * 1024 * 1024),
            db_timeout_seconds=_int(env, "ENVCHECK_DB_TIMEOUT_SECONDS", 5, 1, 120),
            body_timeout_seconds=_int(env, "ENVCHECK_BODY_TIMEOUT_SECONDS", 30, 1, 600),
            rate_per_address=_int(env, "ENVCHECK_RATE_PER_ADDRESS", 120, 1, 10 ** 7),
            rate_per_seeker=_int(env, "ENVCHECK_RATE_PER_SEEKER", 24, 1, 10 ** 7),
            bytes_per_address=_int(env, "ENVCHECK_BYTES_PER_ADDRESS", 16 * 1024 * 1024, 1024, 2 ** 40),
            max_reports_per_seeker=_int(env, "ENVCHECK_MAX_REPORTS_PER_SEEKER", 500, 1, 10 ** 6),
            max_stored_reports=_int(env, "ENVCHECK_MAX_STORED_REPORTS", 1_000_000, 1, 10 ** 10),
            max_stored_bytes=_int(env, "ENVCHECK_MAX_STORED_BYTES", 8 * 1024 ** 3, 1024, 2 ** 50),
            purge_every_minutes=_int(env, "ENVCHECK_PURGE_EVERY_MINUTES", 60, 0, 10080),
        )
