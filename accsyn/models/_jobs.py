"""Jobs (transfer, compute, delivery, request, stream), their tasks, and queues."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict
from typing_extensions import Self

from accsyn.models._base import Entity
from accsyn.models._common import Described
from accsyn.models._types import Attr, PartyRef, Ref, UTCDateTime, attr
from accsyn.models.enums import JobStatus, JobType, QueueStatus, TaskStatus

if TYPE_CHECKING:
    from accsyn._http import Clock

__all__ = [
    "Compute",
    "Delivery",
    "Job",
    "Queue",
    "Request",
    "Stream",
    "Task",
    "TaskEndpoint",
    "Transfer",
]


class Job(Described):
    """Attributes shared by every job type (not itself an entity type)."""

    __family__ = "job"

    status: Attr[JobStatus | None] = attr()
    type: Attr[JobType | None] = attr()
    source: Attr[PartyRef | None] = attr()
    source_hr: Attr[str | None] = attr()
    destination: Attr[PartyRef | None] = attr()
    destination_hr: Attr[str | None] = attr()
    user: Attr[Ref | None] = attr()
    user_hr: Attr[str | None] = attr()
    parent: Attr[Ref | None] = attr()
    parent_hr: Attr[str | None] = attr()
    #: Estimated time remaining, ``""`` when idle.
    etr: Attr[str | None] = attr()
    finished: Attr[UTCDateTime | None] = attr()
    #: 0–100.
    progress: Attr[int | None] = attr()
    #: Bytes; null, 0 or -1 before the size is measured.
    size: Attr[int | None] = attr()
    #: MB/s; -1.0 when idle.
    speed: Attr[float | None] = attr()
    #: The queue path.
    uri: Attr[str | None] = attr()

    # Actions and wait are thin: accsyn._control holds the lifecycle and the polling.

    def abort(self) -> Self:
        """Abort the job (status ``aborted``) in one request; returns it updated.

        Raises :class:`~accsyn.TransitionError` (nothing sent) if it is finished.
        """
        from accsyn._control import act

        return act(self, "abort")

    async def aabort(self) -> Self:
        """Async :meth:`abort`, for jobs fetched through an ``AsyncSession``."""
        from accsyn._control import aact

        return await aact(self, "abort")

    def wait(
        self,
        until: str | Iterable[JobStatus | str] = ("done", "failed", "aborted"),
        timeout: float | None = None,
        *,
        interval: float = 2.0,
        max_interval: float = 30.0,
        jitter: bool = True,
        clock: Clock | None = None,
    ) -> Self:
        """Poll until the job's status is one of ``until``; returns it refreshed.

        The first pause is ``interval`` seconds, each later one 1.5 times longer up to
        ``max_interval``, with jitter; pauses take the session's clock (``clock``
        overrides it) and requests go through its rate limiter and retries. Raises
        :class:`~accsyn.WaitTimeoutError` after ``timeout`` seconds, and
        :class:`~accsyn.WaitError` if the job finishes in a status not awaited.
        """
        from accsyn._control import wait

        return wait(self, until, timeout, interval, max_interval, jitter, clock)

    async def await_(
        self,
        until: str | Iterable[JobStatus | str] = ("done", "failed", "aborted"),
        timeout: float | None = None,
        *,
        interval: float = 2.0,
        max_interval: float = 30.0,
        jitter: bool = True,
        clock: Clock | None = None,
    ) -> Self:
        """Async :meth:`wait` (``await transfer.await_(...)``), for an ``AsyncSession``."""
        from accsyn._control import await_

        return await await_(self, until, timeout, interval, max_interval, jitter, clock)


# Checkers see the mixin as a Job (its methods act on one); at run time it is a
# plain class placed before Job in the bases.
if TYPE_CHECKING:
    _RunnableBase = Job
else:
    _RunnableBase = object


class _Runnable(_RunnableBase):
    """Pause, resume and retry: the jobs that run (transfers and compute jobs).

    The stub generator copies these methods into each class that mixes this in.
    """

    def pause(self) -> Self:
        """Pause the job (status ``paused``) in one request; returns it updated.

        Raises :class:`~accsyn.TransitionError` (nothing sent) unless it is ``init``,
        ``pending``, ``waiting`` or ``running``.
        """
        from accsyn._control import act

        return act(self, "pause")

    async def apause(self) -> Self:
        """Async :meth:`pause`, for jobs fetched through an ``AsyncSession``."""
        from accsyn._control import aact

        return await aact(self, "pause")

    def resume(self) -> Self:
        """Resume a paused job (status ``waiting``) in one request; returns it updated."""
        from accsyn._control import act

        return act(self, "resume")

    async def aresume(self) -> Self:
        """Async :meth:`resume`, for jobs fetched through an ``AsyncSession``."""
        from accsyn._control import aact

        return await aact(self, "resume")

    def retry(self) -> Self:
        """Run a failed or aborted job again (status ``waiting``); returns it updated."""
        from accsyn._control import act

        return act(self, "retry")

    async def aretry(self) -> Self:
        """Async :meth:`retry`, for jobs fetched through an ``AsyncSession``."""
        from accsyn._control import aact

        return await aact(self, "retry")


class Transfer(_Runnable, Job):
    """A peer-to-peer transfer (job type 1); the deprecated ``job`` type maps here."""

    __entitytype__ = "transfer"
    __aliases__ = ("job",)
    __job_type__ = JobType.TRANSFER


class Compute(_Runnable, Job):
    """A compute/render job (job type 3)."""

    __entitytype__ = "compute"
    __job_type__ = JobType.COMPUTE

    engine: Attr[str | None] = attr()
    #: Frame range, e.g. ``"1001-1100"`` or ``"5-250x5"``.
    range: Attr[str | None] = attr()
    input: Attr[str | None] = attr()
    output: Attr[str | None] = attr()


class Delivery(Job):
    """An outgoing delivery (job type 7): uploads for managers, a download per recipient."""

    __entitytype__ = "delivery"
    __job_type__ = JobType.DELIVERY
    __recipients__ = True

    public: Attr[bool | None] = attr()
    #: When a temporary (``init``) delivery expires.
    expires: Attr[UTCDateTime | None] = attr()

    def submit(self) -> Self:
        """Submit a temporary (``init``) job: status ``pending``, in one request.

        The server refuses it without at least one file and one recipient.
        """
        from accsyn._control import act

        return act(self, "submit")

    async def asubmit(self) -> Self:
        """Async :meth:`submit`, for jobs fetched through an ``AsyncSession``."""
        from accsyn._control import aact

        return await aact(self, "submit")


class Request(Job):
    """An inbound upload request (job type 8)."""

    __entitytype__ = "request"
    __job_type__ = JobType.REQUEST
    __recipients__ = True

    public: Attr[bool | None] = attr()

    def submit(self) -> Self:
        """Submit a temporary (``init``) job: status ``pending``, in one request.

        The server refuses it without at least one file and one recipient.
        """
        from accsyn._control import act

        return act(self, "submit")

    async def asubmit(self) -> Self:
        """Async :meth:`submit`, for jobs fetched through an ``AsyncSession``."""
        from accsyn._control import aact

        return await aact(self, "submit")


class Stream(Job):
    """A streaming delivery (job type 10)."""

    __entitytype__ = "stream"
    __job_type__ = JobType.STREAM
    __recipients__ = True

    public: Attr[bool | None] = attr()


class TaskEndpoint(BaseModel):
    """The ``source`` / ``destination`` dict of a task (unknown keys kept)."""

    model_config = ConfigDict(extra="allow")

    client: str | None = None
    path: str | None = None
    path_abs_final: str | None = None
    #: Volume id.
    v: str | None = None
    #: Share id.
    s: str | None = None
    user: str | None = None
    site: str | None = None


class Task(Entity):
    """One file or directory of a job (a sub-entity; UUID ids)."""

    __entitytype__ = "task"
    __id_format__ = "uuid"
    __family__ = "task"
    __parent__ = "job"

    description: Attr[str | None] = attr()
    metadata: Attr[dict[str, Any] | None] = attr()
    created: Attr[UTCDateTime | None] = attr()

    status: Attr[TaskStatus | None] = attr()
    job: Attr[Ref | None] = attr()
    #: ``name[jobtype](id)``, e.g. ``README.txt[7](6971e16fceadd67b955b1995)``.
    job_hr: Attr[str | None] = attr()
    #: 1..1000, default 500.
    priority: Attr[int | None] = attr()
    size: Attr[int | None] = attr()
    source: Attr[TaskEndpoint | None] = attr()
    destination: Attr[TaskEndpoint | None] = attr()
    finished: Attr[UTCDateTime | None] = attr()
    #: Bucket execution time.
    time: Attr[float | None] = attr()
    #: The task's key within its job, e.g. ``"0"``.
    uri: Attr[str | None] = attr()

    def pause(self) -> Self:
        """Put the task on hold (status ``onhold``) in one request; returns it updated."""
        from accsyn._control import act

        return act(self, "pause")

    async def apause(self) -> Self:
        """Async :meth:`pause`, for tasks fetched through an ``AsyncSession``."""
        from accsyn._control import aact

        return await aact(self, "pause")

    def resume(self) -> Self:
        """Queue a task that is on hold again (status ``queued``); returns it updated."""
        from accsyn._control import act

        return act(self, "resume")

    async def aresume(self) -> Self:
        """Async :meth:`resume`, for tasks fetched through an ``AsyncSession``."""
        from accsyn._control import aact

        return await aact(self, "resume")

    def retry(self) -> Self:
        """Queue a failed, excluded or done task again (status ``queued``)."""
        from accsyn._control import act

        return act(self, "retry")

    async def aretry(self) -> Self:
        """Async :meth:`retry`, for tasks fetched through an ``AsyncSession``."""
        from accsyn._control import aact

        return await aact(self, "retry")

    def exclude(self) -> Self:
        """Leave the task out of its job (status ``excluded``, kept for audit)."""
        from accsyn._control import act

        return act(self, "exclude")

    async def aexclude(self) -> Self:
        """Async :meth:`exclude`, for tasks fetched through an ``AsyncSession``."""
        from accsyn._control import aact

        return await aact(self, "exclude")


class Queue(Described):
    """A job queue (internally a job of type 2)."""

    __entitytype__ = "queue"
    __unique_code__ = True
    __job_type__ = JobType.QUEUE

    status: Attr[QueueStatus | None] = attr()
    #: Always 2: a queue is internally a job.
    type: Attr[JobType | None] = attr()
    #: 0..1000; built-ins high 999, medium 500 (the default), low 1.
    priority: Attr[int | None] = attr()
    default: Attr[bool | None] = attr()
    compute_default: Attr[bool | None] = attr()
    uri: Attr[str | None] = attr()
    user: Attr[Ref | None] = attr()
    user_hr: Attr[str | None] = attr()
