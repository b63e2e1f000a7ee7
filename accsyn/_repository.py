"""Repositories: a :class:`~accsyn._select.Select` over every entity of one type,
plus create/get/update/delete/save/refresh, and the session accessors.

``session.transfers``, ``session.users``, … are one typed descriptor each,
derived from the model registry (:func:`accessor_names`); a test holds the typed
declarations below to that list. ``session.query("transfer WHERE …")`` builds a
select from query text, for callers (the CLI) that page through a user's query.
Payloads are checked by the session's validation policy before anything is sent.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import AsyncGenerator, Iterator, Mapping
from dataclasses import replace
from enum import Enum
from typing import TYPE_CHECKING, Any, Generic, TypeVar, overload

from accsyn import _operations as ops
from accsyn import _requests as rq
from accsyn import _validation as check
from accsyn._codec import encode_date
from accsyn._exceptions import NoResultFound, ProtocolError, ValidationError
from accsyn._plan import Done, Plan, adrive, arun, drive, run
from accsyn._select import AsyncSelect, QueryState, Select, _entity_id
from accsyn._wire import EventRequest, HttpRequest
from accsyn.models import Entity, model_for, spec_of, specs
from accsyn.query import Comparison, Op, Query, render
from accsyn.query._validate import SPECIAL_STATEMENTS, names_not_entities

if TYPE_CHECKING:
    # Typed per model in the models' generated stub (keyword filters, create and update
    # fields are the model's own); at run time they are plain Repository objects.
    from accsyn.models import (
        _AclAsyncRepository,
        _AclRepository,
        _AppAsyncRepository,
        _AppRepository,
        _BrowserAsyncRepository,
        _BrowserRepository,
        _ClientAsyncRepository,
        _ClientRepository,
        _CollectionAsyncRepository,
        _CollectionRepository,
        _ComputeAsyncRepository,
        _ComputeRepository,
        _DeliveryAsyncRepository,
        _DeliveryRepository,
        _EngineAsyncRepository,
        _EngineRepository,
        _FolderAsyncRepository,
        _FolderRepository,
        _HomeAsyncRepository,
        _HomeRepository,
        _LaneAsyncRepository,
        _LaneRepository,
        _QueueAsyncRepository,
        _QueueRepository,
        _RequestAsyncRepository,
        _RequestRepository,
        _ServerAsyncRepository,
        _ServerRepository,
        _ShareAsyncRepository,
        _ShareRepository,
        _SiteAsyncRepository,
        _SiteRepository,
        _StreamAsyncRepository,
        _StreamRepository,
        _TaskAsyncRepository,
        _TaskRepository,
        _TransferAsyncRepository,
        _TransferRepository,
        _UserAsyncRepository,
        _UserRepository,
        _UserServerAsyncRepository,
        _UserServerRepository,
        _VolumeAsyncRepository,
        _VolumeRepository,
        _WorkspaceAsyncRepository,
        _WorkspaceRepository,
    )

__all__ = [
    "AsyncRepository",
    "AsyncRepositoryMixin",
    "Repository",
    "RepositoryMixin",
    "accessor_names",
]

M = TypeVar("M", bound=Entity)
_S = TypeVar("_S")
_T = TypeVar("_T")


# --------------------------------------------------------------------------------------
# Payloads
# --------------------------------------------------------------------------------------


def _wire_value(value: Any) -> Any:
    """Convert a Python value to its wire form; a model stands for its id (a reference)."""
    if isinstance(value, Entity):
        return value.id
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, _dt.date):
        return encode_date(value)
    if isinstance(value, Mapping):
        return {str(k): _wire_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_wire_value(v) for v in value]
    return value


def _payload(data: object, fields: Mapping[str, Any]) -> dict[str, Any]:
    """Merge an input model / mapping with keyword fields into a wire payload."""
    out: dict[str, Any] = {}
    if data is not None:
        if isinstance(data, Entity):
            out.update(data.to_wire())
        elif isinstance(data, Mapping):
            out.update(_wire_value(dict(data)))
        elif hasattr(data, "to_wire"):
            out.update(data.to_wire())
        elif hasattr(data, "model_dump"):
            out.update(_wire_value(data.model_dump(exclude_unset=True)))
        else:
            raise ValidationError(
                f"expected a model, a mapping or keyword fields, not {type(data).__name__}"
            )
    out.update(_wire_value(dict(fields)))
    return out


# --------------------------------------------------------------------------------------
# Write requests (shared by sync and async repositories)
# --------------------------------------------------------------------------------------


class _Writes:
    """Builds the create/update/delete/get requests of one entity type."""

    __slots__ = ("entitytype", "parent")

    def __init__(self, entitytype: str, parent: str | None) -> None:
        self.entitytype = entitytype
        self.parent = parent

    def _need_parent(self, op: str) -> str:
        if self.parent is None:
            raise ValidationError(
                f"{self.entitytype} is a sub-entity: use .of(parent).{op}(...) "
                f"(e.g. session.tasks.of(transfer).{op}(...))"
            )
        return self.parent

    def get(self, entityid: str) -> EventRequest:
        if _is_sub_entity(self.entitytype):
            # Sub-entities have UUID ids and are found through their parent.
            parent = self._need_parent("get")
            _, expression = rq.statement(Query(self.entitytype, Comparison("id", Op.EQ, entityid)))
            return rq.find_request(self.entitytype, expression, parent=parent)
        return rq.get_entity_request(self.entitytype, entityid)

    def create(self, payload: dict[str, Any], policy: check.Policy) -> EventRequest:
        check.check_payload(self.entitytype, payload, "create", policy)
        if self.entitytype == "task":
            parent = self._need_parent("create")
            return rq.create_request("task", {"tasks": [payload]}, entityid=parent)
        if self.entitytype == "file":
            parent = self._need_parent("create")
            if "files" not in payload and "path" in payload:
                # One file per create(), like every other repository; file/add takes a list.
                payload = {"files": [payload["path"]]}
            return rq.create_request("file", payload, entityid=parent)
        if self.parent is not None:
            payload = {"parent": self.parent, **payload}
        return rq.create_request(self.entitytype, payload)

    def update(self, entityid: str, changes: dict[str, Any], policy: check.Policy) -> EventRequest:
        if not changes:
            raise ValidationError("update() needs at least one field to change")
        check.check_payload(self.entitytype, changes, "update", policy)
        if self.entitytype == "task":
            parent = self._need_parent("update")
            return rq.update_many_request("task", parent, [{"id": entityid, **changes}])
        return rq.update_request(self.entitytype, entityid, changes)

    def delete(self, entityid: str, data: dict[str, Any] | None) -> EventRequest:
        if self.entitytype == "file":
            parent = self._need_parent("delete")
            return rq.delete_many_request("collection", parent, {"files": [entityid]})
        return rq.delete_one_request(self.entitytype, entityid, data)


def _changes_of(entity: Entity) -> dict[str, Any]:
    getter = getattr(entity, "_accsyn_changes", None)
    if not callable(getter):
        raise ValidationError(f"{type(entity).__name__} does not track changes; use update()")
    return dict(getter())


def _mark_clean(entity: Entity) -> None:
    clean = getattr(entity, "_accsyn_mark_clean", None)
    if callable(clean):
        clean()


# --------------------------------------------------------------------------------------
# Repositories
# --------------------------------------------------------------------------------------


class Repository(Select[M]):
    """All entities of one type, plus create/get/update/delete/save/refresh.

    Reached as ``session.transfers``, ``session.users``, … or
    ``session.repository(Model)``. Its query methods return :class:`Select`.
    """

    __slots__ = ()

    def _writes(self) -> _Writes:
        return _Writes(self._state.entitytype, self._state.parent)

    def _of(self, parent: object) -> QueryState:
        return replace(self._state, parent=_entity_id(parent, "parent"))

    def of(self, parent: object) -> Repository[M]:
        """The sub-entities of ``parent`` (tasks of a job, files of a collection)."""
        return Repository(self._session, self._model, self._of(parent))

    def get(self, entityid: str) -> M | None:
        """The entity with this id in any state (active, finished, inactive, archived)."""
        row = self._run(ops.single(self._writes().get(_entity_id(entityid))))
        return self._load_full(row) if row is not None else None

    def create(self, data: object = None, /, **fields: Any) -> M:
        """Create an entity from an input model, a mapping and/or keyword fields."""
        req = self._writes().create(_payload(data, fields), self._policy)
        row = self._run(ops.single(req))
        if row is None:
            raise ProtocolError(f"{req.uri}: the server returned no entity")
        return self._load_full(row)

    # Narrower than Select.update on purpose: a repository changes one entity it is
    # given (``session.transfers.update(t, ...)``), never every transfer there is.
    def update(self, entity: object, data: object = None, /, **changes: Any) -> M:  # type: ignore[override]
        """Change fields of an entity (or id), given as an input model (``TransferUpdate``),
        a mapping and/or keyword fields; returns the updated entity."""
        req = self._writes().update(_entity_id(entity), _payload(data, changes), self._policy)
        row = self._run(ops.single(req))
        if row is None:
            raise ProtocolError(f"{req.uri}: the server returned no entity")
        return self._load_full(row)

    def delete(self, entity: object, /, **data: Any) -> bool:
        """Delete an entity (or id); extra keywords go in the payload (``force=True``)."""
        req = self._writes().delete(_entity_id(entity), _payload(None, data) or None)
        return bool(self._run(ops.value(req)))

    def save(self, entity: M) -> M:
        """Send only the fields assigned since the entity was fetched; returns it updated."""
        changes = _changes_of(entity)
        if not changes:
            return entity
        updated = self.update(entity, **changes)
        _mark_clean(entity)
        return updated

    def refresh(self, entity: M) -> M:
        """The current server state of ``entity`` (fetched by id)."""
        fresh = self.get(_entity_id(entity))
        if fresh is None:
            raise NoResultFound(f"{self._state.entitytype} {entity.id} no longer exists")
        return fresh


class AsyncRepository(AsyncSelect[M]):
    """The :class:`Repository` of an :class:`~accsyn.AsyncSession`."""

    __slots__ = ()

    def _writes(self) -> _Writes:
        return _Writes(self._state.entitytype, self._state.parent)

    def _of(self, parent: object) -> QueryState:
        return replace(self._state, parent=_entity_id(parent, "parent"))

    def of(self, parent: object) -> AsyncRepository[M]:
        """The sub-entities of ``parent`` (tasks of a job, files of a collection)."""
        return AsyncRepository(self._session, self._model, self._of(parent))

    async def get(self, entityid: str) -> M | None:
        """The entity with this id in any state (active, finished, inactive, archived)."""
        row = await self._run(ops.single(self._writes().get(_entity_id(entityid))))
        return self._load_full(row) if row is not None else None

    async def create(self, data: object = None, /, **fields: Any) -> M:
        """Create an entity from an input model, a mapping and/or keyword fields."""
        req = self._writes().create(_payload(data, fields), self._policy)
        row = await self._run(ops.single(req))
        if row is None:
            raise ProtocolError(f"{req.uri}: the server returned no entity")
        return self._load_full(row)

    # Narrower than AsyncSelect.update on purpose (see Repository.update).
    async def update(self, entity: object, data: object = None, /, **changes: Any) -> M:  # type: ignore[override]
        """Change fields of an entity (or id), given as an input model (``TransferUpdate``),
        a mapping and/or keyword fields; returns the updated entity."""
        req = self._writes().update(_entity_id(entity), _payload(data, changes), self._policy)
        row = await self._run(ops.single(req))
        if row is None:
            raise ProtocolError(f"{req.uri}: the server returned no entity")
        return self._load_full(row)

    async def delete(self, entity: object, /, **data: Any) -> bool:
        """Delete an entity (or id); extra keywords go in the payload (``force=True``)."""
        req = self._writes().delete(_entity_id(entity), _payload(None, data) or None)
        return bool(await self._run(ops.value(req)))

    async def save(self, entity: M) -> M:
        """Send only the fields assigned since the entity was fetched; returns it updated."""
        changes = _changes_of(entity)
        if not changes:
            return entity
        updated = await self.update(entity, **changes)
        _mark_clean(entity)
        return updated

    async def refresh(self, entity: M) -> M:
        """The current server state of ``entity`` (fetched by id)."""
        fresh = await self.get(_entity_id(entity))
        if fresh is None:
            raise NoResultFound(f"{self._state.entitytype} {entity.id} no longer exists")
        return fresh


# --------------------------------------------------------------------------------------
# Session hooks
# --------------------------------------------------------------------------------------


def _resolve_model(model: type[Entity] | str) -> type[Entity]:
    if isinstance(model, str):
        return model_for(model)
    if isinstance(model, type) and issubclass(model, Entity) and model.__entitytype__:
        return model
    raise ValidationError(
        f"repository() takes a model class (accsyn.models.Transfer) or an entity type name, "
        f"not {model!r}"
    )


def _state_for(model: type[Entity]) -> QueryState:
    return QueryState(model.__entitytype__)


def _state_of(entity: Entity) -> QueryState:
    """The state of the repository an entity belongs to (with its parent, if a sub-entity)."""
    if not isinstance(entity, Entity) or not type(entity).__entitytype__:
        raise ValidationError(
            f"save() and refresh() take a fetched model, not {type(entity).__name__}"
        )
    state = _state_for(type(entity))
    if _is_sub_entity(state.entitytype):
        raw = entity.get("parent") or entity.get("job")
        parent = str(getattr(raw, "id", None) or raw or "")
        state = replace(state, parent=parent.rsplit(":", 1)[-1] or None)
    return state


# --------------------------------------------------------------------------------------
# Session accessors: one descriptor, names derived from the models
# --------------------------------------------------------------------------------------

#: Entity types with no accessor of their own: logs are read with ``session.logs()``
#: (files, family "file", are ``session.files.of(c)``: ``files`` is the file system).
_NO_ACCESSOR = frozenset({"log"})


def _is_sub_entity(entitytype: str) -> bool:
    """Tasks and collection files live under a parent (``EntitySpec.parent_type``)."""
    try:
        return spec_of(entitytype).parent_type is not None
    except ValidationError:
        return False


def _plural(name: str) -> str:
    return f"{name[:-1]}ies" if name.endswith("y") else f"{name}s"


def accessor_names() -> dict[str, str]:
    """Accessor name → entity type, for every registered model (``transfers`` → ``transfer``)."""
    return {
        _plural(uri): uri
        for uri, spec in specs().items()
        if spec.family != "file" and uri not in _NO_ACCESSOR
    }


class _Accessor(Generic[_S]):
    """``session.<plural>``: the repository of one entity type (a new one per access,
    they are immutable and cheap)."""

    __slots__ = ("entitytype",)

    def __init__(self, entitytype: str) -> None:
        self.entitytype = entitytype

    @overload
    def __get__(self, obj: None, owner: type) -> _Accessor[_S]: ...
    @overload
    def __get__(self, obj: object, owner: type) -> _S: ...
    def __get__(self, obj: object, owner: type) -> Any:
        if obj is None:
            return self
        return obj.repository(self.entitytype)  # type: ignore[attr-defined]


class _SessionRepositories:
    """``repository()``, ``query()`` and the accessors, for both session kinds."""

    __slots__ = ()
    _repository_class: type[Select[Any]] | type[AsyncSelect[Any]]

    def _make(self, cls: type[Entity], state: QueryState) -> Any:
        return self._repository_class(self, cls, state)

    def query(self, query: str | Query, *, validate: bool | None = None) -> Any:
        """A select built from query text or a ``Query``: the statement is parsed and
        validated once, then pages lazily with the same decoding as the repositories.

        >>> for page in session.query("transfer WHERE status=failed").page_size(50).pages():
        ...     ...
        """
        q = check.check_query(query, check.policy_of(self, validate))
        assert q.entitytype is not None  # check_query refuses a bare expression
        if q.entitytype in SPECIAL_STATEMENTS:
            # Names, not entities: nothing to page (the server would answer 404).
            raise ValidationError(names_not_entities(render(q)), field="query")
        cls = ops.model_class(q.entitytype)
        entitytype = cls.__entitytype__ or q.entitytype
        state = QueryState(entitytype, where=q.where, validate=False if validate is False else None)
        return self._make(cls, state)


class RepositoryMixin(_SessionRepositories):
    """Adds ``session.transfers``, ``session.users``, …, ``repository()`` and
    ``query()`` to a :class:`~accsyn.Session`."""

    __slots__ = ()

    if TYPE_CHECKING:

        def _send(self, req: EventRequest | HttpRequest) -> dict[str, Any]: ...

    def _run(self, plan: Plan[_T]) -> _T:
        """Drive a plan to its result through this session."""
        return run(plan, self._send)

    def _pages(self, plan: Plan[Any]) -> Iterator[list[Any]]:
        """Drive a paged plan, yielding each page's rows."""
        return drive(plan, self._send)

    # What the accessor descriptors return (held to accessor_names() by a test).

    acls: _AclRepository
    apps: _AppRepository
    browsers: _BrowserRepository
    clients: _ClientRepository
    collections: _CollectionRepository
    computes: _ComputeRepository
    deliveries: _DeliveryRepository
    engines: _EngineRepository
    folders: _FolderRepository
    homes: _HomeRepository
    lanes: _LaneRepository
    queues: _QueueRepository
    requests: _RequestRepository
    servers: _ServerRepository
    shares: _ShareRepository
    sites: _SiteRepository
    streams: _StreamRepository
    tasks: _TaskRepository
    transfers: _TransferRepository
    users: _UserRepository
    userservers: _UserServerRepository
    volumes: _VolumeRepository
    workspaces: _WorkspaceRepository

    @overload
    def repository(self, model: type[M]) -> Repository[M]: ...
    @overload
    def repository(self, model: str) -> Repository[Entity]: ...
    def repository(self, model: type[Entity] | str) -> Repository[Any]:
        """The repository of a model class (or entity type name, e.g. ``"transfer"``)."""
        cls = _resolve_model(model)
        return Repository(self, cls, _state_for(cls))

    def query(self, query: str | Query, *, validate: bool | None = None) -> Select[Any]:
        """A select built from query text or a ``Query`` (see :class:`Select`)."""
        result: Select[Any] = super().query(query, validate=validate)
        return result

    def save(self, entity: M) -> M:
        """Send the fields of ``entity`` assigned since it was fetched (nothing if none)."""
        return Repository(self, type(entity), _state_of(entity)).save(entity)

    def refresh(self, entity: M) -> M:
        """The current server state of a fetched ``entity``."""
        return Repository(self, type(entity), _state_of(entity)).refresh(entity)


class AsyncRepositoryMixin(_SessionRepositories):
    """The :class:`RepositoryMixin` of an :class:`~accsyn.AsyncSession`."""

    #: Tells entities fetched through this session to use ``asave``/``arefresh``.
    _accsyn_async = True

    __slots__ = ()

    if TYPE_CHECKING:

        async def _send(self, req: EventRequest | HttpRequest) -> dict[str, Any]: ...

    async def _run(self, plan: Plan[_T]) -> _T:
        """Drive a plan to its result through this session."""
        return await arun(plan, self._send)

    def _pages(self, plan: Plan[Any]) -> AsyncGenerator[list[Any] | Done, None]:
        """Drive a paged plan, yielding each page's rows, then ``Done``."""
        return adrive(plan, self._send)

    # What the accessor descriptors return (held to accessor_names() by a test).

    acls: _AclAsyncRepository
    apps: _AppAsyncRepository
    browsers: _BrowserAsyncRepository
    clients: _ClientAsyncRepository
    collections: _CollectionAsyncRepository
    computes: _ComputeAsyncRepository
    deliveries: _DeliveryAsyncRepository
    engines: _EngineAsyncRepository
    folders: _FolderAsyncRepository
    homes: _HomeAsyncRepository
    lanes: _LaneAsyncRepository
    queues: _QueueAsyncRepository
    requests: _RequestAsyncRepository
    servers: _ServerAsyncRepository
    shares: _ShareAsyncRepository
    sites: _SiteAsyncRepository
    streams: _StreamAsyncRepository
    tasks: _TaskAsyncRepository
    transfers: _TransferAsyncRepository
    users: _UserAsyncRepository
    userservers: _UserServerAsyncRepository
    volumes: _VolumeAsyncRepository
    workspaces: _WorkspaceAsyncRepository

    @overload
    def repository(self, model: type[M]) -> AsyncRepository[M]: ...
    @overload
    def repository(self, model: str) -> AsyncRepository[Entity]: ...
    def repository(self, model: type[Entity] | str) -> AsyncRepository[Any]:
        """The repository of a model class (or entity type name, e.g. ``"transfer"``)."""
        cls = _resolve_model(model)
        return AsyncRepository(self, cls, _state_for(cls))

    def query(self, query: str | Query, *, validate: bool | None = None) -> AsyncSelect[Any]:
        """A select built from query text or a ``Query`` (see :class:`AsyncSelect`)."""
        result: AsyncSelect[Any] = super().query(query, validate=validate)
        return result

    async def save(self, entity: M) -> M:
        """Send the fields of ``entity`` assigned since it was fetched (nothing if none)."""
        return await AsyncRepository(self, type(entity), _state_of(entity)).save(entity)

    async def refresh(self, entity: M) -> M:
        """The current server state of a fetched ``entity``."""
        return await AsyncRepository(self, type(entity), _state_of(entity)).refresh(entity)


RepositoryMixin._repository_class = Select
AsyncRepositoryMixin._repository_class = AsyncSelect
for _name, _type in accessor_names().items():
    setattr(RepositoryMixin, _name, _Accessor(_type))
    setattr(AsyncRepositoryMixin, _name, _Accessor(_type))
del _name, _type
