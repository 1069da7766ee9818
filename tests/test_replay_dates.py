"""Replayed snapshots of real machines, judged on every week from the shipped rules' as_of to a year later.

The shipped rules (not the conftest's current copy) are used on purpose: this is what a checker that could
not fetch newer rules decides as the calendar moves. Variants of a real Windows snapshot add the Windows
Update Agent section (the probe's JSON shape, docs/probes.md) and move UBR to the newest level the tables
know, to show which answers the agent's own record can and cannot turn into a pass.
"""

from __future__ import annotations

import copy
import json
from datetime import datetime, timedelta, timezone

import pytest

from envcheck.pipeline import run_check
from envcheck.probes import ReplayHost, parse_snapshot
from envcheck.ruleset.loader import load_rules
from snapshots import FIXTURES, fixture_folders, snapshot_from_folder

RULES = load_rules()
WEEKS = [RULES.as_of + timedelta(days=7 * i) for i in range(53)]
FOLDERS = fixture_folders()


def _snap(folder):
    platform = json.loads((folder / "expected.json").read_text(encoding="utf-8"))["platform"]
    return parse_snapshot(json.dumps(snapshot_from_folder(folder, platform)), folder.name)


def _checks(snapshot, day):
    now = datetime(day.year, day.month, day.day, 12, tzinfo=timezone.utc)
    report = run_check(ReplayHost(snapshot), RULES, now).report
    return {c["id"]: c for c in report["checks"]}, report["verdict"]


@pytest.mark.parametrize("folder", FOLDERS, ids=lambda f: f.name)
def test_every_replay_is_judged_safely_on_every_week_of_a_year(folder):
    snap = _snap(folder)
    for day in WEEKS:
        checks, verdict = _checks(snap, day)
        patched, supported = checks["os.patched"], checks["os.supported"]
        if patched["status"] == "pass" and patched["evidence"].get("os") in ("windows", "macos"):
            # A table-based pass only while the tables are fresh; afterwards only the agent's own clear check.
            fam = patched["evidence"]["os"]
            assert day <= RULES.fresh_until(fam) or patched["code"] == "agent_current", (folder.name, day, patched)
        if supported["status"] == "pass" and supported["code"] == "supported_open":
            assert day <= RULES.as_of + timedelta(days=365), (folder.name, day)
        if verdict == "pass":
            assert patched["status"] == "pass" and supported["status"] in ("pass", "warn")


def _newest(build):
    return max((u for u in RULES.windows_updates if u["build"] == build and u.get("kind") != "preview"),
               key=lambda u: u["released"])


def _windows_variant(ubr, agent=None, policy=None):
    snap = copy.deepcopy(_snap(FIXTURES / "windows_11_23h2_pro_says_win10_bitdefender"))
    snap["probes"]["win.current_version"]["value"]["UBR"] = ubr
    sec = snap["probes"]["win.security"]["value"]
    if agent is not None:
        sec["UpdateAgent"] = agent
        sec["UpdatePolicy"] = policy or {}
    return snap


def _agent(day, updates=(), **kw):
    return {"ResultCode": 2, "Updates": list(updates), "RebootRequired": False,
            "LastSearchSuccessDate": f"{day - timedelta(days=1)}T03:12:40Z",
            "LastInstallationSuccessDate": f"{day - timedelta(days=5)}T02:00:00Z", **kw}


def test_a_fully_updated_pc_is_no_longer_turned_away_once_its_agent_confirms_it():
    newest = _newest(22631)["revision"]
    day = RULES.fresh_until("windows") + timedelta(days=10)
    without = _checks(_windows_variant(newest), day)[0]["os.patched"]
    assert (without["status"], without["code"]) == ("unknown", "rules_stale")
    confirmed = _checks(_windows_variant(newest, _agent(day)), day)[0]["os.patched"]
    assert (confirmed["status"], confirmed["code"]) == ("pass", "agent_current")
    assert confirmed["evidence"]["agent"]["source"] == "wua"


def test_the_agent_cannot_rescue_a_machine_the_tables_prove_behind():
    day = RULES.fresh_until("windows") + timedelta(days=10)
    old = _checks(_windows_variant(6199, _agent(day)), day)[0]["os.patched"]  # the real capture's UBR
    assert (old["status"], old["code"]) == ("fail", "behind")


@pytest.mark.parametrize(("agent_kw", "policy", "code"), [
    ({"Updates": [{"Title": "2026-09 Cumulative Update (KB5070001)",
                   "CategoryIds": ["0fa1201d-4330-4fa8-8ae9-b877473b6441"],
                   "KB": ["5070001"], "MsrcSeverity": "Critical"}]}, None, "agent_pending"),
    ({"RebootRequired": True}, None, "restart_pending"),
    ({}, {"PauseUpdatesExpiryTime": "2027-12-31T00:00:00Z"}, "updates_paused"),
    ({}, {"UseWUServer": "1", "WUServer": "http://wsus.corp.example:8530"}, "managed"),
    ({"LastSearchSuccessDate": "2026-08-01T00:00:00Z"}, None, "agent_check_old"),
    ({"ResultCode": 4}, None, "agent_unreadable"),
])
def test_above_the_newest_known_level_each_agent_state_keeps_its_own_unknown(agent_kw, policy, code):
    day = RULES.fresh_until("windows") + timedelta(days=10)
    snap = _windows_variant(_newest(22631)["revision"] + 50, {**_agent(day), **agent_kw}, policy)
    patched = _checks(snap, day)[0]["os.patched"]
    assert (patched["status"], patched["code"]) == ("unknown", code)
