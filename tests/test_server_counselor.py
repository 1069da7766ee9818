"""Counselors and support staff at work (issue 17), in Debian's chromium driven by Playwright against a
real `envcheck-server run`: the per-seeker first screen, search by receipt number, decisions the
booking API honours, the upload log, the support diagnostics table, the phone layout and an
axe-core scan. Screenshots go to test-artifacts/; with ENVCHECK_DOCS_SHOTS=1 they also refresh docs/img/
(the pictures docs/server.md shows), so an ordinary run never changes tracked files."""

from __future__ import annotations

import dataclasses
import json
import os
import re
import subprocess
from datetime import datetime, timedelta, timezone
from pathlib import Path
from types import SimpleNamespace

import pytest
import requests
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from server_fixtures import ARTIFACTS, Maker, Server, free_port
from test_server_store import _ingest, maker, store  # noqa: F401 (fixtures: the store on SQLite and PostgreSQL)
from test_server_web import ARGS, CHROMIUM

ROOT = Path(__file__).resolve().parent.parent
DOCS_IMG = ROOT / "docs" / "img"
AXE_VERSION = "4.14.1"
NOW = datetime(2026, 12, 6, 12, 0, tzinfo=timezone.utc)
N = {k: f"02000-{i:08d}" for i, k in enumerate(("ok", "fail", "newdev", "lie", "phone", "refused", "diag"), 1)}


# ---------------------------------------------------------------- the pure rule the API and pages share

def _report(verdict="pass", days_ago=1, key="k1"):
    return SimpleNamespace(report_id="r", verdict=verdict, created_at=NOW - timedelta(days=days_ago), key_id=key)


def test_a_grant_makes_eligible_until_its_date_and_a_revoke_ends_it():
    from envcheck.server.decisions import Standing, judge

    granted = Standing(grant_until=NOW + timedelta(days=10), grant_reason="電話面談")
    assert judge(None, Standing(), NOW, 30).code == "no_report"
    j = judge(None, granted, NOW, 30)
    assert (j.eligible, j.code, j.until) == (True, "granted", NOW + timedelta(days=10))
    assert judge(_report("fail"), granted, NOW, 30).code == "granted"  # the counselor's word stands
    assert judge(None, Standing(grant_until=NOW - timedelta(seconds=1)), NOW, 30).code == "no_report"
    # a passing report that lasts longer than the grant wins (it is the stronger evidence)
    assert judge(_report("pass", days_ago=1), granted, NOW, 30).code == "passed"
    revoked = Standing(revoked_at=NOW - timedelta(hours=1))
    assert judge(_report("pass", days_ago=1), revoked, NOW, 30).code == "revoked"
    assert judge(None, revoked, NOW, 30).code == "revoked"
    after = SimpleNamespace(report_id="r2", verdict="pass", created_at=NOW - timedelta(minutes=5), key_id="k1")
    assert judge(after, revoked, NOW, 30).code == "passed"  # checked again after the revoke


def test_reports_from_a_rejected_key_never_make_anyone_eligible():
    from envcheck.server.decisions import Standing, judge

    st = Standing(rejected_keys=frozenset({"bad"}))
    assert judge(_report("pass", key="bad"), st, NOW, 30).code == "device_rejected"
    assert judge(_report("pass", key="good"), st, NOW, 30).code == "passed"
    assert judge(_report("pass", days_ago=31), Standing(), NOW, 30).code == "expired"
    assert judge(_report("incomplete"), Standing(), NOW, 30).code == "incomplete"


def test_diagnostics_table_puts_failures_first_with_the_japanese_cause_and_survives_junk():
    from envcheck.server.support import diagnostic_rows

    doc = {"status": "failed", "steps": [
        {"step": "dns", "target": "zoom", "host": "zoom.us", "status": "ok", "ms": 12},
        {"step": "tcp", "target": "zoom", "host": "zoom.us", "port": 443, "status": "failed", "error": "refused",
         "cause": {"code": "tcp_refused", "ja": "接続が拒否されました", "en": "refused"}},
        "junk", {"step": {"x": 1}, "status": "weird", "issuer": "not a dict"}]}
    line, rows = diagnostic_rows(doc, "ja")
    assert rows[0]["mark"] == "✖" and rows[0]["cause"] == "接続が拒否されました" and "zoom.us:443" in rows[0]["where"]
    assert line.startswith("問題あり: 3 項目中 2 項目で問題") and "接続" in line
    assert diagnostic_rows({"steps": "no"}, "ja") == ("", [])
    assert diagnostic_rows(None, "en") == ("", [])


# ---------------------------------------------------------------- a real service with real reports

def _diagnostics(srv: Server) -> dict:
    """Real diagnostics measured on loopback: the service answers, a closed port refuses."""
    from envcheck.diagnose import load_config, run_diagnose

    closed = free_port()
    base = load_config()
    cfg = dataclasses.replace(base, targets=(), intake_url="",
                              captive_url=f"http://127.0.0.1:{closed}/generate_204",
                              limits={**base.limits, "bound_ms": 3000})
    cfg = cfg.with_endpoints([f"127.0.0.1:{srv.port}", f"127.0.0.1:{closed}"])
    return run_diagnose(cfg, proxy_reader=lambda timeout: {"env": {}, "system": {}})


@pytest.fixture(scope="module")
def office(tmp_path_factory, rules):
    srv = Server(str(tmp_path_factory.mktemp("counselor")))
    mk = Maker(rules)
    # each seeker's first report carries the office's enrolment code: that device counts for booking
    docs = {"ok": mk.passing(N["ok"], enrol=srv.enrol(N["ok"])),
            "fail": mk.failing(N["fail"], enrol=srv.enrol(N["fail"]))}
    docs["newdev_first"] = mk.passing(N["newdev"], when=mk.now() - timedelta(minutes=5), enrol=srv.enrol(N["newdev"]))
    docs["newdev"] = mk.passing(N["newdev"], key=Ed25519PrivateKey.generate())
    lie = mk.unsigned(N["lie"], passing=False)
    lie["verdict"] = "pass"
    for c in lie["checks"]:
        if c["id"] == "firewall.enabled":
            c["status"] = "pass"
    docs["lie"] = mk.sign(lie, enrol=srv.enrol(N["lie"]))
    diag = mk.unsigned(N["diag"], passing=False)
    diag["diagnostics"] = _diagnostics(srv)
    docs["diag"] = mk.sign(diag, enrol=srv.enrol(N["diag"]))
    receipts = {}
    for name, doc in docs.items():
        r = srv.post(doc)
        assert r.status_code == 201, r.text
        receipts[name] = r.json()["receipt_no"]
    assert srv.post(docs["ok"]).status_code == 200  # sent twice: a duplicate
    tampered = mk.passing(N["refused"])
    tampered["checks"][0]["status"] = "pass" if tampered["checks"][0]["status"] != "pass" else "fail"
    assert srv.post(tampered).status_code == 422
    stale = mk.passing(N["refused"], when=mk.now() - timedelta(days=30))
    assert srv.post(stale).status_code == 422
    yield SimpleNamespace(srv=srv, docs=docs, receipts=receipts, maker=mk)
    srv.stop()


@pytest.fixture(scope="module")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


def login(browser, srv, user: str, width: int = 1366, height: int = 768, **kw):
    context = browser.new_context(locale="ja-JP", viewport={"width": width, "height": height}, **kw)
    page = context.new_page()
    page.goto(srv.url + "/")
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", Server.PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r".*/seekers$"))
    return context, page


def shot(page, name: str, docs: bool = False) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"server-{name}.png"), full_page=True)
    if docs and os.environ.get("ENVCHECK_DOCS_SHOTS") == "1":
        DOCS_IMG.mkdir(exist_ok=True)
        page.screenshot(path=str(DOCS_IMG / f"server-{name}.png"), full_page=False)


def row(page, seeker_no: str):
    return page.locator(f"#seekers tr[data-seeker='{seeker_no}']")


def test_first_screen_answers_can_they_book_until_when_and_what_to_fix(office, browser, rules):
    context, page = login(browser, office.srv, "counselor1")
    assert "求職者一覧" in page.inner_text("h1")
    ok = row(page, N["ok"])
    created = datetime.fromisoformat(office.docs["ok"]["created_at"].replace("Z", "+00:00"))
    until = (created + timedelta(days=rules.report_valid_days)).astimezone(timezone(timedelta(hours=9)))
    assert ok.locator(".elig").inner_text().startswith("可")
    assert ok.locator(".until").inner_text() == f"{until.year}年{until.month}月{until.day}日まで"
    bad = row(page, N["fail"])
    assert bad.locator(".elig").inner_text().startswith("不可")
    assert "ファイアウォール" in bad.locator(".items").inner_text()
    assert "パソコン用アプリ" in bad.inner_text()
    assert "別の端末" in row(page, N["newdev"]).inner_text()
    assert "改ざんの疑い" in row(page, N["lie"]).inner_text()
    assert page.locator("#seekers tbody tr").count() == 5  # one row per seeker, not per report
    shot(page, "seekers-1366", docs=True)
    page.select_option("select[name=verdict]", "fail")
    page.click("#search button")
    page.wait_for_url(re.compile(r".*verdict=fail.*"))
    assert {r.get_attribute("data-seeker") for r in page.locator("#seekers tbody tr").all()} == \
        {N["fail"], N["lie"], N["diag"]}
    context.close()


def test_a_receipt_number_read_out_on_the_phone_finds_the_report(office, browser):
    context, page = login(browser, office.srv, "counselor1")
    number = office.receipts["fail"]
    page.fill("input[name=q]", number.lower().replace("-", "ー"))  # as typed with a Japanese IME
    page.click("#search button")
    page.wait_for_url(re.compile(r".*/reports/[0-9a-f-]{36}$"))
    assert office.docs["fail"]["report_id"] in page.url
    assert page.inner_text("#receipt-no") == number
    assert page.inner_text("#verdict") == "不合格"
    assert page.locator("#checks tbody tr").first.get_attribute("id") == "check-firewall.enabled"  # failing first
    assert "windowsdefender://" not in page.inner_text("main")
    assert page.locator("#meta").get_attribute("open") is None  # metadata collapsed
    shot(page, "report-1366", docs=True)
    page.goto(office.srv.url + "/seekers?q=0000-0000-0000")
    assert "この受付番号の報告書はありません" in page.inner_text("main")
    page.goto(office.srv.url + f"/seekers?q={N['ok']}")
    assert page.url.endswith(f"/seekers/{N['ok']}")
    context.close()


def test_mismatch_badge_tells_a_lie_from_older_rules(office, browser):
    context, page = login(browser, office.srv, "counselor1")
    page.goto(f"{office.srv.url}/reports/{office.docs['lie']['report_id']}")
    assert "改ざんの疑い" in page.inner_text("#mismatch")
    assert "ハローワークでの判定では不合格" in page.inner_text("#mismatch")
    context.close()
    from envcheck.server.seekers import mismatch_kind

    older = SimpleNamespace(mismatch=True, claimed_statuses='{"os.patched": "pass"}', statuses='{"os.patched": "fail"}',
                            rules_version="2026.11.01", judged_rules_version="2026.12.01", claimed_verdict="pass",
                            verdict="fail")
    assert mismatch_kind(older) == "rules"
    assert mismatch_kind(SimpleNamespace(**{**vars(older), "rules_version": "2026.12.01"})) == "suspicious"


def _decide(page, form: str, reason: str, until: str | None = None) -> None:
    if until:
        page.fill(f"{form} input[name=until]", until)
    page.fill(f"{form} input[name=reason]", reason)
    page.click(f"{form} button")
    page.wait_for_url(re.compile(r".*done=1$"))


def test_a_counselor_grants_and_revokes_and_the_booking_api_follows(office, browser):
    srv, n = office.srv, N["phone"]
    assert srv.eligibility(n).json()["code"] == "no_report"
    context, page = login(browser, srv, "counselor1")
    page.goto(f"{srv.url}/seekers/{n}")
    assert page.inner_text("#eligible") == "不可" and "報告書がまだ届いていません" in page.inner_text("#why")
    until = (datetime.now(timezone(timedelta(hours=9))) + timedelta(days=14)).date()
    _decide(page, "#grant-form", "電話面談でスマートフォンの設定を確認した", until.isoformat())
    assert page.inner_text("#eligible") == "可"
    assert "電話面談" in page.inner_text("#why")
    assert page.inner_text("#until") == f"{until.year}年{until.month}月{until.day}日まで"
    e = srv.eligibility(n).json()
    assert e["eligible"] is True and e["code"] == "granted" and e["valid_until"] == f"{until}T14:59:59Z"
    shot(page, "seeker-granted-1366", docs=True)
    page.fill("#grant-form input[name=until]", "2099-01-01")  # beyond the longest grant: refused, nothing kept
    page.fill("#grant-form input[name=reason]", "x")
    page.click("#grant-form button")
    assert "最長180日" in page.inner_text("#problem")
    page.goto(f"{srv.url}/seekers/{n}")
    _decide(page, "#revoke-form", "本人から別の端末で参加すると連絡があった")
    assert page.inner_text("#eligible") == "不可"
    e = srv.eligibility(n).json()
    assert e["eligible"] is False and e["code"] == "revoked"
    page.goto(f"{srv.url}/seekers?verdict=decided")
    assert row(page, n).count() == 1 and "相談員が予約の許可を取り消しました" in row(page, n).inner_text()
    page.goto(f"{srv.url}/seekers/{n}")
    page.click("#details summary")
    kinds = page.inner_text("#decisions")
    assert "予約を許可" in kinds and "許可を取り消し" in kinds and "counselor1（相談員）" in kinds
    context.close()
    admin, page = login(browser, srv, "admin1")
    page.goto(srv.url + "/audit")
    audit = page.inner_text("#audit")
    assert "予約を許可" in audit and "電話面談でスマートフォンの設定を確認した" in audit and n in audit
    assert "view_report" not in audit  # actions in words
    admin.close()


def test_a_new_device_is_confirmed_or_rejected_and_rejection_blocks_booking(office, browser):
    srv, n = office.srv, N["newdev"]
    new_kid = office.docs["newdev"]["signature"]["key_id"]
    context, page = login(browser, srv, "counselor1")
    page.goto(f"{srv.url}/seekers/{n}")
    assert page.is_visible("#new-device")
    form = f".key-form[data-key='{new_kid}']"
    page.fill(f"{form} input[name=reason]", "本人に電話で確認（前の端末は再インストール）")
    page.click(f"{form} button[value=confirm_key]")
    page.wait_for_url(re.compile(r".*done=1$"))
    assert not page.is_visible("#new-device") and page.inner_text("#eligible") == "可"
    assert srv.eligibility(n).json()["code"] == "passed"
    page.goto(srv.url + "/seekers?flag=new")
    assert row(page, n).count() == 0  # confirmed: no longer listed as another device
    # a third device, rejected: its passing report does not let the seeker book
    third = office.maker.passing(n, key=Ed25519PrivateKey.generate())
    assert srv.post(third).status_code == 201
    page.goto(f"{srv.url}/seekers/{n}")
    form = f".key-form[data-key='{third['signature']['key_id']}']"
    page.fill(f"{form} input[name=reason]", "本人は新しい端末を使っていないと回答")
    page.click(f"{form} button[value=reject_key]")
    page.wait_for_url(re.compile(r".*done=1$"))
    # an unenrolled device's reports never changed the answer; rejected, it never will: still the confirmed one
    assert page.inner_text("#eligible") == "可"
    assert srv.eligibility(n).json()["code"] == "passed"
    assert page.locator(form).count() == 0  # recorded as rejected: no longer waiting for a decision
    context.close()


def test_only_counselors_decide_and_every_decision_needs_the_form_token(office):
    from test_server_web import http_login

    s, _ = http_login(office.srv, "support1")
    page = s.get(f"{office.srv.url}/seekers/{N['ok']}", timeout=10)
    assert "grant-form" not in page.text
    csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', page.text).group(1)
    r = s.post(f"{office.srv.url}/seekers/{N['ok']}/decisions", timeout=10, allow_redirects=False,
               data={"csrf": csrf, "action": "revoke", "reason": "x"})
    assert r.status_code == 403
    c, _ = http_login(office.srv, "counselor1")
    r = c.post(f"{office.srv.url}/seekers/{N['ok']}/decisions", timeout=10, allow_redirects=False,
               data={"csrf": "0" * 64, "action": "revoke", "reason": "x"})
    assert r.status_code == 403
    assert office.srv.eligibility(N["ok"]).json()["eligible"] is True


def test_support_finds_a_refused_upload_by_seeker_number_and_reads_the_diagnostics(office, browser):
    srv = office.srv
    context, page = login(browser, srv, "support1")
    page.click("header a[href='/uploads']")
    page.fill("input[name=seeker]", N["refused"])
    page.click("form.filters button")
    page.wait_for_url(re.compile(r".*seeker=.*"))
    rows = page.locator("#uploads tbody tr")
    assert rows.count() == 2
    text = page.inner_text("#uploads")
    assert "受付できず" in text and "電子署名が合わない" in text and "古い報告書" in text
    shot(page, "uploads-1366", docs=True)
    page.goto(f"{srv.url}/uploads?receipt={office.receipts['ok']}")
    assert "受付済み（再送）" in page.inner_text("#uploads") and "受付" in page.inner_text("#uploads")
    page.goto(f"{srv.url}/reports/{office.docs['diag']['report_id']}")
    line = page.inner_text("#diag-line")
    assert line.startswith("問題あり") and "項目で問題" in line
    first = page.locator("#diag tbody tr").first
    assert "✖" in first.inner_text() and "拒否" in first.inner_text()  # the Japanese cause, failures first
    assert page.locator("#diag tbody tr.diag-ok").count() >= 1
    shot(page, "support-report-1366", docs=True)
    context.close()


PAGES = ("/seekers", f"/seekers/{N['newdev']}", "/uploads?seeker=" + N["refused"], "/audit", "/reports")


def test_pages_fit_a_390px_phone_without_horizontal_scrolling(office, browser):
    context, page = login(browser, office.srv, "admin1", width=390, height=844)
    pages = PAGES + (f"/reports/{office.docs['diag']['report_id']}",)
    for path in pages:
        page.goto(office.srv.url + path)
        for d in page.locator("details").all():
            d.evaluate("e => e.open = true")
        over = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        wide = page.evaluate("""() => [...document.querySelectorAll('main *')].filter(
            e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1).slice(0, 5).map(
            e => e.tagName + '.' + e.className + ':' + e.textContent.slice(0, 40))""")
        assert over <= 0, f"{path} scrolls sideways by {over} px: {wide}"
        header = page.locator("header a[href='/seekers']").bounding_box()
        assert header["height"] < 40, f"{path}: header links wrap into vertical text"
    page.goto(office.srv.url + "/seekers")
    shot(page, "seekers-390", docs=True)
    page.goto(f"{office.srv.url}/seekers/{N['fail']}")
    shot(page, "seeker-390", docs=True)
    context.close()


def axe_source() -> str:
    """axe-core from npm, installed once into a cache folder (.ci/run does the same)."""
    cache = Path(os.environ.get("ENVCHECK_NPM_CACHE", ROOT / ".cache" / "npm"))
    js = cache / "node_modules" / "axe-core" / "axe.min.js"
    if not js.exists():
        try:
            subprocess.run(["npm", "install", "--prefix", str(cache), "--no-audit", "--no-fund",
                            f"axe-core@{AXE_VERSION}"], check=True, capture_output=True, timeout=300)
        except (OSError, subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
            pytest.skip(f"axe-core could not be installed with npm: {exc}")
    return js.read_text(encoding="utf-8")


def test_axe_core_finds_no_serious_accessibility_violations(office, browser):
    source = axe_source()
    # The pages forbid every script (CSP); only this test context may inject axe.
    context, page = login(browser, office.srv, "admin1", bypass_csp=True)
    found = {}
    for path in PAGES + (f"/reports/{office.docs['diag']['report_id']}", f"/seekers/{N['phone']}"):
        page.goto(office.srv.url + path)
        page.add_script_tag(content=source)
        result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
        bad = [f"{v['id']}: {v['help']} ({len(v['nodes'])})" for v in result["violations"]
               if v["impact"] in ("serious", "critical")]
        if bad:
            found[path] = bad
    context.close()
    assert found == {}, json.dumps(found, ensure_ascii=False, indent=1)


def test_pages_keep_a_strict_csp(office):
    from test_server_web import http_login

    s, _ = http_login(office.srv, "counselor1")
    r = s.get(office.srv.url + "/seekers", timeout=10)
    csp = r.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "script-src" not in csp and "<script" not in r.text
    assert requests.get(office.srv.url + "/uploads", timeout=10, allow_redirects=False).status_code == 303
    english = s.get(office.srv.url + "/seekers?lang=en", timeout=10).text
    assert "Job-seekers" in english and "Can book" in english and "The latest report passes." in english


# ---------------------------------------------------------------- the same on SQLite and PostgreSQL


def test_one_row_per_seeker_and_decisions_on_both_databases(store, maker, rules):  # noqa: F811 (fixtures)
    from envcheck.server import attempts, decisions
    from envcheck.server.db import UploadAttempt
    from envcheck.server.intake import eligibility, purge
    from envcheck.server.seekers import latest_reports

    from envcheck.server.enrol import issue

    now = maker.now()
    with store.tx() as s:
        codes = [issue(s, n, "counter", "admin", "-", now)[0] for n in ("03000-00000001", "03000-00000002")]
    first = maker.passing("03000-00000001", when=now - timedelta(minutes=10), enrol=codes[0])
    later = maker.failing("03000-00000001", when=now - timedelta(minutes=5))
    other = maker.passing("03000-00000002", when=now - timedelta(minutes=7), enrol=codes[1])
    for doc in (first, later, other):
        assert _ingest(store, maker, rules, doc, now).status == 201
    with store.tx() as s:
        rows = latest_reports(s, [], None, 10)
        assert [r.report_id for r in rows] == [other["report_id"], later["report_id"]]  # same received_at: by id
        assert all(r.receipt_no and r.pinned for r in rows)
        assert eligibility(s, "03000-00000001", rules, now).code == "failed"
        decisions.grant(s, "03000-00000001", now + timedelta(days=3), "電話面談で確認", "c1", "counselor", "-", now)
    with store.tx() as s:
        e = eligibility(s, "03000-00000001", rules, now)
        assert (e.eligible, e.code) == (True, "granted")
        with pytest.raises(decisions.DecisionError):
            decisions.revoke(s, "03000-00000001", "   ", "c1", "counselor", "-", now)
    attempts.record(store, now - timedelta(days=200), "refused", 422, "stale", "03000-00000001")
    attempts.record(store, now, "refused", 422, "bad_signature", "03000-00000001")
    assert purge(store, 180, now)["upload_attempts"] == 1
    with store.tx() as s:
        # the three stored reports' lines (written by store_report) and the recent refusal are kept
            kept = s.query(UploadAttempt).order_by(UploadAttempt.id).all()
            assert [a.reason_code for a in kept] == ["ok", "ok", "ok", "bad_signature"]


def test_hostile_queries_and_forms_get_a_clear_answer_never_a_500(office):
    from test_server_web import http_login

    s, _ = http_login(office.srv, "counselor1")
    url = office.srv.url
    for path in ("/seekers?before=garbage&verdict=x&flag=y", "/seekers?before=2026-01-01T00:00:00_9z",
                 "/seekers?before=2026-01-01T00:00:00_9", "/uploads?before=2026-01-01T00:00:00_9",
                 "/reports?before=2026-01-01T00:00:00_9",
                 "/uploads?from=2026-13-45&to=x&outcome=z&before=a_b", "/uploads?seeker=1-2-3",
                 "/seekers/" + "9" * 300, "/seekers?q=" + "<script>" * 20):
        r = s.get(url + path, timeout=10)
        assert r.status_code in (200, 400, 404), (path, r.status_code)
        assert "<script>" not in r.text
    page = s.get(f"{url}/seekers/{N['ok']}", timeout=10)
    csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', page.text).group(1)
    for data in ({"action": "explode", "reason": "x"}, {"action": "grant", "until": "tomorrow", "reason": "x"},
                 {"action": "grant", "until": "2000-01-01", "reason": "x"}, {"action": "revoke", "reason": " "},
                 {"action": "confirm_key", "key_id": "nope", "reason": "x"}):
        r = s.post(f"{url}/seekers/{N['ok']}/decisions", data={"csrf": csrf, **data}, timeout=10,
                   allow_redirects=False)
        assert r.status_code == 400 and 'id="problem"' in r.text, data
    r = s.post(f"{url}/seekers/{N['ok']}/decisions", data="x" * 20000, timeout=10, allow_redirects=False,
               headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code == 400
    assert office.srv.eligibility(N["ok"]).json()["code"] == "passed"  # nothing was recorded


def test_migration_0004_fills_receipt_numbers_of_reports_stored_before_it(tmp_path):
    from sqlalchemy import text

    from envcheck.server.db import make_engine
    from envcheck.server.migrate import upgrade

    engine = make_engine(f"sqlite:///{tmp_path}/old.sqlite3")
    upgrade(engine, "0001")
    row = {"report_id": "00000000-0000-4000-8000-000000000001", "seeker_no": "01234-00000001",
           "created_at": "2026-12-01 00:00:00", "received_at": "2026-12-01 00:01:00", "platform": "windows",
           "checker_version": "0.1.0", "rules_version": "x", "key_id": "0123456789abcdef", "claimed_verdict": "pass",
           "verdict": "pass", "judged_rules_version": "x", "claimed_statuses": "{}", "statuses": "{}",
           "mismatch": False, "new_device_key": False, "sha256": "0" * 64, "body": b"{}",
           "receipt": json.dumps({"receipt_no": "AB54-36CB-99BC"})}
    with engine.begin() as conn:
        conn.execute(text(f"INSERT INTO reports ({', '.join(row)}) VALUES ({', '.join(':' + k for k in row)})"), row)
    upgrade(engine)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT receipt_no FROM reports")).scalar_one() == "AB54-36CB-99BC"
    engine.dispose()
