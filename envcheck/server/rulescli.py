"""`envcheck-server rules …`: publish the rules set as the TUF repository the service serves.

    envcheck-server rules init                     keys + version 1 of every role
    envcheck-server rules publish --rules DIR      validate, then publish DIR as the new set
    envcheck-server rules refresh-timestamp        before the timestamp expires (daily cron)
    envcheck-server rules rotate-key --role ROLE   replace one role's key

--repo and --keys default to ENVCHECK_RULES_REPO and ENVCHECK_RULES_KEYS (docs/rules-updates.md).
"""

from __future__ import annotations

from datetime import timedelta


def _paths(args):
    from envcheck.server.settings import Settings

    s = Settings.from_env()
    return args.repo or s.rules_repo, args.keys or s.rules_keys


def cmd_rules(args, out) -> int:
    from envcheck import rulesrepo

    repo, keys = _paths(args)
    if args.rules_command == "init":
        rulesrepo.init_repo(repo, keys)
        print(f"rules repository created in {repo}; keys in {keys} (owner-only: keep them safe).", file=out)
        print(f"Ship {repo}/metadata/1.root.json with the checker as envcheck/trust/root.json.", file=out)
    elif args.rules_command == "publish":
        done = rulesrepo.publish(repo, keys, args.rules)
        print(f"published rules {done['rules_version']} (as of {done['as_of']}), targets version "
              f"{done['targets_version']}, sha256 {done['sha256'][:16]}…", file=out)
    elif args.rules_command == "refresh-timestamp":
        version = rulesrepo.refresh_timestamp(repo, keys, expires_in=timedelta(days=args.days))
        print(f"timestamp version {version}, valid for {args.days} days", file=out)
    elif args.rules_command == "rotate-key":
        version = rulesrepo.rotate_key(repo, keys, args.role)
        print(f"new {args.role} key; root version {version}", file=out)
    return 0


def add_parser(sub, positive) -> None:
    r = sub.add_parser("rules", help="publish rules updates (TUF repository)")
    rs = r.add_subparsers(dest="rules_command", required=True, parser_class=type(r))
    for name, text in (("init", "create the repository and its keys"),
                       ("publish", "validate a rules folder and publish it"),
                       ("refresh-timestamp", "sign a new timestamp before the current one expires"),
                       ("rotate-key", "replace one role's key")):
        p = rs.add_parser(name, help=text)
        p.add_argument("--repo", help="repository folder (default: ENVCHECK_RULES_REPO)")
        p.add_argument("--keys", help="keys folder (default: ENVCHECK_RULES_KEYS)")
        if name == "publish":
            p.add_argument("--rules", required=True, metavar="DIR", help="the rules folder to publish")
        if name == "refresh-timestamp":
            p.add_argument("--days", type=positive, default=7, help="validity in days (default 7)")
        if name == "rotate-key":
            p.add_argument("--role", required=True, choices=("root", "targets", "snapshot", "timestamp"))
    r.set_defaults(func=cmd_rules)
