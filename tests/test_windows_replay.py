"""Windows replays: snapshots composed from real command outputs (tests/fixtures/windows_*), judged end to end."""

from __future__ import annotations

import json
from datetime import datetime

import pytest

from envcheck.checks import judge, rejudge
from envcheck.pipeline import run_check
from envcheck.probes import ReplayHost, parse_snapshot, specs_for
from envcheck.ruleset.loader import CHECK_IDS
from snapshots import FIXTURES, fixture_folders, snapshot_from_folder

WINDOWS = [f for f in fixture_folders()
           if json.loads((f / "expected.json").read_text(encoding="utf-8"))["platform"] == "windows"]


def _at(iso: str) -> datetime:
    return datetime.fromisoformat(iso.replace("Z", "+00:00"))


def _replay(folder, rules, now: str | None = None):
    expected = json.loads((folder / "expected.json").read_text(encoding="utf-8"))
    snap = parse_snapshot(json.dumps(snapshot_from_folder(folder, "windows")), folder.name)
    return run_check(ReplayHost(snap), rules, _at(now or expected["now"])), expected


def _check(report: dict, check_id: str) -> dict:
    return next(c for c in report["checks"] if c["id"] == check_id)


def test_every_required_windows_scenario_has_a_fixture():
    names = {f.name for f in WINDOWS}
    assert {"windows_11_23h2_pro_says_win10_bitdefender", "windows_11_23h2_ja_trendmicro_sophos_mp_error",
            "windows_11_23h2_firewall_all_profiles_off", "windows_11_23h2_open_wifi",
            "windows_11_23h2_defender_stale_signatures", "windows_10_22h2_after_end_of_support"} <= names


@pytest.mark.parametrize("folder", WINDOWS, ids=lambda f: f.name)
def test_replay_gives_the_expected_status_of_every_check_and_the_verdict(folder, rules):
    run, expected = _replay(folder, rules)
    assert set(expected["statuses"]) == set(CHECK_IDS)
    assert {c["id"]: c["status"] for c in run.report["checks"]} == expected["statuses"]
    assert run.report["verdict"] == expected["verdict"]
    assert run.report["checker"]["platform"] == "windows"


@pytest.mark.parametrize("folder", WINDOWS, ids=lambda f: f.name)
def test_rejudging_the_report_evidence_gives_the_same_statuses(folder, rules):
    run, expected = _replay(folder, rules)
    verdict, statuses = rejudge(run.report, rules)
    assert statuses == expected["statuses"]
    assert verdict == expected["verdict"]


def test_windows_11_whose_productname_says_windows_10_is_judged_as_windows_11(rules):
    run, _ = _replay(FIXTURES / "windows_11_23h2_pro_says_win10_bitdefender", rules)
    ev = _check(run.report, "os.supported")["evidence"]
    assert (ev["product"], ev["name"], ev["build"], ev["revision"]) == ("Windows 11", "Windows 11 Pro", 22631, 6199)
    # Found in the Windows 11 23H2 consumer row (ends 2025-11-11): warned, not "not in rules".
    assert _check(run.report, "os.supported")["code"] == "ending_soon"
    assert _check(run.report, "os.patched")["code"] == "current"


def test_bitdefender_on_with_defender_passive_passes_and_bitdefender_keeps_its_own_state(rules):
    run, _ = _replay(FIXTURES / "windows_11_23h2_pro_says_win10_bitdefender", rules)
    products = {p["name"]: p for p in _check(run.report, "antivirus.active")["evidence"]["products"]}
    # Get-MpComputerStatus (RealTimeProtectionEnabled False) describes Defender, not "Bit*defender*".
    assert (products["Bitdefender Antivirus"]["state"], products["Bitdefender Antivirus"]["source"]) == ("on", "wsc")
    assert products["Windows Defender"]["state"] == "off"
    assert _check(run.report, "antivirus.active")["status"] == "pass"


def test_get_mpcomputerstatus_error_under_third_party_antivirus_is_not_read_as_no_antivirus(rules):
    run, _ = _replay(FIXTURES / "windows_11_23h2_ja_trendmicro_sophos_mp_error", rules)
    active = _check(run.report, "antivirus.active")
    assert active["status"] == "pass"
    on = sorted(p["name"] for p in active["evidence"]["products"] if p["state"] == "on")
    assert on == ["Sophos Home", "Trend Micro Antivirus+"]
    assert _check(run.report, "antivirus.updated")["code"] == "fresh_flag"


def test_japanese_netsh_output_is_read_as_a_wpa2_link(rules):
    run, _ = _replay(FIXTURES / "windows_11_23h2_ja_trendmicro_sophos_mp_error", rules)
    wifi = _check(run.report, "network.wifi")
    assert (wifi["status"], wifi["evidence"]["security"]) == ("pass", "wpa2")
    assert wifi["evidence"]["label"] == "WPA2-パーソナル"


def test_per_user_zoom_workplace_in_hkcu_counts_as_installed_and_current(rules):
    run, _ = _replay(FIXTURES / "windows_11_23h2_pro_says_win10_bitdefender", rules)
    installed = _check(run.report, "zoom.installed")
    assert (installed["status"], installed["code"]) == ("pass", "installed_user")
    assert installed["evidence"]["installs"][0]["ident"] == "HKCU"
    updated = _check(run.report, "zoom.updated")
    assert (updated["status"], updated["code"]) == ("pass", "current")


@pytest.mark.parametrize("folder, check_id, code", [
    ("windows_11_23h2_open_wifi", "network.wifi", "open"),
    ("windows_11_23h2_defender_stale_signatures", "antivirus.updated", "old"),
    ("windows_11_23h2_firewall_all_profiles_off", "firewall.enabled", "off_profiles"),
    ("windows_10_22h2_after_end_of_support", "os.supported", "ended"),
])
def test_each_failing_scenario_fails_for_its_own_reason(folder, check_id, code, rules):
    run, _ = _replay(FIXTURES / folder, rules)
    failed = [c["id"] for c in run.report["checks"] if c["status"] == "fail"]
    assert failed == [check_id]
    assert _check(run.report, check_id)["code"] == code


def test_stale_defender_signatures_fail_although_defender_says_not_out_of_date(rules):
    run, _ = _replay(FIXTURES / "windows_11_23h2_defender_stale_signatures", rules)
    c = _check(run.report, "antivirus.updated")
    assert c["evidence"]["products"][0]["up_to_date"] is True  # DefenderSignaturesOutOfDate: False
    assert c["evidence"]["products"][0]["definitions"] == "2024-05-06"


# Windows 10 22H2 ended 2025-10-14 (rules/lifecycle.toml, both editions); 90 days' warning before.
@pytest.mark.parametrize("now, status", [
    ("2025-07-16T00:00:00Z", "pass"),   # 90 days before the end: not yet warned
    ("2025-10-13T23:59:59Z", "warn"),   # the day before the end
    ("2025-10-14T12:00:00Z", "warn"),   # the last day of support
    ("2025-10-15T00:00:00Z", "fail"),   # the day after
])
def test_windows_10_22h2_is_supported_until_its_end_date_and_fails_the_day_after(now, status, rules):
    run, _ = _replay(FIXTURES / "windows_10_22h2_after_end_of_support", rules, now)
    assert _check(run.report, "os.supported")["status"] == status
    # A consumer edition (Pro) of the same build ends the same day.
    ev = dict(_check(run.report, "os.supported")["evidence"], edition="Professional")
    assert judge("os.supported", ev, rules, _at(now), "windows").status == status


@pytest.mark.parametrize("folder, code", [
    ("windows_11_23h2_pro_says_win10_bitdefender", 0),
    ("windows_10_22h2_after_end_of_support", 1),
])
def test_cli_replay_exit_status_follows_the_verdict(folder, code, cli, tmp_path):
    snap = tmp_path / "snapshot.json"
    snap.write_text(json.dumps(snapshot_from_folder(FIXTURES / folder, "windows"), ensure_ascii=False),
                    encoding="utf-8")
    now = json.loads((FIXTURES / folder / "expected.json").read_text(encoding="utf-8"))["now"]
    res = cli("check", "--replay", str(snap), "--json", "--now", now, "--lang", "en",
              env={"ENVCHECK_HOME": str(tmp_path / "home")})
    assert res.returncode == code, res.stderr
    report = json.loads(res.stdout)
    assert report["verdict"] == ("pass" if code == 0 else "fail")
    assert report["checker"]["platform"] == "windows"


def test_at_most_one_powershell_process_per_check():
    spawns = [p.lower() for s in specs_for("windows") for p in s.spawns]
    assert spawns.count("powershell.exe") <= 1
    assert not any("pwsh" in p for p in spawns)
