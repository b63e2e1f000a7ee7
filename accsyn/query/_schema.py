"""What the query language needs to know about entity types: the :class:`Schema` protocol.

The language knows no models. Validation and evaluation ask a schema, a small
protocol that :data:`accsyn.models.SCHEMA` implements (and that a test, or another
data source, can implement in a few lines), what a type name means and what kind
each attribute has.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Literal, Protocol, runtime_checkable

__all__ = ["AttributeInfo", "AttributeKind", "IdFormat", "Schema"]

AttributeKind = Literal[
    "str", "int", "float", "bool", "datetime", "enum", "reference", "id", "object", "list"
]
IdFormat = Literal["objectid", "uuid"]


@dataclass(frozen=True, slots=True)
class AttributeInfo:
    """What a schema knows about one attribute: its name, kind and nullability.

    ``kind == "reference"`` means the attribute refers to another entity and also
    matches that entity's human identifier (email, code) in queries. For
    ``kind == "id"``, ``id_format`` says whether ids are 24-hex ``"objectid"`` or
    ``"uuid"``; ``enum`` is the enum class for ``kind == "enum"`` (its members are
    the values a query may compare with).
    """

    name: str
    kind: AttributeKind
    enum: type[Enum] | None = None
    nullable: bool = True
    id_format: IdFormat | None = None


@runtime_checkable
class Schema(Protocol):
    """The entity types and attributes a query is checked and evaluated against.

    Schemas are hashable (the evaluator caches attribute kinds per schema).
    """

    def __hash__(self) -> int: ...

    def resolve_type(self, name: str) -> str | None:
        """The uri name ``name`` means (any case, aliases resolved), or None if unknown."""
        ...

    def entity_types(self) -> Collection[str]:
        """Every entity type uri name (aliases not included)."""
        ...

    def attributes(self, entitytype: str) -> Mapping[str, AttributeInfo]:
        """Name → :class:`AttributeInfo` for a resolved entity type."""
        ...

    def suggest_type(self, name: str) -> str | None:
        """The known type name (or alias) nearest to a misspelt ``name``, or None."""
        ...
