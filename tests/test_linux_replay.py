"""Linux snapshots made from real outputs (tests/fixtures/<name>/), replayed through the whole pipeline.

Each folder's expected.json states every check's status and the verdict at its "now"; the
intake service's re-judging of the report's evidence (envcheck.checks.rejudge) must agree.
"""

from __future__ import annotations

import json
from datetime import datetime

import pytest

from envcheck.checks import rejudge
from envcheck.pipeline import run_check
from envcheck.probes import ReplayHost, parse_snapshot
from envcheck.ruleset.loader import CHECK_IDS
from snapshots import FIXTURES, fixture_folders, snapshot_from_folder

LINUX = [f for f in fixture_folders() if json.loads((f / "expected.json").read_text())["platform"] == "linux"]


def test_the_linux_fixtures_are_there():
    assert {f.name for f in LINUX} >= {"ubuntu24_04", "fedora42", "rhel9"}


def _run(folder, rules, now: str | None = None):
    expected = json.loads((folder / "expected.json").read_text())
    snap = snapshot_from_folder(folder, "linux")
    # The snapshot must be valid as the CLI would read it.
    parse_snapshot(json.dumps(snap), folder.name)
    when = datetime.fromisoformat((now or expected["now"]).replace("Z", "+00:00"))
    return expected, run_check(ReplayHost(snap), rules, now=when)


@pytest.mark.parametrize("folder", LINUX, ids=lambda f: f.name)
def test_replay_gives_the_expected_statuses_and_verdict(folder, rules):
    expected, run = _run(folder, rules)
    statuses = {c["id"]: c["status"] for c in run.report["checks"]}
    assert list(statuses) == list(CHECK_IDS)
    assert statuses == expected["statuses"]
    assert run.report["verdict"] == expected["verdict"]
    assert run.report["checker"]["platform"] == "linux"


@pytest.mark.parametrize("folder", LINUX, ids=lambda f: f.name)
def test_rejudging_the_evidence_gives_the_same_statuses(folder, rules):
    expected, run = _run(folder, rules)
    # Through JSON, as the intake service receives it.
    report = json.loads(json.dumps(run.report))
    assert rejudge(report, rules) == (expected["verdict"], expected["statuses"])


@pytest.mark.parametrize("folder", LINUX, ids=lambda f: f.name)
def test_every_check_has_both_languages(folder, rules):
    _, run = _run(folder, rules)
    for c in run.report["checks"]:
        assert c["summary"]["ja"].strip() and c["summary"]["en"].strip(), c["id"]
        assert "{" not in c["summary"]["en"], (c["id"], c["summary"]["en"])


def _check(run, cid):
    return next(c for c in run.report["checks"] if c["id"] == cid)


def test_ubuntu_transmission_gtk_package_fails_p2p_naming_it(rules):
    _, run = _run(FIXTURES / "ubuntu24_04", rules)
    p2p = _check(run, "p2p.absent")
    assert p2p["status"] == "fail"
    assert p2p["evidence"]["found"] == [{"name": "Transmission", "item": "transmission-gtk", "kind": "package",
                                         "ident": None, "version": "4.0.5-1build5"}]
    assert "Transmission" in p2p["summary"]["en"] and "Transmission" in p2p["summary"]["ja"]
    # Evidence carries the matched item only, never the package list.
    assert "ufw" not in json.dumps(p2p["evidence"]) and "transmission-common" not in json.dumps(p2p["evidence"])


def test_ubuntu_ufw_status_and_clamav_header_decide_firewall_and_antivirus(rules):
    _, run = _run(FIXTURES / "ubuntu24_04", rules)
    assert _check(run, "firewall.enabled")["evidence"] == {
        "firewalls": [{"name": "ufw", "on": True, "detail": {}, "note": "ufw status"}]}
    av = _check(run, "antivirus.updated")
    assert (av["status"], av["code"]) == ("pass", "fresh")
    assert av["evidence"]["products"][0]["definitions"] == "2026-08-18"


def test_ubuntu_clamav_definitions_go_stale_after_seven_days(rules):
    _, run = _run(FIXTURES / "ubuntu24_04", rules, now="2026-08-25T23:59:59Z")
    assert _check(run, "antivirus.updated")["status"] == "pass"
    _, run = _run(FIXTURES / "ubuntu24_04", rules, now="2026-08-26T00:00:00Z")
    assert (_check(run, "antivirus.updated")["status"], _check(run, "antivirus.updated")["code"]) == ("fail", "old")


# ------------------------------------------------------------------ Fedora 42 end of support, via the CLI

def _cli_status(cli, tmp_path, folder: str, now: str, cid: str):
    snap = tmp_path / f"{folder}.json"
    snap.write_text(json.dumps(snapshot_from_folder(FIXTURES / folder, "linux")))
    res = cli("check", "--replay", str(snap), "--now", now, "--json", "--lang", "en",
              env={"ENVCHECK_HOME": str(tmp_path / "home")})
    assert res.returncode in (0, 1, 3), res.stderr
    report = json.loads(res.stdout)
    check = next(c for c in report["checks"] if c["id"] == cid)
    return res.returncode, report["verdict"], check


def test_fedora42_fails_os_supported_the_day_after_its_end(cli, tmp_path):
    rc, verdict, check = _cli_status(cli, tmp_path, "fedora42", "2026-05-28T00:00:00Z", "os.supported")
    assert (check["status"], check["code"]) == ("fail", "ended")
    assert check["summary"]["en"].startswith("Support for Fedora Linux 42 (Forty Two) ended on 2026-05-27.")
    assert (rc, verdict) == (1, "fail")


def test_fedora42_on_its_last_day_only_warns(cli, tmp_path):
    _, _, check = _cli_status(cli, tmp_path, "fedora42", "2026-05-27T23:59:59Z", "os.supported")
    assert (check["status"], check["code"]) == ("warn", "ending_soon")
    assert check["evidence"] == {"os": "linux", "name": "Fedora Linux 42 (Forty Two)", "product": "fedora",
                                 "version": "42"}


def test_fedora42_the_day_before_its_end_warns(cli, tmp_path):
    _, _, check = _cli_status(cli, tmp_path, "fedora42", "2026-05-26T12:00:00Z", "os.supported")
    assert (check["status"], check["code"]) == ("warn", "ending_soon")


def test_fedora42_warning_starts_eos_warn_days_before_the_end(rules):
    # end 2026-05-27, eos_warn_days 90: the last quiet day is 2026-02-26.
    assert rules.threshold("eos_warn_days") == 90
    _, run = _run(FIXTURES / "fedora42", rules, now="2026-02-26T12:00:00Z")
    assert (_check(run, "os.supported")["status"], _check(run, "os.supported")["code"]) == ("pass", "supported")
    _, run = _run(FIXTURES / "fedora42", rules, now="2026-02-27T00:00:00Z")
    assert _check(run, "os.supported")["status"] == "warn"


def test_fedora42_rules_table_not_os_release_support_end_decides(rules):
    # os-release says SUPPORT_END=2026-05-13; the rules' end (2026-05-27) is what counts.
    _, run = _run(FIXTURES / "fedora42", rules, now="2026-05-20T00:00:00Z")
    assert _check(run, "os.supported")["status"] == "warn"


def test_fedora42_pending_security_advisories_fail_os_patched(rules):
    _, run = _run(FIXTURES / "fedora42", rules)
    check = _check(run, "os.patched")
    assert (check["status"], check["code"]) == ("fail", "security_pending")
    assert check["evidence"]["pending_security"] == 8


# ------------------------------------------------------------------ RHEL 9.6 matched by major version

def test_rhel_9_6_is_judged_by_the_rhel_9_row(rules):
    _, run = _run(FIXTURES / "rhel9", rules)
    check = _check(run, "os.supported")
    assert check["evidence"] == {"os": "linux", "name": "Red Hat Enterprise Linux 9.6 (Plow)", "product": "rhel",
                                 "version": "9.6"}
    assert (check["status"], check["code"]) == ("pass", "supported")
    assert "2032-05-31" in check["summary"]["en"]


def test_rhel_firewalld_read_through_systemctl_when_polkit_refuses(rules):
    _, run = _run(FIXTURES / "rhel9", rules)
    assert _check(run, "firewall.enabled")["evidence"]["firewalls"] == [
        {"name": "firewalld", "on": True, "detail": {}, "note": "systemctl is-active firewalld"}]


def test_rhel_dnf_metadata_time_counts_as_the_package_lists_refresh(rules):
    _, run = _run(FIXTURES / "rhel9", rules)
    check = _check(run, "os.patched")
    assert (check["status"], check["code"]) == ("pass", "linux_current")
    assert check["evidence"]["lists_refreshed"] == "2026-08-19"


def test_rhel_whole_report_passes_via_cli(cli, tmp_path):
    rc, verdict, _ = _cli_status(cli, tmp_path, "rhel9", "2026-08-20T09:00:00Z", "os.supported")
    assert (rc, verdict) == (0, "pass")
