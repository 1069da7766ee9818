"""The counselor's first screen: one row per job-seeker, and each seeker's page with a summary box
(can they book, why, until when, what must be fixed) and the decisions a counselor records.

The list is the latest report (by created_at) of each seeker, newest received first: an index walk
over received_at that keeps a report only when its seeker has no later one (an indexed NOT EXISTS
probe on seeker_no, created_at), so a page of 50 costs ~50-100 probes whatever the table size.
Eligibility on each row is decisions.judge, the same function the booking API answers with.
"""

from __future__ import annotations

import json
import re
import unicodedata
from datetime import datetime, timedelta
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import RedirectResponse
from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import aliased
from starlette.concurrency import run_in_threadpool

from envcheck.errors import InvalidSeekerNumber
from envcheck.ruleset.loader import CHECK_IDS
from envcheck.report.seeker import normalize_seeker_no
from envcheck.server import attempts, decisions, intake
from envcheck.server.db import Decision, DeviceKey, Report, utcnow
from envcheck.server.i18n import JST, UPLOAD_REASONS, in_words
from envcheck.server.webauth import audit, client_ip, read_form, to_login, viewer_in

PAGE = 50
DECIDERS = ("counselor", "admin")
RECEIPT = re.compile(r"^([0-9A-F]{4})-?([0-9A-F]{4})-?([0-9A-F]{4})$")
_COLS = (Report.id, Report.report_id, Report.seeker_no, Report.created_at, Report.received_at, Report.platform,
         Report.verdict, Report.claimed_verdict, Report.statuses, Report.claimed_statuses, Report.mismatch,
         Report.new_device_key, Report.key_id, Report.rules_version, Report.judged_rules_version, Report.receipt_no,
         Report.assurance)


def assurance(body: bytes | None) -> str:
    """The report's `assurance` field (browser reports set it); desktop reports have none."""
    if not body or b'"assurance"' not in body:
        return "desktop"
    try:
        value = json.loads(body).get("assurance", "desktop")
    except (ValueError, AttributeError):
        return "desktop"
    return value[:40] if isinstance(value, str) else "desktop"


def problem_items(statuses_json: str, rules, lang: str) -> list[dict]:
    """Requirements the service judged fail or unknown, failing first, in the rules' words."""
    statuses = json.loads(statuses_json or "{}")
    out = [{"id": c, "title": rules.check(c).title.get(lang), "status": statuses.get(c, "unknown")}
           for c in CHECK_IDS if statuses.get(c, "unknown") in ("fail", "unknown")]
    return sorted(out, key=lambda i: i["status"] != "fail")


def mismatch_kind(r) -> str | None:
    """None, "suspicious" (claimed pass, judged fail, same rules), "rules" (older rules on the device)
    or "differs" (anything else, e.g. claimed fail and judged pass)."""
    if not r.mismatch:
        return None
    claimed, judged = json.loads(r.claimed_statuses or "{}"), json.loads(r.statuses or "{}")
    if r.rules_version != r.judged_rules_version:
        return "rules"
    lied = any(claimed.get(c) == "pass" and judged.get(c) == "fail" for c in judged)
    if lied or (r.claimed_verdict == "pass" and r.verdict == "fail"):
        return "suspicious"
    return "differs"


def latest_reports(s, cond: list, before: tuple[datetime, int] | None, limit: int):
    newer = aliased(Report)
    later = exists().where(newer.seeker_no == Report.seeker_no,
                           or_(newer.created_at > Report.created_at,
                               and_(newer.created_at == Report.created_at, newer.id > Report.id)))
    if before:
        cond = cond + [or_(Report.received_at < before[0], and_(Report.received_at == before[0],
                                                                Report.id < before[1]))]
    q = (select(*_COLS, Report.body, DeviceKey.pinned)
         .outerjoin(DeviceKey, and_(DeviceKey.seeker_no == Report.seeker_no, DeviceKey.key_id == Report.key_id))
         .where(Report.seeker_no.is_not(None), ~later, *cond)
         .order_by(Report.received_at.desc(), Report.id.desc()).limit(limit))
    return s.execute(q).all()


def seeker_row(number: str, r, j: decisions.Judged, rules, lang: str) -> dict:
    """One row of the list; `r` is the seeker's latest report or None (a decision but no report yet);
    `j` the answer the booking API gives (intake.judged), which may rest on an older, enrolled report."""
    row = {"seeker_no": number, "eligible": j.eligible, "code": j.code, "until": j.until, "fix_items": [],
           "assurance": None, "new_device": False, "mismatch": None, "received_at": None, "receipt_no": None,
           "report_id": None}
    if r is not None:
        row.update(fix_items=problem_items(r.statuses, rules, lang) if j.code in ("failed", "incomplete") else [],
                   assurance=assurance(r.body), new_device=not r.pinned, mismatch=mismatch_kind(r),
                   received_at=r.received_at, receipt_no=r.receipt_no, report_id=r.report_id)
    return row


def decided(s, limit: int) -> list[str]:
    """Seekers with the most recent decisions first (phone-only seekers granted by interview have no report)."""
    last = func.max(Decision.id)
    return [n for n, _ in s.execute(select(Decision.seeker_no, last).group_by(Decision.seeker_no)
                                    .order_by(last.desc()).limit(limit)).all()]


def _search(request: Request, q: str, s, viewer):
    """A receipt number opens its report, a seeker number the seeker's page; else None + problem."""
    text = unicodedata.normalize("NFKC", q).strip().upper().replace("ー", "-").replace("−", "-")
    m = RECEIPT.match(text)
    if m:
        number = "-".join(m.groups())
        rid = s.scalar(select(Report.report_id).where(Report.receipt_no == number))
        audit(s, viewer, request, "search", number, json.dumps({"found": bool(rid)}))
        if rid:
            return RedirectResponse(f"/reports/{rid}", status_code=303), None
        return None, "no_receipt"
    try:
        number = normalize_seeker_no(q[:40])
    except InvalidSeekerNumber:
        return None, "bad_query"
    return RedirectResponse(f"/seekers/{number}", status_code=303), None


def list_seekers(request: Request):
    from envcheck.server.pages import language, page_cursor, render

    st = request.app.state.envcheck
    p = request.query_params
    lang = language(request)
    now = utcnow()
    cond = []
    verdict = p.get("verdict", "")
    if verdict in ("pass", "fail", "incomplete"):
        cond.append(Report.verdict == verdict)
    elif verdict == "expired":
        cutoff = now - timedelta(days=st.rules.report_valid_days)
        # Reports older than max_report_age at arrival are refused, so received_at bounds created_at:
        # the extra range lets the (verdict, received_at) index start at the right place.
        slack = timedelta(hours=st.settings.max_report_age_hours, seconds=st.settings.clock_skew_seconds)
        cond += [Report.verdict == "pass", Report.created_at <= cutoff, Report.received_at <= cutoff + slack]
    flag = p.get("flag", "")
    if flag == "new":
        cond += [Report.new_device_key.is_(True), DeviceKey.pinned.is_not(True)]  # not confirmed since
    elif flag == "mismatch":
        cond.append(Report.mismatch.is_(True))
    before = page_cursor(p.get("before"))
    q = p.get("q", "")[:40]
    problem = None
    with st.store.tx() as s:
        viewer = viewer_in(s, request)
        if viewer is None:
            return to_login(request)
        if q.strip():
            found, problem = _search(request, q, s, viewer)
            if found is not None:
                return found
        if verdict == "decided":  # one page: the 50 most recently decided seekers, with or without reports
            numbers = decided(s, PAGE)
            found = {r.seeker_no: r for r in latest_reports(s, [Report.seeker_no.in_(numbers)], None, PAGE)}
            raw, pairs = [], [(n, found.get(n)) for n in numbers]
        else:
            raw = latest_reports(s, cond, before, PAGE + 1)
            pairs = [(r.seeker_no, r) for r in raw[:PAGE]]
        standing = decisions.standings(s, [n for n, _ in pairs])
        audit(s, viewer, request, "list_seekers", "-",
              json.dumps({k: p.get(k) for k in ("verdict", "flag", "q", "before") if p.get(k)}))
        answers = {n: intake.judged(s, n, st.rules, now, standing[n])[0] for n, _ in pairs}
    rows = [seeker_row(n, r, answers[n], st.rules, lang) for n, r in pairs]
    keep = [(k, p.get(k)) for k in ("verdict", "flag", "lang") if p.get(k)]
    next_url = None
    if len(raw) > PAGE:
        last = raw[PAGE - 1]
        next_url = "/seekers?" + urlencode(keep + [("before", f"{last.received_at.isoformat()}_{last.id}")])
    return render(request, "seekers.html", {
        "rows": rows, "f": {"verdict": verdict, "flag": flag, "q": q}, "problem": problem, "next_url": next_url,
        "first_url": "/seekers?" + urlencode(keep) if before else None}, viewer, status=404 if problem else 200)


def _seeker_context(s, number: str, rules, lang: str, now: datetime, support: bool) -> dict:
    reports = s.execute(select(*_COLS, Report.body).where(Report.seeker_no == number)
                        .order_by(Report.created_at.desc(), Report.id.desc()).limit(200)).all()
    keys = s.scalars(select(DeviceKey).where(DeviceKey.seeker_no == number).order_by(DeviceKey.first_seen)).all()
    st = decisions.standing(s, number)
    j, basis = intake.judged(s, number, rules, now, st)
    # what to fix: from the report the answer rests on, else the newest one received
    latest = next((r for r in reports if basis is not None and r.report_id == basis.report_id),
                  reports[0] if reports else None)
    fix = []
    if latest is not None and j.code in ("failed", "incomplete", "expired", "device_rejected", "revoked",
                                              "browser_not_accepted", "not_enrolled", "replayed"):
        doc = json.loads(latest.body)
        given = {c.get("id"): c for c in doc.get("checks", []) if isinstance(c, dict)}
        for item in problem_items(latest.statuses, rules, lang):
            remedy = (given.get(item["id"]) or {}).get("remedy") or {}
            item["remedy"] = remedy.get(lang, "") if isinstance(remedy, dict) else ""
            fix.append(item)
    key_of = {k.key_id: k for k in keys}
    newest_key = key_of.get(reports[0].key_id) if reports else None  # the newest report, enrolled or not
    return {"seeker_no": number, "j": j, "standing": st, "fix": fix, "rows": reports, "keys": keys,
            "latest": latest, "assurance": assurance(latest.body) if latest is not None else None,
            "unconfirmed": [k for k in keys if not k.pinned and k.key_id not in st.rejected_keys],
            "rejected": st.rejected_keys, "latest_new": newest_key is not None and not newest_key.pinned,
            "history": decisions.history(s, number),
            "uploads": attempts.search(s, number, None, None, None, None, None, 50) if support else None,
            "mismatch_kind": mismatch_kind}


def _seeker_page(request: Request, seeker_no: str, problem: str | None = None, status: int = 200):
    from envcheck.server.pages import language, render

    st = request.app.state.envcheck
    lang = language(request)
    with st.store.tx() as s:
        viewer = viewer_in(s, request)
        if viewer is None:
            return to_login(request)
        try:
            number = normalize_seeker_no(seeker_no[:40])
        except InvalidSeekerNumber:
            return render(request, "error.html", {"message": "bad_seeker"}, viewer, status=400)
        if number != seeker_no:
            return RedirectResponse(f"/seekers/{number}", status_code=303)
        ctx = _seeker_context(s, number, st.rules, lang, utcnow(), viewer.role in ("support", "admin"))
        audit(s, viewer, request, "view_seeker", number)
    ctx.update(problem=problem, done=request.query_params.get("done") == "1",
               why=lambda code: in_words(UPLOAD_REASONS, lang, code),
               can_decide=viewer.role in DECIDERS,
               default_until=(datetime.now(JST) + timedelta(days=st.rules.report_valid_days)).date().isoformat())
    return render(request, "seeker.html", ctx, viewer, status=status)


def show_seeker(seeker_no: str, request: Request):
    return _seeker_page(request, seeker_no)


def _until(text: str) -> datetime:
    """The end (23:59:59 JST) of the date a counselor picked."""
    try:
        d = datetime.strptime(text[:10], "%Y-%m-%d")
    except ValueError:
        raise decisions.DecisionError("bad_date", "enter the date as YYYY-MM-DD") from None
    return datetime(d.year, d.month, d.day, 23, 59, 59, tzinfo=JST)


def _decide(request: Request, number: str, form: dict) -> tuple[int, str | None]:
    import secrets

    st = request.app.state.envcheck
    with st.store.tx() as s:
        viewer = viewer_in(s, request)
        if viewer is None:
            return 401, None
        if not secrets.compare_digest(form.get("csrf", ""), viewer.csrf):
            return 403, "csrf"
        if viewer.role not in DECIDERS:
            audit(s, viewer, request, "decision_denied", number)
            return 403, "forbidden"
        who = (viewer.name, viewer.role, client_ip(request), utcnow())
        action, reason = form.get("action", ""), form.get("reason", "")
        try:
            if action == "grant":
                decisions.grant(s, number, _until(form.get("until", "")), reason, *who)
            elif action == "revoke":
                decisions.revoke(s, number, reason, *who)
            elif action in ("confirm_key", "reject_key"):
                fn = decisions.confirm_device_key if action == "confirm_key" else decisions.reject_device_key
                fn(s, number, form.get("key_id", ""), reason, *who)
            else:
                return 400, "de_unknown"
        except decisions.DecisionError as exc:  # raised before anything is written
            return 400, f"de_{exc.code}"
    return 303, None


async def post_decision(seeker_no: str, request: Request):
    from envcheck.server.pages import render

    form = await read_form(request)
    try:
        number = normalize_seeker_no(seeker_no[:40])
    except InvalidSeekerNumber:
        number = None
    if form is None or number is None:
        return render(request, "error.html", {"message": "bad_seeker" if form else "csrf"}, None, status=400)
    status, problem = await run_in_threadpool(_decide, request, number, form)
    if status == 401:
        return to_login(request)
    if status == 303:
        return RedirectResponse(f"/seekers/{number}?done=1", status_code=303)
    if problem in ("csrf", "forbidden"):
        return render(request, "error.html", {"message": problem}, None, status=403)
    return await run_in_threadpool(_seeker_page, request, number, problem, status)
