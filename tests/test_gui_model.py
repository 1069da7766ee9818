"""The window's presenter (envcheck/gui/model.py): texts, rows, details, validation, outcomes. No Tk."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from snapshots import FIXTURES, snapshot_from_folder

from envcheck.report.explain import explain
from envcheck.gui import fonts, model
from envcheck.pipeline import run_check
from envcheck.probes import ReplayHost
from envcheck.errors import UploadError

MARK_WORDS = {"✔ 問題なし", "✖ 対応が必要", "! 注意", "? 確認できず", "- 対象外"}


@pytest.fixture(scope="module")
def mac_report(rules):
    snap = snapshot_from_folder(FIXTURES / "macos15_7_4_sequoia", "darwin")
    return run_check(ReplayHost(snap), rules, now=datetime(2026, 2, 20, tzinfo=timezone.utc)).report


@pytest.mark.parametrize("raw, value", [
    ("12345-678", "12345-00000678"),
    ("１２３４５－１２３４５６７８", "12345-12345678"),
    (" 12345 ー 1 ", "12345-00000001"),
    ("1234512345678", "12345-12345678"),
])
def test_good_seeker_numbers_are_shown_normalised(raw, value):
    for lang in ("ja", "en"):
        state = model.validate_seeker(raw, lang)
        assert state.ok and state.value == value
        assert value in state.message and state.message.startswith("✔")


@pytest.mark.parametrize("raw, ja, en", [
    ("123-45", "5けた", "Office code must have 5 digits, got 3"),
    ("12345-123456789", "1〜8けた", "Serial must have 1 to 8 digits, got 9"),
    ("12345-12-3", "ハイフン（-）は1つだけ", "more than one hyphen"),
    ("12345a", "使えない文字: a", "not 'a'"),
    ("123456", "13けた", "must have 13 digits"),
])
def test_bad_seeker_numbers_give_the_reason_in_each_language(raw, ja, en):
    s_ja, s_en = model.validate_seeker(raw, "ja"), model.validate_seeker(raw, "en")
    assert not s_ja.ok and s_ja.value is None and ja in s_ja.message and s_ja.message.startswith("✖")
    assert not s_en.ok and en in s_en.message
    # The Japanese reason is Japanese: no English sentence leaks through.
    assert "digits" not in s_ja.message and "hyphen" not in s_ja.message


def test_empty_seeker_number_is_allowed():
    state = model.validate_seeker("  ", "ja")
    assert state.ok and state.value is None and "任意" not in state.message and "例" in state.message


def test_every_reason_of_normalize_seeker_no_has_a_japanese_text():
    from envcheck.errors import InvalidSeekerNumber
    from envcheck.report.seeker import normalize_seeker_no

    for raw in ("", "x", "123456", "1-2-3", "1234-1", "12345-", "12345-123456789"):
        try:
            normalize_seeker_no(raw)
        except InvalidSeekerNumber as exc:
            ja = model.seeker_reason(str(exc), "ja")
            assert not any(c.isascii() and c.isalpha() for c in ja.replace("x", "")), (raw, ja)


def test_rows_put_problems_first_with_text_marks(mac_report, rules):
    rows = model.rows(mac_report, rules, "ja")
    assert len(rows) == len(mac_report["checks"]) == 14
    order = [model.STATUS_ORDER[r.status] for r in rows]
    assert order == sorted(order)
    assert {r.result for r in rows} <= MARK_WORDS
    fw = next(r for r in rows if r.id == "firewall.enabled")
    assert fw.result == "✖ 対応が必要" and fw.title == rules.check("firewall.enabled").title.ja
    assert fw.summary.startswith("ファイアウォールが「オフ」")
    en = {r.id: r for r in model.rows(mac_report, rules, "en")}
    assert en["firewall.enabled"].result == "✖ Action needed" and en["os.supported"].result == "✔ OK"


def test_detail_of_a_failing_row_has_why_fix_and_the_settings_link(mac_report, rules):
    d = model.detail(mac_report, rules, "firewall.enabled", "ja")
    assert d.why == rules.check("firewall.enabled").why.ja
    check = next(c for c in mac_report["checks"] if c["id"] == "firewall.enabled")
    assert d.fix.startswith(check["remedy"]["ja"]) and "お問い合わせ" in d.fix  # whom to call, always
    assert d.link == "x-apple.systempreferences:com.apple.Network-Settings.extension"
    assert d.link_label == "設定を開く(O)"
    zoom = model.detail(mac_report, rules, "zoom.updated", "en")
    assert zoom.link == "https://zoom.us/download" and zoom.link_label == "Open page (O)"
    ok = model.detail(mac_report, rules, "os.supported", "ja")
    assert ok.fix == "直す必要はありません。" and ok.link is None


def test_consent_says_what_why_how_long_who_and_the_law_with_field_names_behind_details(mac_report, rules):
    from envcheck.report.explain import plain
    from envcheck.office import Office

    report = model.with_seeker(mac_report, "12345-00000678")
    for lang in ("ja", "en"):
        body, details = model.consent_text(report, rules, lang, Office(retention_days=90))
        assert plain(lang, 90).rstrip("\n") in body and details == explain(lang)
        assert "12345-00000678" in body
        assert "report_id" not in body and "report_id" in details  # field names only behind 「詳しく」
    body, _ = model.consent_text(report, rules, "ja")
    for words in ("送る内容", "送らない内容", "第7条", "180日", "すべて記録", "職業安定法第5条の4", "第8条"):
        assert words in body


def test_with_seeker_does_not_touch_the_original(mac_report):
    changed = model.with_seeker(mac_report, "12345-00000001")
    assert changed["seeker_no"] == "12345-00000001" and mac_report["seeker_no"] is None
    assert model.with_seeker(mac_report, None) is mac_report


def test_send_outcomes_say_what_happens_next_in_japanese_without_english():
    from envcheck.delivery.service import Delivery, not_sent, sent_key
    from envcheck.office import Office

    def sent(receipt: dict, verdict: str) -> Delivery:
        return Delivery("r", "sent", sent_key(receipt, verdict), receipt=receipt)

    office = Office(name="マザーズコーナー", phone="0144-00-0000", hours="平日 9:00〜17:00")
    ok = model.send_outcome("ja", sent({"receipt_no": "R-42"}, "pass"), office=office)
    assert ok.kind == "sent" and ok.receipt == "R-42" and "受付番号: R-42" in ok.message
    assert "予約できます" in ok.help
    # the service says this PC is not the enrolled one: a pass is not yet a booking, and the way on is said
    unenrolled = model.send_outcome("ja", sent({"receipt_no": "R-44", "device_enrolled": False}, "pass"),
                                    office=office)
    assert "まだ予約できません" in unenrolled.help and "登録コード" in unenrolled.help
    assert "0144-00-0000" in unenrolled.help
    assert "予約できます" in model.send_outcome("ja", sent({"receipt_no": "R-45", "device_enrolled": True}, "pass"),
                                             office=office).help
    # the service's own verdict wins: a replayed pass is incomplete for it
    assert "担当者が内容を確認" in model.send_outcome("ja", sent({"receipt_no": "R-46", "verdict": "incomplete"},
                                                               "pass"), office=office).help
    sent_fail = model.send_outcome("ja", sent({"receipt_no": "R-43"}, "fail"), office=office)
    assert "まだ予約できません" in sent_fail.help and "「直し方」" in sent_fail.help
    down = UploadError("cannot reach http://x (connection refused)", kind="network")
    kept = model.send_outcome("ja", not_sent("r", down), office=office)
    assert kept.kind == "kept" and "受付サービス" in kept.message and "自動で送信" in kept.help
    assert "インターネットではなく" in kept.help and "0144-00-0000" in kept.help
    assert "connection" not in kept.message + kept.help
    stale = UploadError("the server refused the report (HTTP 422: stale report)", permanent=True, kind="refused",
                        status=422, code="stale")
    refused = model.send_outcome("ja", not_sent("r", stale), office=office)
    assert refused.kind == "refused" and "時間がたちすぎた" in refused.help and "HTTP 422" in refused.help
    assert "stale" not in refused.message + refused.help
    other = model.send_outcome("ja", not_sent("r", UploadError("x", permanent=True, kind="refused", status=413)),
                               office=office)
    assert "大きすぎる" in other.help and "0144-00-0000" in other.help


@pytest.mark.parametrize("link, platform, expected", [
    ("ms-settings:windowsupdate", "win32", ("startfile", "ms-settings:windowsupdate")),
    ("windowsdefender:", "win32", ("startfile", "windowsdefender:")),
    ("x-apple.systempreferences:com.apple.Network-Settings.extension", "darwin",
     ("run", ["open", "x-apple.systempreferences:com.apple.Network-Settings.extension"])),
    ("https://zoom.us/download", "linux", ("browser", "https://zoom.us/download")),
    ("settings://x", "linux", ("run", ["xdg-open", "settings://x"])),
])
def test_opener(link, platform, expected):
    assert model.opener(link, platform) == expected


def test_every_text_exists_in_both_languages():
    assert set(model.TEXTS["ja"]) == set(model.TEXTS["en"])


@pytest.mark.parametrize("available, platform, expected", [
    (["DejaVu Sans", "Noto Sans CJK JP", "Droid Sans Fallback"], "linux", "Noto Sans CJK JP"),
    (["Arial", "Meiryo", "Yu Gothic UI"], "win32", "Yu Gothic UI"),
    (["Helvetica", "Hiragino Sans"], "darwin", "Hiragino Sans"),
    (["noto sans jp"], "linux", "noto sans jp"),
    (["DejaVu Sans"], "linux", None),
])
def test_font_family_prefers_a_japanese_face(available, platform, expected):
    assert fonts.pick_family(available, platform) == expected


def test_launcher_opens_the_window_without_arguments_and_is_the_cli_with_them(monkeypatch, capsys):
    from envcheck import launcher

    calls = []
    monkeypatch.setattr("envcheck.gui.run", lambda: calls.append("window") or 0)
    assert launcher.main([]) == 0 and calls == ["window"]
    assert launcher.main(["-psn_0_12345"]) == 0 and calls == ["window", "window"]  # macOS Finder's argument
    assert launcher.main(["verify", "/nonexistent/report.json"]) == 2
    assert "cannot read /nonexistent/report.json" in capsys.readouterr().err and calls == ["window", "window"]


def test_launcher_without_a_display_says_why(monkeypatch, capsys):
    from envcheck import launcher
    from envcheck.gui import WindowUnavailable

    def no_window():
        raise WindowUnavailable("cannot open a window (no display); use `envcheck check`")

    monkeypatch.setattr("envcheck.gui.run", no_window)
    assert launcher.main([]) == 2
    assert "cannot open a window" in capsys.readouterr().err
