"""``watch``: change events by diffing polls; polls after the first ask only for rows
modified since the last one. Time is the workspace clock: the watch's pauses advance it."""

from __future__ import annotations

from typing import Any

import pytest

import accsyn
from accsyn.emulator import LocalWorkspace
from accsyn.models import Transfer

from .conftest import Recorder, tasks

TASKS = tasks(8)


def _token(event: Any) -> str:
    """An event as a short word: the kind, and the status change if any."""
    kind = type(event).__name__
    changes = getattr(event, "changes", {})
    if "status" in changes:
        old, new = changes["status"]
        return f"{kind} {old}->{new}"
    if kind == "Changed":
        assert "progress" in changes or "speed" in changes or "etr" in changes, changes
        return "progress"
    return f"{kind} {event.entity.status}"


def _collapse(tokens: list[str]) -> list[str]:
    """Runs of progress events become one (how many depends on the simulated speed)."""
    out: list[str] = []
    for t in tokens:
        if not (t == "progress" and out and out[-1] == "progress"):
            out.append(t)
    return out


def test_watch_yields_the_lifecycle_of_a_transfer(session: accsyn.Session) -> None:
    t = session.transfers.create(name="watched", tasks=TASKS)
    mine = session.transfers.where(Transfer.name.like("watched*"))
    tokens: list[str] = []
    progress: list[int] = []
    paused = resumed = False
    other: Transfer | None = None
    for event in mine.watch(interval=1, full_every=3):
        tokens.append(_token(event))
        if event.entity.id == t.id and event.entity.status == "running":
            progress.append(event.entity.progress)
        if tokens[-1] == "progress" and not paused:
            t.pause()
            paused = True
        elif tokens[-1] == "Changed running->paused" and not resumed:
            t.resume()
            resumed = True
        elif tokens[-1] == "Finished running->done":
            other = session.transfers.create(name="watched too", tasks=TASKS[:1], status="paused")
        elif tokens[-1] == "Created paused":
            assert other is not None and event.entity.id == other.id
            session.transfers.delete(other)
        elif tokens[-1].startswith("Gone"):
            assert other is not None and event.entity.id == other.id
            break
    assert _collapse(tokens) == [
        "Created init",
        "Changed init->waiting",
        "Changed waiting->running",
        "progress",
        "Changed running->paused",
        "Changed paused->running",
        "progress",
        "Finished running->done",
        "Created paused",
        "Gone paused",
    ]
    assert progress[0] == 0 and 0 < max(progress) < 100
    assert session.transfers.get(t.id).progress == 100  # type: ignore[union-attr]


def test_polls_after_the_first_ask_only_for_rows_modified_since(
    recorder: Recorder, ws: LocalWorkspace
) -> None:
    with recorder.session() as s:
        idle = s.transfers.create(name="poll idle", tasks=TASKS[:1], status="paused")
        ws.clock.advance(5)
        busy = [s.transfers.create(name=f"poll busy {i}", tasks=TASKS) for i in range(2)]
        mine = s.transfers.where(Transfer.name.like("poll *"))
        before = len(recorder.events())
        seen: list[Any] = []
        for event in mine.watch(interval=1, full_every=1000):
            seen.append(event)
            if sum(isinstance(e, accsyn.Finished) for e in seen) == 2:
                break
        polls = [e for e in recorder.events()[before:] if e.uri == "transfer/find"]
    first, rest = polls[0], polls[1:]
    assert first.envelope["query"] == 'name="poll *"'
    assert {r["id"] for r in first.result} == {idle.id, *(b.id for b in busy)}
    assert rest, "the watch polled only once"
    previous: dict[str, dict[str, Any]] = {r["id"]: r for r in first.result}
    for poll in rest:
        query = poll.envelope["query"]
        assert query.startswith("modified>="), query
        rows = poll.result
        # Only what changed since the poll before: never the idle transfer, never a
        # seeded one, and each row returned differs from how it was last seen.
        assert idle.id not in {r["id"] for r in rows}
        for row in rows:
            assert row["id"] in previous and row != previous[row["id"]], row
            previous[row["id"]] = row
    assert len(rest) >= 4


def test_a_deleted_match_is_gone_at_the_next_id_check(recorder: Recorder) -> None:
    with recorder.session() as s:
        doomed = s.transfers.create(name="doomed", tasks=TASKS[:1], status="paused")
        events = s.transfers.where(Transfer.name == "doomed").watch(interval=2, full_every=2)
        assert isinstance(next(events), accsyn.Created)
        s.transfers.delete(doomed)
        gone = next(events)
        assert isinstance(gone, accsyn.Gone) and gone.entity.id == doomed.id
    checks = [
        e for e in recorder.events("transfer/find") if "id in" in str(e.envelope.get("query"))
    ]
    assert checks and checks[0].envelope["data"]["attributes"] == ["id"]


async def test_async_watch(ws: LocalWorkspace) -> None:
    async with ws.async_session(clock=ws.clock) as s:
        t = await s.transfers.create(name="async watched", tasks=TASKS[:50])
        tokens: list[str] = []
        async for event in s.transfers.where(Transfer.name == "async watched").watch(interval=1):
            tokens.append(_token(event))
            assert event.entity.id == t.id
            if isinstance(event, accsyn.Finished):
                break
    assert tokens[0] == "Created init" and tokens[-1] == "Finished running->done"


@pytest.mark.parametrize("interval", [0, -1, "5"])
def test_watch_needs_a_positive_interval(session: accsyn.Session, interval: Any) -> None:
    with pytest.raises(accsyn.ValidationError, match="interval > 0"):
        next(session.transfers.where(Transfer.name == "x").watch(interval=interval))
