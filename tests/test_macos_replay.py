"""macOS replay: fixture folders of real outputs -> report, exactly as a live run would make it.

Each folder under tests/fixtures/ whose expected.json says "darwin" is replayed through
envcheck.pipeline.run_check with a ReplayHost; every check's status and the verdict must
match expected.json, and the intake side (rejudge) must reach the same statuses from the
report's evidence alone. SOURCES.md in each folder cites every probe file.
"""

from __future__ import annotations

import copy
import json
from datetime import datetime
from pathlib import Path

import pytest

from envcheck.checks import rejudge
from envcheck.pipeline import run_check
from envcheck.probes import ReplayHost, parse_snapshot
from envcheck.ruleset.loader import CHECK_IDS
from snapshots import FIXTURES, fixture_folders, snapshot_from_folder

MAC_FOLDERS = [f for f in fixture_folders()
               if json.loads((f / "expected.json").read_text())["platform"] == "darwin"]


def _when(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _snapshot(folder: Path) -> dict:
    # Through parse_snapshot, as `envcheck check --replay FILE` reads it.
    return parse_snapshot(json.dumps(snapshot_from_folder(folder, "darwin")), folder.name)


def _run(snapshot: dict, rules, now: str):
    return run_check(ReplayHost(snapshot), rules, now=_when(now))


def test_there_are_macos_fixtures():
    names = {f.name for f in MAC_FOLDERS}
    assert {"macos26_tahoe", "macos15_7_4_sequoia", "macos10_15_catalina"} <= names


@pytest.mark.parametrize("folder", MAC_FOLDERS, ids=lambda f: f.name)
def test_fixture_cites_every_probe_file(folder):
    sources = (folder / "SOURCES.md").read_text(encoding="utf-8")
    for f in (folder / "probes").iterdir():
        assert f"probes/{f.name}" in sources, f"{folder.name}/SOURCES.md does not cite {f.name}"


@pytest.mark.parametrize("folder", MAC_FOLDERS, ids=lambda f: f.name)
def test_replay_statuses_and_verdict(folder, rules):
    expected = json.loads((folder / "expected.json").read_text())
    assert set(expected["statuses"]) == set(CHECK_IDS), "expected.json must name all 14 checks"
    run = _run(_snapshot(folder), rules, expected["now"])
    got = {r.id: r.status for r in run.results}
    assert got == expected["statuses"]
    assert run.report["verdict"] == expected["verdict"]
    assert run.report["checker"]["platform"] == "darwin"


@pytest.mark.parametrize("folder", MAC_FOLDERS, ids=lambda f: f.name)
def test_rejudge_agrees_with_the_checker(folder, rules):
    expected = json.loads((folder / "expected.json").read_text())
    run = _run(_snapshot(folder), rules, expected["now"])
    # The report goes over the wire as JSON; re-judge what the service would receive.
    report = json.loads(json.dumps(run.report))
    verdict, statuses = rejudge(report, rules)
    assert statuses == expected["statuses"]
    assert verdict == expected["verdict"]


# ---- what each fixture is there to prove ---------------------------------------------------

def _results(folder_name: str, rules):
    folder = FIXTURES / folder_name
    expected = json.loads((folder / "expected.json").read_text())
    run = _run(_snapshot(folder), rules, expected["now"])
    return run, {r.id: r for r in run.results}


def test_tahoe_26_numbering_and_blocking_wording(rules):
    run, by_id = _results("macos26_tahoe", rules)
    assert run.facts.os.version == "26.3" and run.facts.os.build == "25D125"
    assert by_id["os.supported"].evidence["version"] == "26.3"
    # "Firewall is blocking all non-essential incoming connections. (State = 2)" has no word "enabled".
    assert by_id["firewall.enabled"].evidence["firewalls"][0]["on"] is True
    assert by_id["firewall.enabled"].evidence["firewalls"][0]["note"] == "State = 2"
    # awdl0 carries a current-network block too; only en0 (connected) counts.
    assert by_id["network.wifi"].evidence == {"connected": True, "security": "wpa3",
                                               "label": "spairport_security_mode_wpa3_personal",
                                               "source": "system_profiler"}
    # Zoom's dotted CFBundleVersion is used when CFBundleShortVersionString is absent.
    assert by_id["zoom.updated"].params["version"] == "7.1.0.83064"
    # The monitor and speakers are outputs, not microphones; the Continuity iPhone mic is an input.
    assert by_id["device.microphone"].evidence["names"] == ["MacBook Pro Microphone", "iPhone (5) Microphone"]


def test_sequoia_mac_mini_failures(rules):
    run, by_id = _results("macos15_7_4_sequoia", rules)
    assert by_id["firewall.enabled"].code == "off"
    assert by_id["device.camera"].code == "none" and by_id["device.camera"].evidence["count"] == 0
    found = by_id["p2p.absent"].evidence["found"]
    assert {(f["name"], f["kind"]) for f in found} == {("Transmission", "app"), ("Transmission", "process")}
    assert by_id["zoom.updated"].params == {"version": "5.9.6", "minimum": "6.0.2"}
    assert by_id["antivirus.updated"].status == "fail"  # XProtect 111 days old, limit 60
    # Apple's typo "pairport_security_mode_wpa3_transition" (real capture) still reads as WPA3.
    assert by_id["network.wifi"].evidence["security"] == "wpa3"
    assert by_id["network.wifi"].evidence["label"] == "pairport_security_mode_wpa3_transition"


def test_catalina_is_unsupported_and_old_zoom_fails(rules):
    run, by_id = _results("macos10_15_catalina", rules)
    assert run.facts.os.name == "Mac OS X 10.15.5"
    assert by_id["os.supported"].code == "ended"
    assert by_id["os.supported"].params["end"] == "2022-09-12"
    # The rules hold no point releases for 10.15: the patch level is unknown, never a pass.
    assert by_id["os.patched"].code == "not_in_rules"
    # The older "Firewall is enabled. (State = 2)" wording passes as well.
    assert by_id["firewall.enabled"].status == "pass"
    assert by_id["zoom.updated"].params["version"] == "4.5.0"


# ---- Wi-Fi variants of one real capture (only spairport_security_mode is changed) ----------

def _with_wifi_mode(mode: str) -> dict:
    snap = copy.deepcopy(_snapshot(FIXTURES / "macos26_tahoe"))
    en0 = snap["probes"]["mac.sp_airport"]["value"]["SPAirPortDataType"][0]["spairport_airport_interfaces"][0]
    assert en0["_name"] == "en0"
    en0["spairport_current_network_information"]["spairport_security_mode"] = mode
    return snap


@pytest.mark.parametrize("mode,status,verdict", [
    ("spairport_security_mode_none", "fail", "fail"),
    ("spairport_security_mode_wep", "fail", "fail"),
    ("pairport_security_mode_wpa3_transition", "pass", "pass"),
    ("spairport_security_mode_wpa2_personal", "pass", "pass"),
    ("spairport_security_mode_wpa2_enterprise", "pass", "pass"),
])
def test_wifi_security_modes(rules, mode, status, verdict):
    run = _run(_with_wifi_mode(mode), rules, "2026-02-20T00:00:00Z")
    by_id = {r.id: r for r in run.results}
    assert by_id["network.wifi"].status == status
    assert run.report["verdict"] == verdict
    assert rejudge(json.loads(json.dumps(run.report)), rules)[1]["network.wifi"] == status


def test_awdl0_alone_is_not_a_wifi_link(rules):
    snap = copy.deepcopy(_snapshot(FIXTURES / "macos26_tahoe"))
    ifaces = snap["probes"]["mac.sp_airport"]["value"]["SPAirPortDataType"][0]["spairport_airport_interfaces"]
    en0 = next(i for i in ifaces if i["_name"] == "en0")
    del en0["spairport_current_network_information"]
    en0["spairport_status_information"] = "spairport_status_disconnected"
    by_id = {r.id: r for r in _run(snap, rules, "2026-02-20T00:00:00Z").results}
    assert by_id["network.wifi"].status == "skipped"  # awdl0's own network block is not the link
    snap["probes"]["mac.sp_airport"]["value"]["SPAirPortDataType"][0]["spairport_airport_interfaces"] = [
        i for i in ifaces if i["_name"] == "awdl0"]
    by_id = {r.id: r for r in _run(snap, rules, "2026-02-20T00:00:00Z").results}
    assert by_id["network.wifi"].status == "unknown"  # and with no Wi-Fi interface listed, nothing is proven


# ---- date boundaries: Catalina's end of support (2022-09-12, warned 90 days before) --------

@pytest.mark.parametrize("now,status,code", [
    ("2022-06-01T00:00:00Z", "pass", "supported"),
    ("2022-06-14T23:59:59Z", "pass", "supported"),   # exactly 90 days before: not yet
    ("2022-06-15T00:00:00Z", "warn", "ending_soon"),  # 89 days before
    ("2022-09-12T23:59:59Z", "warn", "ending_soon"),
    ("2022-09-13T00:00:00Z", "fail", "ended"),
    ("2026-11-24T00:00:00Z", "fail", "ended"),
])
def test_catalina_end_of_support_boundaries(rules, now, status, code):
    run = _run(_snapshot(FIXTURES / "macos10_15_catalina"), rules, now)
    r = next(r for r in run.results if r.id == "os.supported")
    assert (r.status, r.code) == (status, code)
    assert rejudge(json.loads(json.dumps(run.report)), rules)[1]["os.supported"] == status


@pytest.mark.parametrize("now,status", [("2022-09-12T12:00:00Z", "warn"), ("2022-09-13T00:00:01Z", "fail")])
def test_catalina_boundary_through_the_cli(cli, tmp_path, now, status):
    snap = tmp_path / "catalina.snapshot.json"
    snap.write_text(json.dumps(snapshot_from_folder(FIXTURES / "macos10_15_catalina", "darwin")))
    res = cli("check", "--replay", str(snap), "--now", now, "--json", "--offline", "--lang", "en")
    assert res.returncode in (0, 1, 3), res.stderr
    report = json.loads(res.stdout)
    assert {c["id"]: c["status"] for c in report["checks"]}["os.supported"] == status
    assert res.returncode == 1  # zoom 4.5.0 fails in either case
