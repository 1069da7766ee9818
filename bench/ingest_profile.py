"""Where one upload's CPU goes (issue 15): each step of the per-report path timed alone, then the whole
ASGI app called in-process (no HTTP, no client), optionally under cProfile.

Run: .venv/bin/python bench/ingest_profile.py [--reports 400] [--profile]

Steps: strict JSON parsing, schema validation, signature verification (validation included), the
canonical form's SHA-256, re-judging, check_upload (all of those), and store_report (the one
transaction: quotas, device key, report, totals, upload log) on a fresh SQLite store. Then the
app: POST /api/v1/reports through FastAPI and the thread pool, CPU time per report of this process.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import hashlib
import json
import os
import pstats
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from conftest import current_rules_dir
from server_fixtures import Maker, _prepared_sqlite_home, server_env


def step(name: str, fn, items) -> None:
    start = time.process_time()
    for x in items:
        fn(x)
    print(f"  {name:34s} {(time.process_time() - start) / len(items) * 1e6:6.0f} µs CPU per report")


async def post(app, body: bytes) -> int:
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "http",
             "path": "/api/v1/reports", "raw_path": b"/api/v1/reports", "query_string": b"", "root_path": "",
             "headers": [(b"host", b"127.0.0.1"), (b"content-type", b"application/json"),
                         (b"content-length", str(len(body)).encode())],
             "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 80), "state": {}}
    given = False
    status = []

    async def receive():
        nonlocal given
        if not given:
            given = True
            return {"type": "http.request", "body": body, "more_body": False}
        await asyncio.Event().wait()  # never: the app does not read past the body

    async def send(message):
        if message["type"] == "http.response.start":
            status.append(message["status"])

    await app(scope, receive, send)
    return status[0]


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--reports", type=int, default=400)
    p.add_argument("--profile", action="store_true", help="the app's run under cProfile (top 40 by own time)")
    a = p.parse_args()
    home = tempfile.mkdtemp(prefix="envcheck-profile-")
    _prepared_sqlite_home(home)
    os.environ.update(server_env(home, ENVCHECK_RATE_PER_ADDRESS="10000000", ENVCHECK_RATE_PER_SEEKER="10000000"))
    from envcheck.checks import rejudge
    from envcheck.report.canonical import canonical, loads_strict
    from envcheck.report.schema import validate_report
    from envcheck.report.signing import verify_report
    from envcheck.ruleset.loader import load_rules
    from envcheck.server.app import create_app_from_env
    from envcheck.server.intake import check_upload, store_report

    rules = load_rules(current_rules_dir())
    maker = Maker(rules)

    def make(prefix: str) -> list[bytes]:
        return [json.dumps(maker.passing(f"{prefix}-{i:08d}")).encode() for i in range(a.reports)]

    bodies = make("01234")
    docs = [loads_strict(b.decode("utf-8")) for b in bodies]
    now = datetime.now(timezone.utc).replace(microsecond=0)
    app = create_app_from_env()
    st = app.state.envcheck
    print(f"{a.reports} reports of {len(bodies[0])} bytes; load average {os.getloadavg()[0]:.1f}")
    step("strict JSON parse", lambda b: loads_strict(b.decode("utf-8")), bodies)
    step("schema validation", validate_report, docs)
    step("signature (validation included)", verify_report, docs)
    step("canonical form + SHA-256", lambda d: hashlib.sha256(canonical(d, True)).digest(), docs)
    step("re-judging", lambda d: rejudge(d, rules), docs)
    checked = [check_upload(b, rules, now, timedelta(days=7), timedelta(minutes=5)) for b in bodies]
    step("check_upload (all of the above)", lambda b: check_upload(b, rules, now, timedelta(days=7),
                                                                    timedelta(minutes=5)), bodies)
    step("store_report (one transaction)", lambda c: store_report(st.store, c, rules, st.key, now, 10 ** 7, 500),
         checked)
    more = make("01235")

    async def run() -> float:
        for b in more[:20]:
            assert await post(app, b) == 201
        prof = cProfile.Profile() if a.profile else None
        start = time.process_time()
        if prof:
            prof.enable()
        for b in more[20:]:
            assert await post(app, b) == 201
        if prof:
            prof.disable()
            pstats.Stats(prof).sort_stats("tottime").print_stats(40)
        return (time.process_time() - start) / (len(more) - 20)

    print(f"  {'the app in-process (POST, 201)':34s} {asyncio.run(run()) * 1e6:6.0f} µs CPU per report"
          f"{' (under cProfile: slower)' if a.profile else ''}")


if __name__ == "__main__":
    main()
