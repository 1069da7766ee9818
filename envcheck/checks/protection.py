"""firewall.enabled, antivirus.active and antivirus.updated."""

from __future__ import annotations

from datetime import date, datetime

from envcheck.checks._base import Decision, day, items, matches_item, names, parse_day, unknown_fact
from envcheck.facts.model import Facts, Unknown
from envcheck.ruleset.loader import Rules


def extract_firewall(facts: Facts, rules: Rules) -> dict:
    if isinstance(facts.firewalls, Unknown):
        return unknown_fact(facts.firewalls)
    return {"firewalls": [{"name": f.name, "on": f.on, "detail": {k: v for k, v in f.detail},
                           "note": f.note} for f in facts.firewalls]}


def decide_firewall(ev: dict, rules: Rules, now: datetime, platform: str) -> Decision:
    fws = items(ev, "firewalls")
    on = [f for f in fws if f.get("on") is True]
    if on:
        return Decision("pass", "on", {"names": names(on)})
    if not fws:
        return Decision("fail", "none", {})
    unread = [f for f in fws if f.get("on") is not True and f.get("on") is not False]
    if unread:
        return Decision("unknown", "unreadable", {"names": names(unread),
                                                  "reason": "; ".join(str(f.get("note") or "") for f in unread)})
    off = {k for f in fws for k, v in (f.get("detail") or {}).items() if v is False and k in _PROFILE_JA}
    if not off:
        return Decision("fail", "off", {"names": names(fws)})
    order = [p for p in _PROFILE_JA if p in off]
    return Decision("fail", "off_profiles", {"names": names(fws),
                                             "profiles_ja": "・".join(_PROFILE_JA[p] for p in order),
                                             "profiles_en": ", ".join(order)})


# Windows Firewall's network profiles as Windows Security names them in Japanese.
_PROFILE_JA = {"domain": "ドメイン", "private": "プライベート", "public": "パブリック"}


def extract_antivirus(facts: Facts, rules: Rules) -> dict:
    if isinstance(facts.antivirus, Unknown):
        return unknown_fact(facts.antivirus)
    products = [{"name": p.name, "state": p.state, "up_to_date": p.up_to_date, "definitions": day(p.definitions),
                 "threats": p.threats, "source": p.source} for p in facts.antivirus]
    # Products with no OS registry (third-party antivirus on macOS and Linux) are found among the apps.
    if facts.platform != "windows" and isinstance(facts.software, tuple):
        for s in facts.software:
            for sig in rules.antivirus:
                if sig.name not in {p["name"] for p in products} and matches_item(
                        sig, s.name, s.kind, s.ident, facts.platform):
                    products.append({"name": sig.name, "state": "unknown", "up_to_date": None, "definitions": None,
                                     "threats": None, "source": "installed"})
    return {"products": products}


def accepted(rules: Rules, name: str, platform: str) -> str | None:
    """The accepted product's name that a reported product name matches, else None."""
    for sig in rules.antivirus:
        if platform in sig.platforms and (sig.name.lower() == name.lower() or any(p.search(name)
                                                                                  for p in sig.app_patterns)):
            return sig.name
    return None


def decide_antivirus(ev: dict, rules: Rules, now: datetime, platform: str) -> Decision:
    products = items(ev, "products")
    threats = [p for p in products if isinstance(p.get("threats"), int) and p["threats"] > 0]
    if threats:
        return Decision("fail", "threat", {"names": names(threats),
                                           "count": str(sum(p["threats"] for p in threats))})
    ok = [p for p in products if p.get("state") == "on" and accepted(rules, str(p.get("name")), platform)]
    if ok:
        return Decision("pass", "active", {"names": names(ok)})
    unlisted = [p for p in products if p.get("state") == "on"]
    if unlisted:
        return Decision("unknown", "unlisted", {"names": names(unlisted)})
    maybe = [p for p in products if p.get("state") == "unknown" and accepted(rules, str(p.get("name")), platform)]
    if maybe:
        return Decision("unknown", "state_unknown", {"names": names(maybe)})
    if not products:
        return Decision("fail", "none", {})
    return Decision("fail", "off", {"names": names(products)})


def _max_age(rules: Rules, product: dict) -> int:
    if product.get("source") == "xprotect":
        return rules.threshold("max_xprotect_age_days")
    return rules.threshold("max_definitions_age_days")


def decide_updated(ev: dict, rules: Rules, now: datetime, platform: str) -> Decision:
    products = items(ev, "products")
    active = [p for p in products if p.get("state") == "on" and accepted(rules, str(p.get("name")), platform)]
    if not active:
        # Skipped only when no accepted product is on as a read fact; an accepted product whose
        # state could not be read might be on with stale definitions.
        if any(p.get("state") not in ("on", "off", "snoozed", "expired") and accepted(rules, str(p.get("name")),
                                                                                      platform) for p in products):
            return Decision("unknown", "unreadable", {"names": names(
                [p for p in products if accepted(rules, str(p.get("name")), platform)])})
        return Decision("skipped", "no_antivirus", {})
    stale: list[tuple[dict, date | None, int | None]] = []  # (product, definitions' day, age in days)
    unread: list[dict] = []
    for p in active:
        when = parse_day(p.get("definitions"))
        if when is not None:
            age = (now.date() - when).days
            if age <= _max_age(rules, p):
                return Decision("pass", "fresh", {"name": str(p["name"]), "date": when.isoformat()})
            stale.append((p, when, age))
        elif p.get("up_to_date") is True:
            return Decision("pass", "fresh_flag", {"name": str(p["name"])})
        elif p.get("up_to_date") is False:
            stale.append((p, None, None))
        else:
            unread.append(p)
    if unread:
        return Decision("unknown", "unreadable", {"names": names(unread)})
    p, when, days = stale[0]
    if when is None:
        return Decision("fail", "outdated_flag", {"name": str(p["name"])})
    return Decision("fail", "old", {"name": str(p["name"]), "date": when.isoformat(), "days": str(days),
                                    "max_days": str(_max_age(rules, p))})

