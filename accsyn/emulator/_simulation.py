"""The job lifecycle on the workspace clock: transfers run, deliveries get submitted.

A job due for a transition carries ``t_next`` (the clock time of its next step) in
the store; :meth:`Simulation.tick` applies every step due before a request is
answered, so what a client sees depends only on the clock, never on wall time.
Status changes written by users (pause, resume, abort, submit) go through
:meth:`Simulation.set_status`, which reschedules the run.
"""

from __future__ import annotations

from typing import Any

from accsyn.emulator._clock import Clock
from accsyn.emulator._entities import tasks_of
from accsyn.emulator._protocol import ApiError
from accsyn.emulator._schema import facts
from accsyn.emulator._store import Row, Store

__all__ = ["FINISHED", "SPEED", "Simulation"]

#: Simulated transfer speed, bytes per second.
SPEED = 100 * 1024 * 1024
#: Job statuses of the finished pool.
FINISHED = ("done", "aborted")
#: Statuses a user may write on a transfer.
_TRANSFER_WRITABLE = ("pending", "waiting", "paused", "aborted", "done")


class Simulation:
    """Moves the jobs of one store along their lifecycle as ``clock`` advances."""

    def __init__(self, store: Store, clock: Clock) -> None:
        self.store = store
        self.clock = clock
        # (store generation, earliest t_next): no transition is due before it.
        self._next_due: tuple[int, float | None] | None = None

    def tick(self) -> None:
        """Apply every job transition due at the clock's current time."""
        now = self.clock.time()
        nd = self._next_due
        if nd is not None and nd[0] == self.store.generation and (nd[1] is None or now < nd[1]):
            return  # nothing due yet, and no write since the earliest t_next was read
        for row in self.store.due(now):
            self._advance(row, now)
        self._next_due = (self.store.generation, self.store.next_due())

    def _advance(self, row: Row, now: float) -> None:
        d = row.data
        sim = d.get("_sim") or {}
        status = d.get("status")
        if row.et in facts().delivery_like:
            if status == "pending":
                d["status"] = "waiting"
            self.store.update(row, t_next=None)
            return
        measure, run, done = sim.get("measure", now), sim.get("run", now), sim.get("done", now)
        if status == "init" and now >= measure:
            if sim.get("missing"):
                d.update(status="failed", speed=-1.0, etr="")
                d["modified"] = self.clock.stamp(measure)
                self.store.update(row, t_next=None)
                return
            d["status"] = status = "waiting"
        if status == "waiting" and now >= run:
            d["status"] = status = "running"
        if status == "running":
            if now >= done:
                d.update(status="done", progress=100, speed=-1.0, etr="")
                d["finished"] = self.clock.stamp(done)
                self.store.update(row, state="finished", t_next=None)
                self._finish_tasks(row)
                return
            span = max(done - run, 1e-9)
            d["progress"] = max(0, min(99, int(100 * (now - run) / span)))
            d["speed"] = round(SPEED / 1e6, 1)
            d["etr"] = f"{int(done - now)}s"
            self.store.update(row, t_next=min(done, now + 1.0))
            return
        nxt = measure if status == "init" else run if status == "waiting" else None
        self.store.update(row, t_next=nxt)

    def _finish_tasks(self, job: Row) -> None:
        for t in tasks_of(self.store, job):
            if t.data.get("status") not in ("done", "excluded"):
                t.data["status"] = "done"
                t.data["finished"] = job.data.get("finished")
                self.store.update(t)

    def schedule(self, row: Row, start: float | None = None) -> None:
        """(Re)start a transfer's simulated run from ``start`` (default: now)."""
        start = self.clock.time() if start is None else start
        size = int(row.data.get("size") or 0)
        measure = start + 1.0
        run = measure + 1.0
        done = run + max(1.0, size / SPEED)
        sim = dict(row.data.get("_sim") or {})
        sim.update(measure=measure, run=run, done=done)
        row.data["_sim"] = sim
        status = row.data.get("status")
        nxt = {"init": measure, "waiting": run}.get(str(status))
        self.store.update(row, t_next=nxt)

    def submit_soon(self, row: Row) -> None:
        """A submitted delivery becomes ``waiting`` one simulated second from now."""
        self.store.update(row, t_next=self.clock.time() + 1.0)

    def set_status(self, row: Row, value: Any) -> str:
        """Apply a status written by a user; returns the job's new result pool."""
        d = row.data
        if row.et in facts().delivery_like:
            if value == "pending":
                # A delivery's files are its tasks.
                if not tasks_of(self.store, row) or not d.get("_recipients"):
                    raise ApiError(400, "A delivery needs at least one file and one recipient!")
                d["status"] = "pending"
                self.submit_soon(row)
                return "active"
            if value in ("aborted", "done"):
                d["status"] = value
                d["finished"] = self.clock.stamp()
                return "finished"
            raise ApiError(400, f"Cannot set a {row.et} to '{value}'!")
        if value not in _TRANSFER_WRITABLE:
            raise ApiError(400, f"Status '{value}' is not writable!")
        d["status"] = value
        if value in FINISHED:
            d["finished"] = self.clock.stamp()
            d["speed"] = -1.0
            row.t_next = None
            return "finished"
        if value == "paused":
            row.t_next = None
            return "active"
        d["status"] = "waiting"
        sim = d.get("_sim") or {}
        if sim.get("missing"):
            d["status"] = "init"
        self.schedule(row, self.clock.time() - 1.0)
        return "active"
