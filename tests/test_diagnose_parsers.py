"""Pure parsers of envcheck/diagnose on real outputs (tests/fixtures/sources/, each with its # source: line)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from envcheck.diagnose import der, proxy
from envcheck.netcheck import wifi
from envcheck.diagnose.config import load_config, parse_config
from envcheck.errors import RuleError

SRC = Path(__file__).parent / "fixtures" / "sources"


def fixture(name: str) -> str:
    text = (SRC / name).read_text(encoding="utf-8")
    assert text.startswith("# source:"), name
    return "\n".join(ln for ln in text.splitlines() if not ln.startswith("#")) + "\n"


def test_scutil_pac():
    assert proxy.parse_scutil(fixture("macos_scutil_proxy_pac_enabled.txt")) == {
        "pac": "http://wpad.company.com/wpad.dat"}


def test_scutil_no_proxy():
    assert proxy.parse_scutil(fixture("macos_scutil_proxy_none_exceptions_only.txt")) == {}


def test_scutil_manual():
    got = proxy.parse_scutil(fixture("macos_scutil_proxy_manual_http_https.txt"))
    assert got == {"http": "proxy.corp.example:8080", "https": "proxy.corp.example:8443",
                   "exceptions": ["*.local", "169.254/16", "internal.corp"]}


def test_reg_query_disabled():
    values = proxy.parse_reg_query(fixture("windows_reg_query_internet_settings_proxy_disabled.txt"))
    assert values["ProxyEnable"] == 0 and values["ProxyOverride"] == "local"
    assert values["User Agent"] == "Mozilla/4.0 (compatible; MSIE 8.0; Win32)"
    assert proxy.from_registry(values) == {}


def test_reg_query_enabled():
    values = proxy.parse_reg_query(fixture("windows_reg_query_internet_settings_proxy_enabled.txt"))
    assert proxy.from_registry(values) == {"server": "proxy.usebruno.com:8080",
                                           "exceptions": ["localhost", "127.0.0.1"]}


def test_registry_per_protocol_and_pac_private_addresses_hidden():
    text = fixture("windows_reg_internet_settings_pac_and_per_protocol.txt")
    server = re.search(r"Proxy Server: (.*)", text).group(1)
    pac = re.search(r"AutoConfigURL: (.*)", text).group(1)
    got = proxy.from_registry({"ProxyEnable": 1, "ProxyServer": server, "AutoConfigURL": pac})
    assert got["server"] == ("ftp=(private address):6588;http=(private address):6588;"
                             "https=(private address):6588;socks=(private address):1080")
    assert got["pac"] == "http://www.projectmentor.net/proxy.pac"
    assert "172.16" not in json.dumps(got)


@pytest.mark.parametrize("raw,shown", [
    ("http://user:secret@proxy.example:3128", "http://proxy.example:3128"),
    ("http://user:secret@10.1.2.3:8080/", "http://(private address):8080/"),
    ("socks5://127.0.0.1:1080", "socks5://localhost:1080"),
    ("proxy.example:8080", "proxy.example:8080"),
    ("http://wpad.example/proxy.pac?token=abc", "http://wpad.example/proxy.pac"),
])
def test_scrub_proxy(raw, shown):
    assert proxy.scrub_proxy(raw) == shown


def test_env_proxy_credentials_removed():
    got = proxy.from_env({"https_proxy": "http://alice:pw@proxy.example:3128", "NO_PROXY": "localhost"})
    assert got == {"https_proxy": "http://proxy.example:3128", "no_proxy": "localhost"}
    assert "alice" not in proxy.summary({"env": got})


def _step(probes: dict) -> dict:
    cfg = load_config()
    return wifi.wifi_step(probes, cfg, cfg.causes)


def test_netsh_open_network_signal():
    raw = (Path(__file__).parent / "fixtures" / "sources" / "windows_netsh_wlan_show_interfaces_open_network_en.txt")
    text = "\n".join(ln for ln in raw.read_text(encoding="utf-8").split("# --- block 2")[0].splitlines()
                     if not ln.startswith("#"))
    step = _step({"win.wlan": {"value": text, "error": None}})
    assert (step["status"], step["security"], step["label"], step["signal_percent"], step["radio"]) == (
        "failed", "open", "Open", 98, "802.11n")


def test_system_profiler_wpa3_signal():
    doc = json.loads(fixture("macos_system_profiler_spairport_wpa3_transition.json"))
    step = _step({"mac.sp_airport": {"value": doc, "error": None}})
    assert step["security"] == "wpa3" and step["signal_dbm"] == -51 and step["noise_dbm"] == -90
    assert "redacted" not in json.dumps(step)


def test_nmcli_terse_active_row():
    text = fixture("linux_nmcli_terse_wifi_list.txt")
    lines = [ln for ln in text.splitlines() if ln and not ln.startswith("$")]
    fields = "ACTIVE,SSID,BSSID,MODE,CHAN,FREQ,SIGNAL,SECURITY,WPA-FLAGS,RSN-FLAGS"
    step = _step({"linux.nmcli_wifi": {"value": {"fields": fields, "text": "\n".join(lines)}, "error": None}})
    assert (step["security"], step["label"], step["signal_percent"]) == ("wpa2", "WPA2", 75)


def test_wifi_step_weak_signal_and_wired():
    cfg = load_config()
    doc = fixture("macos_system_profiler_spairport_wpa3_transition.json").replace("-51 dBm", "-78 dBm")
    step = wifi.wifi_step({"mac.sp_airport": {"value": json.loads(doc), "error": None}}, cfg, cfg.causes)
    assert step["status"] == "degraded" and "-78 dBm" in step["cause"]["ja"]
    # netsh failing is not "wired" (location access off exits 1 too): the step fails with the reason.
    failed = wifi.wifi_step({"win.wlan": {"value": None, "error": "netsh exited with status 1: ...",
                                          "kind": "failed_status"}}, cfg, cfg.causes)
    assert failed["status"] == "failed"
    wired = wifi.wifi_step({"win.wlanapi": {"value": {"interfaces": []}, "error": None}}, cfg, cfg.causes)
    assert wired["status"] == "skipped" and "0 wireless interfaces" in wired["reason"]
    refused = wifi.wifi_step({"win.wlanapi": {"value": {"interfaces": [
        {"state": "wlan_interface_state_connected", "query_error": "access_denied"}]}, "error": None}}, cfg, cfg.causes)
    assert refused["status"] == "failed" and refused["cause"]["code"] == "wifi_location"
    assert "位置情報" in refused["cause"]["ja"]


def test_der_names_of_a_generated_certificate():
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    issuer = x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "US"),
                        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "DigiCert Inc"),
                        x509.NameAttribute(NameOID.COMMON_NAME, "DigiCert Global G2 TLS RSA SHA256 2020 CA1")])
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "*.zoom.us")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer).public_key(key.public_key())
            .serial_number(1).not_valid_before(now).not_valid_after(now + datetime.timedelta(days=1))
            .sign(key, hashes.SHA256()))
    got_issuer, got_subject = der.names(cert.public_bytes(serialization.Encoding.DER))
    assert got_issuer == {"C": "US", "O": "DigiCert Inc", "CN": "DigiCert Global G2 TLS RSA SHA256 2020 CA1"}
    assert got_subject == {"CN": "*.zoom.us"}
    with pytest.raises(der.DerError):
        der.names(b"\x30\x03\x02\x01")


def test_rules_file_errors_name_file_and_key():
    import tomllib

    from envcheck.paths import builtin_rules_dir

    data = tomllib.loads((Path(builtin_rules_dir()) / "network.toml").read_text(encoding="utf-8"))
    data["targets"][0]["colour"] = "blue"
    with pytest.raises(RuleError) as exc:
        parse_config(data)
    assert "network.toml" in str(exc.value) and "targets[0].colour" in str(exc.value)
    data["targets"][0].pop("colour")
    data["limits"]["bound_ms"] = "5"
    with pytest.raises(RuleError, match=r"limits.bound_ms: expected int"):
        parse_config(data)


def test_rules_cite_sources():
    from envcheck.paths import builtin_rules_dir

    text = (Path(builtin_rules_dir()) / "network.toml").read_text(encoding="utf-8")
    for cite in ("KB0060548", "KB0061202", "600kbps", "8801"):
        assert cite in text
