"""A busy service's Retry-After is honoured, against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import json
import threading
from email.utils import format_datetime
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from envcheck.errors import UploadError
from envcheck.office import ServerConfig
from envcheck.delivery.upload import MAX_RETRY_AFTER, HttpUploader, retry_after


class _Busy:
    """Answers the first `busy` POSTs with 503 and the given Retry-After, then a receipt."""

    def __init__(self, busy: int, header: str | None):
        self.busy, self.header, self.posts = busy, header, 0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # http.server calls it by this name
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                outer.posts += 1
                if outer.posts <= outer.busy:
                    body = json.dumps({"error": "busy"}).encode()
                    self.send_response(503)
                    if outer.header is not None:
                        self.send_header("Retry-After", outer.header)
                else:
                    body = json.dumps({"receipt_no": "AB12-CD34"}).encode()
                    self.send_response(201)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"


@pytest.fixture
def busy_server():
    servers = []

    def make(busy, header):
        s = _Busy(busy, header)
        servers.append(s)
        return s

    yield make
    for s in servers:
        s.server.shutdown()
        s.server.server_close()


def _uploader(url, waits):
    return HttpUploader(ServerConfig(url=url), sleep=waits.append)


def test_the_wait_asked_for_in_seconds_is_the_wait_taken(busy_server):
    server, waits = busy_server(1, "7"), []
    assert _uploader(server.url, waits).post_report(b"{}") == {"receipt_no": "AB12-CD34"}
    assert waits == [7.0] and server.posts == 2


def test_the_wait_asked_for_as_an_http_date_is_honoured(busy_server):
    when = format_datetime(datetime.now(timezone.utc) + timedelta(seconds=20), usegmt=True)
    server, waits = busy_server(1, when), []
    _uploader(server.url, waits).post_report(b"{}")
    assert len(waits) == 1 and 15 <= waits[0] <= 20


def test_without_retry_after_the_backoff_is_one_then_two_seconds(busy_server):
    server, waits = busy_server(2, None), []
    _uploader(server.url, waits).post_report(b"{}")
    assert waits == [1, 2]


def test_an_unreadable_retry_after_falls_back_to_the_backoff(busy_server):
    server, waits = busy_server(1, "soon, maybe"), []
    _uploader(server.url, waits).post_report(b"{}")
    assert waits == [1]


def test_a_wait_longer_than_one_send_allows_leaves_the_report_for_later(busy_server):
    server, waits = busy_server(1, str(int(MAX_RETRY_AFTER) + 90)), []
    with pytest.raises(UploadError) as err:
        _uploader(server.url, waits).post_report(b"{}")
    assert not err.value.permanent, "a busy service is a temporary failure: the outbox keeps the report"
    assert waits == [] and server.posts == 1


@pytest.mark.parametrize("value, expected", [(None, None), ("", None), ("0", 0.0), ("12", 12.0),
                                             ("-5", None), ("Wed, 21 Oct 2015 07:28:00 GMT", 0.0)])
def test_retry_after_values(value, expected):
    assert retry_after(value) == expected
