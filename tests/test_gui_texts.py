"""What people read, without a window: 禁則 line breaking, the office's identity from the config file,
the shared glossary (window, CLI), the printable summary, and the DPI declaration of the build."""

from __future__ import annotations

import json
import re
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from snapshots import FIXTURES, snapshot_from_folder

from envcheck import glossary
from envcheck.gui import model
from envcheck.gui.wrap import NO_END, NO_START, units, wrap
from envcheck.office import Office, load_office, office_from
from envcheck.pipeline import run_check
from envcheck.probes import ReplayHost

ROOT = Path(__file__).resolve().parent.parent


def width_of(s: str) -> int:  # a monospace stand-in for font.measure: CJK 2, Latin 1
    return sum(1 if ord(c) < 0x2E80 else 2 for c in s)


def test_no_line_starts_with_closing_punctuation_or_ends_with_an_opening_bracket():
    text = ("「スタート」→「設定」→「プライバシーとセキュリティ」→「Windows セキュリティ」→"
            "「ファイアウォールとネットワーク保護」"
            "を開き、「オフ」と表示されているネットワークを1つずつ選び、スイッチを「オン」にしてください。")
    for width in range(12, 60):
        lines = wrap(text, width, width_of)
        assert "".join(lines).replace(" ", "") == text.replace(" ", "")
        for line in lines:
            assert line and line[0] not in NO_START, (width, line)
            assert line[-1] not in NO_END, (width, line)


def test_latin_words_are_never_broken():
    text = "ファイアウォール（Microsoft Defender ファイアウォール）と Windows Update を確認します。"
    for width in range(12, 40):
        joined = " ".join(wrap(text, width, width_of))
        for word in ("Microsoft", "Defender", "Windows", "Update"):
            assert word in joined, (width, joined)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="あいう、。「」（）ゃっーABC xyz.-1", max_size=80), st.integers(min_value=6, max_value=40))
def test_wrap_keeps_every_character_and_the_width(text, width):
    lines = wrap(text, width, width_of)
    assert re.sub(r"\s", "", "".join(lines)) == re.sub(r"\s", "", text)
    for line in lines:  # only a single unbreakable unit may be wider than the line
        assert width_of(line) <= width or len(units(line)) == 1 or len(line) == 1


def test_office_from_the_config_file_beside_the_program(tmp_path, monkeypatch):
    conf = {"server": "https://intake.example.jp",
            "office": {"name": "マザーズコーナー", "phone": "0144-00-0000", "hours": "平日 9:00〜17:00",
                       "booking_url": "https://booking.example.jp/", "retention_days": 90}}
    (tmp_path / "envcheck-config.json").write_text(json.dumps(conf, ensure_ascii=False), encoding="utf-8")
    monkeypatch.setattr(sys, "argv", [str(tmp_path / "envcheck")])
    office = load_office()
    assert office == Office("マザーズコーナー", "0144-00-0000", "平日 9:00〜17:00", "https://booking.example.jp/",
                            "https://intake.example.jp", 90)
    assert office.contact("ja") == "マザーズコーナー（電話 0144-00-0000、平日 9:00〜17:00）"
    from envcheck.delivery.texts import text

    assert "0144-00-0000" in text("ja", "queued_offline", office)
    assert "0144-00-0000" in model.text("ja", "contact_line", office)


def test_a_broken_or_hostile_office_entry_falls_back_to_the_generic_desk():
    assert office_from({}).contact("ja") == "ご利用のハローワークの窓口"
    bad = office_from({"office": {"name": 5, "phone": "x" * 500, "booking_url": "javascript:alert(1)",
                                  "retention_days": -3}})
    assert bad.name == "" and len(bad.phone) == 200 and bad.booking_url == "" and bad.retention_days == 180


def test_verdict_words_are_not_an_exams_and_dates_are_japanese():
    words = set(glossary.STATUS["ja"].values()) | set(glossary.VERDICT["ja"].values())
    assert not any("合格" in w for w in words)
    assert glossary.ja_date("2026-08-11") == "2026年8月11日"
    assert glossary.ja_date("公開 2026-08-11T00:00:00Z") == "公開 2026年8月11日"
    assert glossary.localise_ja("Windows Defender Firewall") == "Microsoft Defender ファイアウォール"
    assert glossary.readable("pairport_security_mode_wpa3_transition", "ja") == "WPA2/WPA3 パーソナル"
    assert glossary.readable("spairport_security_mode_wpa3_personal", "en") == "WPA3 Personal"


@pytest.fixture(scope="module")
def mac_report(rules):
    snap = snapshot_from_folder(FIXTURES / "macos15_7_4_sequoia", "darwin")
    return run_check(ReplayHost(snap), rules, now=datetime(2026, 2, 20, tzinfo=timezone.utc)).report


def test_the_cli_speaks_the_glossarys_words(cli, tmp_path):
    snap = tmp_path / "win.json"
    snap.write_text(json.dumps(snapshot_from_folder(FIXTURES / "windows_11_23h2_firewall_all_profiles_off",
                                                    "windows")), encoding="utf-8")
    r = cli("check", "--replay", str(snap), "--lang", "ja")
    assert r.returncode == 1, r.stderr
    assert "不合格" not in r.stdout and "判定表" not in r.stdout and "対応が必要" in r.stdout
    assert "Windows Defender Firewall" not in r.stdout and "Microsoft Defender ファイアウォール" in r.stdout


def test_printable_summary_has_the_receipt_the_fixes_and_whom_to_call(mac_report, rules):
    from envcheck.gui.summary import summary_html

    report = {**mac_report, "seeker_no": "12345-00000678"}
    report["checks"] = [dict(c) for c in report["checks"]]
    report["checks"][0]["summary"] = {**report["checks"][0]["summary"], "ja": "<script>alert(1)</script>"}
    page = summary_html(report, rules, "ja", Office(name="マザーズコーナー", phone="0144-00-0000"), "AB12-CD34")
    assert "AB12-CD34" in page and "12345-00000678" in page and "0144-00-0000" in page
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "直し方" in page and "対応が必要です" in page


def test_build_declares_per_monitor_dpi_awareness_in_a_manifest_pyinstaller_accepts():
    spec = (ROOT / "build.spec").read_text(encoding="utf-8")
    manifest = re.search(r'MANIFEST = """(.*?)"""', spec, re.S).group(1)
    assert "PerMonitorV2" in manifest and "true/pm" in manifest and "manifest=MANIFEST if WINDOWS" in spec
    winmanifest = pytest.importorskip("PyInstaller.utils.win32.winmanifest")
    out = winmanifest.create_application_manifest(manifest.encode("utf-8")).decode("utf-8")
    assert "PerMonitorV2" in out and "longPathAware" in out and "asInvoker" in out


def test_dpi_awareness_call_is_windows_only():
    from envcheck.gui import dpi_aware

    assert dpi_aware("linux") == "" and dpi_aware("darwin") == ""


def test_english_probe_reasons_stay_out_of_japanese_sentences(rules):
    from envcheck.report.build import message_for

    m = message_for(rules, "network.wifi", "unknown",
                    {"reason": "win.wlan: netsh wlan show interfaces timed out after 10 s"}, "windows")
    assert "netsh" not in m["summary"]["ja"] and "詳しい原因は報告書に記録しました" in m["summary"]["ja"]
    assert "netsh" in m["summary"]["en"]
    b = message_for(rules, "network.reachable", "blocked", {"detail": "zoom.us:443 (name not resolved)"}, "windows")
    assert "zoom.us:443" in b["summary"]["ja"] and "resolved" not in b["summary"]["ja"]
