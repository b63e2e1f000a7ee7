"""Paging through 10,000 seeded transfers, 500 a page: each exactly once, sync and async."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from accsyn.emulator import LocalWorkspace
from accsyn.models import Transfer

TOTAL = 10_000
PAGE = 500


@pytest.fixture(scope="module")
def big() -> Iterator[LocalWorkspace]:
    # The emulator's bulk generator seeds the transfers in one transaction.
    with LocalWorkspace(seed="demo", transfers=TOTAL) as ws:
        yield ws


def test_sync_pages_through_ten_thousand(big: LocalWorkspace) -> None:
    s = big.session(role="admin")
    active_pages = list(s.transfers.select("status").page_size(PAGE).pages())
    finished_pages = list(s.transfers.finished().select("status").page_size(PAGE).pages())
    for pages in (active_pages, finished_pages):
        # Every page holds PAGE new rows (later requests fetch one anchor row more).
        assert all(len(p) == PAGE for p in pages[:-1])
        assert 0 < len(pages[-1]) <= PAGE
    active = [t.id for p in active_pages for t in p]
    finished = [t.id for p in finished_pages for t in p]
    assert len(active) + len(finished) == TOTAL
    assert len(set(active) | set(finished)) == TOTAL
    assert all(t.status not in ("done", "aborted") for p in active_pages for t in p)
    assert s.transfers.page_size(PAGE).count() == len(active)

    # limit/offset across pages give exactly the slice of the full iteration.
    sliced = [t.id for t in s.transfers.offset(1234).limit(2345).page_size(PAGE).select("id")]
    assert sliced == active[1234 : 1234 + 2345]

    # Filtering happens on the server, paging on top of it.
    big_ones = [t.id for t in s.transfers.where(Transfer.size > 25_000_000_000).page_size(PAGE)]
    assert 0 < len(big_ones) < len(active)
    assert len(big_ones) == len(set(big_ones))


async def test_async_pages_through_ten_thousand(big: LocalWorkspace) -> None:
    async with big.async_session(role="admin") as s:
        active = [t.id async for t in s.transfers.select("id").page_size(PAGE)]
        sizes = [len(p) async for p in s.transfers.finished().select("id").page_size(PAGE).pages()]
        assert all(0 < n <= PAGE for n in sizes)
        finished = [t.id async for t in s.transfers.finished().select("id").page_size(PAGE)]
        assert sum(sizes) == len(finished)
        assert len(set(active) | set(finished)) == TOTAL == len(active) + len(finished)
        assert await s.transfers.page_size(PAGE).count() == len(active)
