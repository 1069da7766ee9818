"""Old rules cannot vouch for the newest update: at the newest level they know, the answer is unknown."""

from datetime import datetime, timedelta, timezone

from envcheck.checks import judge
from envcheck.ruleset import load_rules


def _at(rules, days_after_as_of):
    d = rules.as_of + timedelta(days=days_after_as_of)
    return datetime(d.year, d.month, d.day, 12, tzinfo=timezone.utc)


def test_newest_known_update_passes_while_rules_are_fresh_and_is_unknown_once_they_are_stale():
    rules = load_rules()  # the shipped set, with its own as_of
    newest = max((u for u in rules.windows_updates if u["build"] == 26100 and u.get("kind") != "preview"),
                 key=lambda u: u["released"])
    ev = {"os": "windows", "name": "Windows 11 Pro", "product": "Windows 11", "version": "24H2", "build": 26100,
          "revision": newest["revision"], "edition": "Professional"}
    fresh = judge("os.patched", ev, rules, _at(rules, rules.stale_after_days), "windows")
    stale = judge("os.patched", ev, rules, _at(rules, rules.stale_after_days + 1), "windows")
    assert (fresh.status, fresh.code) == ("pass", "current")
    assert (stale.status, stale.code) == ("unknown", "rules_stale")
    assert stale.params["as_of"] == rules.as_of.isoformat()
    newer = judge("os.patched", {**ev, "revision": newest["revision"] + 100}, rules,
                  _at(rules, rules.stale_after_days + 1), "windows")
    assert (newer.status, newer.code) == ("pass", "current")  # a machine ahead of the rules is patched
