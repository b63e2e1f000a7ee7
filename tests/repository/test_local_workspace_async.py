"""The end-to-end scenario again, through ``AsyncSession`` (awaitables and ``async for``)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

import accsyn
from accsyn.emulator import LocalWorkspace
from accsyn.models import Delivery, Task, Transfer, User
from accsyn.query._evaluate import matches

from .test_local_workspace import E2E, MINE, QUERIES


@pytest.fixture
async def s() -> AsyncIterator[accsyn.AsyncSession]:
    with LocalWorkspace(seed="demo") as ws:
        async with ws.async_session(role="admin") as session:
            yield session


async def create_e2e(s: accsyn.AsyncSession) -> list[Transfer]:
    return [
        await s.transfers.create(
            name=name, source="roaming:/media/clip.mov", destination=dst, status=status
        )
        for name, dst, status in E2E
    ]


async def test_async_create_and_query_back(s: accsyn.AsyncSession) -> None:
    await create_e2e(s)
    everything = await s.transfers.where(MINE).all()
    assert {t.name for t in everything} == {name for name, _, _ in E2E}
    for expr, expected in QUERIES:
        got = [t async for t in s.transfers.where(MINE, expr).page_size(2)]
        assert {t.name for t in got} == expected, expr
        assert {t.id for t in got} == {t.id for t in everything if matches(expr, t)}

    u = await s.users.create(code="async.user@example.com", role="standard")
    assert isinstance(u, User)
    assert (await s.users.where(User.code == "async.user@example.com").one()).id == u.id
    d = await s.deliveries.create(name="async delivery")
    assert isinstance(d, Delivery)
    assert await s.deliveries.where(Delivery.name == "async delivery").exists()


async def test_async_select_one_explain(s: accsyn.AsyncSession) -> None:
    await create_e2e(s)
    t = await s.transfers.where(Transfer.name == "e2e delta").select("name").one()
    assert t.name == "e2e delta"
    with pytest.raises(accsyn.UnselectedAttributeError):
        _ = t.status
    with pytest.raises(accsyn.NoResultFound):
        await s.transfers.where(Transfer.name == "e2e nothing").one()
    with pytest.raises(accsyn.MultipleResultsFound):
        await s.transfers.where(Transfer.name.like("e2e *backup")).one()
    ex = s.transfers.where(Transfer.status != "failed").explain()
    assert ex.statement == "transfer WHERE status!=failed"
    assert (ex.method, ex.uri, ex.query) == ("GET", "transfer/find", "status!=failed")


async def test_async_writes_and_sub_entities(s: accsyn.AsyncSession) -> None:
    t = await s.transfers.create(
        name="e2e async tasks",
        tasks=[{"source": "roaming:/a.mov", "destination": "hq:/in/"}],
    )
    tasks = [x async for x in s.tasks.of(t)]
    assert len(tasks) == 1 and isinstance(tasks[0], Task)
    fetched = await s.transfers.where(Transfer.name == "e2e async tasks").one()
    fetched.name = "e2e async saved"
    assert (await s.transfers.save(fetched)).name == "e2e async saved"
    assert (await s.transfers.refresh(t)).name == "e2e async saved"
    fetched.status = "paused"  # type: ignore[assignment]
    assert (await s.save(fetched)).status == "paused"
    assert (await s.refresh(t)).status == "paused"
    assert await s.transfers.delete(t)
    assert await s.transfers.where(Transfer.name == "e2e async saved").first() is None
