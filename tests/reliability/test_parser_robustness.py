"""The parser under abuse: only ``QuerySyntaxError``, whatever the input.

``tests/query`` covers arbitrary short text, query-like text, mutations of valid
queries and grammar-generated strings. This adds what a hostile or broken caller
sends: very large inputs, nesting far past the limit, NUL bytes and lone
surrogates spliced into valid queries, and huge numbers of clauses — through both
``parse`` and ``parse_expression``.
"""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accsyn import QuerySyntaxError
from accsyn.query import Query, parse, parse_expression, render

VALID = [
    "transfer WHERE ((user=lisa@example.com AND destination=hq) OR status<>failed) "
    'AND code="* backup"',
    "client WHERE user=6676f3e9c7ef4e27da254e57 AND type in 0,2",
    "task WHERE job.id=5a7325f8b7ef72f5f9d74bf4 AND status not in (done, 'on hold')",
    "user WHERE code='lisa@example.com'",
]


def _parses_or_syntax_error(text: str) -> None:
    for fn in (parse, parse_expression):
        try:
            result = fn(text)
        except QuerySyntaxError as exc:
            assert 0 <= exc.position <= len(text)
            assert exc.column >= 1
            continue
        if isinstance(result, Query):
            assert parse(render(result)) == result
        else:
            assert parse_expression(render(result)) == result


_QUERYISH = [*"abcXYZ019 ()=!<>,\"'*.@:-_\t\n\\", " AND ", " or ", " in ", " not "]


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 2**32 - 1), st.booleans())
def test_large_random_text(seed: int, queryish: bool) -> None:
    # Hypothesis cannot draw strings this long itself; it draws the seed.
    rng = random.Random(seed)
    size = rng.randrange(20_000, 60_000)
    if queryish:
        text = "".join(rng.choice(_QUERYISH) for _ in range(size))
    else:
        text = "".join(chr(rng.randrange(0x110000)) for _ in range(size))
    _parses_or_syntax_error(text)


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(VALID),
    st.lists(
        st.tuples(
            st.integers(0, 10_000),
            st.sampled_from(["\x00", "\ud800", "\udfff", "\x00\x00", "\u2028", "\ufeff", "\x1b"]),
        ),
        min_size=1,
        max_size=4,
    ),
)
def test_nul_bytes_and_lone_surrogates(base: str, splices: list[tuple[int, str]]) -> None:
    text = base
    for at, junk in splices:
        i = at % (len(text) + 1)
        text = text[:i] + junk + text[i:]
    _parses_or_syntax_error(text)


@pytest.mark.parametrize("depth", [63, 64, 65, 200, 5_000, 100_000])
def test_deep_nesting(depth: int) -> None:
    text = "transfer WHERE " + "(" * depth + "a=1" + ")" * depth
    if depth <= 64:
        assert parse(text).where is not None
    else:
        with pytest.raises(QuerySyntaxError):
            parse(text)
    # Unbalanced, and mixed AND/OR at every level.
    _parses_or_syntax_error("(" * depth + "a=1")
    _parses_or_syntax_error("a=1" + ")" * depth)
    _parses_or_syntax_error("(a=1 AND " * depth + "b=2" + ") OR c=3" * depth)


@pytest.mark.parametrize("terms", [1_000, 20_000])
def test_huge_number_of_clauses(terms: int) -> None:
    text = "transfer WHERE " + " AND ".join(f"a{i}=v{i}" for i in range(terms))
    q = parse(text)
    assert q.where is not None and len(q.where.children) == terms  # type: ignore[union-attr]
    broken = text[: len(text) // 2] + " AND AND " + text[len(text) // 2 :]
    with pytest.raises(QuerySyntaxError):
        parse(broken)


def test_huge_values() -> None:
    big = "x" * 1_000_000
    q = parse(f'transfer WHERE name="{big}"')
    assert q.where is not None and q.where.value == big  # type: ignore[union-attr]
    with pytest.raises(QuerySyntaxError) as info:
        parse(f'transfer WHERE name="{big}')  # unterminated
    assert info.value.position == len('transfer WHERE name="') - 1
    _parses_or_syntax_error("a in " + ",".join(["v"] * 100_000))


def test_random_token_soup() -> None:
    rng = random.Random(8)
    tokens = [
        "(", ")", ",", "=", "!=", "<>", "<", ">=", " AND ", " OR ", " in ", " not ",
        " contains ", " matches ", " WHERE ", "transfer", "a", "'x'", '"y"', "*", "\\",
        "\x00", "\ud800", "é", " ", "\t", "\n",
    ]  # fmt: skip
    for _ in range(300):
        _parses_or_syntax_error("".join(rng.choice(tokens) for _ in range(rng.randrange(1, 400))))
