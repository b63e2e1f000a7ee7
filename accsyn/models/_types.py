"""Value types shared by the models: dates, ids, party references, field markers.

The wire form of a date is ``YYYY-MM-DDTHH:MM:SS[.fff]`` in UTC; models hold
tz-aware UTC datetimes and write the wire form back. Party references such as
``user:6676f3e9c7ef4e27da254e57`` become :class:`PartyRef` values.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, Generic, TypeVar, overload

from pydantic import AfterValidator, Field, GetCoreSchemaHandler, PlainSerializer
from pydantic_core import core_schema

from accsyn._codec import OBJECT_ID_RE, UUID_RE, encode_datetime, is_object_id, is_uuid, to_utc
from accsyn.query._schema import AttributeInfo, AttributeKind

if TYPE_CHECKING:
    from accsyn.query._builder import FieldExpr

__all__ = [
    "OBJECT_ID",
    "OBJECT_ID_TAG",
    "UUID",
    "Attr",
    "AttributeInfo",
    "AttributeKind",
    "Id",
    "Kind",
    "PartyRef",
    "Ref",
    "UTCDateTime",
    "attr",
    "format_wire_datetime",
    "is_object_id",
    "is_uuid",
]

T = TypeVar("T")

# The codec's patterns, under the names this module has always exported.
OBJECT_ID = OBJECT_ID_RE
UUID = UUID_RE


@dataclass(frozen=True, slots=True)
class Kind:
    """Annotation marker overriding the attribute kind inferred from the type."""

    kind: AttributeKind


# --- dates -----------------------------------------------------------------


def format_wire_datetime(value: datetime) -> str:
    """Write ``value`` as the wire date: UTC, ``YYYY-MM-DDTHH:MM:SS`` (``.fff`` if non-zero).

    A naive value is taken as UTC (model values are always aware). The server
    writes milliseconds when it has them; they are kept on the way back.
    """
    return encode_datetime(value, milliseconds=True)


#: A tz-aware UTC datetime read from and written as the wire date form.
UTCDateTime = Annotated[
    datetime,
    AfterValidator(to_utc),
    PlainSerializer(format_wire_datetime, return_type=str, when_used="json"),
]


# --- ids -------------------------------------------------------------------

_OID_PREFIX = "ObjectId:"


def _strip_object_id(value: str) -> str:
    # The backend may tag ids as "ObjectId:<hex>"; the official client strips it.
    if value.startswith(_OID_PREFIX):
        return value.replace(_OID_PREFIX, "")
    return value


class _ObjectIdPrefix:
    """Strip the ``ObjectId:`` tag from ids read from Python data.

    JSON input skips the Python call: :meth:`Entity.list_from_json` only takes the
    JSON fast path when the text holds no ``ObjectId:`` at all, and otherwise
    decodes to Python first. That keeps per-field Python calls off the hot path.
    """

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        inner = handler(source)
        return core_schema.json_or_python_schema(
            json_schema=inner,
            python_schema=core_schema.no_info_after_validator_function(_strip_object_id, inner),
        )


#: The marker every JSON decoding path must check for (see :class:`_ObjectIdPrefix`).
OBJECT_ID_TAG = _OID_PREFIX.encode()

#: An entity id (24-hex, or UUID for tasks and collection files).
Id = Annotated[str, Kind("id"), _ObjectIdPrefix()]
#: The id of another entity; queries also match its human identifier.
Ref = Annotated[str, Kind("reference"), _ObjectIdPrefix()]


# --- party references ------------------------------------------------------


class PartyRef:
    """A ``<type>:<id>`` party reference, e.g. ``user:6676f3e9c7ef4e27da254e57``.

    ``str(ref)`` gives the wire string back; comparing with a string compares the
    wire form. A reference without a ``:`` (seen in legacy data) keeps an empty
    ``type`` so it still reads and writes back unchanged.
    """

    __slots__ = ("id", "type")

    type: str
    id: str

    def __init__(self, type: str, id: str) -> None:
        object.__setattr__(self, "type", type)
        object.__setattr__(self, "id", id)

    @classmethod
    def parse(cls, text: str) -> PartyRef:
        """Parse ``"<type>:<id>"``."""
        kind, sep, ident = text.partition(":")
        if not sep:
            return _new_ref("", text)
        return _new_ref(kind, _strip_object_id(ident))

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("PartyRef is immutable")

    def __str__(self) -> str:
        return f"{self.type}:{self.id}" if self.type else self.id

    def __repr__(self) -> str:
        return f"PartyRef({self.type!r}, {self.id!r})"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, PartyRef):
            return self.type == other.type and self.id == other.id
        if isinstance(other, str):
            return str(self) == other
        return NotImplemented

    def __hash__(self) -> int:
        return hash(str(self))

    def __reduce__(self) -> tuple[Any, ...]:
        return (PartyRef, (self.type, self.id))

    def __accsyn_query_value__(self) -> str:
        return str(self)

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        from_str = core_schema.no_info_after_validator_function(cls.parse, core_schema.str_schema())
        return core_schema.json_or_python_schema(
            json_schema=core_schema.no_info_after_validator_function(
                _parse_json_ref, core_schema.str_schema()
            ),
            python_schema=core_schema.union_schema([core_schema.is_instance_schema(cls), from_str]),
            serialization=core_schema.plain_serializer_function_ser_schema(str, when_used="json"),
        )


_ref_new = object.__new__
_set_type = vars(PartyRef)["type"].__set__
_set_id = vars(PartyRef)["id"].__set__


def _new_ref(kind: str, ident: str) -> PartyRef:
    # Slot setters bypass the immutability guard: this runs per value on the decode path.
    ref: PartyRef = _ref_new(PartyRef)
    _set_type(ref, kind)
    _set_id(ref, ident)
    return ref


def _parse_json_ref(text: str) -> PartyRef:
    # JSON input reaches here only without "ObjectId:" tags (see _ObjectIdPrefix).
    kind, sep, ident = text.partition(":")
    if not sep:
        return _new_ref("", text)
    return _new_ref(kind, ident)


# --- field annotation: an expression on the class, a value on the instance ---

if TYPE_CHECKING:

    class Attr(Generic[T]):
        """Annotation of a model field: ``Model.f`` is a query expression, ``obj.f`` a ``T``.

        Like SQLAlchemy's ``Mapped[T]``: type checkers see a descriptor, pydantic sees ``T``.
        """

        @overload
        def __get__(self, instance: None, owner: Any) -> FieldExpr[T]: ...
        @overload
        def __get__(self, instance: object, owner: Any) -> T: ...
        def __get__(self, instance: object, owner: Any) -> FieldExpr[T] | T: ...
        def __set__(self, instance: object, value: T) -> None: ...

else:

    class Attr:
        """Annotation of a model field: ``Model.f`` is a query expression, ``obj.f`` a ``T``.

        At runtime ``Attr[T]`` is just ``T``, so pydantic validates the plain type.
        """

        def __class_getitem__(cls, item):
            return item


def attr(*, alias: str | None = None) -> Any:
    """Declare an optional model field (default ``None``): ``name: Attr[str | None] = attr()``.

    Typed ``Any`` like SQLAlchemy's ``mapped_column()`` so the default type-checks
    against the descriptor annotation.
    """
    if alias is None:
        return Field(default=None)
    return Field(default=None, alias=alias)
