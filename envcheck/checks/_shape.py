"""The shape of a check's evidence: its keys and their types, declared once per check (checks/registry.py).

Evidence is what a report carries and what `decide` reads, so its shape is the contract between
an older checker and a newer intake service. `Shape.problems` says where evidence departs from it;
the contract test (tests/test_check_registry.py) runs it on every replayed fixture's evidence.
Deciding never rejects evidence for its shape: a report from a newer checker may carry more.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Union

NONE = type(None)


@dataclass(frozen=True)
class Rows:
    """A list of tables of one shape (firewalls, products, matched items …)."""

    shape: "Shape"


Kind = Union[type, tuple, Rows]
"""A type, a tuple of types (`(str, NONE)`: text or null), or Rows."""


@dataclass(frozen=True)
class Shape:
    keys: tuple[tuple[str, Kind], ...]
    """Keys always present, with their types."""
    optional: tuple[tuple[str, Kind], ...] = ()
    """Keys that may be absent (present only on one OS, or only when something was found)."""

    def problems(self, ev: object, where: str = "evidence") -> list[str]:
        if not isinstance(ev, dict):
            return [f"{where}: expected a table, got {type(ev).__name__}"]
        out = [f"{where}.{k}: missing" for k, _ in self.keys if k not in ev]
        known = dict(self.keys + self.optional)
        out += [f"{where}.{k}: not in the declared shape" for k in ev if k not in known]
        for k, kind in known.items():
            if k in ev:
                out += _kind_problems(ev[k], kind, f"{where}.{k}")
        return out


def _kind_problems(value: object, kind: Kind, where: str) -> list[str]:
    if isinstance(kind, Rows):
        if not isinstance(value, list):
            return [f"{where}: expected a list, got {type(value).__name__}"]
        return [p for i, row in enumerate(value) for p in kind.shape.problems(row, f"{where}[{i}]")]
    types = kind if isinstance(kind, tuple) else (kind,)
    # bool is an int to Python, not to a report: a count of True is a wrong shape.
    if isinstance(value, bool) and bool not in types:
        return [f"{where}: expected {_names(types)}, got bool"]
    if not isinstance(value, types):
        return [f"{where}: expected {_names(types)}, got {type(value).__name__}"]
    return []


def _names(types: tuple) -> str:
    return " or ".join("null" if t is NONE else t.__name__ for t in types)


UNKNOWN = Shape((("unknown", str),), (("kind", str),))
"""Evidence of a fact that could not be read (checks._base.unknown): every check may send it."""


def matching(shapes: tuple[Shape, ...], ev: object) -> list[str]:
    """[] when `ev` fits one of `shapes` (or the unknown shape), else the problems of the closest one."""
    best: list[str] | None = None
    for shape in (UNKNOWN, *shapes):
        got = shape.problems(ev)
        if not got:
            return []
        if best is None or len(got) < len(best):
            best = got
    return best or []
