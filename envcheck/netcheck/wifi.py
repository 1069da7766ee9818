"""Wi-Fi link security and signal from the existing platform probes (win.wlan, mac.sp_airport,
linux.nmcli_wifi). Pure: values in, one step out. Never the SSID, BSSID or MAC address."""

from __future__ import annotations

from typing import Any

from envcheck.facts.model import NoWifi, Unknown, Wifi
from envcheck.facts.wifi import wifi_fact
from envcheck.probes import ProbeResult


def _results(probes: dict) -> tuple[str | None, dict[str, ProbeResult]]:
    """(platform, ProbeResults) from ProbeResults or snapshot entries {"value", "error", "kind"}."""
    out: dict[str, ProbeResult] = {}
    for pid, res in probes.items():
        if isinstance(res, ProbeResult):
            out[pid] = res
        elif isinstance(res, dict):
            out[pid] = ProbeResult(value=res.get("value"), error=res.get("error"), kind=res.get("kind"))
    platform = next((p for p, prefix in (("windows", "win."), ("darwin", "mac."), ("linux", "linux."))
                     if any(pid.startswith(prefix) for pid in out)), None)
    return platform, out


def wifi_step(probes: dict, cfg, texts, fact: Any = None) -> dict:
    """The diagnostics' Wi-Fi step from the SAME fact network.wifi uses (facts/wifi.py): `fact` when
    the caller already read it (pipeline), else read here from the probes (envcheck diagnose)."""
    from envcheck.diagnose.causes import cause

    platform, results = _results(probes)
    step: dict = {"step": "wifi"}
    if not isinstance(fact, (Wifi, NoWifi, Unknown)):
        if platform is None:
            return {**step, "status": "skipped", "reason": "no Wi-Fi probe recorded"}
        fact = wifi_fact(platform, results)
    if isinstance(fact, Unknown):
        error = fact.reason[:200]
        code = "wifi_location" if fact.kind == "permission_denied" and platform in (None, "windows") else "wifi_unknown"
        return {**step, "status": "failed", "error": error, "cause": cause(texts, code, error=error)}
    if isinstance(fact, NoWifi):
        return {**step, "status": "skipped", "reason": f"not on Wi-Fi ({fact.basis[:160]})"}
    link = {"security": fact.security, "label": fact.label, "signal_percent": fact.signal_percent,
            "signal_dbm": fact.signal_dbm, "noise_dbm": fact.noise_dbm, "radio": fact.radio}
    step.update({k: v for k, v in link.items() if v is not None})
    sec = fact.security
    if sec in ("open", "wep"):
        return {**step, "status": "failed", "cause": cause(texts, f"wifi_{sec}")}
    pct, dbm = fact.signal_percent, fact.signal_dbm
    weak = (pct is not None and pct < cfg.limit("weak_signal_percent")) or \
           (dbm is not None and dbm < cfg.limit("weak_signal_dbm"))
    if weak:
        shown = f"{pct}%" if pct is not None else f"{dbm} dBm"
        return {**step, "status": "degraded", "cause": cause(texts, "wifi_weak", signal=shown)}
    if sec == "unknown":
        return {**step, "status": "degraded", "cause": cause(texts, "wifi_unknown", error=fact.label or "-")}
    return {**step, "status": "ok"}
