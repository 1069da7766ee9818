"""Support staff's view: a report's connection diagnostics as a table of steps (✔/✖ with the Japanese
cause and a one-line summary), and the log of every upload attempt by seeker number, receipt
number and time ("I pressed send and it failed").

Diagnostics come from the report, so they are attacker-controlled: only known fields are read,
every value is clipped, and templates escape them.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from urllib.parse import urlencode

from fastapi import Request

from envcheck.diagnose.render import _NAMES as STEP_NAMES
from envcheck.diagnose.render import _STATUS as OVERALL
from envcheck.diagnose.render import _figure
from envcheck.errors import InvalidSeekerNumber
from envcheck.report.seeker import normalize_seeker_no
from envcheck.server import attempts
from envcheck.server.i18n import JST, UPLOAD_REASONS, in_words
from envcheck.server.webauth import audit, to_login, viewer_in

PAGE = 100
MAX_STEPS = 60
MARKS = {"ok": "✔", "failed": "✖", "degraded": "!", "skipped": "–"}


def _clip(value, limit: int = 200) -> str:
    text = "" if value is None else str(value)
    return text if len(text) <= limit else text[:limit] + "…"


def diagnostic_rows(diag, lang: str) -> tuple[str, list[dict]]:
    """(one-line summary, one row per step: mark, status, step name, target, figure, cause)."""
    lang = "ja" if lang == "ja" else "en"
    if not isinstance(diag, dict) or not isinstance(diag.get("steps"), list) or not diag["steps"]:
        return "", []
    rows = []
    for step in diag["steps"][:MAX_STEPS]:
        if not isinstance(step, dict):
            continue
        status = str(step.get("status")) if step.get("status") in MARKS else "failed"
        where = _clip(step.get("target") or "", 60)
        if step.get("port") and step.get("step") in ("tcp", "tls", "http"):
            host = _clip(step.get("host"), 80)
            where = f"{'' if where == host else where} {host}:{_clip(step.get('port'), 6)}".strip()
        raw_cause = step.get("cause")
        cause: dict = raw_cause if isinstance(raw_cause, dict) else {}
        try:
            figure = _clip(_figure(step), 120)
        except (TypeError, AttributeError, KeyError):
            figure = ""
        rows.append({"mark": MARKS[status], "status": status,
                     "name": _clip(STEP_NAMES[lang].get(str(step.get("step")), step.get("step")), 60),
                     "where": where, "figure": figure,
                     "cause": _clip(cause.get(lang), 400) if status != "ok" else ""})
    rows.sort(key=lambda r: {"failed": 0, "degraded": 1}.get(r["status"], 2))  # problems first
    bad = [r for r in rows if r["status"] == "failed"]
    overall = OVERALL[lang].get(str(diag.get("status")), _clip(diag.get("status"), 20))
    if lang == "ja":
        line = f"{overall}: {len(rows)} 項目中 {len(bad)} 項目で問題"
        if bad:
            line += f"（最初の問題: {bad[0]['name']} {bad[0]['where']}）"
    else:
        line = f"{overall}: {len(bad)} of {len(rows)} steps failed"
        if bad:
            line += f" (first: {bad[0]['name']} {bad[0]['where']})"
    return line, rows


def _day(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def list_uploads(request: Request):
    from envcheck.server.seekers import RECEIPT
    from envcheck.server.pages import language, page_cursor, render

    st = request.app.state.envcheck
    p = request.query_params
    lang = language(request)
    problems = []
    seeker = p.get("seeker", "")[:40]
    number = None
    if seeker.strip():
        try:
            number = normalize_seeker_no(seeker)
        except InvalidSeekerNumber as exc:
            problems.append(exc.diagnostics())
    receipt = p.get("receipt", "")[:20].strip().upper()
    m = RECEIPT.match(receipt) if receipt else None
    if receipt and not m:
        problems.append("bad_query")
    d_from, d_to = _day(p.get("from")), _day(p.get("to"))
    start = datetime(d_from.year, d_from.month, d_from.day, tzinfo=JST) if d_from else None
    end = datetime(d_to.year, d_to.month, d_to.day, tzinfo=JST) + timedelta(days=1) if d_to else None
    outcome = p.get("outcome", "")
    before = page_cursor(p.get("before"))
    with st.store.tx() as s:
        viewer = viewer_in(s, request)
        if viewer is None:
            return to_login(request)
        rows = [] if problems else attempts.search(s, number, "-".join(m.groups()) if m else None, start, end,
                                                   outcome, before, PAGE + 1)
        audit(s, viewer, request, "list_uploads", number or "-",
              json.dumps({k: p.get(k) for k in ("seeker", "receipt", "from", "to", "outcome") if p.get(k)}))
    keep = [(k, p.get(k)) for k in ("seeker", "receipt", "from", "to", "outcome", "lang") if p.get(k)]
    next_url = None
    if len(rows) > PAGE:
        rows = rows[:PAGE]
        next_url = "/uploads?" + urlencode(keep + [("before", f"{rows[-1].at.isoformat()}_{rows[-1].id}")])
    return render(request, "uploads.html", {
        "rows": rows, "problems": problems, "next_url": next_url,
        "why": lambda code: in_words(UPLOAD_REASONS, lang, code),
        "f": {"seeker": seeker, "receipt": receipt, "from": p.get("from", "")[:10], "to": p.get("to", "")[:10],
              "outcome": outcome}}, viewer)
