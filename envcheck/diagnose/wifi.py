"""Wi-Fi link security and signal from the existing platform probes (win.wlan, mac.sp_airport,
linux.nmcli_wifi). Pure: values in, one step out. Never the SSID, BSSID or MAC address."""

from __future__ import annotations

import re
from typing import Any

from envcheck.facts._common import classify_security
from envcheck.facts._linux_parse import parse_nmcli
from envcheck.facts._macos import connected_network
from envcheck.facts._windows import _CONNECTED, parse_netsh_wlan

def parse_netsh(text: str) -> dict | None:
    """The connected interface of `netsh wlan show interfaces`: {security, label, signal_percent, radio}."""
    for b in parse_netsh_wlan(text):
        if b.get("state", "").lower() in _CONNECTED and "auth" in b:
            sig = re.match(r"(\d+)\s*%", b.get("signal", ""))
            return {"security": classify_security(b["auth"], b.get("cipher")), "label": b["auth"],
                    "signal_percent": int(sig.group(1)) if sig else None, "radio": b.get("radio") or None}
    return None


def parse_airport(doc: Any) -> dict | None:
    """The connected network of `system_profiler -json SPAirPortDataType`: {security, label, signal_dbm, noise_dbm}."""
    net = connected_network(doc)
    if not net or not net.get("spairport_security_mode"):
        return None
    label = str(net["spairport_security_mode"])
    m = re.match(r"\s*(-?\d+)\s*dBm\s*/\s*(-?\d+)\s*dBm", str(net.get("spairport_signal_noise", "")))
    return {"security": classify_security(label), "label": label,
            "signal_dbm": int(m.group(1)) if m else None, "noise_dbm": int(m.group(2)) if m else None,
            "radio": net.get("spairport_network_phymode")}


def parse_nmcli_value(value: Any) -> dict | None:
    """The linux.nmcli_wifi probe value {"fields", "text"}: {security, label, signal_percent}."""
    if not isinstance(value, dict):
        return None
    row = parse_nmcli(str(value.get("fields", "")), str(value.get("text", "")))
    if row is None:
        return None
    label = row.get("SECURITY", "")
    sig = row.get("SIGNAL", "")
    return {"security": classify_security(label), "label": label or "(none)",
            "signal_percent": int(sig) if sig.isdigit() else None}


def parse_nmcli_table(text: str) -> dict | None:
    """The in-use row of the human `nmcli dev wifi` table (columns found by the header)."""
    lines = [ln for ln in text.splitlines() if ln.strip()]
    header = next((i for i, ln in enumerate(lines) if "SIGNAL" in ln and "SECURITY" in ln), None)
    if header is None:
        return None
    head = lines[header]
    sig_at, sec_at = head.index("SIGNAL"), head.index("SECURITY")
    for ln in lines[header + 1:]:
        if not ln.startswith("*"):
            continue
        sig = re.match(r"\s*(\d+)", ln[sig_at:sig_at + 8])
        label = ln[sec_at:].strip()
        return {"security": classify_security(label), "label": label or "(none)",
                "signal_percent": int(sig.group(1)) if sig else None}
    return None


def _result(res: Any) -> tuple[Any, str | None] | None:
    """(value, error) of a ProbeResult or snapshot entry; None when absent."""
    if res is None:
        return None
    if isinstance(res, dict):
        return res.get("value"), res.get("error")
    return getattr(res, "value", None), getattr(res, "error", None)


def link_from_probes(probes: dict) -> tuple[dict | None, str | None, bool]:
    """(link, error, present): the Wi-Fi link from whichever platform probe was recorded."""
    for pid, parse, kind in (("win.wlan", parse_netsh, str), ("mac.sp_airport", parse_airport, (dict, list)),
                             ("linux.nmcli_wifi", parse_nmcli_value, dict)):
        got = _result(probes.get(pid))
        if got is None:
            continue
        value, error = got
        if error:
            # No WLAN service/adapter or no NetworkManager: a wired machine, not a failure.
            if "not installed" in error or "status 1" in error:
                return None, None, True
            return None, error, True
        if not isinstance(value, kind):
            return None, f"{pid}: unexpected value", True
        return parse(value), None, True
    return None, None, False


def wifi_step(probes: dict, cfg, texts) -> dict:
    from envcheck.diagnose.causes import cause

    link, error, present = link_from_probes(probes)
    step: dict = {"step": "wifi"}
    if not present:
        return {**step, "status": "skipped", "reason": "no Wi-Fi probe recorded"}
    if error:
        return {**step, "status": "failed", "error": error[:200], "cause": cause(texts, "wifi_unknown", error=error[:200])}
    if link is None:
        return {**step, "status": "skipped", "reason": "not on Wi-Fi"}
    step.update({k: v for k, v in link.items() if v is not None})
    sec = link["security"]
    if sec in ("open", "wep"):
        return {**step, "status": "failed", "cause": cause(texts, f"wifi_{sec}")}
    pct, dbm = link.get("signal_percent"), link.get("signal_dbm")
    weak = (pct is not None and pct < cfg.limit("weak_signal_percent")) or \
           (dbm is not None and dbm < cfg.limit("weak_signal_dbm"))
    if weak:
        shown = f"{pct}%" if pct is not None else f"{dbm} dBm"
        return {**step, "status": "degraded", "cause": cause(texts, "wifi_weak", signal=shown)}
    if sec == "unknown":
        return {**step, "status": "degraded", "cause": cause(texts, "wifi_unknown", error=link.get("label") or "-")}
    return {**step, "status": "ok"}
