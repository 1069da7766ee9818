"""The ASGI application: `create_app(settings)` wires settings, store, rules and key to the routes.

Nothing is configured at import time; `create_app_from_env` is the factory uvicorn calls.
"""

from __future__ import annotations

import asyncio
import logging
import os
from contextlib import asynccontextmanager
from dataclasses import dataclass

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.routing import APIRoute
from jinja2 import Environment
from sqlalchemy.exc import DataError
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import BaseRoute

from envcheck import __version__
from envcheck.ruleset.loader import Rules, load_rules
from envcheck.server import api, browsercheck, pages, seekers, support, web, webauth
from envcheck.server.db import Store, StoreUnavailable, make_engine
from envcheck.server.quota import Refused
from envcheck.server.security import SECURITY_HEADERS, load_server_key, public_key_b64
from envcheck.server.settings import Settings
from envcheck.report.signing import key_id


@dataclass
class AppState:
    settings: Settings
    store: Store
    rules: Rules
    key: object
    key_id: str
    public_key: str
    templates: Environment
    blob: bytes
    """8 MiB of random bytes for GET /api/v1/speedtest."""
    refused: object = None
    """quota.Refused: addresses this process saw over their quota, and a full store (refused before any work)."""


def _html(path: str, endpoint, methods=("GET",)) -> APIRoute:
    return APIRoute(path, endpoint, methods=list(methods), include_in_schema=False, response_class=HTMLResponse)


routes: list[BaseRoute] = [
    *api.routes,
    _html("/", web.home),
    _html("/login", webauth.get_login),
    _html("/login", webauth.post_login, methods=("POST",)),
    _html("/logout", webauth.post_logout, methods=("POST",)),
    _html("/reports", web.list_reports),
    _html("/reports/{report_id}", web.show_report),
    _html("/seekers", seekers.list_seekers),
    _html("/seekers/{seeker_no}", seekers.show_seeker),
    _html("/seekers/{seeker_no}/decisions", seekers.post_decision, methods=("POST",)),
    _html("/uploads", support.list_uploads),
    _html("/audit", web.show_audit),
    _html("/check", browsercheck.check_page),
    _html("/check/submit", browsercheck.check_submit, methods=("POST",)),
    APIRoute("/check/static/{name}", browsercheck.check_static, methods=["GET"], include_in_schema=False),
]



class SecurityHeaders:
    """Pure ASGI middleware: a strict CSP (no script at all) and friends on every response."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def sending(message):
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                extra = browsercheck.HEADERS if browsercheck.is_check_path(scope["path"]) else SECURITY_HEADERS
                message["headers"] = list(message["headers"]) + extra
            await send(message)

        await self.app(scope, receive, sending)


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path == "/healthz"


def _page_error(request: Request, message: str, status: int):
    return pages.render(request, "error.html", {"message": message}, viewer=None, status=status)


async def _unavailable(request: Request, exc: StoreUnavailable):
    if _is_api(request):
        return JSONResponse({"error": exc.diagnostics()}, status_code=503, headers={"Retry-After": "5"})
    return _page_error(request, "unavailable", 503)


async def _http_error(request: Request, exc: StarletteHTTPException):
    if _is_api(request):
        return JSONResponse({"error": str(exc.detail)}, status_code=exc.status_code, headers=exc.headers)
    return _page_error(request, "not_found" if exc.status_code == 404 else "forbidden", exc.status_code)


async def _bad_value(request: Request, exc: DataError):
    """A value the database cannot hold (NUL in text, a number out of range): the client's fault."""
    if _is_api(request):
        return JSONResponse({"error": "a value in the request cannot be stored or searched for"}, status_code=400)
    return _page_error(request, "bad_request", 400)


async def _slow_body(request: Request, exc: api.SlowBody):
    headers = {"Connection": "close"}
    if _is_api(request):
        return JSONResponse({"error": "the request body did not arrive in time"}, status_code=408, headers=headers)
    resp = _page_error(request, "bad_request", 408)
    resp.headers["Connection"] = "close"
    return resp


async def _internal(request: Request, exc: Exception):
    """The last resort (ServerErrorMiddleware logs the traceback): one JSON line, no details."""
    if _is_api(request):
        return JSONResponse({"error": "internal error; the office has been told (see the server log)"},
                            status_code=500)
    return _page_error(request, "unavailable", 500)


async def _invalid(request: Request, exc: RequestValidationError):
    first = exc.errors()[0] if exc.errors() else {}
    where = ".".join(str(p) for p in first.get("loc", ()))
    return JSONResponse({"error": f"{where}: {first.get('msg', 'invalid request')}"}, status_code=422)


def _fastapi() -> FastAPI:
    return FastAPI(title="envcheck intake service", version=__version__, routes=routes,
                   description="Receives signed envcheck reports, re-judges them, answers eligibility. "
                               "See docs/server.md.",
                   exception_handlers={StoreUnavailable: _unavailable, StarletteHTTPException: _http_error,
                                       RequestValidationError: _invalid, DataError: _bad_value,
                                       api.SlowBody: _slow_body,
                                       Exception: _internal},
                   docs_url=None, redoc_url=None, openapi_url="/api/v1/openapi.json")


def openapi_document() -> dict:
    """The OpenAPI document the service serves (docs/openapi.json is a copy; a test keeps it current)."""
    return _fastapi().openapi()


log = logging.getLogger("envcheck.server")


async def _housekeeping(st: AppState) -> None:
    """The retention purge on a schedule. Every process runs it; purging is idempotent, so several at
    once do no harm (the storage bound needs no count here: store_totals is kept by each transaction)."""
    from envcheck.server.db import utcnow
    from envcheck.server.intake import purge

    every = st.settings.purge_every_minutes * 60
    while every:
        try:
            await run_in_threadpool(purge, st.store, st.settings.retention_days, utcnow())
        except Exception as exc:  # noqa: BLE001 - any database failure: say so in one line, try again later
            log.warning("housekeeping (purge) failed: %s", str(exc).splitlines()[0][:200] if str(exc) else exc)
        await asyncio.sleep(every)


@asynccontextmanager
async def _lifespan(app: FastAPI):
    task = asyncio.create_task(_housekeeping(app.state.envcheck))
    try:
        yield
    finally:
        task.cancel()


def create_app(settings: Settings, rules: Rules | None = None) -> FastAPI:
    """The service for these settings; the database schema must exist (`envcheck-server init`)."""
    key = load_server_key(settings.server_key_path)
    store = Store(make_engine(settings.database_url, timeout=settings.db_timeout_seconds))
    app = _fastapi()
    block = os.urandom(64 * 1024)
    app.state.envcheck = AppState(settings=settings, store=store, rules=rules or load_rules(settings.rules_dir),
                                  key=key, key_id=key_id(key.public_key()), public_key=public_key_b64(key),
                                  templates=pages.templates(), blob=block * (api.SPEEDTEST_MAX // len(block)),
                                  refused=Refused())
    app.router.lifespan_context = _lifespan
    inner = app.build_middleware_stack
    # Outermost, around Starlette's ServerErrorMiddleware: a 500 carries the headers too.
    app.build_middleware_stack = lambda: SecurityHeaders(inner())  # type: ignore[method-assign]
    return app


def create_app_from_env() -> FastAPI:
    """Factory for `uvicorn --factory` (each worker process reads the environment itself)."""
    return create_app(Settings.from_env())
