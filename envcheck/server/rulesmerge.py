"""Merge feed rows into a curated rules folder, as text edits that keep everything else.

The curated TOML files are never re-serialised: new rows are appended as new `[[table]]`
blocks and an accepted change rewrites one `key = value` line inside its own block, so
comments, edition families, texts, software signatures and every field a feed does not
own (including fields this code does not know) stay byte-for-byte as they were.

Rules of the merge:
- a row whose key is new is ADDED when it is newer than the newest curated row of its
  product / build / macOS or iOS major, or when it belongs to a release line newer than every
  line the curated set tracks (a new macOS or iOS major, a new Windows build): new releases come
  in, while history curated by hand (or left out on purpose) is never refilled;
- a feed value that differs from a curated value is a CHANGE and is shown, not applied,
  unless `accept_changes`; an end of support set or moved EARLIER is a CONTRADICTION
  (it can turn a passing device away) and blocks unattended publishing;
- the files a curated folder does not have (mobile.toml for an office without the browser
  check) are not created;
- Zoom's current releases set `[zoom] current_<platform>` when newer (see _merge_zoom); the
  minimums next to them are never touched.
"""

from __future__ import annotations

import os
import re
import shutil
import tomllib
from dataclasses import dataclass, field
from datetime import date
from functools import partial

FILE_OF = {"windows": "lifecycle.toml", "macos": "lifecycle.toml", "windows_update": "updates.toml",
           "macos_release": "updates.toml", "ios": "mobile.toml", "android": "mobile.toml",
           "ios_release": "mobile.toml", "zoom_release": "minimums.toml"}
KEY = {"windows": ("product", "build", "family"), "macos": ("major",), "windows_update": ("build", "revision"),
       "macos_release": ("version",), "ios": ("major",), "android": ("major",), "ios_release": ("version",)}
OWNED = {"windows": ("released", "end"), "macos": ("released", "end"),
         "windows_update": ("released", "kb", "kind"), "macos_release": ("released", "security"),
         "ios": ("released", "end"), "android": ("released", "end"), "ios_release": ("released", "cves")}
"""Fields a feed may set; every other field of a curated row is the office's and is never touched."""
ORDER = {"windows": ("product", "version", "build", "family", "released", "end", "source"),
         "macos": ("major", "name", "released", "end", "source"),
         "windows_update": ("build", "revision", "released", "kb", "kind", "source"),
         "macos_release": ("version", "released", "security", "source"),
         "ios": ("major", "released", "end", "source"), "android": ("major", "released", "end", "source"),
         "ios_release": ("version", "released", "cves", "source")}
COMBINED = ("ios",)
"""Tables where one curated row stands for several feeds' rows: an iOS major serves iPhones and iPads,
so it ends only when both the iOS and the iPadOS page end it (the later end; none while either is open)."""


@dataclass
class Change:
    table: str
    key: tuple
    field: str
    old: object
    new: object
    feed: str
    contradiction: bool


@dataclass
class Merge:
    added: list[tuple[str, dict, str]] = field(default_factory=list)
    """(table, row, feed)."""
    changes: list[Change] = field(default_factory=list)
    applied: list[Change] = field(default_factory=list)

    @property
    def contradictions(self) -> list[Change]:
        return [c for c in self.changes if c.contradiction]


def _toml_value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, date)):
        return str(v) if not isinstance(v, date) else v.isoformat()
    return '"' + str(v).replace("\\", "\\\\").replace('"', '\\"') + '"'


def _row_text(table: str, row: dict) -> str:
    keys = [k for k in ORDER[table] if k in row] + [k for k in row if k not in ORDER[table]]
    return f"[[{table}]]\n" + "".join(f"{k} = {_toml_value(row[k])}\n" for k in keys)


def _blocks(text: str, table: str) -> list[tuple[int, int, dict]]:
    """(start, end, parsed row) of every `[[table]]` block in `text`."""
    heads = [m.start() for m in re.finditer(r"(?m)^\[", text)]
    out = []
    for i, start in enumerate(heads):
        if not text.startswith(f"[[{table}]]", start):
            continue
        end = heads[i + 1] if i + 1 < len(heads) else len(text)
        out.append((start, end, tomllib.loads(text[start:end])[table][0]))
    return out


def _key(table: str, row: dict) -> tuple:
    return tuple(row.get(k) for k in KEY[table])


def _stream(table: str, row: dict):
    if table == "windows":
        return row["product"]
    if table == "windows_update":
        return row["build"]
    if table == "macos_release":
        parts = str(row["version"]).split(".")
        return ".".join(parts[:2]) if parts[0] == "10" else parts[0]
    if table == "ios_release":
        return str(row["version"]).split(".")[0]
    return None


def _new_line(table: str, stream, tracked: tuple) -> bool:
    """A release line newer than every line the curated set tracks (iOS 28 after 27, build 26400 after
    26300): its releases come in, or a new major would stay unknown until someone added it by hand."""
    if table not in ("windows_update", "macos_release", "ios_release") or not tracked:
        return False

    def number(line) -> tuple[int, ...]:
        return tuple(int(p) for p in str(line).split("."))

    try:
        return number(stream) > max(number(t) for t in tracked)
    except ValueError:
        return False


def _is_contradiction(fld: str, old, new) -> bool:
    # Less support than the curated data says: a device that passes today would be turned away.
    return fld == "end" and new is not None and (old is None or new < old)


def _feed_rows(table: str, feeds: list) -> list[tuple[dict, str]]:
    """(row, feed name) of every feed row for `table`; rows of a COMBINED table joined per key."""
    rows = [(row, feed.name) for feed in feeds for row in feed.rows.get(table, [])]
    if table not in COMBINED:
        return rows
    joined: dict[tuple, tuple[dict, str]] = {}
    for row, name in rows:
        k = _key(table, row)
        if k not in joined:
            joined[k] = (dict(row), name)
            continue
        have, names = joined[k]
        if "end" in have and "end" in row:
            have["end"] = max(have["end"], row["end"])
        else:
            have.pop("end", None)  # one of them still gets releases: the major has not ended
        have["released"] = min(have["released"], row["released"])
        have["source"] = f"{have['source']} + {row['source']}"
        joined[k] = (have, f"{names}+{name}")
    return list(joined.values())


def _merge_table(table: str, text: str, rows: list[tuple[dict, str]], result: Merge) -> str:
    """`text` with the feed rows of `table` merged in: additions appended, differences recorded."""
    curated = {_key(table, r): r for _, _, r in _blocks(text, table)}
    newest: dict = {}
    for r in curated.values():
        s = _stream(table, r)
        newest[s] = max(newest.get(s, r["released"]), r["released"])
    tracked = tuple(newest)
    additions = []
    for row, feed in rows:
        k = _key(table, row)
        if k in curated:
            for fld in OWNED[table]:
                old, new = curated[k].get(fld), row.get(fld)
                if new is not None and old != new:
                    result.changes.append(Change(table, k, fld, old, new, feed, _is_contradiction(fld, old, new)))
            continue
        s = _stream(table, row)
        if s in newest and row["released"] <= newest[s]:
            continue  # history before the curated newest
        if s not in newest and not _new_line(table, s, tracked):
            continue  # a product / older line the curated set does not track (left out on purpose)
        curated[k] = row
        additions.append(row)
        result.added.append((table, row, feed))
    if not additions:
        return text
    rows_in = sorted(additions, key=lambda r: (r["released"], str(_key(table, r))))
    return text.rstrip("\n") + "\n\n# ---- added by `envcheck-server rules refresh`\n" + \
        "\n".join(_row_text(table, r) for r in rows_in)


def _set_line(block: str, key: str, value, comment: str = "") -> str:
    """`block` (one table's text) with `key = value` set: the line replaced, else one added under the header."""
    line = f"{key} = {_toml_value(value)}" + (f"  # {comment}" if comment else "")
    pat = re.compile(rf"(?m)^{re.escape(key)}\s*=.*$")
    return pat.sub(lambda _: line, block, count=1) if pat.search(block) else \
        block.replace("\n", f"\n{line}\n", 1)


def _zoom_span(text: str) -> tuple[int, int] | None:
    heads = [m.start() for m in re.finditer(r"(?m)^\[", text)]
    for i, start in enumerate(heads):
        if text.startswith("[zoom]\n", start):
            return start, heads[i + 1] if i + 1 < len(heads) else len(text)
    return None


def _set_zoom(text: str, key: str, value: str, comment: str) -> str:
    span = _zoom_span(text)
    if span is None:
        return text
    return text[:span[0]] + _set_line(text[span[0]:span[1]], key, value, comment) + text[span[1]:]


def _merge_zoom(text: str, rows: list[tuple[dict, str]], result: Merge) -> str:
    """[zoom] current_<platform> = the newest release the feeds name; the minimums stay the office's.

    A newer release is recorded by itself; an older one (a catalogue served from an old copy) is
    shown, not applied; a release below the office's minimum is a CONTRADICTION: with that minimum
    every Zoom there would fail, so a person must look at the minimum first."""
    from packaging.version import Version

    span = _zoom_span(text)
    if span is None:
        return text
    zoom = tomllib.loads(text[span[0]:span[1]])["zoom"]
    for row, feed in rows:
        plat, new = row["platform"], row["version"]
        key, old = f"current_{plat}", zoom.get(f"current_{plat}")
        minimum = zoom.get(f"minimum_{plat}", zoom.get("minimum_version"))
        if minimum and Version(new) < Version(minimum):
            result.changes.append(Change("zoom_release", (plat,), "version", old, new, feed, True))
        elif old is None or Version(new) > Version(old):
            text = _set_zoom(text, key, new, row["source"])
            zoom[key] = new
            result.added.append(("zoom_release", row, feed))
        elif new != old:
            result.changes.append(Change("zoom_release", (plat,), "version", old, new, feed, False))
    return text


def _apply(text: str, c: Change) -> str:
    """`text` with the changed field of the row `c` names set to the feed's value."""
    if c.table == "zoom_release":
        return _set_zoom(text, f"current_{c.key[0]}", str(c.new), f"{c.feed}, applied by a person")
    for start, end, row in reversed(_blocks(text, c.table)):
        if _key(c.table, row) == c.key:
            return text[:start] + _set_line(text[start:end], c.field, c.new) + text[end:]
    return text


def merge(base_dir: str, out_dir: str, feeds: list, accept_changes: bool = False) -> Merge:
    """Copy `base_dir` to `out_dir` and merge every feed's rows into the copy.

    A file the curated set does not have (an office without mobile.toml) is not created."""
    if os.path.exists(out_dir):
        shutil.rmtree(out_dir)
    shutil.copytree(base_dir, out_dir)
    result = Merge()
    texts = {}
    for name in set(FILE_OF.values()):
        if os.path.exists(os.path.join(out_dir, name)):
            with open(os.path.join(out_dir, name), encoding="utf-8") as fh:
                texts[name] = fh.read()
    for table, fname in FILE_OF.items():
        if fname in texts:
            merge_rows = _merge_zoom if table == "zoom_release" else partial(_merge_table, table)
            texts[fname] = merge_rows(texts[fname], _feed_rows(table, feeds), result)
    if accept_changes:
        for c in result.changes:
            texts[FILE_OF[c.table]] = _apply(texts[FILE_OF[c.table]], c)
            result.applied.append(c)
    for fname, text in texts.items():
        with open(os.path.join(out_dir, fname), "w", encoding="utf-8") as fh:
            fh.write(text)
    return result


def set_ruleset(out_dir: str, version: str, as_of: date) -> None:
    """policy.toml's [ruleset] version and as_of, edited in place."""
    path = os.path.join(out_dir, "policy.toml")
    with open(path, encoding="utf-8") as fh:
        text = fh.read()
    text = re.sub(r'(?m)^version = ".*"$', f'version = "{version}"', text, count=1)
    text = re.sub(r"(?m)^as_of = .*$", f"as_of = {as_of.isoformat()}", text, count=1)
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(text)
