"""Invariants over generated models (hypothesis)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accsyn import QueryValidationError
from accsyn.models import Entity, Transfer, attributes_of, entity_types, model_for
from accsyn.testing._model_strategies import entities, entity_models, wire_dicts


@settings(max_examples=100)
@given(st.data())
def test_wire_dicts_round_trip_for_every_model(data: st.DataObject) -> None:
    model = data.draw(entity_models())
    wire = data.draw(wire_dicts(model))
    entity = model.from_wire(wire)
    assert entity.to_wire() == wire
    # The JSON fast path reads the same thing.
    (again,) = model.list_from_json(json.dumps([wire]))
    assert again.to_wire() == wire


@given(entities(Transfer))
def test_entities_survive_to_wire_and_back(entity: Transfer) -> None:
    assert Transfer.from_wire(entity.to_wire()) == entity


@given(wire_dicts("transfer"), st.lists(st.sampled_from(sorted(Transfer.model_fields))))
def test_projection_only_hides_unselected_unsent_fields(
    wire: dict[str, Any], selected: list[str]
) -> None:
    entity = Transfer.from_wire(wire, attributes=selected)
    for name in Transfer.model_fields:
        readable = name in selected or name in wire
        try:
            getattr(entity, name)
        except AttributeError:
            assert not readable
        else:
            assert readable
    assert entity.to_wire() == wire


@pytest.mark.parametrize("name", entity_types())
@settings(max_examples=10, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_every_registered_type_has_a_strategy(name: str, data: st.DataObject) -> None:
    # The strategy draws only the model's own attributes, in values the model reads back.
    from accsyn.models import attributes_of

    model: type[Entity] = model_for(name)
    wire = data.draw(wire_dicts(model, extras=False))
    assert set(wire) <= set(attributes_of(model))
    assert model.from_wire(wire).to_wire() == wire


def _typed_values(model: type[Entity], name: str) -> st.SearchStrategy[Any]:
    from datetime import timezone

    from accsyn.models import attributes_of
    from accsyn.testing._model_strategies import object_ids, uuids

    info = attributes_of(model)[name]
    by_kind: dict[str, st.SearchStrategy[Any]] = {
        "int": st.integers(-(10**12), 10**12),
        "float": st.floats(allow_nan=False, allow_infinity=False),
        "bool": st.booleans(),
        "datetime": st.datetimes(timezones=st.just(timezone.utc)),
        "id": uuids() if info.id_format == "uuid" else object_ids(),
        "str": st.text(max_size=10),
        "reference": st.text(max_size=10),
    }
    if info.kind == "enum":
        assert info.enum is not None
        return st.sampled_from(list(info.enum))
    return by_kind.get(info.kind, st.text(max_size=10))


@settings(max_examples=100)
@given(st.data())
def test_builder_queries_always_validate(data: st.DataObject) -> None:
    from accsyn.query._validate import validate

    model = data.draw(entity_models())
    name = data.draw(st.sampled_from(sorted(model.model_fields)))
    value = data.draw(_typed_values(model, name))
    field = getattr(model, name)
    exprs = [field == value, field != value, field.in_([value])]
    whole_object = attributes_of(model)[name].kind in ("object", "list") and "*" not in value
    for expr in exprs:
        if whole_object:
            # A whole dict never equals text (ObjectExpr takes no comparison): refused.
            with pytest.raises(QueryValidationError, match="compares as a whole"):
                validate(model.where(expr))
        else:
            validate(model.where(expr))
