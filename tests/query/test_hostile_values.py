"""Hostile and pasted-in values: a typed accsyn error (never a builtin one), and a
message that can itself be printed."""

from __future__ import annotations

import pytest

import accsyn
from accsyn.models import Transfer
from accsyn.query import Comparison, Op, Query, parse, render


def test_a_lone_surrogate_in_query_text_is_a_syntax_error_at_its_column() -> None:
    # It used to parse, validate and reach the server, which failed with a 500.
    with pytest.raises(accsyn.QuerySyntaxError) as info:
        parse("transfer WHERE name=\ud800x")
    assert info.value.column == len("transfer WHERE name=") + 1
    assert "lone surrogate '\\ud800'" in str(info.value)
    str(info.value).encode("utf-8")  # the message itself can be printed


@pytest.mark.parametrize(
    "build",
    [
        lambda: Transfer.name == "a\udcff",
        lambda: Transfer.name.in_(["a", "\udcff b"]),
        lambda: Query("transfer", Comparison("name", Op.CONTAINS, "\ud83d")),
    ],
)
def test_a_lone_surrogate_from_python_cannot_be_rendered(build: object) -> None:
    with pytest.raises(accsyn.QueryRenderError, match="lone surrogate"):
        render(build())  # type: ignore[operator]


def test_a_regex_repeat_too_large_is_a_typed_error_in_the_builder() -> None:
    # re.compile raised OverflowError, which escaped the builder and crashed lint.
    with pytest.raises(accsyn.ValidationError, match="repetition number is too large"):
        Transfer.name.matches("[\\w-]{99999999999}")


def test_a_huge_bad_pattern_is_shown_shortened() -> None:
    from accsyn.models import SCHEMA
    from accsyn.query import validate

    pattern = "(" * 5000 + "a"
    with pytest.raises(accsyn.QueryValidationError) as info:
        validate(f'transfer WHERE name matches "{pattern}"', SCHEMA)
    first = str(info.value).splitlines()[0]
    assert len(first) < 300 and "..." in first


def test_typographic_quotes_around_a_spaced_value_say_what_is_wrong() -> None:
    with pytest.raises(accsyn.QuerySyntaxError, match="are not quotes in a query"):
        parse("transfer WHERE name=\u201cmy file\u201d")


def test_a_huge_bare_expression_gets_a_short_message() -> None:
    from accsyn.models import SCHEMA
    from accsyn.query import validate

    text = " OR ".join(f"nope{i}=x" for i in range(2000))
    with pytest.raises(accsyn.QueryValidationError) as info:
        validate(text, SCHEMA)
    first = str(info.value).splitlines()[0]
    assert "names no entity type" in first and len(first) < 300
    text = " OR ".join(f"expires>2026-01-0{i % 9 + 1}" for i in range(300))
    with pytest.raises(accsyn.QueryValidationError) as info:
        validate(text, SCHEMA)
    # The one type it fits: the whole statement is the suggestion, and it is valid.
    suggestion = info.value.problems[0].suggestion
    assert suggestion is not None and suggestion.startswith("delivery WHERE ")
    validate(suggestion, SCHEMA)
