"""`envcheck-server rules refresh`: vendor feeds -> a candidate rules set -> review -> (publish).

1. fetch and parse every feed (envcheck/server/feeds/); a feed that is down, malformed,
   truncated or older than the last one seen (rolled back) stops the refresh: the current
   rules stay untouched and the status says which feed and why;
2. merge the feeds into a copy of the curated set (rulesmerge.py: additions automatic,
   changes shown, an end of support moved earlier is a contradiction);
3. validate the candidate with the checker's own loader (envcheck.ruleset.loader.load_rules);
4. review: what was added, what differs, and which verdicts of the sample snapshots flip;
5. the caller publishes only when nothing needs review (or the office said so with a flag).
"""

from __future__ import annotations

import glob
import json
import os
from dataclasses import dataclass, field
from datetime import date, datetime, timezone

from envcheck.errors import RuleError
from envcheck.files import write_atomic
from envcheck.server import feeds as feeds_mod
from envcheck.server.feeds import Feed, FeedError
from envcheck.server.rulesmerge import Merge, merge, set_ruleset

VERDICT_CHECKS = ("os.supported", "os.patched")


@dataclass
class Outcome:
    ok: bool
    """A valid candidate exists (it may still need review)."""
    needs_review: bool
    review: str
    feeds: dict[str, dict] = field(default_factory=dict)
    """name -> {"url", "ok", "as_of" or "error", "rows"}."""
    candidate: str | None = None
    changed: bool = False
    version: str | None = None


def _later(a: str, b: str) -> bool:
    from packaging.version import InvalidVersion, Version

    try:
        return Version(a) > Version(b)
    except InvalidVersion:
        return a > b


def read_status(path: str | None) -> dict:
    try:
        with open(path or "", encoding="utf-8") as fh:
            doc = json.load(fh)
        return doc if isinstance(doc, dict) else {}
    except (OSError, ValueError):
        return {}


def _write_status(path: str | None, outcome: Outcome, now: datetime, rules_as_of: date, published: dict | None):
    if not path:
        return
    old = read_status(path)
    doc = {"last_refresh": now.strftime("%Y-%m-%dT%H:%M:%SZ"), "result": _result_word(outcome),
           "feeds": outcome.feeds, "rules_as_of": rules_as_of.isoformat(),
           "rules_age_days": (now.date() - rules_as_of).days,
           "last_published": published or old.get("last_published"),
           # What each feed vouched for at its last good read: a later, older document is a rollback.
           "feed_as_of": {**old.get("feed_as_of", {}),
                          **{n: f["as_of"] for n, f in outcome.feeds.items() if f.get("ok") and f.get("as_of")}}}
    if not outcome.ok:
        doc["feed_as_of"] = old.get("feed_as_of", {})
    write_atomic(path, (json.dumps(doc, indent=1, sort_keys=True) + "\n").encode())


def _result_word(o: Outcome) -> str:
    return "failed" if not o.ok else "needs review" if o.needs_review else "changed" if o.changed else "unchanged"


def status_line(path: str | None, now: datetime | None = None) -> str | None:
    """One line for the admin page: last refresh, per-feed result, rules age; None when never run."""
    doc = read_status(path)
    if not doc.get("last_refresh"):
        return None
    feeds = ", ".join(f"{n} {'ok' if f.get('ok') else 'FAILED'}" for n, f in sorted(doc.get("feeds", {}).items()))
    age = doc.get("rules_age_days")
    if now and doc.get("rules_as_of"):
        age = (now.date() - date.fromisoformat(doc["rules_as_of"])).days
    return (f"Rules refresh {doc['last_refresh']}: {doc.get('result')}; {feeds}; "
            f"rules data as of {doc.get('rules_as_of')} ({age} days old)")


def read_feeds(urls: dict[str, str], session, last_seen: dict[str, str],
               timeout=feeds_mod.TIMEOUT) -> tuple[list[Feed], dict[str, dict]]:
    got, report = [], {}
    for name, url in urls.items():
        try:
            feed = feeds_mod.parse(name, feeds_mod.fetch(name, url, session, timeout=timeout), url)
            seen = last_seen.get(name)
            if seen and feed.as_of and feed.as_of < date.fromisoformat(seen):
                raise FeedError(name, f"rolled back: the document is of {feed.as_of}, older than the "
                                      f"{seen} already read")
        except FeedError as exc:
            report[name] = {"url": url, "ok": False, "error": exc.reason}
            continue
        got.append(feed)
        report[name] = {"url": url, "ok": True, "as_of": feed.as_of.isoformat() if feed.as_of else None,
                        "rows": sum(len(v) for v in feed.rows.values())}
    return got, report


def _verdicts(samples: str | None, rules, now: datetime) -> dict[str, dict[str, str]]:
    if not samples:
        return {}
    from envcheck import facts as facts_mod
    from envcheck.checks import evaluate
    from envcheck.probes import InvalidSnapshot, ReplayHost, read_snapshot

    out = {}
    for path in sorted(glob.glob(os.path.join(samples, "*.json"))):
        try:
            snap = read_snapshot(path)
        except InvalidSnapshot:
            continue
        host = ReplayHost(snap)
        results = evaluate(facts_mod.collect(host.platform, host.collect()), rules, now)
        out[os.path.basename(path)] = {r.id: f"{r.status} ({r.code})" for r in results if r.id in VERDICT_CHECKS}
    return out


def _review(m: Merge, feeds: dict, before: dict, after: dict, accept: bool) -> str:
    lines = ["Feeds:"]
    for name, f in feeds.items():
        lines.append(f"  {name}: " + (f"ok, data as of {f['as_of'] or '(undated)'}, {f['rows']} rows" if f.get("ok")
                                       else f"FAILED: {f['error']}") + f"  <{f['url']}>")
    lines.append(f"Releases added: {len(m.added)}")
    for table, row, feed in m.added:
        ident = ", ".join(f"{k}={row[k]}" for k in ("platform", "product", "version", "family", "major", "build",
                                                    "revision") if k in row)
        extra = (f", released {row['released']}" if row.get("released") else "") + \
            (f", end {row['end']}" if row.get("end") else "")
        lines.append(f"  + {table}: {ident}{extra}  [{feed}]")
    if m.changes:
        lines.append("Dates and fields that differ from the curated data "
                     + ("(APPLIED: --accept-changes):" if accept else "(kept curated; --accept-changes applies them):"))
        for c in m.changes:
            tag = "CONTRADICTION " if c.contradiction else ""
            lines.append(f"  {tag}{c.table} {'/'.join(map(str, c.key))}: {c.field} {c.old} -> {c.new}  [{c.feed}]")
    flips = [(s, cid, before[s].get(cid), after[s].get(cid)) for s in after for cid in VERDICT_CHECKS
             if before.get(s, {}).get(cid) != after[s].get(cid)]
    lines.append(f"Verdicts that change on the sample machines: {len(flips)}")
    lines += [f"  {s} {cid}: {a} -> {b}" for s, cid, a, b in flips]
    return "\n".join(lines)


def refresh(base_dir: str, out_dir: str, urls: dict[str, str], session=None, status_path: str | None = None,
            samples: str | None = None, accept_changes: bool = False, now: datetime | None = None,
            timeout=feeds_mod.TIMEOUT) -> Outcome:
    """Build and review a candidate in `out_dir`; never touches `base_dir`."""
    from envcheck.ruleset.loader import load_rules

    now = now or datetime.now(timezone.utc)
    current = load_rules(base_dir)
    got, report = read_feeds(urls, session, read_status(status_path).get("feed_as_of", {}), timeout)
    failed = [f"{n}: {f['error']}" for n, f in report.items() if not f["ok"]]
    if failed:
        out = Outcome(False, False, "Refresh stopped; the current rules are untouched.\n  " + "\n  ".join(failed),
                      report)
        _write_status(status_path, out, now, current.as_of, None)
        return out
    m = merge(base_dir, out_dir, got, accept_changes)
    changed = bool(m.added or m.applied)
    version = current.version
    if changed:
        # A row joined from several feeds (rulesmerge.COMBINED) names them all: "a+b".
        used = {n for feed in [f for _, _, f in m.added] + [c.feed for c in m.applied] for n in feed.split("+")}
        # Every feed that brought something vouches for its data up to at least this day.
        # An undated feed (Zoom's releases) vouches for no day and leaves the set's as_of alone.
        dated = [f.as_of for f in got if f.name in used and f.as_of]
        as_of = max([current.as_of, min(dated)] if dated else [current.as_of])
        version = now.strftime("%Y.%m.%d")
        if not _later(version, current.version):
            # A second refresh on the same day: 2026.12.06 -> 2026.12.06.1 -> 2026.12.06.2 …
            stem, _, n = current.version.rpartition(".")
            version = f"{stem}.{int(n) + 1}" if stem == version and n.isdigit() else f"{current.version}.1"
        set_ruleset(out_dir, version, as_of)
    try:
        candidate = load_rules(out_dir)
    except RuleError as exc:
        out = Outcome(False, False, f"Refresh stopped: the merged set does not validate ({exc}); "
                                    "the current rules are untouched.", report)
        _write_status(status_path, out, now, current.as_of, None)
        return out
    review = _review(m, report, _verdicts(samples, current, now), _verdicts(samples, candidate, now), accept_changes)
    needs = bool(m.contradictions) and not accept_changes
    out = Outcome(True, needs, review, report, out_dir, changed, candidate.version)
    _write_status(status_path, out, now, current.as_of, None)
    return out


def record_published(status_path: str | None, done: dict, now: datetime) -> None:
    """After `publish`: the status says which set the checkers now get and how old its data is."""
    if not status_path:
        return
    doc = read_status(status_path)
    doc["last_published"] = {**done, "at": now.strftime("%Y-%m-%dT%H:%M:%SZ")}
    doc["rules_as_of"] = done["as_of"]
    doc["rules_age_days"] = (now.date() - date.fromisoformat(done["as_of"])).days
    write_atomic(status_path, (json.dumps(doc, indent=1, sort_keys=True) + "\n").encode())
