"""Quotas and storage bounds on the anonymous endpoints, counted in the database (two service
processes on PostgreSQL agree), and the retention purge running by itself."""

from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
import requests
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from server_fixtures import Maker, Server, pg_bindir, prepared_postgres, server_cli, server_env


def _db(kind: str) -> str | None:
    if kind == "sqlite":
        return None
    if pg_bindir() is None:
        pytest.skip("PostgreSQL binaries (initdb, pg_ctl) are not installed: apt-get install postgresql")
    return prepared_postgres()


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_per_address_quota_is_exact_across_two_processes(tmp_path, rules, kind):
    srv = Server(str(tmp_path / "srv"), _db(kind), workers=2, ENVCHECK_RATE_PER_ADDRESS="8")
    try:
        maker = Maker(rules)
        docs = [maker.passing(f"01234-{300 + i:08d}") for i in range(16)]
        with ThreadPoolExecutor(16) as pool:
            answers = list(pool.map(srv.post, docs))
        codes = sorted(a.status_code for a in answers)
        assert codes == [201] * 8 + [429] * 8, codes
        refused = next(a for a in answers if a.status_code == 429)
        assert 0 < int(refused.headers["retry-after"]) <= 3600 and "address" in refused.json()["error"]
        assert srv.counts()["reports"] == 8
    finally:
        srv.stop()


def test_per_seeker_quota_keeps_the_enrolled_device_s_allowance_from_strangers(tmp_path, rules):
    srv = Server(str(tmp_path / "srv"), ENVCHECK_RATE_PER_SEEKER="3")
    try:
        maker = Maker(rules)
        n = "01234-00000321"
        mine = Ed25519PrivateKey.generate()
        assert srv.post(maker.passing(n, key=mine, enrol=srv.enrol(n))).status_code == 201
        stranger = [srv.post(maker.passing(n, key=Ed25519PrivateKey.generate())).status_code for _ in range(5)]
        assert stranger == [201, 201, 201, 429, 429]
        assert [srv.post(maker.passing(n, key=mine)).status_code for _ in range(3)] == [201, 201, 429]
    finally:
        srv.stop()


def test_storage_is_bounded_per_seeker_and_in_total(tmp_path, rules):
    srv = Server(str(tmp_path / "srv"), ENVCHECK_MAX_REPORTS_PER_SEEKER="3", ENVCHECK_MAX_STORED_REPORTS="6")
    try:
        maker = Maker(rules)
        start = maker.now()
        docs = [maker.passing("01234-00000322", when=start - timedelta(minutes=10 - i)) for i in range(5)]
        for d in docs:
            assert srv.post(d).status_code == 201
        from sqlalchemy import text

        eng = srv.engine()
        with eng.connect() as conn:
            kept = {r[0] for r in conn.execute(text("SELECT report_id FROM reports"))}
        eng.dispose()
        assert kept == {d["report_id"] for d in docs[2:]}  # the newest three
        assert [srv.post(maker.passing(f"01234-{400 + i:08d}")).status_code for i in range(4)] == [201, 201, 201, 507]
    finally:
        srv.stop()


def test_speedtest_is_rationed_per_address(tmp_path):
    srv = Server(str(tmp_path / "srv"))
    try:
        got = [requests.get(srv.url + "/api/v1/speedtest", params={"bytes": 8 * 2 ** 20}, timeout=30).status_code
               for _ in range(17)]
        assert got == [200] * 16 + [429]  # 128 MiB an hour per address
    finally:
        srv.stop()


def test_the_retention_purge_runs_on_its_own(tmp_path, rules):
    from envcheck.server.db import Store, make_engine
    from envcheck.server.intake import check_upload, store_report

    home = str(tmp_path / "srv")
    env = server_env(home)
    assert server_cli(env, "init").returncode == 0
    maker = Maker(rules)
    old = maker.now() - timedelta(days=200)
    store = Store(make_engine(f"sqlite:///{home}/envcheck-server.sqlite3"))
    doc = maker.passing("01234-00000323", when=old)
    c = check_upload(json.dumps(doc).encode(), rules, old, timedelta(days=7), timedelta(minutes=5))
    store_report(store, c, rules, Ed25519PrivateKey.generate(), old)
    store.engine.dispose()
    srv = Server(home, ENVCHECK_PURGE_EVERY_MINUTES="1")
    try:
        for _ in range(100):
            if srv.counts()["reports"] == 0:
                break
            time.sleep(0.1)
        assert srv.counts()["reports"] == 0
    finally:
        srv.stop()
