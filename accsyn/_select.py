"""Selects: immutable, chainable, lazily paged queries over one entity type.

``session.transfers.where(Transfer.status != "failed").select("name").limit(50)``
builds a :class:`Select`; nothing is sent until it is executed (``all()``,
``first()``, ``one()``, ``count()``, ``exists()``, ``pages()``, iteration). The
conditions are validated when they are added (the session's policy, or
``validate(False)``) and rendered once; the plans that run a select live in
:mod:`accsyn._operations` and rows decode through its one read path, so a select
and ``session.find`` return the same bound models. :class:`AsyncSelect` is the same
over an ``AsyncSession``.

``Select[M, R]``: ``M`` is the entity type, ``R`` what a row is — ``M`` itself, or a
tuple of the fields given to ``select(Transfer.name, ...)`` (see
:mod:`accsyn._projection`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Generic, TypeVar, cast

from typing_extensions import TypeVar as DefaultTypeVar

from accsyn import _operations as ops
from accsyn import _projection as projection
from accsyn import _validation as check
from accsyn._exceptions import (
    MultipleResultsFound,
    NoResultFound,
    QueryError,
    QueryValidationError,
    ValidationError,
)
from accsyn._paging import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE
from accsyn._plan import Done, Plan
from accsyn._requests import find_request
from accsyn._wire import EventRequest
from accsyn.models import Entity
from accsyn.query._ast import And, Comparison, Expr, Op, Or, Query, and_
from accsyn.query._validate import needs_condition

if TYPE_CHECKING:
    from accsyn._http import Clock
    from accsyn._watch import Changed, Created, Finished, Gone

__all__ = ["AsyncSelect", "Explanation", "QueryState", "Select"]

M = TypeVar("M", bound=Entity)
_R = TypeVar("_R")
#: What a select's rows are: its models unless ``select()`` was given model fields.
_Row = DefaultTypeVar("_Row", default=M)
_T = TypeVar("_T")


# --------------------------------------------------------------------------------------
# The immutable query state
# --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class QueryState:
    """Everything a :class:`Select` will send: pure data, no session.

    ``attributes`` is the user's projection (``None`` = every attribute); ``id`` is
    always added on the wire so paging can de-duplicate. ``columns``: the fields of a
    tuple row, in order (``None``: rows are models).
    """

    entitytype: str
    where: Expr | None = None
    attributes: tuple[str, ...] | None = None
    columns: tuple[str, ...] | None = None
    finished: bool | None = None
    inactive: bool | None = None
    archived: bool | None = None
    limit: int | None = None
    offset: int = 0
    page_size: int = DEFAULT_PAGE_SIZE
    parent: str | None = field(default=None)
    #: ``False`` turns validation off for this select; ``None`` follows the session.
    validate: bool | None = None
    #: The canonical expression of ``where``, rendered once when the state is made.
    expression: str | None = field(default=None, init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.where is not None:
            object.__setattr__(self, "expression", _render(self.where))

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
            self.expression,
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


def _check_count(value: object, what: str, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError(f"{what} must be an int, not {type(value).__name__}")
    if value < minimum:
        raise ValidationError(f"{what} must be >= {minimum}, not {value}")
    return value


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
            parsed = check.parse_query(e)
            if parsed.entitytype is not None and parsed.where is None:
                raise ValidationError(needs_condition(e))
            e = parsed
        if isinstance(e, Query):
            et = e.entitytype
            if et is not None and projection.canonical_type(et) != projection.canonical_type(
                self._state.entitytype
            ):
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
            try:
                built = builder(**equalities)
            except QueryValidationError as exc:
                check.fail(self._policy, exc)  # raises under "error"
            else:
                if isinstance(built, Query) and built.where is not None:
                    return built.where
        return and_(
            *(
                Comparison(name, Op.EQ, str(getattr(value, "id", None) or value))
                for name, value in equalities.items()
            )
        )

    @property
    def _policy(self) -> check.Policy:
        return check.policy_of(self._session, self._state.validate)

    def _validate(self, expr: Expr) -> Expr:
        # Unknown attributes and bad values fail here, at build time, with columns and
        # suggestions — not as a server error when the query is finally run.
        check.check_query(Query(self._state.entitytype, expr), self._policy)
        return expr

    def validate(self, enabled: bool = True) -> _R:
        """``validate(False)``: send this select's conditions and projection unchecked
        (for attributes a newer server knows); the session's policy otherwise."""
        return self._derive(replace(self._state, validate=None if enabled else False))

    # -- projection and scope --------------------------------------------------------------

    def _project(self, fields: tuple[object, ...]) -> _R:
        # select(), typed by the projection mixins of Select and AsyncSelect.
        names, columns = projection.plan(self._state.entitytype, fields)
        self._check_attributes(names)
        return self._derive(replace(self._state, attributes=names, columns=columns))

    def _check_attributes(self, names: Iterable[str]) -> None:
        check.check_attributes(self._state.entitytype, names, self._policy)

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

    # -- shared result handling ------------------------------------------------------------

    def _load_all(self, rows: list[Any], *, projected: bool = True) -> list[M]:
        attrs = self._state.attributes if projected else None
        et = self._state.entitytype
        loaded: list[M] = ops.decode(et, rows, attributes=attrs, session=self._session)
        return loaded

    def _rows(self, rows: list[Any]) -> list[Any]:
        """Wire rows → this select's rows: models, or tuples of the selected fields."""
        return projection.rows_of(self._load_all(rows), self._state.columns)

    def _row(self, row: Mapping[str, Any]) -> Any:
        return self._rows([row])[0]

    def _load_full(self, row: Mapping[str, Any]) -> M:
        return self._load_all([row], projected=False)[0]

    def _one(self, rows: list[Mapping[str, Any]]) -> Any:
        if not rows:
            raise NoResultFound(f"no {self._state.entitytype} matches {_render(self._state.query)}")
        if len(rows) > 1:
            raise MultipleResultsFound(
                f"more than one {self._state.entitytype} matches {_render(self._state.query)}"
            )
        return self._row(rows[0])


def _changes(data: object, changes: Mapping[str, Any]) -> dict[str, Any]:
    from accsyn._repository import _payload

    return _payload(data, changes)


# --------------------------------------------------------------------------------------
# Sync and async
# --------------------------------------------------------------------------------------


class Select(_Builder[M, "Select[M, _Row]"], projection.SelectProjection[M], Generic[M, _Row]):
    """A query over one entity type, run by a :class:`~accsyn.Session`.

    Immutable: every builder method returns a new select. Iterating pages lazily
    (``page_size`` rows per request); see :mod:`accsyn._paging` for the guarantee.
    """

    __slots__ = ()

    def _derive(self, state: QueryState) -> Select[M, _Row]:
        return Select(self._session, self._model, state)

    def _run(self, plan: Plan[_T]) -> _T:
        return cast(_T, self._session._run(plan))

    def pages(self) -> Iterator[list[_Row]]:
        """Iterate page by page (each a list of at most ``page_size`` rows)."""
        for rows in self._session._pages(ops.pages(self._state)):
            yield self._rows(rows)

    def raw_pages(self) -> Iterator[list[dict[str, Any]]]:
        """Iterate page by page as the wire dicts the server sent (no models)."""
        for rows in self._session._pages(ops.pages(self._state)):
            yield [dict(r) for r in rows]

    def __iter__(self) -> Iterator[_Row]:
        for page in self.pages():
            yield from page

    def all(self) -> list[_Row]:
        """Every matching row (paging through the whole result)."""
        return [m for page in self.pages() for m in page]

    def first(self) -> _Row | None:
        """The first matching row, or ``None`` (one request, ``limit=1``)."""
        rows = self._run(ops.head(self._state, 1))
        return self._row(rows[0]) if rows else None

    def one(self) -> _Row:
        """Exactly one row: raises ``NoResultFound`` / ``MultipleResultsFound``."""
        row: _Row = self._one(self._run(ops.head(self._state, 2)))
        return row

    def one_or_none(self) -> _Row | None:
        """The only match, ``None`` if there is none; raises if there are several."""
        rows = self._run(ops.head(self._state, 2))
        return self._one(rows) if rows else None

    def count(self) -> int:
        """The number of matches (pages through ids only; the protocol has no count)."""
        return self._run(ops.count(self._state))

    def exists(self) -> bool:
        """Whether anything matches (one request for one id)."""
        return bool(self._run(ops.head(self._state, 1, attributes=())))

    def update(self, data: object = None, /, **changes: Any) -> list[M]:
        """Change every matching entity (``where(...).update(status="paused")``).

        One request per entity (tasks: one per job). A status change skips the
        matches already in that status and checks every other one against the
        lifecycle before anything is sent (:class:`~accsyn.TransitionError`); returns
        the updated entities. Logic in :mod:`accsyn._control`.
        """
        from accsyn._control import update_plan

        return self._run(update_plan(self, _changes(data, changes)))

    def watch(
        self,
        interval: float | None = None,
        *,
        full_every: int | None = None,
        clock: Clock | None = None,
    ) -> Iterator[Created[M] | Changed[M] | Finished[M] | Gone[M]]:
        """Follow the matches by polling every ``interval`` seconds (default 5).

        Yields :class:`~accsyn.Created` (every match on the first poll),
        :class:`~accsyn.Changed` (with the changed fields), :class:`~accsyn.Finished`
        and :class:`~accsyn.Gone` events until the caller stops. Polls after the first
        ask only for rows modified since the last one; every ``full_every`` polls
        (default 10) the followed ids are checked for deletions. ``clock`` overrides the
        session's clock for the pauses. See :mod:`accsyn._watch`.
        """
        from accsyn._watch import watch

        return watch(self, interval, full_every=full_every, clock=clock)


class AsyncSelect(
    _Builder[M, "AsyncSelect[M, _Row]"], projection.AsyncSelectProjection[M], Generic[M, _Row]
):
    """The :class:`Select` of an :class:`~accsyn.AsyncSession`: awaitables and ``async for``."""

    __slots__ = ()

    def _derive(self, state: QueryState) -> AsyncSelect[M, _Row]:
        return AsyncSelect(self._session, self._model, state)

    async def _run(self, plan: Plan[_T]) -> _T:
        return cast(_T, await self._session._run(plan))

    async def raw_pages(self) -> AsyncIterator[list[dict[str, Any]]]:
        """Iterate page by page as the wire dicts the server sent (no models)."""
        async for rows in self._session._pages(ops.pages(self._state)):
            if isinstance(rows, Done):
                return
            yield [dict(r) for r in rows]

    async def pages(self) -> AsyncIterator[list[_Row]]:
        """Iterate page by page (each a list of at most ``page_size`` rows)."""
        async for rows in self._session._pages(ops.pages(self._state)):
            if isinstance(rows, Done):
                return
            yield self._rows(rows)

    async def __aiter__(self) -> AsyncIterator[_Row]:
        async for page in self.pages():
            for m in page:
                yield m

    async def all(self) -> list[_Row]:
        """Every matching row (paging through the whole result)."""
        return [m async for page in self.pages() for m in page]

    async def first(self) -> _Row | None:
        """The first matching row, or ``None`` (one request, ``limit=1``)."""
        rows = await self._run(ops.head(self._state, 1))
        return self._row(rows[0]) if rows else None

    async def one(self) -> _Row:
        """Exactly one row: raises ``NoResultFound`` / ``MultipleResultsFound``."""
        row: _Row = self._one(await self._run(ops.head(self._state, 2)))
        return row

    async def one_or_none(self) -> _Row | None:
        """The only match, ``None`` if there is none; raises if there are several."""
        rows = await self._run(ops.head(self._state, 2))
        return self._one(rows) if rows else None

    async def count(self) -> int:
        """The number of matches (pages through ids only; the protocol has no count)."""
        return await self._run(ops.count(self._state))

    async def exists(self) -> bool:
        """Whether anything matches (one request for one id)."""
        return bool(await self._run(ops.head(self._state, 1, attributes=())))

    async def update(self, data: object = None, /, **changes: Any) -> list[M]:
        """Change every matching entity (see :meth:`Select.update`)."""
        from accsyn._control import update_plan

        return await self._run(update_plan(self, _changes(data, changes)))

    def watch(
        self,
        interval: float | None = None,
        *,
        full_every: int | None = None,
        clock: Clock | None = None,
    ) -> AsyncIterator[Created[M] | Changed[M] | Finished[M] | Gone[M]]:
        """Follow the matches by polling: ``async for event in select.watch()``
        (see :meth:`Select.watch`)."""
        from accsyn._watch import awatch

        return awatch(self, interval, full_every=full_every, clock=clock)
