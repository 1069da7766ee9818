"""The battery's smaller findings, each fixed: crafted paging values, cross-site logout, exact login
counting under concurrency, per-name (not per-NAT) lockout, no-store report pages, and the language
link on a `//` path; on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from sqlalchemy import text

from server_fixtures import Maker, Server, pg_bindir, prepared_postgres, server_cli


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def site(request, tmp_path_factory, rules):
    url = None
    if request.param == "postgresql":
        if pg_bindir() is None:
            pytest.skip("PostgreSQL binaries (initdb, pg_ctl) are not installed: apt-get install postgresql")
        url = prepared_postgres()
    srv = Server(str(tmp_path_factory.mktemp(f"small-{request.param}")), url)
    doc = Maker(rules).passing("01234-00000801")
    assert srv.post(doc).status_code == 201
    yield srv, doc
    srv.stop()


def login(srv, user: str, password: str = Server.PASSWORD):
    s = requests.Session()
    form = s.get(srv.url + "/login", timeout=10)
    csrf = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)
    r = s.post(srv.url + "/login", data={"username": user, "password": password, "csrf": csrf, "next": "/reports"},
               timeout=30, allow_redirects=False)
    return s, r


@pytest.mark.parametrize("query", ["before=2026-01-01T00:00:00_5", "before=2026-01-01T00:00:00%2B00:00_99999999999999",
                                   "before=x_y", "before=2026-01-01T00:00:00%2B00:00_-1", "from=9999-12-31",
                                   "to=9999-12-31", "from=0001-01-01", "from=2026-13-45", "seeker=%00",
                                   "verdict=%00", "before=" + "9" * 400])
def test_crafted_filter_and_paging_values_never_give_a_500(site, query):
    srv, _ = site
    s, r = login(srv, "counselor1")
    page = s.get(f"{srv.url}/reports?{query}", timeout=10)
    assert page.status_code in (200, 400), (query, page.status_code)
    audit = s.get(f"{srv.url}/audit?before={'9' * 30}", timeout=10)
    assert audit.status_code in (200, 403)


def test_a_cross_site_post_does_not_log_a_counselor_out(site):
    srv, _ = site
    s, _ = login(srv, "counselor1")
    # the browser sends no cookie with a cross-site POST (SameSite=Lax): the answer must not clear it
    r = requests.post(srv.url + "/logout", data={"csrf": "x"}, timeout=10, allow_redirects=False)
    assert "envcheck_session" not in r.headers.get("set-cookie", "")
    # and a cross-site POST that does carry the cookie (an older browser) is refused by Sec-Fetch-Site
    r = s.post(srv.url + "/logout", data={"csrf": "x"}, headers={"Sec-Fetch-Site": "cross-site"}, timeout=10,
               allow_redirects=False)
    assert r.status_code == 403 and "envcheck_session" not in r.headers.get("set-cookie", "")
    assert s.get(srv.url + "/reports", timeout=10, allow_redirects=False).status_code == 200


def _count(srv, action: str, target: str) -> int:
    eng = srv.engine()
    with eng.connect() as conn:
        n = conn.execute(text("SELECT count(*) FROM audit_log WHERE action = :a AND target = :t"),
                         {"a": action, "t": target}).scalar_one()
    eng.dispose()
    return n


def test_thirty_concurrent_wrong_logins_get_exactly_five_password_checks(site):
    srv, _ = site
    name = "support1"
    with ThreadPoolExecutor(30) as pool:
        answers = list(pool.map(lambda _: login(srv, name, "wrong password")[1].status_code, range(30)))
    assert sorted(answers) == [401] * 5 + [429] * 25
    assert _count(srv, "login_failed", name) == 5


def test_bad_logins_for_made_up_names_do_not_lock_out_the_office(site):
    srv, _ = site
    for i in range(25):
        assert login(srv, f"nobody{i}", "guess")[1].status_code == 401
    _, r = login(srv, "admin1")
    assert r.status_code == 303


def test_report_pages_are_not_stored_by_the_browser(site):
    srv, doc = site
    s, _ = login(srv, "counselor1")
    for path in (f"/reports/{doc['report_id']}", "/reports", "/seekers/01234-00000801"):
        r = s.get(srv.url + path, timeout=10)
        assert r.status_code == 200 and r.headers["cache-control"] == "no-store", path


def test_the_language_link_stays_on_this_site_for_a_double_slash_path(site):
    srv, _ = site
    s, _ = login(srv, "counselor1")
    r = s.get(srv.url + "//evil.example/reports", timeout=10, allow_redirects=False)
    links = re.findall(r'href="([^"]*lang=[^"]*)"', r.text)
    assert links and all(link.startswith("/") and not link.startswith("//") for link in links), links


def test_confirm_and_reject_need_a_reason(site):
    srv, _ = site
    r = server_cli(srv.env, "confirm-device", "01234-00000801", "0" * 16, "--actor", "c1", "--reason", " ")
    assert r.returncode == 2 and "reason" in r.stderr
