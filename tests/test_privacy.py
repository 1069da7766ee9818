"""Nothing personal leaves the machine: report and snapshot of a live run on this machine."""

import getpass
import json
import os
import re
import socket

import psutil
import pytest

from envcheck.report.privacy import Identity, scrub_report, scrub_snapshot


def personal_strings():
    ips = {a.address.split("%")[0] for addrs in psutil.net_if_addrs().values() for a in addrs
           if a.family in (socket.AF_INET, socket.AF_INET6)} - {"127.0.0.1", "::1"}
    return getpass.getuser(), socket.gethostname(), os.path.expanduser("~"), sorted(ips)


def assert_nothing_personal(text: str):
    user, host, home, ips = personal_strings()
    # Signatures and ids are random base64/hex: a short user name can appear there by chance.
    text = re.sub(r'"(value|public_key|report_id|key_id)": "[^"]*"', "", text)
    assert not re.search(rf"(?<![\w]){re.escape(user)}(?![\w])", text), f"user name {user!r} found"
    assert host.lower() not in text.lower(), f"host name {host!r} found"
    assert home not in text, "home folder found"
    for ip in ips:
        assert ip not in text, f"local address {ip} found"


@pytest.mark.live
def test_report_and_snapshot_of_this_machine_hold_nothing_personal(cli, tmp_path):
    env = {"ENVCHECK_HOME": str(tmp_path / "home")}
    rep = cli("check", "--json", "--offline", env=env)
    assert rep.returncode in (0, 1, 3), rep.stderr
    assert_nothing_personal(rep.stdout)
    snap = tmp_path / "snap.json"
    res = cli("snapshot", "--offline", "--out", str(snap), env=env)
    assert res.returncode == 0, res.stderr
    text = snap.read_text(encoding="utf-8")
    assert_nothing_personal(text)
    doc = json.loads(text)
    assert "removed" in doc["privacy"]["note"]


def test_identity_scrub_removes_user_host_home_ips_and_macs():
    ident = Identity(user="taro", hosts=("TARO-PC",), home="/home/taro", ips=("192.0.2.7", "2001:db8::5"))
    text = "cannot read /home/taro/x on TARO-PC by taro at 192.0.2.7 [2001:db8::5] mac a4:db:30:d9:3a:9a"
    assert ident.scrub(text) == "cannot read ~/x on <host> by <user> at <ip> [<ip>] mac <mac>"
    # Word boundaries: a user called "taro" does not eat "tarot".
    assert ident.scrub("tarot") == "tarot"


def test_device_owner_names_are_removed_from_device_evidence(rules):
    ident = Identity(user="x", hosts=(), home="/nonexistent", ips=())
    report = {"checks": [{"id": "device.microphone", "evidence": {"count": 2, "names": [
        "Taro's AirPods Pro", "太郎のAirPods", "MacBook Pro Microphone"]}}], "diagnostics": {}}
    out = scrub_report(report, ident)
    assert out["checks"][0]["evidence"]["names"] == ["AirPods Pro", "AirPods", "MacBook Pro Microphone"]


def test_snapshot_keeps_only_software_the_rules_name_and_no_wifi_names(rules):
    ident = Identity(user="x", hosts=(), home="/nonexistent", ips=())
    snap = {"format": "envcheck.snapshot/1", "captured_at": "2026-11-24T00:00:00Z", "platform": "windows",
            "probes": {
                "win.uninstall": {"value": [{"hive": "HKCU", "DisplayName": "Zoom Workplace",
                                             "DisplayVersion": "6.3.0"},
                                            {"hive": "HKLM", "DisplayName": "My Diary 2024", "DisplayVersion": "1"},
                                            {"hive": "HKLM", "DisplayName": "qBittorrent 4.6.2"}], "error": None},
                "win.wlan": {"value": "    Name                   : Wi-Fi\n    SSID                   : Tanaka-Home\n"
                                      "    Radio type             : 802.11ax\n"
                                      "    Authentication         : WPA2-Personal\n", "error": None},
                "proc.names": {"value": ["explorer.exe", "obs64.exe", "diary.exe"], "error": None}}}
    out = scrub_snapshot(snap, rules, ident)
    names = [e["DisplayName"] for e in out["probes"]["win.uninstall"]["value"]]
    assert names == ["Zoom Workplace", "qBittorrent 4.6.2"]
    assert "Tanaka-Home" not in out["probes"]["win.wlan"]["value"]
    assert "WPA2-Personal" in out["probes"]["win.wlan"]["value"]
    assert out["probes"]["proc.names"]["value"] == ["obs64.exe"]
    assert out["privacy"]["kept"] == {"win.uninstall": "2 of 3", "proc.names": "1 of 3"}


def test_netsh_in_any_language_keeps_only_what_the_wifi_reading_needs(rules):
    # Labels differ per display language, so the scrub works by shape: network, profile and adapter
    # names go whatever their label; the Wi-Fi fact read from the scrubbed text is unchanged.
    from pathlib import Path

    from envcheck.facts.wifi import from_netsh
    from envcheck.report.privacy import Identity, scrub_snapshot

    ident = Identity(user="x", hosts=(), home="/nonexistent", ips=())
    for name in ("es_open.txt", "de_wpa2_enterprise.txt", "zh_wpa2_enterprise.txt", "es_disconnected_radio_off.txt"):
        text = (Path(__file__).parent / "fixtures" / "netsh" / name).read_text(encoding="utf-8").split("# ----\n")[1]
        text = "\n".join(ln for ln in text.splitlines()
                         if not ln.startswith("#") and ln.strip() != "netsh wlan show interfaces")
        snap = {"format": "envcheck.snapshot/1", "captured_at": "2026-11-24T00:00:00Z", "platform": "windows",
                "probes": {"win.wlan": {"value": text, "error": None}}}
        out = scrub_snapshot(snap, rules, ident)["probes"]["win.wlan"]["value"]
        for private in ("SSID-1", "Profile-1", "Profile1 2", "DC_WLAN(5GHz)", "Intel(R)", "MediaTek", "fe:dc:ba"):
            assert private not in out, (name, private)
        assert from_netsh(out) == from_netsh(text), name


def test_a_scrubbed_snapshot_keeps_the_failure_kind(rules):
    from envcheck.report.privacy import Identity, scrub_snapshot

    snap = {"format": "envcheck.snapshot/1", "captured_at": "2026-11-24T00:00:00Z", "platform": "windows",
            "probes": {"win.wlan": {"value": None, "error": "netsh wlan: location access is off",
                                    "kind": "permission_denied"}}}
    out = scrub_snapshot(snap, rules, Identity(user="x", hosts=(), home="/nonexistent", ips=()))
    assert out["probes"]["win.wlan"]["kind"] == "permission_denied"
