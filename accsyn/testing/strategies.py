"""Hypothesis strategies for accsyn queries and entity models.

Use them in your own property tests::

    from hypothesis import given
    from accsyn.testing.strategies import entities, queries
    from accsyn.models import Transfer

    @given(entities(Transfer))
    def test_round_trip(t):
        assert Transfer.from_wire(t.to_wire()) == t
"""

from accsyn.testing._model_strategies import (
    entities,
    entity_models,
    object_ids,
    party_refs,
    uuids,
    wire_dates,
    wire_dicts,
)
from accsyn.testing._query_strategies import (
    attribute_names,
    comparisons,
    entity_type_names,
    expressions,
    queries,
    query_values,
)

__all__ = [
    "attribute_names",
    "comparisons",
    "entities",
    "entity_models",
    "entity_type_names",
    "expressions",
    "object_ids",
    "party_refs",
    "queries",
    "query_values",
    "uuids",
    "wire_dates",
    "wire_dicts",
]
