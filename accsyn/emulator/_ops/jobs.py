"""Jobs: creating transfers and tasks (deliveries: :mod:`.deliveries`, compute: :mod:`.compute`)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from accsyn.emulator._access import can_read, check_write
from accsyn.emulator._entities import (
    base_fields,
    default_queue,
    hr,
    new_id,
    out,
    party,
    tasks_of,
    workspace_row,
)
from accsyn.emulator._ops import deliveries
from accsyn.emulator._protocol import ApiError, Ctx
from accsyn.emulator._schema import facts
from accsyn.emulator._store import Row
from accsyn.emulator._transfers import resolve_sides, task_fields

if TYPE_CHECKING:
    from accsyn.emulator._backend import Backend

__all__ = ["create_tasks", "create_transfer"]

_TASK_KEYS = ("priority", "status", "metadata", "settings", "description")


def _task_specs(data: dict[str, Any]) -> list[dict[str, Any]]:
    """``{source, destination, …}`` of every task a transfer payload describes."""
    tasks_in = data.get("tasks")
    src_spec = data.get("source")
    dst_spec = data.get("destination")
    if tasks_in is None and src_spec is None:
        raise ApiError(400, "A transfer needs a source and a destination (or tasks)!")
    if isinstance(tasks_in, dict):
        tasks_in = [tasks_in]
    if tasks_in is not None and not isinstance(tasks_in, list):
        raise ApiError(400, "tasks must be a list of paths or {source, destination} objects!")
    tasks: list[dict[str, Any]] = []
    for t in tasks_in or [{"source": src_spec, "destination": dst_spec}]:
        if isinstance(t, str):
            t = {"source": t, "destination": dst_spec}
        if not isinstance(t, dict):
            raise ApiError(400, "tasks must be paths or {source, destination} objects!")
        s = t.get("source", src_spec)
        dd = t.get("destination", dst_spec)
        if not isinstance(s, str) or not s.strip():
            raise ApiError(400, "source must be a non-empty string!")
        if dd is not None and not isinstance(dd, str):
            raise ApiError(400, "destination must be a string!")
        spec = {"source": s.strip(), "destination": (dd or "").strip()}
        spec.update({k: t[k] for k in _TASK_KEYS if k in t})
        tasks.append(spec)
    return tasks


def _resolve_tasks(
    b: Backend, ctx: Ctx, tasks: list[dict[str, Any]], default_dst: str
) -> tuple[Row, Row]:
    """Resolve every task's two sides (access checked); returns the job's two parties.

    Each task gets its stored sides and first measured size; a task whose source is
    missing is kept, and fails alone when the job measures it.
    """
    src_party: Row | None = None
    dst_party: Row | None = None
    for t in tasks:
        src, dst = resolve_sides(b, ctx, t["source"], t["destination"] or default_dst)
        fields = task_fields(src, dst, b)
        fields.update(_src_ids=src.task_party(), _dst_ids=dst.task_party())
        if "status" in t and fields.get("status") != "excluded":
            fields.pop("status", None)
        t.update(fields)
        if src_party is None and not src.placeholder:
            src_party = src.party.row
        if dst_party is None and not dst.placeholder:
            dst_party = dst.party.row
    ws = workspace_row(b.store)
    return src_party or ws, dst_party or ws


def _revive(b: Backend, job: Row) -> None:
    """A finished or failed job runs again (its failed tasks too)."""
    job.data["status"] = "waiting"
    job.data["finished"] = None
    b.sim.retry_tasks(job)
    b.store.update(job, state="active")
    b.sim.schedule(job, b.clock.time() - 1.0)


def _appendable(b: Backend, ctx: Ctx, et: str, src: Row, dst: Row) -> Row | None:
    """The caller's latest job between the same two parties (``append: True``)."""
    rows = b.store.select(
        [et],
        states=("active", "finished"),
        extra=(
            "h_user_id = ? AND h_source_id = ? AND h_destination_id = ?",
            [ctx.uid, src.id, dst.id],
        ),
    )
    rows = [r for r in rows if r.data.get("status") != "aborted"]
    return max(rows, key=lambda r: r.seq) if rows else None


def create_transfer(b: Backend, ctx: Ctx, et: str, data: dict[str, Any]) -> dict[str, Any]:
    """A transfer with its tasks, scheduled on the clock (compute jobs: :mod:`.compute`)."""
    if et == "compute" or data.get("engine") is not None or data.get("type") == 3:
        from accsyn.emulator._ops.compute import create_compute

        return create_compute(b, ctx, "compute", data)
    if data.get("type") == facts().job_types.get("queue"):
        from accsyn.emulator._ops.create import create_simple

        # create("job", {"type": 2, …}) makes a queue (protocol.md §6.1).
        check_write(b.store, ctx, "queue", None, data)
        return create_simple(b, ctx, "queue", data)
    data = dict(data)
    delivery = deliveries.attach(b, ctx, data)
    tasks = _task_specs(data)
    src_row, dst_row = _resolve_tasks(b, ctx, tasks, b.code + ":")
    if ctx.role == "standard" and ctx.uid not in (src_row.id, dst_row.id):
        # A standard user's transfers always involve themselves.
        if src_row.et == "workspace":
            dst_row = ctx.user
        else:
            src_row = ctx.user
    status = data.get("status", "init")
    if status not in ("init", "waiting", "paused"):
        raise ApiError(400, f"Invalid initial status '{status}' (init, waiting or paused)!")
    queue = default_queue(b.store, data.get("queue"))
    name = str(data.get("name") or data.get("code") or Path(tasks[0]["source"]).name or et)
    if data.get("append"):
        other = _appendable(b, ctx, et, src_row, dst_row)
        if other is not None:
            _add_tasks(b, other, tasks, data.get("allow_duplicates"))
            _revive(b, other)
            return out(other)
    elif data.get("allow_duplicates") is False:
        for other in b.store.select(
            [et], states=("active", "finished"), extra=("h_name = ?", [name.casefold()])
        ):
            if other.data.get("name") == name and other.data.get("source") == party(src_row):
                raise ApiError(409, f"Duplicate {et} '{name}'; allow_duplicates is false!")
    d = base_fields(b.clock.stamp(), ctx, name)
    d.update(
        code=name,
        type=facts().job_types[et],
        status=status,
        progress=0,
        size=sum(int(t.get("size") or 0) for t in tasks if t.get("status") != "excluded"),
        speed=-1.0,
        etr="",
        finished=None,
        source=party(src_row),
        source_hr=hr(src_row),
        destination=party(dst_row),
        destination_hr=hr(dst_row),
        user=f"user:{ctx.uid}",
        user_hr=hr(ctx.user),
        parent=queue.id,
        parent_hr=hr(queue),
        uri=str(queue.data.get("uri", "")),
        metadata=data.get("metadata") or {},
    )
    if delivery is not None:
        d.update(parent=delivery[0].id, parent_hr=hr(delivery[0]))
    if isinstance(data.get("settings"), dict):
        d["_settings"] = {str(k): str(v) for k, v in data["settings"].items()}
    d["_sim"] = {}
    row = b.store.insert(et, d)
    _insert_tasks(b, row, tasks)
    if delivery is not None:
        deliveries.attached(b, ctx, delivery[0], row, delivery[1])
    if all(t.get("status") == "excluded" for t in tasks):
        # Only placeholders: nothing to move, the job is done at once.
        b.sim.finish_now(row)
    elif status != "paused":
        b.sim.schedule(row)
    return out(b.store.get(row.id) or row)


def _task_int(t: dict[str, Any], key: str, default: int) -> int:
    value = t.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 2**63:
        raise ApiError(400, f"A task's {key} must be a non-negative integer, got {value!r:.50}!")
    return value


_TASK_STATUSES = ("queued", "onhold", "excluded", "done", "failed", "pending")


def _insert_tasks(b: Backend, job: Row, tasks: list[dict[str, Any]], start: int = 0) -> list[Row]:
    now = b.clock.stamp()
    rows = []
    for i, t in enumerate(tasks, start):
        status = str(t.get("status", "queued"))
        if status not in _TASK_STATUSES:
            known = ", ".join(_TASK_STATUSES)
            raise ApiError(400, f"Invalid task status '{status[:30]}' (one of {known})!")
        d = {
            "id": new_id("task"),
            "created": now,
            "job": f"{job.et}:{job.id}",
            "job_hr": hr(job),
            "priority": _task_int(t, "priority", 500),
            "size": _task_int(t, "size", 0),
            "source": {"path": t.get("source"), **t.get("_src_ids", {})},
            "destination": {"path": t.get("destination"), **t.get("_dst_ids", {})},
            "status": status,
            "uri": str(i),
            "metadata": t.get("metadata") or {},
            "description": str(t.get("description") or ""),
            "finished": now if status in ("done", "excluded") else None,
        }
        for key in ("_src", "_dst"):
            if key in t:
                d[key] = t[key]
        rows.append(b.store.insert("task", d))
    return rows


def _add_tasks(
    b: Backend, job: Row, tasks: list[dict[str, Any]], allow_duplicates: Any = None
) -> list[Row]:
    """Add ``tasks`` to ``job``; a duplicate (same source and destination) is retried.

    ``allow_duplicates=False`` refuses a duplicate instead (protocol.md §4.5).
    """
    existing = tasks_of(b.store, job)
    by_sides = {_sides(t.data.get("source"), t.data.get("destination")): t for t in existing}
    rows: list[Row] = []
    new: list[dict[str, Any]] = []
    for t in tasks:
        dup = by_sides.get((str(t.get("source")), str(t.get("destination"))))
        if dup is not None and dup.data.get("status") == "excluded":
            dup = None
        if dup is None:
            new.append(t)
            continue
        if allow_duplicates is False:
            shown = str(t.get("source"))[:100]
            raise ApiError(409, f"Duplicate task '{shown}'; allow_duplicates is false!")
        dup.data.update(status="queued", finished=None)
        dup.data.pop("_error", None)
        b.store.update(dup)
        rows.append(dup)
    return rows + _insert_tasks(b, job, new, start=len(existing))


def _sides(src: Any, dst: Any) -> tuple[str, str]:
    def path(side: Any) -> str:
        return str(side.get("path")) if isinstance(side, dict) else ""

    return path(src), path(dst)


def _default_destination(b: Backend, job: Row) -> str:
    """Where a task added without a destination goes: where the job's tasks go."""
    for t in tasks_of(b.store, job):
        _src, dst = _sides(t.data.get("source"), t.data.get("destination"))
        if dst and dst != "None":
            return dst
    return _party_spec(b, job.data.get("destination"))


def _party_spec(b: Backend, ref: Any) -> str:
    """The endpoint string of a job's stored party (``user:<id>`` → ``<email>:``)."""
    row = b.store.get(str(ref or "").partition(":")[2])
    if row is None or row.et == "workspace":
        return b.code + ":"
    if row.et == "user":
        return f"{row.data.get('code')}:"
    if row.et == "site":
        return f"site={row.data.get('code')}:"
    return f"{row.et}={row.id}:"


def create_tasks(b: Backend, ctx: Ctx, data: dict[str, Any]) -> list[dict[str, Any]]:
    """Tasks added to an existing job (a finished or failed transfer runs again)."""
    job_id = ctx.envelope.get("id") or data.get("parent")
    job = b.store.get(str(job_id or "").lower())
    if job is None or job.et not in facts().job_entities or not can_read(b.store, ctx, job):
        raise ApiError(404, "No such parent job!")
    check_write(b.store, ctx, job.et, job, data)
    tasks = data.get("tasks")
    if isinstance(tasks, dict):
        tasks = [tasks]
    if not isinstance(tasks, list) or not tasks:
        raise ApiError(400, "tasks must be a non-empty list!")
    norm = [
        {"source": t, "destination": ""} if isinstance(t, str) else dict(t)
        for t in tasks
        if isinstance(t, str | dict)
    ]
    if job.et in facts().delivery_like:
        return deliveries.add_tasks(b, ctx, job, norm)
    if job.et == "transfer":
        for t in norm:
            if not isinstance(t.get("source"), str) or not t["source"].strip():
                raise ApiError(400, "A task's source must be a non-empty string!")
            t.setdefault("destination", "")
        _resolve_tasks(b, ctx, norm, _default_destination(b, job))
    rows = _add_tasks(b, job, norm, data.get("allow_duplicates"))
    if job.state == "finished" or job.data.get("status") == "failed":
        _revive(b, job)
    return [out(r) for r in rows]
