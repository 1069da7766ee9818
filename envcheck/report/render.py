"""Human output of a report: one line per requirement, then what to do about each problem."""

from __future__ import annotations

from typing import Any

from envcheck.glossary import MARKS as _MARKS
from envcheck.glossary import STATUS, VERDICT, ja_date
from envcheck.ruleset.loader import Rules

MARKS = {k: v for k, v in _MARKS.items() if k != "incomplete"}
# Words come from envcheck/glossary.py, shared with the window and the service pages.
WORDS = {lang: {**STATUS[lang], "incomplete": VERDICT[lang]["incomplete"]} for lang in ("ja", "en")}
VERDICT_WORDS = VERDICT
# label -> text, except verdict_help: verdict -> text
LABELS: dict[str, dict[str, Any]] = {
    "ja": {"result": "結果", "todo": "直し方", "open": "設定を開く", "rules": "確認用データ",
           "stale": "このアプリの確認用データが古くなっています（{as_of} 時点）。一部の項目は確認できませんが、"
                    "お客様の操作は不要です。",
           "verdict_help": {"pass": "このパソコンは利用環境の条件を満たしています。",
                            "fail": "直す必要がある項目があります。それぞれの「直し方」をご覧ください。",
                            "incomplete": "確認できなかった項目があります。それぞれの説明をご覧ください。"}},
    "en": {"result": "Result", "todo": "What to do", "open": "Open", "rules": "check data",
           "stale": "This app's check data is old (as of {as_of}). Some items cannot be confirmed; you need "
                    "not do anything.",
           "verdict_help": {"pass": "This computer meets the requirements.",
                            "fail": "Some items must be fixed: see 'What to do' for each.",
                            "incomplete": "Some items could not be checked: see below."}},
}


def render(report: dict, rules: Rules, lang: str, stale: bool = False) -> str:
    lang = lang if lang in WORDS else "en"
    words, labels = WORDS[lang], LABELS[lang]
    checker = report["checker"]
    lines = [f"envcheck {checker['version']} — {labels['rules']} {checker['rules_version']} "
             f"({checker['rules_as_of']})", ""]
    width = max(len(words[s]) for s in MARKS)
    for c in report["checks"]:
        title = rules.check(c["id"]).title.get(lang)
        lines.append(f" {MARKS[c['status']]} {words[c['status']]:<{width}}  {title}: {c['summary'][lang]}")
    v = report["verdict"]
    lines += ["", f"{labels['result']}: {VERDICT_WORDS[lang][v]} ({v})", labels["verdict_help"][v]]
    todo = [c for c in report["checks"] if c["status"] in ("fail", "warn", "unknown") and c.get("remedy")]
    if todo:
        lines += ["", f"{labels['todo']}:"]
        for i, c in enumerate(todo, 1):
            rule = rules.check(c["id"])
            lines.append(f" {i}. {rule.title.get(lang)} [{MARKS[c['status']]} {words[c['status']]}]")
            lines.append(f"    {rule.why.get(lang)}")
            lines.append(f"    {c['remedy'][lang]}")
            if c["remedy"].get("link"):
                lines.append(f"    {labels['open']}: {c['remedy']['link']}")
    if stale:
        as_of = checker["rules_as_of"]
        lines += ["", labels["stale"].format(as_of=ja_date(as_of) if lang == "ja" else as_of)]
    return "\n".join(lines) + "\n"
