"""Budget (issue 6, issue 15): ingest throughput over HTTP, with signature verification and re-judging,
on SQLite and PostgreSQL. Aim: at least 300 reports/s on SQLite on the 2-core machine.

Run: .venv/bin/python bench/ingest.py [--reports 2000] [--threads 4] [--workers 2] [--rounds 3]
                                      [--backend sqlite|postgresql|both] [--baseline DIR]

A real `envcheck-server run` on 127.0.0.1 (a free port, a fresh database each run), reports made by
the checker's own pipeline and signed with a device key *before* the clock starts, POSTed over
keep-alive `http.client` connections from threads (the cheapest client the standard library has:
on 2 cores every cycle the client spends is one the server does not get).

Besides reports/s it prints the server's CPU time per report (user + system of the service's
processes, read from /proc): the machine is shared, and CPU per report moves much less with the
neighbours' load than reports/s does.

--baseline DIR: a source tree of another version (`git archive main | tar -x -C DIR`); each round
runs it and this tree one after the other (the order alternating), so both see the same moment's
load, and the medians and their ratio are printed.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from conftest import current_rules_dir
from envcheck.ruleset.loader import load_rules
from server_fixtures import Maker, Server, pg_bindir, postgres

TICK = os.sysconf("SC_CLK_TCK")


def bodies(n: int) -> list[bytes]:
    maker = Maker(load_rules())
    return [json.dumps(maker.passing(f"01234-{i % 5000:08d}"), ensure_ascii=False).encode() for i in range(n)]


def _tree_cpu(root: int) -> float:
    """CPU seconds (user + system) of `root` and every process below it, from /proc."""
    parents: dict[int, int] = {}
    times: dict[int, float] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as fh:
                fields = fh.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue  # the process ended meanwhile
        parents[int(entry)] = int(fields[1])
        times[int(entry)] = (int(fields[11]) + int(fields[12])) / TICK
    total, todo = 0.0, [root]
    while todo:
        pid = todo.pop()
        total += times.get(pid, 0.0)
        todo.extend(p for p, pp in parents.items() if pp == pid)
    return total


@dataclass
class Result:
    rate: float
    cpu_ms: float
    """The service's CPU milliseconds per report."""
    client_ms: float
    """This process's (the client threads') CPU milliseconds per report."""
    median_ms: float
    p95_ms: float
    failures: int
    rows: int


def _client(port: int, share: list[bytes], latencies: list[float], failures: list[int], lock) -> None:
    mine, bad = [], []
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Content-Type": "application/json"}
    for body in share:
        t = time.perf_counter()
        conn.request("POST", "/api/v1/reports", body=body, headers=headers)
        resp = conn.getresponse()
        resp.read()
        mine.append(time.perf_counter() - t)
        if resp.status != 201:
            bad.append(resp.status)
    conn.close()
    with lock:
        latencies.extend(mine)
        failures.extend(bad)


def run(backend: str, docs: list[bytes], threads: int, workers: int, source: str | None) -> Result:
    """One fresh service (this tree, or `source` through PYTHONPATH) and one timed run."""
    home = tempfile.mkdtemp(prefix=f"envcheck-bench-{backend}-")
    url = postgres().new_database() if backend == "postgresql" else f"sqlite:///{home}/bench.sqlite3"
    # another version judges with its own rules (as of today, as the tests' copy of this tree's)
    extra = {"PYTHONPATH": source, "ENVCHECK_SERVER_RULES": current_rules_dir(Path(source))} if source else {}
    srv = Server(home, url, workers=workers, **extra)
    try:
        warm, rest = docs[:threads * 4], docs[threads * 4:]
        _client(srv.port, warm, [], [], threading.Lock())  # imports, caches, connections: not counted
        shares = [rest[i::threads] for i in range(threads)]
        latencies: list[float] = []
        failures: list[int] = []
        lock = threading.Lock()
        pool = [threading.Thread(target=_client, args=(srv.port, share, latencies, failures, lock))
                for share in shares]
        cpu0, mine0, start = _tree_cpu(srv.proc.pid), time.process_time(), time.perf_counter()
        for t in pool:
            t.start()
        for t in pool:
            t.join()
        elapsed, cpu = time.perf_counter() - start, _tree_cpu(srv.proc.pid) - cpu0
        client = time.process_time() - mine0
        lat = sorted(latencies)
        n = len(lat)
        return Result(n / elapsed, cpu / n * 1000, client / n * 1000, statistics.median(lat) * 1000,
                      lat[int(n * 0.95)] * 1000, len(failures), srv.counts()["reports"])
    finally:
        srv.stop()


def _line(name: str, r: Result) -> str:
    return (f"  {name:9s} {r.rate:6.0f} reports/s  server CPU {r.cpu_ms:5.2f} ms/report (client {r.client_ms:4.2f})  "
            f"latency median "
            f"{r.median_ms:5.1f} ms p95 {r.p95_ms:6.1f} ms  non-201 {r.failures}  rows {r.rows}")


def load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--reports", type=int, default=2000)
    p.add_argument("--threads", type=int, default=4)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    p.add_argument("--baseline", metavar="DIR", help="a source tree to compare with, run interleaved")
    a = p.parse_args()
    docs = bodies(a.reports + a.threads * 4)
    print(f"report size {len(docs[0])} bytes; {a.reports} reports, {a.threads} client threads, {a.workers} "
          f"server workers; machine: {os.cpu_count()} CPUs, load average {load()}")
    trees = [("this", None)] + ([("baseline", os.path.abspath(a.baseline))] if a.baseline else [])
    for backend in (("sqlite", "postgresql") if a.backend == "both" else (a.backend,)):
        if backend == "postgresql" and pg_bindir() is None:
            print("postgresql: skipped (initdb/pg_ctl not installed: apt-get install postgresql)")
            continue
        results: dict[str, list[Result]] = {name: [] for name, _ in trees}
        for i in range(a.rounds):
            print(f"{backend} round {i + 1} (load average {load()})")
            for name, source in (trees if i % 2 == 0 else trees[::-1]):
                results[name].append(run(backend, docs, a.threads, a.workers, source))
                print(_line(name, results[name][-1]), flush=True)
        med = {name: (statistics.median(r.rate for r in rs), statistics.median(r.cpu_ms for r in rs))
               for name, rs in results.items()}
        summary = f"{backend} median of {a.rounds}: this {med['this'][0]:.0f} reports/s, {med['this'][1]:.2f} ms CPU"
        if a.baseline:
            b = med["baseline"]
            summary += (f"; baseline {b[0]:.0f} reports/s, {b[1]:.2f} ms CPU; ratio {med['this'][0] / b[0]:.2f}x "
                        f"reports/s, {b[1] / med['this'][1]:.2f}x less CPU per report")
        print(summary)
    print(f"load average after: {load()}")


if __name__ == "__main__":
    main()
