"""Job semantics from the spec and changelog: append, revival, priorities, compute, queues."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import accsyn
from accsyn.emulator import LocalWorkspace


@pytest.fixture
def ws() -> Iterator[LocalWorkspace]:
    with LocalWorkspace.fresh(seed="demo", transfers=20) as w:
        yield w


def _get(ws: LocalWorkspace, et: str, job_id: str) -> dict:  # type: ignore[type-arg]
    return ws.session().get_entity(et, job_id, raw=True)  # type: ignore[no-any-return]


def test_append_revives_the_users_existing_job_whatever_its_name(ws: LocalWorkspace) -> None:
    s = ws.session()
    first = s.create(
        "transfer",
        {"name": "morning", "source": "demo/README.txt", "destination": "lisa@example.com:/in/"},
        raw=True,
    )
    ws.clock.advance(30)
    assert _get(ws, "transfer", first["id"])["status"] == "done"
    again = s.create(
        "transfer",
        {
            "name": "evening",  # another name: append is not a match by name
            "source": "demo/shot020/comp_v003.mov",
            "destination": "lisa@example.com:/in/",
            "append": True,
        },
        raw=True,
    )
    assert again["id"] == first["id"]
    assert again["status"] in ("init", "waiting")
    ws.clock.advance(30)
    assert _get(ws, "transfer", first["id"])["status"] == "done"
    assert ws.client("lisa@example.com").exists("/in/comp_v003.mov")
    tasks = s.find("task", entityid=first["id"], raw=True)
    assert len(tasks) == 2
    # Another user's append does not revive the admin's job.
    other = ws.session("standard").create(
        "transfer",
        {"source": "volume=projects/shared/brief.pdf", "destination": "standard@example.com:/in/"},
        raw=True,
    )
    assert other["id"] != first["id"]


def test_a_new_task_revives_a_failed_job(ws: LocalWorkspace) -> None:
    s = ws.session()
    job = s.create(
        "transfer", {"source": "demo/nope.mov", "destination": "volume=projects/out/"}, raw=True
    )
    ws.clock.advance(10)
    assert _get(ws, "transfer", job["id"])["status"] == "failed"
    s.create("task", {"tasks": [{"source": "demo/README.txt"}]}, job["id"], raw=True)
    assert _get(ws, "transfer", job["id"])["status"] == "waiting"
    ws.clock.advance(30)
    tasks = {t["source"]["path"]: t["status"] for t in s.find("task", entityid=job["id"], raw=True)}
    assert tasks["demo/README.txt"] == "done"
    assert ws.session().files.exists("volume=projects/out/README.txt")


def test_task_priorities_are_kept_and_order_the_run(ws: LocalWorkspace) -> None:
    s = ws.session()
    job = s.create(
        "transfer",
        {
            "destination": "volume=projects/out/",
            "tasks": [
                {"source": "demo/README.txt", "priority": 10},
                {"source": "demo/shot020/comp_v003.mov", "priority": 900},
            ],
        },
        raw=True,
    )
    tasks = s.find("task", entityid=job["id"], raw=True)
    assert sorted(t["priority"] for t in tasks) == [10, 900]
    ws.clock.advance(2.5)  # measured, running: the first second goes to the high priority task
    by_prio = {t["priority"]: t["status"] for t in s.find("task", entityid=job["id"], raw=True)}
    assert by_prio == {900: "executing", 10: "queued"}
    ws.clock.advance(1)
    by_prio = {t["priority"]: t["status"] for t in s.find("task", entityid=job["id"], raw=True)}
    assert by_prio == {900: "done", 10: "executing"}
    running = _get(ws, "transfer", job["id"])
    assert running["status"] == "running" and 0 < running["progress"] < 100
    assert running["speed"] > 0 and running["etr"] == "1s"


def test_progress_size_and_etr_agree_on_a_big_transfer(ws: LocalWorkspace) -> None:
    lisa = ws.client("lisa@example.com")
    lisa.put("/big/a.bin", b"\0" * (300 * 1024 * 1024))  # three seconds at the simulated speed
    s = ws.session()
    job = s.create(
        "transfer", {"source": "lisa@example.com:/big/a.bin", "destination": "/big/"}, raw=True
    )
    assert job["size"] == 300 * 1024 * 1024
    ws.clock.advance(2 + 1.5)
    mid = _get(ws, "transfer", job["id"])
    assert mid["status"] == "running" and mid["progress"] == 50 and mid["etr"] == "2s"
    assert not (ws.files_root / "projects" / "big").exists()
    ws.clock.advance(2)
    assert _get(ws, "transfer", job["id"])["status"] == "done"


def test_compute_jobs_run_one_task_per_frame(ws: LocalWorkspace) -> None:
    s = ws.session()
    job = s.create(
        "compute",
        {
            "name": "render sh010",
            "engine": "builtin-accsyn-utility",
            "input": "demo/shot010",
            "output": "demo/shot010/render",
            "range": "1001-1005, 1010-1020x5",
        },
        raw=True,
    )
    assert job["status"] == "init" and job["engine"] == "builtin-accsyn-utility"
    assert len(s.find("task", entityid=job["id"], raw=True)) == 8
    ws.clock.advance(6)  # measured at +1, running from +2: four of eight frames behind it
    running = _get(ws, "compute", job["id"])
    assert running["status"] == "running" and running["progress"] == 50
    frames = [t["status"] for t in s.find("task", entityid=job["id"], raw=True)]
    assert frames.count("done") == 4 and frames.count("executing") == 1
    ws.clock.advance(4)
    assert _get(ws, "compute", job["id"])["status"] == "done"
    # A job payload with an engine is a farm job too (create("job", …)).
    farm = s.create(
        "job", {"engine": "builtin-accsyn-utility", "range": "1-2"}, raw=True, validate=False
    )
    assert farm["type"] == 3
    with pytest.raises(accsyn.BadRequestError, match="builtin-accsyn-utility"):
        s.create("compute", {"engine": "blender-nope", "range": "1-2"})
    with pytest.raises(accsyn.BadRequestError, match="range"):
        s.create("compute", {"range": "1-x"})


def test_a_queue_is_created_by_job_type(ws: LocalWorkspace) -> None:
    s = ws.session()
    q = s.create("job", {"type": 2, "code": "proj001", "priority": 700}, raw=True, validate=False)
    assert q["code"] == "proj001" and q["priority"] == 700
    assert s.find("queue WHERE code=proj001", raw=True)[0]["id"] == q["id"]
    job = s.create(
        "transfer",
        {"source": "demo/README.txt", "destination": "volume=projects/q/", "queue": "proj001"},
        raw=True,
    )
    assert job["parent"] == q["id"]
    ws.clock.advance(30)
    assert _get(ws, "transfer", job["id"])["status"] == "done"


def test_excluded_placeholder_tasks_finish_at_once(ws: LocalWorkspace) -> None:
    s = ws.session()
    job = s.create(
        "transfer",
        {"tasks": [{"source": "site=cloud:null", "destination": "volume=projects/x/"}]},
        raw=True,
    )
    assert job["status"] == "done"
    tasks = s.find("task", entityid=job["id"], raw=True)
    assert [t["status"] for t in tasks] == ["excluded"]
    # Beside real tasks, an excluded one is skipped and the job still completes.
    mixed = s.create(
        "transfer",
        {
            "destination": "volume=projects/x/",
            "tasks": [
                {"source": "demo/README.txt"},
                {"source": "demo/shot020/comp_v003.mov", "status": "excluded"},
            ],
        },
        raw=True,
    )
    ws.clock.advance(30)
    assert _get(ws, "transfer", mixed["id"])["status"] == "done"
    assert not s.files.exists("volume=projects/x/comp_v003.mov")


def test_pause_resume_and_abort_keep_working(ws: LocalWorkspace) -> None:
    s = ws.session()
    job = s.create(
        "transfer", {"source": "demo/README.txt", "destination": "volume=projects/p/"}, raw=True
    )
    assert s.update("transfer", job["id"], {"status": "paused"}, raw=True)["status"] == "paused"
    ws.clock.advance(60)
    assert _get(ws, "transfer", job["id"])["status"] == "paused"
    assert not s.files.exists("volume=projects/p/README.txt")
    assert s.update("transfer", job["id"], {"status": "waiting"}, raw=True)["status"] == "waiting"
    ws.clock.advance(30)
    assert _get(ws, "transfer", job["id"])["status"] == "done"
    assert s.files.exists("volume=projects/p/README.txt")
    other = s.create(
        "transfer", {"source": "demo/README.txt", "destination": "volume=projects/q/"}, raw=True
    )
    assert s.update("transfer", other["id"], {"status": "aborted"}, raw=True)["status"] == "aborted"
    ws.clock.advance(30)
    assert not s.files.exists("volume=projects/q/README.txt")
