"""The job lifecycle on the workspace clock: transfers run, deliveries get submitted.

A job due for a transition carries ``t_next`` (the clock time of its next step) in
the store; :meth:`Simulation.tick` applies every step due before a request is
answered, so what a client sees depends only on the clock, never on wall time.
Status changes written by users (pause, resume, abort, submit) go through
:meth:`Simulation.set_status`, which reschedules the run.

A transfer runs its tasks one after another, highest ``priority`` first, each
taking ``size / SPEED`` seconds (at least :data:`MIN_TASK`); when the clock passes
a task's end its bytes are copied (:mod:`._transfers`). ``progress``, ``speed``
and ``etr`` follow the bytes done. A task whose source is missing fails alone; a
job with a failed task ends ``failed`` (retry it with status ``waiting``). A job
whose machine is offline waits (``waiting``) until the machine is back.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from accsyn.emulator import _transfers
from accsyn.emulator._clock import Clock
from accsyn.emulator._entities import tasks_of
from accsyn.emulator._protocol import ApiError
from accsyn.emulator._schema import facts
from accsyn.emulator._store import Row, Store

if TYPE_CHECKING:
    from accsyn.emulator._backend import Backend

__all__ = ["FINISHED", "MIN_TASK", "SPEED", "Simulation"]

#: Simulated transfer speed, bytes per second.
SPEED = 100 * 1024 * 1024
#: Seconds a task takes at least (a compute task: one frame).
MIN_TASK = 1.0
#: Job statuses of the finished pool.
FINISHED = ("done", "aborted")
#: Statuses a user may write on a transfer.
_TRANSFER_WRITABLE = ("pending", "waiting", "paused", "aborted", "done")
#: Task statuses that never run again.
_SETTLED = ("done", "excluded")


def _order(t: Row) -> tuple[int, int, int]:
    uri = str(t.data.get("uri", "0"))
    return (-int(t.data.get("priority") or 0), int(uri) if uri.isdigit() else 0, t.seq)


class Simulation:
    """Moves the jobs of one store along their lifecycle as ``clock`` advances."""

    def __init__(self, store: Store, clock: Clock, backend: Backend | None = None) -> None:
        self.store = store
        self.clock = clock
        #: Files move only with a backend (its files root and machines).
        self.backend = backend
        # (store generation, earliest t_next): no transition is due before it.
        self._next_due: tuple[int, float | None] | None = None

    def tick(self) -> None:
        """Apply every job transition due at the clock's current time."""
        now = self.clock.time()
        nd = self._next_due
        if nd is not None and nd[0] == self.store.generation and (nd[1] is None or now < nd[1]):
            return  # nothing due yet, and no write since the earliest t_next was read
        first = self.store.next_due()
        if first is None or now < first:
            # After a write, usually nothing is due: one query, not two.
            self._next_due = (self.store.generation, first)
            return
        for row in self.store.due(now):
            self._advance(row, now)
        self._next_due = (self.store.generation, self.store.next_due())

    def wake(self) -> None:
        """Let jobs waiting for a machine try again now (a client came online)."""
        now = self.clock.time()
        for row in self.store.due(now + MIN_TASK + 1e-6):
            sim = row.data.get("_sim") or {}
            if sim.get("blocked"):
                # The run starts now, not when the next request happens to look.
                sim.pop("blocked")
                sim["run"] = now
                self.store.update(row, t_next=now)
        self._next_due = None

    # --- the lifecycle --------------------------------------------------------------------

    def _advance(self, row: Row, now: float) -> None:
        d = row.data
        sim = d.setdefault("_sim", {})
        status = d.get("status")
        if row.et in facts().delivery_like:
            if status == "pending":
                d["status"] = "waiting"
                d["modified"] = self.clock.stamp(now)
            self.store.update(row, t_next=None)
            return
        measure, run = sim.get("measure", now), sim.get("run", now)
        if status == "init" and now >= measure:
            tasks = tasks_of(self.store, row)
            self._measure(row, tasks, measure)
            live = [t for t in tasks if t.data.get("status") != "excluded"]
            if tasks and not live:
                self._finish(row, "done", measure)
                return
            if live and all(t.data.get("status") == "failed" for t in live):
                self._finish(row, "failed", measure)
                return
            d["status"] = status = "waiting"
            d["modified"] = self.clock.stamp(now)
        if status == "waiting" and now >= run:
            why = self._blocked(row)
            if why is not None:
                sim["blocked"] = why
                self.store.update(row, t_next=now + MIN_TASK)
                return
            start = run if not sim.pop("blocked", None) else now
            self._plan(row, start)
            d["status"] = status = "running"
            d["modified"] = self.clock.stamp(now)
        if status == "running":
            self._run(row, now)
            return
        nxt = measure if status == "init" else run if status == "waiting" else None
        self.store.update(row, t_next=nxt)

    def _measure(self, job: Row, tasks: list[Row], when: float) -> None:
        """Read every waiting task's size; a missing source fails its task."""
        if self.backend is None or not tasks:
            return
        total = 0
        for t in tasks:
            if t.data.get("status") not in (*_SETTLED, "failed"):
                ok = _transfers.measure(self.backend, t)
                t.data["status"] = "queued" if ok else "failed"
                if not ok:
                    t.data.update(size=0, finished=self.clock.stamp(when))
                self.store.update(t)
            if t.data.get("status") != "excluded":
                total += int(t.data.get("size") or 0)
        job.data["size"] = total

    def _blocked(self, job: Row) -> str | None:
        if self.backend is None:
            return None
        for t in tasks_of(self.store, job):
            if t.data.get("status") not in (*_SETTLED, "failed"):
                why = _transfers.blocker(self.backend, t)
                if why is not None:
                    return why
        return None

    def _plan(self, job: Row, start: float) -> None:
        """Lay the job's remaining tasks out on the clock from ``start``."""
        tasks = sorted(tasks_of(self.store, job), key=_order)
        self._measure(job, tasks, start)
        plan: list[list[Any]] = []
        t = start
        for task in tasks:
            if task.data.get("status") in (*_SETTLED, "failed"):
                continue
            size = int(task.data.get("size") or 0)
            end = t + max(MIN_TASK, size / SPEED)
            plan.append([task.id, t, end, size])
            t = end
        sim = job.data["_sim"]
        if not tasks:  # a job without tasks (seeded): one stretch for its size
            t = start + max(MIN_TASK, int(job.data.get("size") or 0) / SPEED)
        sim.update(plan=plan, applied=0, start=start, done=t)

    def _run(self, job: Row, now: float) -> None:
        d = job.data
        sim = d["_sim"]
        plan: list[list[Any]] = sim.get("plan") or []
        applied = int(sim.get("applied") or 0)
        while applied < len(plan) and plan[applied][2] <= now:
            self._apply(plan[applied])
            applied += 1
        sim["applied"] = applied
        done_at = float(sim.get("done", now))
        if applied >= len(plan) and now >= done_at:
            tasks = tasks_of(self.store, job)
            if any(t.data.get("status") == "queued" for t in tasks) and plan:
                # Tasks added while it ran: they run next.
                self._plan(job, done_at)
                self._run(job, now)
                return
            failed = any(t.data.get("status") == "failed" for t in tasks)
            self._finish(job, "failed" if failed else "done", done_at)
            return
        total = int(d.get("size") or 0)
        remaining = sum(seg[3] for seg in plan[applied:])
        if applied < len(plan):
            seg = plan[applied]
            task = self.store.get(seg[0])
            if task is not None and task.data.get("status") == "queued":
                task.data["status"] = "executing"
                self.store.update(task)
            span = max(seg[2] - seg[1], 1e-9)
            remaining -= int(seg[3] * max(0.0, min(1.0, (now - seg[1]) / span)))
            nxt = min(seg[2], now + 1.0)
        else:
            nxt = min(done_at, now + 1.0)
            remaining = int(total * (done_at - now) / max(done_at - sim.get("start", now), 1e-9))
        bytes_done = max(0, total - remaining)
        if total:
            fraction = bytes_done / total
        else:  # nothing to move (a compute job): the share of its run behind it
            start = float(sim.get("start", now))
            fraction = (now - start) / max(done_at - start, 1e-9)
        d["progress"] = max(0, min(99, int(100 * fraction)))
        # Every change moves ``modified``: clients poll for modified>=<last seen>.
        d["modified"] = self.clock.stamp(now)
        d["speed"] = round(SPEED / 1e6, 1)
        d["etr"] = f"{math.ceil(max(0.0, done_at - now))}s"
        self.store.update(job, t_next=nxt)

    def _apply(self, seg: list[Any]) -> None:
        """A task's end: its bytes land, or it fails on its own."""
        task = self.store.get(seg[0])
        if task is None or task.data.get("status") in (*_SETTLED, "failed"):
            return
        why = _transfers.execute(self.backend, task) if self.backend is not None else None
        task.data["status"] = "failed" if why else "done"
        if why:
            task.data["_error"] = why
        task.data["finished"] = self.clock.stamp(seg[2])
        self.store.update(task)

    def _finish(self, job: Row, status: str, when: float) -> None:
        d = job.data
        d.update(status=status, speed=-1.0, etr="", modified=self.clock.stamp(when))
        d["_sim"].pop("blocked", None)
        if status == "done":
            d["progress"] = 100
            d["finished"] = d["modified"]
            self.store.update(job, state="finished", t_next=None)
            return
        self.store.update(job, t_next=None)

    # --- scheduling -----------------------------------------------------------------------

    def schedule(self, row: Row, start: float | None = None) -> None:
        """(Re)start a transfer's simulated run from ``start`` (default: now)."""
        start = self.clock.time() if start is None else start
        measure = start + 1.0
        run = measure + 1.0
        sim = dict(row.data.get("_sim") or {})
        sim.update(measure=measure, run=run, plan=[], applied=0)
        sim.pop("blocked", None)
        row.data["_sim"] = sim
        status = row.data.get("status")
        nxt = {"init": measure, "waiting": run}.get(str(status))
        self.store.update(row, t_next=nxt)

    def finish_now(self, row: Row) -> None:
        """A job with nothing to do (only placeholder tasks) is done at once."""
        row.data.setdefault("_sim", {})
        self._finish(row, "done", self.clock.time())

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
            d["etr"] = ""
            row.t_next = None
            return "finished"
        if value == "paused":
            d["speed"] = -1.0
            d["etr"] = ""
            row.t_next = None
            return "active"
        d["status"] = "waiting"
        self.retry_tasks(row)
        self.schedule(row, self.clock.time() - 1.0)
        return "active"

    def retry_tasks(self, job: Row) -> None:
        """Failed and interrupted tasks of ``job`` queue again (a resume or a retry)."""
        for t in tasks_of(self.store, job):
            if t.data.get("status") in ("failed", "executing"):
                t.data["status"] = "queued"
                t.data["finished"] = None
                t.data.pop("_error", None)
                self.store.update(t)
