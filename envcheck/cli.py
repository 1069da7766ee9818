"""Command line: parse arguments, call the pipeline, map errors to exit statuses. Nothing else.

Exit statuses (DESIGN §4): check 0 pass, 1 fail, 3 incomplete; 2 bad usage or bad input,
with a one-line reason on stderr and no traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime, timezone
from enum import IntEnum

from envcheck import __version__
from envcheck.errors import EnvcheckError, UsageError
from envcheck.glossary import default_lang


class ExitStatus(IntEnum):
    PASS = 0
    FAIL = 1
    ERROR = 2
    INCOMPLETE = 3


VERDICT_STATUS = {"pass": ExitStatus.PASS, "fail": ExitStatus.FAIL, "incomplete": ExitStatus.INCOMPLETE}


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, status 2, like every other bad input
        raise UsageError(message)


def _now(text: str | None) -> datetime | None:
    if text is None:
        return None
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise UsageError(f"--now {text!r} is not an ISO-8601 date or time") from None
    return when if when.tzinfo else when.replace(tzinfo=timezone.utc)


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="envcheck", description="Check this device against the online counselling terms of use.")
    p.add_argument("--version", action="version", version=f"envcheck {__version__}")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)

    c = sub.add_parser("check", help="run every check and print the result")
    c.add_argument("--json", action="store_true", help="print the report as JSON")
    c.add_argument("--out", metavar="FILE", help="write the report to FILE")
    c.add_argument("--replay", metavar="SNAPSHOT", help="evaluate a snapshot instead of this machine")
    c.add_argument("--now", metavar="ISO", help="evaluate as of this instant (ISO-8601)")
    c.add_argument("--rules", metavar="DIR", help="use the rules in DIR instead of the built-in set")
    c.add_argument("--lang", choices=("ja", "en"), help="language of the output (default: from the locale)")
    c.add_argument("--seeker-no", metavar="N", help="job-seeker number, e.g. 01234-12345678")
    c.add_argument("--offline", action="store_true", help="do not touch the network (network checks skipped)")
    c.add_argument("--explain-data", action="store_true",
                   help="list every field the report would send and why, then exit")
    c.add_argument("--upload", action="store_true", help="send the signed report to the intake service")
    c.add_argument("--yes", action="store_true", help="consent to sending without asking (for scripts)")
    c.add_argument("--enrol", metavar="CODE", help="the one-time enrolment code the office gave you (with --upload)")
    _server_args(c)

    se = sub.add_parser("send", help="deliver the reports waiting in the outbox")
    se.add_argument("--lang", choices=("ja", "en"), help="language of the output (default: from the locale)")
    _server_args(se)

    r = sub.add_parser("rules", help="show the rules in use, their version and where they came from")
    r.add_argument("--offline", action="store_true", help="do not look for an update")
    _server_args(r)

    from envcheck.netcheck import cli as diagnose_cli
    diagnose_cli.add_parser(sub)

    v = sub.add_parser("verify", help="check a report's signature and format")
    v.add_argument("file", metavar="FILE", help="report file, or - for standard input")

    s = sub.add_parser("snapshot", help="record every probe's raw value (support bundle)")
    s.add_argument("--out", metavar="FILE", required=True)
    s.add_argument("--offline", action="store_true")

    g = sub.add_parser("gui", help="open the checker window")
    g.add_argument("--replay", metavar="SNAPSHOT", help="show a snapshot instead of this machine")
    g.add_argument("--lang", choices=("ja", "en"), default="ja", help="language of the window (default: ja)")
    return p


def _server_args(p) -> None:
    p.add_argument("--server", metavar="URL", help="intake service (default: ENVCHECK_SERVER or the config file)")
    p.add_argument("--ca-bundle", metavar="FILE", help="CA certificate file of an office with its own CA")


def _choose_rules(args, online: bool):
    """--rules DIR as given; else the newest verified of the built-in and updated sets (updating when online)."""
    from envcheck.delivery.rules import rules_for

    config = None
    if online and not getattr(args, "rules", None):
        from envcheck.errors import UploadError
        from envcheck.office import find_config
        try:
            config = find_config(getattr(args, "server", None), getattr(args, "ca_bundle", None))
        except UploadError as exc:
            raise UsageError(exc.diagnostics()) from None
    return rules_for(getattr(args, "rules", None), online, config)


def _load_rules(args):
    return _choose_rules(args, online=False).rules


def cmd_check(args) -> ExitStatus:
    from envcheck.pipeline import live_host, run_check
    from envcheck.report.seeker import normalize_seeker_no

    if args.explain_data:
        from envcheck.report.explain import explain
        sys.stdout.write(explain(args.lang or default_lang()))
        return ExitStatus.PASS

    seeker = normalize_seeker_no(args.seeker_no) if args.seeker_no is not None else None
    if args.enrol:  # a mistyped code is said before the check runs, not after
        from envcheck.report.seeker import normalize_enrolment_code
        if not args.upload or seeker is None:
            raise UsageError("--enrol is used with --upload and --seeker-no (the code is for that number)")
        normalize_enrolment_code(args.enrol)
    now = _now(args.now)
    choice = _choose_rules(args, online=not (args.offline or args.replay))
    rules = choice.rules
    if args.replay:
        from envcheck.probes import ReplayHost, read_snapshot
        host = ReplayHost(read_snapshot(args.replay))
    else:
        host = live_host(rules, offline=args.offline, server_url=args.server)
    run = run_check(host, rules, now=now, seeker_no=seeker, rules_source=choice.report_fields())
    report = run.report
    if args.enrol:
        from envcheck.delivery.upload import with_enrolment
        report = with_enrolment(report, args.enrol)
    if args.out or args.json or args.upload:
        # Only a report that leaves this process is signed: crypto stays off the plain offline path.
        from envcheck.report.signing import load_or_create_key, sign_report
        report = sign_report(report, load_or_create_key())
    if args.out:
        from envcheck.files import write_atomic
        write_atomic(args.out, (json.dumps(report, ensure_ascii=False, indent=2) + "\n").encode("utf-8"))
    if args.json:
        sys.stdout.write(json.dumps(report, ensure_ascii=False, indent=2) + "\n")
    else:
        from envcheck.report.render import render
        sys.stdout.write(render(report, rules, args.lang or default_lang(), stale=run.rules_stale))
    if args.upload:
        _upload(report, args)
    return VERDICT_STATUS[report["verdict"]]


def _ask_consent(lang: str) -> bool:
    from envcheck.report.explain import explain

    print(explain(lang), file=sys.stderr)
    question = "この報告書を送信しますか？ [y/N]: " if lang == "ja" else "Send this report? [y/N]: "
    print(question, end="", file=sys.stderr, flush=True)
    answer = sys.stdin.readline().strip().lower()
    return answer in ("y", "yes", "はい")


def _server(args):
    from envcheck.office import find_config

    config = find_config(args.server, args.ca_bundle)
    if config is None:
        raise UsageError("no intake service is configured: use --server URL or set ENVCHECK_SERVER")
    return config


def _upload(report: dict, args) -> None:
    """Consent, then the delivery service (outbox, send, receipt); then what happens next, in words."""
    from envcheck.delivery.service import Consent, DeliveryService

    lang = args.lang or default_lang()
    config = _server(args)
    if not args.yes:
        if not sys.stdin or not sys.stdin.isatty():
            raise UsageError("sending needs your consent: run interactively, or add --yes")
        if not _ask_consent(lang):
            print("送信しませんでした。" if lang == "ja" else "Not sent.", file=sys.stderr)
            return
    delivery = DeliveryService(config).send(report, Consent.now(lang, "cli", "flag" if args.yes else "asked"))
    _tell(delivery, lang)


def _tell(delivery, lang: str, name: str = "") -> None:
    """The Delivery as the window says it: a sent report on stdout; a kept or refused one on stderr,
    with the technical reason first (for support) and then the same words the window shows."""
    from envcheck.delivery.texts import message
    from envcheck.office import load_office

    head, then = message(delivery, lang, load_office(), program="cli")
    out = sys.stdout if delivery.outcome == "sent" else sys.stderr
    if delivery.error is not None:
        print(f"envcheck: {name}{delivery.error.diagnostics()}", file=out)
    print(f"{name}{head}\n{then}", file=out)


def cmd_send(args) -> ExitStatus:
    """Deliver every waiting report; 0 when all were sent, 1 when some are still kept or were refused."""
    from envcheck.delivery.service import DeliveryService
    from envcheck.delivery.texts import text

    lang = args.lang or default_lang()
    deliveries = DeliveryService(_server(args)).flush()
    if not deliveries:
        print(text(lang, "outbox_empty"))
        return ExitStatus.PASS
    for d in deliveries:
        _tell(d, lang, name=f"{d.report_id}: ")
    return ExitStatus.PASS if all(d.outcome == "sent" for d in deliveries) else ExitStatus.FAIL


def cmd_snapshot(args) -> ExitStatus:
    from envcheck.files import write_atomic
    from envcheck.pipeline import live_host
    from envcheck.report.privacy import Identity, scrub_snapshot
    from envcheck.probes import make_snapshot

    rules = _load_rules(args)
    host = live_host(rules, offline=args.offline)
    snap = scrub_snapshot(make_snapshot(host.platform, host.collect()), rules, Identity.of_this_machine())
    write_atomic(args.out, (json.dumps(snap, ensure_ascii=False, indent=1) + "\n").encode("utf-8"))
    print(f"snapshot written to {args.out} ({len(snap['probes'])} probes; personal data removed, "
          "see its \"privacy\" field)")
    return ExitStatus.PASS


def cmd_verify(args) -> ExitStatus:
    """0 valid, 1 invalid (with the reason), 2 unreadable."""
    from envcheck.report.schema import InvalidReport
    from envcheck.report.signing import verify_report

    text = _read(args.file)
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UsageError(f"{args.file} is not JSON ({exc.msg}, line {exc.lineno})") from None
    try:
        v = verify_report(doc)
    except InvalidReport as exc:
        print(f"INVALID: {exc.diagnostics()}")
        return ExitStatus.FAIL
    print(f"VALID: report {v.report_id} signed by device key {v.key_id}, created {v.created_at}, "
          f"verdict {v.verdict}, seeker {v.seeker_no or '-'}")
    return ExitStatus.PASS


def _read(path: str) -> str:
    try:
        if path == "-":
            return sys.stdin.read()
        with open(path, encoding="utf-8") as fh:
            return fh.read()
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read {path}: {getattr(exc, 'strerror', None) or exc}") from None


def cmd_gui(args) -> ExitStatus:
    from envcheck.gui import run  # Tk is imported only here

    return ExitStatus(run(lang=args.lang, replay=args.replay))


def cmd_rules(args) -> ExitStatus:
    choice = _choose_rules(args, online=not args.offline)
    r = choice.rules
    print(f"rules version {r.version}, data as of {r.as_of}")
    print(f"source: {choice.source}" + (f", fetched {choice.fetched_at}" if choice.fetched_at else ""))
    print(f"why: {choice.reason}")
    print(f"files: {r.source}")
    return ExitStatus.PASS


COMMANDS = {"check": cmd_check, "snapshot": cmd_snapshot, "verify": cmd_verify, "send": cmd_send, "rules": cmd_rules,
            "diagnose": lambda args: _diagnose(args)}


COMMANDS["gui"] = cmd_gui


def _diagnose(args) -> int:
    from envcheck.netcheck import cli as diagnose_cli

    return diagnose_cli.run(args)


def main(argv: list[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        return int(COMMANDS[args.command](args))
    except EnvcheckError as exc:
        print(f"envcheck: error: {exc.diagnostics()}", file=sys.stderr)
        return int(ExitStatus.ERROR)
    except KeyboardInterrupt:
        print("envcheck: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return int(ExitStatus.ERROR)
    except Exception as exc:  # noqa: BLE001 - a bug must still end in one line, never a traceback
        print(f"envcheck: internal error: {type(exc).__name__}: {str(exc)[:200]} "
              "(please report this with the command you ran)", file=sys.stderr)
        return int(ExitStatus.ERROR)


if __name__ == "__main__":
    sys.exit(main())
