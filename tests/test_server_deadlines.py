"""Slow and idle clients are cut off, and uploads keep working meanwhile: `envcheck-server run` on its
own, and behind Debian's nginx with deploy/nginx.conf, all on 127.0.0.1."""

from __future__ import annotations

import http.client
import json
import os
import shutil
import socket
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from requests.structures import CaseInsensitiveDict

from server_fixtures import Maker, Server, free_port, stop_process

ROOT = Path(__file__).resolve().parent.parent
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
HEADER_S = 2  # the deadlines, short for the test (each case waits one out)
BODY_S = 3


def _closed_after(sock: socket.socket, limit: float, trickle: bytes = b"") -> float | None:
    """Seconds until the server closes `sock` (sending `trickle` a byte per 0.5 s), None if still open."""
    start = time.monotonic()
    sock.settimeout(0.5)
    i = 0
    while time.monotonic() - start < limit:
        if trickle:
            try:
                sock.send(trickle[i % len(trickle):i % len(trickle) + 1])
                i += 1
            except OSError:
                return time.monotonic() - start
        try:
            data = sock.recv(4096)
            if data == b"" or data.startswith(b"HTTP/1.1 408") or data.startswith(b"HTTP/1.1 400"):
                return time.monotonic() - start
        except socket.timeout:
            continue
        except OSError:
            return time.monotonic() - start
    return None


def _slow_clients(port: int) -> dict[str, float | None]:
    report = b'{"format": "envcheck.report/1"' + b" " * 5000 + b"}"
    cases = {
        "idle": (b"", b""),
        "slow headers": (b"", b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Pad: " + b"a" * 200),
        "slow body": (b"POST /api/v1/reports HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                      b"Content-Length: %d\r\n\r\n" % len(report), report),
    }

    def one(case: tuple[bytes, bytes]) -> float | None:
        head, trickle = case
        with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
            if head:
                sock.sendall(head)
            return _closed_after(sock, 40, trickle)

    # Each client on a connection of its own, all at once: the wait is the longest deadline, not their sum.
    with ThreadPoolExecutor(len(cases)) as pool:
        return dict(zip(cases, pool.map(one, cases.values()), strict=True))


def _uploads_work_with_idle_crowd(url: str, port: int, maker, crowd: int) -> None:
    idle = []
    for _ in range(crowd):
        try:
            idle.append(socket.create_connection(("127.0.0.1", port), timeout=5))
        except OSError:
            break
    try:
        start = time.monotonic()
        r = requests.post(url + "/api/v1/reports", data=json.dumps(maker.passing("01234-00000900")), timeout=20,
                          headers={"Content-Type": "application/json"})
        assert r.status_code == 201, r.text
        assert requests.get(url + "/healthz", timeout=10).status_code == 200
        assert time.monotonic() - start < 10
    finally:
        for s in idle:
            s.close()


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    srv = Server(str(tmp_path_factory.mktemp("deadlines")), run_args=("--header-timeout", str(HEADER_S),
                                                                    "--keep-alive", "2"),
                 ENVCHECK_BODY_TIMEOUT_SECONDS=str(BODY_S))
    yield srv
    srv.stop()


def test_the_service_alone_cuts_off_idle_slow_header_and_slow_body_clients(service, rules):
    took = _slow_clients(service.port)
    print("slow clients cut off after (s), service alone:", {k: round(v, 1) for k, v in took.items() if v})
    assert took["idle"] is not None and took["idle"] < HEADER_S + 2
    assert took["slow headers"] is not None and took["slow headers"] < HEADER_S + 2
    assert took["slow body"] is not None and took["slow body"] < BODY_S + 2
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 4096), hard))
    try:  # the battery's 1,100 silent connections (beyond the usual 1,024 open files) no longer stop uploads
        _uploads_work_with_idle_crowd(service.url, service.port, Maker(rules), 1100)
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def test_the_service_alone_refuses_more_than_16_kib_of_headers(service):
    def ask(pad: int) -> bytes:
        with socket.create_connection(("127.0.0.1", service.port), timeout=10) as sock:
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Pad: " + b"a" * pad + b"\r\n\r\n")
            out = b""
            while chunk := sock.recv(65536):
                out += chunk
                if b"\r\n\r\n" in out:
                    break
            return out

    assert ask(8 * 1024).startswith(b"HTTP/1.1 200")
    refused = ask(40 * 1024)
    assert refused.startswith(b"HTTP/1.1 431")  # answered as the app answers: JSON, the security headers
    assert b"content-type: application/json" in refused and b"x-content-type-options: nosniff" in refused


@pytest.fixture(scope="module")
def nginx(service, tmp_path_factory):
    if not os.path.exists(NGINX):
        pytest.skip("nginx is not installed (apt-get install nginx)")
    d = tmp_path_factory.mktemp("nginx")
    port = free_port()
    site = (ROOT / "deploy" / "nginx.conf").read_text(encoding="utf-8")
    site = site.replace("server 127.0.0.1:8080;", f"server 127.0.0.1:{service.port};")
    site = site.replace("listen 80;", f"listen 127.0.0.1:{port};")
    for name, seconds in (("client_header_timeout", HEADER_S), ("client_body_timeout", HEADER_S),
                          ("keepalive_timeout", 2)):
        site = site.replace(f"{name} ", f"{name} {seconds}s; # was ", 1)  # shorter for the test
    temp = "".join(f"{k}_temp_path {d}/{k};\n" for k in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    user = "user root;\n" if os.geteuid() == 0 else ""
    (d / "nginx.conf").write_text(f"{user}worker_processes 1;\npid {d}/nginx.pid;\nerror_log {d}/error.log;\n"
                                  f"events {{ worker_connections 4096; }}\nhttp {{\naccess_log off;\n{temp}"
                                  f"{site}\n}}\n", encoding="utf-8")
    check = subprocess.run([NGINX, "-t", "-p", str(d), "-c", str(d / "nginx.conf")], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    proc = subprocess.Popen([NGINX, "-p", str(d), "-c", str(d / "nginx.conf"), "-g", "daemon off;"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            if requests.get(url + "/healthz", timeout=2).status_code == 200:
                break
        except requests.RequestException:
            time.sleep(0.1)
    yield url, port
    stop_process(proc, 10)


def test_behind_nginx_slow_clients_are_cut_off_and_uploads_keep_working(nginx, rules):
    url, port = nginx
    took = _slow_clients(port)
    print("slow clients cut off after (s), behind nginx:", {k: round(v, 1) for k, v in took.items() if v})
    for case, limit in (("idle", HEADER_S), ("slow headers", HEADER_S), ("slow body", BODY_S)):  # body: the service's
        assert took[case] is not None and took[case] < limit + 2, (case, took)
    _uploads_work_with_idle_crowd(url, port, Maker(rules), 15)  # limit_conn: 20 per address
    r = requests.post(url + "/api/v1/reports", data=b"x" * 400_000, timeout=20)
    assert r.status_code == 413  # nginx refuses an oversized report before the service sees it
    errors = []

    def upload(i):
        r = requests.post(url + "/api/v1/reports", timeout=30, headers={"Content-Type": "application/json"},
                          data=json.dumps(Maker(rules).passing(f"01234-{910 + i:08d}")))
        if r.status_code != 201:
            errors.append(r.status_code)

    threads = [threading.Thread(target=upload, args=(i,)) for i in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []


def _proxy_refusal(status: int, headers, body: bytes) -> None:
    """nginx's own 429: JSON with Retry-After and the service's security headers (`headers`: any case)."""
    h = CaseInsensitiveDict(headers)
    assert status == 429, (status, body[:200])
    assert h["content-type"] == "application/json"
    assert "(proxy)" in json.loads(body)["error"]
    assert h["retry-after"].isdigit() and int(h["retry-after"]) >= 1
    assert h["x-content-type-options"] == "nosniff"
    assert "default-src 'none'" in h["content-security-policy"]


def _upload_until_accepted(url: str, maker, seeker: str, within: float) -> float:
    """Seconds until an upload gets 201 again (uploads refused meanwhile wait as Retry-After says)."""
    start = time.monotonic()
    while time.monotonic() - start < within:
        r = requests.post(url + "/api/v1/reports", data=json.dumps(maker.passing(seeker)), timeout=20,
                          headers={"Content-Type": "application/json"})
        if r.status_code == 201:
            return time.monotonic() - start
        _proxy_refusal(r.status_code, r.headers, r.content)
        time.sleep(int(r.headers["retry-after"]))
    raise AssertionError(f"uploads were still refused after {within} s")


def test_behind_nginx_a_burst_of_uploads_gets_json_429_and_uploads_work_again(nginx, rules):
    url, port = nginx
    maker = Maker(rules)
    _upload_until_accepted(url, maker, "01234-00000950", 30)
    time.sleep(5)  # the earlier tests' uploads have drained from the bucket (burst 20 at 5/s: 4 s)
    bodies = [json.dumps(maker.passing(f"01234-{951 + i:08d}")).encode() for i in range(40)]
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    got = []
    for body in bodies:  # 40 uploads back to back on one connection: far beyond 5/s with a burst of 20
        conn.request("POST", "/api/v1/reports", body=body, headers={"Content-Type": "application/json"})
        resp = conn.getresponse()
        got.append((resp.status, resp.getheaders(), resp.read()))
    conn.close()
    statuses = [s for s, _, _ in got]
    # the burst of 20 passes (and the few that 5/s adds while the 40 are sent), the rest are refused by nginx
    assert 20 <= statuses.count(201) <= 28 and statuses.count(429) >= 12, statuses
    assert set(statuses) == {201, 429}
    _proxy_refusal(*next(g for g in got if g[0] == 429))
    took = _upload_until_accepted(url, maker, "01234-00000999", 30)
    print(f"burst: {statuses.count(201)} x 201, {statuses.count(429)} x 429; uploads accepted again after {took:.1f} s")


def test_behind_nginx_too_many_connections_at_once_get_json_429(nginx, rules):
    url, port = nginx
    held = []
    try:  # 20 requests in progress (headers sent, body awaited): limit_conn's 20 per address
        for _ in range(20):
            s = socket.create_connection(("127.0.0.1", port), timeout=5)
            s.sendall(b"POST /api/v1/speedtest HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n")
            held.append(s)
        time.sleep(0.3)
        r = requests.get(url + "/healthz", timeout=10)
        _proxy_refusal(r.status_code, r.headers, r.content)
    finally:
        for s in held:
            s.close()
    time.sleep(0.3)
    assert requests.get(url + "/healthz", timeout=10).status_code == 200
    _upload_until_accepted(url, Maker(rules), "01234-00000998", 30)
