"""The database locked or gone: 503 with a reason, nothing half-written, service back afterwards."""

from __future__ import annotations

import sqlite3

import pytest
import requests

from server_fixtures import Maker, Server, pg_bindir, postgres, prepared_postgres


@pytest.fixture(scope="module")
def maker(rules):
    return Maker(rules)


def test_sqlite_locked_gives_503_and_writes_nothing(tmp_path, maker):
    srv = Server(str(tmp_path), ENVCHECK_DB_TIMEOUT_SECONDS="1")
    try:
        before = srv.counts()
        lock = sqlite3.connect(srv.database_url.split("///", 1)[1], isolation_level=None)
        lock.execute("BEGIN EXCLUSIVE")
        lock.execute("INSERT INTO audit_log (at, actor, role, action, target, ip, detail) "
                     "VALUES ('2026-01-01 00:00:00', 'test', '-', 'lock', '-', '-', '')")
        try:
            doc = maker.passing("01234-00000077")
            r = srv.post(doc)
            assert r.status_code == 503, r.text
            assert "locked" in r.json()["error"] and r.headers["retry-after"]
            assert requests.get(srv.url + "/healthz", timeout=10).status_code == 503
        finally:
            lock.execute("ROLLBACK")
            lock.close()
        assert srv.counts() == before
        assert srv.post(doc).status_code == 201  # the client's retry succeeds once the lock is gone
        assert srv.counts()["reports"] == before["reports"] + 1
    finally:
        srv.stop()


def test_postgresql_stopped_gives_503_and_recovers_when_it_is_back(tmp_path, maker):
    if pg_bindir() is None:
        pytest.skip("PostgreSQL binaries (initdb, pg_ctl) are not installed: apt-get install postgresql")
    pg = postgres()
    srv = Server(str(tmp_path), prepared_postgres(), ENVCHECK_DB_TIMEOUT_SECONDS="2")
    try:
        assert srv.post(maker.passing("01234-00000078")).status_code == 201
        before = srv.counts()
        doc = maker.passing("01234-00000079")
        pg.stop()
        try:
            r = srv.post(doc)
            assert r.status_code == 503, r.text
            assert "unavailable" in r.json()["error"]
            assert requests.get(srv.url + "/healthz", timeout=10).status_code == 503
            page = requests.get(srv.url + "/reports", timeout=10, allow_redirects=False,
                                cookies={"envcheck_session": "s" * 43})  # a session must be looked up
            assert page.status_code == 503
        finally:
            pg.start()
        assert srv.counts() == before
        assert srv.post(doc).status_code == 201
        assert srv.counts()["reports"] == before["reports"] + 1
    finally:
        srv.stop()
