"""Budget (issue 4): sign and verify cost per report, and report size. Aim: < 1 ms each, < 16 KiB.

Run: .venv/bin/python bench/sign_verify.py
"""

import json
import statistics
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from envcheck.pipeline import live_host, run_check
from envcheck.ruleset.loader import load_rules
from envcheck.report.signing import sign_report, verify_report


def main(n: int = 300) -> None:
    rules = load_rules()
    report = run_check(live_host(rules, offline=True), rules, now=datetime.now(timezone.utc)).report
    key = Ed25519PrivateKey.generate()
    signs, verifies = [], []
    for _ in range(n):
        t = time.perf_counter()
        signed = sign_report(report, key)
        signs.append(time.perf_counter() - t)
        t = time.perf_counter()
        verify_report(signed)
        verifies.append(time.perf_counter() - t)
    size = len(json.dumps(signed, ensure_ascii=False).encode("utf-8"))
    pretty = len(json.dumps(signed, ensure_ascii=False, indent=2).encode("utf-8"))
    print(f"sign   median {statistics.median(signs) * 1e6:.0f} us (n={n})")
    print(f"verify median {statistics.median(verifies) * 1e6:.0f} us (n={n})")
    print(f"report size   {size} bytes compact, {pretty} bytes as written by --out")


if __name__ == "__main__":
    main()
