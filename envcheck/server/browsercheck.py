"""/check: the job-seeker's browser check (phones first; PCs are pointed to the desktop program).

GET /check shows one form. With JavaScript (static file, strict CSP) the page walks through it
step by step and fills in what it measures; without JavaScript the same form still sends the
answers. POST /check/submit validates everything (browserreport.parse_form), builds the report,
signs it with the service key, re-judges and stores it, and shows the result.
"""

from __future__ import annotations

import os
import re
import secrets
from datetime import date
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import FileResponse, HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from envcheck.server import browserreport
from envcheck.server.checkwords import words
from envcheck.server.db import utcnow
from envcheck.server.i18n import LANGS
from envcheck.server.intake import Rejected
from envcheck.server.quota import Bound, StoreFull
from envcheck.server.uaparse import device_from

STATIC = os.path.join(os.path.dirname(__file__), "static")
#: The browser's device token: random, HttpOnly, only ever stored server-side as a digest.
DEVICE_COOKIE = "envcheck_device"
_TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")
_FULL = ("保存容量がいっぱいのため受け付けられませんでした。事務所には通知済みです。明日もう一度お試しください。 "
         "The service's storage is full (the office has been told); please try again tomorrow.")
_STATIC_FILES = {"check.js": "text/javascript; charset=utf-8", "check.css": "text/css; charset=utf-8"}
ZOOM_ORIGINS = " ".join(sorted({url.rsplit("/", 1)[0] for _, _, url in browserreport.ZOOM_ENDPOINTS}))
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; media-src 'self' blob:; "
       f"connect-src 'self' {ZOOM_ORIGINS}; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
HEADERS = [(b"content-security-policy", CSP.encode()), (b"permissions-policy", b"camera=(self), microphone=(self)"),
           (b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"no-referrer"),
           (b"x-frame-options", b"DENY")]
"""The security headers of /check pages (app.SecurityHeaders uses these for paths under /check)."""


def is_check_path(path: str) -> bool:
    return path == "/check" or path.startswith("/check/")


def _lang(request: Request, form: dict | None = None) -> str:
    for v in ((form or {}).get("lang"), request.query_params.get("lang"), request.cookies.get("lang")):
        if v in LANGS:
            return v
    return "ja"


def _months(today: date) -> list[str]:
    """The last 24 months, newest first (the Android security update date, to the month)."""
    y, m, out = today.year, today.month, []
    for _ in range(24):
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    return out


def _render(request: Request, name: str, ctx: dict, lang: str, status: int = 200) -> HTMLResponse:
    other = "en" if lang == "ja" else "ja"
    st = request.app.state.envcheck
    page = st.templates.get_template(name).render(**ctx, w=words(lang), lang=lang, other_lang=other,
                                                  lang_url=f"/check?{urlencode({'lang': other})}")
    resp = HTMLResponse(page, status_code=status, headers={"Cache-Control": "no-store"})
    if request.query_params.get("lang") in LANGS:
        resp.set_cookie("lang", lang, httponly=True, samesite="lax", path="/", max_age=365 * 86400,
                        secure=request.url.scheme == "https")
    return resp


def _form_ctx(request: Request, values: dict, problem: str | None = None) -> dict:
    st = request.app.state.envcheck
    dev = device_from(request.headers.get("user-agent", ""))
    mob = st.rules.mobile
    return {"dev": dev, "months": _months(utcnow().date()), "values": values, "problem": problem,
            "security": mob.phone_security if mob else "app",
            "zoom": [(field, url) for field, _, url in browserreport.ZOOM_ENDPOINTS]}


def check_page(request: Request):
    lang = _lang(request)
    return _render(request, "check.html", _form_ctx(request, {}), lang)


async def check_submit(request: Request):
    st = request.app.state.envcheck
    from envcheck.server.api import _read_bounded  # the intake's own bounded reader (Content-Length or not)

    body = await _read_bounded(request, browserreport.MAX_FORM_BYTES)
    if body is None:
        return Response("the form is too large", status_code=413, media_type="text/plain; charset=utf-8")
    from urllib.parse import parse_qsl

    try:
        pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True, max_num_fields=64, strict_parsing=False)
    except (UnicodeDecodeError, ValueError):
        return Response("the form is not readable", status_code=400, media_type="text/plain; charset=utf-8")
    form = {k: v for k, v in pairs}
    lang = _lang(request, form)
    # This browser's own token (an HttpOnly cookie): its digest is the device key the enrolment code pins.
    token = request.cookies.get(DEVICE_COOKIE) or ""
    if not _TOKEN.fullmatch(token):
        token = secrets.token_urlsafe(32)
    enrol_code = " ".join(form.get("enrol_code", "")[:40].split()) or None
    try:
        answers = browserreport.parse_form(form)
        now = utcnow()
        doc = browserreport.build(answers, request.headers.get("user-agent", ""), st.rules, st.key, now)
        receipt = await run_in_threadpool(browserreport.store, st.store, doc, st.rules, st.key, now,
                                          browserreport.browser_key_id(token), enrol_code,
                                          Bound(st.settings.max_stored_reports, st.settings.max_stored_bytes))
    except (Rejected, StoreFull) as exc:
        values = {k: v[:40] for k, v in form.items() if k in ("seeker_no",)}
        status, reason = (exc.status, str(exc)) if isinstance(exc, Rejected) else (507, _FULL)
        return _render(request, "check.html", _form_ctx(request, values, reason), lang, status=status)
    mob = st.rules.mobile
    resp = _render(request, "check_done.html", {
        "doc": doc, "verdict": receipt["verdict"], "receipt_no": receipt["receipt_no"],
        "office_refuses": receipt["verdict"] == "pass" and not (mob and mob.browser_reports_eligible),
        "not_enrolled": receipt.get("device_enrolled") is False,
        "desktop": doc["diagnostics"]["browser_check"]["desktop"]}, lang)
    resp.set_cookie(DEVICE_COOKIE, token, httponly=True, samesite="lax", path="/check", max_age=400 * 86400,
                    secure=request.url.scheme == "https")
    return resp


def check_static(name: str, request: Request):
    if name not in _STATIC_FILES:
        return Response("not found", status_code=404, media_type="text/plain")
    return FileResponse(os.path.join(STATIC, name), media_type=_STATIC_FILES[name],
                        headers={"Cache-Control": "public, max-age=3600"})
