"""recording.absent, zoom.installed, zoom.updated, browser.updated.

Evidence carries only the items that matched a signature, never the software
list; deciding re-matches those items, so newer rules can clear a name that
an older checker flagged.
"""

from __future__ import annotations

from datetime import datetime

from envcheck.checks._base import (
    Decision,
    items,
    leading_version,
    matches_item,
    matches_process,
    names,
    unknown_fact,
)
from envcheck.facts.model import Facts, Unknown
from envcheck.ruleset.loader import Rules, Signature


def _scan(facts: Facts, sigs: tuple[Signature, ...], installed: bool) -> dict:
    found, sources = [], {}
    if installed:
        if isinstance(facts.software, Unknown):
            sources["installed"] = facts.software.reason[:200]
        else:
            sources["installed"] = "ok"
            for s in facts.software:
                # The first signature that matches names the item: specific products come before family rules.
                for sig in sigs:
                    if matches_item(sig, s.name, s.kind, s.ident, facts.platform):
                        found.append({"name": sig.name, "item": s.name, "kind": s.kind, "ident": s.ident,
                                      "version": s.version})
                        break
    if isinstance(facts.processes, Unknown):
        sources["processes"] = facts.processes.reason[:200]
    else:
        sources["processes"] = "ok"
        for proc in facts.processes:
            for sig in sigs:
                if matches_process(sig, proc, facts.platform):
                    found.append({"name": sig.name, "item": proc, "kind": "process", "ident": None, "version": None})
                    break
    return {"found": found, "sources": sources}


def _still_matching(ev: dict, sigs: tuple[Signature, ...], platform: str) -> list[dict]:
    out = []
    for f in items(ev, "found"):
        item, kind = str(f.get("item", "")), str(f.get("kind", ""))
        for sig in sigs:
            hit = (matches_process(sig, item, platform) if kind == "process"
                   else matches_item(sig, item, kind, f.get("ident"), platform))
            if hit:
                out.append({**f, "name": sig.name})
                break
    return out


def _decide_absent(ev: dict, sigs: tuple[Signature, ...], platform: str) -> Decision:
    found = _still_matching(ev, sigs, platform)
    if found:
        return Decision("fail", "found", {"names": names(found), "items": names(found, "item")})
    sources = ev["sources"] if isinstance(ev.get("sources"), dict) else {}
    bad = {k: v for k, v in sources.items() if v != "ok"}
    if bad or not sources:
        return Decision("unknown", "partial", {"reason": "; ".join(f"{k}: {v}" for k, v in bad.items()) or "-"})
    return Decision("pass", "none", {})


def extract_recording(facts: Facts, rules: Rules) -> dict:
    return _scan(facts, rules.recording, installed=False)


def decide_recording(ev: dict, rules: Rules, now: datetime, platform: str) -> Decision:
    return _decide_absent(ev, rules.recording, platform)  # advisory: judge() shows it as a warning


def extract_zoom(facts: Facts, rules: Rules) -> dict:
    if isinstance(facts.software, Unknown):
        return unknown_fact(facts.software)
    installs = [{"item": s.name, "kind": s.kind, "ident": s.ident, "version": s.version}
                for s in facts.software if matches_item(rules.zoom, s.name, s.kind, s.ident, facts.platform)]
    return {"installs": installs}


def decide_zoom_installed(ev: dict, rules: Rules, now: datetime, platform: str) -> Decision:
    installs = items(ev, "installs")
    if installs:
        per_user = any(i.get("ident") == "HKCU" for i in installs)
        return Decision("pass", "installed_user" if per_user else "installed", {"items": names(installs, "item")})
    return Decision("fail", "missing", {})


def decide_zoom_updated(ev: dict, rules: Rules, now: datetime, platform: str) -> Decision:
    installs = items(ev, "installs")
    if not installs:
        return Decision("skipped", "not_installed", {})
    versions = [v for v in (leading_version(i.get("version")) for i in installs) if v is not None]
    minimum = rules.zoom_minimum(platform)
    if not versions:
        return Decision("unknown", "no_version", {"minimum": str(minimum)})
    best = max(versions)
    params = {"version": str(best), "minimum": str(minimum)}
    return Decision("pass", "current", params) if best >= minimum else Decision("fail", "old", params)


def extract_browsers(facts: Facts, rules: Rules) -> dict:
    if isinstance(facts.software, Unknown):
        return unknown_fact(facts.software)
    found = []
    for s in facts.software:
        for sig in rules.browsers:
            if matches_item(sig, s.name, s.kind, s.ident, facts.platform):
                found.append({"name": sig.name, "item": s.name, "version": s.version})
                break
    return {"browsers": found}


def decide_browsers(ev: dict, rules: Rules, now: datetime, platform: str) -> Decision:
    browsers = items(ev, "browsers")
    if not browsers:
        return Decision("skipped", "none", {})
    minimums = {name: (low, esr) for name, low, esr in rules.browser_minimums}
    old, unread = [], []
    for b in browsers:
        text = str(b.get("version") or "")
        # Ubuntu's "firefox" deb is a placeholder for the snap ("1:1snap1-…"): its version says nothing.
        v = None if "snap" in text else leading_version(text)
        mins = minimums.get(str(b.get("name")))
        if mins is None:
            continue
        if v is None:
            unread.append(b)
            continue
        # An extended-support line (Firefox ESR) has its own, lower minimum; distributions such as
        # RHEL ship ESR without "esr" in the version, so the ESR major decides too.
        low, esr = mins
        if esr is not None and ("esr" in text.lower() or v.release[0] == esr.release[0]):
            low = esr
        if v < low:
            old.append(f"{b['name']} {v} (< {low})")
    if old:
        return Decision("fail", "old", {"names": ", ".join(old)})
    if unread:
        return Decision("unknown", "no_version", {"names": names(unread)})
    return Decision("pass", "current", {"names": names(browsers)})

