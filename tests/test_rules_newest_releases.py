"""The shipped rules know the releases of autumn 2026: Windows 11 26H2 and macOS 27 are judged, not unknown.

Dates: Windows 11 26H2 reached general availability on 2026-09-29 (build 26300.9457, day-one
update 26300.9550); macOS 27 shipped on 2026-09-14, Tahoe 26.7.1 / Sequoia 15.8.1 on
2026-09-28 (rules/lifecycle.toml, rules/updates.toml cite each). The built-in set is used
as shipped (its own as_of), on 2026-12-02 and every day of the year after its as_of.
"""

from datetime import datetime, timedelta, timezone

import pytest
from snapshots import FIXTURES, snapshot_from_folder

from envcheck.checks import judge
from envcheck.ruleset.loader import load_rules

DAY = datetime(2026, 12, 2, 12, tzinfo=timezone.utc)
WIN = {"os": "windows", "name": "Windows 11 Pro", "product": "Windows 11", "version": "26H2", "build": 26300,
       "edition": "Professional"}


def _agent(day: datetime, source: str = "wua") -> dict:
    """The OS update agent's record of a clean scan the day before (the shape the facts layer gives)."""
    return {"source": source, "last_check": str((day - timedelta(days=1)).date()),
            "last_install": str((day - timedelta(days=5)).date()), "pending_security": 0, "pending_names": [],
            "reboot_required": False, "paused_until": None, "managed": None}


@pytest.fixture(scope="module")
def shipped():
    return load_rules()


@pytest.mark.parametrize("edition, revision", [("Professional", 9457), ("Professional", 9550),
                                               ("Enterprise", 9550), ("Core", 9457)])
def test_a_windows_11_26h2_machine_is_judged_on_2026_12_02(shipped, edition, revision):
    ev = {**WIN, "edition": edition, "revision": revision}
    sup = judge("os.supported", ev, shipped, DAY, "windows")
    pat = judge("os.patched", ev, shipped, DAY, "windows")
    assert (sup.status, sup.code) == ("pass", "supported")
    assert sup.params["end"] == ("2029-10-09" if edition == "Enterprise" else "2028-10-10")
    # On 2026-12-02 the Windows tables (as of 2026-09-29) are past their monthly cadence + grace: they
    # cannot know October's and November's updates, so the level alone is not a pass (issue 12) ...
    assert (pat.status, pat.code) == ("unknown", "rules_stale"), pat.params
    # ... and the machine's own update agent, having found nothing missing yesterday, makes it one.
    confirmed = judge("os.patched", {**ev, "agent": _agent(DAY)}, shipped, DAY, "windows")
    assert (confirmed.status, confirmed.code) == ("pass", "agent_current"), confirmed.params


def test_a_26h2_machine_below_its_release_build_is_not_passed(shipped):
    pat = judge("os.patched", {**WIN, "revision": 9000}, shipped, DAY, "windows")
    assert pat.status in ("warn", "fail") and pat.params["latest"].startswith("26300.9457")


def test_a_macos_27_machine_from_its_real_sw_vers_is_judged_on_2026_12_02(shipped):
    from envcheck import facts as facts_mod
    from envcheck.checks import evaluate
    from envcheck.probes import ReplayHost

    snap = snapshot_from_folder(FIXTURES / "macos26_tahoe", "darwin")
    text = (FIXTURES / "sources" / "macos_sw_vers_27_0_golden_gate.txt").read_text(encoding="utf-8")
    snap["probes"]["mac.sw_vers"] = {"value": text.split("\n", 1)[1], "error": None}
    host = ReplayHost(snap)
    facts = facts_mod.collect("darwin", host.collect())
    assert facts.os.version == "27.0"
    got = {r.id: (r.status, r.code) for r in evaluate(facts, shipped, DAY)}
    assert got["os.supported"] == ("pass", "supported_open")
    assert got["os.patched"] == ("pass", "current")


@pytest.mark.parametrize("version, expect", [("26.7", ("fail", "behind")), ("26.7.1", ("pass", "current")),
                                             ("15.8.1", ("pass", "current")), ("15.7.9", ("fail", "behind"))])
def test_the_other_macos_lines_know_their_september_updates(shipped, version, expect):
    ev = {"os": "macos", "name": f"macOS {version}", "product": "macOS", "version": version}
    got = judge("os.patched", ev, shipped, DAY, "darwin")
    assert (got.status, got.code) == expect, got.params


def test_newest_releases_are_judged_on_every_day_from_as_of_to_the_stale_date(shipped):
    """No gap in the freshness window: the shipped set vouches for them until as_of + stale_after_days."""
    mac = {"os": "macos", "name": "macOS 27.0", "product": "macOS", "version": "27.0"}
    win = {**WIN, "revision": 9550}
    day = datetime.combine(shipped.as_of, datetime.min.time(), tzinfo=timezone.utc) + timedelta(hours=12)
    last = shipped.as_of + timedelta(days=shipped.stale_after_days)
    assert last >= DAY.date() + timedelta(days=7), "the shipped set must stay fresh well past the release day"
    while day.date() <= last:
        for ev, plat in ((mac, "darwin"), (win, "windows")):
            for cid in ("os.supported", "os.patched"):
                # Past the family's freshness the level alone proves nothing: the agent's record decides.
                agent = _agent(day, "wua" if plat == "windows" else "softwareupdate")
                with_agent = ev if day.date() <= shipped.fresh_until(ev["os"]) else {**ev, "agent": agent}
                assert judge(cid, with_agent, shipped, day, plat).status != "unknown", (cid, ev["name"], day)
        day += timedelta(days=1)
    assert judge("os.patched", mac, shipped, day, "darwin").code == "rules_stale"  # and then it says so
