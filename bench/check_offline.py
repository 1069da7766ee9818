"""Budget (issue 3): `envcheck check --offline` as a fresh process, median of 10 runs,
aim <= 1.0 s and peak RSS <= 60 MB; the same on a replayed Windows snapshot, with the
number of PowerShell processes a live Windows check would start; and the in-process
evaluation alone.

Run: .venv/bin/python bench/check_offline.py
"""

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
EXE = str(Path(sys.executable).parent / "envcheck")


def timed(args: list[str], env: dict) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of one fresh process."""
    start = time.perf_counter()
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1, 3):
        raise SystemExit(f"{' '.join(args)} exited {code}")
    return wall, usage.ru_maxrss / 1024


def series(label: str, args: list[str], env: dict, n: int = 10) -> None:
    timed(args, env)  # warm the page cache once
    runs = [timed(args, env) for _ in range(n)]
    walls, rss = [r[0] for r in runs], [r[1] for r in runs]
    print(f"{label}: median {statistics.median(walls):.3f} s (min {min(walls):.3f}, max {max(walls):.3f}), "
          f"peak RSS {max(rss):.1f} MB, n={n}")


def windows_snapshot() -> Path | None:
    from snapshots import fixture_folders, snapshot_from_folder

    for folder in fixture_folders():
        expected = json.loads((folder / "expected.json").read_text())
        if expected.get("platform") == "windows":
            try:
                from snapshots import build_snapshot  # a platform-aware builder, when the fixtures need one
                snap = build_snapshot(folder)
            except ImportError:
                snap = snapshot_from_folder(folder, "windows")
            path = Path(tempfile.mkdtemp()) / "windows.json"
            path.write_text(json.dumps(snap))
            return path
    return None


def main() -> None:
    if os.environ.get("PYTHONDONTWRITEBYTECODE"):
        # Every run would compile envcheck's sources again (about 70 ms here); an installed copy has
        # its bytecode. Unset it for a figure comparable with a real installation.
        print("note: PYTHONDONTWRITEBYTECODE is set: each run compiles the sources (unset it to compare)")
    env = dict(os.environ, ENVCHECK_HOME=tempfile.mkdtemp())
    # The first check after apt's state changes runs `apt list --upgradable` (about 1.7 s of CPU);
    # every later one answers from the cache keyed on apt's inputs (envcheck/probes/_aptcache.py).
    cold = [timed([EXE, "check", "--offline"], dict(env, ENVCHECK_HOME=tempfile.mkdtemp()))[0] for _ in range(3)]
    print(f"check --offline, empty apt cache: median {statistics.median(cold):.3f} s, n=3")
    series("check --offline (this machine)", [EXE, "check", "--offline"], env)
    snap = windows_snapshot()
    if snap:
        series("check --replay <windows snapshot>", [EXE, "check", "--replay", str(snap)], env)
    from envcheck.probes import specs_for

    ps = sum(s.spawns.count("powershell.exe") for s in specs_for("windows"))
    print(f"PowerShell processes per live Windows check: {ps}")

    from envcheck.pipeline import live_host, run_check
    from envcheck.probes import ReplayHost, make_snapshot
    from envcheck.ruleset.loader import load_rules

    rules = load_rules()
    host = live_host(rules, offline=True)
    recorded = make_snapshot(host.platform, host.collect())
    replay = ReplayHost(recorded)
    now = datetime.now(timezone.utc)
    times = []
    for _ in range(200):
        t = time.perf_counter()
        run_check(replay, rules, now=now)
        times.append(time.perf_counter() - t)
    print(f"in-process evaluation (facts + checks + report, recorded probes): median "
          f"{statistics.median(times) * 1000:.2f} ms, n=200")


if __name__ == "__main__":
    main()
