"""The machine API under /api/v1 (DESIGN §4) and /healthz. Every error is {"error": "<one line>"}."""

from __future__ import annotations

import asyncio
import json
import os
import re
from datetime import timedelta

from fastapi import Query, Request
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.routing import APIRoute
from pydantic import BaseModel
from sqlalchemy import select, text
from starlette.concurrency import run_in_threadpool

from envcheck.errors import InvalidSeekerNumber
from envcheck.report.canonical import loads_strict
from envcheck.report.seeker import normalize_seeker_no
from envcheck.server import attempts
from envcheck.server.db import ApiToken, AuditEntry, StoreUnavailable, utcnow
from envcheck.server.intake import Rejected, check_upload, eligibility, store_report
from envcheck.server.quota import Bound, Limit, OverQuota, StoreFull, charge
from envcheck.server.security import token_hash

SPEEDTEST_MAX = 8 * 1024 * 1024
SPEEDTEST_RUNS = 60
SPEEDTEST_BYTES = 128 * 1024 * 1024
"""Per address per hour, both directions together."""
_DRAIN_MAX = 1024 * 1024  # read (and drop) this much of an oversized body so the client sees the 413


class ErrorBody(BaseModel):
    error: str
    code: str | None = None


class ReceiptSignature(BaseModel):
    alg: str
    key_id: str
    value: str


class Receipt(BaseModel):
    format: str
    receipt_no: str
    report_id: str
    received_at: str
    verdict: str
    sha256: str
    server_key_id: str
    signature: ReceiptSignature


class EligibilityOut(BaseModel):
    seeker_no: str
    eligible: bool
    code: str
    """passed, granted (a counselor's decision), no_report, failed, incomplete, expired, revoked, device_rejected,
    browser_not_accepted (a browser check where the office accepts only the desktop program)."""
    reason: str
    report_id: str | None
    valid_until: str | None


class ServerKeyOut(BaseModel):
    alg: str
    key_id: str
    public_key: str


class Health(BaseModel):
    status: str


class Received(BaseModel):
    received: int


def error(status: int, reason: str, headers: dict | None = None, code: str | None = None) -> JSONResponse:
    """{"error": reason for people, "code": the refusal's kind for programs (intake.Rejected.code)}."""
    return JSONResponse({"error": reason, **({"code": code} if code else {})}, status_code=status, headers=headers)


def _errors(*codes: int) -> dict:
    return {c: {"model": ErrorBody} for c in codes}


class SlowBody(Exception):
    """The client did not send its body within the deadline (answered 408, connection closed)."""


async def _read_bounded(request: Request, limit: int) -> bytes | None:
    """The body, or None when it is over `limit` bytes (whatever Content-Length claims).
    Raises SlowBody when it does not arrive within settings.body_timeout_seconds."""
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > max(limit, _DRAIN_MAX)):
        return None
    body = bytearray()
    total = 0
    try:
        async with asyncio.timeout(request.app.state.envcheck.settings.body_timeout_seconds):
            async for chunk in request.stream():
                total += len(chunk)
                if total > limit:
                    if total > _DRAIN_MAX:
                        break  # stop reading: the connection is closed after the 413
                    continue
                body += chunk
    except TimeoutError:
        raise SlowBody() from None
    return None if total > limit else bytes(body)


async def post_report(request: Request):
    """Receive a signed report (envcheck.report/1). 201 stored, 200 stored before (same receipt),
    409 same report id with other content, 400/422 unreadable, invalid, badly signed, stale or
    future-dated, 413 too large, 429 over a quota, 503 the database is busy or down, 507 the store is
    full (nothing was written in any of these)."""
    st = request.app.state.envcheck
    body = await _read_bounded(request, st.settings.max_report_bytes)
    now = utcnow()
    addr = Limit(f"addr:{_ip(request)}", st.settings.rate_per_address, st.settings.bytes_per_address)
    wait = st.refused.check(addr.bucket, now)
    if wait is not None:  # this process saw the database refuse this address in this window
        return error(429, "too many requests from this address this hour; try again later",
                     {"Retry-After": str(wait)})
    if st.refused.check(_FULL, now) is not None:  # the database said full less than a minute ago
        return error(507, _FULL_REASON, {"Retry-After": "3600"}, code="store_full")
    return await run_in_threadpool(_receive, st, body, addr, now)  # one thread hop for all the work


_FULL = "store:full"
_FULL_REASON = "the service's storage is full; the office has been told, try again tomorrow"


def _receive(st, body: bytes | None, addr: Limit, now) -> JSONResponse:
    """Check, store and log one upload (in a worker thread: it verifies, re-judges and writes)."""
    s = st.settings
    try:
        if body is None:
            charge(st.store, [addr], s.max_report_bytes, now)
            attempts.refused(st.store, now, 413, "too_large", None)
            return error(413, f"the report is larger than {s.max_report_bytes} bytes")
        try:
            checked = check_upload(body, st.rules, now, timedelta(hours=s.max_report_age_hours),
                                   timedelta(seconds=s.clock_skew_seconds))
            # the address, the seeker, the totals and the upload log: in the report's own transaction
            outcome = store_report(st.store, checked, st.rules, st.key, now, s.rate_per_seeker,
                                   s.max_reports_per_seeker, (addr,), Bound(s.max_stored_reports, s.max_stored_bytes))
        except Rejected as exc:
            charge(st.store, [addr], len(body), now)  # refused uploads count too
            attempts.refused(st.store, now, exc.status, exc.code, body)
            return error(exc.status, str(exc), code=exc.code)
    except OverQuota as exc:
        if "address" in str(exc):
            st.refused.remember(addr.bucket, now)
        return error(429, str(exc), {"Retry-After": str(exc.retry_after)})
    except StoreFull:
        st.refused.remember(_FULL, now, now + timedelta(minutes=1))
        attempts.refused(st.store, now, 507, "store_full", body)
        return error(507, _FULL_REASON, {"Retry-After": "3600"}, code="store_full")
    return JSONResponse(outcome.receipt, status_code=outcome.status)


def _bearer(request: Request) -> str | None:
    auth = request.headers.get("authorization", "")
    scheme, _, value = auth.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def get_eligibility(seeker_no: str, request: Request):
    """May this job-seeker book? Needs a booking-service token (`Authorization: Bearer <token>`)."""
    st = request.app.state.envcheck
    token = _bearer(request)
    if token is None:
        return error(401, "a booking-service token is required (Authorization: Bearer <token>)",
                     {"WWW-Authenticate": "Bearer"})
    try:
        number = normalize_seeker_no(seeker_no)
    except InvalidSeekerNumber as exc:
        return error(400, exc.diagnostics())
    with st.store.tx() as s:
        name = s.scalar(select(ApiToken.name).where(ApiToken.token_hash == token_hash(token),
                                                    ApiToken.revoked.is_(False)))
        if name is None:
            return error(401, "unknown or revoked token", {"WWW-Authenticate": "Bearer"})
        answer = eligibility(s, number, st.rules, utcnow())
        s.add(AuditEntry(at=utcnow(), actor=f"token:{name}"[:80], role="booking", action="eligibility",
                         target=number, ip=_ip(request), detail=json.dumps({"eligible": answer.eligible})))
    return JSONResponse(answer.as_dict())


class EnrolmentIn(BaseModel):
    seeker_no: str


class EnrolmentOut(BaseModel):
    seeker_no: str
    code: str
    expires_at: str


async def post_enrolment(request: Request):
    """Issue a one-time enrolment code for a job-seeker (the office's system, with its token). Give the
    code to the job-seeker (マイページ message or paper): the first report carrying it pins the device."""
    st = request.app.state.envcheck
    token = _bearer(request)
    if token is None:
        return error(401, "an office token is required (Authorization: Bearer <token>)", {"WWW-Authenticate": "Bearer"})
    body = await _read_bounded(request, 1024)
    if body is None:
        return error(413, "at most 1024 bytes")
    try:
        doc = loads_strict(body.decode("utf-8"))
        number = normalize_seeker_no(doc["seeker_no"]) if isinstance(doc, dict) and isinstance(
            doc.get("seeker_no"), str) else None
    except (ValueError, RecursionError):
        return error(400, 'the body must be JSON like {"seeker_no": "01234-00000001"}')
    except InvalidSeekerNumber as exc:
        return error(400, exc.diagnostics())
    if number is None:
        return error(400, 'the body must be JSON like {"seeker_no": "01234-00000001"}')
    return await run_in_threadpool(_issue, st, token, number, _ip(request))


def _issue(st, token: str, number: str, ip: str):
    from envcheck.server.enrol import issue

    with st.store.tx() as s:
        name = s.scalar(select(ApiToken.name).where(ApiToken.token_hash == token_hash(token),
                                                    ApiToken.revoked.is_(False)))
        if name is None:
            return error(401, "unknown or revoked token", {"WWW-Authenticate": "Bearer"})
        code, until = issue(s, number, f"token:{name}", "office", ip, utcnow())
    return JSONResponse({"seeker_no": number, "code": code, "expires_at": until.strftime("%Y-%m-%dT%H:%M:%SZ")},
                        status_code=201, headers={"Cache-Control": "no-store"})


def _ip(request: Request) -> str:
    return (request.client.host if request.client else "-")[:64]


_METADATA = re.compile(r"^(?:[1-9][0-9]{0,8}\.(?:root|targets|snapshot)|root|timestamp)\.json$")
_TARGET = re.compile(r"^[0-9a-f]{64}\.rules\.tar\.gz$")


def _repo_file(request: Request, folder: str, name: str, pattern: re.Pattern, cache: str):
    """One file of the TUF repository, read-only; names are matched exactly, never joined blindly."""
    if not pattern.match(name):
        return error(404, "no such file in the rules repository")
    path = os.path.join(request.app.state.envcheck.settings.rules_repo, folder, name)
    if not os.path.isfile(path):
        return error(404, "no such file in the rules repository")
    return FileResponse(path, media_type="application/json" if name.endswith(".json") else "application/gzip",
                        headers={"Cache-Control": cache})


def get_rules_metadata(name: str, request: Request):
    """TUF metadata of the published rules (root history, timestamp, snapshot, targets)."""
    # timestamp.json and root.json change in place: never cached. Versioned files never change.
    fixed = name[0].isdigit()
    return _repo_file(request, "metadata", name, _METADATA,
                      "public, max-age=31536000, immutable" if fixed else "no-store")


def get_rules_target(name: str, request: Request):
    """A published rules archive, named by its SHA-256 (consistent snapshots)."""
    return _repo_file(request, "targets", name, _TARGET, "public, max-age=31536000, immutable")


def get_server_key(request: Request):
    """The public key that signs receipts."""
    st = request.app.state.envcheck
    return {"alg": "Ed25519", "key_id": st.key_id, "public_key": st.public_key}


def healthz(request: Request):
    """200 when the database answers; 503 otherwise."""
    with request.app.state.envcheck.store.tx() as s:
        s.execute(text("SELECT 1"))
    return {"status": "ok"}


def _speed_quota(request: Request, nbytes: int) -> JSONResponse | None:
    st = request.app.state.envcheck
    try:  # a diagnostics run measures a few times; 8 MiB each way is a lot to give a stranger
        charge(st.store, [Limit(f"speed:{_ip(request)}", SPEEDTEST_RUNS, SPEEDTEST_BYTES)], nbytes, utcnow())
    except OverQuota as exc:
        return error(429, str(exc), {"Retry-After": str(exc.retry_after)})
    return None


def speedtest_get(request: Request, n: int = Query(1024 * 1024, alias="bytes", ge=0, le=SPEEDTEST_MAX)):
    """N bytes of incompressible data (at most 8 MiB) for the diagnostics' download measurement."""
    refused = _speed_quota(request, n)
    if refused is not None:
        return refused
    return Response(request.app.state.envcheck.blob[:n], media_type="application/octet-stream",
                    headers={"Cache-Control": "no-store"})


async def speedtest_post(request: Request):
    """Accept a body of at most 8 MiB and say how many bytes arrived (upload measurement)."""
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > SPEEDTEST_MAX):
        return error(413, f"at most {SPEEDTEST_MAX} bytes")
    refused = await run_in_threadpool(_speed_quota, request, int(declared) if declared else SPEEDTEST_MAX)
    if refused is not None:
        return refused
    n = 0
    try:
        async with asyncio.timeout(max(60, request.app.state.envcheck.settings.body_timeout_seconds)):
            async for chunk in request.stream():
                n += len(chunk)
                if n > SPEEDTEST_MAX:
                    return error(413, f"at most {SPEEDTEST_MAX} bytes")
    except TimeoutError:
        raise SlowBody() from None
    return {"received": n}


_REPORT_BODY = {"requestBody": {"required": True, "content": {"application/json": {"schema": {
    "type": "object", "description": "A signed envcheck.report/1 document (DESIGN §4), at most 256 KiB."}}}}}

routes = [
    APIRoute("/api/v1/reports", post_report, methods=["POST"], response_model=Receipt, status_code=201,
             openapi_extra=_REPORT_BODY, responses={200: {"model": Receipt, "description": "Received before"},
                                                   **_errors(400, 408, 409, 413, 422, 429, 503, 507)}, tags=["intake"]),
    APIRoute("/api/v1/enrolments", post_enrolment, methods=["POST"], response_model=EnrolmentOut, status_code=201,
             openapi_extra={"requestBody": {"required": True, "content": {"application/json": {
                 "schema": EnrolmentIn.model_json_schema()}}}},
             responses=_errors(400, 401, 413, 503), tags=["booking"]),
    APIRoute("/api/v1/eligibility/{seeker_no}", get_eligibility, methods=["GET"], response_model=EligibilityOut,
             responses=_errors(400, 401, 503), tags=["booking"]),
    APIRoute("/api/v1/rules/metadata/{name}", get_rules_metadata, methods=["GET"], response_class=Response,
             responses=_errors(404), tags=["rules"]),
    APIRoute("/api/v1/rules/targets/{name}", get_rules_target, methods=["GET"], response_class=Response,
             responses=_errors(404), tags=["rules"]),
    APIRoute("/api/v1/server-key", get_server_key, methods=["GET"], response_model=ServerKeyOut, tags=["intake"]),
    APIRoute("/api/v1/speedtest", speedtest_get, methods=["GET"], response_class=Response,
             responses={200: {"content": {"application/octet-stream": {}}}, **_errors(422, 429)},
             tags=["diagnostics"]),
    APIRoute("/api/v1/speedtest", speedtest_post, methods=["POST"], response_model=Received,
             responses=_errors(408, 413, 429), tags=["diagnostics"]),
    APIRoute("/healthz", healthz, methods=["GET"], response_model=Health, responses=_errors(503), tags=["ops"]),
]

__all__ = ["routes", "error", "StoreUnavailable"]
