"""The one delivery service (envcheck/delivery/service.py) against the real intake service on 127.0.0.1.

Every outcome a person can meet: sent and counting for booking, sent from a device not enrolled yet,
kept while the service is down and delivered once later, a busy service's Retry-After honoured, a
refusal with its typed reason (the report kept aside), and two senders at once posting a report once.
The waits between retries are recorded instead of slept (tests/test_upload_retry_after.py is their subject).
"""

from __future__ import annotations

import json
import os
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

pytest.importorskip("envcheck.server", reason="the intake service (server extra) is not installed")

from server_fixtures import Maker, Server, free_port

from envcheck.delivery import lock
from envcheck.delivery.outbox import Outbox
from envcheck.delivery.service import Consent, DeliveryService
from envcheck.delivery.texts import PROGRAM_WORDS, QUEUED_KEYS, REFUSED_KEYS, SENT_KEYS, TEXTS, message
from envcheck.delivery.upload import MAX_RETRY_AFTER, with_enrolment
from envcheck.office import Office, ServerConfig

OFFICE = Office(name="マザーズコーナー", phone="0144-00-0000", hours="平日 9:00〜17:00",
                booking_url="https://booking.example.jp/")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    srv = Server(str(tmp_path_factory.mktemp("intake")))
    yield srv
    srv.stop()


@pytest.fixture
def home(tmp_path, monkeypatch):
    """A fresh user data folder: its own outbox and device key (a new device for the service)."""
    monkeypatch.setenv("ENVCHECK_HOME", str(tmp_path / "seeker"))
    return tmp_path / "seeker"


@pytest.fixture(scope="module")
def maker(rules):
    return Maker(rules)


def service(url: str, waits: list | None = None, **kw) -> DeliveryService:
    return DeliveryService(ServerConfig(url), sleep=(waits if waits is not None else []).append, **kw)


def attempts(server: Server, report_id: str | None = None) -> list[tuple[str, int, str]]:
    """The service's own upload log (outcome, status, reason code), read from its database."""
    from sqlalchemy import text

    eng = server.engine()
    try:
        with eng.connect() as conn:
            rows = conn.execute(text("SELECT outcome, status, reason_code, report_id FROM upload_attempts ORDER BY id"))
            return [(r.outcome, r.status, r.reason_code) for r in rows if report_id in (None, r.report_id)]
    finally:
        eng.dispose()


def both_programs(delivery, lang: str) -> tuple[tuple[str, str], tuple[str, str]]:
    return message(delivery, lang, OFFICE, "cli"), message(delivery, lang, OFFICE, "window")


class Gate:
    """A real HTTP front on 127.0.0.1 before the intake service: the first `busy` POSTs are answered 429
    with `retry_after`; every other one waits `delay` seconds and is passed on, its answer passed back."""

    def __init__(self, upstream: str, busy: int = 0, retry_after: str | None = None, delay: float = 0.0):
        self.posts = 0
        gate = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # http.server calls it by this name
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                gate.posts += 1
                if gate.posts <= busy:
                    status, answer = 429, json.dumps({"error": "too many requests"}).encode()
                    headers = {"Retry-After": retry_after} if retry_after is not None else {}
                else:
                    time.sleep(delay)
                    r = requests.post(upstream + self.path, data=body, timeout=30,
                                      headers={"Content-Type": "application/json"})
                    status, answer, headers = r.status_code, r.content, {}
                self.send_response(status)
                for k, v in {**headers, "Content-Type": "application/json", "Content-Length": str(len(answer))}.items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def test_every_message_key_has_both_languages_and_every_program_says_the_next_step():
    assert set(TEXTS["ja"]) == set(TEXTS["en"])
    assert {*SENT_KEYS, *QUEUED_KEYS, *REFUSED_KEYS} <= set(TEXTS["ja"])
    for program in PROGRAM_WORDS.values():
        assert set(program["ja"]) == set(program["en"]) == set(PROGRAM_WORDS["window"]["ja"])


def test_a_passing_report_from_an_enrolled_device_counts_for_booking(server, home, maker):
    code = server.enrol("01234-00000901")
    report = with_enrolment(maker.unsigned("01234-00000901"), code)
    d = service(server.url).send(report, Consent.now("ja", "cli"))
    assert (d.outcome, d.key) == ("sent", "sent_pass"), d
    assert d.receipt is not None and d.receipt["device_enrolled"] is True and d.receipt["verdict"] == "pass"
    assert server.eligibility("01234-00000901").json()["eligible"] is True
    # the receipt, and the consent beside it; nothing waits
    box = Outbox()
    assert box.receipt(d.report_id) == d.receipt and box.waiting() == []
    consent = json.loads((home / "receipts" / f"{d.report_id}.consent.json").read_text(encoding="utf-8"))
    assert consent["purpose"] == "online_counselling_eligibility" and consent["lang"] == "ja"
    assert consent["program"] == "cli" and consent["given_at"].endswith("Z")
    cli, window = both_programs(d, "ja")
    assert cli == window, "no next step differs: both programs say exactly the same"
    assert f"受付番号: {d.receipt_no}" in cli[0] and "この結果で予約できます" in cli[1]
    assert "https://booking.example.jp/" in cli[1]


def test_a_passing_report_from_a_device_not_enrolled_says_to_enter_the_enrolment_code(server, home, maker):
    d = service(server.url).send(maker.unsigned("01234-00000902"), Consent.now("ja", "window"))
    assert (d.outcome, d.key) == ("sent", "sent_pass_not_enrolled"), d
    assert d.receipt["device_enrolled"] is False and d.receipt["verdict"] == "pass"
    assert server.eligibility("01234-00000902").json()["eligible"] is False
    (cli_head, cli_next), (win_head, win_next) = both_programs(d, "ja")
    assert cli_head == win_head
    for words in (cli_next, win_next):
        assert "まだ予約できません" in words and "登録コード" in words and "0144-00-0000" in words
    assert "--enrol" in cli_next and "--enrol" not in win_next
    en_cli, en_win = both_programs(d, "en")
    assert "not enrolled yet" in en_cli[1] and "enrolment code" in en_cli[1] and "not enrolled yet" in en_win[1]


def test_a_service_down_keeps_the_report_then_flush_delivers_it_once(tmp_path, home, maker):
    port = free_port()  # nothing listens here yet
    waits: list[float] = []
    d = service(f"http://127.0.0.1:{port}", waits).send(maker.unsigned("01234-00000903"), Consent.now("en", "cli"))
    assert (d.outcome, d.key, d.why) == ("kept", "queued_offline", "network"), d
    assert waits == [1, 2]  # tried three times
    box = Outbox()
    assert box.waiting() == [d.report_id]
    assert (home / "outbox" / f"{d.report_id}.consent.json").is_file()
    assert not (home / "outbox" / f"{d.report_id}.lock").exists()
    head, then = message(d, "en", OFFICE, "cli")
    assert "Could not reach" in head and "envcheck send" in then and "0144-00-0000" in then
    head, then = message(d, "ja", OFFICE, "window")
    assert "接続できませんでした" in head and "次にこのアプリを開いたとき" in then

    # two more wait; the service is still down: the first is tried, the others stay for the same reason
    more = [maker.passing(f"01234-{911 + i:08d}") for i in range(2)]
    for doc in more:
        box.add(doc)
    waits.clear()
    kept = service(f"http://127.0.0.1:{port}", waits).flush()
    assert [(k.outcome, k.why) for k in kept] == [("kept", "network")] * 3 and waits == [1, 2]

    srv = Server(str(tmp_path / "srv"))
    try:
        sent = service(srv.url).flush()
        assert {s.report_id for s in sent} == {d.report_id, *(m["report_id"] for m in more)}
        assert {s.outcome for s in sent} == {"sent"}
        assert service(srv.url).flush() == [] and box.waiting() == []
        assert attempts(srv) == [("accepted", 201, "ok")] * 3  # each posted once
        assert (home / "receipts" / f"{d.report_id}.consent.json").is_file()
    finally:
        srv.stop()


def test_a_429_with_retry_after_is_waited_for_then_the_report_is_sent(server, home, maker):
    gate = Gate(server.url, busy=1, retry_after="2")
    try:
        waits: list[float] = []
        d = service(gate.url, waits).send(maker.unsigned("01234-00000904"), Consent.now("ja", "cli"))
        assert (d.outcome, gate.posts) == ("sent", 2), d
        assert waits == [2.0]  # the service's wait, not the 1 s backoff
        assert attempts(server, d.report_id) == [("accepted", 201, "ok")]
    finally:
        gate.close()


def test_the_real_quota_429_keeps_the_report_and_asks_no_more_than_it_allows(tmp_path, home, maker):
    srv = Server(str(tmp_path / "srv"), ENVCHECK_RATE_PER_ADDRESS="1")
    try:
        waits: list[float] = []
        svc = service(srv.url, waits)
        assert svc.send(maker.unsigned("01234-00000905"), Consent.now("ja", "cli")).outcome == "sent"
        d = svc.send(maker.unsigned("01234-00000906"), Consent.now("ja", "cli"))
        assert (d.outcome, d.key, d.error.status) == ("kept", "queued_busy", 429), d
        # Retry-After is the end of the hour's window: beyond one send's patience the report simply stays;
        # within it (the last seconds of an hour) it was waited for, never shortened
        assert all(w <= MAX_RETRY_AFTER for w in waits) and (waits or "asked to wait" in str(d.error))
        assert Outbox().waiting() == [d.report_id]
        head, then = message(d, "ja", OFFICE, "cli")
        assert "混み合って" in head and "envcheck send" in then
    finally:
        srv.stop()


def test_a_refusal_gives_its_typed_reason_and_the_report_is_kept_aside(server, home, maker):
    from datetime import timedelta

    stale = maker.unsigned("01234-00000907", when=maker.now() - timedelta(days=30))
    d = service(server.url).send(stale, Consent.now("ja", "window"))
    assert (d.outcome, d.key, d.error.status, d.error.code) == ("refused", "refused_stale", 422, "stale"), d
    assert Outbox().waiting() == []
    for name in (f"{d.report_id}.json", f"{d.report_id}.consent.json", f"{d.report_id}.reason.json"):
        assert (home / "rejected" / name).is_file(), name  # nothing is lost
    (cli_head, cli_next), (win_head, win_next) = both_programs(d, "ja")
    assert cli_head == win_head == "報告書は受け付けられませんでした。"
    assert "時間がたちすぎた" in cli_next and "envcheck check --upload" in cli_next and "HTTP 422" in cli_next
    assert "「もう一度チェック」" in win_next and "stale" not in win_next
    # an enrolment code the office never issued: its own reason, not "call the office" in general
    wrong = with_enrolment(maker.unsigned("01234-00000908"), "ABCD-EFGH-JKM0")
    e = service(server.url).send(wrong, Consent.now("ja", "window"))
    assert (e.outcome, e.key, e.error.code) == ("refused", "refused_enrolment", "enrolment"), e
    assert "登録コードを使えませんでした" in message(e, "ja", OFFICE)[1]


def test_two_senders_at_once_post_each_report_once(server, home, maker):
    """Two services (as two processes would: their own sessions) flush one outbox through a slow front,
    while a third sends a new report; every report is posted exactly once and everyone knows its receipt."""
    box = Outbox()
    docs = [maker.passing(f"01234-{910 + i:08d}") for i in range(6)]
    for doc in docs:
        box.add(doc)
    gate = Gate(server.url, delay=0.2)
    try:
        results: dict[str, list] = {}
        fresh = maker.unsigned("01234-00000920")

        def run(name, work):
            results[name] = work()

        threads = [threading.Thread(target=run, args=("a", service(gate.url).flush)),
                   threading.Thread(target=run, args=("b", service(gate.url).flush)),
                   threading.Thread(target=run, args=("c", lambda: [service(gate.url).send(fresh, Consent.now(
                       "ja", "window"))]))]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        ids = {d["report_id"] for d in docs} | {fresh["report_id"]}
        assert gate.posts == len(ids), "each report posted once"
        for name in ("a", "b"):  # each sender accounts for every report it saw, all sent
            assert {d.outcome for d in results[name]} == {"sent"}, results[name]
        receipts = {d.report_id: d.receipt_no for name in results for d in results[name]}
        assert set(receipts) == ids and box.waiting() == []
        assert all(box.receipt(r)["receipt_no"] == n for r, n in receipts.items())
        assert [a for r in ids for a in attempts(server, r)] == [("accepted", 201, "ok")] * len(ids)
        assert not [n for n in os.listdir(box.pending) if n.endswith(".lock")]
    finally:
        gate.close()


def test_a_sender_waits_for_the_lock_holder_and_reports_its_outcome(server, home, maker):
    box = Outbox()
    doc = maker.passing("01234-00000930")
    rid = doc["report_id"]
    box.add(doc)
    path = box.lock_path(rid)
    fd = lock.acquire(path, 0)
    assert fd is not None and lock.acquire(path, 0.2) is None  # held: a second taker gives up after its wait
    assert service(server.url, lock_wait=0.2).flush()[0].key == "queued_elsewhere"
    assert box.waiting() == [rid] and attempts(server, rid) == []  # nothing posted meanwhile

    found: list = []
    waiter = threading.Thread(target=lambda: found.extend(service(server.url, lock_wait=30).flush()))
    waiter.start()
    time.sleep(0.3)
    # the holder (another process, here the test) sends it and keeps the receipt, then lets go
    receipt = server.post(doc).json()
    box.keep_receipt(rid, receipt)
    lock.release(fd, path)
    waiter.join(30)
    [d] = found
    assert (d.outcome, d.receipt_no) == ("sent", receipt["receipt_no"])
    assert attempts(server, rid) == [("accepted", 201, "ok")]  # the waiter did not post it again
    assert not os.path.exists(path)
