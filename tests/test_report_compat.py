"""Adding a check never forces every checker and the service to upgrade on the same day: a report
with a check id this version does not know (a newer checker's) is accepted and that check ignored;
a report without a check this version knows (an older checker's) is accepted and the missing check
is `unknown` when re-judged, so leaving a check out can never pass it."""

from __future__ import annotations

import copy
import json
from datetime import datetime, timezone

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from envcheck.checks import rejudge
from envcheck.report.schema import InvalidReport, validate_report
from envcheck.report.signing import sign_report, verify_report
from snapshots import FIXTURES, snapshot_from_folder

NOW = datetime(2026, 8, 20, 9, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def report(rules):
    from envcheck.pipeline import run_check
    from envcheck.probes import ReplayHost, parse_snapshot

    snap = parse_snapshot(json.dumps(snapshot_from_folder(FIXTURES / "rhel9", "linux")))
    return run_check(ReplayHost(snap), rules, now=NOW, seeker_no="01234-00005678").report


def _signed(doc: dict) -> dict:
    unsigned = {k: v for k, v in doc.items() if k != "signature"}
    return sign_report(unsigned, Ed25519PrivateKey.generate())


def test_a_newer_checkers_extra_check_is_accepted_and_ignored(report, rules):
    newer = copy.deepcopy(report)
    extra = {**copy.deepcopy(newer["checks"][0]), "id": "network.vpn_split", "status": "pass",
             "evidence": {"whatever": "a newer checker decided"}}
    newer["checks"].append(extra)
    verify_report(_signed(newer))  # signature and shape: the current service takes it
    verdict, statuses = rejudge(newer, rules)
    assert "network.vpn_split" not in statuses
    assert (verdict, statuses) == rejudge(report, rules)


def test_an_older_checkers_report_without_a_check_is_accepted_and_that_check_unknown(report, rules):
    older = copy.deepcopy(report)
    older["checks"] = [c for c in older["checks"] if c["id"] != "network.wifi"]
    verify_report(_signed(older))
    verdict, statuses = rejudge(older, rules)
    assert statuses["network.wifi"] == "unknown"
    assert rejudge(report, rules)[0] == "pass" and verdict == "incomplete"  # required check: never a pass


def test_an_older_checkers_not_on_wifi_without_its_basis_is_unknown(report, rules):
    # Before issue 11 the evidence was {"connected": false} even when netsh could not be read.
    older = copy.deepcopy(report)
    wifi = next(c for c in older["checks"] if c["id"] == "network.wifi")
    assert wifi["evidence"]["connected"] is False and wifi["evidence"]["basis"]
    wifi["evidence"] = {"connected": False}
    assert rejudge(older, rules)[1]["network.wifi"] == "unknown"


@pytest.mark.parametrize("bad_id", [None, 7, "", "Network.Wifi", "a" * 200, "no_dot", "x.y.z.w.v", "<script>.x"])
def test_check_ids_are_still_bounded(report, bad_id):
    doc = copy.deepcopy(report)
    doc["checks"][0]["id"] = bad_id
    with pytest.raises(InvalidReport):
        validate_report(doc, require_signature=False)


def test_the_number_of_checks_is_bounded(report):
    doc = copy.deepcopy(report)
    doc["checks"] = doc["checks"] + [{**doc["checks"][0], "id": f"extra.c{i}"} for i in range(64)]
    with pytest.raises(InvalidReport):
        validate_report(doc, require_signature=False)


def test_a_check_id_twice_is_still_refused(report):
    doc = copy.deepcopy(report)
    doc["checks"].append(copy.deepcopy(doc["checks"][0]))
    with pytest.raises(InvalidReport):
        validate_report(doc, require_signature=False)
