"""Must-pass: what users write."""

from datetime import datetime, timezone

from accsyn.models import JobStatus, Transfer, User


def ok() -> None:
    Transfer.where(Transfer.status != "failed")
    Transfer.where(Transfer.status == JobStatus.DONE)
    Transfer.where(Transfer.status.in_(["failed", "aborted"]))
    Transfer.where(Transfer.status.not_in(("failed", JobStatus.ABORTED)))
    Transfer.where((Transfer.size > 0) & Transfer.name.contains("backup"))
    Transfer.where(Transfer.created >= datetime(2026, 1, 1, tzinfo=timezone.utc))
    Transfer.where(Transfer.user == "lisa@example.com")
    User.where(User.role == "admin")
    t = Transfer()
    s: JobStatus | None = t.status
    i: str = t.id
    del s, i


def instance_writes(t: Transfer) -> None:
    t.status = "paused"
    t.status = JobStatus.ABORTED
    t.size = 10
    t.name = "renamed"
    size: int | None = t.size
    del size


def filters() -> None:
    Transfer.where(status="failed", size=10)
    Transfer.where(status=["failed", JobStatus.ABORTED], user="lisa@example.com")
    User.where(role="admin", code=("a@example.com", "b@example.com"))
