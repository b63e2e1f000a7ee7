"""``select.watch()``: follow a selection by polling, as typed change events.

The first poll reads the whole selection and reports every match as
:class:`Created`. Every later poll asks only for what changed since the last one: a
``modified>=<newest modified seen>`` scan of the entity type (for jobs, of the
active and the finished pool, so a job that finishes is seen leaving), diffed against
what was seen before. So a poll's cost follows the number of changes, not the size
of the selection. An entity joins the watch when it matches the selection and is
followed until it finishes or disappears, even when a change takes it out of the
``where`` (a watch of running transfers still sees one being paused). Every
``full_every`` polls the followed ids are checked (ids only) to notice deletions.

The bound is the server's own ``modified`` stamp (never the client's clock), and
``>=`` rather than ``>``: stamps have one-second resolution, so a row changed later
within the second of the last seen change is still found; rows seen again unchanged
produce no event. The poll itself is a sans-IO plan (:mod:`accsyn._plan`), driven
by the sync and async iterators alike; pauses take the session's clock.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from accsyn import _constants as const
from accsyn._control import _BY_TYPE, FINISHED, _rows_of
from accsyn._exceptions import RateLimitError, ValidationError
from accsyn._plan import Plan
from accsyn.query._ast import Comparison, Expr, Op, and_

if TYPE_CHECKING:
    from accsyn._http import Clock
    from accsyn._select import AsyncSelect, QueryState, Select
    from accsyn.models import Entity

__all__ = ["Changed", "Created", "Finished", "Gone", "awatch", "watch"]

M = TypeVar("M", bound="Entity")

#: Attributes whose change alone is no event (every change moves them).
_NOISE = frozenset({"modified", "modifier"})
#: Followed ids are checked for deletion in chunks of this many (the query stays short).
_ID_CHUNK = 50


@dataclass(frozen=True, slots=True)
class Created(Generic[M]):
    """An entity matching the selection appeared (the first poll reports every match)."""

    entity: M


@dataclass(frozen=True, slots=True)
class Changed(Generic[M]):
    """A followed entity changed.

    Attributes:
        entity: the entity as it is now.
        changes: attribute name → ``(old, new)`` wire values.
    """

    entity: M
    changes: Mapping[str, tuple[Any, Any]] = field(default_factory=dict)

    @property
    def fields(self) -> tuple[str, ...]:
        """The names of the changed attributes."""
        return tuple(self.changes)


@dataclass(frozen=True, slots=True)
class Finished(Generic[M]):
    """A followed job reached ``done`` or ``aborted``; it is no longer followed.

    Attributes:
        entity: the entity as it is now.
        changes: attribute name → ``(old, new)``, as for :class:`Changed`.
    """

    entity: M
    changes: Mapping[str, tuple[Any, Any]] = field(default_factory=dict)

    @property
    def fields(self) -> tuple[str, ...]:
        """The names of the changed attributes."""
        return tuple(self.changes)


@dataclass(frozen=True, slots=True)
class Gone(Generic[M]):
    """A followed entity no longer exists (deleted); ``entity`` is its last state."""

    entity: M


class _Poller:
    """The state of one watch between polls; :meth:`poll` is the plan of one poll."""

    def __init__(self, select: Select[Any] | AsyncSelect[Any], full_every: int | None) -> None:
        full_every = const.WATCH_FULL_EVERY if full_every is None else full_every
        if isinstance(full_every, bool) or not isinstance(full_every, int) or full_every < 1:
            raise ValidationError("watch() needs full_every >= 1", field="full_every")
        state: QueryState = select.state
        self.session = select._session
        self.et = state.entitytype
        attrs = state.attributes
        if attrs is not None:
            attrs = tuple(dict.fromkeys(("id", "modified", "status", *attrs)))
        # A watch follows every match: no limit or offset, however the select was built.
        self.state = replace(state, attributes=attrs, limit=None, offset=0)
        self.full_every = full_every
        #: Followed entities: id → the wire row last seen.
        self.known: dict[str, dict[str, Any]] = {}
        #: Entities that finished or went: id → their ``modified`` then.
        self.retired: dict[str, str] = {}
        self.bound: str | None = None
        self.polls = 0

    # -- pools ------------------------------------------------------------------------

    def _pools(self) -> list[QueryState]:
        """The states to scan for changes: the select's pool, and for jobs followed in
        the active pool also the finished one (where a job goes when it finishes)."""
        st = self.state
        pools = [st]
        lifecycle = _BY_TYPE.get(self.et)
        is_job = lifecycle is not None and self.et != "task"
        if is_job and not (st.finished or st.inactive or st.archived):
            pools.append(replace(st, finished=True))
        return pools

    # -- one poll ---------------------------------------------------------------------

    def poll(self) -> Plan[list[Any]]:
        """Read what changed since the last poll; return the events, in order."""
        self.polls += 1
        if self.polls == 1 or self.bound is None:
            events = yield from self._full()
        else:
            events = yield from self._delta(self.bound)
        if self.polls % self.full_every == 0 and self.known:
            events += yield from self._check_ids()
        return events

    def _full(self) -> Plan[list[Any]]:
        rows = yield from _rows_of(self.state, self.state.wire_attributes())
        seen = {str(row.get("id")) for row in rows}
        events: list[Any] = []
        if self.polls > 1 and any(ident not in seen for ident in self.known):
            # Without a modified bound every poll is a full one: a followed entity
            # missing from it finished, left the selection or went; the id check says.
            events += yield from self._check_ids(skip=seen)
        for row in rows:
            events += self._seen(row, joins=True)
        self._advance(rows)
        return events

    def _delta(self, bound: str) -> Plan[list[Any]]:
        since = Comparison("modified", Op.GE, bound)
        changed: list[dict[str, Any]] = []
        for pool in self._pools():
            scan = replace(pool, where=since, limit=None, offset=0)
            changed += yield from _rows_of(scan, scan.wire_attributes())
        newcomers = [
            str(r.get("id"))
            for r in changed
            if str(r.get("id")) not in self.known and not self._is_retired(r)
        ]
        members: set[str] = set()
        if newcomers:
            # Whether a changed entity nobody followed belongs to the selection is the
            # server's call (it resolves names the client cannot): ask it, by id.
            members = yield from self._members(newcomers, since)
        events: list[Any] = []
        for row in changed:
            ident = str(row.get("id"))
            if ident in self.known or ident in members:
                events += self._seen(row, joins=ident in members)
        # Only now: a poll that fails half-way (a 429) is run again from the same bound.
        self._advance(changed)
        return events

    def _members(self, ids: list[str], since: Expr) -> Plan[set[str]]:
        found: set[str] = set()
        for start in range(0, len(ids), _ID_CHUNK):
            chunk = tuple(ids[start : start + _ID_CHUNK])
            where = and_(*(e for e in (self.state.where, since) if e is not None))
            where = and_(where, Comparison("id", Op.IN, chunk))
            probe = replace(self.state, where=where)
            rows = yield from _rows_of(probe, ["id"])
            found |= {str(r.get("id")) for r in rows}
        return found

    def _check_ids(self, skip: set[str] | None = None) -> Plan[list[Any]]:
        """Followed ids that exist nowhere any more are :class:`Gone`."""
        missing = [i for i in self.known if not skip or i not in skip]
        present: set[str] = set()
        for pool in self._pools():
            for start in range(0, len(missing), _ID_CHUNK):
                chunk = tuple(missing[start : start + _ID_CHUNK])
                probe = replace(pool, where=Comparison("id", Op.IN, chunk))
                rows = yield from _rows_of(probe, ["id"])
                present |= {str(r.get("id")) for r in rows}
        events: list[Any] = []
        for ident in missing:
            if ident not in present:
                last = self.known.pop(ident)
                self.retired[ident] = str(last.get("modified") or "")
                events.append(Gone(self._model(last)))
        return events

    # -- diffing ----------------------------------------------------------------------

    def _advance(self, rows: list[dict[str, Any]]) -> None:
        for row in rows:
            stamp = row.get("modified")
            if isinstance(stamp, str) and (self.bound is None or stamp > self.bound):
                self.bound = stamp

    def _is_retired(self, row: Mapping[str, Any]) -> bool:
        ident = str(row.get("id"))
        if ident not in self.retired:
            return False
        # Seen again with a newer stamp (a retried job): it may join again.
        return str(row.get("modified") or "") <= self.retired[ident]

    def _seen(self, row: dict[str, Any], *, joins: bool) -> list[Any]:
        ident = str(row.get("id"))
        before = self.known.get(ident)
        if before is None:
            if not joins or self._is_retired(row):
                return []
            self.known[ident] = dict(row)
            self.retired.pop(ident, None)
            return [Created(self._model(row))]
        merged = {**before, **row}
        changes = {
            k: (before.get(k), v) for k, v in row.items() if k not in _NOISE and before.get(k) != v
        }
        self.known[ident] = merged
        if not changes:
            return []
        entity = self._model(merged)
        status = merged.get("status")
        if status in FINISHED and before.get("status") not in FINISHED and self.et != "task":
            self.known.pop(ident)
            self.retired[ident] = str(merged.get("modified") or "")
            return [Finished(entity, changes)]
        return [Changed(entity, changes)]

    def _model(self, row: Mapping[str, Any]) -> Any:
        from accsyn import _operations as ops

        return ops.decode(
            self.et, [dict(row)], attributes=self.state.attributes, session=self.session
        )[0]


def _interval(interval: float | None) -> float:
    value = const.WATCH_INTERVAL if interval is None else interval
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise ValidationError(
            f"watch() needs an interval > 0 seconds, not {interval!r}", field="interval"
        )
    return float(value)


def _clock(session: Any, clock: Clock | None) -> Clock:
    if clock is not None:
        return clock
    found: Clock = session._core.clock
    return found


def watch(
    select: Select[M, Any],
    interval: float | None = None,
    *,
    full_every: int | None = None,
    clock: Clock | None = None,
) -> Iterator[Created[M] | Changed[M] | Finished[M] | Gone[M]]:
    """Poll ``select`` every ``interval`` seconds, yielding change events; runs until
    the caller stops iterating. A 429 that outlasts the session's retries pauses the
    watch for the server's ``Retry-After``."""
    pause = _interval(interval)
    poller = _Poller(select, full_every)
    clk = _clock(select._session, clock)
    while True:
        wait = pause
        try:
            events = select._session._run(poller.poll())
        except RateLimitError as exc:
            poller.polls -= 1  # the same poll again, after the server's wait
            wait = max(pause, exc.retry_after or 0.0)
        else:
            yield from events
        clk.sleep(wait)


async def awatch(
    select: AsyncSelect[M, Any],
    interval: float | None = None,
    *,
    full_every: int | None = None,
    clock: Clock | None = None,
) -> AsyncIterator[Created[M] | Changed[M] | Finished[M] | Gone[M]]:
    """The async :func:`watch`: ``async for event in select.watch(): ...``."""
    pause = _interval(interval)
    poller = _Poller(select, full_every)
    clk = _clock(select._session, clock)
    while True:
        wait = pause
        try:
            events = await select._session._run(poller.poll())
        except RateLimitError as exc:
            poller.polls -= 1
            wait = max(pause, exc.retry_after or 0.0)
        else:
            for event in events:
                yield event
        await clk.asleep(wait)
