"""Windows update history (DataForGeeks windows-update-history, a JSON mirror of Microsoft's update-history pages).

Gives `windows_update` rows (build, revision, released, kb, kind) for Windows 10/11 client
builds. Microsoft publishes the history only as web pages; this dataset collects them with
their KB links (metadata.sourceUrls) and says when (metadata.lastCollected).
"""

from __future__ import annotations

import json

from envcheck.server.feeds import Feed, FeedError, day

NAME = "windows-updates"
DEFAULT_URL = "https://raw.githubusercontent.com/altrhombus/DataForGeeks/main/content/ms/win/buildnumbers.json"
WHAT = "Windows 10/11 cumulative updates: build.revision, date, KB, security/preview/out-of-band (windows_update)"
_KINDS = {"Standard": "security", "Preview": "preview", "Out-of-band": "out-of-band"}
# Hotpatch revisions are left out: only Enterprise devices in the hotpatch programme get them.


def parse(data: bytes, url: str = DEFAULT_URL, name: str = NAME) -> Feed:
    try:
        doc = json.loads(data)
        meta, rows_in = doc["metadata"], doc["data"]
        collected = meta["lastCollected"]
    except (ValueError, UnicodeDecodeError, KeyError, TypeError) as exc:
        raise FeedError(NAME, f"not the update-history document ({type(exc).__name__}: {str(exc)[:80]})") from None
    if not isinstance(rows_in, list) or not rows_in:
        raise FeedError(NAME, "no data rows")
    if isinstance(meta.get("recordCount"), int) and meta["recordCount"] != len(rows_in):
        raise FeedError(NAME, f"truncated: {len(rows_in)} rows of the {meta['recordCount']} its metadata declares")
    rows = []
    for i, r in enumerate(rows_in):
        if not isinstance(r, dict):
            raise FeedError(NAME, f"data[{i}] is not an object")
        kind = _KINDS.get(str(r.get("release_type")))
        if r.get("os_type") != "client" or kind is None:
            continue
        build, _, revision = str(r.get("build", "")).partition(".")
        if not (build.isdigit() and revision.isdigit()):
            raise FeedError(NAME, f"data[{i}].build {r.get('build')!r} is not BUILD.REVISION")
        kb = str(r.get("kb_article") or "")
        row = {"build": int(build), "revision": int(revision),
               "released": day(r.get("release_date"), NAME, f"data[{i}].release_date"), "kind": kind,
               "source": f"{r.get('article_url') or 'Microsoft update history'} ; via {url}"}
        if kb.startswith("KB"):
            row["kb"] = kb
        rows.append(row)
    return Feed(NAME, url, day(collected, NAME, "metadata.lastCollected"), {"windows_update": rows})
