"""Counselor pages in a real browser (Debian's chromium driven by Playwright) and over plain HTTP."""

from __future__ import annotations

import re

import pytest
import requests

from server_fixtures import ARTIFACTS, Maker, Server, server_cli

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
XSS_SCRIPT = '<script>alert("xss-script")</script>'
XSS_IMG = '"><img src=x onerror=alert("xss-img")>'


@pytest.fixture(scope="module")
def site(tmp_path_factory, rules):
    srv = Server(str(tmp_path_factory.mktemp("web")))
    maker = Maker(rules)
    docs = {"pass": maker.passing("01234-00000001"), "fail": maker.failing("01234-00000002")}
    lie = maker.unsigned("01234-00000003", passing=False)
    lie["verdict"] = "pass"
    docs["lie"] = maker.sign(lie)
    hostile = maker.unsigned("01234-00000004", passing=False)
    for c in hostile["checks"]:
        if c["id"] == "os.supported":
            c["summary"]["ja"] = c["summary"]["en"] = XSS_SCRIPT + XSS_IMG
            c["evidence"]["name"] = XSS_IMG + XSS_SCRIPT
            c["evidence"]["deep"] = {"a": {"b": {"c": {"d": {"e": {"f": "too deep"}}}}}}
            c["evidence"]["long"] = "L" * 4000
    hostile["diagnostics"] = {"note": XSS_SCRIPT}
    docs["hostile"] = maker.sign(hostile)
    for doc in docs.values():
        assert srv.post(doc).status_code == 201
    yield srv, docs
    srv.stop()


@pytest.fixture(scope="module")
def browser():
    import os

    if not os.path.exists(CHROMIUM):
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"server-{name}.png"), full_page=True)


def browser_login(browser, srv, user: str):
    context = browser.new_context(locale="ja-JP")
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(srv.url + "/reports")
    assert "/login" in page.url
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", Server.PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r".*/reports$"))
    return context, page, dialogs


def http_login(srv, user: str, password: str = Server.PASSWORD) -> tuple[requests.Session, requests.Response]:
    s = requests.Session()
    form = s.get(srv.url + "/login", timeout=10)
    csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', form.text).group(1)
    r = s.post(srv.url + "/login", data={"username": user, "password": password, "csrf": csrf, "next": "/reports"},
               timeout=10, allow_redirects=False)
    return s, r


def test_anonymous_visitor_is_sent_to_login(site, browser):
    srv, docs = site
    page = browser.new_page()
    page.goto(f"{srv.url}/reports/{docs['pass']['report_id']}")
    assert "/login?next=" in page.url and page.is_visible("input[name=password]")
    assert "ログイン" in page.inner_text("h1")
    shot(page, "login")
    page.close()
    for path in ("/", "/reports", f"/reports/{docs['pass']['report_id']}", "/seekers/01234-00000001", "/audit"):
        r = requests.get(srv.url + path, timeout=10, allow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].startswith(("/login", "/seekers")), path
        assert docs["pass"]["report_id"] not in r.text


def test_counselor_logs_in_filters_and_reads_a_report_in_japanese(site, browser):
    srv, docs = site
    context, page, dialogs = browser_login(browser, srv, "counselor1")
    rows = page.locator("#reports tbody tr")
    assert rows.count() == 4
    shot(page, "list")
    page.select_option("select[name=verdict]", "fail")
    page.click("form.filters button")
    page.wait_for_url(re.compile(r".*verdict=fail.*"))
    assert page.locator("#reports tbody tr").count() == 3  # failing, the lie (re-judged) and the hostile one
    page.fill("input[name=seeker]", "０１２３４－３")  # as typed with a Japanese IME
    page.click("form.filters button")
    page.wait_for_url(re.compile(r".*seeker=.*"))
    assert page.locator("#reports tbody tr").count() == 1
    assert "不一致" in page.inner_text("#reports")
    page.click("#reports tbody tr a[href^='/reports/']")
    page.wait_for_url(re.compile(r".*/reports/[0-9a-f-]{36}$"))
    assert docs["lie"]["report_id"] in page.url
    assert page.is_visible("#mismatch")
    assert "改ざんの疑い" in page.inner_text("#mismatch")  # claimed pass, judged fail, same rules
    assert page.inner_text("#verdict") == "不合格"
    assert "ファイアウォール" in page.inner_text("#checks") or "firewall" in page.inner_text("#checks")
    page.click("#meta summary")  # metadata is collapsed below the summary
    assert "有効（送信後の書き換えなし）" in page.inner_text("main")
    assert "受付票" in page.inner_text("main") and docs["lie"]["report_id"] in page.inner_text("#receipt")
    assert page.locator(".evidence").count() == 0  # counselors do not see evidence
    shot(page, "report-ja")
    page.click("header a[hreflang=en]")
    page.wait_for_url(re.compile(r".*lang=en.*"))
    assert page.inner_text("#verdict") == "fail" and "Receipt" in page.inner_text("main")
    shot(page, "report-en")
    assert dialogs == []
    context.close()


def test_report_content_is_shown_as_text_never_run(site, browser):
    srv, docs = site
    context, page, dialogs = browser_login(browser, srv, "support1")
    page.goto(f"{srv.url}/reports/{docs['hostile']['report_id']}")
    for d in page.locator("details").all():
        d.evaluate("e => e.open = true")
    text = page.inner_text("main")
    assert XSS_SCRIPT in text and XSS_IMG in text  # visible, literally
    assert page.locator("img").count() == 0 and page.locator("main script").count() == 0
    assert "nested deeper than" in text and "(+3700)" in text  # depth-limited and clipped
    assert "<script>alert(" in page.inner_text("#diagnostics")  # support staff see diagnostics, as text
    page.goto(f"{srv.url}/reports?seeker=01234-00000004")
    page.goto(f"{srv.url}/seekers/01234-00000004")
    shot(page, "seeker")
    page.goto(f"{srv.url}/reports/{docs['hostile']['report_id']}")
    shot(page, "report-hostile")
    assert dialogs == []
    context.close()


def test_every_view_of_a_report_is_audited_and_only_admins_read_the_audit_log(site, browser):
    srv, docs = site
    s, r = http_login(srv, "counselor1")
    assert r.status_code == 303
    rid = docs["pass"]["report_id"]
    assert s.get(f"{srv.url}/reports/{rid}", timeout=10).status_code == 200
    assert s.get(f"{srv.url}/audit", timeout=10).status_code == 403
    context, page, _ = browser_login(browser, srv, "admin1")
    page.goto(srv.url + "/audit")
    rows = [row.inner_text() for row in page.locator("#audit tbody tr").all()]
    assert any("counselor1" in row and "報告書を閲覧" in row and rid in row for row in rows)
    assert any("counselor1" in row and "監査ログの閲覧を拒否" in row for row in rows)
    shot(page, "audit")
    context.close()


def test_session_cookie_flags_csrf_and_logout(site):
    srv, _ = site
    s, r = http_login(srv, "counselor1")
    cookie = r.headers["set-cookie"]
    assert "envcheck_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert "Secure" not in cookie  # plain http on loopback; Secure is added when served over https
    page = s.get(srv.url + "/reports", timeout=10)
    assert "default-src 'none'" in page.headers["content-security-policy"]
    no_csrf = s.post(srv.url + "/logout", data={}, timeout=10, allow_redirects=False)
    assert no_csrf.status_code == 403
    csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', page.text).group(1)
    assert s.post(srv.url + "/logout", data={"csrf": csrf}, timeout=10, allow_redirects=False).status_code == 303
    assert s.get(srv.url + "/reports", timeout=10, allow_redirects=False).status_code == 303
    forged = requests.post(srv.url + "/login", data={"username": "counselor1", "password": Server.PASSWORD},
                           timeout=10, allow_redirects=False)
    assert forged.status_code == 403


def test_login_is_throttled_after_five_failures(site):
    srv, _ = site
    # A user of its own to lock out: the module's others (support1 …) must still log in in later tests.
    added = server_cli(srv.env, "add-user", "locked1", "--role", "support", input=Server.PASSWORD)
    assert added.returncode == 0, added.stderr
    for _ in range(5):
        _, r = http_login(srv, "locked1", "wrong password")
        assert r.status_code == 401 and "違います" in r.text
    _, r = http_login(srv, "locked1", "wrong password")
    assert r.status_code == 429
    _, r = http_login(srv, "locked1")  # even the right password waits out the window
    assert r.status_code == 429
    _, r = http_login(srv, "admin1")  # other users are not locked out
    assert r.status_code == 303
