"""Human output of a report: one line per requirement, then what to do about each problem."""

from __future__ import annotations

from envcheck.ruleset import Rules

MARKS = {"pass": "✔", "warn": "!", "fail": "✖", "unknown": "?", "skipped": "-"}
WORDS = {
    "ja": {"pass": "合格", "warn": "注意", "fail": "不合格", "unknown": "不明", "skipped": "対象外",
           "incomplete": "判定できず"},
    "en": {"pass": "PASS", "warn": "WARN", "fail": "FAIL", "unknown": "UNKNOWN", "skipped": "SKIPPED",
           "incomplete": "INCOMPLETE"},
}
LABELS = {
    "ja": {"result": "結果", "todo": "直し方", "open": "設定を開く", "rules": "判定表",
           "stale": "注意: 判定表のデータは {as_of} 時点のものです。最新でない可能性があります。",
           "verdict_help": {"pass": "この端末はオンライン相談の利用環境を満たしています。",
                            "fail": "直す必要がある項目があります。下の「直し方」をご覧ください。",
                            "incomplete": "調べられなかった項目があります。下の説明をご覧ください。"}},
    "en": {"result": "Result", "todo": "What to do", "open": "Open", "rules": "rules",
           "stale": "Note: the rules' data is as of {as_of} and may be out of date.",
           "verdict_help": {"pass": "This device meets the requirements for online counselling.",
                            "fail": "Some items must be fixed: see 'What to do' below.",
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
    lines += ["", f"{labels['result']}: {words[v]} ({v})", labels["verdict_help"][v]]
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
        lines += ["", labels["stale"].format(as_of=checker["rules_as_of"])]
    return "\n".join(lines) + "\n"
