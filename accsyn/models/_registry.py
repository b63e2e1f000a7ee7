"""The registry of entity models by type name, and attribute kinds per model.

The models are the one place attribute names and types live; the query
validator, the evaluator and the emulator read them from :func:`attributes_of`.
"""

from __future__ import annotations

import difflib
import types
import typing
from collections.abc import Mapping
from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING, Any, Union

from pydantic import BaseModel

from accsyn._exceptions import ValidationError
from accsyn.models._types import AttributeInfo, AttributeKind, Kind, PartyRef

if TYPE_CHECKING:
    from accsyn.models._base import Entity
    from accsyn.models._inputs import InputModel

__all__ = [
    "ALIASES",
    "attributes_of",
    "entity_types",
    "generation",
    "input_model",
    "model_for",
    "models",
    "register",
    "register_input",
    "resolve_name",
]

_models: dict[str, type[Entity]] = {}
_inputs: dict[tuple[str, str], type[InputModel]] = {}
_attributes: dict[type[Entity], Mapping[str, AttributeInfo]] = {}
_aliases: dict[str, str] = {}
_generation = [0]

#: Deprecated or generic type names and the uri they map to: derived from each
#: model's ``__aliases__`` (a live read-only view).
ALIASES: Mapping[str, str] = types.MappingProxyType(_aliases)


def register(model: type[Entity]) -> None:
    """Register a concrete model under its ``__entitytype__`` (done by subclassing)."""
    uri = model.__entitytype__.lower()
    _models[uri] = model
    for alias in model.__aliases__:
        _aliases[alias.lower()] = uri
    _generation[0] += 1


def register_input(model: type[InputModel]) -> None:
    """Register an input model under its ``__entitytype__`` and ``__operation__``."""
    _inputs[(model.__entitytype__, model.__operation__)] = model
    _generation[0] += 1


def input_model(uri: str, operation: str) -> type[InputModel] | None:
    """The input model for ``create`` / ``update`` of a type, or None."""
    return _inputs.get((uri, operation))


def models() -> Mapping[str, type[Entity]]:
    """Every registered uri name → its model."""
    return types.MappingProxyType(_models)


def generation() -> int:
    """A counter that changes whenever a model is (re)registered (cache key)."""
    return _generation[0]


def resolve_name(name: str) -> str | None:
    """The registered uri name for ``name`` (any case, aliases resolved), or None."""
    key = name.strip().lower()
    key = ALIASES.get(key, key)
    return key if key in _models else None


def model_for(name: str) -> type[Entity]:
    """The model class for an entity type name (case-insensitive; ``job``, ``share`` aliases).

    Raises:
        accsyn.ValidationError: unknown type; the message suggests the nearest one.
    """
    if not isinstance(name, str):
        raise ValidationError(f"an entity type name is a str, not {type(name).__name__}")
    key = resolve_name(name)
    if key is None:
        known = [*_models, *ALIASES]
        near = difflib.get_close_matches(name.strip().lower(), known, n=1, cutoff=0.6)
        hint = f"; did you mean {near[0]!r}?" if near else ""
        raise ValidationError(f"unknown entity type {name!r}{hint}", field="entitytype")
    return _models[key]


def entity_types() -> tuple[str, ...]:
    """Every registered entity type uri name, sorted (aliases not included)."""
    return tuple(sorted(_models))


def attributes_of(model_or_name: type[Entity] | str) -> Mapping[str, AttributeInfo]:
    """Name → :class:`AttributeInfo` for every declared attribute of a model."""
    model = model_for(model_or_name) if isinstance(model_or_name, str) else model_or_name
    cached = _attributes.get(model)
    if cached is None:
        cached = types.MappingProxyType(
            {
                name: _describe(name, info.annotation, info.metadata, model.__id_format__)
                for name, info in model.__pydantic_fields__.items()
            }
        )
        _attributes[model] = cached
    return cached


def _describe(name: str, annotation: Any, metadata: list[Any], id_format: str) -> AttributeInfo:
    nullable = False
    kind_override: AttributeKind | None = None
    for item in metadata:
        if isinstance(item, Kind):
            kind_override = item.kind
    tp = annotation
    # Peel Optional / Annotated layers down to the value type.
    while True:
        origin = typing.get_origin(tp)
        if origin is typing.Annotated:
            for item in tp.__metadata__:
                if isinstance(item, Kind):
                    kind_override = item.kind
            tp = tp.__origin__
        elif origin is Union or origin is types.UnionType:
            args = [a for a in typing.get_args(tp) if a is not type(None)]
            nullable = nullable or len(args) < len(typing.get_args(tp))
            tp = args[0] if len(args) == 1 else tp
            if len(args) != 1:
                break
        else:
            break
    enum: type[Enum] | None = None
    kind: AttributeKind
    if kind_override is not None:
        kind = kind_override
    elif isinstance(tp, type) and issubclass(tp, Enum):
        kind, enum = "enum", tp
    elif tp is PartyRef:
        kind = "reference"
    elif tp is bool:
        kind = "bool"
    elif tp is int:
        kind = "int"
    elif tp is float:
        kind = "float"
    elif tp is str:
        kind = "str"
    elif tp is datetime:
        kind = "datetime"
    elif typing.get_origin(tp) is list:
        kind = "list"
    elif (isinstance(tp, type) and issubclass(tp, BaseModel | dict)) or (
        typing.get_origin(tp) is dict
    ):
        kind = "object"
    elif typing.get_origin(tp) in (Union, types.UnionType) and str in typing.get_args(tp):
        kind = "str"
    else:
        kind = "object"
    return AttributeInfo(
        name=name,
        kind=kind,
        enum=enum,
        nullable=nullable,
        id_format=id_format if kind == "id" else None,  # type: ignore[arg-type]
    )
