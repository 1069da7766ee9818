"""The total-storage bound holds across service processes (issue 15): two `envcheck-server run` processes
on one database, SQLite and PostgreSQL, uploads raced at both; exactly the bound is stored, the rest get
507 as JSON with the security headers, and the store_totals row matches the reports table."""

from __future__ import annotations

import json
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from sqlalchemy import text

from server_fixtures import Maker, Server, free_port, pg_bindir, prepared_postgres, run_process, stop_process


def _totals(srv: Server) -> tuple[tuple[int, int], tuple[int, int]]:
    """(store_totals row, what the reports table says) straight from the database."""
    eng = srv.engine()
    try:
        with eng.connect() as conn:
            row = conn.execute(text("SELECT reports, bytes FROM store_totals WHERE id = 1")).one()
            real = conn.execute(text("SELECT count(*), coalesce(sum(length(body)), 0) FROM reports")).one()
        return (int(row[0]), int(row[1])), (int(real[0]), int(real[1]))
    finally:
        eng.dispose()


def _second_process(srv: Server) -> tuple[object, str]:
    port = free_port()
    log = open(os.path.join(srv.home, "second.log"), "wb")
    proc = run_process(srv.env, port, log)
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            if requests.get(url + "/healthz", timeout=2).status_code == 200:
                return proc, url
        except requests.RequestException:
            time.sleep(0.1)
    stop_process(proc, 10)
    raise RuntimeError("the second envcheck-server process did not answer /healthz")


def _race(urls: list[str], bodies: list[bytes]) -> list[requests.Response]:
    start = threading.Barrier(len(bodies))

    def post(i: int) -> requests.Response:
        start.wait()
        return requests.post(urls[i % len(urls)] + "/api/v1/reports", data=bodies[i], timeout=60,
                             headers={"Content-Type": "application/json"})

    with ThreadPoolExecutor(len(bodies)) as pool:
        return list(pool.map(post, range(len(bodies))))


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_the_storage_bound_holds_across_two_processes(tmp_path, rules, kind):
    url = None
    if kind == "postgresql":
        if pg_bindir() is None:
            pytest.skip("PostgreSQL binaries (initdb, pg_ctl) are not installed: apt-get install postgresql")
        url = prepared_postgres()  # cloned from the run's prepared template: no `init` and CLI runs of its own
    srv = Server(str(tmp_path / "srv"), url, ENVCHECK_MAX_STORED_REPORTS="7")
    proc, other = _second_process(srv)
    try:
        maker = Maker(rules)
        bodies = [json.dumps(maker.passing(f"01234-{700 + i:08d}")).encode() for i in range(20)]
        got = _race([srv.url, other], bodies)
        codes = sorted(r.status_code for r in got)
        assert codes == [201] * 7 + [507] * 13, codes
        full = next(r for r in got if r.status_code == 507)
        assert full.headers["content-type"] == "application/json"
        assert "storage is full" in full.json()["error"] and full.json()["code"] == "store_full"
        assert full.headers["x-content-type-options"] == "nosniff"
        assert "default-src 'none'" in full.headers["content-security-policy"]
        assert full.headers["retry-after"].isdigit()
        row, real = _totals(srv)
        assert row == real and row[0] == 7
        # a report stored before is still answered (200, its receipt): a re-send takes no room
        stored = next(b for b, r in zip(bodies, got, strict=True) if r.status_code == 201)
        again = requests.post(other + "/api/v1/reports", data=stored, timeout=30)
        assert again.status_code in (200, 507)  # 507 when this process saw the store full a moment ago
    finally:
        stop_process(proc, 15)
        srv.stop()


def test_the_byte_bound_and_the_purge_keep_the_totals(tmp_path, rules):
    maker = Maker(rules)
    bodies = [json.dumps(maker.passing(f"01234-{800 + i:08d}")).encode() for i in range(6)]
    limit = sum(len(b) for b in bodies[:3]) + len(bodies[3]) // 2  # room for three and a half reports
    srv = Server(str(tmp_path / "srv"), ENVCHECK_MAX_STORED_BYTES=str(limit))
    proc, other = _second_process(srv)
    try:
        got = [requests.post((srv.url, other)[i % 2] + "/api/v1/reports", data=b, timeout=30).status_code
               for i, b in enumerate(bodies)]
        assert got == [201, 201, 201, 507, 507, 507]
        row, real = _totals(srv)
        assert row == real == (3, sum(len(b) for b in bodies[:3]))
    finally:
        stop_process(proc, 15)
        srv.stop()
    eng = srv.engine()
    with eng.begin() as conn:  # as if received long ago: the retention purge takes them off the totals
        conn.execute(text("UPDATE reports SET received_at = '2020-01-01 00:00:00.000000'"))
    eng.dispose()
    from envcheck.server.db import Store, make_engine, utcnow
    from envcheck.server.intake import purge

    store = Store(make_engine(srv.database_url))
    try:
        assert purge(store, 180, utcnow())["reports"] == 3
    finally:
        store.engine.dispose()
    assert _totals(srv) == ((0, 0), (0, 0))


def test_sqlite_writers_of_two_processes_queue_on_the_lock_file(tmp_path):
    """Another process holding the lock file (as a storing transaction does) makes this one wait for it,
    then go on at once: no 'database is locked', no busy-handler sleeping."""
    import subprocess
    import sys

    from envcheck.server.db import Store, make_engine
    from envcheck.server.migrate import upgrade

    db = tmp_path / "s.sqlite3"
    store = Store(make_engine(f"sqlite:///{db}"))
    upgrade(store.engine)
    holder = subprocess.Popen([sys.executable, "-c", (
        "import fcntl, os, sys, time\n"
        f"fd = os.open({str(db) + '.lock'!r}, os.O_RDWR | os.O_CREAT, 0o600)\n"
        "fcntl.flock(fd, fcntl.LOCK_EX); print('held', flush=True); time.sleep(1.5)\n")],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        start = time.monotonic()
        with store.tx() as s:
            s.execute(text("UPDATE store_totals SET reports = reports WHERE id = 1"))
        waited = time.monotonic() - start
        assert 1.0 < waited < 4.0, waited  # it waited for the other process, and no longer
    finally:
        stop_process(holder, 10)
        store.engine.dispose()
