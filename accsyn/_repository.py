"""Repositories: typed, chainable, lazily paged queries over one entity type.

``session.transfers.where(Transfer.status != "failed").select("name").limit(50)``
builds an immutable :class:`Select`; nothing is sent until it is executed
(``all()``, ``first()``, ``one()``, ``count()``, ``exists()``, iteration). Every
operation is written once as a *plan*: a generator that yields
:class:`~accsyn._wire.EventRequest` objects, receives the decoded response bodies and
returns the result (or also yields pages). Two thin drivers run plans — one calling
``Session._send``, one awaiting ``AsyncSession._send`` — so the sync and async sides
share all query building, paging and result handling.
"""

from __future__ import annotations

import datetime as _dt
import difflib
from collections.abc import (
    AsyncIterator,
    Callable,
    Generator,
    Iterable,
    Iterator,
    Mapping,
    Sequence,
)
from dataclasses import dataclass, field, replace
from enum import Enum
from typing import TYPE_CHECKING, Any, Generic, TypeVar, Union, cast, overload

from accsyn import _wire
from accsyn._exceptions import (
    MultipleResultsFound,
    NoResultFound,
    ProtocolError,
    QueryError,
    QueryProblem,
    QueryValidationError,
    ValidationError,
)
from accsyn._paging import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, Pager
from accsyn._wire import EventRequest, find_request
from accsyn.models import (
    Acl,
    App,
    Client,
    Collection,
    Compute,
    Delivery,
    Engine,
    Entity,
    File,
    Folder,
    Home,
    Queue,
    Request,
    Server,
    Site,
    Stream,
    Task,
    Transfer,
    User,
    Volume,
    Workspace,
    attributes_of,
    model_for,
)
from accsyn.query._ast import And, Comparison, Expr, Op, Or, Query, and_
from accsyn.query._validate import validate

if TYPE_CHECKING:
    from collections.abc import Awaitable

__all__ = [
    "AsyncRepository",
    "AsyncRepositoryMixin",
    "AsyncSelect",
    "Explanation",
    "QueryState",
    "Repository",
    "RepositoryMixin",
    "Select",
]

M = TypeVar("M", bound=Entity)
_R = TypeVar("_R")
_T = TypeVar("_T")

#: A plan yields requests, is sent each decoded response body, and returns its result.
_Plan = Generator[EventRequest, dict[str, Any], _T]
#: A streaming plan also yields pages of rows between requests.
_StreamPlan = Generator[Union[EventRequest, "_Page"], dict[str, Any], None]


@dataclass(frozen=True, slots=True)
class _Page:
    rows: list[Mapping[str, Any]]


# --------------------------------------------------------------------------------------
# The immutable query state
# --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class QueryState:
    """Everything a :class:`Select` will send: pure data, no session.

    ``attributes`` is the user's projection (``None`` = every attribute); ``id`` is
    always added on the wire so paging can de-duplicate.
    """

    entitytype: str
    where: Expr | None = None
    attributes: tuple[str, ...] | None = None
    finished: bool | None = None
    inactive: bool | None = None
    archived: bool | None = None
    limit: int | None = None
    offset: int = 0
    page_size: int = DEFAULT_PAGE_SIZE
    parent: str | None = field(default=None)

    @property
    def query(self) -> Query:
        """The statement, e.g. ``transfer WHERE status!=failed``."""
        return Query(self.entitytype, self.where)

    def wire_attributes(self, override: Sequence[str] | None = None) -> list[str] | None:
        """The ``attributes`` list sent: the projection with ``id`` first, or ``None``."""
        attrs = override if override is not None else self.attributes
        if attrs is None:
            return None
        return ["id", *(a for a in attrs if a != "id")]

    def find(
        self,
        *,
        skip: int | None,
        limit: int | None,
        attributes: Sequence[str] | None = None,
    ) -> EventRequest:
        """The ``<type>/find`` request for one page."""
        return find_request(
            self.entitytype,
            self.query if self.where is not None else None,
            attributes=self.wire_attributes(attributes),
            finished=self.finished,
            inactive=self.inactive,
            archived=self.archived,
            limit=limit,
            skip=skip,
            parent=self.parent,
        )


@dataclass(frozen=True, slots=True)
class Explanation:
    """The exact request a query would send first, without sending it.

    Attributes:
        statement: the canonical query, e.g. ``transfer WHERE status!=failed``.
        method, uri, query, data, entityid: the envelope fields of the request
            (``query`` is the canonical expression carried in the envelope).
        request: the :class:`~accsyn._wire.EventRequest` itself.
        http: the exact HTTP request it becomes (URL, headers, raw query string or
            body; secrets redacted), when the session can tell.
    """

    statement: str
    method: str
    uri: str
    query: str | None
    data: Any
    entityid: str | None
    request: EventRequest
    # Fresh eid/created on every call: not part of equality.
    http: Any = field(default=None, compare=False)

    def __str__(self) -> str:
        lines = [
            f"statement: {self.statement}",
            f"request:   {self.method} {self.uri}",
        ]
        if self.entityid:
            lines.append(f"id:        {self.entityid}")
        if self.query is not None:
            lines.append(f"query:     {self.query}")
        lines.append(f"data:      {self.data!r}")
        if self.http is not None:
            lines += ["", str(self.http)]
        return "\n".join(lines)


def _render(node: Query | Expr) -> str:
    from accsyn.query._render import render

    return render(node)


# --------------------------------------------------------------------------------------
# Helpers: arguments in, rows out
# --------------------------------------------------------------------------------------


def _field_name(f: object) -> str:
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


def _entity_id(value: object, what: str = "entity") -> str:
    if isinstance(value, str):
        if not value:
            raise ValidationError(f"the {what} id must not be empty")
        return value
    ident = getattr(value, "id", None)
    if isinstance(ident, str) and ident:
        return ident
    raise ValidationError(
        f"expected an {what} or its id (str), not {type(value).__name__}"
        + (" without an id" if isinstance(value, Entity) else "")
    )


def _wire_value(value: Any) -> Any:
    """Convert a Python value to its wire form; a model stands for its id (a reference)."""
    if isinstance(value, Entity):
        return value.id
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, _dt.date):
        return _wire.encode_date(value)
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


def _result(body: Mapping[str, Any], uri: str) -> Any:
    if not isinstance(body, Mapping) or "result" not in body:
        raise ProtocolError(f"{uri}: the response has no 'result'")
    return body["result"]


def _rows(body: Mapping[str, Any], uri: str) -> list[Mapping[str, Any]]:
    result = _result(body, uri)
    if result is None:
        return []
    if not isinstance(result, list) or not all(isinstance(r, Mapping) for r in result):
        raise ProtocolError(f"{uri}: expected a list of entities in 'result'")
    return result


def _first_row(body: Mapping[str, Any], uri: str) -> Mapping[str, Any] | None:
    result = _result(body, uri)
    if isinstance(result, list):
        result = result[0] if result else None
    if result is None or isinstance(result, Mapping):
        return result
    raise ProtocolError(f"{uri}: expected an entity in 'result'")


def _check_count(value: object, what: str, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError(f"{what} must be an int, not {type(value).__name__}")
    if value < minimum:
        raise ValidationError(f"{what} must be >= {minimum}, not {value}")
    return value


# --------------------------------------------------------------------------------------
# Plans: every operation once, as a generator of requests
# --------------------------------------------------------------------------------------


def _pages_plan(state: QueryState, *, attributes: Sequence[str] | None = None) -> _StreamPlan:
    pager = Pager(offset=state.offset, limit=state.limit, page_size=state.page_size)
    while (step := pager.next_request()) is not None:
        req = state.find(skip=step.skip, limit=step.limit, attributes=attributes)
        body = yield req
        new = pager.feed(_rows(body, req.uri))
        if new:
            yield _Page(new)


def _head_plan(
    state: QueryState, n: int, *, attributes: Sequence[str] | None = None
) -> _Plan[list[Mapping[str, Any]]]:
    """At most ``n`` rows from the start of the result (after the offset)."""
    if state.limit is not None:
        n = min(n, state.limit)
    if n <= 0:
        return []
    req = state.find(skip=state.offset, limit=n, attributes=attributes)
    body = yield req
    return _rows(body, req.uri)[:n]


def _count_plan(state: QueryState) -> _Plan[int]:
    total = 0
    stream = _pages_plan(state, attributes=())
    try:
        item = next(stream)
        while True:
            if isinstance(item, _Page):
                total += len(item.rows)
                item = next(stream)
            else:
                item = stream.send((yield item))
    except StopIteration:
        return total


def _single_plan(req: EventRequest) -> _Plan[Mapping[str, Any] | None]:
    body = yield req
    return _first_row(body, req.uri)


def _value_plan(req: EventRequest) -> _Plan[Any]:
    body = yield req
    return _result(body, req.uri)


def _drive(send: Callable[[EventRequest], dict[str, Any]], plan: _Plan[_T]) -> _T:
    try:
        req = next(plan)
        while True:
            req = plan.send(send(req))
    except StopIteration as stop:
        return cast(_T, stop.value)
    finally:
        plan.close()


async def _adrive(send: Callable[[EventRequest], Awaitable[dict[str, Any]]], plan: _Plan[_T]) -> _T:
    try:
        req = next(plan)
        while True:
            req = plan.send(await send(req))
    except StopIteration as stop:
        return cast(_T, stop.value)
    finally:
        plan.close()


def _drive_pages(
    send: Callable[[EventRequest], dict[str, Any]], plan: _StreamPlan
) -> Iterator[list[Mapping[str, Any]]]:
    try:
        item = next(plan)
        while True:
            if isinstance(item, _Page):
                yield item.rows
                item = next(plan)
            else:
                item = plan.send(send(item))
    except StopIteration:
        return
    finally:
        plan.close()


async def _adrive_pages(
    send: Callable[[EventRequest], Awaitable[dict[str, Any]]], plan: _StreamPlan
) -> AsyncIterator[list[Mapping[str, Any]]]:
    try:
        item = next(plan)
        while True:
            if isinstance(item, _Page):
                yield item.rows
                item = next(plan)
            else:
                item = plan.send(await send(item))
    except StopIteration:
        return
    finally:
        plan.close()


# --------------------------------------------------------------------------------------
# The builder shared by sync and async selects
# --------------------------------------------------------------------------------------


class _Builder(Generic[M, _R]):
    """Chainable, immutable query building; ``_R`` is the select type returned."""

    __slots__ = ("_model", "_session", "_state")

    def __init__(self, session: Any, model: type[M], state: QueryState) -> None:
        self._session = session
        self._model = model
        self._state = state

    def _derive(self, state: QueryState) -> _R:
        raise NotImplementedError

    @property
    def model(self) -> type[M]:
        """The model class rows are returned as."""
        return self._model

    @property
    def state(self) -> QueryState:
        """The immutable query state (what would be sent)."""
        return self._state

    @property
    def query(self) -> Query:
        """The statement as an AST, e.g. for ``accsyn.query.render``."""
        return self._state.query

    def __repr__(self) -> str:
        try:
            shown = _render(self._state.query)
        except QueryError:  # a repr must never raise
            shown = repr(self._state.query)
        return f"<{type(self).__name__} {shown}>"

    def __bool__(self) -> bool:
        raise TypeError(
            "a query has no truth value (it has not been run); use .exists(), .first() or .count()"
        )

    # -- filters ---------------------------------------------------------------------------

    def where(self, *expressions: Expr | Query | str, **equalities: Any) -> _R:
        """Add conditions, AND-combined with the existing ones.

        Takes expressions (``Transfer.status != "failed"``), built queries
        (``Transfer.where(...)``), query text (``'status!=failed'``) and
        ``attribute=value`` equalities.
        """
        exprs: list[Expr] = []
        if self._state.where is not None:
            exprs.append(self._state.where)
        added: list[Expr] = []
        for e in expressions:
            added.append(self._to_expr(e))
        if equalities:
            added.append(self._equalities(equalities))
        if not added:
            return self._derive(self._state)
        combined = and_(*exprs, *added)
        combined = self._validate(combined)
        return self._derive(replace(self._state, where=combined))

    def _to_expr(self, e: object) -> Expr:
        if isinstance(e, str):
            from accsyn.query import parse

            parsed = parse(e)
            if parsed.entitytype is not None and parsed.where is None:
                raise ValidationError(
                    f"where() needs a condition such as 'status!=failed', not {e!r}"
                )
            e = parsed
        if isinstance(e, Query):
            et = e.entitytype
            if et is not None and _canonical_type(et) != _canonical_type(self._state.entitytype):
                raise ValidationError(
                    f"a {et} query cannot filter {self._state.entitytype} entities"
                )
            if e.where is None:
                raise ValidationError("where() needs a condition, not a bare entity type")
            return e.where
        if isinstance(e, Comparison | And | Or):
            return e
        raise ValidationError(
            f"where() takes expressions, queries or query text, not {type(e).__name__} "
            "(did you compare a plain value instead of a model field?)"
        )

    def _equalities(self, equalities: Mapping[str, Any]) -> Expr:
        builder = getattr(self._model, "where", None)
        if callable(builder):
            built = builder(**equalities)
            if isinstance(built, Query) and built.where is not None:
                return built.where
        return and_(
            *(
                Comparison(name, Op.EQ, str(_wire_value(value)))
                for name, value in equalities.items()
            )
        )

    def _validate(self, expr: Expr) -> Expr:
        # Unknown attributes and bad values fail here, at build time, with columns and
        # suggestions — not as a server error when the query is finally run.
        checked = validate(Query(self._state.entitytype, expr), entitytype=self._state.entitytype)
        return checked.where if checked.where is not None else expr

    # -- projection and scope --------------------------------------------------------------

    def select(self, *fields: object) -> _R:
        """Fetch only these attributes; reading any other known field then raises."""
        if not fields:
            raise ValidationError("select() needs at least one attribute")
        names = tuple(dict.fromkeys(_field_name(f) for f in fields))
        self._check_attributes(names)
        return self._derive(replace(self._state, attributes=names))

    def _check_attributes(self, names: Iterable[str]) -> None:
        known = attributes_of(self._model)
        problems = []
        for name in names:
            if name.split(".", 1)[0] in known:
                continue
            close = difflib.get_close_matches(name, list(known), n=1, cutoff=0.6)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            problems.append(
                QueryProblem(
                    f"{self._state.entitytype} has no attribute {name!r}{hint}",
                    suggestion=close[0] if close else None,
                )
            )
        if problems:
            raise QueryValidationError(problems)

    def finished(self, value: bool = True) -> _R:
        """Search finished/aborted jobs instead of active ones."""
        return self._derive(replace(self._state, finished=value))

    def inactive(self, value: bool = True) -> _R:
        """Search deactivated entities (users, shares, ACLs)."""
        return self._derive(replace(self._state, inactive=value))

    def archived(self, value: bool = True) -> _R:
        """Search deleted/purged (archived) entities."""
        return self._derive(replace(self._state, archived=value))

    def limit(self, n: int | None) -> _R:
        """Return at most ``n`` entities in total, across pages (``None`` = no limit)."""
        if n is not None:
            _check_count(n, "limit", 0)
        return self._derive(replace(self._state, limit=n))

    def offset(self, n: int) -> _R:
        """Skip the first ``n`` entities of the result."""
        return self._derive(replace(self._state, offset=_check_count(n, "offset", 0)))

    def page_size(self, n: int) -> _R:
        """Fetch ``n`` entities per request when iterating (memory is bounded by it)."""
        _check_count(n, "page_size", 1)
        if n > MAX_PAGE_SIZE:
            raise ValidationError(f"page_size must be <= {MAX_PAGE_SIZE}, not {n}")
        return self._derive(replace(self._state, page_size=n))

    # -- explain ---------------------------------------------------------------------------

    def explain(self) -> Explanation:
        """The first request iterating this query would send; nothing is sent."""
        st = self._state
        want = st.page_size if st.limit is None else min(st.page_size, st.limit)
        req = st.find(skip=st.offset, limit=want)
        explain_http = getattr(self._session, "explain", None)
        return Explanation(
            statement=_render(st.query),
            method=req.method,
            uri=req.uri,
            query=req.query,
            data=req.data,
            entityid=req.entityid,
            request=req,
            http=explain_http(req) if callable(explain_http) else None,
        )

    # -- shared write helpers (used by the repositories) ------------------------------------

    def _writes(self) -> _Writes:
        return _Writes(self._state.entitytype, self._state.parent)

    def _of(self, parent: object) -> QueryState:
        return replace(self._state, parent=_entity_id(parent, "parent"))

    # -- shared result handling ------------------------------------------------------------

    def _load(self, row: Mapping[str, Any]) -> M:
        attrs = self._state.attributes
        entity = self._model.from_wire(row, attributes=list(attrs) if attrs is not None else None)
        entity._accsyn_bind(self._session)
        return entity

    def _load_full(self, row: Mapping[str, Any]) -> M:
        entity = self._model.from_wire(row)
        entity._accsyn_bind(self._session)
        return entity

    def _one(self, rows: list[Mapping[str, Any]]) -> M:
        if not rows:
            raise NoResultFound(f"no {self._state.entitytype} matches {_render(self._state.query)}")
        if len(rows) > 1:
            raise MultipleResultsFound(
                f"more than one {self._state.entitytype} matches {_render(self._state.query)}"
            )
        return self._load(rows[0])


def _canonical_type(name: str) -> str:
    try:
        return model_for(name).__entitytype__
    except Exception:
        return name.lower()


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
        if self.entitytype in ("task", "file"):
            # Sub-entities have UUID ids and are found through their parent.
            parent = self._need_parent("get")
            return find_request(
                self.entitytype,
                Query(self.entitytype, Comparison("id", Op.EQ, entityid)),
                parent=parent,
            )
        return _wire.get_entity_request(self.entitytype, entityid)

    def create(self, payload: dict[str, Any]) -> EventRequest:
        if self.entitytype == "task":
            parent = self._need_parent("create")
            return _wire.create_request("task", {"tasks": [payload]}, entityid=parent)
        if self.entitytype == "file":
            parent = self._need_parent("create")
            if "files" not in payload and "path" in payload:
                # One file per create(), like every other repository; file/add takes a list.
                payload = {"files": [payload["path"]]}
            return _wire.create_request("file", payload, entityid=parent)
        if self.parent is not None:
            payload = {"parent": self.parent, **payload}
        return _wire.create_request(self.entitytype, payload)

    def update(self, entityid: str, changes: dict[str, Any]) -> EventRequest:
        if not changes:
            raise ValidationError("update() needs at least one field to change")
        if self.entitytype == "task":
            parent = self._need_parent("update")
            return _wire.update_many_request("task", parent, [{"id": entityid, **changes}])
        return _wire.update_request(self.entitytype, entityid, changes)

    def delete(self, entityid: str, data: dict[str, Any] | None) -> EventRequest:
        if self.entitytype == "file":
            parent = self._need_parent("delete")
            return _wire.delete_many_request("collection", parent, {"files": [entityid]})
        return _wire.delete_one_request(self.entitytype, entityid, data)


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
# Sync
# --------------------------------------------------------------------------------------


class Select(_Builder[M, "Select[M]"]):
    """A query over one entity type, run by a :class:`~accsyn.Session`.

    Immutable: every builder method returns a new select. Iterating pages lazily
    (``page_size`` rows per request); see :mod:`accsyn._paging` for the guarantee.
    """

    __slots__ = ()

    def _derive(self, state: QueryState) -> Select[M]:
        return Select(self._session, self._model, state)

    def _run(self, plan: _Plan[_T]) -> _T:
        return _drive(self._session._send, plan)

    def pages(self) -> Iterator[list[M]]:
        """Iterate page by page (each a list of at most ``page_size`` models)."""
        for rows in _drive_pages(self._session._send, _pages_plan(self._state)):
            yield [self._load(r) for r in rows]

    def __iter__(self) -> Iterator[M]:
        for page in self.pages():
            yield from page

    def all(self) -> list[M]:
        """Every matching entity (paging through the whole result)."""
        return [m for page in self.pages() for m in page]

    def first(self) -> M | None:
        """The first matching entity, or ``None`` (one request, ``limit=1``)."""
        rows = self._run(_head_plan(self._state, 1))
        return self._load(rows[0]) if rows else None

    def one(self) -> M:
        """Exactly one entity: raises ``NoResultFound`` / ``MultipleResultsFound``."""
        return self._one(self._run(_head_plan(self._state, 2)))

    def one_or_none(self) -> M | None:
        """The only match, ``None`` if there is none; raises if there are several."""
        rows = self._run(_head_plan(self._state, 2))
        return self._one(rows) if rows else None

    def count(self) -> int:
        """The number of matches (pages through ids only; the protocol has no count)."""
        return self._run(_count_plan(self._state))

    def exists(self) -> bool:
        """Whether anything matches (one request for one id)."""
        return bool(self._run(_head_plan(self._state, 1, attributes=())))


class Repository(Select[M]):
    """All entities of one type, plus create/get/update/delete/save/refresh.

    Reached as ``session.transfers``, ``session.users``, … or
    ``session.repository(Model)``. Its query methods return :class:`Select`.
    """

    __slots__ = ()

    def of(self, parent: object) -> Repository[M]:
        """The sub-entities of ``parent`` (tasks of a job, files of a collection)."""
        return Repository(self._session, self._model, self._of(parent))

    def get(self, entityid: str) -> M | None:
        """The entity with this id in any state (active, finished, inactive, archived)."""
        row = self._run(_single_plan(self._writes().get(_entity_id(entityid))))
        return self._load_full(row) if row is not None else None

    def create(self, data: object = None, /, **fields: Any) -> M:
        """Create an entity from an input model, a mapping and/or keyword fields."""
        req = self._writes().create(_payload(data, fields))
        row = self._run(_single_plan(req))
        if row is None:
            raise ProtocolError(f"{req.uri}: the server returned no entity")
        return self._load_full(row)

    def update(self, entity: object, /, **changes: Any) -> M:
        """Change fields of an entity (or id); returns the updated entity."""
        req = self._writes().update(_entity_id(entity), _payload(None, changes))
        row = self._run(_single_plan(req))
        if row is None:
            raise ProtocolError(f"{req.uri}: the server returned no entity")
        return self._load_full(row)

    def delete(self, entity: object, /, **data: Any) -> bool:
        """Delete an entity (or id); extra keywords go in the payload (``force=True``)."""
        req = self._writes().delete(_entity_id(entity), _payload(None, data) or None)
        return bool(self._run(_value_plan(req)))

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


# --------------------------------------------------------------------------------------
# Async
# --------------------------------------------------------------------------------------


class AsyncSelect(_Builder[M, "AsyncSelect[M]"]):
    """The :class:`Select` of an :class:`~accsyn.AsyncSession`: awaitables and ``async for``."""

    __slots__ = ()

    def _derive(self, state: QueryState) -> AsyncSelect[M]:
        return AsyncSelect(self._session, self._model, state)

    async def _run(self, plan: _Plan[_T]) -> _T:
        return await _adrive(self._session._send, plan)

    async def pages(self) -> AsyncIterator[list[M]]:
        """Iterate page by page (each a list of at most ``page_size`` models)."""
        async for rows in _adrive_pages(self._session._send, _pages_plan(self._state)):
            yield [self._load(r) for r in rows]

    async def __aiter__(self) -> AsyncIterator[M]:
        async for page in self.pages():
            for m in page:
                yield m

    async def all(self) -> list[M]:
        """Every matching entity (paging through the whole result)."""
        return [m async for page in self.pages() for m in page]

    async def first(self) -> M | None:
        """The first matching entity, or ``None`` (one request, ``limit=1``)."""
        rows = await self._run(_head_plan(self._state, 1))
        return self._load(rows[0]) if rows else None

    async def one(self) -> M:
        """Exactly one entity: raises ``NoResultFound`` / ``MultipleResultsFound``."""
        return self._one(await self._run(_head_plan(self._state, 2)))

    async def one_or_none(self) -> M | None:
        """The only match, ``None`` if there is none; raises if there are several."""
        rows = await self._run(_head_plan(self._state, 2))
        return self._one(rows) if rows else None

    async def count(self) -> int:
        """The number of matches (pages through ids only; the protocol has no count)."""
        return await self._run(_count_plan(self._state))

    async def exists(self) -> bool:
        """Whether anything matches (one request for one id)."""
        return bool(await self._run(_head_plan(self._state, 1, attributes=())))


class AsyncRepository(AsyncSelect[M]):
    """The :class:`Repository` of an :class:`~accsyn.AsyncSession`."""

    __slots__ = ()

    def of(self, parent: object) -> AsyncRepository[M]:
        """The sub-entities of ``parent`` (tasks of a job, files of a collection)."""
        return AsyncRepository(self._session, self._model, self._of(parent))

    async def get(self, entityid: str) -> M | None:
        """The entity with this id in any state (active, finished, inactive, archived)."""
        row = await self._run(_single_plan(self._writes().get(_entity_id(entityid))))
        return self._load_full(row) if row is not None else None

    async def create(self, data: object = None, /, **fields: Any) -> M:
        """Create an entity from an input model, a mapping and/or keyword fields."""
        req = self._writes().create(_payload(data, fields))
        row = await self._run(_single_plan(req))
        if row is None:
            raise ProtocolError(f"{req.uri}: the server returned no entity")
        return self._load_full(row)

    async def update(self, entity: object, /, **changes: Any) -> M:
        """Change fields of an entity (or id); returns the updated entity."""
        req = self._writes().update(_entity_id(entity), _payload(None, changes))
        row = await self._run(_single_plan(req))
        if row is None:
            raise ProtocolError(f"{req.uri}: the server returned no entity")
        return self._load_full(row)

    async def delete(self, entity: object, /, **data: Any) -> bool:
        """Delete an entity (or id); extra keywords go in the payload (``force=True``)."""
        req = self._writes().delete(_entity_id(entity), _payload(None, data) or None)
        return bool(await self._run(_value_plan(req)))

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
    if state.entitytype in ("task", "file"):
        raw = entity.get("parent") or entity.get("job")
        parent = str(getattr(raw, "id", None) or raw or "")
        state = replace(state, parent=parent.rsplit(":", 1)[-1] or None)
    return state


class RepositoryMixin:
    """Adds ``session.transfers``, ``session.users``, … and ``repository()`` to a session.

    The session class provides ``_send(EventRequest) -> dict`` (the decoded body).
    """

    __slots__ = ()

    if TYPE_CHECKING:

        def _send(self, req: EventRequest) -> dict[str, Any]: ...

    @overload
    def repository(self, model: type[M]) -> Repository[M]: ...
    @overload
    def repository(self, model: str) -> Repository[Entity]: ...
    def repository(self, model: type[Entity] | str) -> Repository[Any]:
        """The repository of a model class (or entity type name, e.g. ``"transfer"``)."""
        cls = _resolve_model(model)
        return Repository(self, cls, _state_for(cls))

    def save(self, entity: M) -> M:
        """Send the fields of ``entity`` assigned since it was fetched (nothing if none)."""
        return Repository(self, type(entity), _state_of(entity)).save(entity)

    def refresh(self, entity: M) -> M:
        """The current server state of a fetched ``entity``."""
        return Repository(self, type(entity), _state_of(entity)).refresh(entity)

    @property
    def transfers(self) -> Repository[Transfer]:
        """Transfers (peer-to-peer jobs)."""
        return self.repository(Transfer)

    @property
    def deliveries(self) -> Repository[Delivery]:
        """Outgoing deliveries."""
        return self.repository(Delivery)

    @property
    def requests(self) -> Repository[Request]:
        """Inbound upload requests."""
        return self.repository(Request)

    @property
    def streams(self) -> Repository[Stream]:
        """Streaming deliveries."""
        return self.repository(Stream)

    @property
    def computes(self) -> Repository[Compute]:
        """Compute (render) jobs."""
        return self.repository(Compute)

    @property
    def tasks(self) -> Repository[Task]:
        """Tasks of jobs: use ``session.tasks.of(job)``."""
        return self.repository(Task)

    @property
    def queues(self) -> Repository[Queue]:
        """Job queues."""
        return self.repository(Queue)

    @property
    def users(self) -> Repository[User]:
        """Users."""
        return self.repository(User)

    @property
    def workspaces(self) -> Repository[Workspace]:
        """Workspaces."""
        return self.repository(Workspace)

    @property
    def volumes(self) -> Repository[Volume]:
        """Volumes."""
        return self.repository(Volume)

    @property
    def folders(self) -> Repository[Folder]:
        """Shared folders."""
        return self.repository(Folder)

    @property
    def homes(self) -> Repository[Home]:
        """User home shares."""
        return self.repository(Home)

    @property
    def collections(self) -> Repository[Collection]:
        """Collections (virtual shares of files)."""
        return self.repository(Collection)

    @property
    def files(self) -> Repository[File]:
        """Files of collections: use ``session.files.of(collection)``."""
        return self.repository(File)

    @property
    def acls(self) -> Repository[Acl]:
        """Access-control entries (read and create; change them with grant/revoke)."""
        return self.repository(Acl)

    @property
    def sites(self) -> Repository[Site]:
        """Sites."""
        return self.repository(Site)

    @property
    def engines(self) -> Repository[Engine]:
        """Compute engines."""
        return self.repository(Engine)

    @property
    def clients(self) -> Repository[Client]:
        """Clients of every type."""
        return self.repository(Client)

    @property
    def apps(self) -> Repository[App]:
        """Desktop apps."""
        return self.repository(App)

    @property
    def servers(self) -> Repository[Server]:
        """Workspace servers."""
        return self.repository(Server)


class AsyncRepositoryMixin:
    #: Tells entities fetched through this session to use ``asave``/``arefresh``.
    _accsyn_async = True

    """The :class:`RepositoryMixin` of an async session (``_send`` is a coroutine)."""

    __slots__ = ()

    if TYPE_CHECKING:

        async def _send(self, req: EventRequest) -> dict[str, Any]: ...

    @overload
    def repository(self, model: type[M]) -> AsyncRepository[M]: ...
    @overload
    def repository(self, model: str) -> AsyncRepository[Entity]: ...
    def repository(self, model: type[Entity] | str) -> AsyncRepository[Any]:
        """The repository of a model class (or entity type name, e.g. ``"transfer"``)."""
        cls = _resolve_model(model)
        return AsyncRepository(self, cls, _state_for(cls))

    async def save(self, entity: M) -> M:
        """Send the fields of ``entity`` assigned since it was fetched (nothing if none)."""
        return await AsyncRepository(self, type(entity), _state_of(entity)).save(entity)

    async def refresh(self, entity: M) -> M:
        """The current server state of a fetched ``entity``."""
        return await AsyncRepository(self, type(entity), _state_of(entity)).refresh(entity)

    @property
    def transfers(self) -> AsyncRepository[Transfer]:
        """Transfers (peer-to-peer jobs)."""
        return self.repository(Transfer)

    @property
    def deliveries(self) -> AsyncRepository[Delivery]:
        """Outgoing deliveries."""
        return self.repository(Delivery)

    @property
    def requests(self) -> AsyncRepository[Request]:
        """Inbound upload requests."""
        return self.repository(Request)

    @property
    def streams(self) -> AsyncRepository[Stream]:
        """Streaming deliveries."""
        return self.repository(Stream)

    @property
    def computes(self) -> AsyncRepository[Compute]:
        """Compute (render) jobs."""
        return self.repository(Compute)

    @property
    def tasks(self) -> AsyncRepository[Task]:
        """Tasks of jobs: use ``session.tasks.of(job)``."""
        return self.repository(Task)

    @property
    def queues(self) -> AsyncRepository[Queue]:
        """Job queues."""
        return self.repository(Queue)

    @property
    def users(self) -> AsyncRepository[User]:
        """Users."""
        return self.repository(User)

    @property
    def workspaces(self) -> AsyncRepository[Workspace]:
        """Workspaces."""
        return self.repository(Workspace)

    @property
    def volumes(self) -> AsyncRepository[Volume]:
        """Volumes."""
        return self.repository(Volume)

    @property
    def folders(self) -> AsyncRepository[Folder]:
        """Shared folders."""
        return self.repository(Folder)

    @property
    def homes(self) -> AsyncRepository[Home]:
        """User home shares."""
        return self.repository(Home)

    @property
    def collections(self) -> AsyncRepository[Collection]:
        """Collections (virtual shares of files)."""
        return self.repository(Collection)

    @property
    def files(self) -> AsyncRepository[File]:
        """Files of collections: use ``session.files.of(collection)``."""
        return self.repository(File)

    @property
    def acls(self) -> AsyncRepository[Acl]:
        """Access-control entries (read and create; change them with grant/revoke)."""
        return self.repository(Acl)

    @property
    def sites(self) -> AsyncRepository[Site]:
        """Sites."""
        return self.repository(Site)

    @property
    def engines(self) -> AsyncRepository[Engine]:
        """Compute engines."""
        return self.repository(Engine)

    @property
    def clients(self) -> AsyncRepository[Client]:
        """Clients of every type."""
        return self.repository(Client)

    @property
    def apps(self) -> AsyncRepository[App]:
        """Desktop apps."""
        return self.repository(App)

    @property
    def servers(self) -> AsyncRepository[Server]:
        """Workspace servers."""
        return self.repository(Server)
