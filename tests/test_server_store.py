"""The store in-process on SQLite and a real PostgreSQL: migrations, eligibility over time, purge;
plus settings, the OpenAPI copy in docs/, and the envcheck-server command line."""

from __future__ import annotations

import json
import os
import stat
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from server_fixtures import Maker, pg_bindir, postgres, prepared_sqlite_home, server_cli, server_env

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path):
    from envcheck.server.db import Store, make_engine
    from envcheck.server.migrate import upgrade

    if request.param == "postgresql":
        if pg_bindir() is None:
            pytest.skip("PostgreSQL binaries (initdb, pg_ctl) are not installed: apt-get install postgresql")
        url = postgres().new_database()
    else:
        url = f"sqlite:///{tmp_path}/store.sqlite3"
    s = Store(make_engine(url))
    upgrade(s.engine)
    yield s
    s.engine.dispose()


@pytest.fixture(scope="module")
def maker(rules):
    return Maker(rules)


def _enrol(store, seeker_no: str) -> str:
    from envcheck.server.db import utcnow
    from envcheck.server.enrol import issue

    with store.tx() as s:
        return issue(s, seeker_no, "test", "admin", "-", utcnow())[0]


def _ingest(store, maker, rules, doc, now=None):
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from envcheck.server.intake import check_upload, store_report

    now = now or maker.now()
    c = check_upload(json.dumps(doc).encode(), rules, now, timedelta(days=7), timedelta(minutes=5))
    return store_report(store, c, rules, Ed25519PrivateKey.generate(), now)


def test_migrations_are_idempotent_and_match_the_models(store):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from envcheck.server.db import Base
    from envcheck.server.migrate import current, upgrade



    upgrade(store.engine)  # second run: nothing to do
    from envcheck.server.migrate import head

    assert current(store.engine) == head()
    with store.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
    assert diff == []


def test_eligibility_expires_after_the_rules_validity(store, maker, rules):
    from envcheck.server.intake import eligibility

    doc = maker.passing("01234-00000042", enrol=_enrol(store, "01234-00000042"))
    assert _ingest(store, maker, rules, doc).status == 201
    now = maker.now()
    with store.tx() as s:
        assert eligibility(s, "01234-00000042", rules, now).eligible is True
        late = eligibility(s, "01234-00000042", rules, now + timedelta(days=rules.report_valid_days, seconds=1))
    assert late.eligible is False and "expired" in late.reason and late.report_id == doc["report_id"]


def test_purge_deletes_reports_past_retention_only(store, maker, rules):
    from envcheck.server.db import Report
    from envcheck.server.intake import purge

    old = maker.passing("01234-00000043")
    new = maker.passing("01234-00000044")
    _ingest(store, maker, rules, old)
    _ingest(store, maker, rules, new)
    with store.tx() as s:
        s.query(Report).filter(Report.report_id == old["report_id"]).update(
            {Report.received_at: maker.now() - timedelta(days=200)})
    counts = purge(store, 180, maker.now())
    assert counts["reports"] == 1
    with store.tx() as s:
        left = s.scalars(select(Report.report_id)).all()
    assert left == [new["report_id"]]


def test_a_failed_transaction_leaves_nothing_behind(store, maker, rules):
    from envcheck.server.db import DeviceKey, Report

    doc = maker.passing("01234-00000045")
    with pytest.raises(RuntimeError), store.tx() as s:
        s.add(DeviceKey(seeker_no="01234-00000045", key_id="0" * 16, public_key="x", pinned=True,
                        first_seen=maker.now(), last_seen=maker.now(), first_report_id=doc["report_id"]))
        s.flush()
        raise RuntimeError("crash between the key and the report")
    with store.tx() as s:
        assert s.scalar(select(func.count()).select_from(DeviceKey)) == 0
        assert s.scalar(select(func.count()).select_from(Report)) == 0


# ---------------------------------------------------------------- settings and OpenAPI

def test_settings_come_from_the_environment_and_hide_secrets(tmp_path):
    from envcheck.server.settings import Settings, SettingsError

    env = {"ENVCHECK_SERVER_HOME": str(tmp_path), "ENVCHECK_DATABASE_URL": "postgresql://u:hunter2@db/x",
           "ENVCHECK_RETENTION_DAYS": "30"}
    s = Settings.from_env(env)
    assert s.retention_days == 30 and s.max_report_bytes == 256 * 1024
    secret_file = tmp_path / "session_secret"
    assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600
    assert s.session_secret.reveal() == secret_file.read_text().strip()
    assert "hunter2" not in repr(s) and s.session_secret.reveal() not in repr(s)
    assert Settings.from_env(env).session_secret == s.session_secret  # kept, not regenerated
    for bad in ({"ENVCHECK_RETENTION_DAYS": "soon"}, {"ENVCHECK_CLOCK_SKEW_SECONDS": "-1"},
                {"ENVCHECK_DATABASE_URL": "mysql://x"}, {"ENVCHECK_SESSION_SECRET": "short"}):
        with pytest.raises(SettingsError):
            Settings.from_env({**env, **bad})


def test_docs_openapi_json_is_current():
    from envcheck.server.app import openapi_document

    kept = json.loads((ROOT / "docs" / "openapi.json").read_text(encoding="utf-8"))
    assert kept == openapi_document(), "regenerate: .venv/bin/envcheck-server openapi > docs/openapi.json"
    assert {"/api/v1/reports", "/api/v1/eligibility/{seeker_no}", "/api/v1/rules/metadata/{name}",
            "/api/v1/rules/targets/{name}", "/healthz",
            "/api/v1/speedtest"} <= set(kept["paths"])


def test_the_desktop_checker_never_imports_the_server():
    import subprocess
    import sys

    code = ("import sys, envcheck.cli, envcheck.pipeline, envcheck.report.signing; "
            "print([m for m in sys.modules if m.startswith(('envcheck.server', 'fastapi', 'sqlalchemy'))])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "[]", out.stderr


# ---------------------------------------------------------------- the command line

def test_init_makes_owner_only_files_and_is_repeatable(tmp_path):
    env = server_env(str(tmp_path / "home"))
    first = server_cli(env, "init")
    assert first.returncode == 0, first.stderr
    home = tmp_path / "home"
    assert stat.S_IMODE(home.stat().st_mode) == 0o700
    for name in ("server_key.pem", "session_secret", "envcheck-server.sqlite3"):
        assert stat.S_IMODE((home / name).stat().st_mode) == 0o600, name
    key = (home / "server_key.pem").read_bytes()
    again = server_cli(env, "init")
    assert again.returncode == 0 and "kept" in again.stdout
    assert (home / "server_key.pem").read_bytes() == key
    up = server_cli(env, "upgrade")
    from envcheck.server.migrate import head

    assert up.returncode == 0 and f"revision {head()}" in up.stdout


@pytest.mark.parametrize("args, stdin, words", [
    (("add-user", "eve", "--role", "boss"), "long enough password", "invalid choice"),
    (("add-user", "eve", "--role", "admin"), "short", "at least 10"),
    (("add-user", "e/v", "--role", "admin"), "long enough password", "a name may have"),
    (("run", "--port", "99999"), None, "port"),
    (("frobnicate",), None, "invalid choice"),
    (("purge", "--days", "0"), None, "at least 1"),
])
def test_bad_input_is_one_line_and_exit_2(tmp_path, args, stdin, words):
    env = server_env(str(tmp_path))
    prepared_sqlite_home(str(tmp_path))  # an office's home after `init` (copied, not made again: ~0.6 s each)
    done = server_cli(env, *args, input=stdin)
    assert done.returncode == 2 and words in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr


def test_run_without_init_says_what_to_do(tmp_path):
    done = server_cli(server_env(str(tmp_path)), "run", "--port", "1")
    assert done.returncode == 2 and "envcheck-server init" in done.stderr


def test_users_and_tokens(tmp_path):
    env = server_env(str(tmp_path))
    assert server_cli(env, "init").returncode == 0
    assert server_cli(env, "add-user", "c1", "--role", "counselor", input="long enough password\n").returncode == 0
    dup = server_cli(env, "add-user", "c1", "--role", "admin", input="long enough password\n")
    assert dup.returncode == 2 and "exists" in dup.stderr
    assert server_cli(env, "add-user", "c1", "--role", "admin", "--update", input="another password!\n").returncode == 0
    token = server_cli(env, "add-token", "booking")
    assert token.returncode == 0 and len(token.stdout.strip()) >= 40 and "only this once" in token.stderr
    assert server_cli(env, "add-token", "booking").returncode == 2
    from sqlalchemy import create_engine, text

    eng = create_engine(f"sqlite:///{tmp_path}/envcheck-server.sqlite3")
    with eng.connect() as conn:
        stored = conn.execute(text("SELECT token_hash FROM api_tokens")).scalar_one()
        role, pw = conn.execute(text("SELECT role, password_hash FROM users WHERE name='c1'")).one()
    eng.dispose()
    assert token.stdout.strip() not in stored and role == "admin" and pw.startswith("scrypt$")
    purge = server_cli(env, "purge")
    assert purge.returncode == 0 and "0 reports" in purge.stdout
    assert os.path.exists(tmp_path / "envcheck-server.sqlite3")
