"""The intake API over real HTTP: a uvicorn server on loopback, reports made by the checker's own
pipeline, the store on SQLite and on a real PostgreSQL."""

from __future__ import annotations

import base64
import json
import socket
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

import pytest
import requests
import rfc8785
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from server_fixtures import Maker, Server, pg_bindir, prepared_postgres


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def server(request, tmp_path_factory):
    url = None
    if request.param == "postgresql":
        if pg_bindir() is None:
            pytest.skip("PostgreSQL binaries (initdb, pg_ctl) are not installed: apt-get install postgresql")
        url = prepared_postgres()
    srv = Server(str(tmp_path_factory.mktemp(f"server-{request.param}")), url)
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def maker(rules):
    return Maker(rules)


def seeker(n: int) -> str:
    return f"01234-{n:08d}"


def test_new_report_gets_a_signed_receipt_and_the_same_report_again_gets_the_same_receipt(server, maker):
    before = server.counts()
    doc = maker.passing(seeker(1))
    first = server.post(doc)
    assert first.status_code == 201, first.text
    receipt = first.json()
    assert receipt["report_id"] == doc["report_id"] and receipt["verdict"] == "pass"
    assert receipt["format"] == "envcheck.receipt/1" and len(receipt["sha256"]) == 64
    key = requests.get(server.url + "/api/v1/server-key", timeout=10).json()
    assert receipt["server_key_id"] == key["key_id"] == receipt["signature"]["key_id"]
    public = Ed25519PublicKey.from_public_bytes(base64.b64decode(key["public_key"]))
    body = {k: v for k, v in receipt.items() if k != "signature"}
    public.verify(base64.b64decode(receipt["signature"]["value"]), rfc8785.dumps(body))

    again = server.post(json.dumps(doc, indent=2, sort_keys=True))  # same report, other whitespace
    assert again.status_code == 200 and again.json() == receipt
    assert server.counts()["reports"] == before["reports"] + 1


def test_same_report_id_with_other_content_is_409_and_changes_nothing(server, maker):
    doc = maker.passing(seeker(2))
    assert server.post(doc).status_code == 201
    before = server.counts()
    other = maker.sign({**doc, "diagnostics": {"note": "changed"}})
    r = server.post(other)
    assert r.status_code == 409 and "already received" in r.json()["error"]
    assert server.counts() == before
    assert server.post(doc).status_code == 200


def _oversized(maker):
    doc = maker.unsigned(seeker(3))
    doc["diagnostics"] = {f"k{i}": "x" * 4000 for i in range(70)}  # ~280 KB, otherwise valid
    return maker.sign(doc)


def _tampered(maker):
    doc = maker.failing(seeker(3))
    doc["verdict"] = "pass"
    return doc


BAD = {
    "tampered": (lambda m: _tampered(m), 422, "bad signature"),
    "stale": (lambda m: m.passing(seeker(3), when=m.now() - timedelta(days=8)), 422, "stale"),
    "future-dated": (lambda m: m.passing(seeker(3), when=m.now() + timedelta(hours=1)), 422, "future"),
    "oversized": (_oversized, 413, "larger than"),
    "wrong format": (lambda m: m.sign({**m.unsigned(seeker(3)), "format": "envcheck.report/9"}), 422, "format"),
    "unsigned": (lambda m: m.unsigned(seeker(3)), 422, "not signed"),
    "not json": (lambda m: b"{\"format\": ", 400, "not JSON"),
    "not utf-8": (lambda m: b"\xff\xfe{}", 400, "UTF-8"),
    "array": (lambda m: b"[1, 2]", 422, "not a JSON object"),
    "deeply nested": (lambda m: b"[" * 100000 + b"]" * 100000, 400, ""),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_reports_get_the_right_4xx_with_a_reason_and_change_nothing(server, maker, case):
    make, status, words = BAD[case]
    before = server.counts()
    r = server.post(make(maker))
    assert r.status_code == status, r.text
    reason = r.json()["error"]
    assert words in reason and "\n" not in reason
    assert server.counts() == before


def test_oversized_chunked_body_without_length_is_refused_before_parsing(server, maker):
    before = server.counts()
    payload = json.dumps(_oversized(maker)).encode()

    def chunks():
        for i in range(0, len(payload), 16384):
            yield payload[i:i + 16384]

    r = requests.post(server.url + "/api/v1/reports", data=chunks(), timeout=30,
                      headers={"Content-Type": "application/json"})
    assert r.status_code == 413
    assert server.counts() == before


def test_a_lying_content_length_never_lets_more_than_the_limit_in(server, maker):
    before = server.counts()
    body = json.dumps(_oversized(maker)).encode()
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        head = ("POST /api/v1/reports HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                "Content-Length: 100\r\nConnection: close\r\n\r\n").encode()
        sock.sendall(head + body[:100])
        answer = sock.recv(4096).decode("latin-1")
        try:
            sock.sendall(body[100:])
        except OSError:
            pass
    assert answer.startswith("HTTP/1.1 400"), answer[:200]
    hostile = f"POST /api/v1/reports HTTP/1.1\r\nHost: x\r\nContent-Length: {10**12}\r\n\r\n".encode()
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(hostile)
        assert sock.recv(4096).decode("latin-1").startswith("HTTP/1.1 413")
    assert server.counts() == before


def test_service_rejudges_a_report_whose_claimed_verdict_lies(server, maker, rules):
    doc = maker.unsigned(seeker(4), passing=False)
    assert doc["verdict"] == "fail"
    doc["verdict"] = "pass"
    for c in doc["checks"]:
        if c["status"] == "fail":
            c["status"] = "pass"
    signed = maker.sign(doc, enrol=server.enrol(seeker(4)))  # a valid signature over a lie: an edited checker
    r = server.post(signed)
    assert r.status_code == 201, r.text
    assert r.json()["verdict"] == "fail"
    from sqlalchemy import text

    eng = server.engine()
    with eng.connect() as conn:
        row = conn.execute(text("SELECT claimed_verdict, verdict, mismatch, statuses FROM reports "
                                "WHERE report_id = :r"), {"r": doc["report_id"]}).one()
    eng.dispose()
    assert (row.claimed_verdict, row.verdict, bool(row.mismatch)) == ("pass", "fail", True)
    assert json.loads(row.statuses)["firewall.enabled"] == "fail"
    e = server.eligibility(seeker(4)).json()
    assert e["eligible"] is False and "fail" in e["reason"] and e["report_id"] == doc["report_id"]


def test_eligibility_follows_the_latest_report(server, maker, rules):
    n = seeker(5)
    assert server.eligibility(n).json() == {"seeker_no": n, "eligible": False, "report_id": None,
                                            "valid_until": None, "code": "no_report",
                                            "reason": "no report has been received for this job-seeker"}
    doc = maker.passing(n, enrol=server.enrol(n))
    assert server.post(doc).status_code == 201
    e = server.eligibility("０１２３４ー５").json()  # full-width digits and a long-vowel mark as typed
    created = datetime.fromisoformat(doc["created_at"].replace("Z", "+00:00"))
    until = (created + timedelta(days=rules.report_valid_days)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert e == {"seeker_no": n, "eligible": True, "report_id": doc["report_id"], "valid_until": until,
                 "code": "passed", "reason": e["reason"]}
    later = maker.failing(n, when=maker.now() + timedelta(seconds=1))
    assert server.post(later).status_code == 201
    e = server.eligibility(n).json()
    assert e["eligible"] is False and e["report_id"] == later["report_id"] and e["code"] == "failed"


def test_eligibility_needs_a_valid_booking_token(server):
    url = f"{server.url}/api/v1/eligibility/{seeker(5)}"
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": "Basic abc"}):
        r = requests.get(url, headers=headers, timeout=10)
        assert r.status_code == 401 and r.json()["error"]
    r = server.eligibility("12-34-56")
    assert r.status_code == 400 and "hyphen" in r.json()["error"]


def test_a_key_is_pinned_only_by_the_enrolment_code_and_another_key_never_changes_eligibility(server, maker):
    from sqlalchemy import text

    n = seeker(6)
    first, second = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    stranger = maker.passing(n, key=second)  # someone who knows the number, before the seeker enrols
    r = server.post(stranger)
    assert r.status_code == 201 and r.json()["device_enrolled"] is False  # the window says "not yet"
    e = server.eligibility(n).json()
    assert e["eligible"] is False and "not enrolled" in e["reason"]
    code = server.enrol(n)
    steps = ((maker.failing(n, key=first, enrol=code), True), (maker.failing(n, key=first), True),
             (maker.passing(n, key=second, when=maker.now() + timedelta(seconds=2)), False))
    for doc, pinned_key in steps:
        r = server.post(doc)
        assert r.status_code == 201, r.text
        assert r.json()["device_enrolled"] is pinned_key
        eng = server.engine()
        with eng.connect() as conn:
            assert bool(conn.execute(text("SELECT new_device_key FROM reports WHERE report_id = :r"),
                                     {"r": doc["report_id"]}).scalar_one()) is not pinned_key
            keys = dict(conn.execute(text("SELECT key_id, pinned FROM device_keys WHERE seeker_no = :s"),
                                     {"s": n}).all())
        eng.dispose()
    from envcheck.report.signing import key_id

    assert {k: bool(v) for k, v in keys.items()} == {key_id(first.public_key()): True,
                                                      key_id(second.public_key()): False}
    e = server.eligibility(n).json()  # the stranger's later passing report changes nothing
    assert e["eligible"] is False and "fail" in e["reason"] and e["report_id"] == steps[1][0]["report_id"]
    # the code is spent: another device cannot use it, and nothing is stored
    before = server.counts()
    r = server.post(maker.passing(n, key=second, enrol=code))
    assert r.status_code == 422 and "already used" in r.json()["error"]
    assert server.counts() == before


def test_fifty_concurrent_uploads_make_fifty_rows_and_one_report_sent_ten_times_makes_one(server, maker):
    before = server.counts()["reports"]
    docs = [maker.passing(seeker(1000 + i)) for i in range(50)]
    with ThreadPoolExecutor(50) as pool:
        codes = list(pool.map(lambda d: server.post(d).status_code, docs))
    assert codes == [201] * 50
    assert server.counts()["reports"] == before + 50
    same = maker.passing(seeker(2000))
    with ThreadPoolExecutor(10) as pool:
        answers = list(pool.map(lambda _: server.post(same), range(10)))
    assert sorted(a.status_code for a in answers) == [200] * 9 + [201]
    assert len({json.dumps(a.json(), sort_keys=True) for a in answers}) == 1
    assert server.counts()["reports"] == before + 51


def test_health_rules_and_speedtest(server, rules):
    assert requests.get(server.url + "/healthz", timeout=10).json() == {"status": "ok"}
    # The rules are served as a TUF repository (tests/test_rules_update.py); nothing published yet: 404.
    assert requests.get(server.url + "/api/v1/rules/metadata/timestamp.json", timeout=10).status_code == 404
    r = requests.get(server.url + "/api/v1/speedtest", params={"bytes": 300000}, timeout=10)
    assert r.status_code == 200 and len(r.content) == 300000
    assert r.headers["content-type"] == "application/octet-stream"
    assert requests.get(server.url + "/api/v1/speedtest", params={"bytes": 9 * 2 ** 20}, timeout=10).status_code == 422
    answer = requests.post(server.url + "/api/v1/speedtest", data=b"x" * 123456, timeout=10)
    assert answer.json() == {"received": 123456}
    big = requests.post(server.url + "/api/v1/speedtest", data=b"x" * (8 * 2 ** 20 + 1), timeout=30)
    assert big.status_code == 413 and big.json()["error"]
    assert requests.get(server.url + "/api/v1/nothing", timeout=10).json() == {"error": "Not Found"}
