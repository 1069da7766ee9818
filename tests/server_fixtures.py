"""Real parts for the intake service's tests: reports made by the checker's own pipeline, a real
PostgreSQL started into a temporary folder, and `envcheck-server run` as a subprocess on loopback.
"""

from __future__ import annotations

import atexit
import copy
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import requests
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from packaging.version import Version

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))

from processes import free_port, stop_process
from snapshots import FIXTURES, snapshot_from_folder

BIN = Path(sys.executable).parent
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


def stamp(when: datetime) -> str:
    return when.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


# ---------------------------------------------------------------- reports from the real checker

def passing_snapshot(rules, now: datetime) -> dict:
    """The macOS 26 fixture brought up to date at `now`: newest point release, fresh XProtect."""
    snap = snapshot_from_folder(FIXTURES / "macos26_tahoe", "darwin", captured_at=stamp(now))
    latest = max((r for r in rules.macos_releases if r["version"].startswith("26.")),
                 key=lambda r: Version(r["version"]))
    p = snap["probes"]
    p["mac.sw_vers"]["value"] = p["mac.sw_vers"]["value"].replace("26.3", latest["version"])
    p["mac.xprotect"]["value"]["modified"] = stamp(now - timedelta(days=2))
    return snap


def failing_snapshot(rules, now: datetime) -> dict:
    """The same machine with its application firewall off."""
    snap = passing_snapshot(rules, now)
    folder = FIXTURES / "macos15_7_4_sequoia" / "probes"
    snap["probes"]["mac.alf"] = {"value": (folder / "mac.alf.txt").read_text(encoding="utf-8"), "error": None}
    return snap


_REPORT_CACHE: dict = {}


def checker_report(rules, snapshot: dict, now: datetime, seeker_no: str | None) -> dict:
    """An unsigned report made by envcheck.pipeline.run_check on a replayed snapshot."""
    from envcheck.pipeline import run_check
    from envcheck.probes import ReplayHost, parse_snapshot

    key = (json.dumps(snapshot, sort_keys=True), stamp(now), seeker_no)
    if key not in _REPORT_CACHE:
        # replayed=False: these stand for reports made live on the machine the fixture was captured on
        _REPORT_CACHE[key] = run_check(ReplayHost(parse_snapshot(json.dumps(snapshot))), rules, now=now,
                                       seeker_no=seeker_no, replayed=False).report
    report = copy.deepcopy(_REPORT_CACHE[key])
    import uuid

    report["report_id"] = str(uuid.uuid4())
    return report


class Maker:
    """Makes signed reports: `maker.passing("01234-00000001")`, `maker.failing(...)`, `maker.sign(doc)`."""

    def __init__(self, rules, key: Ed25519PrivateKey | None = None):
        self.rules = rules
        self.key = key or Ed25519PrivateKey.generate()

    def now(self) -> datetime:
        return datetime.now(timezone.utc).replace(microsecond=0)

    def sign(self, doc: dict, key: Ed25519PrivateKey | None = None, enrol: str | None = None) -> dict:
        from envcheck.report.signing import sign_report

        return sign_report({**doc, "enrolment_code": enrol} if enrol else doc, key or self.key)

    def unsigned(self, seeker_no: str | None = "01234-00000001", passing: bool = True,
                 when: datetime | None = None) -> dict:
        now = when or self.now()
        snap = (passing_snapshot if passing else failing_snapshot)(self.rules, now)
        return checker_report(self.rules, snap, now, seeker_no)

    def passing(self, seeker_no: str | None = "01234-00000001", key=None, when=None, enrol=None) -> dict:
        return self.sign(self.unsigned(seeker_no, True, when), key, enrol)

    def failing(self, seeker_no: str | None = "01234-00000001", key=None, when=None, enrol=None) -> dict:
        return self.sign(self.unsigned(seeker_no, False, when), key, enrol)


# ---------------------------------------------------------------- PostgreSQL, started for real

def pg_bindir() -> str | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    if found:
        return os.path.dirname(found[-1])
    initdb = shutil.which("initdb")
    return os.path.dirname(initdb) if initdb else None


class Postgres:
    """A throw-away PostgreSQL cluster: initdb into a temp dir, a free port on 127.0.0.1,
    its unix socket in the same temp dir. Runs as the `postgres` user when we are root."""

    def __init__(self):
        self.bindir = pg_bindir()
        self.dir = tempfile.mkdtemp(prefix="envcheck-pg-")
        self.data = os.path.join(self.dir, "data")
        self.port = free_port()
        self.as_user: list[str] = []
        if os.geteuid() == 0:
            import pwd

            pw = pwd.getpwnam("postgres")
            os.chown(self.dir, pw.pw_uid, pw.pw_gid)
            self.as_user = ["runuser", "-u", "postgres", "--"]
        self._run("initdb", "-D", self.data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8")
        self.start()
        self.databases = 0

    def _run(self, tool: str, *args: str, check: bool = True):
        return subprocess.run([*self.as_user, os.path.join(self.bindir, tool), *args], capture_output=True,
                              text=True, timeout=120, check=check, cwd=self.dir)

    def start(self) -> None:
        opts = (f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off "
                f"-c max_connections=200 -c shared_buffers=128MB")
        self._run("pg_ctl", "-D", self.data, "-o", opts, "-l", os.path.join(self.dir, "log"), "-w", "start")

    def stop(self) -> None:
        self._run("pg_ctl", "-D", self.data, "-m", "fast", "-w", "stop", check=False)

    def url(self, db: str) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{db}"

    def new_database(self, template: str | None = None) -> str:
        """An empty database, or a copy of database `template` (CREATE DATABASE … TEMPLATE: a file copy
        inside the cluster, far quicker than building the same rows again)."""
        import psycopg

        with MAKING:
            self.databases += 1
            name = f"envcheck{self.databases}"
        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {name}" + (f" TEMPLATE {template}" if template else ""))
        return self.url(name)

    def destroy(self) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


_PG: list = []
# Held while a shared part (the cluster, a template) is made: the session may be making it in the
# background (warm_up) when a test first asks for it, and then the test waits for that one.
MAKING = threading.RLock()


def postgres() -> Postgres:
    """One cluster for the whole test run (stopped at exit)."""
    with MAKING:
        if not _PG:
            pg = Postgres()
            atexit.register(pg.destroy)
            _PG.append(pg)
        return _PG[0]


def database_url(kind: str, folder) -> str:
    """A fresh empty database: a SQLite file in `folder`, or a new database in the test run's PostgreSQL
    (the test is skipped where PostgreSQL is not installed)."""
    if kind == "sqlite":
        return f"sqlite:///{folder}/m.sqlite3"
    if pg_bindir() is None:
        import pytest

        pytest.skip("PostgreSQL binaries (initdb, pg_ctl) are not installed: apt-get install postgresql")
    return postgres().new_database()


def downgrade(engine, revision: str) -> None:
    from alembic import command

    from envcheck.server.migrate import alembic_config

    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, revision)


# ---------------------------------------------------------------- the service as a subprocess

def server_env(home: str, database_url: str | None = None, **extra: str) -> dict:
    from conftest import current_rules_dir

    # The service judges with current rules, as an office that publishes updates does.
    env = {**os.environ, "ENVCHECK_SERVER_HOME": home, "ENVCHECK_SERVER_RULES": current_rules_dir(), **extra}
    env.pop("ENVCHECK_DATABASE_URL", None)
    if database_url:
        env["ENVCHECK_DATABASE_URL"] = database_url
    return env


def server_cli(env: dict, *args: str, input: str | None = None):
    return subprocess.run([str(BIN / "envcheck-server"), *args], capture_output=True, text=True, env=env,
                          input=input, timeout=120)


_SQLITE_TEMPLATE: dict[str, object] = {}
_PREPARE = ((("init",), None),
            (("add-user", "counselor1", "--role", "counselor"), "correct horse battery"),
            (("add-user", "support1", "--role", "support"), "correct horse battery"),
            (("add-user", "admin1", "--role", "admin"), "correct horse battery"))


def _prepare(env: dict) -> str:
    """`envcheck-server init`, a user per role and a booking token, as an office does: the real commands."""
    for args, stdin in _PREPARE:
        done = server_cli(env, *args, input=stdin)
        assert done.returncode == 0, done.stderr
    done = server_cli(env, "add-token", "booking")
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def _template_home(database_url: str | None = None) -> tuple[str, str]:
    """(a home made by _prepare in a fresh folder, its booking token)."""
    tmpl = tempfile.mkdtemp(prefix="envcheck-srv-template-")
    atexit.register(shutil.rmtree, tmpl, True)
    return tmpl, _prepare(server_env(tmpl, database_url))


def prepared_sqlite_home(home: str) -> str:
    """A SQLite home made by _prepare once per test run, copied (modes kept: owner-only key and
    secret) into each new home; returns the booking token. Saves ~4.5 s of CLI start-ups per Server."""
    _sqlite_template()
    shutil.copytree(_SQLITE_TEMPLATE["dir"], home, dirs_exist_ok=True)
    return str(_SQLITE_TEMPLATE["token"])


def run_process(env: dict, port: int, log, *args: str) -> subprocess.Popen:
    """`envcheck-server run` on 127.0.0.1:`port` (another process on the same database: the same `env`)."""
    return subprocess.Popen([str(BIN / "envcheck-server"), "run", "--host", "127.0.0.1", "--port", str(port), *args],
                            env=env, stdout=log, stderr=subprocess.STDOUT)


def _sqlite_template() -> None:
    with MAKING:
        if not _SQLITE_TEMPLATE:
            _SQLITE_TEMPLATE["dir"], _SQLITE_TEMPLATE["token"] = _template_home()


_PG_TEMPLATE: dict[str, str] = {}
_PG_PREPARED: set[str] = set()


def prepared_postgres() -> str:
    """A new PostgreSQL database as _prepare leaves it (schema, a user per role, a booking token), cloned
    from one template database prepared once per test run; Server(home, url) copies the matching home
    (server key, session secret). Saves the ~5 s of CLI start-ups _prepare costs per PostgreSQL Server."""
    _pg_template()
    url = postgres().new_database(template=_PG_TEMPLATE["db"])
    _PG_PREPARED.add(url)
    return url


def _pg_template() -> None:
    with MAKING:
        if not _PG_TEMPLATE:
            url = postgres().new_database()
            home, token = _template_home(url)
            _PG_TEMPLATE.update(db=url.rsplit("/", 1)[1], home=home, token=token)


def warm_up(sqlite: bool, postgresql: bool) -> None:
    """Make the SQLite home template and the PostgreSQL cluster and template database in a background
    thread (tests/conftest.py calls this once the session knows it will need them): ~10 s of waiting
    on initdb and `envcheck-server` start-ups that the first tests would otherwise wait for."""

    def make() -> None:
        if sqlite:
            _sqlite_template()
        if postgresql and pg_bindir() is not None:
            _pg_template()

    thread = threading.Thread(target=make, name="server-fixtures-warm-up", daemon=True)
    thread.start()
    _WARMING.append(thread)


_WARMING: list[threading.Thread] = []


def warmed_up() -> None:
    """Wait for warm_up (at the session's end: a cluster it is still starting is then stopped at exit)."""
    for thread in _WARMING:
        thread.join(timeout=300)


def _prepared_home(home: str, database_url: str | None, env: dict) -> str:
    """Make `home` ready for `envcheck-server run` on `database_url`; returns the booking token."""
    if database_url is None:
        return prepared_sqlite_home(home)
    if database_url in _PG_PREPARED:
        shutil.copytree(_PG_TEMPLATE["home"], home, dirs_exist_ok=True)
        return _PG_TEMPLATE["token"]
    return _prepare(env)


class Server:
    """`envcheck-server init`, a user per role, a booking token, then `envcheck-server run` on loopback."""

    PASSWORD = "correct horse battery"

    def __init__(self, home: str, database_url: str | None = None, workers: int = 1,
                 run_args: tuple[str, ...] = (), **extra: str):
        self.home = home
        # The tests post hundreds of reports from 127.0.0.1: quotas have their own test (test_server_quota.py).
        extra = {"ENVCHECK_RATE_PER_ADDRESS": "1000000", "ENVCHECK_RATE_PER_SEEKER": "1000000", **extra}
        self.env = server_env(home, database_url, **extra)
        self.database_url = database_url or f"sqlite:///{home}/envcheck-server.sqlite3"
        self.token = _prepared_home(home, database_url, self.env)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = open(os.path.join(home, "server.log"), "wb")
        self.proc = run_process(self.env, self.port, self.log, "--workers", str(workers), *run_args)
        self.wait_up()

    def wait_up(self, timeout: float = 30) -> None:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.proc.poll() is not None:
                raise RuntimeError(f"envcheck-server exited: {Path(self.home, 'server.log').read_text()[-2000:]}")
            try:
                if requests.get(self.url + "/healthz", timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.1)
        raise RuntimeError("envcheck-server did not answer /healthz in time")

    def post(self, doc, **kw) -> requests.Response:
        data = doc if isinstance(doc, (bytes, str)) else json.dumps(doc, ensure_ascii=False).encode("utf-8")
        return requests.post(self.url + "/api/v1/reports", data=data,
                             headers={"Content-Type": "application/json"}, timeout=30, **kw)

    def enrol(self, seeker_no: str) -> str:
        """A one-time enrolment code from `envcheck-server enrol` (as the office prints it)."""
        done = server_cli(self.env, "enrol", seeker_no)
        assert done.returncode == 0, done.stderr
        return done.stdout.strip()

    def eligibility(self, seeker_no: str, token: str | None = None) -> requests.Response:
        return requests.get(f"{self.url}/api/v1/eligibility/{seeker_no}", timeout=30,
                            headers={"Authorization": f"Bearer {token or self.token}"})

    def engine(self):
        from envcheck.server.db import make_engine

        return make_engine(self.database_url, timeout=5)

    def counts(self) -> dict[str, int]:
        """Rows per table, read straight from the database."""
        from sqlalchemy import text

        eng = self.engine()
        try:
            with eng.connect() as conn:
                return {t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one()
                        for t in ("reports", "device_keys")}
        finally:
            eng.dispose()

    def stop(self) -> None:
        stop_process(self.proc, 15)
        self.log.close()
