"""`envcheck-server rules …`: publish the rules set as the TUF repository the service serves.

    envcheck-server rules init                     keys + version 1 of every role
    envcheck-server rules publish --rules DIR      validate, then publish DIR as the new set
    envcheck-server rules refresh-timestamp        before the timestamp expires (daily cron)
    envcheck-server rules rotate-key --role ROLE   replace one role's key
    envcheck-server rules refresh --rules DIR [--publish]
                                                   merge the vendor feeds into DIR, review, publish
                                                   (exit 0 done, 1 a feed failed: nothing changed,
                                                   3 a contradiction needs a person)

--repo and --keys default to ENVCHECK_RULES_REPO and ENVCHECK_RULES_KEYS (docs/rules-updates.md).
"""

from __future__ import annotations

import os
from datetime import timedelta


def _paths(args):
    from envcheck.server.settings import Settings

    s = Settings.from_env()
    return args.repo or s.rules_repo, args.keys or s.rules_keys


def cmd_rules(args, out) -> int:
    from envcheck.server import rulesrepo

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
    elif args.rules_command == "refresh":
        return _refresh(args, repo, keys, out)
    elif args.rules_command == "rotate-key":
        version = rulesrepo.rotate_key(repo, keys, args.role)
        print(f"new {args.role} key; root version {version}", file=out)
    return 0


def status_path(repo: str) -> str:
    """Where the refresh keeps its status record: beside the repository, never inside what is served."""
    return os.path.join(os.path.dirname(os.path.abspath(repo)), "rules-refresh-status.json")


def _refresh(args, repo: str, keys: str, out) -> int:
    import shutil
    from datetime import datetime, timezone

    from envcheck.server import rulesrepo
    from envcheck.errors import UsageError
    from envcheck.server import feeds, rulesrefresh

    urls = {name: url for name, (url, _, _) in feeds.sources().items()}
    for spec in args.feed or []:
        name, sep, url = spec.partition("=")
        if not sep or name not in urls or not url.startswith(("http://", "https://")):
            raise UsageError(f"--feed {spec!r} must be NAME=URL with NAME one of {', '.join(urls)}")
        urls[name] = url
    base = os.path.abspath(args.rules)
    cand = os.path.abspath(args.out or base.rstrip("/") + "-candidate")
    if cand == base or (os.path.exists(cand) and not os.path.isfile(os.path.join(cand, "policy.toml"))):
        # The candidate folder is replaced on every run: never the curated folder, never anything else.
        raise UsageError(f"--out {cand} must be a new folder or an earlier candidate, not {base} or another folder")
    status = args.status or status_path(repo)
    now = datetime.now(timezone.utc).replace(microsecond=0)
    done = rulesrefresh.refresh(base, cand, urls, status_path=status, samples=args.samples,
                                accept_changes=args.accept_changes, now=now)
    print(done.review, file=out)
    if not done.ok:
        return 1
    if done.needs_review:
        print(f"NOT published: a person must review the contradictions above (candidate in {cand}); "
              "rerun with --accept-changes to apply them.", file=out)
        return 3
    if not done.changed:
        print("Nothing new in the feeds: the current rules stay as they are.", file=out)
        return 0
    if not args.publish:
        print(f"Candidate rules {done.version} in {cand}; publish with: envcheck-server rules publish --rules {cand}",
              file=out)
        return 0
    published = rulesrepo.publish(repo, keys, cand)
    for name in os.listdir(cand):  # the published set becomes the curated base of the next refresh
        shutil.copy2(os.path.join(cand, name), os.path.join(base, name))
    rulesrefresh.record_published(status, published, now)
    print(f"published rules {published['rules_version']} (as of {published['as_of']}), targets version "
          f"{published['targets_version']}", file=out)
    return 0


def add_parser(sub, positive) -> None:
    r = sub.add_parser("rules", help="publish rules updates (TUF repository)")
    rs = r.add_subparsers(dest="rules_command", required=True, parser_class=type(r))
    for name, text in (("init", "create the repository and its keys"),
                       ("publish", "validate a rules folder and publish it"),
                       ("refresh-timestamp", "sign a new timestamp before the current one expires"),
                       ("rotate-key", "replace one role's key"),
                       ("refresh", "merge the vendors' feeds into a rules folder, review, publish")):
        p = rs.add_parser(name, help=text)
        p.add_argument("--repo", help="repository folder (default: ENVCHECK_RULES_REPO)")
        p.add_argument("--keys", help="keys folder (default: ENVCHECK_RULES_KEYS)")
        if name == "publish":
            p.add_argument("--rules", required=True, metavar="DIR", help="the rules folder to publish")
        if name == "refresh-timestamp":
            p.add_argument("--days", type=positive, default=7, help="validity in days (default 7)")
        if name == "refresh":
            p.add_argument("--rules", required=True, metavar="DIR",
                           help="the curated rules folder (updated after a successful --publish)")
            p.add_argument("--out", metavar="DIR", help="where the candidate set is written (default DIR-candidate)")
            p.add_argument("--feed", action="append", metavar="NAME=URL", help="override a feed's address")
            p.add_argument("--samples", metavar="DIR", help="snapshot files whose verdicts the review compares")
            p.add_argument("--status", metavar="FILE", help="status record (default: beside the repository)")
            p.add_argument("--accept-changes", action="store_true",
                           help="apply changed dates, including contradictions (a person reviewed them)")
            p.add_argument("--publish", action="store_true", help="publish when nothing needs review")
        if name == "rotate-key":
            p.add_argument("--role", required=True, choices=("root", "targets", "snapshot", "timestamp"))
    r.set_defaults(func=cmd_rules)
