"""The one Wi-Fi fact (envcheck/facts/wifi.py): real localized netsh outputs read by shape, the Native
Wifi API's structures and enums, the Windows 11 24H2 location refusal, and the skip rule: "not on
Wi-Fi" only from a read interface list."""

from __future__ import annotations

import ctypes
from datetime import datetime, timezone
from pathlib import Path

import pytest

from envcheck.checks import judge
from envcheck.checks.devices import extract_wifi
from envcheck.facts.model import NoWifi, Unknown, Wifi
from envcheck.facts.wifi import from_netsh, from_wlanapi, wifi_fact
from envcheck.probes import ProbeResult
from envcheck.probes import _wlanapi as api

NETSH = Path(__file__).parent / "fixtures" / "netsh"
SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "samples"
NOW = datetime(2026, 11, 24, tzinfo=timezone.utc)


def netsh_output(name: str) -> str:
    """The fixture's output: below our "# ----" line, without a pasted prompt or command line."""
    text = (NETSH / name).read_text(encoding="utf-8").split("# ----\n", 1)[1]
    lines = text.splitlines()
    while lines and (lines[0].startswith("#") or lines[0].strip() == "netsh wlan show interfaces"):
        lines.pop(0)
    return "\n".join(lines) + "\n"


# (file, security) for every real connected output; "unknown" would be acceptable, never a wrong pass.
CONNECTED = [
    ("de_wpa2_enterprise.txt", "wpa2"), ("de_wpa2_personal_rssi.txt", "wpa2"), ("es_open.txt", "open"),
    ("es_wpa2_personal_realtek.txt", "wpa2"), ("fr_open.txt", "open"), ("it_wpa2_personal.txt", "wpa2"),
    ("zh_wpa2_enterprise.txt", "wpa2"), ("zh_open.txt", "open"), ("zh_wpa2_personal_multi_field.txt", "wpa2"),
    ("ru_wpa2_personal.txt", "unknown"),  # trimmed by its author: no radio line, so it cannot be read
]


@pytest.mark.parametrize("name,security", CONNECTED)
def test_real_localized_netsh_outputs_are_read_by_shape(name, security, rules):
    fact = from_netsh(netsh_output(name))
    status = judge("network.wifi", extract_wifi(_facts(fact), rules), rules, NOW, "windows").status
    if security == "unknown":
        assert isinstance(fact, Unknown) and status == "unknown"
        return
    assert isinstance(fact, Wifi) and fact.connected and fact.security == security
    assert status == ("fail" if security == "open" else "pass")


@pytest.mark.parametrize("name", ["es_open.txt", "fr_open.txt"])
def test_the_open_networks_that_used_to_pass_now_fail(name, rules):
    # Issue 11: these two came back "skipped" (not on Wi-Fi) and the verdict stayed pass.
    wifi = wifi_fact("windows", {"win.wlan": ProbeResult(value=netsh_output(name))})
    assert judge("network.wifi", extract_wifi(_facts(wifi), rules), rules, NOW, "windows").status == "fail"


def test_real_disconnected_output_is_not_on_wifi():
    fact = from_netsh(netsh_output("es_disconnected_radio_off.txt"))
    assert fact == NoWifi("netsh: 1 wireless interface, none connected")


def test_a_disconnected_block_without_its_radio_status_is_unknown():
    # zh_disconnected.txt is a hand-made test sample without the two-line radio status that real
    # disconnected blocks end with; a block cut off early looks the same, so it is not trusted.
    assert isinstance(from_netsh(netsh_output("zh_disconnected.txt")), Unknown)


@pytest.mark.parametrize("name", ["en_location_refused.txt", "de_location_refused.txt"])
def test_location_refusal_is_permission_denied_with_the_location_fix(name, rules):
    fact = from_netsh(netsh_output(name))
    assert isinstance(fact, Unknown) and fact.kind == "permission_denied"
    decision = judge("network.wifi", extract_wifi(_facts(fact), rules), rules, NOW, "windows")
    assert (decision.status, decision.code) == ("unknown", "location_off")
    from envcheck.report.build import message_for  # the seeker's text, Japanese first

    msg = message_for(rules, "network.wifi", decision.code, decision.params, "windows")
    assert "位置情報" in msg["remedy"]["ja"] and "プライバシーとセキュリティ" in msg["remedy"]["ja"]


def test_every_cut_off_output_is_unknown_or_the_full_answer():
    # A truncated connected output must never read "not on Wi-Fi".
    for name, _ in CONNECTED:
        lines = netsh_output(name).splitlines()
        full = from_netsh("\n".join(lines))
        if not isinstance(full, Wifi):
            continue
        for n in range(len(lines)):
            got = from_netsh("\n".join(lines[:n]))
            assert isinstance(got, Unknown) or got == full or (
                isinstance(got, Wifi) and got.security in (full.security, "unknown")), (name, n)


@pytest.mark.parametrize("text", ["", "There is no wireless interface on the system.",
                                  "The Wireless AutoConfig Service (wlansvc) is not running.",
                                  "No hay ninguna interfaz inalámbrica en el sistema.", "garbage : 1\nmore : 2\n"])
def test_netsh_messages_without_an_interface_list_are_unknown(text):
    # netsh's own "no interface" and "service not running" sentences are translated: not read.
    # The Native Wifi API answers these positively (an empty list, ERROR_SERVICE_NOT_ACTIVE).
    assert isinstance(from_netsh(text), Unknown)


def test_unknown_open_word_is_unknown_never_open_or_secured():
    text = netsh_output("it_wpa2_personal.txt").replace("WPA2-Personal", "Aperta").replace("CCMP", "Nessuna")
    fact = from_netsh(text)
    assert isinstance(fact, Wifi) and fact.security == "unknown"


def test_an_ssid_that_looks_like_a_radio_type_cannot_make_a_pass():
    text = netsh_output("es_open.txt").replace("SSID-1", "802.11ax")
    assert from_netsh(text).security in ("open", "unknown")


@pytest.mark.skipif(not (SHARED / "windows_netsh_wlan_show_interfaces_ja.txt").exists(), reason="shared/ absent")
def test_japanese_sample_from_shared():
    lines = (SHARED / "windows_netsh_wlan_show_interfaces_ja.txt").read_text(encoding="utf-8").splitlines()
    fact = from_netsh("\n".join(ln for ln in lines if not ln.startswith("#")))
    assert isinstance(fact, Wifi) and fact.security == "wpa2"


# ------------------------------------------------------------------ Native Wifi API (wlanapi.dll)

def test_wlanapi_structures_match_the_documented_layout():
    # wlanapi.h/windot11.h: GUID 16 + WCHAR[256] + enum; DOT11_SSID 4 + 32; the association block
    # pads the 6-byte BSSID to 4-byte alignment; BOOL, BOOL, two enums.
    assert ctypes.sizeof(api.WLAN_INTERFACE_INFO) == 532
    assert ctypes.sizeof(api.WLAN_INTERFACE_INFO_LIST) == 540
    assert api.WLAN_INTERFACE_INFO_LIST.InterfaceInfo.offset == 8
    assert ctypes.sizeof(api.DOT11_SSID) == 36
    assert ctypes.sizeof(api.WLAN_ASSOCIATION_ATTRIBUTES) == 68
    assert api.WLAN_ASSOCIATION_ATTRIBUTES.dot11PhyType.offset == 48
    assert api.WLAN_ASSOCIATION_ATTRIBUTES.wlanSignalQuality.offset == 56
    assert ctypes.sizeof(api.WLAN_SECURITY_ATTRIBUTES) == 16
    assert ctypes.sizeof(api.WLAN_CONNECTION_ATTRIBUTES) == 604
    assert api.WLAN_CONNECTION_ATTRIBUTES.wlanAssociationAttributes.offset == 520
    assert api.WLAN_CONNECTION_ATTRIBUTES.wlanSecurityAttributes.offset == 588


def test_connection_entry_reads_the_bytes_at_the_documented_offsets():
    raw = bytearray(604)
    raw[0:4] = (1).to_bytes(4, "little")                   # isState = connected
    raw[520 + 48:520 + 52] = (10).to_bytes(4, "little")    # dot11PhyType = he (802.11ax)
    raw[520 + 56:520 + 60] = (73).to_bytes(4, "little")    # wlanSignalQuality
    raw[588:592] = (1).to_bytes(4, "little")               # bSecurityEnabled
    raw[596:600] = (9).to_bytes(4, "little")               # DOT11_AUTH_ALGO_WPA3_SAE
    raw[600:604] = (4).to_bytes(4, "little")               # DOT11_CIPHER_ALGO_CCMP
    attrs = api.WLAN_CONNECTION_ATTRIBUTES.from_buffer(raw)
    assert api.connection_entry(attrs) == {"auth": "DOT11_AUTH_ALGO_WPA3_SAE", "cipher": "DOT11_CIPHER_ALGO_CCMP",
                                           "security_enabled": True, "onex_enabled": False,
                                           "signal_quality": 73, "phy": "802.11ax"}


@pytest.mark.parametrize("auth,cipher,security", [
    (1, 0x00, "open"), (1, 0x101, "wep"), (1, 0x01, "wep"), (1, 0x05, "wep"), (2, 0x101, "wep"),
    (3, 0x02, "enterprise"), (4, 0x02, "wpa"), (6, 0x04, "enterprise"), (7, 0x04, "wpa2"), (8, 0x09, "enterprise"),
    (9, 0x04, "wpa3"), (10, 0x04, "owe"), (11, 0x08, "enterprise"), (5, 0x02, "unknown"),
    (0x80000001, 0x04, "unknown"), (12, 0x04, "unknown"),
])
def test_enum_values_map_to_security(auth, cipher, security):
    value = {"interfaces": [{"state": api.enum_name(api.INTERFACE_STATES, 1),
                             "auth": api.enum_name(api.AUTH_ALGORITHMS, auth),
                             "cipher": api.enum_name(api.CIPHER_ALGORITHMS, cipher),
                             "security_enabled": auth != 1, "signal_quality": 80, "phy": "802.11ax"}]}
    fact = from_wlanapi(value)
    assert isinstance(fact, Wifi) and fact.security == security and fact.source == "wlanapi"


def test_wlanapi_recorded_values():
    wired = from_wlanapi({"interfaces": []})
    assert wired == NoWifi("wlanapi: 0 wireless interfaces, none connected")
    off = from_wlanapi({"interfaces": [{"state": "wlan_interface_state_disconnected"}]})
    assert off == NoWifi("wlanapi: 1 wireless interface, none connected")
    assert isinstance(from_wlanapi({"service": "not_running", "interfaces": []}), NoWifi)
    assert isinstance(from_wlanapi({"service": "absent", "interfaces": []}), NoWifi)
    assert isinstance(from_wlanapi({"service": "something new", "interfaces": "?"}), Unknown)
    refused = from_wlanapi({"interfaces": [{"state": "wlan_interface_state_connected",
                                            "query_error": "access_denied"}]})
    assert isinstance(refused, Unknown) and refused.kind == "permission_denied"
    for odd in ({"interfaces": [{"state": "wlan_interface_state_authenticating"}]}, {"interfaces": "x"}, [], None,
                {"interfaces": [{"state": "wlan_interface_state_connected", "query_error": "error 1168"}]}):
        assert isinstance(from_wlanapi(odd), Unknown)


def test_two_adapters_the_least_safe_link_decides():
    value = {"interfaces": [
        {"state": "wlan_interface_state_connected", "auth": "DOT11_AUTH_ALGO_RSNA_PSK",
         "cipher": "DOT11_CIPHER_ALGO_CCMP"},
        {"state": "wlan_interface_state_connected", "auth": "DOT11_AUTH_ALGO_80211_OPEN",
         "cipher": "DOT11_CIPHER_ALGO_NONE", "security_enabled": False}]}
    assert from_wlanapi(value).security == "open"


def test_the_api_comes_first_and_netsh_is_only_the_fallback():
    netsh_open = ProbeResult(value=netsh_output("es_open.txt"))
    api_secured = ProbeResult(value={"interfaces": [{"state": "wlan_interface_state_connected",
                                                     "auth": "DOT11_AUTH_ALGO_RSNA_PSK",
                                                     "cipher": "DOT11_CIPHER_ALGO_CCMP"}]})
    assert wifi_fact("windows", {"win.wlanapi": api_secured, "win.wlan": netsh_open}).source == "wlanapi"
    api_missing = ProbeResult(error="wlanapi.dll is not available", kind="not_installed")
    assert wifi_fact("windows", {"win.wlanapi": api_missing, "win.wlan": netsh_open}).security == "open"
    netsh_refused = ProbeResult(error="netsh wlan: location access is off", kind="permission_denied")
    both = wifi_fact("windows", {"win.wlanapi": api_missing, "win.wlan": netsh_refused})
    assert isinstance(both, Unknown) and both.kind == "permission_denied"
    assert isinstance(wifi_fact("windows", {}), Unknown)


# ------------------------------------------------------------------ the skip rule, every platform

@pytest.mark.parametrize("platform,results", [
    ("windows", {"win.wlan": ProbeResult(error="netsh exited with status 1", kind="failed_status")}),
    ("windows", {"win.wlan": ProbeResult(error="netsh is not installed", kind="not_installed")}),
    ("windows", {"win.wlanapi": ProbeResult(error="no answer within 5 s", kind="timed_out")}),
    ("linux", {"linux.nmcli_wifi": ProbeResult(error="nmcli is not installed", kind="not_installed")}),
    ("linux", {}),
    ("darwin", {"mac.sp_airport": ProbeResult(error="system_profiler gave no answer", kind="timed_out")}),
    ("darwin", {"mac.sp_airport": ProbeResult(value={"SPAirPortDataType": {}})}),
])
def test_a_failed_or_missing_read_is_unknown_never_not_on_wifi(platform, results, rules):
    fact = wifi_fact(platform, results)
    assert isinstance(fact, Unknown)
    assert judge("network.wifi", extract_wifi(_facts(fact, platform), rules), rules, NOW, platform).status == "unknown"


def test_evidence_without_a_basis_from_an_older_checker_is_unknown(rules):
    # A checker before issue 11 wrote {"connected": false} also when it could not read the link.
    assert judge("network.wifi", {"connected": False}, rules, NOW, "windows").status == "unknown"
    assert judge("network.wifi", {"connected": False, "basis": "wlanapi: 1 wireless interface, none connected"},
                 rules, NOW, "windows").status == "skipped"


def _facts(wifi, platform: str = "windows"):
    from envcheck.facts.model import Facts

    return Facts(platform, Unknown("-"), (), (), (), (), wifi, (), ())



@pytest.mark.skipif(hasattr(ctypes, "WinDLL"), reason="Windows has wlanapi.dll")
def test_without_wlanapi_the_probe_fails_typed_not_installed():
    from envcheck.errors import NotInstalled

    with pytest.raises(NotInstalled):
        api.read()
