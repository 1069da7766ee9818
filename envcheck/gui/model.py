"""What the window shows, without Tk: texts, rows, details, seeker-number validation, messages.

Everything here is pure and unit-tested (tests/test_gui_model.py); envcheck/gui/app.py only
places these strings and rows on widgets.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass

from envcheck.render import LABELS, MARKS, WORDS

LANGS = ("ja", "en")
STATUS_ORDER = {"fail": 0, "warn": 1, "unknown": 2, "pass": 3, "skipped": 4}
VERDICT_MARKS = {"pass": "✔", "fail": "✖", "incomplete": "?"}

# Tints that carry the status together with the text mark (never colour alone).
COLOURS = {
    "pass": ("#e3f4e8", "#14532d"),
    "warn": ("#fff3d1", "#5c3d00"),
    "fail": ("#fde0df", "#7f1010"),
    "unknown": ("#e9e7f5", "#332a66"),
    "skipped": ("#f0f0f0", "#3a3a3a"),
    "incomplete": ("#e9e7f5", "#332a66"),
}

TEXTS = {
    "ja": {
        "title": "オンライン相談 利用環境チェック",
        "intro": "このパソコンがオンライン相談（Zoom）の利用規約を満たしているかを調べます。",
        "seeker_label": "求職番号（任意）",
        "seeker_hint": "例: 01234-12345678　入力しなくてもチェックできます。",
        "seeker_ok": "✔ {value} として送ります。",
        "seeker_bad": "✖ {reason}",
        "lang_button": "English",
        "recheck": "もう一度チェック(R)",
        "save": "結果を保存(S)",
        "send": "送信(U)",
        "col_result": "結果",
        "col_item": "項目",
        "col_summary": "内容",
        "running": "チェックしています… ({done}/{total})",
        "starting": "チェックを始めています…",
        "done": "チェックが終わりました。項目を選ぶと、理由と直し方が下に出ます。",
        "check_error": "チェックできませんでした: {reason}",
        "why": "なぜ必要か",
        "fix": "直し方",
        "no_fix": "直す必要はありません。",
        "open": "設定を開く(O)",
        "open_page": "ページを開く(O)",
        "no_link": "",
        "select_hint": "上の一覧から項目を選んでください（↑↓キーでも選べます）。",
        "verdict": "結果: {mark} {word}",
        "saved": "保存しました: {path}",
        "save_error": "保存できませんでした: {reason}",
        "save_title": "結果を保存",
        "consent_title": "送信の確認",
        "consent_head": "次の内容をハローワークの受付サービスに送ります。よろしければ「同意して送信」を押してください。",
        "consent_summary": "この報告書の中身:",
        "consent_seeker": "求職番号: {value}",
        "consent_no_seeker": "求職番号: （入力なし）",
        "consent_verdict": "結果: {mark} {word}",
        "consent_yes": "同意して送信(A)",
        "consent_no": "送信しない(C)",
        "sending": "送信しています…",
        "sent": "送信しました。受付番号: {receipt}",
        "sent_help": "この受付番号を控えておくと、相談のときに確認できます。",
        "kept": "今は送信できませんでした（{reason}）。",
        "kept_help": "報告書はこのパソコンに保管しました。インターネットにつながったら、もう一度「送信」を"
                     "押してください。次にこのアプリを開いたときにも自動で送ります。",
        "refused": "報告書は受け付けられませんでした（{reason}）。",
        "refused_help": "もう一度チェックしてから送信するか、ハローワークの窓口にご相談ください。",
        "not_sent": "送信しませんでした。",
        "no_server": "送信先が設定されていません。「結果を保存」でファイルに保存し、窓口の案内に従ってください。",
        "seeker_fix_first": "求職番号を直してから送信してください: {reason}",
        "outbox_sent": "前回送れなかった報告書を送信しました。受付番号: {receipts}",
        "stale": LABELS["ja"]["stale"],
    },
    "en": {
        "title": "Online counselling device check",
        "intro": "Checks whether this computer meets the terms of use of online counselling (Zoom).",
        "seeker_label": "Job-seeker number (optional)",
        "seeker_hint": "e.g. 01234-12345678. You can check without it.",
        "seeker_ok": "✔ Will be sent as {value}.",
        "seeker_bad": "✖ {reason}",
        "lang_button": "日本語",
        "recheck": "Check again (R)",
        "save": "Save result (S)",
        "send": "Send (U)",
        "col_result": "Result",
        "col_item": "Item",
        "col_summary": "Details",
        "running": "Checking… ({done}/{total})",
        "starting": "Starting the check…",
        "done": "The check is finished. Select an item to see why it matters and how to fix it.",
        "check_error": "The check could not run: {reason}",
        "why": "Why it matters",
        "fix": "How to fix it",
        "no_fix": "Nothing to fix.",
        "open": "Open settings (O)",
        "open_page": "Open page (O)",
        "no_link": "",
        "select_hint": "Select an item in the list above (the arrow keys work too).",
        "verdict": "Result: {mark} {word}",
        "saved": "Saved: {path}",
        "save_error": "Could not save: {reason}",
        "save_title": "Save result",
        "consent_title": "Confirm sending",
        "consent_head": "The following will be sent to the employment office's intake service. "
                        "Press \"Agree and send\" if you agree.",
        "consent_summary": "What this report says:",
        "consent_seeker": "Job-seeker number: {value}",
        "consent_no_seeker": "Job-seeker number: (not entered)",
        "consent_verdict": "Result: {mark} {word}",
        "consent_yes": "Agree and send (A)",
        "consent_no": "Do not send (C)",
        "sending": "Sending…",
        "sent": "Sent. Receipt number: {receipt}",
        "sent_help": "Keep this receipt number: the counselor can look the report up with it.",
        "kept": "Could not send now ({reason}).",
        "kept_help": "The report is kept on this computer. Press \"Send\" again when you are online; "
                     "it is also sent automatically the next time you open this app.",
        "refused": "The report was refused ({reason}).",
        "refused_help": "Check again and send, or ask the employment office.",
        "not_sent": "Not sent.",
        "no_server": "No intake service is configured. Save the result to a file and follow the office's instructions.",
        "seeker_fix_first": "Correct the job-seeker number before sending: {reason}",
        "outbox_sent": "Sent a report that was waiting from last time. Receipt number: {receipts}",
        "stale": LABELS["en"]["stale"],
    },
}


def text(lang: str, key: str, **values) -> str:
    return TEXTS[lang if lang in TEXTS else "en"][key].format(**values)


def status_label(status: str, lang: str) -> str:
    """The mark and the word: '✖ 不合格'. Colour is added by the window, never instead of this."""
    return f"{MARKS.get(status, VERDICT_MARKS.get(status, '?'))} {WORDS[lang][status]}"


# --- job-seeker number ------------------------------------------------------------------------

_REASONS_JA = [
    (r"job-seeker number is empty", "求職番号が空です。"),
    (r"may contain only digits and one hyphen, not '(.*)'", "数字とハイフン（-）だけで入力してください（使えない文字: {0}）。"),
    (r"without a hyphen must have 13 digits \(5 \+ 8\), got (\d+)",
     "ハイフンなしの場合は13けた（5けた＋8けた）です。今は{0}けたです。"),
    (r"more than one hyphen", "ハイフン（-）は1つだけにしてください。"),
    (r"office code must have 5 digits, got (\d+)", "ハイフンの前（安定所番号）は5けたです。今は{0}けたです。"),
    (r"serial must have 1 to 8 digits, got (\d+)", "ハイフンの後ろは1〜8けたです。今は{0}けたです。"),
]


@dataclass(frozen=True)
class SeekerState:
    ok: bool
    value: str | None
    """The normalised number (NNNNN-NNNNNNNN), or None when empty or wrong."""
    message: str
    """What to show under the field."""


def seeker_reason(reason: str, lang: str) -> str:
    if lang == "ja":
        for pattern, template in _REASONS_JA:
            m = re.search(pattern, reason)
            if m:
                return template.format(*m.groups())
    return reason[:1].upper() + reason[1:] + ("" if reason.endswith(".") else ".")


def validate_seeker(raw: str, lang: str) -> SeekerState:
    """Empty is fine (the number is optional); otherwise the normalised number or the reason."""
    from envcheck.errors import InvalidSeekerNumber
    from envcheck.seeker import normalize_seeker_no

    if not (raw or "").strip():
        return SeekerState(True, None, text(lang, "seeker_hint"))
    try:
        value = normalize_seeker_no(raw)
    except InvalidSeekerNumber as exc:
        return SeekerState(False, None, text(lang, "seeker_bad", reason=seeker_reason(str(exc), lang)))
    return SeekerState(True, value, text(lang, "seeker_ok", value=value))


# --- rows and details -------------------------------------------------------------------------

@dataclass(frozen=True)
class Row:
    id: str
    status: str
    result: str
    """'✖ 不合格': mark and word."""
    title: str
    summary: str


@dataclass(frozen=True)
class Detail:
    id: str
    heading: str
    status: str
    summary: str
    why: str
    fix: str
    link: str | None
    link_label: str


def rows(report: dict, rules, lang: str) -> list[Row]:
    """One row per requirement, problems first (fail, warn, unknown), then passes and skipped."""
    checks = sorted(enumerate(report["checks"]), key=lambda ic: (STATUS_ORDER.get(ic[1]["status"], 9), ic[0]))
    return [Row(c["id"], c["status"], status_label(c["status"], lang), rules.check(c["id"]).title.get(lang),
                c["summary"][lang]) for _, c in checks]


def detail(report: dict, rules, check_id: str, lang: str) -> Detail:
    c = next(c for c in report["checks"] if c["id"] == check_id)
    rule = rules.check(check_id)
    remedy = c.get("remedy") if c["status"] in ("fail", "warn", "unknown") else None
    link = (remedy or {}).get("link") or None
    label = text(lang, "open_page" if link and link.startswith(("http://", "https://")) else "open")
    return Detail(check_id, f"{status_label(c['status'], lang)}　{rule.title.get(lang)}", c["status"],
                  c["summary"][lang], rule.why.get(lang), remedy[lang] if remedy else text(lang, "no_fix"),
                  link, label)


def verdict_line(report: dict, lang: str) -> tuple[str, str]:
    """('結果: ✖ 不合格', the one-sentence help)."""
    v = report["verdict"]
    return (text(lang, "verdict", mark=VERDICT_MARKS[v], word=WORDS[lang][v]), LABELS[lang]["verdict_help"][v])


def consent_text(report: dict, rules, lang: str) -> str:
    """What the consent dialog shows: the exact explain(lang) text, then this report's summary."""
    from envcheck.explain import explain

    head, _ = verdict_line(report, lang)
    lines = [text(lang, "consent_head"), "", explain(lang).rstrip("\n"), "", text(lang, "consent_summary")]
    seeker = report.get("seeker_no")
    lines.append(text(lang, "consent_seeker", value=seeker) if seeker else text(lang, "consent_no_seeker"))
    lines.append(text(lang, "consent_verdict", mark=VERDICT_MARKS[report["verdict"]],
                      word=WORDS[lang][report["verdict"]]))
    for r in rows(report, rules, lang):
        lines.append(f"  {r.result}  {r.title}: {r.summary}")
    return "\n".join(lines) + "\n"


def with_seeker(report: dict, seeker: str | None) -> dict:
    """The report as it will be signed: the number in the field when saving or sending wins."""
    return report if report.get("seeker_no") == seeker else {**report, "seeker_no": seeker}


# --- sending ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class SendOutcome:
    kind: str
    """"sent", "kept" (will be sent later) or "refused"."""
    message: str
    help: str
    receipt: str | None = None


def send_outcome(lang: str, receipt: dict | None = None, error=None) -> SendOutcome:
    if error is None:
        from envcheck.upload import receipt_number

        number = receipt_number(receipt or {})
        return SendOutcome("sent", text(lang, "sent", receipt=number), text(lang, "sent_help"), number)
    reason = error.diagnostics() if hasattr(error, "diagnostics") else str(error)
    if getattr(error, "permanent", False):
        return SendOutcome("refused", text(lang, "refused", reason=reason), text(lang, "refused_help"))
    return SendOutcome("kept", text(lang, "kept", reason=reason), text(lang, "kept_help"))


# --- opening a settings page ------------------------------------------------------------------

def opener(link: str, platform: str | None = None) -> tuple[str, list[str] | str]:
    """How to open a link: ("startfile", link) on Windows, ("run", ["open", link]) on macOS,
    ("browser", link) for web pages elsewhere, ("run", ["xdg-open", link]) for other schemes."""
    platform = platform or sys.platform
    if platform.startswith("win"):
        return ("startfile", link)
    if platform == "darwin":
        return ("run", ["open", link])
    if link.startswith(("http://", "https://")):
        return ("browser", link)
    return ("run", ["xdg-open", link])


def default_filename(report: dict) -> str:
    stamp = report["created_at"][:10]
    return f"envcheck-report-{stamp}.json"
