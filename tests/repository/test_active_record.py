"""``entity.save()`` / ``refresh()`` on fetched models send only what changed."""

from __future__ import annotations

from typing import Any

import pytest

import accsyn
from accsyn.emulator import LocalWorkspace
from accsyn.models import Transfer, User


def _recording(session: Any) -> list[Any]:
    sent: list[Any] = []
    original = session._send

    def send(req: Any) -> Any:
        sent.append(req)
        return original(req)

    session._send = send
    return sent


def test_save_sends_only_changed_fields_and_updates_in_place() -> None:
    with LocalWorkspace(seed="demo") as ws:
        session = ws.session(role="admin")
        user = session.users.where(User.role == "standard").first()
        assert user is not None
        sent = _recording(session)
        user.description = "contractor"
        user.save()
        edits = [r for r in sent if r.uri.endswith("/edit")]
        assert len(edits) == 1
        assert edits[0].data == {"description": "contractor"}
        assert user.description == "contractor"
        # Nothing changed since: save() sends nothing.
        sent.clear()
        user.save()
        assert sent == []
        again = session.users.get(user.id)
        assert again is not None
        assert again.description == "contractor"


def test_refresh_discards_local_changes() -> None:
    with LocalWorkspace(seed="demo") as ws:
        session = ws.session(role="admin")
        t = session.transfers.first()
        assert t is not None
        original = t.name
        t.name = "scratch"
        t.refresh()
        assert t.name == original
        assert t._accsyn_changes() == {}


def test_unbound_entities_explain_what_to_do() -> None:
    t = Transfer.from_wire({"id": "6645fbca9f8c4d3e7a3b678d", "name": "x"})
    with pytest.raises(accsyn.AccsynError, match=r"session\.save"):
        t.save()


async def test_async_entities_use_asave() -> None:
    with LocalWorkspace(seed="demo") as ws:
        async with ws.async_session(role="admin") as session:
            t = await session.transfers.first()
            assert t is not None
            with pytest.raises(accsyn.AccsynError, match="asave"):
                t.save()
            t.name = "renamed async"
            await t.asave()
            await t.arefresh()
            assert t.name == "renamed async"
