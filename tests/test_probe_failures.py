"""Fail closed: on every real replay fixture, break any one probe (a failure of any kind, a value of
the wrong shape, random text, a missing answer) and every check must give its recorded answer or
`unknown`: never a pass or a skip it did not have (DEVELOPERS.md, "Unknown is not pass")."""

from __future__ import annotations

import json
from datetime import datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from envcheck import checks as checks_mod
from envcheck import facts as facts_mod
from envcheck.errors import FAILURE_KINDS
from envcheck.pipeline import all_specs
from envcheck.probes import ProbeResult, ReplayHost
from snapshots import fixture_folders, snapshot_from_folder

FIXTURES = [(f, json.loads((f / "expected.json").read_text(encoding="utf-8"))) for f in fixture_folders()]
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                          HealthCheck.function_scoped_fixture])

failures = st.builds(lambda kind, msg: ProbeResult(error=msg or "x", kind=kind),
                     st.sampled_from([*FAILURE_KINDS, None, "a-kind-from-a-newer-checker"]), st.text(max_size=40))
scalars = st.one_of(st.none(), st.booleans(), st.integers(-(2 ** 40), 2 ** 40), st.floats(allow_nan=False),
                    st.text(max_size=60))
garbage = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                        st.dictionaries(st.text(max_size=8), inner, max_size=4)),
                       max_leaves=12)


#: What a broken read must never produce unless the intact read did: a broken probe may only make a
#: check unknown (or, reading a valid-looking value such as an empty device list, stricter).
LENIENT = ("pass", "skipped", "warn")
#: "Nothing to update" skips that rest on their sibling failing (docs/probes.md "Skip rules"): with
#: the sibling failing the verdict fails, so such a skip cannot let a device through.
SKIP_BECAUSE_FAILED = {"antivirus.updated": "antivirus.active", "zoom.updated": "zoom.installed"}


def _ok(cid: str, truth: dict, got: dict) -> bool:
    status = got[cid]
    if status not in LENIENT or status == truth[cid]:
        return True
    return status == "skipped" and cid in SKIP_BECAUSE_FAILED and got[SKIP_BECAUSE_FAILED[cid]] == "fail"


def _wrong_shape(real):
    """A value of another JSON type than the probe's real one, or random text for a text probe."""
    if isinstance(real, str):
        # Non-blank: an empty output is a real reading for some probes (dnf with nothing pending).
        return st.one_of(st.text(min_size=1, max_size=300).filter(str.strip), st.integers(),
                         st.lists(scalars, max_size=3), st.dictionaries(st.text(max_size=8), scalars, max_size=3))
    if isinstance(real, dict):
        return st.one_of(st.text(max_size=60), st.integers(), st.lists(garbage, max_size=3))
    if isinstance(real, list):
        return st.one_of(st.text(max_size=60), st.integers(), st.dictionaries(st.text(max_size=8), garbage,
                                                                               max_size=3))
    return garbage


def _statuses(platform: str, results: dict, now: datetime, rules) -> dict[str, str]:
    facts = facts_mod.collect(platform, results)
    return {r.id: r.status for r in checks_mod.evaluate(facts, rules, now)}


@pytest.mark.parametrize("folder,expected", FIXTURES, ids=[f.name for f, _ in FIXTURES])
def test_breaking_any_one_probe_never_makes_a_pass_or_a_skip(folder, expected, rules):
    platform = expected["platform"]
    snap = snapshot_from_folder(folder, platform)
    base = ReplayHost(snap).collect()
    now = datetime.fromisoformat(expected["now"].replace("Z", "+00:00"))
    truth = _statuses(platform, base, now, rules)
    # net.diagnose absent means the run was offline by the person's choice (a recorded mode, not a
    # failed read): network.reachable is then "skipped (offline)", docs/probes.md "Skip rules".
    pids = sorted({s.id for s in all_specs(platform)} | set(base))

    @SETTINGS
    @given(pid=st.sampled_from(pids), data=st.data())
    def inner(pid, data):
        real = base[pid].value if pid in base else None
        broken = data.draw(st.one_of(failures, _wrong_shape(real).map(lambda v: ProbeResult(value=v))))
        results = {**base, pid: broken}
        got = _statuses(platform, results, now, rules)
        for cid, status in got.items():
            assert _ok(cid, truth, got), (pid, broken, cid, truth[cid], status)

    inner()

    for pid in pids:  # a probe with no recorded answer at all
        if pid == "net.diagnose":
            continue
        got = _statuses(platform, {k: v for k, v in base.items() if k != pid}, now, rules)
        for cid, status in got.items():
            assert _ok(cid, truth, got), (pid, "missing", cid, truth[cid], status)
