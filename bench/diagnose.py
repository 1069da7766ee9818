"""Wall time of the network diagnostics against loopback targets only (127.0.0.1).

    .venv/bin/python bench/diagnose.py [runs]

1. median of `runs` full runs against answering loopback targets (TCP listener, HTTP server with the
   speedtest contract, a 204 captive-portal check) — aim < 1 s;
2. one run with every target hanging (accepts, never answers) at the default 5 s bound — aim < 6 s.
"""

from __future__ import annotations

import dataclasses
import http.server
import json
import socket
import statistics
import sys
import threading
import time

from envcheck.diagnose import load_config, run_diagnose
from envcheck.diagnose.config import Target

LOOP = "127.0.0.1"


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def do_HEAD(self):
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_GET(self):
        if self.path.startswith("/generate_204"):
            self.send_response(204)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        n = int(self.path.partition("bytes=")[2] or 0)
        self.send_response(200)
        self.send_header("Content-Length", str(n))
        self.end_headers()
        self.wfile.write(b"\0" * n)

    def do_POST(self):
        n = int(self.headers.get("Content-Length", 0))
        got = len(self.rfile.read(n))
        body = json.dumps({"received": got}).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def main(runs: int = 9) -> None:
    srv = http.server.ThreadingHTTPServer((LOOP, 0), Handler)
    srv.daemon_threads = True
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    port = srv.server_address[1]
    hang = socket.socket()
    hang.bind((LOOP, 0))
    hang.listen(128)
    hport = hang.getsockname()[1]
    base = load_config()
    no_proxy = lambda t: {"env": {}, "system": {}}  # noqa: E731

    answering = dataclasses.replace(
        base, intake_url=f"http://{LOOP}:{port}", captive_url=f"http://{LOOP}:{port}/generate_204",
        targets=(Target(name="web", host=LOOP, tcp=(port,), http_path="/", tls_port=port),
                 Target(name="media", host=LOOP, tcp=(port, hport), udp=(8801,))))
    times = []
    for _ in range(runs):
        t = time.monotonic()
        doc = run_diagnose(answering, proxy_reader=no_proxy)
        times.append(time.monotonic() - t)
    kbps = {s["step"]: s.get("kbps") for s in doc["steps"] if s["step"].startswith("throughput")}
    print(f"loopback targets: median {statistics.median(times) * 1000:.0f} ms over {runs} runs "
          f"(min {min(times) * 1000:.0f}, max {max(times) * 1000:.0f}); status {doc['status']}; "
          f"throughput {kbps} kbps with {base.limit('speedtest_bytes')} bytes each way")

    hanging = dataclasses.replace(
        base, intake_url=f"http://{LOOP}:{hport}", captive_url=f"http://{LOOP}:{hport}/generate_204",
        targets=(Target(name="web", host=LOOP, tcp=(hport,), tls=True, tls_port=hport, http_path="/",
                        expected_issuers=("DigiCert Inc",)),
                 Target(name="media", host=LOOP, tcp=(hport, hport))))
    t = time.monotonic()
    doc = run_diagnose(hanging, proxy_reader=no_proxy)
    wall = time.monotonic() - t
    print(f"every target hanging: {wall * 1000:.0f} ms (bound {base.limit('bound_ms')} ms); status {doc['status']}; "
          f"failed steps {sum(s['status'] == 'failed' for s in doc['steps'])}")
    srv.shutdown()
    hang.close()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 9)
