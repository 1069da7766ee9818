"""Structure-aware fuzzing of the real service (uvicorn on loopback) on SQLite and PostgreSQL:
no input reaches a 500, every API error is one JSON line with the security headers, and the
server log holds no traceback afterwards.

Reports are mutated where it hurts: a hostile value (integers past ±(2**53-1), lone surrogates,
NUL, floats, deep nesting, wrong types) put anywhere in a valid report, then re-signed with a
device key so it gets past the signature to storing and re-judging; duplicate keys are written into
the JSON text. Every endpoint gets hostile path segments, query values, headers and bodies.
"""

from __future__ import annotations

import json
import os
import re
from urllib.parse import quote

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from docpaths import paths as doc_paths
from server_fixtures import Maker, Server, pg_bindir, prepared_postgres

SETTINGS = settings(max_examples=int(os.environ.get("ENVCHECK_FUZZ_EXAMPLES", "250")), deadline=None,
                    suppress_health_check=list(HealthCheck), derandomize=True)
HEADERS = ("content-security-policy", "x-content-type-options", "referrer-policy", "x-frame-options")

hostile_text = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["\ud800", "a\udfffb", "\x00", "x\x00y", "\u202e", "😀", "\ufffe", "../../etc/passwd",
                     "<script>", "' OR 1=1 --", "%00", "\\", "//evil.example", "9" * 40]),
)
hostile_value = st.recursive(
    st.one_of(st.none(), st.booleans(), hostile_text,
              st.integers(min_value=-(2 ** 70), max_value=2 ** 70),
              st.sampled_from([2 ** 53, -(2 ** 53), 2 ** 53 - 1, 2 ** 63, 10 ** 30]),
              st.floats(allow_nan=False, allow_infinity=False)),
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(hostile_text, inner, max_size=4)),
    max_leaves=12,
)


def _put(doc, path, value):
    if not path:
        return value
    node = doc
    for step in path[:-1]:
        node = node[step]
    node[path[-1]] = value
    return doc


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def target(request, tmp_path_factory, rules):
    url = None
    if request.param == "postgresql":
        if pg_bindir() is None:
            pytest.skip("PostgreSQL binaries (initdb, pg_ctl) are not installed: apt-get install postgresql")
        url = prepared_postgres()
    srv = Server(str(tmp_path_factory.mktemp(f"fuzz-{request.param}")), url,
                 ENVCHECK_RATE_PER_ADDRESS="100000", ENVCHECK_RATE_PER_SEEKER="100000")
    maker = Maker(rules)
    base = maker.unsigned("01234-00000077")
    session = requests.Session()
    yield srv, maker, base, session, request.param
    session.close()
    srv.stop()
    log = open(os.path.join(srv.home, "server.log"), encoding="utf-8", errors="replace").read()
    assert "Traceback" not in log, log[-3000:]


def _check(r: requests.Response, api: bool = True) -> None:
    assert r.status_code < 500, (r.status_code, r.text[:300])
    for h in HEADERS:
        assert h in r.headers, (h, r.status_code)
    if api and r.status_code >= 400:
        body = r.json()
        assert isinstance(body.get("error"), str) and "\n" not in body["error"]


@st.composite
def mutated_reports(draw, base):
    doc = json.loads(json.dumps(base))
    paths = list(doc_paths(doc))
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(paths))
        try:
            doc = _put(doc, path, draw(hostile_value))
        except (KeyError, IndexError, TypeError):
            pass
        paths = list(doc_paths(doc)) if isinstance(doc, (dict, list)) else [()]
    return doc, draw(st.booleans()), draw(st.sampled_from(["plain", "duplicate", "escaped"]))


def test_no_report_reaches_a_500_on_either_database(target):
    srv, maker, base, session, _ = target

    @SETTINGS
    @given(mutated_reports(base))
    def run(case):
        doc, resign, form = case
        if resign and isinstance(doc, dict):
            try:
                doc = maker.sign({k: v for k, v in doc.items() if k != "signature"})
            except ValueError:  # no canonical form (the signer refuses it too): send it unsigned
                pass
        text = json.dumps(doc, ensure_ascii=form == "escaped")
        duplicate = form == "duplicate" and isinstance(doc, dict) and "format" in doc
        if duplicate:
            text = '{"format": "x", ' + text[1:]
        r = session.post(srv.url + "/api/v1/reports", data=text.encode("utf-8", "surrogatepass"),
                         headers={"Content-Type": "application/json"}, timeout=30)
        _check(r)
        if duplicate:
            assert r.status_code == 400  # duplicate key (or, before that, text that is not UTF-8)

    run()


SEGMENTS = st.one_of(hostile_text, st.sampled_from(["%00", "%ED%A0%80", "%FF", "..%2F..", "a%2Fb", "", "%"]),
                     st.sampled_from(["0001-01-01", "9999-12-31", "2026-02-30", "2026-01-01T00:00:00_1",
                                      "2026-01-01T00:00:00%2B00:00_99999999999999", "_", "1" * 30, "-1",
                                      "01234-00000001", "pass", "ja", "en"]))


def _seg(text: str) -> str:
    if re.fullmatch(r"(%[0-9A-F]{2}|[^%])*", text) and "%" in text:
        return text  # already percent-encoded on purpose (invalid UTF-8, NUL)
    return quote(text.encode("utf-8", "surrogatepass"), safe="")


def test_no_request_to_any_endpoint_reaches_a_500(target):
    srv, maker, base, session, backend = target
    from envcheck.server.app import openapi_document

    api = sorted(openapi_document()["paths"])
    pages = ["/", "/login", "/logout", "/reports", "/reports/{report_id}", "/seekers/{seeker_no}", "/audit"]
    login = session.get(srv.url + "/login", timeout=10)
    csrf = re.search(r'name="csrf" value="([^"]+)"', login.text).group(1)
    staff = requests.Session()
    staff.cookies.update(session.cookies)
    r = staff.post(srv.url + "/login", data={"username": "admin1", "password": Server.PASSWORD, "csrf": csrf,
                                             "next": "/reports"}, timeout=30, allow_redirects=False)
    assert r.status_code == 303

    @SETTINGS
    @given(path=st.sampled_from(api + pages), seg=SEGMENTS, method=st.sampled_from(["GET", "POST", "PUT"]),
           query=st.dictionaries(st.sampled_from(["verdict", "seeker", "from", "to", "before", "lang", "bytes",
                                                  "next"]), SEGMENTS, max_size=3),
           body=st.one_of(st.binary(max_size=200), hostile_value.map(lambda v: json.dumps(v).encode()),
                          st.dictionaries(st.sampled_from(["csrf", "username", "password", "next", "seeker_no"]),
                                          SEGMENTS, max_size=4).map(
                              lambda d: "&".join(f"{k}={_seg(v)}" for k, v in d.items()).encode())),
           auth=st.sampled_from([None, "Bearer x", "Bearer \x7f", "Basic a"]),
           as_staff=st.booleans())
    def run(path, seg, method, query, body, auth, as_staff):
        url = srv.url + re.sub(r"\{[a-z_]+\}", lambda _: _seg(seg), path)
        qs = "&".join(f"{k}={_seg(v)}" for k, v in query.items())
        headers = {"Authorization": auth} if auth else {}
        client = staff if as_staff else session
        r = client.request(method, url + ("?" + qs if qs else ""), data=body, headers=headers, timeout=30,
                           allow_redirects=False)
        _check(r, api=path.startswith("/api/") or path == "/healthz")

    run()
