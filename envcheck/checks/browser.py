"""The checks of a browser-check report ("assurance": "browser"): evidence measured by the page
or declared by the job-seeker, decided purely, like every other check.

What the job-seeker declares is never a pass: an affirmed answer is `declared`, a denied one
`fail`, an unanswered one `unknown`. What the office accepts on a phone is rules data
(rules/mobile.toml [office]). A PC that used the page gets `unknown` where only the desktop
program can look (firewall, antivirus, OS patches): the page tells it to use that program.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from packaging.version import InvalidVersion, Version

from envcheck.checks import system
from envcheck.checks._base import PHONES, Decision
from envcheck.ruleset.loader import Rules


def _d(status: str, code: str, **params) -> Decision:
    return Decision(status, code, {k: str(v) for k, v in params.items()})


def _version(text) -> Version | None:
    try:
        return Version(str(text)) if text else None
    except InvalidVersion:
        return None


def _os_name(ev: dict) -> str:
    names = {"ios": "iOS", "ipados": "iPadOS", "android": "Android", "macos": "macOS", "windows": "Windows"}
    return f"{names.get(str(ev.get('os')), str(ev.get('os')))} {ev.get('version') or ''}".strip()


def _answer(ev: dict, yes: str, no: str) -> Decision:
    a = ev.get("answer")
    if a == "yes":
        return _d("declared", yes)
    if a == "no":
        return _d("fail", no)
    return _d("unknown", "not_answered")


def _lifecycle_row(ev: dict, rules: Rules) -> tuple[dict | None, bool]:
    """(row, older than every row) for a phone's major version."""
    mob = rules.mobile
    v = _version(ev.get("version"))
    if mob is None or v is None:
        return None, False
    rows = mob.lifecycle(str(ev.get("os")))
    row = next((r for r in rows if int(r["major"]) == v.major), None)
    return row, bool(rows) and row is None and v.major < min(int(r["major"]) for r in rows)


def decide_supported(ev: dict, rules: Rules, now: datetime, platform: str) -> Decision:
    if platform not in PHONES:
        if ev.get("os") == "macos" and ev.get("version"):
            mac = {"os": "macos", "version": ev["version"], "name": _os_name(ev)}
            return system.decide_supported(mac, rules, now, platform)
        return _d("unknown", "desktop")
    name = _os_name(ev)
    if not ev.get("version"):
        return _d("unknown", "unknown_version")
    row, older = _lifecycle_row(ev, rules)
    if older:
        return _d("fail", "ended", name=name, end="-")
    if row is None:
        return _d("unknown", "not_in_rules", name=name)
    end = row.get("end")
    if end is None:
        if now.date() > rules.as_of + timedelta(days=rules.stale_after_days):
            # An open-ended release may have ended since the rules were made: not a pass.
            return _d("unknown", "rules_stale", name=name, as_of=rules.as_of.isoformat())
        return _d("pass", "supported", name=name)
    if now.date() > end:
        return _d("fail", "ended", name=name, end=end.isoformat())
    if now.date() > end - timedelta(days=rules.threshold("eos_warn_days")):
        return _d("warn", "ending_soon", name=name, end=end.isoformat())
    return _d("pass", "supported", name=name)


def _ios_patched(ev: dict, rules: Rules, now: datetime) -> Decision:
    name = _os_name(ev)
    installed = _version(ev.get("version"))
    declared = (ev.get("declared") or {}).get("os_updated")
    if installed is None or rules.mobile is None:
        return _d("declared", "declared_current", name=name) if declared == "yes" else \
            _d("fail", "not_updated") if declared == "no" else _d("unknown", "not_declared")
    cutoff = now.date() - timedelta(days=rules.threshold("patch_grace_days"))
    same = [(v, d) for v, d in rules.mobile.ios_releases if v.major == installed.major and d <= now.date()]
    required = [(v, d) for v, d in same if d <= cutoff]
    minor = ev.get("precision") == "minor"
    key = (lambda v: (v.major, v.minor)) if minor else (lambda v: v.release)
    if required and key(installed) < key(required[-1][0]):
        return _d("fail", "behind", name=name, required=str(required[-1][0]))
    stale = now.date() > rules.as_of + timedelta(days=rules.stale_after_days)
    if same and not minor and not stale and installed >= same[-1][0]:
        return _d("pass", "current", name=name)
    # The measured version is not behind, but it cannot prove "newest" (only major.minor is
    # known, or the rules are too old to know newer releases): the job-seeker's answer decides.
    if declared == "yes":
        return _d("declared", "declared_current", name=name)
    if declared == "no":
        return _d("fail", "not_updated")
    return _d("unknown", "not_declared")


def _android_patched(ev: dict, rules: Rules, now: datetime) -> Decision:
    month = str((ev.get("declared") or {}).get("patch_month") or "")
    try:
        patch = date.fromisoformat(month + "-01")
    except ValueError:
        return _d("unknown", "not_declared")
    if patch > now.date():
        return _d("unknown", "not_declared")
    days = (now.date() - patch).days
    limit = rules.mobile.android_max_patch_age_days if rules.mobile else 0
    if days > limit:
        return _d("fail", "android_patch_old", patch=month, days=days)
    return _d("declared", "android_patch_declared", patch=month)


def decide_patched(ev: dict, rules: Rules, now: datetime, platform: str) -> Decision:
    if platform == "ios":
        return _ios_patched(ev, rules, now)
    if platform == "android":
        return _android_patched(ev, rules, now)
    return _d("unknown", "desktop")


def decide_firewall(ev: dict, rules: Rules, now: datetime, platform: str) -> Decision:
    # Phones have no user-facing firewall: the platform is a positively measured fact.
    return _d("skipped", "phone") if platform in PHONES else _d("unknown", "desktop")


def decide_av_active(ev: dict, rules: Rules, now: datetime, platform: str) -> Decision:
    if platform not in PHONES:
        return _d("unknown", "desktop")
    policy = rules.mobile.phone_security if rules.mobile else "app"
    if platform == "ios" and policy == "builtin":
        return _d("skipped", "builtin")
    return _answer(ev, "declared", "missing")


def decide_av_updated(ev: dict, rules: Rules, now: datetime, platform: str) -> Decision:
    if platform not in PHONES:
        return _d("unknown", "desktop")
    if (rules.mobile.phone_security if rules.mobile else "app") == "builtin":
        return _d("skipped", "builtin")
    return _answer(ev, "declared", "outdated")


def decide_wifi(ev: dict, rules: Rules, now: datetime, platform: str) -> Decision:
    return {"home": _d("declared", "declared_private"), "mobile": _d("declared", "declared_mobile"),
            "free": _d("fail", "free_wifi")}.get(str(ev.get("answer")), _d("unknown", "not_answered"))


def decide_reach(ev: dict, rules: Rules, now: datetime, platform: str) -> Decision:
    ms, kbps = ev.get("service_ms"), ev.get("down_kbps")
    zoom = [z for z in ev.get("zoom") or [] if isinstance(z, dict)]
    if not isinstance(ms, int) or not zoom:
        return _d("unknown", "not_measured")
    bad = [str(z.get("host")) for z in zoom if z.get("ok") is not True]
    if len(bad) == len(zoom):
        return _d("fail", "zoom_blocked", hosts=", ".join(bad))
    if bad:
        return _d("warn", "zoom_partial", hosts=", ".join(bad))
    speed = "-" if not isinstance(kbps, int) else f"{kbps // 1000} Mbps" if kbps >= 10000 else f"{kbps} kbps"
    if isinstance(kbps, int) and rules.mobile and kbps < rules.mobile.min_down_kbps:
        return _d("warn", "slow", kbps=kbps, speed=speed)
    return _d("pass", "ok", ms=ms, kbps=kbps if isinstance(kbps, int) else "-", speed=speed)


def decide_microphone(ev: dict, rules: Rules, now: datetime, platform: str) -> Decision:
    level = ev.get("level")
    if ev.get("state") == "ok" and ev.get("kind") == "microphone" and not (isinstance(level, int) and level >= 2):
        return _d("unknown", "silent")
    return decide_media(ev, rules, now, platform)


def decide_media(ev: dict, rules: Rules, now: datetime, platform: str) -> Decision:
    state = ev.get("state")
    if state == "ok":
        return _d("pass", "ok")
    if state == "none":
        return _d("fail", "none")
    if state == "denied":
        return _d("unknown", "denied")
    return _d("unknown", "error", reason=str(ev.get("error") or "not measured")[:60])


def decide_browser(ev: dict, rules: Rules, now: datetime, platform: str) -> Decision:
    name, version = str(ev.get("browser") or "?"), _version(ev.get("version"))
    mins = {n: m for n, m, _ in rules.browser_minimums}
    if name not in mins or version is None:
        return _d("unknown", "not_in_rules", browser=name)
    params = {"browser": name, "version": ev.get("version"), "minimum": mins[name]}
    # Safari on iOS tells only major.minor (Version/26.6): compare as far as it tells.
    ok = version.release >= mins[name].release[:len(version.release)]
    return _d("pass", "current", **params) if ok else _d("fail", "outdated", **params)



def decide_p2p(ev: dict, rules: Rules, now: datetime, platform: str) -> Decision:
    return _answer(ev, "declared", "present")


def decide_zoom_installed(ev: dict, rules: Rules, now: datetime, platform: str) -> Decision:
    return _answer(ev, "declared", "missing")


def decide_zoom_updated(ev: dict, rules: Rules, now: datetime, platform: str) -> Decision:
    return _answer(ev, "declared", "outdated")


def decide_recording(ev: dict, rules: Rules, now: datetime, platform: str) -> Decision:
    return _d("unknown", "browser_cannot_see")
