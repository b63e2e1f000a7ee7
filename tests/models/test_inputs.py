"""Create/update payloads are validated before anything is sent."""

from __future__ import annotations

from typing import Any

import pydantic
import pytest

import accsyn
from accsyn.models import (
    AclGrant,
    CollectionCreate,
    DeliveryCreate,
    FolderCreate,
    HomeCreate,
    QueueCreate,
    RequestCreate,
    SiteCreate,
    TaskCreate,
    TaskUpdate,
    TransferCreate,
    TransferUpdate,
    UserCreate,
    UserUpdate,
    VolumeCreate,
)

ID = "5a7325f8b7ef72f5f9d74bf4"
UUID = "26468234-c9ee-48d6-8d28-e900b5957129"


def test_transfer_create_to_wire() -> None:
    payload = TransferCreate(
        source="hq:/projects/a",
        destination="lisa@example.com:/in/",
        name="Daily backup",
        tasks=["shot010/", TaskCreate(source="x.mov", destination="in/x.mov", priority=900)],
        settings={"transfer_speedlimit": "100"},
        queue="High",
        status="paused",
        hooks=[{"when": "hook-job-publish-server", "data": {"a": 1}}],  # type: ignore[list-item]
    )
    assert payload.to_wire() == {
        "source": "hq:/projects/a",
        "destination": "lisa@example.com:/in/",
        "name": "Daily backup",
        "status": "paused",
        "tasks": [
            "shot010/",
            {"source": "x.mov", "destination": "in/x.mov", "priority": 900},
        ],
        "queue": "High",
        "settings": {"transfer_speedlimit": "100"},
        "hooks": [{"when": "hook-job-publish-server", "data": {"a": 1}}],
    }


def test_endpoints_may_come_from_the_tasks() -> None:
    payload = TransferCreate(tasks=[TaskCreate(source="a", destination="b")])
    assert payload.to_wire() == {"tasks": [{"source": "a", "destination": "b"}]}
    with pytest.raises(accsyn.ValidationError) as info:
        TransferCreate(tasks=["a"], destination="x:/y")
    assert info.value.field == "source"


@pytest.mark.parametrize(
    ("build", "field"),
    [
        (lambda: TransferCreate(source="a", destination="b", status="running"), "status"),
        (lambda: TransferCreate(source="a", destination="b", settings={"x": 1}), "settings.x"),
        (lambda: TransferCreate(source="a", destination="b", tasks=[]), "tasks"),
        (lambda: TransferCreate(source="a", destination="b", parent="nope"), "parent"),
        (lambda: TransferCreate(source="a", destination="b", sorce="x"), "sorce"),
        (lambda: TransferCreate(source="", destination="b"), "source"),
        (
            lambda: TransferCreate(source="a", destination="b", tasks=[{"priority": 5000}]),
            "tasks.0.priority",
        ),
        (lambda: TaskCreate(id="not-a-uuid"), "id"),
        (lambda: TaskUpdate(status="done"), "id"),
        (lambda: TransferUpdate(status="running"), "status"),
        (lambda: DeliveryCreate(recipients=["not an email"]), "recipients.0"),
        (lambda: UserCreate(code="lisa"), "code"),
        (lambda: UserCreate(code="lisa@example.com", role="boss"), "role"),
        (lambda: UserCreate(code="lisa@example.com", volumes=["x"]), "volumes.0"),
        (lambda: UserUpdate(status="gone"), "status"),
        (lambda: FolderCreate(name="F", parent=ID), "path"),
        (lambda: HomeCreate(), "user"),
        (lambda: CollectionCreate(files=["a"]), "name"),
        (lambda: QueueCreate(name="q", priority=1001), "priority"),
        (lambda: SiteCreate(name=" "), "name"),
        (lambda: VolumeCreate(name="v", server="x"), "server"),
        (lambda: AclGrant(), "read"),
    ],
)
def test_errors_name_the_field(build: Any, field: str) -> None:
    with pytest.raises(accsyn.ValidationError) as info:
        build()
    assert not isinstance(info.value, pydantic.ValidationError)
    assert info.value.field == field
    assert field in str(info.value)
    assert info.value.__cause__ is None and info.value.__suppress_context__


def test_parse_validates_plain_dicts() -> None:
    payload = {"source": "a", "destination": "b", "tasks": [{"source": "x", "id": UUID}]}
    assert TransferCreate.parse(payload).to_wire() == payload
    with pytest.raises(accsyn.ValidationError) as info:
        TransferCreate.parse({"source": "a", "destination": "b", "append": "maybe"})
    assert info.value.field == "append"
    with pytest.raises(accsyn.ValidationError):
        TransferCreate.parse(["a"])  # type: ignore[arg-type]


def test_assignment_is_validated() -> None:
    grant = AclGrant(read=True)
    with pytest.raises(accsyn.ValidationError) as info:
        grant.path = 5  # type: ignore[assignment]
    assert info.value.field == "path"


def test_other_payloads() -> None:
    assert RequestCreate(
        name="Plates", recipients=["a@b.com"], destination="share=(default)/in"
    ).to_wire() == {
        "name": "Plates",
        "recipients": ["a@b.com"],
        "destination": "share=(default)/in",
    }
    assert UserCreate(code="lisa@example.com", role="employee", mail=False).to_wire() == {
        "code": "lisa@example.com",
        "role": "employee",
        "mail": False,
    }
    assert HomeCreate(user="lisa@example.com").to_wire() == {"user": "lisa@example.com"}
    assert VolumeCreate(
        name="Projects",
        paths={"linux": "/mnt/p"},
        server=ID.upper(),  # type: ignore[arg-type]
    ).to_wire() == {"name": "Projects", "paths": {"linux": "/mnt/p"}, "server": ID}
    assert AclGrant(read=True, path="/sub").to_wire() == {
        "read": True,
        "write": False,
        "path": "/sub",
    }
    assert TaskUpdate(uri="0", status="onhold").to_wire() == {"uri": "0", "status": "onhold"}


def test_error_messages_do_not_leak_pydantic_details() -> None:
    secret = "sk-live-do-not-print"
    with pytest.raises(accsyn.ValidationError) as info:
        TransferCreate(source="a", destination="b", metadata=secret)  # type: ignore[arg-type]
    text = str(info.value)
    assert "errors.pydantic.dev" not in text
    assert "For further information" not in text
    assert secret not in text
    assert info.value.field == "metadata"
