"""Who is looking: login, logout, sessions (server-side, cookie holds a random token), CSRF, throttling."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import parse_qs, quote

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import delete, func, select, text
from starlette.concurrency import run_in_threadpool

from envcheck.server.db import AuditEntry, LoginFailure, User, WebSession, utcnow
from envcheck.server.security import check_password, login_csrf, new_token, token_hash

SESSION_COOKIE = "envcheck_session"
NONCE_COOKIE = "envcheck_login_nonce"
SESSION_HOURS = 12
THROTTLE_WINDOW = timedelta(minutes=15)
MAX_FAILURES_USER_IP = 5
MAX_FAILURES_USER = 20
"""Per name from anywhere: a distributed guesser still meets a wall, and one office's NAT address
is never locked out as a whole by strangers trying made-up names (only those names are)."""
MAX_FAILURES_IP = 200
"""Per address, for spraying many names: high, so that a shared NAT address keeps working."""
_FORM_MAX = 16 * 1024


@dataclass(frozen=True)
class Viewer:
    user_id: int
    name: str
    role: str
    csrf: str


def same_secret(given: str, want: str) -> bool:
    """Constant-time comparison that never raises (compare_digest refuses non-ASCII str: a 500)."""
    return secrets.compare_digest(given.encode("utf-8", "replace"), want.encode("utf-8", "replace"))


def client_ip(request: Request) -> str:
    return (request.client.host if request.client else "-")[:64]


def audit(s, viewer: Viewer | None, request: Request, action: str, target: str, detail: str = "") -> None:
    s.add(AuditEntry(at=utcnow(), actor=(viewer.name if viewer else "-")[:80], role=viewer.role if viewer else "-",
                     action=action, target=target.replace("\x00", "\ufffd")[:80], ip=client_ip(request),
                     detail=detail.replace("\x00", "\ufffd")[:2000]))


def viewer_in(s, request: Request) -> Viewer | None:
    """The logged-in user of this request (inside the caller's transaction), or None."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token or len(token) > 200:
        return None
    row = s.execute(select(WebSession.csrf, User.id, User.name, User.role)
                    .join(User, User.id == WebSession.user_id)
                    .where(WebSession.token_hash == token_hash(token), WebSession.expires_at > utcnow(),
                           User.disabled.is_(False))).first()
    return Viewer(row.id, row.name, row.role, row.csrf) if row else None


def to_login(request: Request) -> RedirectResponse:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)


def safe_next(value: str | None) -> str:
    """Only a path on this site: never //host or a scheme (open redirect)."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value and len(value) < 500:
        return value
    return "/seekers"


async def read_form(request: Request) -> dict[str, str] | None:
    from envcheck.server.api import _read_bounded

    body = await _read_bounded(request, _FORM_MAX)
    if body is None:
        return None
    try:
        fields = parse_qs(body.decode("utf-8"), max_num_fields=20, keep_blank_values=True)
    except (UnicodeDecodeError, ValueError):
        return None
    return {k: v[0] for k, v in fields.items()}


def login_page(request: Request, message: str | None = None, status: int = 200, next_url: str = "/seekers"):
    from envcheck.server.pages import render

    st = request.app.state.envcheck
    nonce = request.cookies.get(NONCE_COOKIE) or ""
    if len(nonce) < 20 or len(nonce) > 100:
        nonce = secrets.token_urlsafe(24)
    resp = render(request, "login.html", {"message": message, "next": next_url,
                                          "login_csrf": login_csrf(st.settings.session_secret.reveal(), nonce)},
                  viewer=None, status=status)
    resp.set_cookie(NONCE_COOKIE, nonce, httponly=True, samesite="lax", path="/",
                    secure=request.url.scheme == "https")
    return resp


async def get_login(request: Request):
    return login_page(request, next_url=safe_next(request.query_params.get("next")))


def _lock_name(s, name: str) -> None:
    """Serialise the attempts for one name, so that the failures counted are exactly those made.
    SQLite: every transaction begins IMMEDIATE (db.make_engine), which already serialises them."""
    if s.get_bind().dialect.name == "postgresql":
        s.execute(text("SELECT pg_advisory_xact_lock(hashtext(:k))"), {"k": "login:" + name})


def _attempt(request: Request, name: str, password: str):
    """(status, message, session token) of one login attempt.

    The failure is recorded before the password is checked (and removed on success): 30
    simultaneous wrong passwords for one name get exactly MAX_FAILURES_USER_IP checks."""
    st = request.app.state.envcheck
    ip = client_ip(request)
    now = utcnow()
    with st.store.tx() as s:
        _lock_name(s, name)
        since = now - THROTTLE_WINDOW
        recent = LoginFailure.at > since
        pair = s.scalar(select(func.count()).select_from(LoginFailure)
                        .where(LoginFailure.name == name, LoginFailure.ip == ip, recent))
        per_name = s.scalar(select(func.count()).select_from(LoginFailure).where(LoginFailure.name == name, recent))
        from_ip = s.scalar(select(func.count()).select_from(LoginFailure).where(LoginFailure.ip == ip, recent))
        if pair >= MAX_FAILURES_USER_IP or per_name >= MAX_FAILURES_USER or from_ip >= MAX_FAILURES_IP:
            s.add(AuditEntry(at=now, actor=name, role="-", action="login_throttled", target=name, ip=ip, detail=""))
            return 429, "throttled", None
        pending = LoginFailure(name=name, ip=ip, at=now)
        s.add(pending)
        s.flush()
        pending_id = pending.id
        user_row = s.execute(select(User.id, User.name, User.role, User.password_hash)
                             .where(User.name == name, User.disabled.is_(False))).first()
    ok = check_password(password, user_row.password_hash if user_row else None)  # same cost for unknown users
    with st.store.tx() as s:
        if not ok or user_row is None:
            s.add(AuditEntry(at=now, actor=name, role="-", action="login_failed", target=name, ip=ip, detail=""))
            return 401, "login_failed", None
        token = new_token()
        s.execute(delete(WebSession).where(WebSession.expires_at < now))
        s.add(WebSession(token_hash=token_hash(token), user_id=user_row.id, csrf=secrets.token_hex(32),
                         created_at=now, expires_at=now + timedelta(hours=SESSION_HOURS)))
        s.execute(delete(LoginFailure).where(LoginFailure.name == name, LoginFailure.ip == ip))
        s.execute(delete(LoginFailure).where(LoginFailure.id == pending_id))
        s.add(AuditEntry(at=now, actor=user_row.name, role=user_row.role, action="login", target=user_row.name,
                         ip=ip, detail=""))
        return 303, None, token


async def post_login(request: Request):
    st = request.app.state.envcheck
    form = await read_form(request)
    if form is None:
        return login_page(request, "csrf", 400)
    nonce = request.cookies.get(NONCE_COOKIE, "")
    want = login_csrf(st.settings.session_secret.reveal(), nonce)
    if not nonce or not same_secret(form.get("csrf", ""), want):
        return login_page(request, "csrf", 403)
    name = form.get("username", "").strip()[:64]
    password = form.get("password", "")[:1024]
    next_url = safe_next(form.get("next"))
    if "\x00" in name or "\x00" in next_url or not name.isprintable():
        return login_page(request, "login_failed", 400, "/reports")  # no name has such characters
    status, message, token = await run_in_threadpool(_attempt, request, name, password)
    if token is None:
        return login_page(request, message, status, next_url)
    resp = RedirectResponse(next_url, status_code=303)
    resp.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="lax", path="/",
                    secure=request.url.scheme == "https", max_age=SESSION_HOURS * 3600)
    resp.delete_cookie(NONCE_COOKIE, path="/")
    return resp


def _logout(request: Request, csrf: str) -> bool | None:
    """True logged out, None nobody was logged in (nothing to do), False refused (CSRF)."""
    st = request.app.state.envcheck
    with st.store.tx() as s:
        viewer = viewer_in(s, request)
        if viewer is None:
            return None
        if not same_secret(csrf, viewer.csrf):
            return False
        s.execute(delete(WebSession).where(WebSession.token_hash == token_hash(request.cookies[SESSION_COOKIE])))
        audit(s, viewer, request, "logout", viewer.name)
    return True


async def post_logout(request: Request) -> Response:
    from envcheck.server.pages import render

    if request.headers.get("sec-fetch-site", "same-origin") not in ("same-origin", "none"):
        return render(request, "error.html", {"message": "csrf"}, viewer=None, status=403)
    form = await read_form(request) or {}
    done = await run_in_threadpool(_logout, request, form.get("csrf", ""))
    if done is False:
        return render(request, "error.html", {"message": "csrf"}, viewer=None, status=403)
    resp = RedirectResponse("/login", status_code=303)
    if done:  # a cross-site POST (no cookie sent, SameSite=Lax) must not clear the cookie either
        resp.delete_cookie(SESSION_COOKIE, path="/")
    return resp
