"""End to end against the in-process emulated workspace (accsyn.emulator.LocalWorkspace)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

import accsyn
from accsyn.emulator import LocalWorkspace
from accsyn.models import Transfer, User

from .conftest import FakeClock


@pytest.fixture
def ws() -> Iterator[LocalWorkspace]:
    with LocalWorkspace(seed="demo") as workspace:
        yield workspace


def test_a_transfer_lifecycle(ws: LocalWorkspace) -> None:
    with ws.session(role="admin") as session:
        assert "user" in session.find("entitytypes")
        created = session.create(
            "transfer", {"name": "Batch-XYZ-7f3a", "source": "hq:/a", "destination": "hq:/b"}
        )
        assert isinstance(created, Transfer)
        # Sent as written: \D (a non-digit) would become \d (a digit) if lowercased.
        found = session.find('transfer WHERE name matches "^Batch\\D\\w+-7f3a$"')
        assert [t.id for t in found] == [created.id]
        updated = session.update("transfer", created.id, {"status": "paused"})
        assert updated.status == "paused"
        again = session.get_entity("transfer", created.id)
        assert again is not None and again.id == created.id
        assert session.delete_one("transfer", created.id) is True


def test_typed_errors_from_the_emulator(ws: LocalWorkspace) -> None:
    workspace, username, _ = ws.credentials("admin")
    with pytest.raises(accsyn.AuthenticationError):
        accsyn.Session(
            workspace=workspace,
            username=username,
            api_key="wrong-key",
            base_url="http://accsyn-emulator.invalid",
            transport=ws.transport(),
        )
    with ws.session(role="admin") as session, pytest.raises(accsyn.APIError):
        session.update("transfer", "0" * 24, {"status": "paused"})


def test_injected_faults_are_retried_for_reads(ws: LocalWorkspace) -> None:
    clock = FakeClock()
    with ws.session(role="admin", clock=clock) as session:
        ws.faults.script(429, 503)
        users = session.find("user")
        assert all(isinstance(u, User) for u in users)
        assert len(clock.sleeps) == 2
        ws.faults.script(503)
        with pytest.raises(accsyn.ServerError):
            session.create("transfer", {"name": "x", "source": "hq:/a", "destination": "hq:/b"})
        assert session.find("transfer WHERE name=x") == []  # the create was not repeated


async def test_async_session_against_the_emulator(ws: LocalWorkspace) -> None:
    async with ws.async_session(role="admin") as session:
        results = await asyncio.gather(*(session.find("queue") for _ in range(20)))
    assert all(len(r) == len(results[0]) > 0 for r in results)
