"""Budget (issue 6): the report list page with 100,000 reports stored. Aim: median under 150 ms.
Issue 17 adds the per-seeker first screen (/seekers: the latest report of each seeker, with
eligibility), its filters, a search by receipt number and a seeker's page, under the same budget.

Run: .venv/bin/python bench/report_list.py [--rows 100000] [--backend sqlite|postgresql]

Rows are bulk-inserted straight into a freshly migrated database (each with a real 5 KB report
body), then a real `envcheck-server run` serves /reports to a logged-in counselor: the first
page, a verdict filter, a seeker filter and a deep keyset page, 20 requests each.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import statistics
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

import requests
from sqlalchemy import insert

from envcheck.ruleset.loader import load_rules
from envcheck.server.db import Report, Store, make_engine, utcnow
from envcheck.server.migrate import upgrade
from server_fixtures import Maker, Server, pg_bindir, postgres


def fill(url: str, n: int) -> tuple[str, str]:
    """Insert n reports; return a seeker number that has some and a receipt number."""
    maker = Maker(load_rules())
    body = json.dumps(maker.passing()).encode()
    store = Store(make_engine(url))
    upgrade(store.engine)
    now = utcnow()
    rnd = random.Random(6)
    verdicts = ["pass"] * 6 + ["fail"] * 3 + ["incomplete"]
    statuses = json.dumps({"os.supported": "pass"})
    batch = []
    some_seeker = ""
    t = time.perf_counter()
    for i in range(n):
        v = rnd.choice(verdicts)
        at = now - timedelta(seconds=i * 30)
        batch.append({"report_id": str(uuid.UUID(int=rnd.getrandbits(128), version=4)),
                      "seeker_no": f"{rnd.randrange(10000, 10100):05d}-{rnd.randrange(1, 30000):08d}",
                      "created_at": at - timedelta(minutes=3), "received_at": at, "platform": "windows",
                      "checker_version": "0.1.0", "rules_version": "2026.11.24", "key_id": "0123456789abcdef",
                      "claimed_verdict": v, "verdict": v, "judged_rules_version": "2026.11.24",
                      "claimed_statuses": statuses, "statuses": statuses, "mismatch": i % 97 == 0,
                      "new_device_key": i % 89 == 0, "sha256": "0" * 64, "body": body, "receipt": "{}",
                      "receipt_no": f"{i:012X}"[:4] + "-" + f"{i:012X}"[4:8] + "-" + f"{i:012X}"[8:]})
        some_seeker = some_seeker or batch[0]["seeker_no"]
        if len(batch) == 5000 or i == n - 1:
            with store.tx() as s:
                s.execute(insert(Report), batch)
            batch = []
    print(f"inserted {n} reports in {time.perf_counter() - t:.1f} s")
    store.engine.dispose()
    return some_seeker, f"{n // 2:012X}"[:4] + "-" + f"{n // 2:012X}"[4:8] + "-" + f"{n // 2:012X}"[8:]


def login(srv: Server) -> requests.Session:
    s = requests.Session()
    csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', s.get(srv.url + "/login", timeout=10).text).group(1)
    r = s.post(srv.url + "/login", data={"username": "counselor1", "password": Server.PASSWORD, "csrf": csrf},
               timeout=10, allow_redirects=False)
    assert r.status_code == 303, r.status_code
    return s


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--rows", type=int, default=100_000)
    p.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    a = p.parse_args()
    home = tempfile.mkdtemp(prefix="envcheck-bench-list-")
    if a.backend == "postgresql":
        if pg_bindir() is None:
            sys.exit("postgresql: initdb/pg_ctl not installed (apt-get install postgresql)")
        url = postgres().new_database()
    else:
        url = f"sqlite:///{home}/envcheck-server.sqlite3"
    seeker, receipt = fill(url, a.rows)
    srv = Server(home, url if a.backend == "postgresql" else None)
    try:
        s = login(srv)
        first = s.get(srv.url + "/reports", timeout=10)
        deep = re.search(r'href="(/reports\?[^"]*before=[^"]+)"', first.text).group(1).replace("&amp;", "&")
        for _ in range(40):  # follow "next" 40 pages deep
            page = s.get(srv.url + deep, timeout=10)
            deep = re.search(r'href="(/reports\?[^"]*before=[^"]+)"', page.text).group(1).replace("&amp;", "&")
        cases = {"first page": "/reports", "verdict=fail": "/reports?verdict=fail",
                 "seeker filter": f"/reports?seeker={seeker}",
                 "date range + verdict": "/reports?verdict=incomplete&from=2026-01-01&to=2099-12-31",
                 "page 41 (keyset)": deep,
                 "seekers first page": "/seekers", "seekers verdict=fail": "/seekers?verdict=fail",
                 "seekers other device": "/seekers?flag=new", "seekers expired": "/seekers?verdict=expired",
                 "search receipt no.": f"/seekers?q={receipt}", "seeker page": f"/seekers/{seeker}"}
        for name, path in cases.items():
            times = []
            for _ in range(20):
                t = time.perf_counter()
                r = s.get(srv.url + path, timeout=10)
                times.append(time.perf_counter() - t)
                assert r.status_code == 200, (name, r.status_code)
            rows = r.text.count('<a href="/reports/') + r.text.count("<tr data-seeker=")
            print(f"{a.backend} {a.rows} rows, {name:22s} median {statistics.median(times) * 1000:6.1f} ms, "
                  f"max {max(times) * 1000:6.1f} ms (20 requests, {rows} rows shown)")
    finally:
        srv.stop()


if __name__ == "__main__":
    main()
