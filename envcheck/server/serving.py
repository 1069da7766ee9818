"""How `envcheck-server run` serves: uvicorn with deadlines for every phase of a connection.

uvicorn alone times out only the pause *between* two requests (timeout_keep_alive), and any byte
received cancels even that: a client that connects and says nothing, or trickles its request
line and headers a byte at a time, holds a connection (and a file descriptor) for ever. Here:

- header deadline: a connection must complete its request headers within `header_timeout`
  seconds of connecting (or of the previous response), else it is closed;
- idle keep-alive: uvicorn's timeout_keep_alive;
- body deadline: the app reads a request body within settings.body_timeout_seconds, else 408
  (api._read_bounded, webauth.read_form);
- concurrency: at most `limit_concurrency` connections per worker (503 beyond), headers at most
  16 KiB (431 beyond), and the open-file limit raised to its hard maximum.

In production put nginx in front (docs/server.md, deploy/nginx.conf); these hold without it too.
"""

from __future__ import annotations

import json
import sys
from typing import Any

import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from envcheck.server.security import SECURITY_HEADERS

HEADER_TIMEOUT = 10
KEEP_ALIVE = 5
LIMIT_CONCURRENCY = 2048
MAX_HEADER_BYTES = 16 * 1024


_Protocol: Any = object  # the mixin goes before one of uvicorn's protocols, which have every member it uses


class _Deadlines(_Protocol):
    """A deadline for receiving each request's headers, and at most MAX_HEADER_BYTES of them, on top of
    one of uvicorn's HTTP/1.1 protocols (h11, or httptools, the faster C parser, when installed)."""

    def __init__(self, config, *args, **kwargs):
        super().__init__(config, *args, **kwargs)
        self._header_timeout = float(getattr(config, "header_timeout", HEADER_TIMEOUT))
        self._deadline = None
        self._seen = None
        self._head_bytes = 0

    def _arm(self, after: float) -> None:
        self._disarm()
        self._head_bytes = 0
        self._deadline = self.loop.call_later(after, self._cut)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _cut(self) -> None:
        self._deadline = None
        in_request = self.cycle is not None and not self.cycle.response_complete
        if not in_request and not self.transport.is_closing():
            self.transport.close()  # said nothing, or too slowly, within the deadline

    def connection_made(self, transport) -> None:
        super().connection_made(transport)
        self._arm(self._header_timeout)

    def data_received(self, data: bytes) -> None:
        if self._deadline is not None:  # waiting for a request's headers: count them up to the blank line
            end = data.find(b"\r\n\r\n")
            self._head_bytes += len(data) if end < 0 else end
            if self._head_bytes > MAX_HEADER_BYTES:
                self._disarm()
                self._refuse(b"431 Request Header Fields Too Large", "the request headers are over 16 KiB")
                return
        super().data_received(data)
        if self.cycle is not None and self.cycle is not self._seen:
            self._seen = self.cycle  # a request's headers are complete: the body deadline is the app's
            self._disarm()

    def send_400_response(self, msg: str) -> None:
        """A request the parser refuses, answered as the app answers: JSON and the security headers."""
        self._refuse(b"400 Bad Request", f"the request is not valid HTTP/1.1 ({msg[:80]})")

    def _refuse(self, status: bytes, reason: str) -> None:
        body = json.dumps({"error": reason}).encode("ascii")
        head = b"".join(name + b": " + value + b"\r\n" for name, value in SECURITY_HEADERS)
        self.transport.write(b"HTTP/1.1 " + status + b"\r\ncontent-type: application/json\r\ncontent-length: "
                             + str(len(body)).encode("ascii") + b"\r\nconnection: close\r\n" + head + b"\r\n" + body)
        self.transport.close()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing() and (self.cycle is None or self.cycle is self._seen):
            self._arm(self.timeout_keep_alive + self._header_timeout)

    def connection_lost(self, exc) -> None:
        self._disarm()
        super().connection_lost(exc)


class DeadlineH11Protocol(_Deadlines, H11Protocol):
    """uvicorn's h11 protocol (pure Python) with the deadlines."""


try:  # httptools, the C parser: about 0.4 ms less CPU per upload than h11 (bench/ingest.py)
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

    class DeadlineHttpToolsProtocol(_Deadlines, HttpToolsProtocol):
        """uvicorn's httptools protocol with the deadlines (module level: spawned workers unpickle it)."""

    PROTOCOL: type = DeadlineHttpToolsProtocol
except ImportError:  # httptools is not installed
    PROTOCOL = DeadlineH11Protocol


class TcpConfig(uvicorn.Config):
    """uvicorn.Config whose listening socket says IPPROTO_TCP.

    uvicorn binds its workers' socket with proto 0, so asyncio never sets TCP_NODELAY on their
    connections and each keep-alive response waits ~40 ms for a delayed ACK (measured: 180
    instead of 1,300 requests/s). Module-level so that the spawned workers can unpickle it.
    """

    header_timeout: float = HEADER_TIMEOUT

    def bind_socket(self):
        import socket

        sock = super().bind_socket()
        return socket.socket(sock.family, sock.type, socket.IPPROTO_TCP, fileno=sock.detach())


def raise_open_file_limit() -> int:
    """Soft RLIMIT_NOFILE up to the hard limit (often 1,024 -> 524,288); returns the new soft limit."""
    if sys.platform == "win32":  # the service runs on Linux; Windows has no such limit to raise
        return 0
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or hard > soft:
        target = 1 << 20 if hard == resource.RLIM_INFINITY else hard
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            return target
        except (ValueError, OSError):
            pass
    return soft


def config(app, *, host: str, port: int, workers: int, log_level: str, header_timeout: float,
           keep_alive: int, limit_concurrency: int) -> TcpConfig:
    cfg = TcpConfig(app, factory=isinstance(app, str), host=host, port=port, workers=workers, log_level=log_level,
                    access_log=False, proxy_headers=True, http=PROTOCOL, timeout_keep_alive=keep_alive,
                    limit_concurrency=limit_concurrency, h11_max_incomplete_event_size=MAX_HEADER_BYTES,
                    timeout_graceful_shutdown=10)
    cfg.header_timeout = header_timeout
    return cfg
