"""Jobs: creating transfers, tasks and deliveries, and a delivery's recipients."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from accsyn.emulator import _files
from accsyn.emulator._access import can_read, check_write
from accsyn.emulator._entities import (
    base_fields,
    default_queue,
    hr,
    new_id,
    out,
    party,
    tasks_of,
)
from accsyn.emulator._ops import deliveries
from accsyn.emulator._protocol import ApiError, Ctx
from accsyn.emulator._schema import facts
from accsyn.emulator._store import Row

if TYPE_CHECKING:
    from accsyn.emulator._backend import Backend

__all__ = ["create_tasks", "create_transfer"]

#: Simulated size of a file on a remote party (it cannot be measured locally).
_REMOTE_SIZE = 1_000_000


def _task_specs(data: dict[str, Any]) -> list[dict[str, Any]]:
    """``{source, destination}`` of every task a transfer payload describes."""
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
        tasks.append({"source": s.strip(), "destination": (dd or "").strip()})
    return tasks


def _measure(b: Backend, ctx: Ctx, tasks: list[dict[str, Any]]) -> tuple[int, bool]:
    """Set each task's size; returns the total and whether a local source is missing."""
    size = 0
    missing = False
    for t in tasks:
        p, path = b.paths.split_party(t["source"])
        if p is None or p.casefold() == b.code.casefold():
            try:
                disk: Path | None = b.paths.resolve(ctx, path)
            except ApiError as exc:
                if exc.status == 403:
                    raise
                disk = None
            if disk is None or not disk.exists():
                missing = True
                t["size"] = 0
            else:
                t["size"] = _files.getsize(disk)
        else:
            t["size"] = _REMOTE_SIZE
        size += t["size"]
        d_party, d_path = b.paths.split_party(t["destination"])
        if d_path.strip() and (d_party is None or d_party.casefold() == b.code.casefold()):
            _check_destination(b, ctx, d_path)
    return size, missing


def _check_destination(b: Backend, ctx: Ctx, path: str) -> None:
    """403 unless ``ctx`` may write where a task delivers on the workspace."""
    try:
        b.paths.resolve(ctx, path, write=True)
    except ApiError as exc:
        if exc.status == 403:
            raise


def create_transfer(b: Backend, ctx: Ctx, et: str, data: dict[str, Any]) -> dict[str, Any]:
    """A transfer (or compute job) with its tasks, scheduled on the clock."""
    data = dict(data)
    delivery = deliveries.attach(b, ctx, data)
    tasks = _task_specs(data)
    src_party, _ = b.paths.split_party(tasks[0]["source"])
    dst_party, _ = b.paths.split_party(tasks[0]["destination"] or b.code + ":")
    src_row = b.paths.party_row(src_party)
    dst_row = b.paths.party_row(dst_party)
    if ctx.role == "standard" and ctx.uid not in (src_row.id, dst_row.id):
        # A standard user's transfers always involve themselves.
        if src_row.et == "workspace":
            dst_row = ctx.user
        else:
            src_row = ctx.user
    size, missing = _measure(b, ctx, tasks)
    status = data.get("status", "init")
    if status not in ("init", "waiting", "paused"):
        raise ApiError(400, f"Invalid initial status '{status}' (init, waiting or paused)!")
    queue = default_queue(b.store, data.get("queue"))
    name = str(data.get("name") or data.get("code") or Path(tasks[0]["source"]).name or et)
    allow_dup = data.get("allow_duplicates")
    if allow_dup is False or data.get("append"):
        for other in b.store.select(
            [et], states=("active", "finished"), extra=("h_name = ?", [name.casefold()])
        ):
            if other.data.get("name") == name and other.data.get("source") == party(src_row):
                if data.get("append"):
                    other.data["status"] = "init"
                    b.store.update(other, state="active")
                    b.sim.schedule(other)
                    return out(other)
                raise ApiError(409, f"Duplicate {et} '{name}'; allow_duplicates is false!")
    d = base_fields(b.clock.stamp(), ctx, name)
    d.update(
        code=name,
        type=facts().job_types[et],
        status=status,
        progress=0,
        size=size,
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
    d["_sim"] = {"missing": missing}
    row = b.store.insert(et, d)
    _insert_tasks(b, row, tasks)
    if delivery is not None:
        deliveries.attached(b, ctx, delivery[0], row, delivery[1])
    if status != "paused":
        b.sim.schedule(row)
    return out(row)


def _task_int(t: dict[str, Any], key: str, default: int) -> int:
    value = t.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 2**63:
        raise ApiError(400, f"A task's {key} must be a non-negative integer, got {value!r:.50}!")
    return value


def _insert_tasks(b: Backend, job: Row, tasks: list[dict[str, Any]], start: int = 0) -> list[Row]:
    now = b.clock.stamp()
    rows = []
    for i, t in enumerate(tasks, start):
        d = {
            "id": new_id("task"),
            "created": now,
            "job": f"{job.et}:{job.id}",
            "job_hr": hr(job),
            "priority": _task_int(t, "priority", 500),
            "size": _task_int(t, "size", 0),
            "source": {"path": t.get("source")},
            "destination": {"path": t.get("destination")},
            "status": str(t.get("status", "queued")),
            "uri": str(i),
            "metadata": t.get("metadata") or {},
            "finished": None,
        }
        rows.append(b.store.insert("task", d))
    return rows


def create_tasks(b: Backend, ctx: Ctx, data: dict[str, Any]) -> list[dict[str, Any]]:
    """Tasks added to an existing job (a finished transfer runs again)."""
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
    existing = tasks_of(b.store, job)
    rows = _insert_tasks(b, job, norm, start=len(existing))
    if job.state == "finished":
        job.data["status"] = "waiting"
        b.store.update(job, state="active")
        b.sim.schedule(job)
    return [out(r) for r in rows]
