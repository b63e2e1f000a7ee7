"""Actions on jobs and tasks: one request each, with the status protocol.md §6.2 defines,
checked against the lifecycle before anything is sent."""

from __future__ import annotations

import pytest

import accsyn
from accsyn.emulator import LocalWorkspace
from accsyn.models import Delivery, Task, Transfer

from .conftest import DESTINATION, SOURCE, Recorder, tasks


def _new(session: accsyn.Session, name: str = "ctl", status: str = "waiting") -> Transfer:
    return session.transfers.create(
        name=name, source=SOURCE, destination=DESTINATION, status=status
    )


@pytest.mark.parametrize(
    ("action", "start", "written"),
    [
        ("pause", "waiting", "paused"),
        ("resume", "paused", "waiting"),
        ("abort", "waiting", "aborted"),
        ("abort", "paused", "aborted"),
    ],
)
def test_each_action_is_one_edit_with_the_spec_status(
    recorder: Recorder, action: str, start: str, written: str
) -> None:
    with recorder.session() as s:
        t = _new(s, status=start)
        before = len(recorder.events())
        returned = getattr(t, action)()
        sent = recorder.events()[before:]
    assert returned is t
    assert [(e.method, e.uri) for e in sent] == [("PUT", "transfer/edit")]
    assert sent[0].envelope["id"] == t.id
    assert sent[0].envelope["data"] == {"status": written}
    # The entity holds what the server answered.
    assert t.status in {written, "running"} if written == "waiting" else t.status == written


def test_retry_runs_a_failed_or_aborted_transfer_again(session: accsyn.Session) -> None:
    t = _new(session).abort()
    assert t.status == "aborted"
    assert t.retry().status == "waiting"
    assert session.transfers.get(t.id).status == "waiting"  # type: ignore[union-attr]


def test_an_illegal_transition_names_the_status_and_the_allowed_ones(
    recorder: Recorder,
) -> None:
    with recorder.session() as s:
        t = _new(s, status="paused")
        before = len(recorder.events())
        with pytest.raises(accsyn.TransitionError) as info:
            t.pause()
        with pytest.raises(accsyn.TransitionError, match=r"'paused'.*from: failed, aborted"):
            t.retry()
        assert recorder.events()[before:] == []  # nothing was sent
    err = info.value
    assert (err.status, err.target) == ("paused", "paused")
    assert "already 'paused'" in str(err)
    assert err.allowed == ("init", "pending", "waiting", "running")
    assert isinstance(err, accsyn.ValidationError)


def test_a_finished_transfer_cannot_be_paused(session: accsyn.Session, ws: LocalWorkspace) -> None:
    t = _new(session).abort()
    with pytest.raises(accsyn.TransitionError, match="its status is 'aborted'"):
        t.pause()
    with pytest.raises(accsyn.TransitionError, match="'aborted'"):
        t.abort()


def test_an_entity_not_fetched_through_a_session_says_so() -> None:
    with pytest.raises(accsyn.AccsynError, match="not fetched through a session"):
        Transfer(id="0" * 24, status="running").pause()


def test_task_actions_go_through_task_edit_beneath_the_job(recorder: Recorder) -> None:
    with recorder.session() as s:
        t = s.transfers.create(
            name="with tasks", source=SOURCE, destination=DESTINATION,
            tasks=[{"source": SOURCE, "destination": DESTINATION}],
        )  # fmt: skip
        task = s.tasks.of(t).one()
        assert isinstance(task, Task)
        before = len(recorder.events())
        assert task.pause().status == "onhold"
        assert task.resume().status == "queued"
        assert task.exclude().status == "excluded"
        assert task.retry().status == "queued"
        sent = recorder.events()[before:]
        with pytest.raises(accsyn.TransitionError, match="from: onhold"):
            task.resume()
    assert [e.uri for e in sent] == ["task/edit"] * 4
    assert all(e.envelope["id"] == t.id for e in sent)
    assert [e.envelope["data"][0]["status"] for e in sent] == [
        "onhold", "queued", "excluded", "queued",
    ]  # fmt: skip


def test_delivery_submit_writes_pending(session: accsyn.Session) -> None:
    d = session.deliveries.create(name="to submit")
    assert isinstance(d, Delivery) and d.status == "init"
    with pytest.raises(accsyn.BadRequestError, match="at least one file and one recipient"):
        d.submit()  # the server's own check, after ours let it through
    assert d.status == "init"
    d.abort()
    assert d.status == "aborted"
    with pytest.raises(accsyn.TransitionError, match="'aborted'; that works from: init"):
        d.submit()


def test_a_selection_update_checks_every_match_then_sends_one_edit_each(
    recorder: Recorder,
) -> None:
    with recorder.session() as s:
        made = [_new(s, f"bulk {i}", status="paused") for i in range(3)]
        mine = s.transfers.where(Transfer.name.like("bulk *"))
        before = len(recorder.events())
        updated = mine.update(status="waiting")
        sent = recorder.events()[before:]
        assert {t.id for t in updated} == {t.id for t in made}
        assert all(t.status in ("waiting", "running") for t in updated)
        s.transfers.update(made[0], status="paused")
        s.transfers.update(made[1], status="aborted")
        before = len(recorder.events())
        # Already paused: left alone; the aborted one left the active pool.
        assert [t.id for t in mine.update(status="paused")] == [made[2].id]
        assert [e.uri for e in recorder.events()[before:]] == ["transfer/find", "transfer/edit"]
        before = len(recorder.events())
        with pytest.raises(accsyn.TransitionError, match="its status is 'aborted'; that works"):
            mine.finished().update(status="paused")
        with pytest.raises(accsyn.TransitionError, match="cannot be set to 'running'"):
            mine.update(status="running")
        assert [e.uri for e in recorder.events()[before:]] == ["transfer/find"]
    assert [e.uri for e in sent] == ["transfer/find", *["transfer/edit"] * 3]


def test_selection_update_of_tasks_is_one_bulk_edit_per_job(recorder: Recorder) -> None:
    with recorder.session() as s:
        t = s.transfers.create(
            name="bulk tasks", source=SOURCE, destination=DESTINATION,
            tasks=tasks(3),
        )  # fmt: skip
        before = len(recorder.events())
        held = s.tasks.of(t).where(status="queued").update(status="onhold")
        sent = recorder.events()[before:]
    assert len(held) == 3 and {x.status for x in held} == {"onhold"}
    assert [e.uri for e in sent] == ["task/find", "task/edit"]
    assert len(sent[1].envelope["data"]) == 3


async def test_async_actions(recorder: Recorder) -> None:
    async with recorder.async_session() as s:
        t = await s.transfers.create(
            name="async ctl", source=SOURCE, destination=DESTINATION, status="paused"
        )
        assert (await t.aresume()).status in ("waiting", "running")
        assert (await t.apause()).status == "paused"
        assert (await t.aabort()).status == "aborted"
        assert (await t.aretry()).status == "waiting"
        with pytest.raises(accsyn.AccsynError, match=r"await entity.apause\(\)"):
            t.pause()
        updated = await s.transfers.where(Transfer.name == "async ctl").update(status="paused")
        assert [x.status for x in updated] == ["paused"]
    edits = [e.envelope["data"]["status"] for e in recorder.events("transfer/edit")]
    assert edits == ["waiting", "paused", "aborted", "waiting", "paused"]
