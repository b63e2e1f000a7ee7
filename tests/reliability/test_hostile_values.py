"""Hostile values in the builder never change the structure of a query.

For every operator of the typed field expressions, a value full of quotes,
parentheses, keywords, commas, ``*``, backslashes, unicode and control characters
either renders to a query that parses back to exactly one comparison holding
exactly that value, or rendering raises ``accsyn.QueryRenderError``. ``==`` and
``!=`` with a ``*`` use the anchored, escaped regex form (a literal compare, never a
wildcard).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from hypothesis import example, given, settings
from hypothesis import strategies as st

import accsyn
from accsyn.models import Delivery, Transfer, User
from accsyn.query import Comparison, Op, Query, parse, parse_expression, render
from accsyn.query._render import unencodable
from accsyn.testing._query_strategies import query_values


def _anchored(v: str) -> str:
    return "^" + re.escape(v) + "$"


def _eq(v: str) -> tuple[Op, Any]:
    return (Op.MATCHES, _anchored(v)) if "*" in v else (Op.EQ, v)


def _ne(v: str) -> tuple[Op, Any]:
    return (Op.NOT_MATCHES, _anchored(v)) if "*" in v else (Op.NE, v)


def _in(v: str) -> tuple[Op, Any]:
    return (Op.MATCHES, _anchored(v)) if "*" in v else (Op.IN, (v,))


def _not_in(v: str) -> tuple[Op, Any]:
    return (Op.NOT_MATCHES, _anchored(v)) if "*" in v else (Op.NOT_IN, (v,))


# operator name -> (build the expression, the one comparison it must mean)
OPERATORS: dict[str, tuple[Callable[[Any, str], Any], Callable[[str], tuple[Op, Any]]]] = {
    "==": (lambda f, v: f == v, _eq),
    "!=": (lambda f, v: f != v, _ne),
    "<": (lambda f, v: f < v, lambda v: (Op.LT, v)),
    "<=": (lambda f, v: f <= v, lambda v: (Op.LE, v)),
    ">": (lambda f, v: f > v, lambda v: (Op.GT, v)),
    ">=": (lambda f, v: f >= v, lambda v: (Op.GE, v)),
    "contains": (lambda f, v: f.contains(v), lambda v: (Op.CONTAINS, v)),
    "not_contains": (lambda f, v: f.not_contains(v), lambda v: (Op.NOT_CONTAINS, v)),
    "matches": (lambda f, v: f.matches(v), lambda v: (Op.MATCHES, v)),
    "not_matches": (lambda f, v: f.not_matches(v), lambda v: (Op.NOT_MATCHES, v)),
    "like": (lambda f, v: f.like(v), lambda v: (Op.EQ, v)),
    "not_like": (lambda f, v: f.not_like(v), lambda v: (Op.NE, v)),
    "in_": (lambda f, v: f.in_([v]), _in),
    "not_in": (lambda f, v: f.not_in([v]), _not_in),
}

FIELDS = [
    (Transfer, "name"),
    (Transfer, "status"),
    (Transfer, "user"),
    (Transfer, "description"),
    (User, "code"),
    (Delivery, "name"),
]


def _compiles(pattern: str) -> bool:
    try:
        re.compile(pattern)
    except (re.error, RecursionError, OverflowError):
        return False
    return True


@settings(max_examples=600, deadline=None)
@given(
    value=query_values(),
    op=st.sampled_from(sorted(OPERATORS)),
    field=st.sampled_from(FIELDS),
)
@example(value='it\'s "x"', op="==", field=(Transfer, "name"))
@example(value="a) OR (b=c", op="==", field=(Transfer, "name"))
@example(value="x,y", op="in_", field=(Transfer, "status"))
@example(value="* backup", op="!=", field=(Transfer, "name"))
@example(value="\\", op="matches", field=(Transfer, "name"))
@example(value="\x00\ud800", op="contains", field=(User, "code"))
def test_a_value_is_one_comparison_or_a_render_error(
    value: str, op: str, field: tuple[type[Any], str]
) -> None:
    model, attribute = field
    build, meaning = OPERATORS[op]
    expected_op, expected_value = meaning(value)
    try:
        expr = build(getattr(model, attribute), value)
    except accsyn.ValidationError:
        # Only a pattern that is not a regular expression is refused while building.
        assert op in ("matches", "not_matches") and not _compiles(value)
        return
    try:
        text = render(expr)
    except accsyn.QueryRenderError:
        # Only values the language cannot carry: both quote characters, a comma
        # inside a list item, or a lone surrogate (not text a server can receive).
        assert (
            ('"' in value and "'" in value)
            or (op in ("in_", "not_in") and "," in value)
            or unencodable(value) is not None
        )
        return
    back = parse_expression(text)
    assert isinstance(back, Comparison), (value, text, back)
    assert back == Comparison(attribute, expected_op, expected_value), (value, text, back)

    # The same inside a whole statement, next to other clauses.
    statement = render(model.where(expr, model.id == "x"))
    query = parse(statement)
    assert isinstance(query, Query) and query.entitytype == model.__entitytype__
    assert query.where is not None
    assert Comparison(attribute, expected_op, expected_value) in query.where.children  # type: ignore[union-attr]
    assert len(query.where.children) == 2  # type: ignore[union-attr]
