"""The failures the hostile-world battery found, each proven gone on SQLite and a real PostgreSQL:
500s from crafted reports, ids and names; pinning races; strangers changing eligibility; the
smaller items (paging values, cross-site logout, exact login counting, NAT lockout, no-store, //).
"""

from __future__ import annotations

import asyncio
import json
import re
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
import requests
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from server_fixtures import Maker, Server, pg_bindir, prepared_postgres


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def server(request, tmp_path_factory):
    url = None
    if request.param == "postgresql":
        if pg_bindir() is None:
            pytest.skip("PostgreSQL binaries (initdb, pg_ctl) are not installed: apt-get install postgresql")
        url = prepared_postgres()
    srv = Server(str(tmp_path_factory.mktemp(f"hostile-{request.param}")), url,
                 ENVCHECK_RATE_PER_ADDRESS="100000", ENVCHECK_RATE_PER_SEEKER="100000")
    yield srv
    srv.stop()
    log = open(f"{srv.home}/server.log", encoding="utf-8", errors="replace").read()
    assert "Traceback" not in log, log[-3000:]


@pytest.fixture(scope="module")
def maker(rules):
    return Maker(rules)


def _raw(doc: dict, **kw) -> bytes:
    return json.dumps(doc, **kw).encode("utf-8")


def _with(maker, where: str, value, sign: bool = True):
    doc = maker.unsigned("01234-00000501")
    if where == "evidence":
        doc["checks"][0]["evidence"]["x"] = value
    elif where == "key":
        doc["diagnostics"][value] = 1
    else:
        doc["checker"][where] = value
    if not sign:
        return doc
    from envcheck.report.signing import canonical_bytes

    try:
        canonical_bytes(doc)
    except ValueError:  # the checker's signer refuses it too: forge a well-formed signature block
        return {**doc, "signature": maker.sign(maker.unsigned("01234-00000501"))["signature"]}
    return maker.sign(doc)


@pytest.mark.parametrize("where, value, words", [
    ("evidence", 2 ** 53, "2**53"), ("evidence", -(2 ** 53), "2**53"), ("evidence", 10 ** 40, "2**53"),
    ("evidence", "\ud800", "surrogate"), ("key", "a\udfff", "surrogate"),
    ("version", "1.0\x00", "NUL"), ("rules_version", "\x00", "NUL"),
])
def test_out_of_range_integers_surrogates_and_nul_get_a_one_line_4xx(server, maker, where, value, words):
    before = server.counts()
    r = server.post(_raw(_with(maker, where, value)))
    assert r.status_code in (400, 422), r.text
    assert words in r.json()["error"] and "\n" not in r.json()["error"]
    assert server.counts() == before


def test_largest_safe_integer_is_accepted(server, maker):
    assert server.post(_raw(_with(maker, "evidence", 2 ** 53 - 1))).status_code == 201


def test_duplicate_keys_are_refused_not_stored(server, maker):
    doc = maker.passing("01234-00000502")
    text = json.dumps(doc)
    twice = text.replace('"verdict": "pass"', '"verdict": "fail", "verdict": "pass"', 1)
    before = server.counts()
    r = server.post(twice.encode())
    assert r.status_code == 400 and "duplicate key 'verdict'" in r.json()["error"]
    assert server.counts() == before


def test_nul_in_login_names_and_url_ids_is_a_4xx(server):
    s = requests.Session()
    form = s.get(server.url + "/login", timeout=10)
    csrf = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)
    r = s.post(server.url + "/login", data={"username": "admin\x001", "password": "x", "csrf": csrf}, timeout=10)
    assert r.status_code == 400 and "content-security-policy" in r.headers
    for path in ("/reports/%00", "/reports/abc%00def", "/seekers/%00", "/reports?before=2026-01-01T00:00:00_1%00",
                 "/api/v1/eligibility/%00", "/api/v1/rules/metadata/%00.json"):
        r = s.get(server.url + path, timeout=10, allow_redirects=False,
                  headers={"Authorization": f"Bearer {server.token}"})
        assert 300 <= r.status_code < 500, (path, r.status_code)


def test_non_ascii_csrf_values_are_a_403_not_a_500(server):
    s = requests.Session()
    form = s.get(server.url + "/login", timeout=10)
    assert form.status_code == 200
    r = s.post(server.url + "/login", data={"username": "admin1", "password": "x", "csrf": "é"}, timeout=10)
    assert r.status_code == 403
    csrf = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)
    r = s.post(server.url + "/login", data={"username": "admin1", "password": Server.PASSWORD, "csrf": csrf},
               timeout=10, allow_redirects=False)
    assert r.status_code == 303
    r = s.post(server.url + "/logout", data={"csrf": "ü"}, timeout=10, allow_redirects=False)
    assert r.status_code == 403


def test_a_500_is_json_with_the_security_headers(tmp_path, monkeypatch):
    """The last-resort handler, in-process (no real route fails on purpose)."""
    from fastapi.routing import APIRoute

    from envcheck.server import app as app_mod
    from envcheck.server.settings import Settings

    monkeypatch.setenv("ENVCHECK_SERVER_HOME", str(tmp_path))
    from server_fixtures import server_cli, server_env

    assert server_cli(server_env(str(tmp_path)), "init").returncode == 0

    def boom():
        raise RuntimeError("secret detail")

    monkeypatch.setattr(app_mod, "routes", [*app_mod.routes, APIRoute("/api/v1/boom", boom)])
    app = app_mod.create_app(Settings.from_env())
    sent: list = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "method": "GET", "path": "/api/v1/boom", "raw_path": b"/api/v1/boom",
             "query_string": b"", "headers": [], "scheme": "http", "server": ("127.0.0.1", 80),
             "client": ("127.0.0.1", 5), "http_version": "1.1", "root_path": "", "app": app}
    try:
        asyncio.run(app(scope, receive, send))
    except RuntimeError:
        pass  # Starlette re-raises after answering, for the server's log
    start = next(m for m in sent if m["type"] == "http.response.start")
    headers = dict(start["headers"])
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    assert start["status"] == 500 and b"content-security-policy" in headers and b"x-frame-options" in headers
    assert json.loads(body)["error"].startswith("internal error") and b"secret" not in body


def test_twenty_simultaneous_first_reports_pin_exactly_one_key(server, maker):
    n = "01234-00000601"
    code = server.enrol(n)
    docs = [maker.passing(n, key=Ed25519PrivateKey.generate(), enrol=code) for _ in range(20)]
    with ThreadPoolExecutor(20) as pool:
        answers = list(pool.map(server.post, docs))
    codes = sorted(a.status_code for a in answers)
    assert codes == [201] + [422] * 19, codes
    assert all("already used" in a.json()["error"] for a in answers if a.status_code == 422)
    from sqlalchemy import text

    eng = server.engine()
    with eng.connect() as conn:
        pinned = conn.execute(text("SELECT count(*) FROM device_keys WHERE seeker_no = :s AND pinned"),
                              {"s": n}).scalar_one()
    eng.dispose()
    assert pinned == 1
    # and without a code, twenty simultaneous first reports pin none (and all are stored)
    m = "01234-00000602"
    docs = [maker.passing(m, key=Ed25519PrivateKey.generate()) for _ in range(20)]
    with ThreadPoolExecutor(20) as pool:
        assert sorted(a.status_code for a in pool.map(server.post, docs)) == [201] * 20
    eng = server.engine()
    with eng.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM device_keys WHERE seeker_no = :s AND pinned"),
                            {"s": m}).scalar_one() == 0
    eng.dispose()
    assert server.eligibility(m).json()["eligible"] is False


def test_a_counselor_confirms_a_new_device_and_only_then_it_counts(server, maker):
    from server_fixtures import server_cli

    n = "01234-00000603"
    old, new = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    assert server.post(maker.failing(n, key=old, enrol=server.enrol(n))).status_code == 201
    doc = maker.passing(n, key=new, when=maker.now() + timedelta(seconds=1))
    assert server.post(doc).status_code == 201
    assert server.eligibility(n).json()["eligible"] is False
    from envcheck.report.signing import key_id

    kid = key_id(new.public_key())
    done = server_cli(server.env, "confirm-device", n, kid, "--actor", "counselor1",
                      "--reason", "new PC, confirmed by phone")
    assert done.returncode == 0, done.stderr
    e = server.eligibility(n).json()
    assert e["eligible"] is True and e["report_id"] == doc["report_id"]
    done = server_cli(server.env, "reject-device", n, kid, "--actor", "counselor1", "--reason", "not theirs")
    assert done.returncode == 0, done.stderr
    assert server.eligibility(n).json()["eligible"] is False
    nobody = server_cli(server.env, "confirm-device", n, "0" * 16, "--actor", "c", "--reason", "x")
    assert nobody.returncode == 2 and len(nobody.stderr.strip().splitlines()) == 1


def test_enrolment_api_issues_codes_for_the_offices_system(server, maker):
    url = server.url + "/api/v1/enrolments"
    assert requests.post(url, json={"seeker_no": "01234-7"}, timeout=10).status_code == 401
    bad = requests.post(url, json={"seeker_no": "x"}, timeout=10, headers={"Authorization": f"Bearer {server.token}"})
    assert bad.status_code == 400
    r = requests.post(url, json={"seeker_no": "０１２３４－７"}, timeout=10,
                      headers={"Authorization": f"Bearer {server.token}"})
    assert r.status_code == 201 and r.headers["cache-control"] == "no-store"
    got = r.json()
    assert got["seeker_no"] == "01234-00000007" and re.fullmatch(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", got["code"])
    wrong_person = maker.passing("01234-00000008", enrol=got["code"])
    r = server.post(wrong_person)
    assert r.status_code == 422 and "not one the office issued" in r.json()["error"]
    assert server.post(maker.passing("01234-00000007", enrol=got["code"])).status_code == 201
    assert server.eligibility("01234-00000007").json()["eligible"] is True


def test_a_report_from_a_replayed_snapshot_is_marked_and_never_makes_anyone_eligible(server, maker, rules):
    from envcheck.pipeline import run_check
    from envcheck.probes import ReplayHost, parse_snapshot
    from server_fixtures import passing_snapshot

    n = "01234-00000604"
    host = ReplayHost(parse_snapshot(json.dumps(passing_snapshot(rules, maker.now()))))
    report = run_check(host, rules, now=maker.now(), seeker_no=n).report
    assert report["replayed"] is True and report["verdict"] == "pass"  # the checker's own view of the snapshot
    r = server.post(maker.sign(report, enrol=server.enrol(n)))
    assert r.status_code == 201 and r.json()["verdict"] == "incomplete"
    e = server.eligibility(n).json()
    assert e["eligible"] is False and "replayed snapshot" in e["reason"]
    # stripping the mark breaks the signature: the report was signed with it
    forged = maker.sign({**report, "report_id": maker.unsigned(n)["report_id"]})
    del forged["replayed"]
    assert server.post(forged).status_code == 422
