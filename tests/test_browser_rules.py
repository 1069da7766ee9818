"""The browser check's judgement, without a browser: User-Agent and Client Hints parsing on real
User-Agent strings, phone lifecycle and patch decisions on every date of a year, declared answers
never passing, the report the service builds and re-judges, and the form's validation."""

from __future__ import annotations

import shutil
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from envcheck.ruleset.loader import CHECK_IDS

from envcheck.checks import judge, rejudge
from envcheck.errors import RuleError
from envcheck.ruleset.mobile import load_mobile
from envcheck.report.schema import validate_report
from envcheck.server.browserreport import build, parse_form
from envcheck.server.intake import Rejected
from envcheck.server.uaparse import device_from
from envcheck.report.signing import verify_report

ROOT = Path(__file__).resolve().parent.parent

# Real User-Agent strings, each with where it was published.
IOS26_SAFARI = ("Mozilla/5.0 (iPhone; CPU iPhone OS 18_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
                "Version/26.0 Mobile/15E148 Safari/604.1")  # whatwg/compat#283, WebKit blog "Safari 26.0"
IOS26_SAFARI_187 = ("Mozilla/5.0 (iPhone; CPU iPhone OS 18_7 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
                    "Version/26.0.1 Mobile/15E148 Safari/604.1")  # nielsbasjes/yauaa#1961
# The same published form with the version of the newest iOS 26 release in the rules (26.7.x, Safari 26.7).
IOS26_CURRENT = IOS26_SAFARI.replace("Version/26.0", "Version/26.7")
IOS1862_SAFARI = ("Mozilla/5.0 (iPhone; CPU iPhone OS 18_6_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
                  "Version/18.6 Mobile/15E148 Safari/604.1")  # matomo-org/device-detector#8330
IOS_CHROME = ("Mozilla/5.0 (iPhone; CPU iPhone OS 18_7 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
              "CriOS/140.0.7339.122 Mobile/15E148 Safari/604.1")  # Chrome for iOS form (chromium ios/web UA)
IPADOS_DESKTOP = ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
                  "Version/26.1 Safari/605.1.15")  # iPadOS "Request Desktop Website" default (WebKit)
ANDROID_REDUCED = ("Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) "
                   "Chrome/139.0.0.0 Mobile Safari/537.36")  # Chrome's reduced UA (chromium.org/updates/ua-reduction)
ANDROID_FIREFOX = "Mozilla/5.0 (Android 15; Mobile; rv:143.0) Gecko/143.0 Firefox/143.0"  # Firefox for Android form
WINDOWS_CHROME = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
                  "Chrome/139.0.0.0 Safari/537.36")


def test_ios26_safari_is_read_from_its_version_token_not_the_frozen_os_token():
    d = device_from(IOS26_SAFARI)
    assert (d.os, d.version, d.precision, d.source, d.browser) == ("ios", "26.0", "minor", "safari-version", "Safari")
    assert device_from(IOS26_SAFARI_187).version == "26.0.1"
    assert device_from(IOS26_SAFARI_187).precision == "patch"


def test_ios18_safari_keeps_its_real_os_token():
    d = device_from(IOS1862_SAFARI)
    assert (d.os, d.version, d.precision) == ("ios", "18.6.2", "patch")


def test_other_ios_browsers_with_a_frozen_token_are_unknown_not_guessed():
    d = device_from(IOS_CHROME)
    assert (d.os, d.version, d.browser) == ("ios", None, "Google Chrome")


def test_an_ipad_presenting_a_mac_user_agent_is_told_by_its_touch_screen():
    assert device_from(IPADOS_DESKTOP, touch_points=5).os == "ipados"
    assert device_from(IPADOS_DESKTOP, touch_points=5).version == "26.1"
    assert device_from(IPADOS_DESKTOP, touch_points=0).os == "macos"


def test_android_reduced_user_agent_needs_client_hints():
    assert device_from(ANDROID_REDUCED).version is None
    d = device_from(ANDROID_REDUCED, {"platform": "Android", "platform_version": "15.0.0", "model": "Pixel 8"})
    assert (d.os, d.version, d.source, d.model) == ("android", "15.0.0", "client-hints", "Pixel 8")
    assert device_from(ANDROID_FIREFOX).version == "15"


def test_a_pc_is_a_pc():
    assert not device_from(WINDOWS_CHROME).phone
    assert device_from(WINDOWS_CHROME, {"platform": "Windows", "platform_version": "19.0.0"}).version is None


def _at(day) -> datetime:
    return datetime(day.year, day.month, day.day, 12, tzinfo=timezone.utc)


def _days(rules):
    return [rules.as_of + timedelta(days=n) for n in range(0, 366)]


def test_phone_os_support_on_every_date_of_a_year(rules):
    for day in _days(rules):
        now = _at(day)
        ios26 = judge("os.supported", {"os": "ios", "version": "26.6.1"}, rules, now, "ios", "browser").status
        ios17 = judge("os.supported", {"os": "ios", "version": "17.7.2"}, rules, now, "ios", "browser").status
        ios16 = judge("os.supported", {"os": "ios", "version": "16.7.10"}, rules, now, "ios", "browser").status
        a13 = judge("os.supported", {"os": "android", "version": "13"}, rules, now, "android", "browser").status
        a15 = judge("os.supported", {"os": "android", "version": "15.0.0"}, rules, now, "android", "browser").status
        a99 = judge("os.supported", {"os": "android", "version": "99"}, rules, now, "android", "browser").status
        fresh = "pass" if day <= rules.as_of + timedelta(days=rules.stale_after_days) else "unknown"
        assert (ios26, ios17, ios16, a13, a15, a99) == (fresh, "fail", "fail", "fail", fresh, "unknown"), day


def test_ios_patches_measured_or_declared_on_every_date_of_a_year(rules):
    newest = max(v for v, _ in rules.mobile.ios_releases if v.major == 26)
    stale_from = rules.as_of + timedelta(days=rules.stale_after_days)
    for day in _days(rules):
        now = _at(day)

        def status(version, precision, declared, now=now):
            ev = {"os": "ios", "version": version, "precision": precision, "declared": {"os_updated": declared}}
            return judge("os.patched", ev, rules, now, "ios", "browser").status

        # The newest release the rules know: a pass only while the rules are fresh, else the answer decides.
        assert status(str(newest), "patch", None) == ("pass" if day <= stale_from else "unknown"), day
        assert status(str(newest), "patch", "yes") in ("pass", "declared")
        # Known only to major.minor (Safari's Version/26.7): never a pass, whatever the date.
        minor = f"{newest.major}.{newest.minor}"
        assert status(minor, "minor", "yes") == "declared"
        assert status(minor, "minor", None) == "unknown"
        # Far behind (26.2 while 26.7.1 is out for more than the grace period): fail, even when declared current.
        assert status("26.2", "minor", "yes") == "fail"
        assert status(minor, "minor", "no") == "fail"


def test_android_patch_date_is_declared_and_judged_by_its_age(rules):
    now = datetime(2026, 12, 6, 12, tzinfo=timezone.utc)

    def status(month):
        ev = {"os": "android", "version": "15", "declared": {"patch_month": month}}
        return judge("os.patched", ev, rules, now, "android", "browser").status
    assert status("2026-11") == "declared"
    assert status("2026-01") == "fail"
    assert status(None) == "unknown"
    assert status("2027-05") == "unknown"  # a date in the future is not an answer


def _form(**extra):
    form = {"seeker_no": "01234-00000021", "lang": "ja", "measured": "1", "touch": "5", "cam": "ok", "mic": "ok",
            "mic_level": "40", "rtt_ms": "25", "down_kbps": "20000", "zoom_reach": "ok", "zoomapp_reach": "ok",
            "os_updated": "yes", "av": "yes", "p2p": "no", "wifi": "home", "zoom_installed": "yes",
            "zoom_updated": "yes", "android_patch": "2026-11"}
    form.update(extra)
    return form


@pytest.fixture(scope="module")
def key():
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    return Ed25519PrivateKey.generate()


NOW = datetime(2026, 12, 6, 9, 0, tzinfo=timezone.utc)
ANDROID_CH = {"ch_platform": "Android", "ch_platform_version": "15.0.0", "ch_model": "Pixel 8"}


def test_an_affirmed_phone_report_passes_with_declared_items_marked_and_signed(rules, key):
    for ua, extra in ((IOS26_CURRENT, {}), (ANDROID_REDUCED, ANDROID_CH)):
        doc = build(parse_form(_form(**extra)), ua, rules, key, NOW)
        validate_report(doc)
        verify_report(doc)
        assert doc["assurance"] == "browser" and doc["verdict"] == "pass", doc["checks"]
        by = {c["id"]: c for c in doc["checks"]}
        for cid in ("p2p.absent", "zoom.installed", "zoom.updated", "network.wifi"):
            assert by[cid]["status"] == "declared" and by[cid]["declared"] is True
        assert by["device.camera"]["status"] == "pass" and by["device.camera"]["declared"] is False
        assert "user_agent" not in by["os.supported"]["evidence"]  # the office did not ask for it
        claimed = {c["id"]: c["status"] for c in doc["checks"]}
        assert rejudge(doc, rules, assurance="browser") == (doc["verdict"], claimed)


def test_an_old_ios_point_release_fails_even_when_declared_current(rules, key):
    doc = build(parse_form(_form()), IOS26_SAFARI_187, rules, key, NOW)  # 26.0.1 while 26.6.1 is out
    assert {c["id"]: c["code"] for c in doc["checks"]}["os.patched"] == "behind" and doc["verdict"] == "fail"


def test_a_browser_report_uploaded_as_a_desktop_report_does_not_pass(rules, key):
    doc = build(parse_form(_form()), IOS26_CURRENT, rules, key, NOW)
    assert rejudge(doc, rules)[0] != "pass"


def test_denials_fail_and_missing_answers_are_unknown(rules, key):
    doc = build(parse_form(_form(wifi="free", p2p="yes")), IOS26_CURRENT, rules, key, NOW)
    by = {c["id"]: c["status"] for c in doc["checks"]}
    assert doc["verdict"] == "fail" and by["network.wifi"] == "fail" and by["p2p.absent"] == "fail"
    doc = build(parse_form(_form(zoom_updated="", cam="denied", cam_error="NotAllowedError")), IOS26_CURRENT,
                rules, key, NOW)
    by = {c["id"]: c for c in doc["checks"]}
    assert doc["verdict"] == "incomplete"
    assert by["zoom.updated"]["status"] == "unknown" and by["device.camera"]["status"] == "unknown"
    assert "「設定」→「アプリ」→「Safari」→「カメラ」" in by["device.camera"]["remedy"]["ja"]


def test_without_javascript_nothing_measured_passes(rules, key):
    form = {k: v for k, v in _form().items() if k in ("seeker_no", "os_updated", "av", "p2p", "wifi",
                                                        "zoom_installed", "zoom_updated")}
    doc = build(parse_form(form), IOS26_CURRENT, rules, key, NOW)
    by = {c["id"]: c["status"] for c in doc["checks"]}
    assert doc["verdict"] == "incomplete"
    assert by["device.camera"] == by["device.microphone"] == by["network.reachable"] == "unknown"


def test_a_pc_gets_unknown_where_only_the_desktop_program_can_look(rules, key):
    doc = build(parse_form(_form()), WINDOWS_CHROME, rules, key, NOW)
    by = {c["id"]: c for c in doc["checks"]}
    assert doc["checker"]["platform"] == "windows" and doc["verdict"] == "incomplete"
    assert by["firewall.enabled"]["status"] == "unknown" and "環境チェック" in by["firewall.enabled"]["remedy"]["ja"]


def test_office_settings_change_the_judgement(rules, key):
    strict = replace(rules, mobile=replace(rules.mobile, phone_security="app", store_user_agent=True))
    doc = build(parse_form(_form(av_updated="")), IOS26_CURRENT, strict, key, NOW)
    by = {c["id"]: c for c in doc["checks"]}
    assert by["antivirus.active"]["status"] == "declared" and by["antivirus.updated"]["status"] == "unknown"
    assert by["os.supported"]["evidence"]["user_agent"] == IOS26_CURRENT


@pytest.mark.parametrize("field,value", [
    ("seeker_no", "not a number"), ("cam", "<script>"), ("mic_level", "101"), ("rtt_ms", "-1"),
    ("android_patch", "2026-13"), ("ch_platform_version", "1" * 30), ("wifi", "neighbour"), ("zoom_reach", "maybe"),
    ("cam_error", "Not Allowed!"), ("touch", "9" * 40),
])
def test_every_form_field_is_validated(field, value):
    with pytest.raises(Rejected) as exc:
        parse_form(_form(**{field: value}))
    assert exc.value.status == 400 and field in str(exc.value)


def test_mobile_rules_are_validated(tmp_path):
    shutil.copy(ROOT / "rules" / "mobile.toml", tmp_path / "mobile.toml")
    assert load_mobile(str(tmp_path), CHECK_IDS).phone_security == "builtin"
    text = (tmp_path / "mobile.toml").read_text(encoding="utf-8")
    (tmp_path / "mobile.toml").write_text(text.replace('phone_security = "builtin"', 'phone_security = "maybe"'),
                                          encoding="utf-8")
    with pytest.raises(RuleError, match="phone_security"):
        load_mobile(str(tmp_path), CHECK_IDS)
    assert load_mobile(str(tmp_path / "nowhere"), CHECK_IDS) is None


@pytest.mark.parametrize("accepted", [True, False])
def test_the_office_decides_whether_a_passing_browser_report_makes_a_seeker_eligible(rules, key, tmp_path,
                                                                                        accepted):
    from envcheck.server.browserreport import store
    from envcheck.server.db import Store, make_engine
    from envcheck.server.intake import eligibility
    from envcheck.server.migrate import upgrade

    db = Store(make_engine(f"sqlite:///{tmp_path}/s.sqlite3"))
    upgrade(db.engine)
    office = replace(rules, mobile=replace(rules.mobile, browser_reports_eligible=accepted))
    now = datetime.now(timezone.utc).replace(microsecond=0)
    doc = build(parse_form(_form(android_patch=now.strftime("%Y-%m"), **ANDROID_CH)), ANDROID_REDUCED, office,
                key, now)
    from envcheck.server.browserreport import browser_key_id
    from envcheck.server.enrol import issue

    with db.tx() as s:
        code, _ = issue(s, "01234-00000021", "counter", "admin", "-", now)
    phone = browser_key_id("a" * 43)
    # Without the office's code the report arrives, but a stranger who knows the number cannot use it.
    stranger = build(parse_form(_form(android_patch=now.strftime("%Y-%m"), **ANDROID_CH)), ANDROID_REDUCED,
                     office, key, now)
    unenrolled = store(db, stranger, office, key, now, browser_key_id("b" * 43), None)
    assert unenrolled["verdict"] == "pass" and unenrolled["device_enrolled"] is False
    with db.tx() as s:
        assert (eligibility(s, "01234-00000021", office, now).code) == "not_enrolled"
    receipt = store(db, doc, office, key, now, phone, code)
    assert receipt["verdict"] == "pass" and receipt["device_enrolled"] is True
    with db.tx() as s:
        answer = eligibility(s, "01234-00000021", office, now)
    assert answer.eligible is accepted and answer.report_id == doc["report_id"]
    assert answer.code == ("passed" if accepted else "browser_not_accepted")
    assert ("browser check" in answer.reason)
    from sqlalchemy import select

    from envcheck.server.db import AuditEntry
    with db.tx() as s:
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "browser_check")
                          .order_by(AuditEntry.id.desc())).first()
    assert entry.target == "01234-00000021" and entry.ip == "-" and doc["report_id"] in entry.detail
    db.engine.dispose()


def test_every_decision_the_page_can_reach_has_words_in_both_languages(rules, key):
    import itertools

    strict = replace(rules, mobile=replace(rules.mobile, phone_security="app"))
    uas = [(IOS26_CURRENT, {}), (IOS26_SAFARI_187, {}), (IOS_CHROME, {}), (ANDROID_REDUCED, ANDROID_CH),
           (ANDROID_REDUCED, {}), (ANDROID_FIREFOX, {}), (WINDOWS_CHROME, {}), (IPADOS_DESKTOP, {"touch": "5"})]
    variants = [{}, {"android_patch": "2020-01"}, {"android_patch": "unknown"}, {"down_kbps": "100"},
                {"zoomapp_reach": "fail"}, {"zoom_reach": "fail", "zoomapp_reach": "fail"}, {"mic_level": "0"},
                {"cam": "none", "mic": "error", "mic_error": "NotReadableError"}, {"measured": ""}]
    answers = [dict.fromkeys(("os_updated", "av", "av_updated", "p2p", "zoom_installed", "zoom_updated"), a)
               for a in ("yes", "no", "")] + [{"wifi": w} for w in ("home", "mobile", "free", "")]
    seen = set()
    for (ua, extra), variant, answer, r in itertools.product(uas, variants, answers, (rules, strict)):
        doc = build(parse_form(_form(**{**extra, **variant, **answer})), ua, r, key, NOW)
        for c in doc["checks"]:
            seen.add((c["id"], c["code"]))
            title = r.check(c["id"]).title
            assert c["summary"]["ja"] != f"{title.ja}: {c['code']}", (c["id"], c["code"])
            assert "{" not in c["summary"]["ja"] + c["summary"]["en"], (c["id"], c["code"], c["summary"])
    assert len(seen) >= 40


@pytest.mark.parametrize("version, code", [("10.9.5", "older_than_listed"), ("26.1", "supported_open")])
def test_a_mac_on_the_page_is_judged_by_the_desktop_rules_in_the_page_s_words(rules, key, version, code):
    # The desktop rules' codes reach the page: each has its words in mobile.toml, never the raw code.
    form = _form(touch="0", ch_platform="macOS", ch_platform_version=version)
    doc = build(parse_form(form), IPADOS_DESKTOP, rules, key, NOW)
    c = next(c for c in doc["checks"] if c["id"] == "os.supported")
    assert (doc["checker"]["platform"], c["code"]) == ("darwin", code)
    assert f": {code}" not in c["summary"]["en"] and "macOS" in c["summary"]["en"], c["summary"]
    assert c["summary"]["ja"] != c["summary"]["en"]
