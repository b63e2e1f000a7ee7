"""The async repositories send exactly what the sync ones send and return the same."""

from __future__ import annotations

import pytest

import accsyn
from accsyn._repository import AsyncRepository, AsyncSelect
from accsyn.models import Transfer

from .conftest import FakeAsyncSession, FakeBackend, FakeSession


async def test_async_iteration_pages_lazily(asession: FakeAsyncSession) -> None:
    select = asession.transfers.where(Transfer.size >= 500).page_size(4)
    assert isinstance(select, AsyncSelect)
    names = [t.name async for t in select]
    assert names == [f"backup {i:02d}" for i in range(5, 30)]
    pages = [len(p) async for p in select.pages()]
    assert pages == [4, 4, 4, 4, 4, 4, 1]


async def test_async_terminal_operations(asession: FakeAsyncSession) -> None:
    failed = asession.transfers.where(status="failed")
    assert await failed.count() == 6
    assert await failed.exists()
    first = await failed.first()
    assert first is not None and first.name == "backup 02"
    assert len(await failed.all()) == 6
    assert (await asession.transfers.where(name="backup 04").one()).status == "paused"
    with pytest.raises(accsyn.NoResultFound):
        await asession.transfers.where(name="nothing").one()
    with pytest.raises(accsyn.MultipleResultsFound):
        await failed.one()
    assert await asession.transfers.where(name="nothing").one_or_none() is None


async def test_async_writes(asession: FakeAsyncSession, backend: FakeBackend) -> None:
    repo = asession.transfers
    assert isinstance(repo, AsyncRepository)
    t = await repo.create(name="async one", status="paused")
    assert t.id
    t.status = "waiting"  # type: ignore[assignment]
    saved = await repo.save(t)
    assert backend.sent[-1].data == {"status": "waiting"}
    assert saved.status == "waiting"
    assert (await repo.refresh(t)).status == "waiting"
    assert (await repo.update(t.id, name="renamed")).name == "renamed"
    assert await repo.delete(t)
    assert await repo.get(t.id) is None


async def test_sync_and_async_send_identical_requests(backend: FakeBackend) -> None:
    sync, asyn = FakeSession(backend), FakeAsyncSession(backend)

    def build(s: FakeSession | FakeAsyncSession) -> object:
        return (
            s.transfers.where(Transfer.status.in_(["failed", "done"]) | (Transfer.size < 300))
            .select("name")
            .offset(1)
            .limit(5)
            .page_size(2)
        )

    sync_sel = build(sync)
    async_sel = build(asyn)
    assert sync_sel.explain() == async_sel.explain()  # type: ignore[attr-defined]

    start = len(backend.sent)
    sync_ids = [t.id for t in sync_sel]  # type: ignore[attr-defined]
    sync_reqs = backend.sent[start:]
    start = len(backend.sent)
    async_ids = [t.id async for t in async_sel]  # type: ignore[attr-defined]
    assert async_ids == sync_ids
    assert backend.sent[start:] == sync_reqs
