"""The fast LALR driver and Lark's own driver agree on every input."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from lark.exceptions import LarkError

from accsyn.query import render
from accsyn.query._parser import _Abort, _get_engine
from accsyn.testing._query_strategies import queries


def _both(text: str) -> None:
    engine = _get_engine()
    try:
        fast = engine.parse(text)
    except _Abort:
        fast = "abort"
    try:
        slow = engine.lark.parse(text)
    except _Abort:
        slow = "abort"
    except LarkError:
        slow = None
    assert fast == slow


@settings(max_examples=300)
@given(queries())
def test_drivers_agree_on_valid_queries(q: object) -> None:
    _both(render(q))  # type: ignore[arg-type]


@settings(max_examples=500)
@given(st.text(alphabet="ab (),=!<>\"'*.:@-_\tINOTAND", max_size=40))
def test_drivers_agree_on_arbitrary_text(text: str) -> None:
    _both(text)


def test_drivers_agree_on_edge_cases() -> None:
    for text in ["", " ", "a", "a=", "a=1 ", " a = 1 ", "a in (1, 2)", "t WHERE a=1)", "((a=1)"]:
        _both(text)
