"""RFC 8785 (JCS) canonical JSON, fast for the documents envcheck signs, and a strict JSON reader.

Reports carry no floats (reportschema refuses them), and for float-free JSON RFC 8785 is exactly
what the C-accelerated `json.dumps(..., sort_keys=True, ensure_ascii=False, separators=(",", ":"))`
writes, with two exceptions handled here: keys are ordered by UTF-16 code units (Python orders by
code points; they differ only when a key has a character at or above U+E000), and integers must lie
within ±(2**53 - 1). Anything else (floats, such keys) goes to the `rfc8785` library itself.
tests/test_canonical.py proves byte equality with `rfc8785.dumps` on generated documents.
"""

from __future__ import annotations

import json

import rfc8785

INT_MAX = 2 ** 53 - 1
_ENCODE = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), sort_keys=True, allow_nan=False,
                           check_circular=False).encode


class CanonicalError(ValueError):
    """The value has no RFC 8785 form (integer out of range, lone surrogate, non-text key...)."""


class StrictJSONError(ValueError):
    """The text is JSON that envcheck refuses (duplicate key, NaN, out-of-range integer)."""


def _plain(node) -> bool:  # noqa: C901 - one type switch on the hot path: a call per branch would cost more
    """True when the fast encoder gives RFC 8785 bytes; raises CanonicalError for what has none."""
    stack = [node]
    plain = True
    while stack:
        v = stack.pop()
        t = type(v)
        if t is dict:
            for k in v:
                if type(k) is not str:
                    raise CanonicalError("object keys must be text")
                if k and max(k) >= "\ue000":
                    plain = False  # UTF-16 order differs from code-point order only here
            stack.extend(v.values())
            stack.extend(v.keys())
        elif t is list:
            stack.extend(v)
        elif t is str:
            if not v.isascii():
                try:
                    v.encode("utf-8")
                except UnicodeEncodeError:
                    raise CanonicalError("text contains a lone surrogate (not Unicode)") from None
        elif t is int:
            if not -INT_MAX <= v <= INT_MAX:
                raise CanonicalError(f"integer {str(v)[:30]} is outside ±(2**53-1)")
        elif t is float:
            plain = False
        elif v is not None and t is not bool:
            raise CanonicalError(f"{t.__name__} has no JSON form")
    return plain


def canonical(node, checked: bool = False) -> bytes:
    """RFC 8785 bytes of `node`; raises CanonicalError (a ValueError) when it has none.

    `checked=True`: the caller has walked `node` already and vouches that it is float-free, its
    integers in range, its text valid Unicode and no key has a character at or above U+E000
    (reportschema.validate_report returns exactly that): the walk here is skipped."""
    if checked or _plain(node):
        return _ENCODE(node).encode("utf-8")
    try:
        return rfc8785.dumps(node)
    except (rfc8785.CanonicalizationError, UnicodeEncodeError) as exc:
        raise CanonicalError(str(exc)[:120]) from None


def _add(seen: set, key) -> bool:
    seen.add(key)
    return False


def _pairs(pairs: list) -> dict:
    out = dict(pairs)
    if len(out) != len(pairs):
        seen: set = set()
        dup = next(k for k, _ in pairs if k in seen or _add(seen, k))
        raise StrictJSONError(f"duplicate key {dup[:40]!r}")
    return out


def _int(text: str) -> int:
    if len(text) > 17:
        raise StrictJSONError(f"integer {text[:20]}… is outside ±(2**53-1)")
    value = int(text)
    if not -INT_MAX <= value <= INT_MAX:
        raise StrictJSONError(f"integer {text} is outside ±(2**53-1)")
    return value


def _constant(name: str):
    raise StrictJSONError(f"{name} is not JSON")


def loads_strict(text: str):
    """json.loads that refuses duplicate keys, NaN/Infinity and integers outside ±(2**53-1)."""
    return json.loads(text, object_pairs_hook=_pairs, parse_int=_int, parse_constant=_constant)
