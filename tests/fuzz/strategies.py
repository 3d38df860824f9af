"""Hypothesis strategies for hostile input: JSON shaped like what a parser expects, with wrong types,
huge numbers, NaN, control and bidi characters, markup, deep nesting."""

from __future__ import annotations

from hypothesis import strategies as st

NASTY_TEXT = st.sampled_from([
    "", " ", "<b>bold</b>", "<img src=x onerror=alert(1)>", "\u202eevil\u202c", "a\u200db",
    "\x00\x01\x1b[31m",
    "👨‍👩‍👧‍👦", "🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f", "e\u0301" + "\u0301" * 50,
    "NaN", "Infinity", "-1", "1e999999", "9" * 5000, "²", "１２３", "2030-01-01T10:00:00+08:00", "0000-01-01",
    "9999-12-31T23:59:59Z", "\ud800", "line\nbreak", "x" * 3000, "\ufeff", "1,299.00", "USD", "cny",
])
TEXT = st.one_of(NASTY_TEXT, st.text(max_size=40))
NUMBER = st.one_of(
    st.integers(min_value=-(10**30), max_value=10**30), st.sampled_from([10**400, -(10**400), 2**63, 0, 1]),
    st.floats(allow_nan=True, allow_infinity=True),
)
SCALAR = st.one_of(st.none(), st.booleans(), NUMBER, TEXT)


def json_values(keys: list[str]) -> st.SearchStrategy:
    """Any JSON value, objects keyed mostly by `keys` (the fields the parser looks for)."""
    key = st.one_of(st.sampled_from(keys), st.text(max_size=8))
    return st.recursive(
        SCALAR,
        lambda children: st.one_of(st.lists(children, max_size=4),
                                   st.dictionaries(key, children, max_size=len(keys) + 2)),
        max_leaves=20,
    )


def objects(keys: list[str]) -> st.SearchStrategy:
    return st.dictionaries(st.sampled_from(keys), json_values(keys), max_size=len(keys))
