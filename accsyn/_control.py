"""Job control: status actions, bulk status changes and ``wait``.

Every action is one ``<type>/edit`` request carrying the status the protocol defines
for it (protocol.md §6.2): ``pause`` writes ``paused``, ``resume`` and ``retry`` write
``waiting``, ``abort`` writes ``aborted``, a delivery's ``submit`` writes ``pending``;
a task's ``pause``/``resume``/``retry``/``exclude`` write ``onhold``/``queued``/
``queued``/``excluded`` through ``task/edit`` beneath its job. Before anything is
sent, the change is checked against the lifecycle below: an action the entity's
current status does not allow raises :class:`~accsyn.TransitionError` naming the
status and the ones it may be taken from.

``wait`` polls responsibly: the first pause is a few seconds, each later one longer
(up to a ceiling) with jitter, on the session's clock (``Session(clock=...)``; a
local workspace's clock makes waiting take simulated time), through the session's
rate limiter and retries, and a 429 that outlasts the retries pauses the loop for
the server's ``Retry-After``.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from accsyn import _constants as const
from accsyn import _requests as rq
from accsyn import _validation as check
from accsyn._exceptions import (
    AccsynError,
    RateLimitError,
    TransitionError,
    ValidationError,
    WaitError,
    WaitTimeoutError,
)
from accsyn._plan import Page, Plan
from accsyn.models._spec import nearest

if TYPE_CHECKING:
    from accsyn._http import Clock
    from accsyn._select import AsyncSelect, QueryState, Select
    from accsyn.models import Entity

__all__ = [
    "ACTIONS",
    "FINISHED",
    "aact",
    "act",
    "await_",
    "check_transition",
    "update_plan",
    "wait",
]

E = TypeVar("E", bound="Entity")

#: Job statuses a job does not leave by itself (protocol.md §6.2: "finished").
FINISHED = frozenset({"done", "aborted"})

_JOB_ACTIVE = ("init", "pending", "waiting", "running", "paused", "failed")
_TASK_ACTIVE = ("pending", "queued", "booting", "executing", "onhold", "failed")


@dataclass(frozen=True)
class _Lifecycle:
    """Which statuses a user may write on one kind of entity, and from which."""

    #: Writable status → the statuses it may be written from.
    writes: Mapping[str, tuple[str, ...]]
    #: Action → (the status it writes, the statuses it may be taken from).
    actions: Mapping[str, tuple[str, tuple[str, ...]]]
    #: Every status the kind knows (to tell a newer server's status from ours).
    known: tuple[str, ...]


# protocol.md §6.2: transfers and compute jobs. "resume" sets waiting; failed jobs
# may be retried (waiting again), and so may aborted ones (they leave the finished pool).
_JOBS = _Lifecycle(
    writes={
        "paused": ("init", "pending", "waiting", "running"),
        "waiting": ("paused", "failed", "aborted"),
        "aborted": _JOB_ACTIVE,
        "done": _JOB_ACTIVE,
        "pending": ("paused", "failed", "aborted", "done"),  # legacy "resend"
    },
    actions={
        "pause": ("paused", ("init", "pending", "waiting", "running")),
        "resume": ("waiting", ("paused",)),
        "retry": ("waiting", ("failed", "aborted")),
        "abort": ("aborted", _JOB_ACTIVE),
    },
    known=(*_JOB_ACTIVE, "done", "aborted"),
)

# Deliveries, requests, streams: init (temporary) → pending (submitted) → waiting.
_DELIVERIES = _Lifecycle(
    writes={
        "pending": ("init",),
        "aborted": _JOB_ACTIVE,
        "done": _JOB_ACTIVE,
    },
    actions={
        "submit": ("pending", ("init",)),
        "abort": ("aborted", _JOB_ACTIVE),
    },
    known=(*_JOB_ACTIVE, "done", "aborted"),
)

# Tasks: queued, failed, onhold, excluded and done are writable.
_TASKS = _Lifecycle(
    writes={
        "queued": ("onhold", "failed", "excluded", "done"),
        "onhold": ("pending", "queued", "booting", "executing"),
        "failed": ("queued", "booting", "executing", "onhold"),
        "excluded": _TASK_ACTIVE,
        "done": (*_TASK_ACTIVE, "excluded"),
    },
    actions={
        "pause": ("onhold", ("pending", "queued", "booting", "executing")),
        "resume": ("queued", ("onhold",)),
        "retry": ("queued", ("failed", "excluded", "done")),
        "exclude": ("excluded", _TASK_ACTIVE),
    },
    known=(*_TASK_ACTIVE, "excluded", "done"),
)

_BY_TYPE: dict[str, _Lifecycle] = {
    "transfer": _JOBS,
    "compute": _JOBS,
    "delivery": _DELIVERIES,
    "request": _DELIVERIES,
    "stream": _DELIVERIES,
    "task": _TASKS,
}

#: The actions of each entity type, and the status each writes.
ACTIONS: dict[str, dict[str, str]] = {
    et: {name: target for name, (target, _) in lc.actions.items()} for et, lc in _BY_TYPE.items()
}


def _status_text(value: object) -> str | None:
    if value is None:
        return None
    return str(getattr(value, "value", value))


def check_transition(
    entitytype: str,
    current: object,
    target: str | None = None,
    *,
    action: str | None = None,
    ident: str | None = None,
) -> str:
    """The status to write, after checking the lifecycle allows it from ``current``.

    Give ``action`` (``"pause"``) or a ``target`` status. Types without a lifecycle
    here (queues, users, …) and statuses this SDK does not know (a newer server's)
    are not checked. Raises :class:`~accsyn.TransitionError`.
    """
    lc = _BY_TYPE.get(entitytype)
    status = _status_text(current)
    what = f"{entitytype} {ident}" if ident else f"this {entitytype}"
    if action is not None:
        if lc is None or action not in lc.actions:
            offered = sorted(lc.actions) if lc else []
            near = nearest(action, offered)
            hint = f"; did you mean {near!r}?" if near else ""
            raise TransitionError(
                f"a {entitytype} has no action {action!r}{hint} "
                f"(its actions: {', '.join(offered) or 'none'})",
                entitytype=entitytype,
                status=status,
                target=action,
                allowed=offered,
            )
        target, allowed = lc.actions[action]
        verb = action
    else:
        target = _status_text(target) or ""
        if lc is None:
            return target
        if target not in lc.writes:
            writable = sorted(lc.writes)
            near = nearest(target, writable)
            hint = f"; did you mean {near!r}?" if near else ""
            raise TransitionError(
                f"a {entitytype}'s status cannot be set to {target!r}{hint} "
                f"(the server sets it; writable: {', '.join(writable)})",
                entitytype=entitytype,
                status=status,
                target=target,
                allowed=writable,
            )
        allowed = lc.writes[target]
        verb = f"set {target!r} on"
    if status is None or status not in lc.known or status in allowed:
        return target
    already = " already" if status == target else ""
    raise TransitionError(
        f"cannot {verb} {what}: its status is{already} {status!r}; "
        f"that works from: {', '.join(allowed)}",
        entitytype=entitytype,
        status=status,
        target=target,
        allowed=allowed,
    )


# --------------------------------------------------------------------------------------
# Actions on one entity
# --------------------------------------------------------------------------------------


def _session_of(entity: Entity, what: str, *, is_async: bool) -> Any:
    session = getattr(entity, "_accsyn_session", None)
    name = type(entity).__name__
    if session is None:
        raise AccsynError(
            f"this {name} was not fetched through a session, so it cannot {what}; "
            f"fetch it first (session.{_plural(type(entity).__entitytype__)}.get(id))"
        )
    if bool(getattr(session, "_accsyn_async", False)) != is_async:
        use = f"await entity.a{what}()" if not is_async else f"entity.{what}()"
        if what == "wait":
            use = "await entity.await_()" if not is_async else "entity.wait()"
        kind = "an AsyncSession" if not is_async else "a Session"
        raise AccsynError(f"this {name} belongs to {kind}: use {use}")
    return session


def _plural(name: str) -> str:
    return f"{name[:-1]}ies" if name.endswith("y") else f"{name}s"


def _prepare(entity: Entity, action: str, is_async: bool) -> tuple[Any, str]:
    session = _session_of(entity, action, is_async=is_async)
    et = type(entity).__entitytype__
    target = check_transition(
        et, entity.get("status"), action=action, ident=entity.__dict__.get("id")
    )
    return session, target


def act(entity: E, action: str) -> E:
    """Take ``action`` (``pause``, ``resume``, …) on a fetched entity: one request.

    The entity then holds what the server answered, and is returned.
    """
    from accsyn._repository import Repository, _state_of

    session, target = _prepare(entity, action, is_async=False)
    updated = Repository(session, type(entity), _state_of(entity)).update(entity, status=target)
    entity._accsyn_absorb(updated)
    return entity


async def aact(entity: E, action: str) -> E:
    """The async :func:`act`, for entities fetched through an ``AsyncSession``."""
    from accsyn._repository import AsyncRepository, _state_of

    session, target = _prepare(entity, action, is_async=True)
    repo = AsyncRepository(session, type(entity), _state_of(entity))
    entity._accsyn_absorb(await repo.update(entity, status=target))
    return entity


# --------------------------------------------------------------------------------------
# A change on every entity of a select
# --------------------------------------------------------------------------------------


def _rows_of(state: QueryState, attributes: Sequence[str] | None) -> Plan[list[Any]]:
    """Every row of a select (paged), as a sub-plan."""
    from accsyn import _operations as ops

    plan = ops.pages(state, attributes=attributes)
    rows: list[Any] = []
    try:
        item = next(plan)
        while True:
            if isinstance(item, Page):
                rows.extend(item.rows)
                item = plan.send(None)
            else:
                item = plan.send((yield item))
    except StopIteration:
        return rows


def _parent_of(row: Mapping[str, Any]) -> str | None:
    raw = row.get("job") or row.get("parent")
    if isinstance(raw, Mapping):
        raw = raw.get("id")
    text = str(raw or "")
    return text.rsplit(":", 1)[-1] or None


def update_plan(
    select: Select[Any] | AsyncSelect[Any],
    changes: Mapping[str, Any],
    *,
    action: str | None = None,
) -> Plan[list[Any]]:
    """Change every entity ``select`` matches: one request per entity, or one per job
    for tasks (``task/edit`` takes a list). Every status change is checked against
    the lifecycle before the first request is sent."""
    from accsyn import _operations as ops

    state = select.state
    et = state.entitytype
    payload = dict(changes)
    status = payload.get("status")
    if action is not None:
        status = check_transition(et, None, action=action)
        payload["status"] = status
    if not payload:
        raise ValidationError("update() needs at least one field to change")
    policy = select._policy
    # The lifecycle is checked like the rest of the payload: validate(False) skips it.
    lifecycle = status is not None and policy != "off"
    if lifecycle and action is None:
        check_transition(et, None, str(status))  # a status the server sets fails here
    check.check_payload(et, payload, "update", policy)
    wanted = ["id", "status", *(("job",) if et == "task" else ())]
    rows = yield from _rows_of(state, wanted)
    if lifecycle:
        # An entity already there is left alone; every other one is checked before
        # the first change is sent.
        rows = [r for r in rows if _status_text(r.get("status")) != str(status)]
        for row in rows:
            target = None if action is not None else str(status)
            check_transition(et, row.get("status"), target, action=action, ident=str(row["id"]))
    updated: list[Any] = []
    if et == "task":
        by_job: dict[str, list[dict[str, Any]]] = {}
        for row in rows:
            parent = state.parent or _parent_of(row)
            if parent is None:
                raise ValidationError(f"task {row.get('id')} names no job; use tasks.of(job)")
            by_job.setdefault(parent, []).append({"id": row["id"], **payload})
        for parent, items in by_job.items():
            req = rq.update_many_request("task", parent, items)
            body = yield req
            result = body.get("result") if isinstance(body, Mapping) else None
            updated.extend(result if isinstance(result, list) else [])
    else:
        for row in rows:
            req = rq.update_request(et, str(row["id"]), payload)
            one = yield from ops.single(req)
            if one is not None:
                updated.append(one)
    loaded: list[Any] = ops.decode(et, updated, session=select._session)
    return loaded


# --------------------------------------------------------------------------------------
# wait
# --------------------------------------------------------------------------------------


def _until(entity: Entity, until: str | Iterable[object]) -> tuple[str, ...]:
    """The awaited statuses as text, each checked against the model's status values."""
    items = [until] if isinstance(until, str) else list(until)
    if not items:
        raise ValidationError("wait() needs at least one status in until=", field="until")
    lc = _BY_TYPE.get(type(entity).__entitytype__)
    known = lc.known if lc is not None else None
    out: list[str] = []
    for item in items:
        text = _status_text(item) or ""
        if known is not None and text not in known:
            near = nearest(text, known)
            hint = f"; did you mean {near!r}?" if near else ""
            raise ValidationError(
                f"a {type(entity).__entitytype__} never has status {text!r}{hint} "
                f"(its statuses: {', '.join(known)})",
                field="until",
            )
        out.append(text)
    return tuple(dict.fromkeys(out))


class _Waiter:
    """The polling schedule of one ``wait``: what to do after each read (sans-IO)."""

    def __init__(
        self,
        entity: Entity,
        until: tuple[str, ...],
        timeout: float | None,
        interval: float,
        max_interval: float,
        jitter: bool,
        now: float,
        rng: Callable[[], float] = random.random,
    ) -> None:
        if interval <= 0 or max_interval < interval:
            raise ValidationError("wait() needs 0 < interval <= max_interval", field="interval")
        if timeout is not None and timeout < 0:
            raise ValidationError("wait() needs timeout >= 0 (or None)", field="timeout")
        self.entity = entity
        self.until = until
        self.timeout = timeout
        self.deadline = None if timeout is None else now + timeout
        self.delay = interval
        self.max_interval = max_interval
        self.jitter = jitter
        self.rng = rng
        self.polls = 0

    def reached(self) -> bool:
        """After a read: True when a wanted status is reached; raises when it cannot be."""
        self.polls += 1
        status = _status_text(self.entity.get("status"))
        if status in self.until:
            return True
        if status in FINISHED and type(self.entity).__entitytype__ != "task":
            raise WaitError(
                f"{self._what()} finished as {status!r}; it will not reach "
                f"{' or '.join(self.until)} by itself",
                entity=self.entity,
                until=self.until,
            )
        return False

    def pause(self, now: float, retry_after: float | None = None) -> float:
        """Seconds to sleep before the next read; raises when the timeout has passed."""
        if self.deadline is not None and now >= self.deadline:
            status = _status_text(self.entity.get("status"))
            raise WaitTimeoutError(
                f"{self._what()} did not reach {' or '.join(self.until)} within "
                f"{self.timeout:g}s (status {status!r} after {self.polls} polls)",
                entity=self.entity,
                until=self.until,
                timeout=self.timeout,
            )
        pause = self.delay
        if self.jitter:
            pause *= 1 - const.POLL_JITTER + 2 * const.POLL_JITTER * self.rng()
        if retry_after is not None:
            pause = max(pause, retry_after)  # the server's wait wins
        self.delay = min(self.max_interval, self.delay * const.POLL_FACTOR)
        if self.deadline is not None:
            pause = min(pause, self.deadline - now)
        return max(0.0, pause)

    def _what(self) -> str:
        return f"{type(self.entity).__entitytype__} {self.entity.__dict__.get('id')}"


def _clock_of(session: Any, clock: Clock | None) -> Clock:
    if clock is not None:
        return clock
    found: Clock = session._core.clock
    return found


def wait(
    entity: E,
    until: str | Iterable[object],
    timeout: float | None,
    interval: float,
    max_interval: float,
    jitter: bool,
    clock: Clock | None,
) -> E:
    """Poll ``entity`` until its status is one of ``until`` (see ``Job.wait``)."""
    session = _session_of(entity, "wait", is_async=False)
    wanted = _until(entity, until)
    clk = _clock_of(session, clock)
    waiter = _Waiter(entity, wanted, timeout, interval, max_interval, jitter, clk.monotonic())
    while True:
        retry_after: float | None = None
        try:
            entity._accsyn_absorb(session.refresh(entity))
        except RateLimitError as exc:
            retry_after = exc.retry_after if exc.retry_after is not None else waiter.delay
        else:
            if waiter.reached():
                return entity
        clk.sleep(waiter.pause(clk.monotonic(), retry_after))


async def await_(
    entity: E,
    until: str | Iterable[object],
    timeout: float | None,
    interval: float,
    max_interval: float,
    jitter: bool,
    clock: Clock | None,
) -> E:
    """The async :func:`wait`, for entities fetched through an ``AsyncSession``."""
    session = _session_of(entity, "wait", is_async=True)
    wanted = _until(entity, until)
    clk = _clock_of(session, clock)
    waiter = _Waiter(entity, wanted, timeout, interval, max_interval, jitter, clk.monotonic())
    while True:
        retry_after: float | None = None
        try:
            entity._accsyn_absorb(await session.refresh(entity))
        except RateLimitError as exc:
            retry_after = exc.retry_after if exc.retry_after is not None else waiter.delay
        else:
            if waiter.reached():
                return entity
        await clk.asleep(waiter.pause(clk.monotonic(), retry_after))
