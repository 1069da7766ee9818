"""Budget (issue 14): the file-sharing check over 2,000 installed programs, 300 running processes
and 12 registered handlers, cold (the normaliser's caches emptied before every run, as in a fresh
`envcheck check`). Baseline at the same moment, runs interleaved A/B: the scan as it was when issue 14
began (commit f8c5750: every signature tried on every item, exact names and anchored patterns) with
that commit's catalogue.

Run: .venv/bin/python bench/p2p_match.py [--rounds 15]
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from envcheck.checks import _index, _names
from envcheck.checks.p2p import extract_p2p
from envcheck.facts.model import Facts, Handler, Software, Unknown
from envcheck.ruleset.loader import load_rules

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

BASELINE_COMMIT = "f8c5750"  # main when issue 14 began


def workload() -> Facts:
    from test_p2p_catalogues import load_catalogue

    rng = random.Random(14)
    cat = sorted(load_catalogue().items())
    names = [n for _, e in cat for n in e["names"]]
    exes = sorted({x for _, e in cat for x in e["exes"]})
    software = tuple(Software(name=n, version="1.0", kind="installed", ident="HKLM") for n in rng.sample(names, 2000))
    procs = tuple(rng.sample(exes, 300))
    handlers = tuple(Handler(kind=k, program=p, exe=p) for k in ("magnet", "torrent")
                     for p in ("qbittorrent.exe", "Motrix.exe", "MagnetPlayer.exe", "deluge.exe", "transgui.exe",
                               "fdm.exe"))
    u = Unknown("bench")
    return Facts(platform="windows", os=u, firewalls=u, antivirus=u, software=software, processes=procs, wifi=None,
                 cameras=u, microphones=u, handlers=handlers)


def baseline_rules():
    tmp = Path(tempfile.mkdtemp())
    shutil.copytree(ROOT / "rules", tmp / "rules")
    old = subprocess.run(["git", "-C", str(ROOT), "show", f"{BASELINE_COMMIT}:rules/software.toml"],
                         capture_output=True, text=True, check=True).stdout
    (tmp / "rules" / "software.toml").write_text(old, encoding="utf-8")
    return load_rules(str(tmp / "rules"))


def old_scan(facts: Facts, rules) -> list:
    """f8c5750's _scan and matches_item/matches_process, verbatim in behaviour."""
    def bare(n: str) -> str:
        n = n.lower().strip()
        return n[:-4] if n.endswith(".exe") else n

    found = []
    for s in facts.software:
        for sig in rules.p2p:
            if facts.platform in sig.platforms and any(p.search(s.name) for p in sig.app_patterns):
                found.append(sig.name)
    for proc in facts.processes:
        for sig in rules.p2p:
            if facts.platform in sig.platforms and bare(proc) in {bare(p) for p in sig.process_names}:
                found.append(sig.name)
    return found


def timed_old(facts: Facts, rules) -> float:
    start = time.perf_counter()
    old_scan(facts, rules)
    return time.perf_counter() - start


def cold_run(facts: Facts, rules) -> float:
    for f in (_names.normalise, _names.core, _names.exe_core, _names._keys):
        f.cache_clear()
    _names._RULES.clear()
    _index._CACHE.clear()
    start = time.perf_counter()
    extract_p2p(facts, rules)
    return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=15)
    args = ap.parse_args()
    facts, new, old = workload(), load_rules(), baseline_rules()
    cold_run(facts, new), timed_old(facts, old)  # import and first-touch costs out of the series
    a, b = [], []
    for _ in range(args.rounds):
        a.append(cold_run(facts, new))
        b.append(timed_old(facts, old))
    ma, mb = statistics.median(a), statistics.median(b)
    print(f"p2p.absent extract, 2000 programs + 300 processes + 12 handlers, cold, n={args.rounds}, "
          f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
    print(f"  this branch ({len(new.p2p)} signatures): median {ma * 1000:.1f} ms (min {min(a) * 1000:.1f}, "
          f"max {max(a) * 1000:.1f})")
    print(f"  baseline: {BASELINE_COMMIT}'s scan and catalogue ({len(old.p2p)} signatures, no handlers): "
          f"median {mb * 1000:.1f} ms "
          f"(min {min(b) * 1000:.1f}, max {max(b) * 1000:.1f})")
    print(f"  ratio {ma / mb:.2f}x")


if __name__ == "__main__":
    main()
