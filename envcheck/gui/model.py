"""What the window shows, without Tk: texts, rows, details, seeker-number validation, messages.

Everything here is pure and unit-tested (tests/test_gui_model.py); envcheck/gui/app.py only
places these strings and rows on widgets.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING

from envcheck.delivery.texts import message
from envcheck.glossary import MARKS, status_word, verdict_word
from envcheck.gui.texts import TEXTS
from envcheck.office import Office
from envcheck.report.render import LABELS

if TYPE_CHECKING:
    from envcheck.delivery.service import Delivery

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

def text(lang: str, key: str, office: Office | None = None, **values) -> str:
    """One sentence; {contact} and {office} are filled from the office's configuration."""
    office = office or Office()
    values.setdefault("contact", office.contact(lang))
    values.setdefault("office", office.name or TEXTS[lang if lang in TEXTS else "en"]["office_default"])
    return TEXTS[lang if lang in TEXTS else "en"][key].format(**values)


def status_label(status: str, lang: str) -> str:
    """The mark and the word: '✖ 対応が必要'. Colour is added by the window, never instead of this."""
    return f"{MARKS.get(status, VERDICT_MARKS.get(status, '?'))} {status_word(status, lang)}"


# --- job-seeker number ------------------------------------------------------------------------

_REASONS_JA = [
    (r"job-seeker number is empty", "求職番号が空です。"),
    (r"may contain only digits and one hyphen, not '(.*)'",
     "数字とハイフン（-）だけで入力してください（使えない文字: {0}）。"),
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
    from envcheck.report.seeker import normalize_seeker_no

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


PROBLEMS = ("fail", "warn", "unknown")
PASSED_GROUP = "passed"


def rows(report: dict, rules, lang: str) -> list[Row]:
    """One row per requirement, problems first (fail, warn, unknown), then passes and skipped."""
    checks = sorted(enumerate(report["checks"]), key=lambda ic: (STATUS_ORDER.get(ic[1]["status"], 9), ic[0]))
    return [Row(c["id"], c["status"], status_label(c["status"], lang), rules.check(c["id"]).title.get(lang),
                c["summary"][lang]) for _, c in checks]


def detail(report: dict, rules, check_id: str, lang: str, office: Office | None = None) -> Detail:
    if check_id == PASSED_GROUP:
        return passed_detail(report, rules, lang)
    c = next(c for c in report["checks"] if c["id"] == check_id)
    rule = rules.check(check_id)
    remedy = c.get("remedy") if c["status"] in PROBLEMS else None
    link = (remedy or {}).get("link") or None
    label = text(lang, "open_page" if link and link.startswith(("http://", "https://")) else "open")
    fix = remedy[lang] if remedy else text(lang, "no_fix")
    if c["status"] in PROBLEMS:  # whoever must fix something is told whom to call
        fix += "\n" + text(lang, "contact_line", office)
    return Detail(check_id, f"{status_label(c['status'], lang)}　{rule.title.get(lang)}", c["status"],
                  c["summary"][lang], rule.why.get(lang), fix, link, label)


def passed_detail(report: dict, rules, lang: str) -> Detail:
    ok = [r for r in rows(report, rules, lang) if r.status not in PROBLEMS]
    lines = "\n".join(f"{r.result}　{r.title}: {r.summary}" for r in ok)
    return Detail(PASSED_GROUP, text(lang, "passed_group", n=len(ok)), "pass", text(lang, "passed_detail"),
                  "", lines, None, "")


def verdict_line(report: dict, lang: str, rules=None) -> tuple[str, str]:
    """('結果: ✖ 対応が必要です', what to do next)."""
    v = report["verdict"]
    head = text(lang, "verdict", mark=VERDICT_MARKS[v], word=verdict_word(v, lang))
    if v == "pass":
        return head, text(lang, "next_pass")
    if v == "fail" and rules is not None:
        todo = [r for r in rows(report, rules, lang) if r.status == "fail"]
        if todo:
            return head, text(lang, "next_fail", first=todo[0].title, n=len(todo))
    if v == "incomplete":
        return head, text(lang, "next_incomplete")
    return head, LABELS[lang if lang in LABELS else "en"]["verdict_help"][v]


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


def send_outcome(lang: str, delivery: Delivery, office: Office | None = None) -> SendOutcome:
    """What the seeker reads after sending: the outcome, then what happens next (never English in ja).
    The words are envcheck/delivery/texts.py's, the same the command line prints."""
    head, then = message(delivery, lang, office or Office(), program="window")
    return SendOutcome(delivery.outcome, head, then, delivery.receipt_no)


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
    """The readable summary's name; the signed report is saved beside it as .json."""
    stamp = report["created_at"][:10]
    return f"envcheck-result-{stamp}.html"


def diagnosis_cause(doc: dict, lang: str) -> str | None:
    """The first problem the connection diagnosis found, in the reader's language; None when all is well."""
    for step in doc.get("steps", []):
        if step.get("status") not in ("ok", "skipped", "pass", None) and isinstance(step.get("cause"), dict):
            cause = str(step["cause"].get(lang) or step["cause"].get("ja") or "")
            if lang == "ja":  # technical asides (English error words) stay in the attached diagnostics
                cause = re.sub(r"（[^（）]*[A-Za-z]{3,}[^（）]*）", "", cause)
            return cause
    return None


def consent_text(report: dict, rules, lang: str, office: Office | None = None) -> tuple[str, str]:
    """(what the person reads before agreeing, the field-by-field details behind 「詳しく」)."""
    from envcheck.report.explain import explain, plain

    office = office or Office()
    head = text(lang, "consent_head", office)
    lines = [head, "", plain(lang, office.retention_days).rstrip("\n"), "", text(lang, "consent_summary")]
    seeker = report.get("seeker_no")
    lines.append(text(lang, "consent_seeker", value=seeker) if seeker else text(lang, "consent_no_seeker"))
    lines.append(text(lang, "consent_verdict", mark=VERDICT_MARKS[report["verdict"]],
                      word=verdict_word(report["verdict"], lang)))
    for r in rows(report, rules, lang):
        lines.append(f"・{r.result}　{r.title}")
    return "\n".join(lines) + "\n", explain(lang)
