"""network.wifi, network.reachable, device.camera, device.microphone."""

from __future__ import annotations

from datetime import datetime

from envcheck.checks._base import Decision, items, names, unknown_fact, unknown_of
from envcheck.facts.model import Facts, NoWifi, Unknown, Wifi
from envcheck.ruleset.loader import Rules


def extract_wifi(facts: Facts, rules: Rules) -> dict:
    if (u := unknown_of(facts.wifi)):
        return u
    if isinstance(facts.wifi, NoWifi):
        return {"connected": False, "basis": facts.wifi.basis}
    if not isinstance(facts.wifi, Wifi):
        return {"unknown": "no Wi-Fi fact"}
    w: Wifi = facts.wifi
    return {"connected": w.connected, "security": w.security, "label": w.label, "source": w.source}


def wifi_unknown(ev: dict, platform: str) -> Decision | None:
    """Unknown Wi-Fi evidence that says why: Windows 11 24H2+ refuses the connection query to desktop
    apps while location access is off."""
    if ev.get("kind") == "permission_denied" and platform == "windows":
        return Decision("unknown", "location_off", {})
    return None


def decide_wifi(ev: dict, rules: Rules, now: datetime, platform: str) -> Decision:
    if ev.get("connected") is False:
        basis = ev.get("basis")
        # Skipped only on a positively read "no wireless link" (facts.model.NoWifi). Evidence
        # without a basis comes from a checker that also said this when it could not read the
        # link (a French netsh, location access off): that is unknown, not "not on Wi-Fi".
        if isinstance(basis, str) and basis.strip():
            return Decision("skipped", "not_wifi", {"basis": basis[:200]})
        return Decision("unknown", "unknown", {"reason": "this checker version cannot show that Wi-Fi is off; "
                                                         "update envcheck and check again"})
    if ev.get("connected") is not True:
        return Decision("unknown", "unknown", {"reason": "no Wi-Fi state in the evidence"})
    sec, label = str(ev.get("security")), str(ev.get("label") or "")
    if sec in ("open", "wep"):
        return Decision("fail", sec, {"label": label})
    if sec in ("wpa", "wpa2", "wpa3", "owe", "enterprise"):
        return Decision("pass", "secured", {"label": label})
    return Decision("unknown", "unreadable", {"label": label or "-"})


def extract_reach(facts: Facts, rules: Rules) -> dict:
    if facts.endpoints is None:
        return {"offline": True}
    if isinstance(facts.endpoints, Unknown):
        return unknown_fact(facts.endpoints)
    return {"targets": [{"name": e.name, "host": e.host, "port": e.port, "ok": e.ok, "ms": e.ms, "error": e.error}
                        for e in facts.endpoints]}


def decide_reach(ev: dict, rules: Rules, now: datetime, platform: str) -> Decision:
    """Fail when a host cannot be reached at all; warn when only extra ports of a host that answers
    on 443 are blocked (Zoom media ports 8801/8802: Zoom falls back to TCP 443 with lower quality)."""
    if ev.get("offline"):
        return Decision("skipped", "offline", {})
    targets = items(ev, "targets")
    if not targets:  # not an offline run: the diagnostics ran and recorded no target
        return Decision("unknown", "unknown", {"reason": "no connection target in the evidence"})
    bad = [t for t in targets if not t.get("ok")]
    if not bad:
        return Decision("pass", "ok", {"names": names(targets)})
    web_ok = {t.get("host") for t in targets if t.get("ok") and t.get("port") == 443}
    detail = ", ".join(f"{t.get('host')}:{t.get('port')} ({t.get('error') or 'failed'})" for t in bad)
    if all(t.get("host") in web_ok and t.get("port") != 443 for t in bad):
        ports = ", ".join(sorted({str(t.get("port")) for t in bad}, key=lambda p: int(p) if p.isdigit() else 0))
        return Decision("warn", "media_blocked", {"names": names(bad), "ports": ports, "detail": detail})
    return Decision("fail", "blocked", {"names": names(bad), "detail": detail})


def extract_devices(attr: str):
    def extract(facts: Facts, rules: Rules) -> dict:
        value = getattr(facts, attr)
        if (u := unknown_of(value)):
            return u
        return {"count": len(value), "names": list(value)[:10]}
    return extract


def decide_device(ev: dict, rules: Rules, now: datetime, platform: str) -> Decision:
    count = ev.get("count")
    if isinstance(count, int) and count > 0:
        return Decision("pass", "present", {"names": ", ".join(str(n) for n in ev.get("names") or [])})
    if count == 0:
        return Decision("fail", "none", {})
    return Decision("unknown", "unknown", {"reason": "no device count"})

