"""Compute (farm) jobs: ``create("compute", …)`` with an engine, an input and a frame range.

A compute job has one task per frame of its ``range`` (``"1001-1100"``,
``"5-250x5"``, ``"1,3,5"``, or space-separated), or a single task without one.
It runs on the workspace clock like a transfer (:mod:`.._simulation`), one
:data:`MIN_TASK` per frame, and moves no files.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from accsyn.emulator._entities import (
    base_fields,
    by_ident,
    default_queue,
    hr,
    new_id,
    out,
    party,
    workspace_row,
)
from accsyn.emulator._protocol import ApiError, Ctx
from accsyn.emulator._schema import facts

if TYPE_CHECKING:
    from accsyn.emulator._backend import Backend

__all__ = ["MAX_FRAMES", "create_compute", "frames"]

#: The most tasks one compute job may have (a typo in a range must not fill the store).
MAX_FRAMES = 10_000
_SPAN = re.compile(r"(-?\d+)(?:-(-?\d+)(?:x(\d+))?)?\Z")


def frames(spec: Any) -> list[int]:
    """The frame numbers of a ``range`` (400 naming the bad part)."""
    if isinstance(spec, int) and not isinstance(spec, bool):
        return [spec]
    if not isinstance(spec, str) or not spec.strip():
        raise ApiError(400, f"range must be a string like '1001-1100', got {spec!r:.40}!")
    out_: list[int] = []
    for part in re.split(r"[,\s]+", spec.strip()):
        m = _SPAN.match(part)
        if not m:
            raise ApiError(
                400, f"Invalid range part '{part[:30]}': use 'first-last', 'first-lastxstep', 'n'."
            )
        first = int(m.group(1))
        last = int(m.group(2)) if m.group(2) is not None else first
        step = int(m.group(3) or 1)
        if last < first or step < 1:
            raise ApiError(400, f"Invalid range part '{part[:30]}': last before first, or step 0.")
        if (last - first) // step + len(out_) >= MAX_FRAMES:
            raise ApiError(400, f"A range may hold at most {MAX_FRAMES} frames.")
        out_.extend(range(first, last + 1, step))
    return out_


def create_compute(b: Backend, ctx: Ctx, et: str, data: dict[str, Any]) -> dict[str, Any]:
    """A compute job and one task per frame, scheduled on the clock."""
    engine_code = data.get("engine") or "builtin-accsyn-utility"
    engine = by_ident(b.store, "engine", str(engine_code), ("active",))
    if engine is None:
        codes = sorted(str(r.data.get("code")) for r in b.store.select(["engine"]))
        known = ", ".join(codes)
        raise ApiError(400, f"Unknown engine '{str(engine_code)[:50]}' (one of {known})!")
    status = data.get("status", "init")
    if status not in ("init", "waiting", "paused"):
        raise ApiError(400, f"Invalid initial status '{status}' (init, waiting or paused)!")
    numbers: list[int | None] = list(frames(data["range"])) if data.get("range") else [None]
    queue = default_queue(b.store, data.get("queue"))
    name = str(data.get("name") or data.get("code") or f"{engine.data.get('code')} job")
    ws = workspace_row(b.store)
    d = base_fields(b.clock.stamp(), ctx, name)
    d.update(
        code=name,
        type=facts().job_types[et],
        status=status,
        progress=0,
        size=0,
        speed=-1.0,
        etr="",
        finished=None,
        engine=engine.data.get("code"),
        input=data.get("input"),
        output=data.get("output"),
        range=data.get("range"),
        source=party(ws),
        source_hr=hr(ws),
        destination=party(ws),
        destination_hr=hr(ws),
        user=f"user:{ctx.uid}",
        user_hr=hr(ctx.user),
        parent=queue.id,
        parent_hr=hr(queue),
        uri=str(queue.data.get("uri", "")),
        metadata=data.get("metadata") or {},
        _sim={},
    )
    if isinstance(data.get("settings"), dict):
        d["_settings"] = {str(k): str(v) for k, v in data["settings"].items()}
    d = {k: v for k, v in d.items() if k in facts().attributes[et] or k.startswith("_")}
    row = b.store.insert(et, d)
    stamp = b.clock.stamp()
    for i, frame in enumerate(numbers):
        b.store.insert(
            "task",
            {
                "id": new_id("task"),
                "created": stamp,
                "job": f"{et}:{row.id}",
                "job_hr": hr(row),
                "priority": 500,
                "size": 0,
                "source": {"frame": frame} if frame is not None else {"path": data.get("input")},
                "destination": {"path": data.get("output")},
                "status": "queued",
                "uri": str(i),
                "metadata": {},
                "description": "",
                "finished": None,
            },
        )
    if status != "paused":
        b.sim.schedule(row)
    return out(row)
