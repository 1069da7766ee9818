"""Safety properties of the date-based verdicts, on every evaluation date from the rules' as_of to a year later.

- No level below the newest release that is older than the grace period ever passes, whatever the OS's own
  update agent says (Windows builds, macOS majors), and on Linux no pending security update passes.
- At or above the newest known level, once the tables are older than cadence + grace, only a recent, clear
  check by the OS's own agent passes.
- An unknown never becomes a pass: unknown evidence, an unreadable agent, an unknown pending count.
- A release past its end of support never passes; an open-ended row never passes after a major cycle.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from hypothesis import given, settings
from hypothesis import strategies as st

from envcheck.checks import judge
from envcheck.checks.system import mac_level
from envcheck.ruleset.loader import load_rules

RULES = load_rules()
SETTINGS = settings(max_examples=300, deadline=None)
GRACE = RULES.threshold("patch_grace_days")
WIN_BUILDS = sorted({u["build"] for u in RULES.windows_updates})
MAC_MAJORS = sorted({u["version"].split(".")[0] for u in RULES.macos_releases})

days = st.integers(min_value=0, max_value=365)


def _at(offset: int) -> datetime:
    d = RULES.as_of + timedelta(days=offset)
    return datetime(d.year, d.month, d.day, 12, tzinfo=timezone.utc)


@st.composite
def agents(draw, today: date | None = None):
    """Anything an update agent may report, including garbage and 'could not read'."""
    if draw(st.booleans()):
        return draw(st.sampled_from([None, {}, {"unknown": "0x8024402C"}, "garbage", []]))
    def when():
        return draw(st.one_of(st.none(), st.just("-"), st.dates(date(2020, 1, 1), date(2028, 1, 1)).map(str)))

    return {"source": draw(st.sampled_from(["wua", "softwareupdate"])), "last_check": when(),
            "pending_security": draw(st.one_of(st.none(), st.integers(-2, 5), st.booleans(), st.text(max_size=3))),
            "pending_names": draw(st.lists(st.text(max_size=20), max_size=3)),
            "reboot_required": draw(st.one_of(st.none(), st.booleans())), "paused_until": when(),
            "managed": draw(st.sampled_from([None, "wsus", "deferral", ""]))}


def _required(releases, today):
    return [r for r in releases if r[1] <= today - timedelta(days=GRACE)]


@SETTINGS
@given(build=st.sampled_from(WIN_BUILDS), offset=days, data=st.data())
def test_windows_level_below_the_newest_release_older_than_grace_never_passes(build, offset, data):
    now = _at(offset)
    rel = sorted(((u["revision"], u["released"]) for u in RULES.windows_updates
                  if u["build"] == build and u.get("kind") != "preview"), key=lambda x: x[1])
    req = _required(rel, now.date())
    if not req:
        return
    revision = data.draw(st.integers(0, req[-1][0] - 1))
    ev = {"os": "windows", "name": "Windows", "product": "Windows 11" if build >= 22000 else "Windows 10",
          "build": build, "revision": revision, "edition": "Core", "agent": data.draw(agents())}
    d = judge("os.patched", ev, RULES, now, "windows")
    assert d.status == "fail", (ev, d)


@SETTINGS
@given(major=st.sampled_from(MAC_MAJORS), offset=days, data=st.data())
def test_macos_level_below_the_newest_release_older_than_grace_never_passes(major, offset, data):
    now = _at(offset)
    rel = sorted(((mac_level(u["version"]), u["released"], u["version"]) for u in RULES.macos_releases
                  if u["version"].split(".")[0] == major and u.get("security", True)), key=lambda x: x[1])
    req = _required(rel, now.date())
    if not req:
        return
    below = [r[2] for r in rel if r[0] < req[-1][0]]
    if not below:
        return
    version = data.draw(st.sampled_from(below))
    ev = {"os": "macos", "name": f"macOS {version}", "product": "macOS", "version": version,
          "agent": data.draw(agents())}
    if data.draw(st.booleans()):
        ev["rsr"] = "(a)"  # a Rapid Security Response on an old base is still below the next release
    d = judge("os.patched", ev, RULES, now, "darwin")
    assert d.status == "fail", (ev, d)


@SETTINGS
@given(build=st.sampled_from(WIN_BUILDS), offset=days, above=st.integers(0, 500), data=st.data())
def test_at_or_above_newest_a_stale_table_passes_only_on_a_recent_clear_agent_check(build, offset, above, data):
    now = _at(offset)
    newest = max((u for u in RULES.windows_updates if u["build"] == build and u.get("kind") != "preview"),
                 key=lambda u: u["released"])
    agent = data.draw(agents())
    ev = {"os": "windows", "name": "Windows", "product": "Windows 11", "build": build,
          "revision": newest["revision"] + above, "edition": "Core", "agent": agent}
    d = judge("os.patched", ev, RULES, now, "windows")
    if now.date() <= RULES.fresh_until("windows"):
        return
    if d.status == "pass":
        assert d.code == "agent_current"
        last = date.fromisoformat(agent["last_check"])
        assert (now.date() - last).days <= RULES.fresh("windows").agent_max_age_days
        assert agent["pending_security"] == 0 and agent["pending_security"] is not False
        assert agent["reboot_required"] is not True and not agent["managed"]


@SETTINGS
@given(offset=days, data=st.data())
def test_unknown_evidence_or_an_unreadable_agent_never_passes_on_stale_tables(offset, data):
    now = _at(offset)
    assert judge("os.patched", {"unknown": data.draw(st.text(max_size=20))}, RULES, now, "windows").status == "unknown"
    assert judge("os.supported", {"unknown": "x"}, RULES, now, "darwin").status == "unknown"
    newest = max((u for u in RULES.windows_updates if u["build"] == 26200 and u.get("kind") != "preview"),
                 key=lambda u: u["released"])
    agent = data.draw(agents())
    if isinstance(agent, dict):
        agent["pending_security"] = None  # the agent could not tell what is pending
    ev = {"os": "windows", "name": "Windows 11", "product": "Windows 11", "build": 26200,
          "revision": newest["revision"], "edition": "Core", "agent": agent}
    d = judge("os.patched", ev, RULES, now, "windows")
    if now.date() > RULES.fresh_until("windows"):
        assert d.status == "unknown", d


@SETTINGS
@given(offset=days, pending=st.integers(1, 50), data=st.data())
def test_linux_never_passes_with_pending_security_updates_or_an_old_upgrade(offset, pending, data):
    now = _at(offset)
    recent = (now.date() - timedelta(days=data.draw(st.integers(0, 3)))).isoformat()
    ev = {"os": "linux", "name": "Ubuntu", "last_upgrade": recent, "lists_refreshed": recent,
          "pending_security": pending}
    assert judge("os.patched", ev, RULES, now, "linux").status == "fail"
    old = (now.date() - timedelta(days=RULES.threshold("linux_max_upgrade_age_days") + 1)).isoformat()
    ev.update(pending_security=0, last_upgrade=old)
    assert judge("os.patched", ev, RULES, now, "linux").status != "pass"
    ev.update(pending_security=None, last_upgrade=recent, pending_unknown="apt failed")
    assert judge("os.patched", ev, RULES, now, "linux").status == "unknown"


def _supported_cases():
    for r in RULES.windows_lifecycle:
        ed = {"consumer": "Core", "enterprise": "Enterprise", "ltsc": "EnterpriseS", "iot_ltsc": "IoTEnterpriseS"}
        yield r, "windows", {"os": "windows", "name": r["product"], "product": r["product"], "build": r["build"],
                             "edition": ed[r["family"]]}
    for r in RULES.macos_lifecycle:
        yield r, "darwin", {"os": "macos", "name": r["name"], "product": "macOS", "version": r["major"] + ".1"}
    for r in RULES.linux_lifecycle:
        if r.get("match") != "any":
            yield r, "linux", {"os": "linux", "name": r["name"], "product": r["distro"], "version": r["version"]}


CASES = list(_supported_cases())


@SETTINGS
@given(case=st.sampled_from(CASES), offset=days)
def test_no_release_past_its_end_passes_and_open_rows_expire(case, offset):
    row, platform, ev = case
    now = _at(offset)
    d = judge("os.supported", ev, RULES, now, platform)
    end = row.get("lts_end") or row.get("end")
    if end is not None and now.date() > end:
        assert d.status == "fail", (row, d)
    if end is None and not row.get("rolling"):
        fam = ev["os"]
        if now.date() > RULES.as_of + timedelta(days=RULES.fresh(fam).major_cadence_days):
            assert d.status != "pass", (row, d)


@SETTINGS
@given(offset=days, build=st.integers(1, 10239), data=st.data())
def test_releases_older_than_the_oldest_row_fail(offset, build, data):
    now = _at(offset)
    ev = {"os": "windows", "name": "Windows 7", "product": "Windows 10", "build": build, "edition": "Professional"}
    assert judge("os.supported", ev, RULES, now, "windows").status == "fail"
    minor = data.draw(st.integers(0, 10))
    mac = {"os": "macos", "name": f"OS X 10.{minor}", "product": "macOS", "version": f"10.{minor}.5"}
    assert judge("os.supported", mac, RULES, now, "darwin").status == "fail"
    ubuntu = {"os": "linux", "name": "Ubuntu", "product": "ubuntu", "version": f"{data.draw(st.integers(4, 13))}.04"}
    assert judge("os.supported", ubuntu, RULES, now, "linux").status == "fail"
