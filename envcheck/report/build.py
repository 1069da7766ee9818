"""The report (envcheck.report/1): one JSON document with every check's status, text and evidence."""

from __future__ import annotations

import uuid
from datetime import datetime, timezone
from typing import Any

from envcheck import __version__
from envcheck.checks import Result, verdict
from envcheck.glossary import localise_ja, readable, technical_ja
from envcheck.report.schema import REPORT_FORMAT
from envcheck.ruleset.loader import Rules


class _Defaults(dict):
    """str.format_map that leaves an unknown {placeholder} visible instead of failing."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def message_for(rules: Rules, result_id: str, code: str, params: dict, platform: str) -> dict:
    """{"summary": {ja, en}, "remedy": {ja, en, link} | None} for one decision."""
    rule = rules.check(result_id)
    msg = rule.message(code)
    values = _Defaults({k: readable(str(v), "en") for k, v in params.items()})
    # 2026年8月11日, Japanese product names
    ja = _Defaults({k: technical_ja(k, localise_ja(str(v))) for k, v in params.items()})
    if msg is None:  # texts.toml lacks this code: say so rather than crash (tests forbid it)
        return {"summary": {"ja": f"{rule.title.ja}: {code}", "en": f"{rule.title.en}: {code}"}, "remedy": None}
    out: dict[str, Any] = {"summary": {"ja": msg.summary.ja.format_map(ja), "en": msg.summary.en.format_map(values)},
                           "remedy": None}
    remedy = msg.remedy(platform)
    if remedy is not None:
        out["remedy"] = {"ja": remedy.ja.format_map(ja), "en": remedy.en.format_map(values),
                         "link": msg.link(platform)}
    return out


def assert_no_floats(node: Any, path: str = "$") -> None:
    """Reports are canonicalised for signing (RFC 8785): floats are not allowed anywhere."""
    if isinstance(node, float):
        raise ValueError(f"float in report at {path}")
    if isinstance(node, dict):
        for k, v in node.items():
            assert_no_floats(v, f"{path}.{k}")
    elif isinstance(node, list):
        for i, v in enumerate(node):
            assert_no_floats(v, f"{path}[{i}]")


def without_floats(node: Any) -> Any:
    """Replayed or recorded raw data may hold floats: whole numbers kept, others dropped to None."""
    if isinstance(node, float):
        return int(node) if node.is_integer() else None
    if isinstance(node, dict):
        return {k: without_floats(v) for k, v in node.items()}
    if isinstance(node, list):
        return [without_floats(v) for v in node]
    return node


def utc_stamp(when: datetime) -> str:
    return when.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def build_report(results: list[Result], rules: Rules, platform: str, now: datetime, seeker_no: str | None,
                 diagnostics: dict | None = None, rules_source: dict | None = None) -> dict:
    checks = []
    for r in results:
        rule = rules.check(r.id)
        checks.append({"id": r.id, "status": r.status, "article": rule.article, "code": r.code,
                       **message_for(rules, r.id, r.code, r.params, platform), "evidence": r.evidence})
    report = {
        "format": REPORT_FORMAT,
        "report_id": str(uuid.uuid4()),
        # The evaluation instant: re-judging the evidence at this time gives the same statuses.
        "created_at": utc_stamp(now),
        "checker": {"version": __version__, "rules_version": rules.version, "rules_as_of": rules.as_of.isoformat(),
                    "platform": platform, **{k: v for k, v in (rules_source or {}).items() if v is not None}},
        "seeker_no": seeker_no,
        "verdict": verdict({r.id: r.status for r in results}, rules),
        "checks": checks,
        "diagnostics": without_floats(diagnostics or {}),
    }
    assert_no_floats(report)
    return report
