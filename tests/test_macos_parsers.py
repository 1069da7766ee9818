"""Unit tests of the pure macOS parsers on real outputs (tests/fixtures/sources, shared/samples beside the repository).

Text blocks below are verbatim from the cited samples unless a comment says otherwise.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from envcheck.facts._common import classify_security
from envcheck.facts._macos import cameras, firewalls, microphones, os_info, parse_alf, parse_sw_vers, wifi
from envcheck.facts.model import NoWifi, OsInfo, Unknown, Wifi  # noqa: F401
from envcheck.probes import ProbeResult

SOURCES = Path(__file__).parent / "fixtures" / "sources"
FIXTURES = Path(__file__).parent / "fixtures"


def _json_source(name: str):
    """A JSON capture under tests/fixtures/sources, without our '#' header lines."""
    text = (SOURCES / name).read_text(encoding="utf-8")
    return json.loads("\n".join(line for line in text.splitlines() if not line.startswith("#")))


def _probe(name: str, folder: str):
    return json.loads((FIXTURES / folder / "probes" / name).read_text(encoding="utf-8"))


def _r(pid: str, value=None, error=None) -> dict:
    return {pid: ProbeResult(value=value, error=error)}


# ---- sw_vers (macos_sw_vers_variants.txt) ------------------------------------------------

CATALINA = "ProductName:    Mac OS X\nProductVersion: 10.15.5\nBuildVersion:   19F101\n"  # rbenv/ruby-build#1451
HIGH_SIERRA = "ProductName:\tMac OS X\nProductVersion:\t10.13\nBuildVersion:\t17A405\n"           # kernelpop#17
SONOMA = "ProductName:\t\tmacOS\nProductVersion:\t\t14.0\nBuildVersion:\t\t23A344\n"
SEQUOIA = "ProductName:\t\tmacOS\nProductVersion:\t\t15.7.4\nBuildVersion:\t\t24G517\n"
TAHOE = "sw_vers: ProductName:\t\tmacOS\nProductVersion:\t\t26.3\nBuildVersion:\t\t25D125\n"


@pytest.mark.parametrize("text,expected", [
    (CATALINA, {"ProductName": "Mac OS X", "ProductVersion": "10.15.5", "BuildVersion": "19F101"}),
    (HIGH_SIERRA, {"ProductName": "Mac OS X", "ProductVersion": "10.13", "BuildVersion": "17A405"}),
    (SONOMA, {"ProductName": "macOS", "ProductVersion": "14.0", "BuildVersion": "23A344"}),
    (SEQUOIA, {"ProductName": "macOS", "ProductVersion": "15.7.4", "BuildVersion": "24G517"}),
    (TAHOE, {"ProductName": "macOS", "ProductVersion": "26.3", "BuildVersion": "25D125"}),
])
def test_parse_sw_vers_variants(text, expected):
    assert parse_sw_vers(text) == expected


def test_parse_sw_vers_product_version_extra():
    # Not a capture: assembled with the line format of Apple's sw_vers.c,
    # printf("ProductVersionExtra:\t%s\n", version_extra), and the documented value "(a)".
    text = SONOMA.replace("BuildVersion:", "ProductVersionExtra:\t(a)\nBuildVersion:")
    assert parse_sw_vers(text)["ProductVersionExtra"] == "(a)"
    info = os_info(_r("mac.sw_vers", text))
    assert isinstance(info, OsInfo) and info.name == "macOS 14.0 (a)" and info.version == "14.0"


@pytest.mark.parametrize("text,name,version,build", [
    (CATALINA, "Mac OS X 10.15.5", "10.15.5", "19F101"),
    (HIGH_SIERRA, "Mac OS X 10.13", "10.13", "17A405"),
    (TAHOE, "macOS 26.3", "26.3", "25D125"),
])
def test_os_info(text, name, version, build):
    info = os_info(_r("mac.sw_vers", text))
    assert info == OsInfo(family="macos", name=name, product="macOS", version=version, build=build)


def test_os_info_sees_through_the_10_16_compat_shim():
    # Not a capture: what an old-SDK process is told on macOS 15 (osquery#6840 describes it).
    shim = SEQUOIA.replace("15.7.4", "10.16")
    assert isinstance(os_info(_r("mac.sw_vers", shim)), Unknown)


@pytest.mark.parametrize("text", ["", "sw_vers: command not found\n", "ProductVersion:\tfifteen\n"])
def test_os_info_unreadable_is_unknown(text):
    assert isinstance(os_info(_r("mac.sw_vers", text)), Unknown)


def test_os_info_probe_error_is_unknown():
    got = os_info(_r("mac.sw_vers", error="no answer within 5 s"))
    assert isinstance(got, Unknown) and "no answer" in got.reason


# ---- socketfilterfw --getglobalstate (macos_socketfilterfw_getglobalstate_variants.txt) ----

PARETO_139 = ("Firewall is enabled. (State = 1)\nBlock all DISABLED!\n"
              "Automatically allow signed built-in software ENABLED\n"
              "Automatically allow downloaded signed software ENABLED\n"
              "ALF: Error, kStealthEnableKey does not return the correct type.\n")


@pytest.mark.parametrize("text,state", [
    ("Firewall is enabled. (State = 1)\n", 1),
    ("Firewall is enabled. (State = 2)\n", 2),                                              # m-cli#160, older
    ("Firewall is disabled. (State = 0)\n", 0),
    ("Firewall is blocking all non-essential incoming connections. (State = 2)\n", 2),     # 15.x wording
    (PARETO_139, 1),                                                                        # with the ALF error line
    ("ALF: Error, kStealthEnableKey does not return the correct type.\n", None),
    ("Firewall settings cannot be modified from command line on managed Mac computers.\n", None),
    ("", None),
])
def test_parse_alf(text, state):
    assert parse_alf(text) == state


@pytest.mark.parametrize("text,on", [
    ("Firewall is blocking all non-essential incoming connections. (State = 2)\n", True),
    ("Firewall is enabled. (State = 1)\n", True),
    ("Firewall is disabled. (State = 0)\n", False),
])
def test_firewalls(text, on):
    (fw,) = firewalls(_r("mac.alf", text))
    assert fw.on is on and fw.name == "macOS Application Firewall"


def test_firewalls_unreadable_is_unknown_never_off():
    got = firewalls(_r("mac.alf", "ALF: Error, kStealthEnableKey does not return the correct type.\n"))
    assert isinstance(got, Unknown)


# ---- Wi-Fi (system_profiler -json SPAirPortDataType) ------------------------------------

def test_wifi_macos26_picks_en0_not_awdl0():
    doc = _probe("mac.sp_airport.json", "macos26_tahoe")
    w = wifi(_r("mac.sp_airport", doc))
    assert (w.connected, w.security, w.label, w.signal_dbm) == (True, "wpa3", "spairport_security_mode_wpa3_personal",
                                                                 -52)


def test_wifi_apple_typo_without_status_key():
    # Real capture: en0 has no spairport_status_information key, and the mode is misspelt.
    doc = _json_source("macos_system_profiler_spairport_wpa3_transition.json")
    w = wifi(_r("mac.sp_airport", doc))
    assert (w.connected, w.security, w.label) == (True, "wpa3", "pairport_security_mode_wpa3_transition")


def test_wifi_neighbour_networks_do_not_count():
    # The open and WPA2 networks in "other_local_wireless_networks" are neighbours, not the link.
    doc = _json_source("macos_system_profiler_spairport_wpa3_transition.json")
    en0 = doc["SPAirPortDataType"][0]["spairport_airport_interfaces"][0]
    del en0["spairport_current_network_information"]
    others = en0["spairport_airport_other_local_wireless_networks"]
    others[0]["spairport_security_mode"] = "spairport_security_mode_none"
    assert isinstance(wifi(_r("mac.sp_airport", doc)), NoWifi)


def test_wifi_awdl0_alone_is_no_link_and_no_proof_of_none():
    doc = _probe("mac.sp_airport.json", "macos26_tahoe")
    ifaces = doc["SPAirPortDataType"][0]["spairport_airport_interfaces"]
    doc["SPAirPortDataType"][0]["spairport_airport_interfaces"] = [i for i in ifaces if i["_name"] == "awdl0"]
    assert isinstance(wifi(_r("mac.sp_airport", doc)), Unknown)  # no Wi-Fi interface listed: not read


def test_wifi_disconnected_status_is_no_link():
    doc = _probe("mac.sp_airport.json", "macos26_tahoe")
    doc["SPAirPortDataType"][0]["spairport_airport_interfaces"][0]["spairport_status_information"] = \
        "spairport_status_disconnected"
    assert isinstance(wifi(_r("mac.sp_airport", doc)), NoWifi)


def test_wifi_connected_without_security_is_unknown_security():
    doc = _probe("mac.sp_airport.json", "macos26_tahoe")
    del doc["SPAirPortDataType"][0]["spairport_airport_interfaces"][0]["spairport_current_network_information"][
        "spairport_security_mode"]
    w = wifi(_r("mac.sp_airport", doc))
    assert (w.connected, w.security, w.label) == (True, "unknown", "")


@pytest.mark.parametrize("value,error", [(None, "no answer within 20 s"), ({"SPAirPortDataType": {}}, None),
                                         ("not json", None)])
def test_wifi_unreadable_is_unknown(value, error):
    assert isinstance(wifi(_r("mac.sp_airport", value, error)), Unknown)


# The value vocabulary collected in macos_system_profiler_spairport_json_macos26_and_wdutil.txt.
@pytest.mark.parametrize("label,security", [
    ("spairport_security_mode_none", "open"),
    ("spairport_security_mode_wep", "wep"),
    ("spairport_security_mode_wpa_personal", "wpa"),
    ("spairport_security_mode_wpa2_personal", "wpa2"),
    ("spairport_security_mode_wpa2_personal_mixed", "wpa2"),
    ("spairport_security_mode_wpa3_personal", "wpa3"),
    ("spairport_security_mode_wpa3_personal_transition", "wpa3"),
    ("pairport_security_mode_wpa3_transition", "wpa3"),
    ("spairport_security_mode_wpa2_enterprise", "enterprise"),
    ("spairport_security_mode_wpa3_enterprise", "enterprise"),
    ("spairport_security_mode_wpa3_enterprise_transition", "enterprise"),
])
def test_classify_airport_security_modes(label, security):
    assert classify_security(label) == security


# ---- camera (system_profiler -json SPCameraDataType) ------------------------------------

def test_cameras_facetime():
    doc = _probe("mac.sp_camera.json", "macos26_tahoe")
    assert cameras(_r("mac.sp_camera", doc)) == ("FaceTime HD Camera (Built-in)",)


def test_cameras_mac_mini_empty():
    assert cameras(_r("mac.sp_camera", {"SPCameraDataType": []})) == ()


def test_cameras_virtual_dropped():
    # "OBS Virtual Camera" is how OBS names its virtual camera (research/detection.md (f), (h)).
    doc = _probe("mac.sp_camera.json", "macos26_tahoe")
    doc["SPCameraDataType"].append({"_name": "OBS Virtual Camera"})
    assert cameras(_r("mac.sp_camera", doc)) == ("FaceTime HD Camera (Built-in)",)


def test_cameras_probe_error_is_unknown():
    assert isinstance(cameras(_r("mac.sp_camera", error="system_profiler SPCameraDataType did not print JSON")),
                      Unknown)


# ---- microphones (system_profiler -json SPAudioDataType) --------------------------------

def test_microphones_macbook_pro_capture():
    doc = _json_source("macos_system_profiler_spaudio_json_macbook_pro.txt")
    # The LG monitor (DisplayPort output with the system-default flag) and the speakers are outputs.
    assert microphones(_r("mac.sp_audio", doc)) == ("MacBook Pro Microphone", "iPhone (5) Microphone")


def test_microphones_usb_headset_capture_skips_virtual_devices():
    doc = _json_source("macos_system_profiler_spaudio_json_usb_headset.txt")
    # "Microsoft Teams Audio" has an input channel but is coreaudio_device_type_virtual: not a microphone.
    assert microphones(_r("mac.sp_audio", doc)) == ("C922 Pro Stream Webcam", "INZONE H3", "MacBook Pro Microphone")


def test_microphones_outputs_only_is_none():
    doc = _json_source("macos_system_profiler_spaudio_json_macbook_pro.txt")
    items = doc["SPAudioDataType"][0]["_items"]
    doc["SPAudioDataType"][0]["_items"] = [d for d in items if "coreaudio_device_input" not in d]
    assert microphones(_r("mac.sp_audio", doc)) == ()


def test_microphones_nested_items():
    # Older releases group devices one _items level deeper; the walk reaches them.
    doc = _json_source("macos_system_profiler_spaudio_json_macbook_pro.txt")
    doc["SPAudioDataType"] = [{"_name": "coreaudio_device", "_items": doc["SPAudioDataType"]}]
    assert "MacBook Pro Microphone" in microphones(_r("mac.sp_audio", doc))


def test_microphones_unreadable_is_unknown():
    assert isinstance(microphones(_r("mac.sp_audio", {"SPHardwareDataType": []})), Unknown)
