"""core.jsonsafety: the checks the REST parser, the address guard and the websocket share."""

from __future__ import annotations

import pytest

from core.jsonsafety import (
    MAX_DEPTH,
    BadText,
    TooDeep,
    bad_text,
    json_depth,
    loads,
    nesting_exceeds,
)


@pytest.mark.parametrize(
    ("text", "depth"),
    [
        ("1", 0),
        ('{"a": [1, {"b": []}]}', 4),
        ('["[[[[", "{{{{"]', 1),  # brackets in strings do not nest
        ('["\\"[[[["]', 1),  # nor after an escaped quote
        ("[" * 100_000 + "]" * 100_000, 100_000),
        ("[" * 100_000, 100_000),  # unclosed: what a parser would descend into
    ],
)
def test_depth_is_measured_on_the_raw_text(text: str, depth: int) -> None:
    assert json_depth(text) == depth


def test_nesting_up_to_the_limit_is_accepted_and_one_more_is_too_deep() -> None:
    at_limit = "[" * MAX_DEPTH + "]" * MAX_DEPTH
    assert not nesting_exceeds(at_limit)
    assert loads(at_limit) is not None
    with pytest.raises(TooDeep):
        loads("[" + at_limit + "]")


def test_a_million_unclosed_brackets_are_refused_before_the_parser_recurses() -> None:
    with pytest.raises(TooDeep):
        loads("[" * 1_000_000)


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ('{"city": "a\\u0000b"}', "city"),
        ('{"city": "\\ud800"}', "city"),
        ('{"city": "\\uDFFF"}', "city"),
        ('{"project": {"title": ["ok", "\\udbff"]}}', "project"),
        ('{"\\ud800": "Rabat"}', None),  # a bad key is never echoed as a field name
        ('["\\u0000"]', None),
    ],
)
def test_nul_and_lone_surrogates_are_refused_anywhere_and_the_field_named(
    text: str, field: str | None
) -> None:
    with pytest.raises(BadText) as refused:
        loads(text)
    assert refused.value.field == field


def test_surrogate_pairs_bidi_controls_and_arabic_are_text() -> None:
    document = loads('{"name": "\\ud83c\\uddf2\\ud83c\\udde6 \\u202eمرحبا\\u2069"}')

    assert document == {"name": "🇲🇦 \u202eمرحبا\u2069"}


def test_nan_and_infinity_are_not_json() -> None:
    for text in ("NaN", "[Infinity]", '{"a": -Infinity}'):
        with pytest.raises(ValueError):
            loads(text)


def test_bad_text_names_what_is_wrong() -> None:
    assert bad_text("Fès") is None
    assert bad_text("a\x00") == "a NUL character"
    assert bad_text("\udc00") == "an unpaired surrogate"
