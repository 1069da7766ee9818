"""The OS's own record of what it is missing: Windows Update Agent (offline view) and macOS softwareupdated."""

from __future__ import annotations

import plistlib
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from envcheck.checks import judge
from envcheck.checks.system import _agent_evidence
from envcheck.facts import _macos, _windows
from envcheck.probes import ProbeResult
from envcheck.probes._macos import _jsonable

SOURCES = Path(__file__).parent / "fixtures" / "sources"
SECURITY = "0FA1201D-4330-4FA8-8AE9-B877473B6441"
DEFINITIONS = "E0789628-CE08-4437-BE74-2495B842F43B"


def _ok(pid, value):
    return {pid: ProbeResult(value, None)}


def _win(agent, policy=None):
    return _ok("win.security", {"UpdateAgent": agent, "UpdatePolicy": policy or {}})


def _at(d):
    return datetime(d.year, d.month, d.day, 12, tzinfo=timezone.utc)


# ------------------------------------------------------------------------------------------ macOS facts

def test_real_softwareupdate_plist_with_nothing_recommended_is_a_clear_recent_check():
    raw = plistlib.loads((SOURCES / "macos_softwareupdate_plist_13_3_1_rsr_no_updates.plist").read_bytes())
    agent = _macos.update_agent(_ok("mac.softwareupdate", _jsonable(raw)), "13.3.1")
    assert agent.pending_security == 0
    assert agent.last_check == datetime(2023, 5, 4, 21, 40, 26, tzinfo=timezone.utc)  # the newest of the three dates


def _tahoe_recommended():
    # tests/fixtures/sources/macos_defaults_read_softwareupdate_tahoe_26_6_2_pending.txt, as plist entries.
    return {"LastSuccessfulDate": "2026-09-01T10:00:00Z", "LastRecommendedUpdatesAvailable": 3, "RecommendedUpdates": [
        {"Display Name": "Command Line Tools for Xcode 26.6", "Product Key": "140-17812"},
        {"Display Name": "Command Line Tools for Xcode 26.5", "Product Key": "047-91568"},
        {"Display Name": "macOS Tahoe 26.6.2", "Display Version": "26.6.2",
         "Identifier": "MSU_UPDATE_25G83_patch_26.6.2_minor", "MobileSoftwareUpdate": True}]}


def test_a_pending_macos_point_release_counts_and_developer_tools_do_not():
    agent = _macos.update_agent(_ok("mac.softwareupdate", _tahoe_recommended()), "26.6.1")
    assert (agent.pending_security, agent.pending_names) == (1, ("macOS Tahoe 26.6.2",))


def test_an_offered_release_already_running_is_a_leftover_of_the_last_scan():
    assert _macos.update_agent(_ok("mac.softwareupdate", _tahoe_recommended()), "26.6.2").pending_security == 0


def test_an_offered_major_upgrade_is_not_a_missing_update():
    # softwareupdate offered "macOS Sonoma 14.0" to an up-to-date Ventura 13.6 Mac beside the Ventura and Safari
    # updates (/work/shared/samples/macos_softwareupdate_list_pending.txt, Macjutsu/super issue #151).
    su = {"LastSuccessfulDate": "2023-10-04T08:00:00Z", "RecommendedUpdates": [
        {"Display Name": "Safari", "Display Version": "17.0", "Identifier": "Safari17.0VenturaAuto"},
        {"Display Name": "macOS Ventura 13.6", "Display Version": "13.6", "Identifier": "MSU_UPDATE_22G120_patch_13.6"},
        {"Display Name": "macOS Sonoma 14.0", "Display Version": "14.0", "Identifier": "MSU_UPDATE_23A344_major"}]}
    behind = _macos.update_agent(_ok("mac.softwareupdate", su), "13.5.2")
    assert behind.pending_names == ("Safari", "macOS Ventura 13.6")
    current = _macos.update_agent(_ok("mac.softwareupdate", {**su, "RecommendedUpdates": su["RecommendedUpdates"][2:]}),
                                  "13.6")
    assert current.pending_security == 0


def test_without_a_recommended_list_the_counter_alone_is_not_trusted():
    agent = _macos.update_agent(_ok("mac.softwareupdate", {"LastRecommendedUpdatesAvailable": 0}), "26.1")
    assert not isinstance(agent.pending_security, int)


# ---------------------------------------------------------------------------------------- Windows facts

def _wua(updates, **kw):
    return {"ResultCode": 2, "Updates": updates, "LastSearchSuccessDate": "2026-11-20T03:12:40Z",
            "LastInstallationSuccessDate": "2026-11-12T02:00:00Z", "RebootRequired": False, **kw}


def test_security_updates_are_told_by_classification_id_not_by_localized_name():
    agent = _windows.update_agent(_win(_wua([
        {"Title": "2026-11 Windows 11 Version 24H2 の累積更新プログラム (KB5068861)", "MsrcSeverity": None,
         "KB": ["5068861"], "CategoryIds": [SECURITY.lower(), "72e7624a-5b00-45d2-b92f-e561c0a6a160"]},
        {"Title": "Microsoft Defender Antivirus のセキュリティ インテリジェンス更新プログラム - KB2267602",
         "MsrcSeverity": None, "KB": ["2267602"], "CategoryIds": DEFINITIONS}])))
    assert agent.pending_security == 1 and "KB5068861" in agent.pending_names[0]
    assert agent.last_check == datetime(2026, 11, 20, 3, 12, 40, tzinfo=timezone.utc)


def test_a_failed_search_is_unknown_not_nothing_pending():
    agent = _windows.update_agent(_win(_wua([], ResultCode=4)))
    assert not isinstance(agent.pending_security, int)


def test_pause_wsus_and_deferral_are_read_from_policy_values():
    paused = _windows.update_agent(_win(_wua([]), {"PauseUpdatesExpiryTime": "2026-12-20T08:00:00Z"}))
    assert paused.paused_until == datetime(2026, 12, 20, 8, tzinfo=timezone.utc)
    wsus = _windows.update_agent(_win(_wua([]), {"UseWUServer": "1", "WUServer": "http://wsus.example:8530"}))
    assert wsus.managed == "wsus"
    assert _windows.update_agent(_win(_wua([]), {"DeferQualityUpdatesPeriodInDays": "14"})).managed == "deferral"
    assert _windows.update_agent(_win(_wua([]))).managed is None


def test_an_error_in_the_agent_section_is_unknown():
    agent = _windows.update_agent(_ok("win.security", {"UpdateAgent": {"error": "Exception from HRESULT: 0x8024402C"}}))
    assert not hasattr(agent, "pending_security")


# ------------------------------------------------------------------------- decisions on stale tables

def _newest_24h2(rules):
    newest = max((u for u in rules.windows_updates if u["build"] == 26100 and u.get("kind") != "preview"),
                 key=lambda u: u["released"])
    return {"os": "windows", "name": "Windows 11 Home", "product": "Windows 11", "version": "24H2", "build": 26100,
            "revision": newest["revision"], "edition": "Core"}


@pytest.fixture
def shipped():
    from envcheck.ruleset.loader import load_rules
    return load_rules()


def _judge_stale(rules, agent, days_after=10):
    when = rules.fresh_until("windows") + timedelta(days=days_after)
    ev = {**_newest_24h2(rules), "agent": _agent_evidence(agent)}
    d = judge("os.patched", ev, rules, _at(when), "windows")
    return d.status, d.code


def _agent(rules, days_after=10, **kw):
    when = rules.fresh_until("windows") + timedelta(days=days_after)
    base = {"source": "wua", "last_check": _at(when - timedelta(days=1)), "pending_security": 0}
    return _windows.UpdateAgent(**{**base, **kw})


def test_stale_tables_pass_only_on_a_recent_clear_check_by_the_agent(shipped):
    assert _judge_stale(shipped, _agent(shipped)) == ("pass", "agent_current")
    assert _judge_stale(shipped, _agent(shipped, pending_security=1, pending_names=("KB5070000",))) == \
        ("unknown", "agent_pending")
    assert _judge_stale(shipped, _agent(shipped, reboot_required=True)) == ("unknown", "restart_pending")
    far = _at(shipped.fresh_until("windows") + timedelta(days=40))
    assert _judge_stale(shipped, _agent(shipped, paused_until=far)) == ("unknown", "updates_paused")
    old = _at(shipped.fresh_until("windows") - timedelta(days=30))
    assert _judge_stale(shipped, _agent(shipped, last_check=old)) == ("unknown", "agent_check_old")
    assert _judge_stale(shipped, _agent(shipped, managed="wsus")) == ("unknown", "managed")
    assert _judge_stale(shipped, None) == ("unknown", "rules_stale")


def test_while_tables_are_fresh_a_pending_update_at_the_newest_level_is_a_warning(shipped):
    ev = {**_newest_24h2(shipped), "agent": _agent_evidence(_agent(shipped, pending_security=2))}
    d = judge("os.patched", ev, shipped, _at(shipped.as_of + timedelta(days=3)), "windows")
    assert (d.status, d.code) == ("warn", "agent_pending_fresh")


def test_a_rapid_security_response_counts_above_its_base_release(shipped):
    from envcheck.checks.system import mac_level
    assert mac_level("13.4.1 (a)") > mac_level("13.4.1") and mac_level("13.4.1 (a)") < mac_level("13.5")
