"""The live Linux path on this machine, through the installed `envcheck` command."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from envcheck.ruleset.loader import CHECK_IDS

pytestmark = [pytest.mark.live,
              pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the live Linux path needs Linux")]

NOW = "2026-11-24T12:00:00Z"


def _env(tmp_path):
    return {"ENVCHECK_HOME": str(tmp_path / "home"), "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"}


def _check(cli, tmp_path, *extra):
    res = cli("check", "--offline", "--json", "--now", NOW, *extra, env=_env(tmp_path))
    assert res.returncode in (0, 1, 3), f"exit {res.returncode}: {res.stderr}"
    assert "Traceback" not in res.stderr
    return res.returncode, json.loads(res.stdout)


def test_live_check_exits_with_a_verdict_status_and_reports_every_check(cli, tmp_path):
    rc, report = _check(cli, tmp_path)
    assert report["format"] == "envcheck.report/1"
    assert report["checker"]["platform"] == "linux"
    assert [c["id"] for c in report["checks"]] == list(CHECK_IDS)
    assert rc == {"pass": 0, "fail": 1, "incomplete": 3}[report["verdict"]]
    for c in report["checks"]:
        assert c["status"] in ("pass", "warn", "fail", "unknown", "skipped"), c
        assert c["summary"]["ja"].strip() and c["summary"]["en"].strip(), c["id"]
    statuses = {c["id"]: c["status"] for c in report["checks"]}
    assert statuses["network.reachable"] == "skipped"  # --offline


def test_live_os_facts_match_this_machines_os_release(cli, tmp_path):
    from envcheck.facts._linux_parse import parse_os_release

    for path in ("/etc/os-release", "/usr/lib/os-release"):
        try:
            rel = parse_os_release(Path(path).read_text(encoding="utf-8"))
            break
        except FileNotFoundError:
            continue
    else:
        pytest.skip("this machine has no os-release")
    _, report = _check(cli, tmp_path)
    ev = next(c for c in report["checks"] if c["id"] == "os.supported")["evidence"]
    assert (ev["product"], ev["version"]) == (rel["ID"].lower(), rel.get("VERSION_ID") or None)


def test_snapshot_replayed_gives_the_live_statuses(cli, tmp_path):
    rc, live = _check(cli, tmp_path)
    snap = tmp_path / "snap.json"
    res = cli("snapshot", "--offline", "--out", str(snap), env=_env(tmp_path))
    assert res.returncode == 0, res.stderr
    doc = json.loads(snap.read_text())
    assert doc["format"] == "envcheck.snapshot/1" and doc["platform"] == "linux"
    assert "net.reach" not in doc["probes"]
    res = cli("check", "--replay", str(snap), "--json", "--now", NOW, env=_env(tmp_path))
    assert res.returncode in (0, 1, 3), res.stderr
    replayed = json.loads(res.stdout)
    assert {c["id"]: c["status"] for c in replayed["checks"]} == {c["id"]: c["status"] for c in live["checks"]}
    assert replayed["verdict"] == live["verdict"]
    assert res.returncode == rc
