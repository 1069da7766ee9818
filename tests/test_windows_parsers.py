"""The pure Windows parsers (envcheck/facts/_windows.py) on real command outputs."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from pathlib import Path

import pytest

import winfmt
from envcheck.checks import judge
from envcheck.checks.protection import extract_firewall
from envcheck.facts import _windows as win
from envcheck.facts.model import Facts, NoWifi, OsInfo, Unknown
from envcheck.probes import ProbeResult

SAMPLES = Path(__file__).resolve().parents[1].parent / "shared" / "samples"  # shared/ beside the clone
SOURCES = Path(__file__).parent / "fixtures" / "sources"
FIXTURES = Path(__file__).parent / "fixtures"
NOW = datetime(2025, 11, 11, 10, tzinfo=timezone.utc)


def sample(name: str) -> str:
    """A sample without its leading `# source` comment lines."""
    path = SAMPLES / name if (SAMPLES / name).exists() else SOURCES / name
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    while lines and lines[0].startswith("#"):
        lines.pop(0)
    return "".join(lines)


def security(**sections) -> dict[str, ProbeResult]:
    return {"win.security": ProbeResult(value=sections)}


# ---------------------------------------------------------------- productState

def _observed_states() -> list[int]:
    text = (SAMPLES / "windows_securitycenter2_productstate_observed_values.txt").read_text(encoding="utf-8")
    return [int(m.group(1)) for m in re.finditer(r"^(\d+), [0-9a-f]+, [01]+$", text, re.M)]


def test_the_observed_values_list_is_read_whole():
    assert len(_observed_states()) == 16


@pytest.mark.parametrize("state", _observed_states())
def test_every_observed_product_state_decodes_to_a_known_state_or_unknown(state):
    on, ms, up = win.decode_product_state(state)
    assert on in ("on", "off", "snoozed", "expired", "unknown")
    assert up in (True, False, None)
    assert ms == bool(state & 0x100)


@pytest.mark.parametrize("state, expected", [
    (397568, ("on", True, True)),      # Defender on, up to date
    (393472, ("off", True, True)),     # Defender passive under a third-party AV
    (266240, ("on", False, True)),     # third-party on, up to date
    (262160, ("off", False, False)),   # off and outdated
    (397584, ("on", True, False)),     # on but outdated
    (270336, ("snoozed", False, True)),
    (344064, ("unknown", False, True)),  # 0x54000: undocumented state nibble 4
])
def test_product_state_masks(state, expected):
    assert win.decode_product_state(state) == expected


def test_an_undocumented_state_nibble_is_unknown_never_on():
    assert win.decode_product_state(344064)[0] == "unknown"
    assert all(win.decode_product_state(v)[0] != "on" for v in ("397568", None, True, -1, 3.5))


# ---------------------------------------------------------------- netsh wlan (more: tests/test_wifi.py)

def test_netsh_english_wpa2():
    wifi = win.wifi({"win.wlan": ProbeResult(value=sample("windows_netsh_wlan_show_interfaces_en.txt"))})
    assert (wifi.connected, wifi.security, wifi.label, wifi.signal_percent) == (True, "wpa2", "WPA2-Personal", 100)


def test_netsh_japanese_by_shape():
    wifi = win.wifi({"win.wlan": ProbeResult(value=sample("windows_netsh_wlan_show_interfaces_ja.txt"))})
    assert (wifi.connected, wifi.security, wifi.label) == (True, "wpa2", "WPA2-パーソナル")


def test_netsh_disconnected_interface_with_two_line_radio_status_is_no_wifi_link():
    text = sample("windows_netsh_wlan_show_interfaces_disconnected.txt")
    assert win.wifi({"win.wlan": ProbeResult(value=text)}) == NoWifi("netsh: 1 wireless interface, none connected")


@pytest.mark.parametrize("block", [1, 2])
def test_netsh_open_network_is_classified_open(block):
    text = (SOURCES / "windows_netsh_wlan_show_interfaces_open_network_en.txt").read_text(encoding="utf-8")
    part = re.split(r"^# --- block \d.*$", text, flags=re.M)[block]
    part = "\n".join(ln for ln in part.splitlines() if not ln.startswith("#"))
    wifi = win.wifi({"win.wlan": ProbeResult(value=part)})
    assert (wifi.connected, wifi.security, wifi.label) == (True, "open", "Open")


def test_netsh_failing_with_status_1_is_unknown_not_a_wired_pc():
    # Before: "status 1" in the message meant "no WLAN service: wired". Location access off on
    # Windows 11 24H2 exits 1 too, so a seeker on an open network was skipped and passed.
    got = win.wifi({"win.wlan": ProbeResult(error="netsh exited with status 1", kind="failed_status")})
    assert isinstance(got, Unknown) and got.kind == "failed_status"
    old = win.wifi({"win.wlan": ProbeResult(error="netsh exited with status 1")})  # snapshot without kinds
    assert isinstance(old, Unknown) and old.kind == "failed"


# ---------------------------------------------------------------- OS

def test_windows_11_whose_productname_says_windows_10_is_windows_11():
    # Get-ItemProperty excerpt of a fresh Windows 11 22H2 (itm4n/PrivescCheck#41), ProductName from the same host.
    rec = winfmt.parse_format_list(sample("windows_registry_currentversion_win11_says_win10.txt"))[-1]
    cv = {k: str(v) for k, v in rec.items() if k in ("CurrentBuild", "CurrentBuildNumber")}
    cv["ProductName"] = "Windows 10 Pro"
    info = win.os_info({"win.current_version": ProbeResult(value=cv)})
    assert (info.product, info.name, info.build) == ("Windows 11", "Windows 11 Pro", "22621")


def test_reg_query_windows_11_23h2_pro():
    cv = winfmt.current_version(sample("windows_reg_query_currentversion_win11_23h2_pro.txt"))
    info = win.os_info({"win.current_version": ProbeResult(value=cv)})
    assert info == OsInfo("windows", "Windows 11 Pro", "Windows 11", "23H2", "22631", None, "Professional")


def test_reg_query_windows_10_22h2_enterprise_stays_windows_10():
    cv = winfmt.current_version(sample("windows_reg_query_currentversion_win10_22h2_enterprise.txt"))
    info = win.os_info({"win.current_version": ProbeResult(value=cv)})
    assert (info.product, info.name, info.version, info.edition) == ("Windows 10", "Windows 10 Enterprise", "22H2",
                                                                      "Enterprise")


@pytest.mark.parametrize("installation_type", ["Server", "Server Core"])
def test_a_server_sharing_a_windows_11_build_is_a_server(installation_type):
    cv = {"CurrentBuild": "26100", "ProductName": "Windows Server 2025 Standard", "InstallationType": installation_type}
    assert win.os_info({"win.current_version": ProbeResult(value=cv)}).product == "Windows Server"


# ---------------------------------------------------------------- firewall

def _reg_firewall(host: int) -> str:
    text = sample("windows_reg_query_firewallpolicy_enablefirewall.txt")
    return re.split(r"^# second host.*$", text, flags=re.M)[host]


def test_firewall_from_registry_when_powershell_gave_no_profiles():
    reg = winfmt.firewall_policy(_reg_firewall(0))
    assert reg["local"] == {"DomainProfile": 1, "StandardProfile": 0, "PublicProfile": 0}
    r = {"win.firewall_policy": ProbeResult(value=reg),
         **security(NetFirewallProfile={"error": "Access denied"}, FirewallProduct=[])}
    [fw] = win.firewalls(r)
    assert fw.on is False
    assert fw.detail == (("domain", True), ("private", False), ("public", False))


def test_group_policy_overrides_the_local_firewall_setting():
    reg = winfmt.firewall_policy(_reg_firewall(0))  # local: private and public off
    reg["gpo"] = {"DomainProfile": None, "PrivateProfile": 1, "PublicProfile": 1}  # enforced on by policy
    [fw] = win.firewalls({"win.firewall_policy": ProbeResult(value=reg)})
    assert (fw.on, fw.detail) == (True, (("domain", True), ("private", True), ("public", True)))
    reg["gpo"] = {"DomainProfile": 0, "PrivateProfile": None, "PublicProfile": None}  # policy turns domain off
    [fw] = win.firewalls({"win.firewall_policy": ProbeResult(value=winfmt.firewall_policy(_reg_firewall(1)) | {
        "gpo": reg["gpo"]})})
    assert (fw.on, dict(fw.detail)["domain"]) == (False, False)


def test_the_effective_powershell_profiles_win_over_the_registry():
    rows = winfmt.parse_format_table(sample("windows_get_netfirewallprofile_all_false.txt"))
    r = {"win.firewall_policy": ProbeResult(value=winfmt.firewall_policy(_reg_firewall(1))),
         **security(NetFirewallProfile=rows, FirewallProduct=[])}
    [fw] = win.firewalls(r)
    assert fw.on is False and fw.note.startswith("Get-NetFirewallProfile")


def test_a_third_party_firewall_on_passes_with_windows_firewall_off_on_every_profile(rules):
    # No real FirewallProduct output could be sourced: this row is SYNTHETIC (name invented for the
    # test, productState 266240 = "on" as observed for third-party AV products). The profiles are real.
    rows = winfmt.parse_format_table(sample("windows_get_netfirewallprofile_all_false.txt"))
    r = security(NetFirewallProfile=rows,
                 FirewallProduct=[{"displayName": "synthetic third-party firewall", "productState": 266240}])
    fws = win.firewalls(r)
    assert [(f.name, f.on) for f in fws] == [("Windows Defender Firewall", False),
                                             ("synthetic third-party firewall", True)]
    facts = Facts("windows", Unknown("-"), fws, (), (), (), None, (), ())
    assert judge("firewall.enabled", extract_firewall(facts, rules), rules, NOW, "windows").status == "pass"
    # The same product snoozed/off does not count.
    off = win.firewalls(security(NetFirewallProfile=rows,
                                 FirewallProduct=[{"displayName": "synthetic third-party firewall",
                                                   "productState": 262144}]))
    facts = Facts("windows", Unknown("-"), off, (), (), (), None, (), ())
    assert judge("firewall.enabled", extract_firewall(facts, rules), rules, NOW, "windows").status == "fail"


# ---------------------------------------------------------------- antivirus

def test_bitdefender_is_not_mistaken_for_microsoft_defender():
    rows = winfmt.parse_format_list(sample("windows_securitycenter2_antivirusproduct_bitdefender_thm.txt"))
    mp = winfmt.parse_format_table(sample("windows_securitycenter2_antivirusproduct_bitdefender_thm.txt")
                                   .split("Get-MpComputerStatus")[1].split("PS C:")[0])[0]
    avs = {p.name: p for p in win.antivirus(security(AntiVirusProduct=rows, MpComputerStatus=mp, MpThreat=[]))}
    assert (avs["Bitdefender Antivirus"].state, avs["Bitdefender Antivirus"].source) == ("on", "wsc")
    assert (avs["Windows Defender"].state, avs["Windows Defender"].source) == ("off", "wsc+defender")


def test_defender_not_running_by_policy_is_off():
    mp = winfmt.section("MpComputerStatus", {"format": "format_list", "file": "x"},
                        lambda _: sample("windows_get_mpcomputerstatus_not_running_disabled.txt"))
    rows = winfmt.parse_format_list(sample("windows_securitycenter2_antivirusproduct_defender_only.txt"))
    [p] = win.antivirus(security(AntiVirusProduct=rows, MpComputerStatus=mp, MpThreat=[]))
    assert (p.state, p.definitions) == ("off", None)


def test_the_mp_error_text_is_what_the_script_stores():
    err = winfmt.ps_error(sample("windows_get_mpcomputerstatus_error_3rdparty_av.txt"))
    assert err == {"error": "A general error occurred that is not covered by a more specific error code."}
    rows = winfmt.parse_format_list(sample("windows_securitycenter2_antivirusproduct_multi.txt"))
    avs = win.antivirus(security(AntiVirusProduct=rows, MpComputerStatus=err, MpThreat=[]))
    assert [(p.name, p.state) for p in avs] == [("Trend Micro Antivirus+", "on"), ("Sophos Home", "on"),
                                                ("Windows Defender", "off")]


# ---------------------------------------------------------------- devices

def test_ir_camera_is_filtered_out():
    text = (SAMPLES / "cross_camera_enumeration_outputs.txt").read_text(encoding="utf-8")
    table = text[text.index("Status     Class"):text.index("# source: public GitHub JSON capture")]
    rows = [r for r in winfmt.parse_format_table(table) if r["Class"] in ("Camera", "Image")]
    assert [r["FriendlyName"] for r in rows] == ["Chicony USB2.0 Camera", "IR Camera"]
    assert win.cameras(security(Camera=rows)) == ("Chicony USB2.0 Camera",)


def test_microphones_are_the_capture_endpoints_by_instance_id():
    # Get-PnpDevice -Class AudioEndpoint | Format-Table InstanceId,Present,FriendlyName (APO notes by
    # Etienne Dechamps, stored-index file id 44351727138), verbatim.
    table = """\
FriendlyName                                                  Present InstanceId
------------                                                  ------- ----------
Headset (CORSAIR VIRTUOSO Wireless Gaming Headset)              False SWD\\MMDEVAPI\\{0.0.0.00000000}.{A8079308-1956-4FB7-BBB0-8D8842611102}
Headset Microphone (CORSAIR VIRTUOSO Wireless Gaming Headset)   False SWD\\MMDEVAPI\\{0.0.1.00000000}.{4ED8903D-2C88-4EAC-93E4-39B0BFE7475C}
Monitors (Xonar U7)                                              True SWD\\MMDEVAPI\\{0.0.0.00000000}.{5D16E8DA-37A3-4657-8D52-57FFE97F4EF9}
S/PDIF 1 (Virtual Audio Cable)                                  False SWD\\MMDEVAPI\\{0.0.1.00000000}.{42BA34C2-E6E7-452D-BCE3-ADCBEC30E1A4}
Line 1 (Virtual Audio Cable)                                    False SWD\\MMDEVAPI\\{0.0.0.00000000}.{185D6665-3115-45BD-9E85-39BA4E326DDD}
"""  # noqa: E501 - captured output, verbatim
    rows = winfmt.parse_format_table(table)
    assert [r["Present"] for r in rows] == [False, False, True, False, False]
    # "Headset (…)" is a render endpoint although its name sounds like a microphone: the id decides.
    assert win.microphones(security(AudioEndpoint=rows)) == (
        "Headset Microphone (CORSAIR VIRTUOSO Wireless Gaming Headset)", "S/PDIF 1 (Virtual Audio Cable)")
    # As the probe runs it (-PresentOnly) that machine has no microphone.
    present = [r for r in rows if r["Present"]]
    assert win.microphones(security(AudioEndpoint=present)) == ()


def test_a_failed_device_query_is_unknown_not_absent():
    assert isinstance(win.cameras(security(Camera={"error": "Get-PnpDevice: not found"})), Unknown)
    assert isinstance(win.microphones({}), Unknown)


# ---------------------------------------------------------------- the converter itself

def test_tasklist_names_are_deduplicated():
    raw = (FIXTURES / "windows_11_23h2_open_wifi" / "raw" / "tasklist.txt").read_text(encoding="utf-8")
    assert winfmt.parse_tasklist(raw) == ["System", "System Idle Process", "csrss.exe", "smss.exe", "wininit.exe",
                                          "winlogon.exe"]


def test_signature_time_is_converted_to_utc_as_the_probe_prints_it():
    assert winfmt.us_datetime_to_iso("5/6/2024 1:09:46 AM", "-07:00") == "2024-05-06T08:09:46.0000000Z"
    assert winfmt.us_datetime_to_iso("7/7/2022 7:37:10 AM") == "2022-07-07T07:37:10"
