"""The Wi-Fi fact, read once per run from whichever source the platform has; pure.

network.wifi (checks/devices.py) and the Wi-Fi diagnostics step (diagnose/wifi.py) both
use `wifi_fact`, so they can never disagree. Three outcomes:

- `Wifi`: a connected wireless link and its security;
- `NoWifi(basis)`: ONLY when an interface list was read and positively shows no connected
  wireless interface (docs/probes.md "Skip rules");
- `Unknown(reason, kind)`: everything else: a probe that failed, timed out, was refused
  (Windows location permission) or printed something this does not understand.
"""

from __future__ import annotations

import re
from typing import Any, Mapping

from envcheck.facts import _netsh
from envcheck.facts._common import Missing, classify_security, value, walk
from envcheck.facts.model import NoWifi, Unknown, Wifi
from envcheck.probes import ProbeResult

WifiFact = Wifi | NoWifi | Unknown

# ------------------------------------------------------------------ Windows: Native Wifi API
#: WLAN_INTERFACE_STATE names (wlanapi.h) as probes/_wlanapi.py records them.
_NOT_CONNECTED = {"wlan_interface_state_not_ready", "wlan_interface_state_disconnected"}
_CONNECTED = "wlan_interface_state_connected"

#: DOT11_AUTH_ALGORITHM name -> security. Anything else (IHV range, unknown:…) is "unknown".
_AUTH_SECURITY = {
    "DOT11_AUTH_ALGO_80211_OPEN": "open",
    "DOT11_AUTH_ALGO_80211_SHARED_KEY": "wep",
    "DOT11_AUTH_ALGO_WPA": "enterprise",
    "DOT11_AUTH_ALGO_WPA_PSK": "wpa",
    "DOT11_AUTH_ALGO_RSNA": "enterprise",
    "DOT11_AUTH_ALGO_RSNA_PSK": "wpa2",
    "DOT11_AUTH_ALGO_WPA3": "enterprise",
    "DOT11_AUTH_ALGO_WPA3_SAE": "wpa3",
    "DOT11_AUTH_ALGO_OWE": "owe",
    "DOT11_AUTH_ALGO_WPA3_ENT": "enterprise",
}
_WEP_CIPHERS = {"DOT11_CIPHER_ALGO_WEP", "DOT11_CIPHER_ALGO_WEP40", "DOT11_CIPHER_ALGO_WEP104"}

LOCATION_REASON = "Windows did not allow reading the Wi-Fi connection: location access is off for desktop apps"


def from_wlanapi(doc: Any) -> WifiFact:
    """The win.wlanapi probe value (probes/_wlanapi.py) -> the Wi-Fi fact."""
    if not isinstance(doc, dict):
        return Unknown("win.wlanapi: unexpected value", "unparsed")
    if doc.get("service") == "not_running":
        # WlanOpenHandle: ERROR_SERVICE_NOT_ACTIVE. Without WLAN AutoConfig Windows has no
        # Wi-Fi connection at all (it is the service that connects).
        return NoWifi("wlanapi: the WLAN AutoConfig service is not running")
    if doc.get("service") == "absent":
        return NoWifi("wlanapi: this Windows has no wlanapi.dll (no Wireless LAN service)")
    ifaces = doc.get("interfaces")
    if not isinstance(ifaces, list) or not all(isinstance(i, dict) for i in ifaces):
        return Unknown("win.wlanapi: no interface list", "unparsed")
    links: list[Wifi] = []
    for iface in ifaces:
        link = _wlanapi_link(iface)
        if isinstance(link, Unknown):
            return link
        if link is not None:
            links.append(link)
    if links:
        return worst(links)
    n = len(ifaces)
    return NoWifi(f"wlanapi: {n} wireless interface{'s' if n != 1 else ''}, none connected")


def _wlanapi_link(iface: dict) -> Wifi | Unknown | None:
    """One interface of the win.wlanapi value: its link, None when not connected, Unknown when unreadable."""
    state = iface.get("state")
    if state in _NOT_CONNECTED:
        return None
    if state != _CONNECTED:
        # associating, authenticating, discovering, disconnecting, ad hoc, or a new state.
        return Unknown(f"win.wlanapi: a wireless interface is in state {str(state)[:60]}", "unparsed")
    error = iface.get("query_error")
    if error == "access_denied":
        return Unknown(LOCATION_REASON, "permission_denied")
    if error is not None:
        return Unknown(f"win.wlanapi: WlanQueryInterface failed ({str(error)[:60]})", "failed")
    auth, cipher = str(iface.get("auth")), str(iface.get("cipher"))
    sec = _AUTH_SECURITY.get(auth, "unknown")
    if sec == "open" and cipher in _WEP_CIPHERS:
        sec = "wep"
    elif sec == "open" and iface.get("security_enabled") is True:
        sec = "unknown"  # open authentication yet security on: not a case Windows documents
    q = iface.get("signal_quality")
    return Wifi(True, sec, auth, signal_percent=q if isinstance(q, int) and 0 <= q <= 100 else None,
                radio=str(iface["phy"]) if iface.get("phy") else None, source="wlanapi")


def worst(links: list[Wifi]) -> Wifi:
    """With several connected adapters, the least safe link decides."""
    rank = {"open": 0, "wep": 1, "unknown": 2}
    return min(links, key=lambda w: rank.get(w.security, 3))


def from_netsh(text: Any) -> WifiFact:
    if not isinstance(text, str):
        return Unknown("win.wlan: unexpected value", "unparsed")
    if _netsh.location_refused(text):
        return Unknown(LOCATION_REASON, "permission_denied")
    ifaces = _netsh.parse_interfaces(text)
    if ifaces is None:
        return Unknown("netsh wlan show interfaces printed something this checker does not understand",
                       "unparsed")
    links = [Wifi(True, _netsh.security_of(i["auth"], i["cipher"]), i["auth"],
                  signal_percent=i["signal_percent"], radio=i["radio"], source="netsh")
             for i in ifaces if i["connected"]]
    if links:
        return worst(links)
    return NoWifi(f"netsh: {len(ifaces)} wireless interface{'s' if len(ifaces) != 1 else ''}, none connected")


def windows(r: Mapping[str, ProbeResult]) -> WifiFact:
    """The Native Wifi API first; netsh only when the API gave nothing (old snapshots, no DLL)."""
    api = r.get("win.wlanapi")
    if api is not None and api.ok:
        return from_wlanapi(api.value)
    fallback = r.get("win.wlan")
    if fallback is not None and fallback.ok:
        fact = from_netsh(fallback.value)
        # netsh's answer is only as good as its parse; keep the API's reason when both failed.
        if isinstance(fact, Unknown) and api is not None and api.failure == "permission_denied":
            return Unknown(LOCATION_REASON, "permission_denied")
        return fact
    for res in (api, fallback):
        if res is not None and res.failure == "permission_denied":
            return Unknown(LOCATION_REASON, "permission_denied")
    if api is None and fallback is None:
        return Unknown("no Wi-Fi probe recorded", "failed")
    worst_res = api if api is not None else fallback
    assert worst_res is not None
    return Unknown(f"Wi-Fi: {worst_res.error}", worst_res.failure)


# ------------------------------------------------------------------ macOS
def _interfaces(doc: Any) -> list[dict] | None:
    """The Wi-Fi interface entries of SPAirPortDataType (those with spairport_* keys), awdl/llw dropped."""
    if not isinstance(doc, list):
        return None
    out = []
    for d in walk(doc):
        if not isinstance(d.get("spairport_airport_interfaces"), list):
            continue
        for i in d["spairport_airport_interfaces"]:
            if isinstance(i, dict) and not str(i.get("_name", "")).startswith(("awdl", "llw")):
                out.append(i)
    return out


def connected_network(doc: Any) -> dict | None:
    """The current-network block of the connected Wi-Fi interface ({} when connected without a block)."""
    for d in _interfaces(doc) or []:
        net = d.get("spairport_current_network_information")
        status = d.get("spairport_status_information")
        # A real capture (JP, wpa3_transition) has en0 with a full current network block but no
        # spairport_status_information: a current network naming its security mode is connected.
        if status == "spairport_status_connected" or (
                status is None and isinstance(net, dict) and bool(net.get("spairport_security_mode"))):
            return net if isinstance(net, dict) else {}
    return None


def macos(r: Mapping[str, ProbeResult]) -> WifiFact:
    try:
        doc = value(r, "mac.sp_airport", dict).get("SPAirPortDataType")
    except Missing as exc:
        return exc.unknown()
    ifaces = _interfaces(doc)
    if not ifaces:
        # No Wi-Fi interface listed at all is not "off": every Mac lists en0 even with Wi-Fi off.
        return Unknown("mac.sp_airport: no Wi-Fi interface listed", "unparsed")
    net = connected_network(doc)
    if net is None:
        return NoWifi(f"system_profiler: {len(ifaces)} Wi-Fi interface{'s' if len(ifaces) != 1 else ''}, "
                      "none connected")
    label = str(net.get("spairport_security_mode") or "")
    m = re.match(r"\s*(-?\d+)\s*dBm\s*/\s*(-?\d+)\s*dBm", str(net.get("spairport_signal_noise", "")))
    return Wifi(True, classify_security(label) if label else "unknown", label,
                signal_dbm=int(m.group(1)) if m else None, noise_dbm=int(m.group(2)) if m else None,
                radio=str(net["spairport_network_phymode"]) if net.get("spairport_network_phymode") else None,
                source="system_profiler")


# ------------------------------------------------------------------ Linux
def linux(r: Mapping[str, ProbeResult]) -> WifiFact:
    """nmcli for the security; /sys/class/net (linux.net_links) for "is any wireless link up"."""
    from envcheck.facts._linux_parse import parse_nmcli

    links = r.get("linux.net_links")
    wireless_up: bool | None = None
    n_wireless = 0
    if links is not None and links.ok and isinstance(links.value, list):
        rows = [x for x in links.value if isinstance(x, dict)]
        wireless = [x for x in rows if x.get("wireless") is True]
        n_wireless = len(wireless)
        # operstate "up" on a wireless interface means associated; "dormant" is mid-authentication.
        if all(x.get("operstate") in ("up", "down", "dormant", "lowerlayerdown", "notpresent") for x in wireless):
            wireless_up = any(x.get("operstate") in ("up", "dormant") for x in wireless)
    nm = r.get("linux.nmcli_wifi")
    if nm is not None and nm.ok and isinstance(nm.value, dict):
        row = parse_nmcli(str(nm.value.get("fields", "")), str(nm.value.get("text", "")))
        if row is not None:
            label = row.get("SECURITY", "")
            sig = row.get("SIGNAL", "")
            return Wifi(True, classify_security(label), label or "(none)",
                        signal_percent=int(sig) if sig.isdigit() and int(sig) <= 100 else None, source="nmcli")
        if wireless_up is False or (wireless_up is None and links is None):
            # nmcli listed the networks in range and none is in use. A snapshot from before
            # linux.net_links existed has only this, and NetworkManager's word is a read fact.
            return NoWifi("nmcli: no Wi-Fi network in use")
        if wireless_up:
            return Unknown("a wireless interface is up but NetworkManager lists no network in use", "unparsed")
    if wireless_up is False:
        return NoWifi(f"/sys/class/net: {n_wireless} wireless interface{'s' if n_wireless != 1 else ''}, "
                      "none up")
    if nm is not None and not nm.ok:
        return Unknown(f"linux.nmcli_wifi: {nm.error}", nm.failure)
    return Unknown("the Wi-Fi security could not be read (no NetworkManager answer)", "failed")


_READERS = {"windows": windows, "darwin": macos, "linux": linux}


def wifi_fact(platform: str, r: Mapping[str, ProbeResult]) -> WifiFact:
    reader = _READERS.get(platform)
    return reader(r) if reader else Unknown(f"no Wi-Fi reader for {platform}", "failed")
