"""Budget (issue 6): ingest throughput over HTTP, with signature verification and re-judging,
on SQLite and PostgreSQL. Aim: at least 300 reports/s on SQLite.

Run: .venv/bin/python bench/ingest.py [--reports 3000] [--threads 8] [--workers 2] [--backend sqlite|postgresql|both]

A real `envcheck-server run` on 127.0.0.1 (a free port), reports made by the checker's own
pipeline and signed with a device key, POSTed by keep-alive `requests` sessions from threads.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

import requests

from envcheck.ruleset import load_rules
from server_fixtures import Maker, Server, pg_bindir, postgres


def bodies(n: int) -> list[bytes]:
    maker = Maker(load_rules())
    return [json.dumps(maker.passing(f"01234-{i % 5000:08d}"), ensure_ascii=False).encode() for i in range(n)]


def run(backend: str, docs: list[bytes], threads: int, workers: int) -> None:
    url = postgres().new_database() if backend == "postgresql" else None
    srv = Server(tempfile.mkdtemp(prefix=f"envcheck-bench-{backend}-"), url, workers=workers)
    try:
        shares = [docs[i::threads] for i in range(threads)]
        latencies: list[float] = []
        failures: list[int] = []
        lock = threading.Lock()

        def client(share: list[bytes]) -> None:
            mine, bad = [], []
            with requests.Session() as s:
                for body in share:
                    t = time.perf_counter()
                    r = s.post(srv.url + "/api/v1/reports", data=body, timeout=60,
                               headers={"Content-Type": "application/json"})
                    mine.append(time.perf_counter() - t)
                    if r.status_code != 201:
                        bad.append(r.status_code)
            with lock:
                latencies.extend(mine)
                failures.extend(bad)

        # warm up (connections, imports, caches) with a few reports not counted
        warm, measured = shares[0][:threads], None
        for body in warm:
            requests.post(srv.url + "/api/v1/reports", data=body, timeout=60)
        shares[0] = shares[0][threads:]
        pool = [threading.Thread(target=client, args=(share,)) for share in shares]
        start = time.perf_counter()
        for t in pool:
            t.start()
        for t in pool:
            t.join()
        elapsed = time.perf_counter() - start
        measured = len(latencies)
        rows = srv.counts()["reports"]
        lat = sorted(latencies)
        print(f"{backend:10s} {measured} reports in {elapsed:.2f} s = {measured / elapsed:.0f} reports/s "
              f"({threads} client threads, {workers} server workers); latency median "
              f"{statistics.median(lat) * 1000:.1f} ms, p95 {lat[int(len(lat) * 0.95)] * 1000:.1f} ms; "
              f"non-201: {len(failures)}; rows stored {rows}")
    finally:
        srv.stop()


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--reports", type=int, default=3000)
    p.add_argument("--threads", type=int, default=8)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    a = p.parse_args()
    docs = bodies(a.reports + a.threads)
    print(f"report size {len(docs[0])} bytes; machine: {__import__('os').cpu_count()} CPUs")
    for backend in (("sqlite", "postgresql") if a.backend == "both" else (a.backend,)):
        if backend == "postgresql" and pg_bindir() is None:
            print("postgresql: skipped (initdb/pg_ctl not installed: apt-get install postgresql)")
            continue
        run(backend, docs, a.threads, a.workers)


if __name__ == "__main__":
    main()
