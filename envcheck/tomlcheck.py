"""Reading a rules TOML file so that every mistake is one line naming the file and the key."""

from __future__ import annotations

import os
import tomllib
from typing import Any, NoReturn

from envcheck.errors import RuleError

REQUIRED = object()


class TomlFile:
    """Typed access to one parsed TOML file; every error is a RuleError(file, key, reason)."""

    def __init__(self, name: str, data: dict):
        self.name = name
        self.data = data

    def fail(self, key: str, reason: str) -> NoReturn:
        raise RuleError(self.name, key, reason)

    def get(self, table: dict, key: str, where: str, kind, default: Any = REQUIRED):
        """table[key] checked to be `kind` (bool is not an int); `default` when absent, unless required."""
        path = f"{where}.{key}".lstrip(".")
        if key not in table:
            if default is REQUIRED:
                self.fail(path, "missing")
            return default
        v = table[key]
        if (kind is int and isinstance(v, bool)) or not isinstance(v, kind):
            names = kind.__name__ if isinstance(kind, type) else "/".join(k.__name__ for k in kind)
            self.fail(path, f"expected {names}, got {type(v).__name__}")
        return v

    def table(self, parent: dict, key: str, where: str = "") -> dict:
        return self.get(parent, key, where, dict)

    def only(self, table: dict, allowed: set[str], where: str) -> None:
        extra = sorted(set(table) - allowed)
        if extra:
            self.fail(f"{where}.{extra[0]}".lstrip("."), "unknown key")

    def text_pair(self, table: Any, where: str) -> tuple[str, str]:
        """(ja, en) from a {ja, en} table; both must be non-empty."""
        if not isinstance(table, dict):
            self.fail(where, "expected a table with ja and en")
        self.only(table, {"ja", "en"}, where)
        ja, en = self.get(table, "ja", where, str), self.get(table, "en", where, str)
        if not ja.strip() or not en.strip():
            self.fail(where, "text must not be empty")
        return ja, en


def load_toml(directory: str, name: str) -> TomlFile:
    path = os.path.join(directory, name)
    try:
        with open(path, "rb") as fh:
            return TomlFile(name, tomllib.load(fh))
    except FileNotFoundError:
        raise RuleError(name, "(file)", f"missing from {directory}") from None
    except tomllib.TOMLDecodeError as exc:
        raise RuleError(name, "(syntax)", str(exc)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise RuleError(name, "(file)", f"unreadable: {exc}") from None
