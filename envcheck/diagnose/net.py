"""The network measurements: the only code in envcheck/diagnose that opens sockets.

Standard library only (socket, ssl, http.client). Every function takes its own timeout in seconds,
already clamped by the caller to what is left of the overall bound, and returns a plain dict of
integers and short strings; it never raises for a network failure.
"""

from __future__ import annotations

import http.client
import json
import socket
import ssl
import threading
import time
from urllib.parse import urlsplit

from envcheck.diagnose import der

_CHUNK = 64 * 1024


def _ms(start: float) -> int:
    return int((time.monotonic() - start) * 1000)


def reason(exc: BaseException) -> str:
    if isinstance(exc, ConnectionRefusedError):
        return "refused"
    if isinstance(exc, (TimeoutError, socket.timeout)):
        return "timed out"
    if isinstance(exc, ssl.SSLCertVerificationError):
        return f"certificate: {exc.verify_message or exc.reason}"
    if isinstance(exc, ssl.SSLError):
        return f"TLS: {exc.reason or exc}"
    if isinstance(exc, socket.gaierror):
        return f"name not found ({exc.strerror})" if exc.strerror else "name not found"
    if isinstance(exc, ConnectionResetError):
        return "connection reset"
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return type(exc).__name__


def resolve(host: str, port: int, timeout: float) -> dict:
    """getaddrinfo in a worker thread (it has no timeout of its own). Addresses stay in memory only."""
    box: dict = {}
    start = time.monotonic()

    def work():
        try:
            box["addrs"] = [(fam, sa) for fam, _, _, _, sa in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)]
        except (OSError, UnicodeError) as exc:
            box["error"] = reason(exc)

    t = threading.Thread(target=work, daemon=True, name=f"dns {host}")
    t.start()
    t.join(max(0.0, timeout))
    ms = _ms(start)
    if "addrs" in box and box["addrs"]:
        return {"ok": True, "ms": ms, "addrs": box["addrs"]}
    return {"ok": False, "ms": ms, "error": box.get("error") or ("timed out" if t.is_alive() else "no address")}


def _socket(addr: tuple, timeout: float) -> socket.socket:
    fam, sa = addr
    sock = socket.socket(fam, socket.SOCK_STREAM)
    sock.settimeout(max(0.001, timeout))
    try:
        sock.connect(sa)
    except BaseException:
        sock.close()
        raise
    return sock


def connect(addr: tuple, timeout: float) -> dict:
    start = time.monotonic()
    try:
        _socket(addr, timeout).close()
        return {"ok": True, "ms": _ms(start)}
    except OSError as exc:
        return {"ok": False, "ms": _ms(start), "error": reason(exc)}


def tls_handshake(host: str, addr: tuple, timeout: float, cafile: str | None = None) -> dict:
    """Handshake once with verification; on a verification failure, once more without it to read
    the certificate the network actually presented. Issuer/subject come from the leaf's DER."""
    deadline = time.monotonic() + timeout
    start = time.monotonic()
    out: dict = {}
    for verify in (True, False):
        ctx = ssl.create_default_context(cafile=cafile)
        if not verify:
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
        left = deadline - time.monotonic()
        if left <= 0:
            return {**out, "ok": False, "ms": _ms(start), "error": out.get("error") or "timed out"}
        try:
            sock = _socket(addr, left)
            try:
                sock.settimeout(max(0.001, deadline - time.monotonic()))
                with ctx.wrap_socket(sock, server_hostname=host) as tls:
                    leaf = tls.getpeercert(binary_form=True) or b""
                    out.update({"version": tls.version() or "", "verified": verify})
            finally:
                sock.close()
        except ssl.SSLCertVerificationError as exc:
            out.update({"verify_error": reason(exc)})
            continue
        except OSError as exc:
            return {**out, "ok": False, "ms": _ms(start), "error": reason(exc)}
        out["ms"] = _ms(start)
        try:
            issuer, subject = der.names(leaf)
            out.update({"issuer": issuer, "subject": subject})
        except der.DerError as exc:
            out["issuer_error"] = str(exc)
        return {**out, "ok": True}
    return {**out, "ok": False, "ms": _ms(start), "error": out.get("verify_error", "failed")}


def _http(host: str, port: int, tls: bool, addr: tuple, timeout: float) -> http.client.HTTPConnection:
    """An http.client connection on a socket to the already-resolved address (no second DNS lookup)."""
    conn = http.client.HTTPConnection(host, port, timeout=timeout)
    sock = _socket(addr, timeout)
    if tls:
        ctx = ssl.create_default_context()
        ctx.check_hostname = False  # the TLS step judges the certificate; this one times the round trip
        ctx.verify_mode = ssl.CERT_NONE
        sock = ctx.wrap_socket(sock, server_hostname=host)
    conn.sock = sock
    return conn


def http_roundtrip(host: str, port: int, tls: bool, path: str, addr: tuple, timeout: float,
                   method: str = "HEAD") -> dict:
    start = time.monotonic()
    conn = None
    try:
        conn = _http(host, port, tls, addr, timeout)
        conn.request(method, path, headers={"User-Agent": "envcheck-diagnose", "Connection": "close"})
        resp = conn.getresponse()
        body = resp.read(4096) if method != "HEAD" else b""
        return {"ok": True, "ms": _ms(start), "status": resp.status, "body": body,
                "location": resp.getheader("Location") is not None}
    except (OSError, http.client.HTTPException) as exc:
        return {"ok": False, "ms": _ms(start), "error": reason(exc) if isinstance(exc, OSError) else type(exc).__name__}
    finally:
        if conn is not None:
            conn.close()


def _split(url: str) -> tuple[str, int, bool, str]:
    u = urlsplit(url)
    tls = u.scheme == "https"
    return u.hostname or "", u.port or (443 if tls else 80), tls, (u.path or "/") + (f"?{u.query}" if u.query else "")


def fetch(url: str, timeout: float) -> dict:
    """GET url without following redirects (a captive portal shows itself by redirecting)."""
    host, port, tls, path = _split(url)
    start = time.monotonic()
    dns = resolve(host, port, timeout)
    if not dns["ok"]:
        return {"ok": False, "ms": _ms(start), "error": dns["error"], "stage": "dns"}
    res = http_roundtrip(host, port, tls, path, dns["addrs"][0], max(0.001, timeout - (time.monotonic() - start)),
                         method="GET")
    res["ms"] = _ms(start)
    return res


def download(base: str, path: str, nbytes: int, seconds: float, timeout: float) -> dict:
    """GET {base}{path}?bytes=N; read until N bytes or `seconds` pass. kbps = bits per millisecond."""
    host, port, tls, _ = _split(base)
    start = time.monotonic()
    stop = start + min(seconds, timeout)
    got, conn = 0, None
    try:
        dns = resolve(host, port, timeout)
        if not dns["ok"]:
            return {"ok": False, "ms": _ms(start), "error": dns["error"]}
        conn = _http(host, port, tls, dns["addrs"][0], max(0.001, stop - time.monotonic()))
        conn.request("GET", f"{path}?bytes={nbytes}", headers={"User-Agent": "envcheck-diagnose"})
        resp = conn.getresponse()
        if resp.status != 200:
            return {"ok": False, "ms": _ms(start), "error": f"HTTP {resp.status}"}
        t0 = time.monotonic()
        while got < nbytes and time.monotonic() < stop:
            conn.sock.settimeout(max(0.001, stop - time.monotonic()))
            try:
                chunk = resp.read1(_CHUNK)
            except (TimeoutError, socket.timeout):
                break
            if not chunk:
                break
            got += len(chunk)
        ms = max(1, _ms(t0))
        if got == 0:
            return {"ok": False, "ms": _ms(start), "error": "no data within the time limit"}
        return {"ok": True, "bytes": got, "ms": ms, "kbps": got * 8 // ms, "complete": got >= nbytes}
    except (OSError, http.client.HTTPException) as exc:
        return {"ok": False, "ms": _ms(start), "bytes": got,
                "error": reason(exc) if isinstance(exc, OSError) else type(exc).__name__}
    finally:
        if conn is not None:
            conn.close()


def upload(base: str, path: str, nbytes: int, seconds: float, timeout: float) -> dict:
    """POST N bytes to {base}{path}; the server answers {"received": N}. When time runs out first,
    the figure is bytes handed to the network / elapsed time (an upper bound, marked complete=false)."""
    host, port, tls, _ = _split(base)
    start = time.monotonic()
    stop = start + min(seconds, timeout)
    sent, conn = 0, None
    block = b"\0" * _CHUNK
    try:
        dns = resolve(host, port, timeout)
        if not dns["ok"]:
            return {"ok": False, "ms": _ms(start), "error": dns["error"]}
        conn = _http(host, port, tls, dns["addrs"][0], max(0.001, stop - time.monotonic()))
        conn.putrequest("POST", path)
        conn.putheader("Content-Type", "application/octet-stream")
        conn.putheader("Content-Length", str(nbytes))
        conn.putheader("User-Agent", "envcheck-diagnose")
        conn.endheaders()
        t0 = time.monotonic()
        while sent < nbytes:
            left = stop - time.monotonic()
            if left <= 0:
                break
            conn.sock.settimeout(left)
            try:
                n = conn.sock.send(block[:min(_CHUNK, nbytes - sent)])
            except (TimeoutError, socket.timeout):
                break
            sent += n
        if sent < nbytes:
            ms = max(1, _ms(t0))
            if sent == 0:
                return {"ok": False, "ms": _ms(start), "error": "could not send within the time limit"}
            return {"ok": True, "bytes": sent, "ms": ms, "kbps": sent * 8 // ms, "complete": False}
        conn.sock.settimeout(max(0.001, stop - time.monotonic()))
        resp = conn.getresponse()
        ms = max(1, _ms(t0))
        body = resp.read(4096)
        if resp.status != 200:
            return {"ok": False, "ms": _ms(start), "error": f"HTTP {resp.status}"}
        try:
            received = int(json.loads(body)["received"])
        except (ValueError, KeyError, TypeError):
            return {"ok": False, "ms": _ms(start), "error": "answer is not {\"received\": N}"}
        return {"ok": True, "bytes": received, "ms": ms, "kbps": received * 8 // ms, "complete": received >= nbytes}
    except (OSError, http.client.HTTPException) as exc:
        # Bytes in the socket buffer prove nothing when the server never answers.
        return {"ok": False, "ms": _ms(start), "error": reason(exc) if isinstance(exc, OSError) else type(exc).__name__}
    finally:
        if conn is not None:
            conn.close()
