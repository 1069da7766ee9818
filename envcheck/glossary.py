"""One glossary for what people read: the window, the CLI and the service pages use these words.

Verdict words are not an exam's (no 合格/不合格: the reader is a job-seeker, not a candidate), the
same state has the same name everywhere (報告書, not レポート; 確認用データ, not 判定表), dates are
written the Japanese way, and product names are the ones Japanese Windows shows.
"""

from __future__ import annotations

import re

MARKS = {"pass": "✔", "warn": "!", "fail": "✖", "unknown": "?", "skipped": "-",
         "incomplete": "?"}

# One requirement's state (a row), short enough for a list column.
STATUS = {
    "ja": {"pass": "問題なし", "warn": "注意", "fail": "対応が必要", "unknown": "確認できず", "skipped": "対象外"},
    "en": {"pass": "OK", "warn": "Note", "fail": "Action needed", "unknown": "Not confirmed",
           "skipped": "Not applicable"},
}

# The whole report's verdict.
VERDICT = {
    "ja": {"pass": "条件を満たしています", "fail": "対応が必要です", "incomplete": "確認できない項目があります"},
    "en": {"pass": "Meets the requirements", "fail": "Action needed", "incomplete": "Some items could not be checked"},
}

# Nouns used across the window, the CLI and the staff pages.
TERMS = {
    "ja": {"report": "報告書", "receipt": "受付番号", "seeker_no": "求職番号", "rules": "確認用データ",
           "office": "ハローワーク", "service": "ハローワークの受付サービス", "fix": "直し方", "why": "なぜ必要か",
           "eligible": "予約できます", "not_eligible": "まだ予約できません"},
    "en": {"report": "report", "receipt": "receipt number", "seeker_no": "job-seeker number", "rules": "check data",
           "office": "employment office", "service": "the employment office's intake service", "fix": "How to fix it",
           "why": "Why it matters", "eligible": "You can book", "not_eligible": "You cannot book yet"},
}

# Product names as Japanese Windows 11's own screens show them (ux-review §2 #9).
PRODUCTS_JA = {
    "Windows Defender Firewall": "Microsoft Defender ファイアウォール",
    "Windows Firewall": "Microsoft Defender ファイアウォール",
    "Windows Defender": "Microsoft Defender ウイルス対策",
    "Windows Defender Antivirus": "Microsoft Defender ウイルス対策",
    "Microsoft Defender Antivirus": "Microsoft Defender ウイルス対策",
    "macOS Application Firewall": "macOS のファイアウォール",
    # Wi-Fi security as Japanese Windows' network properties show it
    "WPA3-Personal": "WPA3-パーソナル", "WPA2-Personal": "WPA2-パーソナル", "WPA-Personal": "WPA-パーソナル",
    "WPA3-Enterprise": "WPA3-エンタープライズ", "WPA2-Enterprise": "WPA2-エンタープライズ",
}

_ISO_DAY = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})(?:T[0-9:.]+Z?)?\b")


def status_word(status: str, lang: str) -> str:
    return STATUS.get(lang, STATUS["en"]).get(status) or VERDICT.get(lang, VERDICT["en"]).get(status, status)


def verdict_word(verdict: str, lang: str) -> str:
    return VERDICT.get(lang, VERDICT["en"])[verdict]


def ja_date(value: str) -> str:
    """'2026-08-11' (or an ISO timestamp) -> '2026年8月11日'; other text is left as it is."""
    return _ISO_DAY.sub(lambda m: f"{int(m[1])}年{int(m[2])}月{int(m[3])}日", value)


def product_ja(value: str) -> str:
    """Replace English Windows product names inside `value` by the names Japanese Windows shows."""
    for en in sorted(PRODUCTS_JA, key=len, reverse=True):
        if en in value:
            value = value.replace(en, PRODUCTS_JA[en])
    return value


# macOS system_profiler's Wi-Fi security keys (a real capture spells them "pairport_…", others
# "spairport_…") as System Settings shows them.
_MAC_WIFI = re.compile(r"\bs?pairport_security_mode_([a-z0-9_]+)")
_MAC_WIFI_NAMES = {
    "none": ("なし", "none"), "wep": ("WEP", "WEP"),
    "wpa_personal": ("WPA パーソナル", "WPA Personal"),
    "wpa_personal_mixed": ("WPA/WPA2 パーソナル", "WPA/WPA2 Personal"),
    "wpa2_personal": ("WPA2 パーソナル", "WPA2 Personal"), "wpa3_personal": ("WPA3 パーソナル", "WPA3 Personal"),
    "wpa3_transition": ("WPA2/WPA3 パーソナル", "WPA2/WPA3 Personal"),
    "wpa_enterprise": ("WPA エンタープライズ", "WPA Enterprise"),
    "wpa2_enterprise": ("WPA2 エンタープライズ", "WPA2 Enterprise"),
    "wpa3_enterprise": ("WPA3 エンタープライズ", "WPA3 Enterprise"),
    "owe": ("拡張オープン（OWE）", "Enhanced Open (OWE)"),
}


def readable(value: str, lang: str) -> str:
    """Internal identifiers a person must never read, as the OS's own screens name them."""
    def mac(m: re.Match) -> str:
        names = _MAC_WIFI_NAMES.get(m[1])
        return names[0 if lang == "ja" else 1] if names else m[1].replace("_", " ").upper()

    return _MAC_WIFI.sub(mac, value)


def localise_ja(value: str) -> str:
    """A placeholder value as a Japanese text shows it: Japanese dates and product names."""
    return product_ja(ja_date(readable(value, "ja")))


_LATIN_WORDS = re.compile(r"[A-Za-z]{3,}")
_ERROR_ASIDE = re.compile(r"\s*\([^()]*\)")


def technical_ja(key: str, value: str) -> str:
    """A probe's English reason never reaches a Japanese sentence: the report's evidence keeps it
    for staff; the seeker reads that the detail is recorded (ux-review U8)."""
    if key == "detail":  # "zoom.us:443 (name not resolved), …": the addresses, without the English asides
        return _ERROR_ASIDE.sub("", value)
    if key == "reason" and _LATIN_WORDS.search(product_ja(value).replace("Microsoft Defender", "")):
        return "詳しい原因は報告書に記録しました"
    return value


def default_lang() -> str:
    """"ja" or "en" from the locale, for the CLI and the diagnostics (the window has its own switch)."""
    import locale
    import os

    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        if os.environ.get(var):
            return "ja" if os.environ[var].lower().startswith("ja") else "en"
    try:
        loc = locale.getlocale()[0] or ""
    except ValueError:
        loc = ""
    return "ja" if loc.lower().startswith(("ja", "japanese")) else "en"
