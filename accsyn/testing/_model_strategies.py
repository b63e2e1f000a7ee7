"""Hypothesis strategies for accsyn models: valid wire dicts and model instances.

``wire_dicts(Transfer)`` draws dicts shaped like what the server sends (a random
subset of attributes, values of the right kind, sometimes unknown extra
attributes); ``entities(Transfer)`` builds models from them. Every drawn wire
dict round-trips: ``Model.from_wire(d).to_wire() == d``.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any, TypeVar

from hypothesis import strategies as st

from accsyn.models._base import Entity
from accsyn.models._registry import attributes_of, entity_types, model_for
from accsyn.models._types import AttributeInfo, format_wire_datetime

__all__ = [
    "entities",
    "entity_models",
    "object_ids",
    "party_refs",
    "uuids",
    "wire_dates",
    "wire_dicts",
]

E = TypeVar("E", bound=Entity)

_HEX = "0123456789abcdef"
_PARTY_TYPES = ("user", "workspace", "share", "site", "client", "organization")


def object_ids() -> st.SearchStrategy[str]:
    """24-hex entity ids."""
    return st.text(_HEX, min_size=24, max_size=24)


def uuids() -> st.SearchStrategy[str]:
    """UUID strings (task and collection-file ids)."""
    return st.uuids().map(str)


def wire_dates() -> st.SearchStrategy[str]:
    """Wire dates, ``YYYY-MM-DDTHH:MM:SS`` or with milliseconds."""
    base = datetime(1970, 1, 1, tzinfo=timezone.utc)
    seconds = st.integers(0, 130 * 365 * 86400)
    millis = st.one_of(st.just(0), st.integers(1, 999))
    return st.builds(
        lambda s, ms: format_wire_datetime(base + timedelta(seconds=s, milliseconds=ms)),
        seconds,
        millis,
    )


def party_refs() -> st.SearchStrategy[str]:
    """``<type>:<id>`` party reference strings."""
    return st.builds(lambda t, i: f"{t}:{i}", st.sampled_from(_PARTY_TYPES), object_ids())


_texts = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=20)
_json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**53), 2**53),
    _texts,
    st.floats(allow_nan=False, allow_infinity=False),
)
_json_values = st.recursive(
    _json_scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(_texts, inner, max_size=3)
    ),
    max_leaves=8,
)
_json_objects = st.dictionaries(_texts, _json_values, max_size=4)


def _value(model: type[Entity], info: AttributeInfo) -> st.SearchStrategy[Any]:
    name, kind = info.name, info.kind
    if kind == "id":
        return uuids() if info.id_format == "uuid" else object_ids()
    if kind == "reference":
        annotation = str(model.__pydantic_fields__[name].annotation)
        return party_refs() if "PartyRef" in annotation else object_ids()
    if kind == "datetime":
        return wire_dates()
    if kind == "bool":
        return st.booleans()
    if kind == "int":
        return st.integers(-(2**53), 2**53)
    if kind == "float":
        return st.floats(allow_nan=False, allow_infinity=False)
    if kind == "enum":
        assert info.enum is not None
        return st.sampled_from([m.value for m in info.enum])
    if kind == "str":
        return _texts
    return _object_value(model, name)


def _object_value(model: type[Entity], name: str) -> st.SearchStrategy[Any]:
    annotation = model.__pydantic_fields__[name].annotation
    nested = getattr(annotation, "__args__", (annotation,))
    for tp in nested:
        fields = getattr(tp, "__pydantic_fields__", None)
        if fields:
            # A nested model (task endpoint, volume paths): its keys hold strings.
            return st.dictionaries(st.sampled_from(sorted(fields)), _texts, max_size=len(fields))
    if name == "host_id":
        return st.one_of(_texts, st.lists(_texts, max_size=3))
    return _json_objects


def wire_dicts(
    model: type[Entity] | str, *, extras: bool = True
) -> st.SearchStrategy[dict[str, Any]]:
    """Wire dicts for ``model``: any subset of its attributes, plus unknown ones."""
    cls = model_for(model) if isinstance(model, str) else model
    infos = attributes_of(cls)
    optional = {
        name: st.one_of(st.none(), _value(cls, info)) if info.nullable else _value(cls, info)
        for name, info in infos.items()
    }
    known = st.fixed_dictionaries({}, optional=optional)
    if not extras:
        return known
    unknown_names = st.from_regex(r"x_[a-z]{1,8}", fullmatch=True)
    unknown = st.dictionaries(unknown_names, _json_values, max_size=2)
    return st.builds(lambda a, b: {**a, **b}, known, unknown)


def entities(model: type[E] | str, *, extras: bool = True) -> st.SearchStrategy[E]:
    """Model instances built from :func:`wire_dicts` (as if read from the server)."""
    cls: type[Any] = model_for(model) if isinstance(model, str) else model
    return wire_dicts(cls, extras=extras).map(cls.from_wire)


def entity_models() -> st.SearchStrategy[type[Entity]]:
    """Any registered model class."""
    return st.sampled_from([model_for(name) for name in entity_types()])
