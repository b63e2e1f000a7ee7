"""The :class:`Entity` base: wire conversion, projections, change tracking, queries.

Every concrete model (``__entitytype__`` set in its class body) gets one
non-data descriptor per field after pydantic builds the class. Class access
returns a :class:`~accsyn.query.FieldExpr` (``Transfer.status != "failed"``).
Instance access never reaches the descriptor while the value is in the
instance ``__dict__`` (where pydantic keeps field values); it only does when a
projection left the field out, and then raises
:class:`~accsyn.UnselectedAttributeError`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar, Generic, Literal, TypeVar

import pydantic
import pydantic_core
from pydantic import BaseModel, ConfigDict
from pydantic._internal._model_construction import ModelMetaclass

from accsyn._exceptions import (
    AccsynError,
    QueryProblem,
    QueryValidationError,
    UnselectedAttributeError,
    ValidationError,
)
from accsyn.models._spec import BYPASS, Family, nearest
from accsyn.models._types import OBJECT_ID_TAG, Attr, Id, attr
from accsyn.query._ast import Expr, Query, and_
from accsyn.query._builder import FieldExpr

__all__ = ["Entity", "FieldProblem", "convert_validation_error"]

E = TypeVar("E", bound="Entity")

# Classes whose fields may be read through class access; set once a class is built.
_READY = "__accsyn_ready__"


def convert_validation_error(
    exc: pydantic.ValidationError, what: str, prefix: str = ""
) -> ValidationError:
    """Turn pydantic's error into :class:`accsyn.ValidationError` naming the field.

    Input values are never echoed (they may hold anything, secrets included).
    """
    errors = exc.errors(include_url=False, include_input=False, include_context=False)
    found: list[tuple[str | None, str, str]] = []
    for err in errors:
        loc = [str(part) for part in err["loc"] if not _is_union_tag(part)]
        field = ".".join(([prefix] if prefix else []) + loc) or None
        found.append((field, err["type"], err["msg"]))

    # A union reports one error per alternative; the alternative that got furthest
    # (not a plain type mismatch, deepest location) is the one the user meant.
    def top(field: str | None) -> str:
        return (field or "").split(".", 1)[0]

    deeper = {top(f[0]) for f in found if not f[1].endswith("_type")}
    real = [f for f in found if not (f[1].endswith("_type") and top(f[0]) in deeper)]
    order = {t: i for i, t in reversed(list(enumerate(top(f[0]) for f in found)))}
    real.sort(key=lambda f: (order[top(f[0])], -len(f[0] or "")))
    lines: list[str] = []
    seen: set[str | None] = set()
    for field, _, msg in real:
        if field in seen:
            continue
        seen.add(field)
        lines.append(f"{field or '(payload)'}: {msg}")
    count = len(lines)
    head = f"invalid {what}" + (f" ({count} problems)" if count > 1 else "")
    return ValidationError(head + ": " + "; ".join(lines), field=real[0][0] if real else None)


def _is_union_tag(part: object) -> bool:
    # pydantic adds union member names ("str", "function-after[...]") to locations.
    return isinstance(part, str) and (
        part in {"str", "int", "float", "bool", "dict[str,any]", "list[str]"}
        or "[" in part
        or part.startswith("function-")
        or part[:1].isupper()  # a model's name, as a union member tag
    )


class FieldProblem(Exception):
    """Raised by whole-payload checks to name a field.

    Not a ValueError, so pydantic lets it through instead of wrapping it.
    """

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        self.message = message
        super().__init__(message)


if TYPE_CHECKING:
    _ConvertingMeta = ModelMetaclass
else:

    class _ConvertingMeta(ModelMetaclass):
        """Constructing a model raises ``accsyn.ValidationError``, never pydantic's.

        Done in the metaclass rather than ``__init__``: a custom ``__init__`` makes
        pydantic call it for nested and list validation too (slow, and errors
        would nest).
        """

        def __getattr__(cls, name):  # noqa: N805 - a metaclass method
            # Only reached when normal lookup failed: suggest the nearest field.
            try:
                return super().__getattr__(name)
            except AttributeError:
                fields = cls.__dict__.get("__pydantic_fields__")
                if name.startswith("_") or not fields:
                    raise
                near = nearest(name, fields)
                hint = f"; did you mean {near!r}?" if near else ""
                raise AttributeError(
                    f"type object {cls.__name__!r} has no attribute {name!r}{hint}",
                    name=name,
                    obj=cls,
                ) from None

        def __call__(cls, *args, **kwargs):  # noqa: N805 - a metaclass method
            try:
                return super().__call__(*args, **kwargs)
            except pydantic.ValidationError as exc:
                raise convert_validation_error(exc, cls.__name__) from None
            except FieldProblem as exc:
                raise ValidationError(
                    f"invalid {cls.__name__}: {exc.field}: {exc.message}", field=exc.field
                ) from None


class _FieldDescriptor:
    """Installed per field on concrete models: an expression on the class."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __get__(self, instance: object, owner: type | None = None) -> Any:
        if instance is None:
            if owner is not None and owner.__dict__.get(_READY):
                # A base class (Job, Entity) gives an expression bound to no model,
                # valid in a query on any type that has the attribute.
                return FieldExpr(self.name, owner.__dict__.get("__entitytype__") or None)
            # A subclass is being built: pydantic must not mistake this for a default.
            raise AttributeError(self.name)
        raise UnselectedAttributeError(_unselected_message(type(instance), self.name))


def _unselected_message(cls: type, name: str) -> str:
    return (
        f"{cls.__name__}.{name} was not selected; add {name!r} to the query's "
        f"select(...) / attributes=[...] to read it"
    )


class _Envelope(BaseModel, Generic[E]):
    """``{"result": [...]}``, the body of a successful find."""

    model_config = ConfigDict(extra="ignore")
    result: list[E]


class Entity(BaseModel, metaclass=_ConvertingMeta):
    """Base of every accsyn entity model.

    Unknown attributes are kept (``extra="allow"``) and reachable by attribute
    or by key. ``entity["status"]`` reads like the official client's dicts.
    """

    model_config = ConfigDict(
        extra="allow",
        validate_assignment=True,
        populate_by_name=True,
        ser_json_inf_nan="constants",
    )
    # Not pydantic fields or private attributes: neither takes part in equality,
    # serialisation or copies. ``_accsyn_session`` is the session that fetched the
    # entity, so ``entity.save()`` knows where to send it.
    __slots__ = ("_accsyn_dirty", "_accsyn_session")

    # --- the entity type's facts (read by accsyn.models.spec_of) --------------

    #: Lowercase uri name of the entity type, e.g. ``"transfer"``.
    __entitytype__: ClassVar[str] = ""
    #: Format of this type's ids.
    __id_format__: ClassVar[Literal["objectid", "uuid"]] = "objectid"
    #: Legacy or generic uri names that mean this type (``job`` → transfer).
    __aliases__: ClassVar[tuple[str, ...]] = ()
    #: The family of related types the SDK treats alike.
    __family__: ClassVar[Family] = "other"
    #: A sub-entity's parent: a uri name or a family (``"job"``), else None.
    __parent__: ClassVar[str | None] = None
    #: Whether ``code`` is unique, so a code can be resolved to an id.
    __unique_code__: ClassVar[bool] = False
    #: The job ``type`` number of a job type.
    __job_type__: ClassVar[int | None] = None
    #: The client ``type`` number of a client subtype.
    __client_type__: ClassVar[int | None] = None
    #: Whether the type has recipients (``job/recipient/*``; grant, access, revoke).
    __recipients__: ClassVar[bool] = False
    #: An umbrella type's member types: its rows are theirs (``share`` → volume, …).
    __members__: ClassVar[tuple[str, ...]] = ()

    if TYPE_CHECKING:
        # The static view: every concrete model declares ``id`` itself (see the models'
        # generated stub), so ``Entity.id`` is no field expression, which it is not at run
        # time either (only concrete models get them).
        @property
        def id(self) -> str | None:
            """The entity's id (None on a model built locally and never saved)."""
            ...

    else:
        id: Attr[Id | None] = attr()

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        # Every model gets field expressions (a base class's are bound to no
        # type); only a class naming its own __entitytype__ is registered (a
        # user's subclass that sets it replaces the built-in model for that type).
        _install_fields(cls)
        if "__entitytype__" in cls.__dict__ and cls.__entitytype__:
            from accsyn.models._registry import register

            register(cls)

    # --- reading -------------------------------------------------------------

    if not TYPE_CHECKING:

        def __getattr__(self, name: str) -> Any:
            if name in type(self).__pydantic_fields__:
                raise UnselectedAttributeError(_unselected_message(type(self), name))
            return super().__getattr__(name)

    def __setitem__(self, key: str, value: Any) -> None:
        """Set an attribute by its wire name, also one the model does not declare.

        The way to set an attribute a newer server knows and this SDK does not:
        ``entity["prioriti"] = 20`` is sent on ``save()`` as is.
        """
        if key in type(self).__pydantic_fields__:
            setattr(self, key, value)
            return
        extra = self.__pydantic_extra__
        if extra is None:
            raise ValidationError(f"{type(self).__name__} takes no extra attributes")
        extra[key] = value
        self._accsyn_mark_dirty(key)

    def __getitem__(self, key: str) -> Any:
        """Read an attribute by its wire name, like the official client's dicts."""
        if key in type(self).__pydantic_fields__:
            return getattr(self, key)
        extra = self.__pydantic_extra__
        if extra is not None and key in extra:
            return extra[key]
        raise KeyError(key)

    def get(self, key: str, default: Any = None) -> Any:
        """``self[key]``, or ``default`` if the attribute is absent or was not selected."""
        try:
            value = self[key]
        except (KeyError, UnselectedAttributeError):
            return default
        return default if value is None and key not in self.model_fields_set else value

    def __contains__(self, key: object) -> bool:
        """Whether the server sent (or code set) this attribute."""
        return key in self.model_fields_set

    def keys(self) -> list[str]:
        """Names of the attributes the server sent (or code set), in wire order."""
        return list(self.to_wire())

    @property
    def extra(self) -> dict[str, Any]:
        """Attributes the model does not declare (sent by a newer server, say)."""
        return dict(self.__pydantic_extra__ or {})

    def __accsyn_query_value__(self) -> str:
        entity_id = self.__dict__.get("id")
        if not entity_id:
            raise ValidationError(
                f"this {type(self).__name__} has no id, so it cannot be used in a query"
            )
        return str(entity_id)

    def __repr_args__(self) -> Iterator[tuple[str | None, Any]]:
        # Only what the server sent or code set: dozens of None fields hide the data.
        sent = self.model_fields_set
        for name, value in self.__dict__.items():
            if name in sent:
                yield name, value
        if self.__pydantic_extra__:
            yield from self.__pydantic_extra__.items()

    # --- wire conversion -----------------------------------------------------

    @classmethod
    def from_wire(
        cls: type[E], data: Mapping[str, Any], *, attributes: Sequence[str] | None = None
    ) -> E:
        """Build a model from a wire dict (as the server sent it).

        With ``attributes`` (a projection), reading a known field that was neither
        selected nor sent raises :class:`~accsyn.UnselectedAttributeError`.
        """
        if not isinstance(data, Mapping):
            raise ValidationError(
                f"a {cls.__name__} is read from a mapping, not {type(data).__name__}"
            )
        try:
            obj = cls.model_validate(data)
        except pydantic.ValidationError as exc:
            raise convert_validation_error(exc, cls.__name__) from None
        if attributes is not None:
            obj._accsyn_project(attributes)
        return obj

    def _accsyn_project(self, attributes: Sequence[str]) -> None:
        selected = {a.lower().split(".", 1)[0] for a in attributes}
        sent = self.model_fields_set
        values = self.__dict__
        for name in type(self).__pydantic_fields__:
            if name not in selected and name not in sent:
                values.pop(name, None)

    @classmethod
    def list_from_wire(cls: type[E], items: Sequence[Mapping[str, Any]]) -> list[E]:
        """Build models from a list of wire dicts in one validation pass."""
        try:
            result: list[E] = _adapter(cls, False).validate_python(items)
        except pydantic.ValidationError as exc:
            raise convert_validation_error(exc, f"list of {cls.__name__}") from None
        return result

    @classmethod
    def list_from_json(cls: type[E], data: bytes | str, *, envelope: bool = False) -> list[E]:
        """Decode a JSON array of wire dicts (or a ``{"result": [...]}`` body) in one pass.

        Validation runs in pydantic-core straight from the JSON text: the fast path
        for large find results.
        """
        adapter = _adapter(cls, envelope)
        tagged = (
            OBJECT_ID_TAG in data if isinstance(data, bytes) else OBJECT_ID_TAG.decode() in data
        )
        try:
            if tagged:
                # Rare: tagged ids need the Python-side strip (see _types.Id).
                result = adapter.validate_python(pydantic_core.from_json(data))
            else:
                result = adapter.validate_json(data)
        except pydantic.ValidationError as exc:
            raise convert_validation_error(exc, f"list of {cls.__name__}") from None
        except ValueError as exc:  # malformed JSON from pydantic_core.from_json
            raise ValidationError(f"invalid JSON for a list of {cls.__name__}: {exc}") from None
        if envelope:
            return result.result  # type: ignore[no-any-return]
        return result  # type: ignore[no-any-return]

    def to_wire(self) -> dict[str, Any]:
        """The wire dict: dates as ``YYYY-MM-DDTHH:MM:SS``, party references as strings.

        Attributes the server did not send are left out; unknown ones are kept.
        """
        return self.model_dump(mode="json", exclude_unset=True, by_alias=True)

    # --- change tracking -----------------------------------------------------

    # Not seen by type checkers: a declared __setattr__ would make them accept any
    # attribute name, so `t.prioriti = 20` would pass them (it raises at run time).
    if not TYPE_CHECKING:

        def __setattr__(self, name: str, value: Any) -> None:
            cls = type(self)
            if (
                not name.startswith("_")
                and name not in cls.__pydantic_fields__
                and name not in (self.__pydantic_extra__ or ())
            ):
                # A typo would otherwise be stored and sent as a new attribute.
                near = nearest(name, cls.__pydantic_fields__)
                hint = f"; did you mean {near!r}?" if near else ""
                raise ValidationError(
                    f"{cls.__name__} has no attribute {name!r}{hint} (to set an attribute "
                    f"the server knows and this SDK does not, write entity[{name!r}] = value)",
                    field=name,
                )
            try:
                super().__setattr__(name, value)
            except pydantic.ValidationError as exc:
                raise convert_validation_error(exc, cls.__name__) from None
            if not name.startswith("_"):
                self._accsyn_mark_dirty(name)

    def _accsyn_mark_dirty(self, name: str) -> None:
        dirty: set[str] | None = getattr(self, "_accsyn_dirty", None)
        if dirty is None:
            dirty = set()
            object.__setattr__(self, "_accsyn_dirty", dirty)
        dirty.add(name)

    def _accsyn_changes(self) -> dict[str, Any]:
        """Wire form of the attributes assigned since load (or the last mark-clean)."""
        dirty: set[str] | None = getattr(self, "_accsyn_dirty", None)
        if not dirty:
            return {}
        return self.model_dump(mode="json", include=dirty, by_alias=True)

    def _accsyn_mark_clean(self) -> None:
        """Forget the recorded changes (after they were saved)."""
        object.__setattr__(self, "_accsyn_dirty", None)

    # --- active record: save/refresh through the session that fetched it -----

    def _accsyn_bind(self, session: object) -> None:
        object.__setattr__(self, "_accsyn_session", session)

    def _accsyn_bound(self, action: str) -> Any:
        session = getattr(self, "_accsyn_session", None)
        if session is None:
            raise AccsynError(
                f"this {type(self).__name__} was not fetched through a session; "
                f"use session.{action}(entity) instead"
            )
        return session

    def _accsyn_absorb(self, other: Entity) -> None:
        # Take over the server's state in place, so references the caller holds
        # see the saved or refreshed values.
        object.__setattr__(self, "__dict__", dict(other.__dict__))
        object.__setattr__(self, "__pydantic_fields_set__", set(other.__pydantic_fields_set__))
        object.__setattr__(self, "__pydantic_extra__", dict(other.__pydantic_extra__ or {}))
        self._accsyn_mark_clean()

    def save(self) -> None:
        """Send the attributes assigned since this entity was fetched (only those).

        The entity then holds what the server answered. Entities fetched through an
        ``AsyncSession`` use ``await entity.asave()``.
        """
        session = self._accsyn_bound("save")
        if getattr(session, "_accsyn_async", False):
            raise AccsynError("this entity belongs to an AsyncSession: use await entity.asave()")
        self._accsyn_absorb(session.save(self))

    def refresh(self) -> None:
        """Reload this entity from the server, discarding unsaved changes."""
        session = self._accsyn_bound("refresh")
        if getattr(session, "_accsyn_async", False):
            raise AccsynError("this entity belongs to an AsyncSession: use await entity.arefresh()")
        self._accsyn_absorb(session.refresh(self))

    async def asave(self) -> None:
        """Async :meth:`save`, for entities fetched through an ``AsyncSession``."""
        session = self._accsyn_bound("save")
        self._accsyn_absorb(await session.save(self))

    async def arefresh(self) -> None:
        """Async :meth:`refresh`, for entities fetched through an ``AsyncSession``."""
        session = self._accsyn_bound("refresh")
        self._accsyn_absorb(await session.refresh(self))

    # --- queries -------------------------------------------------------------

    @classmethod
    def where(cls: type[E], *expressions: Expr, **equalities: Any) -> Query[E]:
        """A query on this entity type: ``Transfer.where(Transfer.size > 0, status="failed")``.

        Keyword arguments are equality comparisons on attributes of the model (a
        list, tuple or set value means ``in``).
        """
        entitytype = cls.__entitytype__
        if not entitytype:
            raise ValidationError(f"{cls.__name__} is not a queryable entity type")
        parts: list[Expr] = list(expressions)
        fields = cls.__pydantic_fields__
        for key, value in equalities.items():
            if key not in fields:
                suggestion = _nearest(key, fields)
                hint = f"; did you mean {suggestion!r}?" if suggestion else ""
                raise QueryValidationError(
                    [
                        QueryProblem(
                            f"{cls.__name__} has no attribute {key!r}{hint} {BYPASS}",
                            suggestion=suggestion,
                        )
                    ]
                )
            field: FieldExpr[Any] = FieldExpr(key, entitytype)
            if isinstance(value, list | tuple | set | frozenset):
                parts.append(field.in_(value))
            else:
                parts.append(field == value)
        if not parts:
            return Query(entitytype)
        return Query(entitytype, and_(*parts))


def _nearest(name: str, candidates: Mapping[str, Any]) -> str | None:
    return nearest(name, candidates.keys())


def _install_fields(cls: type[Entity]) -> None:
    for name in cls.__pydantic_fields__:
        type.__setattr__(cls, name, _FieldDescriptor(name))
    type.__setattr__(cls, _READY, True)


_install_fields(Entity)


_adapters: dict[tuple[type[Entity], bool], pydantic.TypeAdapter[Any]] = {}


def _adapter(cls: type[Entity], envelope: bool) -> pydantic.TypeAdapter[Any]:
    key = (cls, envelope)
    adapter = _adapters.get(key)
    if adapter is None:
        adapter = pydantic.TypeAdapter(_Envelope[cls] if envelope else list[cls])  # type: ignore[valid-type]
        _adapters[key] = adapter
    return adapter
