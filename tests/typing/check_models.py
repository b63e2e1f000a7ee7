"""Static typing checks for the models: run with ``mypy --strict tests/typing``.

Nothing here runs as a test; mypy proves that class access to a field is a
query expression, instance access its value, and that mistakes are type errors
(each ``type: ignore`` is proven necessary by ``warn_unused_ignores``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from typing_extensions import assert_type

from accsyn.models import (
    Acl,
    App,
    ClientState,
    FolderCreate,
    JobStatus,
    PartyRef,
    Task,
    TaskEndpoint,
    Transfer,
    TransferCreate,
    User,
)
from accsyn.query import Comparison, Expr, Query
from accsyn.query._typed import DateExpr, EnumExpr, NumExpr, RefExpr

_JobStatusValue = Literal[
    "init", "pending", "waiting", "running", "paused", "failed", "aborted", "done"
]
_ClientStateValue = Literal["init", "online", "offline", "disabled", "disabled-offline", "enabled"]


def class_access_is_an_expression() -> None:
    # Each kind of field has its own expression type, accepting only its values.
    # The last parameter is what a selected row holds (see select(Transfer.size)).
    assert_type(Transfer.status, EnumExpr[JobStatus, _JobStatusValue, JobStatus | None])
    assert_type(Transfer.created, DateExpr[datetime | None])
    assert_type(Transfer.size, NumExpr[int, int | None])
    assert_type(Acl.entity, RefExpr[PartyRef | None])
    assert_type(App.status, EnumExpr[ClientState, _ClientStateValue, ClientState | None])
    assert_type(Transfer.status == "failed", Comparison)
    assert_type(Transfer.status != JobStatus.FAILED, Comparison)
    assert_type(Transfer.size > 0, Comparison)
    assert_type(Transfer.status.in_(["failed", "aborted"]), Expr)
    assert_type(Transfer.name.contains("backup"), Comparison)
    assert_type((Transfer.status != "failed") & Transfer.name.like("* backup"), Expr)
    assert_type(~(Transfer.size <= 10), Expr)
    assert_type(Transfer.where(Transfer.size > 0, status="failed"), Query[Transfer])


def instance_access_is_the_value(t: Transfer, task: Task, user: User) -> None:
    assert_type(t.status, JobStatus | None)
    assert_type(t.created, datetime | None)
    assert_type(t.id, str)  # every fetched entity has an id
    assert_type(t.source, PartyRef | None)
    assert_type(t.speed, float | None)
    assert_type(task.source, TaskEndpoint | None)
    assert_type(user.logged_in, datetime | None)
    assert_type(Transfer.from_wire({"id": "x"}), Transfer)
    assert_type(Transfer.list_from_json(b"[]"), list[Transfer])
    assert_type(t.to_wire(), dict[str, Any])


def construction_and_assignment(t: Transfer) -> None:
    Transfer()  # every attribute is optional (defaults accepted by dataclass_transform)
    Transfer(name="backup", size=10, status=JobStatus.PAUSED)
    FolderCreate(name="F", parent="projects", path="f")
    FolderCreate(name="F")  # type: ignore[call-arg]
    Transfer(size="big")  # type: ignore[arg-type]
    t.size = 20
    t.size = "big"  # type: ignore[assignment]
    t.status = JobStatus.DONE
    TransferCreate(source="hq:/a", destination="lisa@example.com:/in/", tasks=["x"])
    TransferCreate(source=1)  # type: ignore[arg-type]


def unknown_attributes_are_errors(t: Transfer) -> None:
    Transfer.nonexistent  # type: ignore[attr-defined]  # noqa: B018
    t.nonexistent  # type: ignore[attr-defined]  # noqa: B018
    Transfer.status.nonexistent  # type: ignore[attr-defined]  # noqa: B018
