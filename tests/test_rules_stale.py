"""Old rules cannot vouch for the newest update: at (or above) the newest level they know, once they are
older than the OS family's release cadence plus grace, the answer is unknown unless the OS's own agent
confirms nothing is pending."""

from datetime import datetime, timedelta, timezone

from envcheck.checks import judge
from envcheck.ruleset.loader import load_rules


def _at(d):
    return datetime(d.year, d.month, d.day, 12, tzinfo=timezone.utc)


def _newest_24h2(rules):
    newest = max((u for u in rules.windows_updates if u["build"] == 26100 and u.get("kind") != "preview"),
                 key=lambda u: u["released"])
    return {"os": "windows", "name": "Windows 11 Pro", "product": "Windows 11", "version": "24H2", "build": 26100,
            "revision": newest["revision"], "edition": "Professional"}


def test_newest_known_update_passes_while_rules_are_fresh_and_is_unknown_once_they_are_stale():
    rules = load_rules()  # the shipped set, with its own as_of
    ev = _newest_24h2(rules)
    last_fresh = rules.fresh_until("windows")
    assert last_fresh == rules.as_of + timedelta(days=35 + 21)  # a Patch Tuesday cycle plus the grace period
    fresh = judge("os.patched", ev, rules, _at(last_fresh), "windows")
    stale = judge("os.patched", ev, rules, _at(last_fresh + timedelta(days=1)), "windows")
    assert (fresh.status, fresh.code) == ("pass", "current")
    assert (stale.status, stale.code) == ("unknown", "rules_stale")
    assert stale.params["as_of"] == rules.as_of.isoformat()


def test_a_level_above_the_newest_known_is_no_pass_on_its_own_once_the_rules_are_stale():
    rules = load_rules()
    ev = {**_newest_24h2(rules), "revision": _newest_24h2(rules)["revision"] + 100}
    day_after = rules.fresh_until("windows") + timedelta(days=1)
    assert judge("os.patched", ev, rules, _at(rules.fresh_until("windows")), "windows").status == "pass"
    newer = judge("os.patched", ev, rules, _at(day_after), "windows")
    assert (newer.status, newer.code) == ("unknown", "rules_stale")
    agent = {"source": "wua", "last_check": (day_after - timedelta(days=2)).isoformat(), "pending_security": 0,
             "pending_names": [], "reboot_required": False, "paused_until": None, "managed": None}
    confirmed = judge("os.patched", {**ev, "agent": agent}, rules, _at(day_after), "windows")
    assert (confirmed.status, confirmed.code) == ("pass", "agent_current")
