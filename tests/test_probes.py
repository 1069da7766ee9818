"""The probe runner: concurrent, each probe bounded, every failure an `unknown` with its reason."""

import json
import sys
import time

import pytest

from envcheck.errors import AccessDenied, FailedStatus, NotInstalled, ProbeError, TimedOut, Unparsed
from envcheck.probes import LiveHost, ProbeResult, ProbeSpec, ReplayHost, make_snapshot, parse_snapshot
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
    assert again["probes"] == {"t.err": {"value": None, "error": "cannot read it", "kind": "failed"},
                               "t.ok": {"value": ["a"], "error": None}}
    replayed = ReplayHost(again).collect()
    assert replayed["t.err"] == ProbeResult(error="cannot read it", kind="failed")


@pytest.mark.parametrize("raised,kind", [(NotInstalled("x is not installed"), "not_installed"),
                                         (AccessDenied("no"), "permission_denied"), (TimedOut("slow"), "timed_out"),
                                         (FailedStatus("exit 3", status=3), "failed_status"),
                                         (Unparsed("what?"), "unparsed"), (ProbeError("?"), "failed")])
def test_the_failure_kind_travels_from_the_probe_into_the_snapshot(raised, kind):
    def fails():
        raise raised

    snap = make_snapshot("linux", LiveHost("linux", specs=[spec("t.x", fails)]).collect())
    assert snap["probes"]["t.x"]["kind"] == kind
    assert ReplayHost(snap).collect()["t.x"].failure == kind


def test_the_chokepoint_types_its_failures(tmp_path):
    from envcheck.probes._run import read_text, run

    with pytest.raises(NotInstalled):
        run(["/nonexistent/program"], timeout=2)
    with pytest.raises(TimedOut):
        run(["sleep", "5"], timeout=0.2)
    with pytest.raises(FailedStatus) as exc:
        run(["sh", "-c", "echo nope >&2; exit 3"], timeout=5)
    assert exc.value.status == 3 and exc.value.kind == "failed_status"
    with pytest.raises(NotInstalled):
        read_text(str(tmp_path / "missing.txt"))


@pytest.mark.parametrize("entry", [{"value": None, "error": "old checker: nmcli is not installed"},
                                   {"value": None, "error": "x", "kind": "kind-of-a-newer-checker"}])
def test_snapshots_without_a_known_kind_load_and_fail_closed(entry):
    # Written before kinds existed (or by a newer checker): loads, and counts as a plain failure,
    # so the English words in an old message can never make anything "absent".
    doc = {"format": "envcheck.snapshot/1", "captured_at": "2026-11-24T00:00:00Z", "platform": "linux",
           "probes": {"linux.nmcli_wifi": entry}}
    res = ReplayHost(parse_snapshot(json.dumps(doc))).collect()["linux.nmcli_wifi"]
    assert res.failure == "failed"
