"""envcheck.report.canonical is byte-identical to the rfc8785 library for every JSON value a report can hold
(and for those it cannot: floats, keys that sort differently in UTF-16), refuses what has no RFC 8785
form exactly where the library does, and the strict reader refuses duplicate keys and big integers."""

from __future__ import annotations

import json

import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from envcheck.report.canonical import INT_MAX, CanonicalError, StrictJSONError, canonical, loads_strict

# Text with what matters for ordering and escaping: control characters, quotes, backslash, DEL,
# U+2028, characters either side of the surrogate block and astral ones (UTF-16 order != code points).
chars = st.one_of(st.characters(codec="utf-8"),
                  st.sampled_from(list("\x00\x1f\"\\\x7f\u2028\ud7ff\ue000\uffff") + ["\U00010000", "😀"]))
texts = st.text(chars, max_size=12)
scalars = st.one_of(st.none(), st.booleans(), texts, st.integers(-INT_MAX, INT_MAX))
values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=5),
                                                       st.dictionaries(texts, inner, max_size=6)), max_leaves=30)
with_floats = st.recursive(st.one_of(scalars, st.floats(allow_nan=False, allow_infinity=False)),
                           lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                   st.dictionaries(texts, inner, max_size=4)), max_leaves=15)


@settings(max_examples=1500, deadline=None)
@given(values)
def test_identical_to_rfc8785_for_every_float_free_value(value):
    assert canonical(value) == rfc8785.dumps(value)


@settings(max_examples=300, deadline=None)
@given(with_floats)
def test_identical_to_rfc8785_with_floats_too(value):
    assert canonical(value) == rfc8785.dumps(value)


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_identical_for_every_report_shape(rules, data):
    """Real reports from the checker, with any subtree replaced by generated JSON."""
    from server_fixtures import Maker

    maker = Maker(rules)
    doc = maker.passing("01234-00000001")
    check = data.draw(st.integers(0, len(doc["checks"]) - 1))
    doc["checks"][check]["evidence"] = data.draw(st.dictionaries(texts, values, max_size=4))
    doc["diagnostics"][data.draw(texts)] = data.draw(values)
    assert canonical(doc) == rfc8785.dumps(doc)


@pytest.mark.parametrize("value", [INT_MAX + 1, -INT_MAX - 1, 10 ** 30, "\ud800", {"a\udfff": 1}, [1, "x\udc00"],
                                   {1: 2}, b"bytes", float("nan")])
def test_refuses_what_has_no_canonical_form_like_the_library(value):
    with pytest.raises(CanonicalError):
        canonical(value)
    with pytest.raises((ValueError, rfc8785.CanonicalizationError, UnicodeEncodeError)):
        rfc8785.dumps(value)


@pytest.mark.parametrize("text, words", [('{"a": 1, "a": 2}', "duplicate key 'a'"),
                                         ('[{"x": {"b": 1, "b": 1}}]', "duplicate key 'b'"),
                                         ('{"n": 9007199254740992}', "outside"), ('[-9007199254740992]', "outside"),
                                         ('[' + "9" * 5000 + ']', "outside"), ('[NaN]', "NaN"),
                                         ('[-Infinity]', "Infinity")])
def test_the_strict_reader_refuses_duplicates_big_integers_and_nan(text, words):
    with pytest.raises(StrictJSONError, match=words):
        loads_strict(text)


def test_the_strict_reader_reads_what_json_reads():
    text = '{"a": [1, -9007199254740991, 9007199254740991, "\\u00e9", null, true, 1.5], "b": {}}'
    assert loads_strict(text) == json.loads(text)
