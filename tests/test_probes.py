"""The probe runner: concurrent, each probe bounded, every failure an `unknown` with its reason."""

import sys
import time

import pytest

from envcheck.errors import AccessDenied, NotInstalled, ProbeError
from envcheck.probes import LiveHost, ProbeSpec, make_snapshot, parse_snapshot
from envcheck.probes._run import run


def spec(pid, func, timeout=2.0, network=False):
    return ProbeSpec(pid, ("linux",), timeout, func, source="test", network=network)


def test_a_hanging_command_is_killed_at_its_timeout_and_becomes_an_error():
    start = time.monotonic()
    with pytest.raises(ProbeError, match="no answer within 0.5 s"):
        run([sys.executable, "-c", "import time; time.sleep(30)"], timeout=0.5)
    assert time.monotonic() - start < 3


def test_missing_program_and_failing_program_are_told_apart():
    with pytest.raises(NotInstalled):
        run(["/nonexistent/envcheck-no-such-tool"], timeout=2)
    with pytest.raises(ProbeError, match=r"exited with status 3: broken here"):
        run([sys.executable, "-c", "import sys; sys.stderr.write('broken here\\n'); sys.exit(3)"], timeout=5)


def test_a_permission_refusal_is_access_denied_not_off():
    with pytest.raises(AccessDenied):
        run([sys.executable, "-c", "import sys; sys.stderr.write('ERROR: You need to be root\\n'); sys.exit(1)"],
            timeout=5)


def test_probes_run_concurrently_and_one_stuck_probe_cannot_hold_the_check():
    def stuck():
        time.sleep(30)  # a system call that never returns: only the thread's deadline helps

    def slow():
        time.sleep(0.6)
        return "slow"

    def bug():
        raise KeyError("oops")

    host = LiveHost("linux", specs=[
        spec("t.stuck", stuck, timeout=0.3), spec("t.slow1", slow), spec("t.slow2", slow),
        spec("t.bug", bug), spec("t.notjson", lambda: {1, 2}), spec("t.ok", lambda: {"a": 1}),
        spec("t.net", lambda: "x", network=True)])
    start = time.monotonic()
    out = host.collect()
    wall = time.monotonic() - start
    assert wall < 2.0, wall  # 0.3 s + 1 s grace for the stuck one; the two slow ones overlap
    assert out["t.stuck"].error == "no answer within 0.3 s"
    assert out["t.slow1"].value == out["t.slow2"].value == "slow"
    assert out["t.bug"].error.startswith("probe failed: KeyError")
    assert out["t.notjson"].error.startswith("probe failed: TypeError")
    assert out["t.ok"].value == {"a": 1}
    assert out["t.net"].value == "x"
    offline = LiveHost("linux", offline=True, specs=[spec("t.net", lambda: "x", network=True)]).collect()
    assert offline == {}  # network probes are left out offline, not answered


def test_a_recorded_snapshot_round_trips():
    host = LiveHost("linux", specs=[spec("t.ok", lambda: ["a"]), spec("t.err", lambda: (_ for _ in ()).throw(
        ProbeError("cannot read it")))])
    snap = make_snapshot("linux", host.collect())
    import json
    again = parse_snapshot(json.dumps(snap))
    assert again["probes"] == {"t.err": {"value": None, "error": "cannot read it"},
                               "t.ok": {"value": ["a"], "error": None}}
