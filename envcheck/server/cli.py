"""`envcheck-server`: init, upgrade, add-user, add-token, enrol, confirm/reject-device, run, purge, rules.

Bad input: one line, exit 2."""

from __future__ import annotations

import argparse
import contextlib
import getpass
import os
import re
import sys

from envcheck.errors import EnvcheckError
from envcheck.server.security import ROLES


class CliError(EnvcheckError):
    """Bad usage or input of envcheck-server."""


def _settings():
    from envcheck.server.settings import Settings

    return Settings.from_env()


def _store(settings):
    from envcheck.server.db import Store, make_engine

    return Store(make_engine(settings.database_url, timeout=settings.db_timeout_seconds))


def cmd_init(args, out) -> int:
    from envcheck.server.migrate import upgrade
    from envcheck.server.security import create_server_key

    s = _settings()
    os.makedirs(s.home, mode=0o700, exist_ok=True)
    with contextlib.suppress(OSError):  # a home we may not chmod (mounted) still works
        os.chmod(s.home, 0o700)
    store = _store(s)
    upgrade(store.engine)
    if store.engine.dialect.name == "sqlite" and store.engine.url.database:
        os.chmod(store.engine.url.database, 0o600)  # reports are personal data: owner only
    made = create_server_key(s.server_key_path)
    print(f"envcheck-server: schema ready in {s.database_url.split('@')[-1]}", file=out)
    print(f"envcheck-server: server key {'created' if made else 'kept'} at {s.server_key_path}", file=out)
    return 0


def cmd_upgrade(args, out) -> int:
    from envcheck.server.migrate import current, upgrade

    store = _store(_settings())
    upgrade(store.engine)
    print(f"envcheck-server: schema at revision {current(store.engine)}", file=out)
    return 0


def _read_password(stdin) -> str:
    if stdin.isatty():
        first = getpass.getpass("Password: ")
        if getpass.getpass("Again: ") != first:
            raise CliError("the passwords differ")
        return first
    return stdin.readline().rstrip("\r\n")


def _name(value: str) -> str:
    if not re.fullmatch(r"[A-Za-z0-9._@-]{1,64}", value):
        raise CliError("a name may have 1 to 64 letters, digits and . _ @ -")
    return value


def cmd_add_user(args, out, stdin=sys.stdin) -> int:
    from sqlalchemy import select

    from envcheck.server.db import AuditEntry, User, utcnow
    from envcheck.server.security import hash_password

    name = _name(args.name)
    password = _read_password(stdin)
    if len(password) < 10:
        raise CliError("the password must have at least 10 characters")
    with _store(_settings()).tx() as s:
        user = s.scalar(select(User).where(User.name == name))
        if user is not None and not args.update:
            raise CliError(f"user {name} exists (use --update to change the role or password)")
        if user is None:
            user = User(name=name, created_at=utcnow(), disabled=False)
            s.add(user)
        user.role, user.password_hash = args.role, hash_password(password)
        s.add(AuditEntry(at=utcnow(), actor="envcheck-server", role="admin", action="add_user", target=name,
                         ip="-", detail=args.role))
    print(f"envcheck-server: user {name} ({args.role}) saved", file=out)
    return 0


def cmd_add_token(args, out) -> int:
    from sqlalchemy import select

    from envcheck.server.db import ApiToken, AuditEntry, utcnow
    from envcheck.server.security import new_token, token_hash

    name = _name(args.name)
    token = new_token()
    with _store(_settings()).tx() as s:
        if s.scalar(select(ApiToken.id).where(ApiToken.name == name)) is not None:
            raise CliError(f"a token named {name} exists")
        s.add(ApiToken(name=name, token_hash=token_hash(token), created_at=utcnow(), revoked=False))
        s.add(AuditEntry(at=utcnow(), actor="envcheck-server", role="admin", action="add_token", target=name,
                         ip="-", detail=""))
    print(token, file=out)
    print(f"envcheck-server: token {name} created; it is shown only this once", file=sys.stderr)
    return 0


def _switch_off(model, name: str, flag: str, action: str, what: str, also=None) -> None:
    """Set `flag` on the named user or token, with its audit entry, in one transaction."""
    from sqlalchemy import select

    from envcheck.server.db import AuditEntry, utcnow

    with _store(_settings()).tx() as s:
        row = s.scalar(select(model).where(model.name == name))
        if row is None:
            raise CliError(f"no {what} named {name}")
        setattr(row, flag, True)
        if also:
            also(s, row)
        s.add(AuditEntry(at=utcnow(), actor="envcheck-server", role="admin", action=action, target=name,
                         ip="-", detail=""))


def cmd_disable_user(args, out) -> int:
    """A person who left: no more logins, and their open sessions end now. Their audit trail stays."""
    from sqlalchemy import delete

    from envcheck.server.db import User, WebSession

    name = _name(args.name)
    _switch_off(User, name, "disabled", "disable_user", "user",
                also=lambda s, user: s.execute(delete(WebSession).where(WebSession.user_id == user.id)))
    print(f"envcheck-server: user {name} disabled; their sessions ended", file=out)
    return 0


def cmd_revoke_token(args, out) -> int:
    """A booking-service token that leaked or is no longer used: refused (401) from now on."""
    from envcheck.server.db import ApiToken

    name = _name(args.name)
    _switch_off(ApiToken, name, "revoked", "revoke_token", "token")
    print(f"envcheck-server: token {name} revoked", file=out)
    return 0


def _seeker(value: str) -> str:
    from envcheck.errors import InvalidSeekerNumber
    from envcheck.report.seeker import normalize_seeker_no

    try:
        return normalize_seeker_no(value)
    except InvalidSeekerNumber as exc:
        raise CliError(exc.diagnostics()) from None


def cmd_enrol(args, out) -> int:
    """Issue a one-time enrolment code for a job-seeker; print it to hand over (paper or マイページ)."""
    from envcheck.server.db import utcnow
    from envcheck.server.enrol import issue

    number = _seeker(args.seeker_no)
    with _store(_settings()).tx() as s:
        code, until = issue(s, number, "envcheck-server", "admin", "-", utcnow(), days=args.days)
    print(code, file=out)
    print(f"envcheck-server: enrolment code for {number}, valid until {until:%Y-%m-%d %H:%M} UTC, once; "
          f"the job-seeker enters it when sending the first report (envcheck check --upload --enrol CODE)",
          file=sys.stderr)
    return 0


def _device_decision(args, out, confirm: bool) -> int:
    from envcheck.server.devices import confirm_device_key, reject_device_key

    number = _seeker(args.seeker_no)
    if not re.fullmatch(r"[0-9a-f]{16}", args.key_id):
        raise CliError("a device key id is 16 lowercase hex digits (shown on the seeker's page)")
    with _store(_settings()).tx() as s:
        (confirm_device_key if confirm else reject_device_key)(s, number, args.key_id, _name(args.actor),
                                                               args.reason, role="admin")
    print(f"envcheck-server: device key {args.key_id} of {number} {'confirmed' if confirm else 'rejected'}",
          file=out)
    return 0


def cmd_confirm_device(args, out) -> int:
    return _device_decision(args, out, True)


def cmd_reject_device(args, out) -> int:
    return _device_decision(args, out, False)


def cmd_purge(args, out) -> int:
    from envcheck.server.db import utcnow
    from envcheck.server.intake import purge

    s = _settings()
    days = args.days if args.days is not None else s.retention_days
    counts = purge(_store(s), days, utcnow())
    print("envcheck-server: purged " + ", ".join(f"{v} {k}" for k, v in counts.items())
          + f" (older than {days} days)", file=out)
    return 0


def cmd_run(args, out) -> int:
    import uvicorn
    from uvicorn.supervisors import Multiprocess

    from envcheck.server import serving
    from envcheck.server.app import create_app

    s = _settings()
    app = create_app(s)  # fail here, with one line, when the key or rules are missing
    files = serving.raise_open_file_limit()
    print(f"envcheck-server: serving http://{args.host}:{args.port}/ ({args.workers} worker(s), headers within "
          f"{args.header_timeout} s, body within {s.body_timeout_seconds} s, idle {args.keep_alive} s, at most "
          f"{args.limit_concurrency} connections per worker, {files} open files); Ctrl+C stops", file=sys.stderr)
    opts = dict(host=args.host, port=args.port, workers=args.workers, log_level=args.log_level,
                header_timeout=args.header_timeout, keep_alive=args.keep_alive,
                limit_concurrency=args.limit_concurrency)
    if args.workers == 1:
        uvicorn.Server(serving.config(app, **opts)).run()  # the app made above (each worker process makes its own)
        return 0
    config = serving.config("envcheck.server.app:create_app_from_env", **opts)
    sock = config.bind_socket()
    try:
        supervisor = Multiprocess(config, sockets=[sock])
    except TypeError:  # uvicorn < 0.30
        supervisor = Multiprocess(config, target=uvicorn.Server(config).run,  # type: ignore[call-arg]
                                  sockets=[sock])  # (older uvicorn's signature; today's stubs know only the new one)
    supervisor.run()
    return 0


def cmd_openapi(args, out) -> int:
    import json

    from envcheck.server.app import openapi_document

    print(json.dumps(openapi_document(), indent=2, ensure_ascii=False, sort_keys=True), file=out)
    return 0


def _port(value: str) -> int:
    if not value.isdigit() or not 1 <= int(value) <= 65535:
        raise argparse.ArgumentTypeError("a port is a number from 1 to 65535")
    return int(value)


def _positive(value: str) -> int:
    if not value.isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError("must be a whole number of at least 1")
    return int(value)


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, exit 2
        raise CliError(message)


def parser() -> argparse.ArgumentParser:
    p = _Parser(prog="envcheck-server", description="envcheck intake service (docs/server.md)")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)
    sub.add_parser("init", help="create the schema (Alembic) and the server key").set_defaults(func=cmd_init)
    sub.add_parser("upgrade", help="apply schema migrations").set_defaults(func=cmd_upgrade)
    u = sub.add_parser("add-user", help="add a web user; password from a prompt, or stdin when not a tty")
    u.add_argument("name")
    u.add_argument("--role", required=True, choices=ROLES)
    u.add_argument("--update", action="store_true", help="change an existing user's role and password")
    u.set_defaults(func=cmd_add_user)
    t = sub.add_parser("add-token", help="create a booking-service API token (printed once)")
    t.add_argument("name")
    t.set_defaults(func=cmd_add_token)
    d = sub.add_parser("disable-user", help="stop a web user from logging in and end their sessions")
    d.add_argument("name")
    d.set_defaults(func=cmd_disable_user)
    v = sub.add_parser("revoke-token", help="refuse a booking-service API token from now on")
    v.add_argument("name")
    v.set_defaults(func=cmd_revoke_token)
    r = sub.add_parser("run", help="serve HTTP with uvicorn")
    r.add_argument("--host", default="127.0.0.1")
    r.add_argument("--port", type=_port, default=8080)
    r.add_argument("--workers", type=_positive, default=1)
    r.add_argument("--header-timeout", type=_positive, default=10,
                   help="seconds a connection has to send its request headers (default 10)")
    r.add_argument("--keep-alive", type=_positive, default=5, help="seconds an idle keep-alive connection stays (5)")
    r.add_argument("--limit-concurrency", type=_positive, default=2048,
                   help="connections per worker before answering 503 (default 2048)")
    r.add_argument("--log-level", default="warning", choices=("critical", "error", "warning", "info", "debug"))
    r.set_defaults(func=cmd_run)
    e = sub.add_parser("enrol", help="issue a one-time enrolment code for a job-seeker number (printed once)")
    e.add_argument("seeker_no")
    e.add_argument("--days", type=_positive, default=30, help="how long the code can be used (default 30)")
    e.set_defaults(func=cmd_enrol)
    for cmd, func, what in (("confirm-device", cmd_confirm_device, "count this device key's reports"),
                            ("reject-device", cmd_reject_device, "stop counting this device key's reports")):
        c = sub.add_parser(cmd, help=f"{what} for the job-seeker's eligibility (audited)")
        c.add_argument("seeker_no")
        c.add_argument("key_id")
        c.add_argument("--actor", required=True, help="the counselor who decided")
        c.add_argument("--reason", required=True, help="what was confirmed with the job-seeker, and how")
        c.set_defaults(func=func)
    g = sub.add_parser("purge", help="delete reports older than the retention period")
    g.add_argument("--days", type=_positive, default=None)
    g.set_defaults(func=cmd_purge)
    sub.add_parser("openapi", help="print the OpenAPI document (docs/openapi.json)").set_defaults(func=cmd_openapi)
    from envcheck.server.rulescli import add_parser as add_rules_parser
    add_rules_parser(sub, _positive)
    return p


def main(argv: list[str] | None = None) -> int:
    try:
        args = parser().parse_args(argv)
        return args.func(args, sys.stdout)
    except EnvcheckError as exc:
        print(f"envcheck-server: {exc.diagnostics()}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # the database refused: one line, not a traceback
        from sqlalchemy.exc import SQLAlchemyError

        if not isinstance(exc, SQLAlchemyError):
            raise
        why = str(getattr(exc, "orig", None) or exc).strip().splitlines()
        print(f"envcheck-server: database error: {why[0] if why else type(exc).__name__}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
