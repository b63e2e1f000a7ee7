"""The sans-IO pager against a simulated server whose result set changes between pages."""

from __future__ import annotations

import random
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accsyn._paging import Pager, PageRequest


def run(
    rows: list[str],
    pager: Pager,
    mutate: Any = None,
    max_requests: int = 10_000,
) -> tuple[list[str], list[PageRequest]]:
    """Drive ``pager`` over the (mutable) list of ids ``rows``; return ids and requests."""
    out: list[str] = []
    reqs: list[PageRequest] = []
    while (req := pager.next_request()) is not None:
        reqs.append(req)
        assert len(reqs) <= max_requests, "the pager does not terminate"
        page = [{"id": r, "n": i} for i, r in enumerate(rows[req.skip : req.skip + req.limit])]
        out.extend(str(r["id"]) for r in pager.feed(page))
        if mutate is not None:
            mutate(rows)
    return out, reqs


@given(
    n=st.integers(0, 120),
    page_size=st.integers(1, 30),
    offset=st.integers(0, 130),
    limit=st.none() | st.integers(0, 130),
)
def test_static_result_is_the_exact_slice(
    n: int, page_size: int, offset: int, limit: int | None
) -> None:
    rows = [f"id{i:04d}" for i in range(n)]
    out, reqs = run(rows, Pager(offset=offset, limit=limit, page_size=page_size))
    end = None if limit is None else offset + limit
    assert out == rows[offset:end]
    # Never more than a page plus the anchor row per request, and never more rows
    # asked for in total than wanted plus one anchor row per follow-up request.
    assert all(r.limit <= page_size + 1 for r in reqs)
    if limit is not None:
        assert sum(r.limit for r in reqs) <= limit + len(reqs)
    if limit == 0:
        assert reqs == []


def test_pages_overlap_by_one_anchor_row() -> None:
    rows = [f"id{i:04d}" for i in range(1000)]
    out, reqs = run(rows, Pager(page_size=500))
    assert out == rows
    assert [(r.skip, r.limit) for r in reqs] == [(0, 500), (499, 501), (999, 501)]


def test_a_page_holds_page_size_new_rows() -> None:
    # Users read "page size" as rows per page: 166 rows at 10 per page are 17 pages.
    rows = [f"id{i:04d}" for i in range(166)]
    pager = Pager(page_size=10)
    pages: list[int] = []
    while (req := pager.next_request()) is not None:
        pages.append(len(pager.feed([{"id": r} for r in rows[req.skip : req.skip + req.limit]])))
    assert pages == [10] * 16 + [6]


def test_limit_is_never_overfetched() -> None:
    rows = [f"id{i:04d}" for i in range(1000)]
    out, reqs = run(rows, Pager(offset=10, limit=120, page_size=50))
    assert out == rows[10:130]
    assert [(r.skip, r.limit) for r in reqs] == [(10, 50), (59, 51), (109, 21)]


def test_rows_without_ids_page_plainly() -> None:
    rows = [f"x{i}" for i in range(25)]
    pager = Pager(page_size=10)
    got: list[Any] = []
    while (req := pager.next_request()) is not None:
        got.extend(pager.feed([{"name": r} for r in rows[req.skip : req.skip + req.limit]]))
    assert [g["name"] for g in got] == rows


@settings(max_examples=300, deadline=None)
@given(
    n=st.integers(0, 80),
    page_size=st.integers(1, 12),
    seed=st.integers(0, 2**32 - 1),
    inserts=st.integers(0, 3),
    deletes=st.integers(0, 3),
)
def test_changing_result_set_yields_stable_rows_exactly_once(
    n: int, page_size: int, seed: int, inserts: int, deletes: int
) -> None:
    rnd = random.Random(seed)
    rows = [f"id{i:04d}" for i in range(n)]
    initial = list(rows)
    deleted: set[str] = set()
    created: set[str] = set()
    counter = iter(range(10**6))
    rounds = iter(range(40))

    def mutate(current: list[str]) -> None:
        # A result set growing faster than it is read never ends: stop changing it
        # after a while, as any real one does.
        if next(rounds, None) is None:
            return
        for _ in range(rnd.randint(0, inserts)):
            new = f"new{next(counter):05d}"
            created.add(new)
            current.insert(rnd.randint(0, len(current)), new)
        for _ in range(rnd.randint(0, deletes)):
            if current:
                deleted.add(current.pop(rnd.randrange(len(current))))

    out, _ = run(rows, Pager(page_size=page_size), mutate)
    assert len(out) == len(set(out)), "an entity was yielded twice"
    stable = [r for r in initial if r not in deleted]
    assert [r for r in out if r in set(stable)] == stable, "a stable entity was lost"
    assert set(out) <= set(initial) | created


@settings(max_examples=300, deadline=None)
@given(
    n=st.integers(0, 120),
    page_size=st.integers(1, 8),
    seed=st.integers(0, 2**32 - 1),
    deletes=st.integers(0, 6),
)
def test_bounded_window_never_repeats_and_only_loses_on_mass_removal(
    n: int, page_size: int, seed: int, deletes: int
) -> None:
    rnd = random.Random(seed)
    rows = [f"id{i:04d}" for i in range(n)]
    initial = list(rows)
    deleted: set[str] = set()
    # Remember a few pages' worth more than one request's churn can move the reader.
    window = 2 * page_size + 4 * (deletes + page_size)
    rounds = iter(range(40))

    def mutate(current: list[str]) -> None:
        if next(rounds, None) is None:
            return
        for _ in range(rnd.randint(0, deletes)):
            if current:
                deleted.add(current.pop(rnd.randrange(len(current))))
        # Insertions slower than reading (fewer per request than a page carries):
        # faster, and the reader falls ever further behind rows it read long ago.
        for _ in range(rnd.randint(0, page_size - 1)):
            current.insert(rnd.randint(0, len(current)), f"new{rnd.random()}")

    pager = Pager(page_size=page_size, window=window)
    out, _ = run(rows, pager, mutate)
    assert len(out) == len(set(out)), "an entity was yielded twice"
    assert len(pager._seen) <= window  # memory stays bounded
    stable = [r for r in initial if r not in deleted]
    if not pager.gave_up:
        assert [r for r in out if r in set(stable)] == stable, "a stable entity was lost"
    # Removals outpacing reading (up to 6 rows per request against pages of 1..8)
    # can delete every remembered row before the read position: the pager then says
    # so (``gave_up``, which the drivers log) instead of losing rows silently.


def test_unstable_server_order_terminates_without_duplicates() -> None:
    rnd = random.Random(7)
    ids = [f"id{i:04d}" for i in range(300)]

    pager = Pager(page_size=20)
    out: list[str] = []
    requests = 0
    while (req := pager.next_request()) is not None:
        requests += 1
        assert requests < 5000
        rnd.shuffle(ids)
        page = [{"id": r} for r in ids[req.skip : req.skip + req.limit]]
        out.extend(str(r["id"]) for r in pager.feed(page))
    assert len(out) == len(set(out))


def test_feed_and_request_must_alternate() -> None:
    pager = Pager(page_size=5)
    with pytest.raises(RuntimeError):
        pager.feed([])
    pager.next_request()
    with pytest.raises(RuntimeError):
        pager.next_request()


@pytest.mark.parametrize(
    "kwargs",
    [{"offset": -1}, {"limit": -1}, {"page_size": 0}, {"window": 9}],
    ids=["offset", "limit", "size", "window"],
)
def test_bad_arguments(kwargs: dict[str, int]) -> None:
    args: dict[str, Any] = {"page_size": 5, **kwargs}
    with pytest.raises(ValueError):
        Pager(**args)


def test_a_pager_that_loses_its_place_says_so() -> None:
    """Every row handed out is removed between two requests: nothing is left to
    anchor on, so rows may be missed; the pager reports it rather than stay silent."""
    rows = [f"id{i:04d}" for i in range(60)]
    pager = Pager(page_size=5, window=10)
    out: list[str] = []
    while (req := pager.next_request()) is not None:
        page = [{"id": r} for r in rows[req.skip : req.skip + req.limit]]
        out.extend(str(r["id"]) for r in pager.feed(page))
        if len(out) == 20:
            del rows[:20]  # everything read so far, and more than the window
    assert pager.gave_up
    assert len(out) == len(set(out))


def test_a_steady_read_never_gives_up() -> None:
    rows = [f"id{i:04d}" for i in range(300)]
    pager = Pager(page_size=7)
    out, _ = run(rows, pager)
    assert out == rows and not pager.gave_up


def test_the_driver_logs_when_the_pager_gives_up(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The plan that pages a select warns once, naming the request, when rows may
    have been missed: a silent short result would be a wrong answer."""
    from accsyn import _paging
    from accsyn._operations import pages
    from accsyn._plan import Page
    from accsyn._select import QueryState

    # A small window stands for "more rows removed than the pager remembers".
    monkeypatch.setattr(_paging, "MIN_WINDOW", 10)
    rows = [f"{i:024x}" for i in range(60)]
    plan = pages(QueryState("transfer", page_size=5))
    out: list[str] = []
    sent: Any = None
    with caplog.at_level("WARNING", logger="accsyn"):
        try:
            while True:
                step = plan.send(sent)
                if isinstance(step, Page):
                    out.extend(str(r["id"]) for r in step.rows)
                    if len(out) == 25:
                        del rows[5:25]  # every remembered row (the first 5 are forgotten)
                    sent = None
                    continue
                skip, limit = step.data.get("skip", 0), step.data["limit"]
                sent = {"result": [{"id": r} for r in rows[skip : skip + limit]]}
        except StopIteration:
            pass
    assert len(out) == len(set(out))
    warnings = [r for r in caplog.records if "may have been missed" in r.getMessage()]
    assert len(warnings) == 1 and "transfer/find" in warnings[0].getMessage()
