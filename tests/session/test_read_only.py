"""What an update may change is one fact, known alike to the SDK and the local workspace.

``accsyn/models/_spec.py`` holds the attributes the server keeps itself (a job's
progress, a share's default, ...); an update model's fields, else the attributes
minus those, are what an update may change. The SDK refuses the others before
sending, on every path, naming what may change; the emulator refuses them too
(``validate=False``) and lists the same set for ``attributes … update=True``.
"""

from __future__ import annotations

import asyncio

import pytest

import accsyn
from accsyn.emulator import LocalWorkspace
from accsyn.models import specs


def test_the_workspace_lists_what_the_models_say_an_update_may_change(
    fresh_ws: LocalWorkspace,
) -> None:
    s = fresh_ws.session("admin")
    for uri, spec in specs().items():
        if spec.members:
            continue  # an umbrella (share): each row is a member's
        listed = s.find(f"attributes WHERE entitytype={uri}", update=True)
        assert sorted(listed) == sorted(spec.update_fields), uri


def test_a_read_only_attribute_is_refused_on_every_path(fresh_ws: LocalWorkspace) -> None:
    s = fresh_ws.session("admin")
    delivery = s.find("delivery")[0]
    transfer = s.find("transfer")[0]
    calls = {
        "update": lambda: s.update("delivery", str(delivery.id), {"progress": 50}),
        "repository": lambda: s.transfers.update(transfer, progress=50),
        "selection": lambda: s.transfers.where(id=transfer.id).update(speed=5),
    }
    for name, call in calls.items():
        with pytest.raises(accsyn.ValidationError, match="read-only") as info:
            call()
        assert "may change" in str(info.value) and "name" in str(info.value), name
    delivery.progress = 50
    with pytest.raises(accsyn.ValidationError, match="read-only"):
        delivery.save()


def test_sent_anyway_the_workspace_refuses_it_too(fresh_ws: LocalWorkspace) -> None:
    s = fresh_ws.session("admin")
    delivery = s.find("delivery")[0]
    with pytest.raises(accsyn.BadRequestError, match="read-only"):
        s.update("delivery", str(delivery.id), {"progress": 50}, validate=False)
    assert s.update("delivery", str(delivery.id), {"description": "still writable"})


def test_async_refuses_it_alike(fresh_ws: LocalWorkspace) -> None:
    async def main() -> None:
        async with fresh_ws.async_session("admin") as s:
            delivery = (await s.find("delivery"))[0]
            with pytest.raises(accsyn.ValidationError, match="read-only"):
                await s.update("delivery", str(delivery.id), {"progress": 50})

    asyncio.run(main())
