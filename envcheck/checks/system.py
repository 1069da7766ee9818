"""os.supported and os.patched: the OS release is in support and has its security updates."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import Any

from packaging.version import Version

from envcheck.checks._base import (Decision, day, leading_version, parse_day, unknown, unknown_fact, unknown_of)
from envcheck.facts.model import Facts, LinuxUpdates, OsInfo, Unknown, UpdateAgent
from envcheck.ruleset.loader import Rules


def extract_supported(facts: Facts, rules: Rules) -> dict:
    return _os_evidence(facts)


def _os_evidence(facts: Facts) -> dict:
    if isinstance(facts.os, Unknown):
        return unknown_fact(facts.os)
    o: OsInfo = facts.os
    ev: dict[str, Any] = {"os": o.family, "name": o.name, "product": o.product, "version": o.version}
    if o.family == "windows":
        ev.update(build=int(o.build) if o.build and o.build.isdigit() else None, revision=o.revision,
                  edition=o.edition)
    elif o.family == "macos":
        ev["build"] = o.build
        # A Rapid Security Response shows as ProductVersionExtra "(a)" in the name.
        m = re.search(r"\(([a-z])\)\s*$", o.name or "")
        if m:
            ev["rsr"] = f"({m.group(1)})"
    return ev


def _macos_major(version: str | None) -> str | None:
    if not version:
        return None
    parts = version.split(".")
    return ".".join(parts[:2]) if parts[0] == "10" else parts[0]


def lifecycle_row(ev: dict, rules: Rules) -> dict | None:
    """The rules' lifecycle entry for this OS release, or None when the rules do not know it."""
    fam = ev.get("os")
    if fam == "windows":
        family = dict(rules.edition_families).get(str(ev.get("edition") or "").lower(), "consumer")
        rows = [r for r in rules.windows_lifecycle
                if r["build"] == ev.get("build") and r["product"] == ev.get("product")]
        return next((r for r in rows if r["family"] == family), None)
    if fam == "macos":
        major = _macos_major(ev.get("version"))
        return next((r for r in rules.macos_lifecycle if r["major"] == major), None)
    if fam == "linux":
        version = str(ev.get("version") or "")
        for r in rules.linux_lifecycle:
            if r["distro"] != ev.get("product"):
                continue
            match = r.get("match", "exact")
            if match == "any" or (version.split(".")[0] if match == "major" else version) == r["version"]:
                return r
    return None


def _release_key(ev: dict) -> tuple | None:
    """A comparable position of the release within its family (Windows build, macOS major, Linux VERSION_ID)."""
    if ev.get("os") == "windows":
        return (ev["build"],) if isinstance(ev.get("build"), int) else None
    text = _macos_major(ev.get("version")) if ev.get("os") == "macos" else ev.get("version")
    v = leading_version(text)
    return (v,) if v is not None else None


def oldest_listed(ev: dict, rules: Rules) -> dict | None:
    """The oldest lifecycle row of this family when the release is OLDER than every row (else None).

    Every family's history goes back at least ten years (rules/lifecycle.toml), so a release below
    all of it ended long ago: that is a plain fail, not "not in the rules".
    """
    fam, key = ev.get("os"), _release_key(ev)
    if key is None:
        return None
    if fam == "windows":
        rows = [((r["build"],), r) for r in rules.windows_lifecycle if r["product"] == ev.get("product")]
    elif fam == "macos":
        rows = [((leading_version(r["major"]),), r) for r in rules.macos_lifecycle]
    elif fam == "linux":
        rows = [((leading_version(r["version"]),), r) for r in rules.linux_lifecycle
                if r["distro"] == ev.get("product") and r.get("match", "exact") != "any"]
        # One os-release ID can hold two numberings (Linux Mint 17-22 and LMDE 4-7): compare within the
        # line whose name starts like this machine's own name, when the rules have one.
        word = str(ev.get("name") or "").split(" ")[0].lower()
        rows = [x for x in rows if str(x[1].get("name", "")).split(" ")[0].lower() == word] or rows
    else:
        return None
    rows = [(k, r) for k, r in rows if k[0] is not None]
    if not rows or key >= min(k for k, _ in rows):
        return None
    return min(rows, key=lambda x: x[0])[1]


def _open_row_holds(row: dict, ev: dict, rules: Rules, today: date) -> bool:
    """A row with no end date: true while the tables are fresh; after that only for the newest few open rows
    of the product (a vendor ends an old release when a new one ships, never its newest ones first)."""
    fam = str(ev.get("os"))
    if today <= rules.fresh_until(fam):
        return True
    f = rules.fresh(fam)
    if today > rules.as_of + timedelta(days=f.major_cadence_days) or f.open_rows_kept <= 0:
        return False
    if fam == "macos":
        rows = list(rules.macos_lifecycle)
    elif fam == "linux":
        rows = [r for r in rules.linux_lifecycle if r["distro"] == row.get("distro")]
    else:
        rows = [r for r in rules.windows_lifecycle if r["product"] == row.get("product")]
    open_rows = [r for r in rows if r.get("released") and not (r.get("end") or r.get("lts_end"))]
    newest = sorted(open_rows, key=lambda r: r["released"], reverse=True)
    return any(r is row for r in newest[:f.open_rows_kept])


def decide_supported(ev: dict, rules: Rules, now: datetime, platform: str) -> Decision:
    row = lifecycle_row(ev, rules)
    name = str(ev.get("name") or ev.get("product"))
    if ev.get("product") == "Windows Server":
        return Decision("unknown", "server", {"name": name})
    if row is None:
        oldest = oldest_listed(ev, rules)
        if oldest is not None:
            return Decision("fail", "older_than_listed", {"name": name, "oldest": str(oldest.get("name") or
                            f"{oldest.get('product')} {oldest.get('version')}")})
        return Decision("unknown", "not_in_rules", {"name": name, "rules_version": rules.version})
    # Debian LTS keeps shipping security updates in the same archive, free and with no
    # sign-up, so its end counts; paid extensions (Ubuntu ESM, Windows ESU) do not.
    end = row.get("lts_end") or row.get("end")
    if end is None:
        if row.get("rolling") or _open_row_holds(row, ev, rules, now.date()):
            return Decision("pass", "supported_open", {"name": name})
        # No end date was published as of the data; the vendor may have ended it since.
        return Decision("unknown", "support_unconfirmed", {"name": name, **_as_of(rules)})
    params = {"name": name, "end": end.isoformat(), "end_ja": ja_day(end)}
    today = now.date()
    if today > end:
        return Decision("fail", "ended", params)
    if today > end - timedelta(days=rules.threshold("eos_warn_days")):
        return Decision("warn", "ending_soon", params)
    if row.get("lts_end") and row.get("end") and today > row["end"]:
        return Decision("pass", "supported_lts", params)
    return Decision("pass", "supported", params)


def ja_day(d: date) -> str:
    """2026年11月10日: the date as a Japanese reader writes it."""
    return f"{d.year}年{d.month}月{d.day}日"


def _as_of(rules: Rules) -> dict:
    return {"as_of": rules.as_of.isoformat(), "as_of_ja": ja_day(rules.as_of)}


def mac_level(text: Any) -> tuple[Version, str] | None:
    """"13.4.1 (a)" -> (13.4.1, "a"): a Rapid Security Response sits above its base release, below the next."""
    v = leading_version(text)
    if v is None:
        return None
    m = re.search(r"\(([a-z])\)\s*$", str(text).strip())
    return v, m.group(1) if m else ""


def _patched_stream(ev: dict, rules: Rules) -> tuple[list[tuple[Any, date, str]], Any] | None:
    """(security releases as (level, date, label) sorted by date, installed level) for Windows/macOS."""
    if ev.get("os") == "windows":
        rows = [r for r in rules.windows_updates if r["build"] == ev.get("build") and r.get("kind") != "preview"]
        rel = [(r["revision"], r["released"],
                f"{r['build']}.{r['revision']}" + (f" ({r['kb']})" if r.get("kb") else ""))
               for r in rows]
        return sorted(rel, key=lambda x: x[1]), ev.get("revision")
    if ev.get("os") == "macos":
        major = _macos_major(ev.get("version"))
        rel = [(mac_level(r["version"]), r["released"], r["version"]) for r in rules.macos_releases
               if _macos_major(r["version"]) == major and r.get("security", True)]
        rsr = f"{ev.get('version')} {ev.get('rsr')}" if ev.get("rsr") else ev.get("version")
        return sorted([x for x in rel if x[0]], key=lambda x: x[1]), mac_level(rsr)
    return None


def decide_patched(ev: dict, rules: Rules, now: datetime, platform: str) -> Decision:
    if ev.get("os") == "linux":
        return _decide_linux(ev, rules, now)
    stream = _patched_stream(ev, rules)
    releases, installed = stream if stream else ([], None)
    shown = str(ev.get("name"))
    if installed is None:
        return Decision("unknown", "no_level", {"name": shown})
    today = now.date()
    out = [r for r in releases if r[1] <= today]
    if not out:
        return Decision("unknown", "not_in_rules", {"name": shown, "rules_version": rules.version})
    latest = out[-1]
    cutoff = today - timedelta(days=rules.threshold("patch_grace_days"))
    required = [r for r in out if r[1] <= cutoff]
    if ev.get("os") == "windows":
        level = f"{ev.get('build')}.{installed}"
    else:
        level = str(installed[0]) + (f" ({installed[1]})" if installed[1] else "")
    params = {"name": shown, "installed": level, "latest": latest[2], "latest_date": latest[1].isoformat(),
              "latest_date_ja": ja_day(latest[1])}
    if installed < latest[0]:
        if not required or installed >= required[-1][0]:
            return Decision("warn", "update_available", params)
        params.update(required=required[-1][2], required_date=required[-1][1].isoformat(),
                      required_date_ja=ja_day(required[-1][1]))
        return Decision("fail", "behind", params)
    # At (or above) the newest level the tables know. That proves "patched" only while the tables are
    # younger than the vendor's release cadence plus grace; after that the OS's own agent must say so.
    family = str(ev.get("os"))
    raw = ev.get("agent")
    agent: dict = raw if isinstance(raw, dict) else {}
    if today <= rules.fresh_until(family):
        if _count(agent.get("pending_security")):
            return Decision("warn", "agent_pending_fresh", {**params, **_pending_params(agent)})
        return Decision("pass", "current", params)
    return _decide_by_agent(agent, rules, family, today, {**params, **_as_of(rules)})


def _count(x: Any) -> int:
    return x if isinstance(x, int) and not isinstance(x, bool) and x > 0 else 0


def _pending_params(agent: dict) -> dict:
    raw = agent.get("pending_names")
    names: list = raw if isinstance(raw, list) else []
    return {"count": str(_count(agent.get("pending_security"))),
            "pending": "、".join(str(n)[:80] for n in names[:5]) or "-"}


def _decide_by_agent(agent: dict, rules: Rules, family: str, today: date, params: dict) -> Decision:
    """The tables are too old to vouch for "newest": what the OS's update agent last found decides."""
    if not agent or agent.get("unknown"):
        return Decision("unknown", "rules_stale", {**params, "reason": str(agent.get("unknown") or "-")[:200]})
    if _count(agent.get("pending_security")):
        return Decision("unknown", "agent_pending", {**params, **_pending_params(agent)})
    if agent.get("reboot_required") is True:
        return Decision("unknown", "restart_pending", params)
    paused = parse_day(agent.get("paused_until"))
    if paused is not None and paused >= today:
        return Decision("unknown", "updates_paused", {**params, "paused_until": paused.isoformat(),
                                                      "paused_until_ja": ja_day(paused)})
    if not isinstance(agent.get("pending_security"), int) or isinstance(agent.get("pending_security"), bool):
        return Decision("unknown", "agent_unreadable",
                        {**params, "reason": str(agent.get("pending_unknown") or "-")[:200]})
    last = parse_day(agent.get("last_check"))
    max_age = rules.fresh(family).agent_max_age_days
    if last is None or (today - last).days > max_age or agent.get("pending_security") != 0:
        shown = {"last_check": last.isoformat(), "last_check_ja": ja_day(last)} if last else \
            {"last_check": "-", "last_check_ja": "-"}
        return Decision("unknown", "agent_check_old", {**params, **shown, "days": str(max_age)})
    if agent.get("managed"):
        # WSUS shows only what an administrator approved; deferral policies hide fresh updates:
        # "nothing pending" there does not mean the vendor has nothing newer.
        return Decision("unknown", "managed", {**params, "managed": str(agent["managed"])[:40]})
    return Decision("pass", "agent_current", {**params, "last_check": last.isoformat(), "last_check_ja": ja_day(last)})


def _decide_linux(ev: dict, rules: Rules, now: datetime) -> Decision:
    pending = ev.get("pending_security")
    if isinstance(pending, int) and pending > 0:
        return Decision("fail", "security_pending", {"count": str(pending)})
    last = parse_day(ev.get("last_upgrade"))
    if last is None:
        return Decision("unknown", "no_upgrade_record", {})
    age = (now.date() - last).days
    params = {"last_upgrade": last.isoformat(), "days": str(max(age, 0))}
    if age > rules.threshold("linux_max_upgrade_age_days"):
        return Decision("fail", "no_recent_upgrade", params)
    if not isinstance(pending, int):
        return Decision("unknown", "pending_unknown", {"reason": str(ev.get("pending_unknown") or "")})
    lists = parse_day(ev.get("lists_refreshed"))
    if lists is None or (now.date() - lists).days > rules.threshold("linux_max_lists_age_days"):
        params["lists_refreshed"] = lists.isoformat() if lists else "-"
        return Decision("warn", "lists_stale", params)
    return Decision("pass", "linux_current", params)


def _agent_evidence(agent: UpdateAgent | Unknown | None) -> dict:
    if agent is None:
        return {"unknown": "not read"}
    if isinstance(agent, Unknown):
        return {"unknown": agent.reason[:200]}
    pending = agent.pending_security
    return {"source": agent.source, "last_check": day(agent.last_check), "last_install": day(agent.last_install),
            "pending_security": pending if isinstance(pending, int) else None,
            **({"pending_unknown": pending.reason[:200]} if isinstance(pending, Unknown) else {}),
            "pending_names": [n[:120] for n in agent.pending_names[:10]],
            "reboot_required": agent.reboot_required, "paused_until": day(agent.paused_until),
            "managed": agent.managed}


def extract_patched(facts: Facts, rules: Rules) -> dict:
    ev = _os_evidence(facts)
    if "unknown" in ev:
        return ev
    if ev.get("os") != "linux":
        return {**ev, "agent": _agent_evidence(facts.update_agent)}
    lu = facts.linux_updates
    if (u := unknown_of(lu)) or lu is None:
        return u or unknown("no update record")
    assert isinstance(lu, LinuxUpdates)
    ev = {"os": "linux", "name": ev["name"], "last_upgrade": day(lu.last_upgrade),
          "lists_refreshed": day(lu.lists_refreshed),
          "pending_security": lu.pending_security if isinstance(lu.pending_security, int) else None}
    if isinstance(lu.pending_security, Unknown):
        ev["pending_unknown"] = lu.pending_security.reason[:200]
    return ev

