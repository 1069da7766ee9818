"""os.supported and os.patched: the OS release is in support and has its security updates."""

from __future__ import annotations

from datetime import datetime, timedelta

from packaging.version import Version

from envcheck.checks._base import (Check, Decision, day, leading_version, parse_day, unknown, unknown_of)
from envcheck.facts.model import Facts, LinuxUpdates, OsInfo, Unknown
from envcheck.ruleset import Rules


def _os_evidence(facts: Facts) -> dict:
    if (u := unknown_of(facts.os)):
        return u
    o: OsInfo = facts.os
    ev = {"os": o.family, "name": o.name, "product": o.product, "version": o.version}
    if o.family == "windows":
        ev.update(build=int(o.build) if o.build and o.build.isdigit() else None, revision=o.revision,
                  edition=o.edition)
    elif o.family == "macos":
        ev["build"] = o.build
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
        rows = [r for r in rules.windows_lifecycle if r["build"] == ev.get("build") and r["product"] == ev.get("product")]
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


def decide_supported(ev: dict, rules: Rules, now: datetime, platform: str) -> Decision:
    if "unknown" in ev:
        return Decision("unknown", "unknown", {"reason": ev["unknown"]})
    row = lifecycle_row(ev, rules)
    name = str(ev.get("name") or ev.get("product"))
    if ev.get("product") == "Windows Server":
        return Decision("unknown", "server", {"name": name})
    if row is None:
        return Decision("unknown", "not_in_rules", {"name": name, "rules_version": rules.version})
    # Debian LTS keeps shipping security updates in the same archive, free and with no
    # sign-up, so its end counts; paid extensions (Ubuntu ESM, Windows ESU) do not.
    end = row.get("lts_end") or row.get("end")
    if end is None:
        return Decision("pass", "supported_open", {"name": name})
    params = {"name": name, "end": end.isoformat()}
    today = now.date()
    if today > end:
        return Decision("fail", "ended", params)
    if today > end - timedelta(days=rules.threshold("eos_warn_days")):
        return Decision("warn", "ending_soon", params)
    if row.get("lts_end") and row.get("end") and today > row["end"]:
        return Decision("pass", "supported_lts", params)
    return Decision("pass", "supported", params)


def _patched_stream(ev: dict, rules: Rules) -> tuple[list[tuple[object, object, str]], object] | None:
    """(security releases as (level, date, label) sorted by date, installed level) for Windows/macOS."""
    if ev.get("os") == "windows":
        rows = [r for r in rules.windows_updates if r["build"] == ev.get("build") and r.get("kind") != "preview"]
        rel = [(r["revision"], r["released"], f"{r['build']}.{r['revision']}" + (f" ({r['kb']})" if r.get("kb") else ""))
               for r in rows]
        return sorted(rel, key=lambda x: x[1]), ev.get("revision")
    if ev.get("os") == "macos":
        major = _macos_major(ev.get("version"))
        rel = [(Version(r["version"]), r["released"], r["version"]) for r in rules.macos_releases
               if _macos_major(r["version"]) == major and r.get("security", True)]
        return sorted(rel, key=lambda x: x[1]), leading_version(ev.get("version"))
    return None


def decide_patched(ev: dict, rules: Rules, now: datetime, platform: str) -> Decision:
    if "unknown" in ev:
        return Decision("unknown", "unknown", {"reason": ev["unknown"]})
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
    level = f"{ev.get('build')}.{installed}" if ev.get("os") == "windows" else str(installed)
    params = {"name": shown, "installed": level, "latest": latest[2], "latest_date": latest[1].isoformat()}
    if installed > latest[0]:
        return Decision("pass", "current", params)
    if installed == latest[0]:
        if today > rules.as_of + timedelta(days=rules.stale_after_days):
            # The newest update the rules know is installed, but the rules are too old to know
            # whether newer ones came out since: that is not a pass.
            return Decision("unknown", "rules_stale", {**params, "as_of": rules.as_of.isoformat()})
        return Decision("pass", "current", params)
    if not required or installed >= required[-1][0]:
        return Decision("warn", "update_available", params)
    params.update(required=required[-1][2], required_date=required[-1][1].isoformat())
    return Decision("fail", "behind", params)


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


def extract_patched(facts: Facts, rules: Rules) -> dict:
    ev = _os_evidence(facts)
    if "unknown" in ev or ev.get("os") != "linux":
        return ev
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


CHECKS = [
    Check("os.supported", lambda f, r: _os_evidence(f), decide_supported),
    Check("os.patched", extract_patched, decide_patched),
]
