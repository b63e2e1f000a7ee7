"""Client-side filtering: ``~e`` selects exactly the entities ``e`` does not."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from accsyn.models import Transfer
from accsyn.query import Expr
from accsyn.query._evaluate import matches

from .strategies import expressions, wire_transfers


@settings(max_examples=200, deadline=None)
@given(expr=expressions(), entity=wire_transfers())
def test_negation_is_the_complement(expr: Expr, entity: dict[str, Any]) -> None:
    assert matches(~expr, entity, entitytype="transfer") == (
        not matches(expr, entity, entitytype="transfer")
    )


@settings(max_examples=100, deadline=None)
@given(expr=expressions(), entity=wire_transfers())
def test_models_and_wire_dicts_match_alike(expr: Expr, entity: dict[str, Any]) -> None:
    model = Transfer.from_wire(entity)
    assert matches(expr, model) == matches(expr, entity, entitytype="transfer")
    assert matches(~expr, model) == (not matches(expr, model))


@settings(max_examples=50, deadline=None)
@given(exprs=st.lists(expressions(4), min_size=1, max_size=10), entity=wire_transfers())
def test_double_negation_is_identity(exprs: list[Expr], entity: dict[str, Any]) -> None:
    for e in exprs:
        assert matches(~~e, entity, entitytype="transfer") == matches(
            e, entity, entitytype="transfer"
        )
