"""Projections: what ``select(...)`` fetches, and what the rows of a select are.

``select`` takes one of two forms, told apart by its arguments:

* **model fields** — ``select(Transfer.name, Transfer.status)``: rows are plain
  tuples of those values, in that order, typed by the fields
  (``tuple[str | None, JobStatus | None]``), as SQLAlchemy 2.0 types
  ``select(A.x, A.y)``. Reading a field that was not selected is a static error
  (a tuple has no attributes, and indexing past its length is out of range).
* **attribute names** — ``select("name", "status")``: rows stay models of the
  select's type; reading an unselected field raises ``UnselectedAttributeError``
  at run time. This is the form for names only known at run time.

Mixing the two is refused (statically: no overload matches; at run time: a
``ValidationError``), since the rows would have to be both.

Why tuples and not row objects with the selected names as attributes: a type
checker can type a row's *positions* from the fields passed, but not attribute
names (they are values, not types), so a named row would either accept every name
or need a checker plugin. A tuple unpacks naturally
(``for name, status in ...``) and its static type is exactly its run-time type.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Generic, TypeVar, cast, overload

from accsyn._exceptions import ValidationError
from accsyn.models import Entity, model_for
from accsyn.query._builder import FieldExpr

if TYPE_CHECKING:
    from accsyn._select import AsyncSelect, Select
    from accsyn.query._typed import Column

__all__ = ["AsyncSelectProjection", "SelectProjection", "canonical_type", "plan", "rows_of"]

M = TypeVar("M", bound=Entity)
_V0 = TypeVar("_V0")
_V1 = TypeVar("_V1")
_V2 = TypeVar("_V2")
_V3 = TypeVar("_V3")
_V4 = TypeVar("_V4")
_V5 = TypeVar("_V5")

#: Up to this many fields, rows are typed position by position; beyond it they are
#: ``tuple[Any, ...]`` (still tuples at run time).
TYPED_ARITY = 6


def canonical_type(name: str) -> str:
    """An entity type's canonical name (``job`` → ``transfer``), lower-cased if unknown."""
    try:
        return model_for(name).__entitytype__
    except Exception:
        return name.lower()


def _model_name(entitytype: str) -> str:
    try:
        return model_for(entitytype).__name__
    except Exception:
        return entitytype


def _name_of(f: object) -> str:
    if isinstance(f, str):
        name = f.strip()
        if not name:
            raise ValidationError("select() needs attribute names, not an empty string")
        return name.lower()
    for attr in ("name", "attribute", "_name", "_attribute"):
        value = getattr(f, attr, None)
        if isinstance(value, str):
            return value.lower()
    raise ValidationError(
        f"select() takes attribute names or model fields (Transfer.name), not {type(f).__name__}"
    )


def plan(
    entitytype: str, fields: Sequence[object]
) -> tuple[tuple[str, ...], tuple[str, ...] | None]:
    """``(attributes to fetch, columns of a tuple row or None for model rows)``."""
    if not fields:
        raise ValidationError("select() needs at least one attribute")
    columns = [_name_of(f) for f in fields]
    exprs = [f for f in fields if isinstance(f, FieldExpr)]
    if exprs and len(exprs) != len(fields):
        raise ValidationError(
            "select() takes model fields (rows are tuples) or attribute names (rows are "
            f"models), not both: select({', '.join(map(repr, columns))}) mixes them; "
            "write every column as a field, e.g. select(Transfer.name, Transfer.status)"
        )
    own = canonical_type(entitytype)
    for f in exprs:
        if f.entitytype is not None and canonical_type(f.entitytype) != own:
            raise ValidationError(
                f"select() of {entitytype} entities cannot take {_model_name(f.entitytype)}."
                f"{f.name}, a field of another model; select {_model_name(entitytype)}'s own fields"
            )
    attributes = tuple(dict.fromkeys(columns))
    return attributes, (tuple(columns) if exprs else None)


def rows_of(models: list[Any], columns: tuple[str, ...] | None) -> list[Any]:
    """Decoded models → the select's rows: the models, or tuples of ``columns``."""
    if columns is None:
        return models
    return [tuple(getattr(m, c) for c in columns) for m in models]


# --------------------------------------------------------------------------------------
# The typed select() of Select and AsyncSelect
# --------------------------------------------------------------------------------------


class SelectProjection(Generic[M]):
    """``select()`` of a :class:`~accsyn._select.Select`, typed by what it is given."""

    __slots__ = ()

    def _project(self, fields: tuple[object, ...]) -> Any:
        raise NotImplementedError

    @overload
    def select(self, f0: Column[_V0], /) -> Select[M, tuple[_V0]]: ...
    @overload
    def select(self, f0: Column[_V0], f1: Column[_V1], /) -> Select[M, tuple[_V0, _V1]]: ...
    @overload
    def select(
        self, f0: Column[_V0], f1: Column[_V1], f2: Column[_V2], /
    ) -> Select[M, tuple[_V0, _V1, _V2]]: ...
    @overload
    def select(
        self, f0: Column[_V0], f1: Column[_V1], f2: Column[_V2], f3: Column[_V3], /
    ) -> Select[M, tuple[_V0, _V1, _V2, _V3]]: ...
    @overload
    def select(
        self,
        f0: Column[_V0],
        f1: Column[_V1],
        f2: Column[_V2],
        f3: Column[_V3],
        f4: Column[_V4],
        /,
    ) -> Select[M, tuple[_V0, _V1, _V2, _V3, _V4]]: ...
    @overload
    def select(
        self,
        f0: Column[_V0],
        f1: Column[_V1],
        f2: Column[_V2],
        f3: Column[_V3],
        f4: Column[_V4],
        f5: Column[_V5],
        /,
    ) -> Select[M, tuple[_V0, _V1, _V2, _V3, _V4, _V5]]: ...
    @overload
    def select(
        self,
        f0: Column[Any],
        f1: Column[Any],
        f2: Column[Any],
        f3: Column[Any],
        f4: Column[Any],
        f5: Column[Any],
        f6: Column[Any],
        /,
        *more: Column[Any],
    ) -> Select[M, tuple[Any, ...]]: ...
    @overload
    def select(self, name: str, /, *names: str) -> Select[M, M]: ...
    def select(self, *fields: object) -> Select[M, Any]:
        """Fetch only these attributes.

        Model fields (``select(Transfer.name, Transfer.status)``) make the rows
        tuples of those values, typed by the fields; attribute names
        (``select("name")``) keep the rows models, whose unselected fields raise.
        """
        return cast("Select[M, Any]", self._project(fields))


class AsyncSelectProjection(Generic[M]):
    """``select()`` of an :class:`~accsyn._select.AsyncSelect` (see :class:`SelectProjection`)."""

    __slots__ = ()

    def _project(self, fields: tuple[object, ...]) -> Any:
        raise NotImplementedError

    @overload
    def select(self, f0: Column[_V0], /) -> AsyncSelect[M, tuple[_V0]]: ...
    @overload
    def select(self, f0: Column[_V0], f1: Column[_V1], /) -> AsyncSelect[M, tuple[_V0, _V1]]: ...
    @overload
    def select(
        self, f0: Column[_V0], f1: Column[_V1], f2: Column[_V2], /
    ) -> AsyncSelect[M, tuple[_V0, _V1, _V2]]: ...
    @overload
    def select(
        self, f0: Column[_V0], f1: Column[_V1], f2: Column[_V2], f3: Column[_V3], /
    ) -> AsyncSelect[M, tuple[_V0, _V1, _V2, _V3]]: ...
    @overload
    def select(
        self,
        f0: Column[_V0],
        f1: Column[_V1],
        f2: Column[_V2],
        f3: Column[_V3],
        f4: Column[_V4],
        /,
    ) -> AsyncSelect[M, tuple[_V0, _V1, _V2, _V3, _V4]]: ...
    @overload
    def select(
        self,
        f0: Column[_V0],
        f1: Column[_V1],
        f2: Column[_V2],
        f3: Column[_V3],
        f4: Column[_V4],
        f5: Column[_V5],
        /,
    ) -> AsyncSelect[M, tuple[_V0, _V1, _V2, _V3, _V4, _V5]]: ...
    @overload
    def select(
        self,
        f0: Column[Any],
        f1: Column[Any],
        f2: Column[Any],
        f3: Column[Any],
        f4: Column[Any],
        f5: Column[Any],
        f6: Column[Any],
        /,
        *more: Column[Any],
    ) -> AsyncSelect[M, tuple[Any, ...]]: ...
    @overload
    def select(self, name: str, /, *names: str) -> AsyncSelect[M, M]: ...
    def select(self, *fields: object) -> AsyncSelect[M, Any]:
        """Fetch only these attributes (see :meth:`SelectProjection.select`)."""
        return cast("AsyncSelect[M, Any]", self._project(fields))
