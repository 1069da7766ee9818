"""Readers every rules file shares: versions, and tables of rows with their fields' types."""

from __future__ import annotations

from packaging.version import InvalidVersion, Version

from envcheck.tomlcheck import TomlFile

PLATFORMS = ("windows", "darwin", "linux")


def version(f: TomlFile, text: str, where: str) -> Version:
    try:
        return Version(text)
    except InvalidVersion:
        f.fail(where, f"{text!r} is not a version")


def rows(f: TomlFile, key: str, fields: dict[str, type], optional: dict[str, type]) -> tuple[dict, ...]:
    out = []
    for i, row in enumerate(f.get(f.data, key, "", list, [])):
        where = f"{key}[{i}]"
        if not isinstance(row, dict):
            f.fail(where, "expected a table")
        f.only(row, set(fields) | set(optional) | {"source", "note"}, where)
        for k, kind in fields.items():
            f.get(row, k, where, kind)
        for k, kind in optional.items():
            f.get(row, k, where, kind, None)
        out.append(dict(row))
    return tuple(out)
