"""Counselor and support pages: report list, report detail, seeker history, audit log.

Report content is attacker-controlled: templates autoescape everything, nothing is marked
safe, links from a report are shown as text, long strings are clipped and nested evidence is
depth-limited before it is rendered. Every view of a report is written to the audit log.
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime, timedelta, timezone
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import RedirectResponse
from sqlalchemy import and_, or_, select

from envcheck.errors import InvalidSeekerNumber
from envcheck.report.schema import InvalidReport
from envcheck.ruleset.loader import CHECK_IDS
from envcheck.report.seeker import normalize_seeker_no
from envcheck.server.db import AuditEntry, DeviceKey, Report
from envcheck.server.i18n import JST, translator
from envcheck.server.seekers import assurance, mismatch_kind
from envcheck.server.support import diagnostic_rows
from envcheck.server.pages import (  # noqa: F401 (bounded, clip, pretty, templates: re-exported)
    bounded, clip, language, page_cursor, pretty, render, templates)
from envcheck.server.webauth import audit, to_login, viewer_in
from envcheck.report.signing import verify_report

PAGE = 50
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_LIST_COLUMNS = (Report.id, Report.report_id, Report.seeker_no, Report.created_at, Report.received_at,
                 Report.platform, Report.claimed_verdict, Report.verdict, Report.mismatch, Report.new_device_key,
                 Report.receipt_no)


def _day(text: str | None, problems: list, t) -> date | None:
    if not text:
        return None
    try:
        day = date.fromisoformat(text[:10])
        (_jst_start(day) + timedelta(days=1)).astimezone(timezone.utc)  # 9999-12-31 has no next day,
        _jst_start(day).astimezone(timezone.utc)  # and 0001-01-01 00:00 JST is before year 1 in UTC
        return day
    except (ValueError, OverflowError):
        problems.append(t("bad_date"))
        return None


def _jst_start(d: date) -> datetime:
    return datetime(d.year, d.month, d.day, tzinfo=JST)


def list_reports(request: Request):
    st = request.app.state.envcheck
    q = request.query_params
    t = translator(language(request))
    problems: list[str] = []
    cond = []
    verdict = q.get("verdict", "")
    if verdict in ("pass", "fail", "incomplete"):
        cond.append(Report.verdict == verdict)
    seeker = q.get("seeker", "")[:40]
    if seeker.strip():
        try:
            cond.append(Report.seeker_no == normalize_seeker_no(seeker))
        except InvalidSeekerNumber as exc:
            problems.append(f"{t('bad_seeker')}: {exc.diagnostics()}")
    d_from, d_to = _day(q.get("from"), problems, t), _day(q.get("to"), problems, t)
    if d_from:
        cond.append(Report.received_at >= _jst_start(d_from))
    if d_to:
        cond.append(Report.received_at < _jst_start(d_to) + timedelta(days=1))
    cursor = page_cursor(q.get("before"))
    before = q.get("before", "") if cursor else ""
    if cursor:
        at, row = cursor
        cond.append(or_(Report.received_at < at, and_(Report.received_at == at, Report.id < row)))
    with st.store.tx() as s:
        viewer = viewer_in(s, request)
        if viewer is None:
            return to_login(request)
        rows = [] if problems else s.execute(
            select(*_LIST_COLUMNS).where(*cond).order_by(Report.received_at.desc(), Report.id.desc())
            .limit(PAGE + 1)).all()
        audit(s, viewer, request, "list_reports", "-",
              json.dumps({k: q.get(k) for k in ("verdict", "seeker", "from", "to", "before") if q.get(k)}))
    keep = [(k, q.get(k)) for k in ("verdict", "seeker", "from", "to", "lang") if q.get(k)]
    next_url = None
    if len(rows) > PAGE:
        rows = rows[:PAGE]
        last = rows[-1]
        next_url = "/reports?" + urlencode(keep + [("before", f"{last.received_at.isoformat()}_{last.id}")])
    first_url = "/reports?" + urlencode(keep) if before else None
    f = {"verdict": verdict, "seeker": seeker, "date_from": q.get("from", "")[:10], "date_to": q.get("to", "")[:10]}
    return render(request, "reports.html", {"rows": rows, "f": f, "problems": problems, "next_url": next_url,
                                            "first_url": first_url}, viewer)


def _checks(doc: dict, r: Report, rules, lang: str, show_evidence: bool) -> list[dict]:
    claimed = json.loads(r.claimed_statuses)
    judged = json.loads(r.statuses)
    given = {c.get("id"): c for c in doc.get("checks", []) if isinstance(c, dict)}
    out = []
    for cid in CHECK_IDS:
        c = given.get(cid, {})
        summary, remedy = c.get("summary") or {}, c.get("remedy") or {}
        out.append({"id": cid, "title": rules.check(cid).title.get(lang), "article": c.get("article", ""),
                    "judged": judged.get(cid, "unknown"), "claimed": claimed.get(cid, "unknown"),
                    "summary": summary.get(lang, "") if isinstance(summary, dict) else "",
                    "remedy": remedy.get(lang, "") if isinstance(remedy, dict) else "",
                    "link": _web_link(remedy.get("link") if isinstance(remedy, dict) else None),
                    "evidence": pretty(c.get("evidence", {})) if show_evidence else None})
    order = {"fail": 0, "unknown": 1, "warn": 2}
    return sorted(out, key=lambda c: order.get(c["judged"], 3))  # what must be fixed first


def _web_link(link) -> str | None:
    """Only a web address a counselor can pass on; app URIs (windowsdefender://…) mean nothing to them."""
    return link if isinstance(link, str) and link.startswith("https://") else None


def show_report(report_id: str, request: Request):
    st = request.app.state.envcheck
    lang = language(request)
    with st.store.tx() as s:
        viewer = viewer_in(s, request)
        if viewer is None:
            return to_login(request)
        r = s.scalar(select(Report).where(Report.report_id == report_id)) if _UUID.match(report_id) else None
        audit(s, viewer, request, "view_report" if r else "view_report_missing", report_id[:36])
        keys = s.scalars(select(DeviceKey).where(DeviceKey.seeker_no == r.seeker_no)
                         .order_by(DeviceKey.first_seen)).all() if r is not None and r.seeker_no else []
    if r is None:
        return render(request, "error.html", {"message": "not_found"}, viewer, status=404)
    doc = json.loads(r.body)
    try:
        verify_report(doc)
        sig_ok, problem = True, ""
    except InvalidReport as exc:
        sig_ok, problem = False, exc.diagnostics()
    show = viewer.role in ("support", "admin")
    diag_line, diag_rows = diagnostic_rows(doc.get("diagnostics"), lang) if show else ("", [])
    checks = _checks(doc, r, st.rules, lang, show)
    return render(request, "report.html", {
        "r": r, "keys": keys, "checks": checks, "show_evidence": show,
        "problems": [c for c in checks if c["judged"] in ("fail", "unknown")],
        "mismatch": mismatch_kind(r), "assurance": assurance(r.body), "receipt_no": r.receipt_no,
        "diag_line": diag_line, "diag_rows": diag_rows,
        "diagnostics": pretty(doc.get("diagnostics", {})) if show else None, "signature_ok": sig_ok,
        "signature_problem": problem, "receipt": json.dumps(json.loads(r.receipt), indent=2)}, viewer)


def show_audit(request: Request):
    st = request.app.state.envcheck
    before = request.query_params.get("before", "")
    with st.store.tx() as s:
        viewer = viewer_in(s, request)
        if viewer is None:
            return to_login(request)
        if viewer.role != "admin":
            audit(s, viewer, request, "audit_denied", "-")
            forbidden = True
        else:
            forbidden = False
            q = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(PAGE * 2 + 1)
            if before.isdigit() and len(before) < 10:
                q = q.where(AuditEntry.id < int(before))
            rows = s.scalars(q).all()
    if forbidden:
        return render(request, "error.html", {"message": "forbidden"}, viewer, status=403)
    next_url = None
    if len(rows) > PAGE * 2:
        rows = rows[:PAGE * 2]
        next_url = f"/audit?before={rows[-1].id}"
    from datetime import timezone

    from envcheck.server.rulescli import status_path
    from envcheck.server.rulesrefresh import status_line

    rules_status = status_line(status_path(st.settings.rules_repo), datetime.now(timezone.utc))
    return render(request, "audit.html", {"rows": rows, "next_url": next_url, "rules_status": rules_status}, viewer)


def home(request: Request):
    return RedirectResponse("/seekers", status_code=303)
