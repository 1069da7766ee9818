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

from envcheck.ruleset.loader import load_rules
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


def cpu_path(docs: list[bytes], rounds: int = 3) -> None:
    """The per-report CPU path in this process (parse, validate, verify, canonical SHA-256, re-judge),
    with envcheck's canonical form and, at the same moment, with the rfc8785 library in its place
    (the path before issue 15): the ratio holds however busy the shared machine is."""
    from datetime import datetime, timedelta, timezone

    import rfc8785

    import envcheck.server.intake as intake
    import envcheck.report.signing as signing
    from envcheck.report.canonical import canonical

    rules = load_rules()
    now = datetime.now(timezone.utc)
    sample = docs[:300]

    def rate() -> float:
        t = time.perf_counter()
        for body in sample:
            intake.check_upload(body, rules, now, timedelta(days=7), timedelta(minutes=5))
        return len(sample) / (time.perf_counter() - t)

    fast, slow = [], []
    for _ in range(rounds):
        fast.append(rate())
        signing.canonical = intake.canonical = lambda node, checked=False: rfc8785.dumps(node)
        slow.append(rate())
        signing.canonical = intake.canonical = canonical
    f, s = statistics.median(fast), statistics.median(slow)
    print(f"cpu path, one core: {f:.0f} reports/s with envcheck.report.canonical, {s:.0f} reports/s with rfc8785 "
          f"(median of {rounds}, interleaved): {f / s:.2f}x")


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--reports", type=int, default=3000)
    p.add_argument("--threads", type=int, default=8)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    a = p.parse_args()
    docs = bodies(a.reports + a.threads)
    import os

    print(f"report size {len(docs[0])} bytes; machine: {os.cpu_count()} CPUs, load average "
          f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    cpu_path(docs)
    for backend in (("sqlite", "postgresql") if a.backend == "both" else (a.backend,)):
        if backend == "postgresql" and pg_bindir() is None:
            print("postgresql: skipped (initdb/pg_ctl not installed: apt-get install postgresql)")
            continue
        run(backend, docs, a.threads, a.workers)
    print(f"load average after: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
