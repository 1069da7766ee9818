"""validate_report split by section (issue 19) answers exactly as the one-function version did.

The reference is envcheck/report/schema.py as it was before the split (commit fe41779), read from git;
both run on real signed reports mutated by hypothesis (a value replaced, a key removed or added, text
made long or not Unicode, numbers out of range, nesting too deep) and must agree on every one: the same
"plain" answer, or the same InvalidReport message naming the same field.
"""

from __future__ import annotations

import copy
import subprocess
import types
from datetime import datetime, timezone
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from docpaths import paths as doc_paths

from envcheck.report import schema

ROOT = Path(__file__).resolve().parent.parent
BEFORE = "fe41779"


def _reference() -> types.ModuleType:
    try:
        source = subprocess.run(["git", "-C", str(ROOT), "show", f"{BEFORE}:envcheck/report/schema.py"],
                                capture_output=True, text=True, timeout=30, check=True).stdout
    except (OSError, subprocess.SubprocessError):
        pytest.skip(f"the pre-split schema (git {BEFORE}) is not available in this checkout")
    module = types.ModuleType("schema_before_split")
    exec(compile(source, "schema_before_split.py", "exec"), module.__dict__)  # our own code, as committed
    return module


@pytest.fixture(scope="module")
def before():
    return _reference()


@pytest.fixture(scope="module")
def reports(rules):
    from server_fixtures import Maker

    maker = Maker(rules)
    when = datetime(2026, 11, 24, 9, 30, tzinfo=timezone.utc)
    diag = maker.unsigned("01234-00000001", passing=False, when=when)
    diag["diagnostics"] = {"ran": True, "steps": [{"step": "dns", "status": "ok", "ms": 12, "ok": True,
                                                   "note": None, "キー": "値"}]}
    return [maker.passing("01234-00000001", when=when), maker.sign(diag), maker.unsigned(None, when=when)]


# Keys around U+E000, where the canonical form's fast path stops being RFC 8785's order.
KEYS = ["extra", "é", "キー", "\ud7ff", "\ue000", "\ue001", "\U0001f600"]
JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-2 ** 60, max_value=2 ** 60) | st.floats(allow_nan=False)
    | st.text(max_size=20) | st.sampled_from(["pass", "fail", "incomplete", "Ed25519", "\ud800", "x" * 4097,
                                             "\ue000キー", "01234-00000001", "2026-02-30T00:00:00Z",
                                             "checker.version\x00", "network.tls_proxy", "a.b"]),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8) | st.sampled_from(KEYS),
                                                                 inner, max_size=4),
    max_leaves=12)
# Values close to right for the fields the sections check (wrong case, wrong length, a real id twice ...).
NEAR = st.sampled_from([
    None, True, False, 0, 2 ** 53, "", [], {}, {"ja": "x", "en": "y"}, {"ja": "x"}, {"ja": 1, "en": "y"},
    "pass", "warn", "fail", "declared", "unknown", "skipped", "incomplete", "windows", "ios", "plan9",
    "envcheck.report/1", "envcheck.report/2", "0c7f5a9e-3b1d-4c2a-9f8e-1a2b3c4d5e6f",
    "0C7F5A9E-3B1D-4C2A-9F8E-1A2B3C4D5E6F", "2026-11-24T09:30:00Z", "2026-13-01T00:00:00Z", "2026-11-24 09:30:00",
    "01234-00000001", "1234-00000001", "ABCD-EFGH-JKM0", "ab", "Ed25519", "RSA", "0123456789abcdef",
    "0123456789ABCDEF", "A" * 44, "A" * 43 + "=", "A" * 88, "A" * 87 + "!", "network.firewall", "os.supported",
    "future.check_x", "Bad.ID", "a" * 30 + ".b", "第4条", [{"id": "x"}] * 65, [1], ["a", "b"],
])
FIELDS = [("format",), ("report_id",), ("created_at",), ("checker",), ("checker", "version"),
          ("checker", "rules_version"), ("checker", "platform"), ("seeker_no",), ("verdict",), ("checks",),
          ("checks", 0), ("checks", 0, "id"), ("checks", 1, "id"), ("checks", 0, "status"), ("checks", 0, "article"),
          ("checks", 0, "summary"), ("checks", 0, "summary", "en"), ("checks", 0, "evidence"), ("checks", 0, "remedy"),
          ("checks", 2, "remedy", "ja"), ("diagnostics",), ("replayed",), ("enrolment_code",), ("signature",),
          ("signature", "alg"), ("signature", "key_id"), ("signature", "public_key"), ("signature", "value")]
ODD = st.sampled_from([1.5, b"bytes", (1, 2), {1: "int key"}, [[[[[[[[[[[[[["deep"]]]]]]]]]]]]]], object()])


@st.composite
def mutations(draw, count: int = 3):
    """A list of (op, index into the paths, value) applied in turn to a copy of a real report."""
    anywhere = st.tuples(st.sampled_from(["set", "drop", "add"]), st.integers(0, 10 ** 6), JSONISH | ODD)
    field = st.tuples(st.sampled_from(["field", "field", "unset"]), st.integers(0, len(FIELDS) - 1), NEAR | JSONISH)
    return draw(st.lists(field | field | anywhere, min_size=1, max_size=count))


def _field(doc, op: str, where: tuple, value) -> None:
    """Set or remove one named field when its parents are there (else leave the report as it is)."""
    parent = doc
    for step in where[:-1]:
        ok = (isinstance(parent, dict) and step in parent) or (isinstance(parent, list) and type(step) is int
                                                              and step < len(parent))
        if not ok:
            return
        parent = parent[step]
    last = where[-1]
    if isinstance(parent, dict):
        if op == "field":
            parent[last] = value
        else:
            parent.pop(last, None)
    elif isinstance(parent, list) and type(last) is int and last < len(parent):
        parent[last] = value


def _apply(doc: dict, ops) -> object:
    doc = copy.deepcopy(doc)
    for op, n, shared in ops:
        value = copy.deepcopy(shared)  # sampled values are shared objects: never make a cycle
        if op in ("field", "unset"):
            _field(doc, op, FIELDS[n], value)
            continue
        paths = list(doc_paths(doc)) if isinstance(doc, (dict, list)) else [()]
        where = paths[n % len(paths)]
        if not where:
            if op == "set":
                doc = value
            continue
        parent = doc
        for step in where[:-1]:
            parent = parent[step]
        last = where[-1]
        if op == "set":
            parent[last] = value
        elif op == "drop" and isinstance(parent, dict):
            del parent[last]
        elif op == "drop":
            parent.pop(last)
        elif isinstance(parent, dict):
            parent[KEYS[n % len(KEYS)]] = value
        else:
            parent.insert(last, value)
    return doc


def _answer(module, doc, require_signature: bool):
    try:
        return ("ok", module.validate_report(doc, require_signature))
    except module.InvalidReport as exc:
        return ("invalid", str(exc))


def test_the_unmutated_real_reports_agree(before, reports):
    for doc in reports:
        for sig in (True, False):
            assert _answer(schema, doc, sig) == _answer(before, doc, sig)
    assert _answer(schema, reports[0], True) == ("ok", True)


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                   HealthCheck.function_scoped_fixture])
@given(which=st.integers(0, 2), ops=mutations(), sig=st.booleans())
def test_every_mutated_report_gets_the_same_answer_as_before_the_split(before, reports, which, ops, sig):
    doc = _apply(reports[which], ops)
    new = _answer(schema, doc, sig)
    event(new[0] if new[0] == "ok" else new[1].split(":")[0].split("[")[0].split(".")[0])  # the section hit
    assert new == _answer(before, doc, sig), ops
    if new[0] == "invalid":
        assert new[1].split(":")[0], "the field is named"
