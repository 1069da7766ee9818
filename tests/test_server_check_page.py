"""The /check page in a real browser: Debian's Chromium driven by Playwright, emulating an iPhone and
an Android phone (viewport, User-Agent, Client Hints via CDP), with fake camera and microphone,
denied permissions, a throttled network, and an axe-core accessibility scan. Zoom's endpoints are
answered (or refused) by Playwright's router: no request leaves this machine."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest
import requests

from server_fixtures import Server

ROOT = Path(__file__).resolve().parent.parent
SHOTS = ROOT / "docs" / "screenshots"
ARTIFACTS = ROOT / "test-artifacts" / "check"
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
FAKE_MEDIA = ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"]
AXE_VERSION = "4.14.1"
IPHONE_UA = ("Mozilla/5.0 (iPhone; CPU iPhone OS 18_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
             "Version/26.7 Mobile/15E148 Safari/604.1")
ANDROID_UA = ("Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) "
              "Chrome/156.0.0.0 Mobile Safari/537.36")
ANDROID_METADATA = {"brands": [{"brand": "Chromium", "version": "156"}, {"brand": "Google Chrome", "version": "156"}],
                    "fullVersionList": [{"brand": "Google Chrome", "version": "156.0.8078.79"}],
                    "platform": "Android", "platformVersion": "15.0.0", "architecture": "", "model": "Pixel 8",
                    "mobile": True}
# Safari has no navigator.userAgentData; Chromium keeps its own unless the page cannot see it.
NO_CLIENT_HINTS = "Object.defineProperty(Navigator.prototype, 'userAgentData', {get: () => undefined});"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    srv = Server(str(tmp_path_factory.mktemp("check")))
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def pw():
    if not os.path.exists(CHROMIUM):
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="module")
def browser(pw):
    b = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS + FAKE_MEDIA)
    yield b
    b.close()


@pytest.fixture(scope="module")
def bare_browser(pw):
    """No fake UI: a camera prompt is answered by the permissions the test sets (none = denied)."""
    b = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS + ["--use-fake-device-for-media-stream"])
    yield b
    b.close()


def _offline_except_loopback(context, zoom_ok: bool = True):
    def handle(route):
        url = route.request.url
        if url.startswith("http://127.0.0.1:"):
            return route.continue_()
        if zoom_ok and re.match(r"^https://(app\.)?zoom\.us/", url):
            return route.fulfill(status=200, body="", headers={"content-type": "text/html"})
        return route.abort("connectionrefused")
    context.route("**/*", handle)


def phone(browser, kind: str, srv: Server, lang: str = "ja", permissions=("camera", "microphone"),
          zoom_ok: bool = True, motion: str = "reduce"):
    ua = IPHONE_UA if kind == "iphone" else ANDROID_UA
    # Reduced motion (all but the iPhone walk, which glides as most phones do): the page jumps to each step
    # instead of gliding, and Playwright need not wait ~0.9 s for the glide to settle before the next tap.
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=1, is_mobile=True,
                                  has_touch=True, user_agent=ua, locale="ja-JP" if lang == "ja" else "en-US",
                                  permissions=list(permissions), reduced_motion=motion)
    _offline_except_loopback(context, zoom_ok)
    if kind == "iphone":
        context.add_init_script(NO_CLIENT_HINTS)
    page = context.new_page()
    if kind == "android":
        cdp = context.new_cdp_session(page)
        cdp.send("Emulation.setUserAgentOverride", {"userAgent": ua, "userAgentMetadata": ANDROID_METADATA})
        page.cdp = cdp
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.errors = errors
    page.goto(f"{srv.url}/check?lang={lang}")
    return context, page


def shot(page, name: str) -> None:
    """Always into test-artifacts/ (to look at); into docs/screenshots/ only with ENVCHECK_DOCS_SHOTS=1,
    so a test run never changes tracked files."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"check-{name}.png"), full_page=True)
    if os.environ.get("ENVCHECK_DOCS_SHOTS") == "1":
        SHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SHOTS / f"check-{name}.png"), full_page=True)


def walk(page, seeker: str, answers: dict[str, str], shots: str | None = None, media: bool = True,
         enrol: str | None = None) -> None:
    page.fill("#seeker_no", seeker)
    if enrol:  # the office's one-time code: this browser becomes the seeker's enrolled device
        page.fill("#enrol_code", enrol)
    if shots:
        shot(page, f"{shots}-1-start")
    page.click("#step1 button[data-next]")
    if media:
        page.click("#media-button")
        page.wait_for_selector("#media-status:not(:empty)")
        # Until the level meter has heard the fake microphone's tone (2 is what a microphone needs to pass),
        # or there is no microphone to hear: no fixed wait.
        page.wait_for_function("() => { const v = n => document.querySelector(`#check-form [name=${n}]`).value;"
                               " return v('mic') !== 'ok' || +v('mic_level') >= 2; }")
    if shots:
        shot(page, f"{shots}-2-camera")
    page.click("#step2 button[data-next]")
    page.locator("#net-status", has_text="kbps").wait_for(timeout=60000)
    page.click("#step3 button[data-next]")
    for name, value in answers.items():
        if name == "android_patch":
            page.select_option("#android_patch", value)
        else:
            page.check(f"input[name={name}][value={value}]")
    if shots:
        shot(page, f"{shots}-3-questions")
    page.click("#send")
    page.wait_for_selector("#verdict", timeout=60000)


IPHONE_YES = {"os_updated": "yes", "p2p": "no", "wifi": "home", "zoom_installed": "yes", "zoom_updated": "yes"}
ANDROID_YES = {"android_patch": None, "av": "yes", "p2p": "no", "wifi": "mobile", "zoom_installed": "yes",
               "zoom_updated": "yes"}


def _statuses(srv: Server, report_id: str) -> dict:
    from sqlalchemy import text

    eng = srv.engine()
    with eng.connect() as conn:
        row = conn.execute(text("SELECT statuses, assurance, platform, body FROM reports WHERE report_id = :r"),
                           {"r": report_id}).one()
    eng.dispose()
    return {"statuses": __import__("json").loads(row[0]), "assurance": row[1], "platform": row[2], "body": row[3]}


def _report_id(srv: Server, seeker: str) -> str:
    r = srv.eligibility(seeker)
    assert r.status_code == 200
    return r.json()["report_id"]


def test_iphone_gets_from_the_page_to_a_report_the_booking_api_accepts(site, browser):
    context, page = phone(browser, "iphone", site, motion="no-preference")
    assert "スマートフォンで環境チェック" in page.inner_text("h1")
    walk(page, "01234-00000101", enrol=site.enrol("01234-00000101"), answers=IPHONE_YES, shots="iphone")
    assert "予約に進めます" in page.inner_text("#verdict")
    assert re.match(r"^[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}$", page.inner_text("#receipt-no"))
    assert "自己申告" in page.inner_text("#item-zoom-installed")
    shot(page, "iphone-4-result")
    assert page.errors == []
    context.close()
    answer = site.eligibility("01234-00000101").json()
    assert answer["eligible"] is True and "browser check" in answer["reason"]
    stored = _statuses(site, answer["report_id"])
    assert stored["assurance"] == "browser" and stored["platform"] == "ios"
    assert stored["statuses"]["device.camera"] == "pass" and stored["statuses"]["device.microphone"] == "pass"
    assert stored["statuses"]["zoom.installed"] == "declared" and stored["statuses"]["os.supported"] == "pass"
    assert b"Mozilla/5.0" not in stored["body"]  # no full User-Agent unless the office turns it on


def test_android_client_hints_give_the_real_version_behind_the_reduced_user_agent(site, browser):
    from datetime import date

    context, page = phone(browser, "android", site)
    month = date.today().strftime("%Y-%m")
    walk(page, "01234-00000102", enrol=site.enrol("01234-00000102"), answers={**ANDROID_YES, "android_patch": month},
         shots="android")
    assert "予約に進めます" in page.inner_text("#verdict"), page.inner_text("main")
    context.close()
    stored = _statuses(site, _report_id(site, "01234-00000102"))
    import json

    doc = json.loads(stored["body"])
    os_ev = next(c for c in doc["checks"] if c["id"] == "os.supported")["evidence"]
    assert (os_ev["os"], os_ev["version"], os_ev["source"], os_ev["model"]) == ("android", "15.0.0", "client-hints",
                                                                                "Pixel 8")
    assert stored["statuses"]["os.patched"] == "declared"
    assert site.eligibility("01234-00000102").json()["eligible"] is True


def test_camera_denied_says_how_to_allow_it_and_is_not_a_pass(site, bare_browser):
    context, page = phone(bare_browser, "iphone", site, permissions=())
    walk(page, "01234-00000103", enrol=site.enrol("01234-00000103"), answers=IPHONE_YES)
    assert "確認できなかった項目があります" in page.inner_text("#verdict")
    text = page.inner_text("#item-device-camera")
    assert "未確認" in text and "「設定」→「アプリ」→「Safari」→「カメラ」" in text
    shot(page, "denied-result")
    context.close()
    assert site.eligibility("01234-00000103").json()["eligible"] is False


def test_a_slow_network_still_finishes_and_warns(site, browser):
    context, page = phone(browser, "android", site, zoom_ok=False)
    page.cdp.send("Network.enable")
    # "Slow 3G"-like: 400 ms latency, 50 KB/s down.
    page.cdp.send("Network.emulateNetworkConditions", {"offline": False, "latency": 400,
                                                       "downloadThroughput": 50 * 1024, "uploadThroughput": 25 * 1024})
    from datetime import date

    walk(page, "01234-00000104", enrol=site.enrol("01234-00000104"),
         answers={**ANDROID_YES, "android_patch": date.today().strftime("%Y-%m")})
    context.close()
    doc = __import__("json").loads(_statuses(site, _report_id(site, "01234-00000104"))["body"])
    reach = next(c for c in doc["checks"] if c["id"] == "network.reachable")
    assert reach["evidence"]["service_ms"] >= 400 and reach["evidence"]["down_kbps"] < 1000
    assert reach["status"] == "fail" and reach["code"] == "zoom_blocked"  # Zoom refused by the router


def test_the_english_page_and_a_pc_told_about_the_desktop_program(site, browser):
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="en-US")
    _offline_except_loopback(context)
    page = context.new_page()
    page.goto(site.url + "/check?lang=en")
    assert "Device check on your phone" in page.inner_text("h1")
    assert "desktop program" in page.inner_text("#pc-note")
    shot(page, "pc-en-1366")
    context.close()


def test_without_javascript_the_form_still_sends_and_nothing_measured_passes(site, browser):
    context = browser.new_context(viewport={"width": 390, "height": 844}, java_script_enabled=False,
                                  user_agent=IPHONE_UA)
    _offline_except_loopback(context)
    page = context.new_page()
    page.goto(site.url + "/check")
    assert page.is_visible("text=JavaScript がオフのため")
    page.fill("#seeker_no", "01234-00000105")
    for name, value in IPHONE_YES.items():
        page.check(f"input[name={name}][value={value}]")
    page.click("#send")
    page.wait_for_selector("#verdict")
    assert "確認できなかった項目があります" in page.inner_text("#verdict")
    context.close()


def test_hostile_form_gets_a_clear_400_and_nothing_is_stored(site):
    before = site.counts()["reports"]
    r = requests.post(site.url + "/check/submit", data={"seeker_no": "01234-00000106", "cam": "<script>x</script>"},
                      timeout=10)
    assert r.status_code == 400 and "cam: must be one of" in r.text and "<script>x" not in r.text
    r = requests.post(site.url + "/check/submit", data=b"seeker_no=" + b"1" * 20000, timeout=10)
    assert r.status_code == 413
    chunks = (b"seeker_no=" + b"1" * 4096 for _ in range(64))  # chunked: no Content-Length to trust
    r = requests.post(site.url + "/check/submit", data=chunks, timeout=10)
    assert r.status_code == 413
    assert site.counts()["reports"] == before


def test_the_page_has_a_strict_csp_and_no_inline_script(site):
    r = requests.get(site.url + "/check", timeout=10)
    csp = r.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "default-src 'none'" in csp
    assert "<script>" not in r.text and "style=" not in r.text and "onclick" not in r.text
    assert r.headers["permissions-policy"] == "camera=(self), microphone=(self)"


def _axe_source() -> str:
    cache = Path(os.environ.get("ENVCHECK_NPM_CACHE", ROOT / "test-artifacts" / "npm"))
    path = cache / "node_modules" / "axe-core" / "axe.min.js"
    if not path.exists():
        cache.mkdir(parents=True, exist_ok=True)
        done = subprocess.run(["npm", "install", "--no-save", "--no-audit", "--no-fund", "--prefix", str(cache),
                               f"axe-core@{AXE_VERSION}"], capture_output=True, text=True, timeout=300)
        if done.returncode != 0 and os.environ.get("CI") is None:
            pytest.skip(f"npm could not install axe-core: {done.stderr.strip()[-200:]}")
        assert done.returncode == 0, done.stderr
    return path.read_text(encoding="utf-8")


def test_no_serious_accessibility_violations(site, browser):
    axe = _axe_source()
    context, page = phone(browser, "iphone", site)
    found = []

    def scan(step):
        # evaluate() runs outside the page's CSP, so axe is injected without loosening it.
        result = page.evaluate(axe + "\n;axe.run(document, {resultTypes: ['violations']})")
        found.extend((step, v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
                     for v in result["violations"] if v["impact"] in ("serious", "critical"))
    scan("start")
    page.evaluate("document.querySelectorAll('.step').forEach(s => s.classList.remove('later'))")
    scan("all-steps")
    page.goto(f"{site.url}/check?lang=ja")
    # a failing result, with remedies
    walk(page, "01234-00000108", enrol=site.enrol("01234-00000108"), answers={**IPHONE_YES, "wifi": "free"})
    scan("result")
    context.close()
    assert found == []


def test_an_unanswered_question_is_pointed_at_before_sending(site, browser):
    context, page = phone(browser, "iphone", site)
    answers = {k: v for k, v in IPHONE_YES.items() if k != "wifi"}
    page.fill("#seeker_no", "01234-00000107")
    page.click("#step1 button[data-next]")
    page.click("#step2 button[data-next]")
    page.locator("#net-status", has_text="kbps").wait_for(timeout=60000)
    page.click("#step3 button[data-next]")
    for name, value in answers.items():
        page.check(f"input[name={name}][value={value}]")
    page.click("#send")
    alert = page.locator("#q-wifi [role=alert]")
    alert.wait_for()
    assert "この質問に答えてください" in alert.inner_text() and "/check/submit" not in page.url
    page.check("input[name=wifi][value=home]")
    page.click("#send")
    page.wait_for_selector("#verdict")
    context.close()


def test_the_counselor_sees_the_browser_report_with_declared_items(site):
    from test_server_web import http_login

    # The form an iPhone's /check page sends once it has measured everything (the walk above makes the
    # same request through the page): its own report, so this test needs no other test before it.
    seeker_no = "01234-00000110"
    form = {"seeker_no": seeker_no, "enrol_code": site.enrol(seeker_no), "lang": "ja", "measured": "1", "touch": "5",
            "cam": "ok", "mic": "ok", "mic_level": "40", "rtt_ms": "20", "down_kbps": "50000", "zoom_reach": "ok",
            "zoomapp_reach": "ok", **IPHONE_YES}
    sent = requests.post(site.url + "/check/submit", data=form, headers={"User-Agent": IPHONE_UA}, timeout=10)
    assert sent.status_code == 200 and "予約に進めます" in sent.text, sent.text[-2000:]
    report_id = _report_id(site, seeker_no)
    session, _ = http_login(site, "counselor1")
    page = session.get(f"{site.url}/reports/{report_id}", timeout=10)
    assert page.status_code == 200 and "自己申告" in page.text and seeker_no in page.text
    seeker = session.get(f"{site.url}/seekers/{seeker_no}", timeout=10)
    assert 'id="eligible">可' in seeker.text


def test_a_mistyped_number_is_caught_on_the_first_step_and_full_width_digits_are_fine(site, browser):
    context, page = phone(browser, "iphone", site)
    page.fill("#seeker_no", "1234-5678")
    page.click("#step1 button[data-next]")
    assert page.is_visible("#seeker-error") and not page.is_visible("#step2")
    assert "数字 5 桁" in page.inner_text("#seeker-error")
    page.fill("#seeker_no", "０１２３４ー０００００１０８")  # typed with a Japanese IME
    page.click("#step1 button[data-next]")
    assert not page.is_visible("#seeker-error") and page.is_visible("#step2")
    context.close()


IPAD_DESKTOP_UA = ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
                   "Version/26.7 Safari/605.1.15")


def test_an_ipad_presenting_a_mac_user_agent_is_judged_as_ipados(site, browser):
    context = browser.new_context(viewport={"width": 820, "height": 1180}, user_agent=IPAD_DESKTOP_UA, has_touch=True,
                                  locale="ja-JP", permissions=["camera", "microphone"], reduced_motion="reduce")
    _offline_except_loopback(context)
    context.add_init_script(NO_CLIENT_HINTS)
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Emulation.setTouchEmulationEnabled", {"enabled": True, "maxTouchPoints": 5})  # an iPad reports 5
    page.goto(site.url + "/check")
    assert not page.is_visible("#pc-note")
    walk(page, "01234-00000109", enrol=site.enrol("01234-00000109"), answers=IPHONE_YES)
    context.close()
    doc = __import__("json").loads(_statuses(site, _report_id(site, "01234-00000109"))["body"])
    os_ev = next(c for c in doc["checks"] if c["id"] == "os.supported")["evidence"]
    assert (doc["checker"]["platform"], os_ev["os"], os_ev["version"]) == ("ios", "ipados", "26.7")
    assert doc["verdict"] == "pass"
