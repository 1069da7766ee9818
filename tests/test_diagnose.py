"""envcheck diagnose against real sockets — loopback only (127.0.0.0/8, ::1), never any other address."""

from __future__ import annotations

import dataclasses
import datetime
import http.server
import json
import socket
import ssl
import threading
import time
from pathlib import Path

import pytest

from envcheck.diagnose import load_config, run_diagnose
from envcheck.netcheck.assemble import diagnostics_from
from envcheck.diagnose.config import Target, parse_endpoint
from envcheck.diagnose.runner import FORMAT
from envcheck.errors import UsageError
from envcheck.report.build import assert_no_floats

LOOP = "127.0.0.1"
NO_PROXY = lambda timeout: {"env": {}, "system": {}}  # noqa: E731 - the machine's proxy is not under test


def cfg_for(targets=(), captive_url=None, intake_url="", bound_ms=3000, **limits):
    base = load_config()
    assert not any(t.host not in (LOOP, "::1", "localhost") for t in targets)
    return dataclasses.replace(
        base, targets=tuple(targets), intake_url=intake_url,
        captive_url=captive_url or f"http://{LOOP}:{closed_port()}/generate_204",
        limits={**base.limits, "bound_ms": bound_ms, **limits})


def closed_port() -> int:
    s = socket.socket()
    s.bind((LOOP, 0))
    port = s.getsockname()[1]
    s.close()
    return port


@pytest.fixture
def listener():
    """Accepts connections (kernel backlog) and never sends a byte: 'accepts and never answers'."""
    s = socket.socket()
    s.bind((LOOP, 0))
    s.listen(64)
    yield s.getsockname()[1]
    s.close()


def serve(handler_cls, tls_ctx=None):
    srv = http.server.ThreadingHTTPServer((LOOP, 0), handler_cls)
    srv.daemon_threads = True
    if tls_ctx is not None:
        srv.socket = tls_ctx.wrap_socket(srv.socket, server_side=True)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv


class _Quiet(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass


class Portal(_Quiet):
    def do_GET(self):
        self.send_response(302)
        self.send_header("Location", f"http://{LOOP}/login")
        self.send_header("Content-Length", "0")
        self.end_headers()


class Open204(_Quiet):
    def do_GET(self):
        self.send_response(204)
        self.end_headers()


class Speedtest(_Quiet):
    """The contract of docs/diagnose.md: GET ?bytes=N returns N bytes; POST returns {"received": N}."""
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        n = int(self.path.partition("bytes=")[2] or 0)
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(n))
        self.end_headers()
        block = b"\0" * 65536
        while n > 0:
            self.wfile.write(block[:min(n, len(block))])
            n -= len(block)

    def do_POST(self):
        n, got = int(self.headers.get("Content-Length", 0)), 0
        while got < n:
            chunk = self.rfile.read(min(65536, n - got))
            if not chunk:
                break
            got += len(chunk)
        body = json.dumps({"received": got}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_HEAD(self):
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()


def _certs(tmp_path, self_signed: bool):
    """A self-signed certificate, or a leaf issued by a local 'interceptor' CA (cryptography: tests only)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = datetime.datetime.now(datetime.timezone.utc)
    name = lambda cn, org: x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, org),  # noqa: E731
                                      x509.NameAttribute(NameOID.COMMON_NAME, cn)])
    key = ec.generate_private_key(ec.SECP256R1())
    subject = name(LOOP, "Local Test Server")
    if self_signed:
        issuer, signer = subject, key
    else:
        signer = ec.generate_private_key(ec.SECP256R1())
        issuer = name("Antivirus Web Shield Root", "Example Antivirus Ltd")
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=1)).sign(signer, hashes.SHA256()))
    cp, kp = tmp_path / "cert.pem", tmp_path / "key.pem"
    cp.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    kp.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                     serialization.NoEncryption()))
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cp, kp)
    return ctx


def steps(doc, step, target=None):
    return [s for s in doc["steps"] if s["step"] == step and (target is None or s.get("target") == target)]


def test_accepting_refused_and_hanging_ports(listener):
    closed = closed_port()
    t = Target(name="local", host=LOOP, tcp=(listener, closed))
    start = time.monotonic()
    doc = run_diagnose(cfg_for([t]), proxy_reader=NO_PROXY)
    assert time.monotonic() - start < 3.5
    by_port = {s["port"]: s for s in steps(doc, "tcp")}
    assert by_port[listener]["status"] == "ok" and isinstance(by_port[listener]["ms"], int)
    refused = by_port[closed]
    assert refused["status"] == "failed" and refused["error"] == "refused"
    assert refused["cause"]["code"] == "port_blocked"
    assert f"ポート{closed}がブロックされています" in refused["cause"]["ja"]
    assert f"{refused['ms']} ms" in refused["cause"]["en"]
    assert doc["format"] == FORMAT
    assert_no_floats(doc)


def test_silent_server_times_out_within_its_bound(listener):
    t = Target(name="silent", host=LOOP, tcp=(listener,), tls=True, tls_port=listener, http_path="/")
    cfg = cfg_for([t], bound_ms=4000, tls_timeout_ms=700, http_timeout_ms=700)
    start = time.monotonic()
    doc = run_diagnose(cfg, proxy_reader=NO_PROXY)
    wall = time.monotonic() - start
    tls, = steps(doc, "tls")
    assert tls["status"] == "failed" and tls["error"] == "timed out"
    assert 600 <= tls["ms"] <= 1200
    http_, = steps(doc, "http")
    assert http_["status"] == "failed" and http_["error"] == "timed out"
    assert wall < 2.5  # 0.7 s + 0.7 s, far from the 4 s bound


@pytest.mark.parametrize("self_signed,code", [(True, "tls_self_signed"), (False, "tls_intercepted")])
def test_tls_interception_is_flagged(tmp_path, self_signed, code):
    srv = serve(Speedtest, _certs(tmp_path, self_signed))
    port = srv.server_address[1]
    try:
        t = Target(name="Zoom web (stand-in)", host=LOOP, tcp=(port,), tls=True, tls_port=port, http_path="/",
                   expected_issuers=("DigiCert Inc",))
        doc = run_diagnose(cfg_for([t]), proxy_reader=NO_PROXY)
    finally:
        srv.shutdown()
    tls, = steps(doc, "tls")
    assert tls["status"] == "failed" and tls["intercepted"] is True
    assert tls["cause"]["code"] == code
    assert tls["trusted"] is False
    expected_org = "Local Test Server" if self_signed else "Example Antivirus Ltd"
    assert tls["issuer"]["O"] == expected_org and expected_org in tls["cause"]["en"]
    http_, = steps(doc, "http")
    assert http_["status"] == "ok" and http_["http_status"] == 200  # the round trip still measured


def test_self_signed_flagged_without_known_issuers(tmp_path):
    srv = serve(Speedtest, _certs(tmp_path, True))
    port = srv.server_address[1]
    try:
        doc = run_diagnose(cfg_for([Target(name="local", host=LOOP, tcp=(port,), tls=True, tls_port=port)]),
                           proxy_reader=NO_PROXY)
    finally:
        srv.shutdown()
    tls, = steps(doc, "tls")
    assert tls["cause"]["code"] == "tls_self_signed" and tls["intercepted"] is True


def test_captive_portal_redirect_is_detected():
    srv = serve(Portal)
    try:
        doc = run_diagnose(cfg_for(captive_url=f"http://{LOOP}:{srv.server_address[1]}/generate_204"),
                           proxy_reader=NO_PROXY)
    finally:
        srv.shutdown()
    cap, = steps(doc, "captive_portal")
    assert cap["status"] == "failed" and cap["portal"] is True and cap["redirect"] is True
    assert cap["http_status"] == 302 and "302" in cap["cause"]["ja"]
    assert "127.0.0.1" not in json.dumps(cap)  # the portal's address is not recorded


def test_open_internet_answers_204():
    srv = serve(Open204)
    try:
        doc = run_diagnose(cfg_for(captive_url=f"http://{LOOP}:{srv.server_address[1]}/generate_204"),
                           proxy_reader=NO_PROXY)
    finally:
        srv.shutdown()
    cap, = steps(doc, "captive_portal")
    assert cap["status"] == "ok" and cap["portal"] is False


def test_speedtest_measures_throughput_both_ways():
    srv = serve(Speedtest)
    try:
        cfg = cfg_for(intake_url=f"http://{LOOP}:{srv.server_address[1]}", speedtest_bytes=1_000_000)
        doc = run_diagnose(cfg, proxy_reader=NO_PROXY)
    finally:
        srv.shutdown()
    down, = steps(doc, "throughput_down")
    up, = steps(doc, "throughput_up")
    for s in (down, up):
        assert s["status"] == "ok", s
        assert s["bytes"] == 1_000_000 and s["complete"] is True
        assert isinstance(s["kbps"], int) and s["kbps"] >= 1200
    intake_tcp, = steps(doc, "tcp", "intake")
    assert intake_tcp["status"] == "ok"
    assert_no_floats(doc)


def test_every_target_hanging_finishes_within_the_bound(listener):
    hang = f"http://{LOOP}:{listener}"
    targets = [Target(name="web", host=LOOP, tcp=(listener,), tls=True, tls_port=listener, http_path="/"),
               Target(name="media", host=LOOP, tcp=(listener, listener), udp=(8801,))]
    cfg = cfg_for(targets, captive_url=hang + "/generate_204", intake_url=hang, bound_ms=2000)
    start = time.monotonic()
    doc = run_diagnose(cfg, proxy_reader=NO_PROXY)
    wall = time.monotonic() - start
    assert wall < 2.0 + 0.6, wall
    assert doc["status"] == "failed"
    for s in doc["steps"]:
        assert s["status"] != "pending"
    assert all(s["status"] == "failed" for s in steps(doc, "throughput_down") + steps(doc, "captive_portal"))


def test_hanging_dns_is_bounded(monkeypatch):
    import envcheck.diagnose.net as net

    real = socket.getaddrinfo

    def slow(host, *a, **k):
        if host == "hang.invalid":
            time.sleep(5)
        return real(host, *a, **k)

    monkeypatch.setattr(net.socket, "getaddrinfo", slow)
    cfg = cfg_for(bound_ms=1500, dns_timeout_ms=500)
    cfg = dataclasses.replace(cfg, targets=(Target(name="slow dns", host="hang.invalid", tcp=(443,)),))
    start = time.monotonic()
    doc = run_diagnose(cfg, proxy_reader=NO_PROXY)
    assert time.monotonic() - start < 1.2
    dns, = steps(doc, "dns")
    assert dns["status"] == "failed" and dns["error"] == "timed out"


def test_endpoint_override_and_reachability_facts(listener):
    from envcheck.facts._common import endpoints
    from envcheck.probes import ProbeResult

    closed = closed_port()
    cfg = cfg_for().with_endpoints([f"{LOOP}:{listener}", f"{LOOP}:{closed}"])
    doc = run_diagnose(cfg, proxy_reader=NO_PROXY)
    eps = endpoints({"net.diagnose": ProbeResult(value=doc)})
    assert {(e.port, e.ok) for e in eps} == {(listener, True), (closed, False)}
    assert next(e for e in eps if not e.ok).error == "refused"
    with pytest.raises(UsageError, match="must be HOST:PORT"):
        parse_endpoint("no-port")


def test_diagnostics_from_adds_wifi_and_keeps_privacy():
    from envcheck.probes import ProbeResult

    raw = Path("tests/fixtures/sources/windows_netsh_wlan_show_interfaces_open_network_en.txt").read_text(
        encoding="utf-8")
    netsh = "\n".join(ln for ln in raw.split("# --- block 2")[0].splitlines() if not ln.startswith("#"))
    doc = diagnostics_from({"win.wlan": ProbeResult(value=netsh),
                            "net.diagnose": ProbeResult(value={"format": FORMAT, "steps": [], "status": "ok"})})
    wifi, = steps(doc, "wifi")
    assert wifi["status"] == "failed" and wifi["security"] == "open" and wifi["signal_percent"] == 98
    text = json.dumps(doc, ensure_ascii=False)
    assert "CE_WLAN" not in text and "Broadcom" not in text
    offline = diagnostics_from({})
    assert offline["ran"] is False and offline["steps"][-1]["status"] == "skipped"


def test_reachable_check_warns_on_media_ports_only(rules):
    from envcheck.checks.devices import decide_reach

    now = datetime.datetime.now(datetime.timezone.utc)
    ev = {"targets": [{"name": "Zoom web", "host": "zoom.us", "port": 443, "ok": True, "ms": 20, "error": None},
                      {"name": "Zoom media", "host": "zoom.us", "port": 8801, "ok": False, "ms": 2000,
                       "error": "timed out"}]}
    d = decide_reach(ev, rules, now, "windows")
    assert (d.status, d.code, d.params["ports"]) == ("warn", "media_blocked", "8801")
    ev["targets"][0]["ok"] = False
    assert decide_reach(ev, rules, now, "windows").status == "fail"
    msg = rules.check("network.reachable").message("media_blocked")
    assert msg.summary.ja and msg.summary.en


def test_cli_json_and_human(listener, capsys):
    import argparse

    from envcheck.netcheck import cli

    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="command")
    cli.add_parser(sub)
    closed = closed_port()
    args = p.parse_args(["diagnose", "--endpoint", f"{LOOP}:{closed}", "--timeout", "2", "--lang", "ja"])
    assert cli.run(args) == 1
    out = capsys.readouterr().out
    assert f"ポート{closed}がブロックされています" in out
    args = p.parse_args(["diagnose", "--endpoint", f"{LOOP}:{listener}", "--timeout", "2", "--json"])
    cli.run(args)
    doc = json.loads(capsys.readouterr().out)
    assert doc["format"] == FORMAT and doc["bound_ms"] == 2000
    assert_no_floats(doc)
