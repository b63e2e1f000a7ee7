"""The CLI: ``accsyn watch`` (a table per poll when piped), ``accsyn wait`` exit codes,
``accsyn transfer pause|resume|abort`` with a confirmation for several matches."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from rich.console import Console
from typer.testing import CliRunner

import accsyn
from accsyn.cli import _jobs
from accsyn.cli._app import app
from accsyn.emulator import LocalWorkspace
from accsyn.models import Transfer

from .conftest import tasks

TASKS = tasks(8)


def _run(*args: str, stdin: str | None = None) -> Any:
    runner = CliRunner(env={"COLUMNS": "140", "NO_COLOR": "1"})
    return runner.invoke(app, list(args), input=stdin)


@pytest.fixture
def on_workspace(ws: LocalWorkspace, monkeypatch: pytest.MonkeyPatch) -> accsyn.Session:
    """The commands talk to ``ws`` through a session on its clock (no real sleeping)."""
    session = ws.session(clock=ws.clock)

    @contextmanager
    def _session(conn: object) -> Iterator[accsyn.Session]:
        yield session

    monkeypatch.setattr(_jobs, "_session", _session)
    return session


def _progress_of(output: str, ident: str) -> list[int]:
    """The progress column of one transfer in every table printed."""
    found = []
    for line in output.splitlines():
        if ident in line:
            match = re.search(r"(\d+)%", line)
            assert match, line
            found.append(int(match.group(1)))
    return found


def test_watch_prints_a_transfer_going_from_0_to_100_percent(
    on_workspace: accsyn.Session,
) -> None:
    t = on_workspace.transfers.create(name="cli watched", tasks=TASKS)
    result = _run("watch", 'transfer WHERE name="cli watched"', "--interval", "1")
    assert result.exit_code == 0, result.output
    progress = _progress_of(result.output, t.id)
    assert progress[0] == 0 and progress[-1] == 100
    assert any(0 < p < 100 for p in progress)
    assert progress == sorted(progress)
    last = result.output.strip().splitlines()
    assert any("done" in line and t.id in line for line in last[-4:])
    assert "MB/s" in result.output  # the speed column while running


def test_watch_with_nothing_to_follow_says_so(on_workspace: accsyn.Session) -> None:
    result = _run("watch", 'transfer WHERE name="no such transfer"')
    assert result.exit_code == 0
    assert "nothing to watch" in result.output


def test_the_progress_table_renders_bar_speed_and_etr() -> None:
    row = Transfer(id="a" * 24, name="x", status="running", progress=45, speed=104.9, etr="3s")
    console = Console(record=True, width=120, color_system=None)
    console.print(_jobs.progress_table({row.id: row, "b" * 24: None}))
    text = console.export_text()
    assert re.search(r"a{24} .*x .*running .*━+ +45% .*104\.9 MB/s .*3s", text)
    assert re.search(r"b{24} .*gone .* 0%", text)


@pytest.fixture
def demo() -> Iterator[LocalWorkspace]:
    """A demo workspace like the one ``--local`` opens (same seed, same ids)."""
    with LocalWorkspace(seed="demo") as ws:
        yield ws


def _one(ws: LocalWorkspace, status: str, *, finished: bool = False) -> str:
    select = ws.session().transfers.where(Transfer.status == status)
    t = (select.finished() if finished else select).first()
    assert t is not None
    return t.id


def test_wait_exit_codes(demo: LocalWorkspace) -> None:
    done = _one(demo, "done", finished=True)
    result = _run("wait", "transfer", done, "--until", "done", "--local")
    assert (result.exit_code, result.output.strip()) == (0, f"transfer {done} done")

    failed = _one(demo, "failed")
    result = _run("wait", "transfer", failed, "--until", "done", "--local")
    assert (result.exit_code, result.output.strip()) == (1, f"transfer {failed} failed")
    result = _run("wait", "transfer", failed, "--until", "done,failed", "--local")
    assert result.exit_code == 0

    running = _one(demo, "running")
    result = _run("wait", "transfer", running, "--timeout", "0s", "--local")
    assert result.exit_code == 124
    assert "still running after 0s" in result.output

    result = _run("wait", "transfer", running, "--timeout", "10x", "--local")
    assert result.exit_code == 2 and "not a duration" in result.output
    result = _run("wait", "transfer", "0" * 24, "--local")
    assert result.exit_code == 1 and "no transfer with id" in result.output


def test_wait_on_a_workspace_clock_returns_when_done(on_workspace: accsyn.Session) -> None:
    t = on_workspace.transfers.create(name="cli waited", tasks=TASKS[:10])
    result = _run("wait", "transfer", t.id, "--until", "done", "--timeout", "10m")
    assert (result.exit_code, result.output.strip()) == (0, f"transfer {t.id} done")


def test_wait_timeouts_parse() -> None:
    assert _jobs.parse_duration("10m") == 600
    assert _jobs.parse_duration("90") == 90
    assert _jobs.parse_duration("1.5h") == 5400


def test_transfer_pause_resume_abort_by_id(demo: LocalWorkspace) -> None:
    running = _one(demo, "running")
    result = _run("transfer", "pause", running, "--local")
    assert result.exit_code == 0 and result.output.startswith(f"paused transfer {running}")
    result = _run("transfer", "resume", running, "--local")  # a fresh workspace: running
    assert result.exit_code == 1
    assert "its status is 'running'; that works from: paused" in result.output


def test_a_query_matching_several_asks_first(on_workspace: accsyn.Session) -> None:
    made = [
        on_workspace.transfers.create(name=f"cli many {i}", tasks=TASKS[:1], status="paused")
        for i in range(3)
    ]
    query = 'transfer WHERE name="cli many *"'
    declined = _run("transfer", "resume", query, stdin="n\n")
    assert declined.exit_code == 1 and "resume 3 transfers" in declined.output
    assert {t.status for t in on_workspace.transfers.where(Transfer.name.like("cli many *"))} == {
        "paused"
    }
    accepted = _run("transfer", "resume", query, stdin="y\n")
    assert accepted.exit_code == 0, accepted.output
    assert {line.split()[2] for line in accepted.output.splitlines() if "resumed" in line} == {
        t.id for t in made
    }
    forced = _run("transfer", "abort", 'name="cli many *"', "--yes")
    assert forced.exit_code == 0 and forced.output.count("aborted transfer") == 3
    nothing = _run("transfer", "pause", query, "--yes")
    assert nothing.exit_code == 1 and "no transfer matches" in nothing.output


def test_the_commands_work_against_a_server(ws: LocalWorkspace) -> None:
    from accsyn.emulator._asgi import create_app
    from accsyn.testing._serve import serve_app

    workspace, user, key = ws.credentials("admin")
    made = ws.session().transfers.create(name="served", tasks=TASKS[:1], status="paused")
    with serve_app(create_app(ws.backend)) as port:
        where = ["--workspace", workspace, "--user", user, "--api-key", key]
        where += ["--base-url", f"http://127.0.0.1:{port}"]
        resumed = _run("transfer", "resume", made.id, *where)
        assert resumed.exit_code == 0, resumed.output
        assert resumed.output.startswith(f"resumed transfer {made.id}")
        waited = _run("wait", "transfer", made.id, "--timeout", "0", *where)
        assert waited.exit_code == 124 and key not in waited.output
        aborted = _run("transfer", "abort", 'name="served"', *where)
        assert aborted.exit_code == 0 and f"aborted transfer {made.id}" in aborted.output
        # Aborted, it left the active pool: nothing to watch, and the command says so.
        watched = _run("watch", 'transfer WHERE name="served"', *where)
        assert watched.exit_code == 0 and "nothing matches" in watched.output
        finished = _run("wait", "transfer", made.id, "--until", "aborted", *where)
        assert (finished.exit_code, finished.output.strip()) == (0, f"transfer {made.id} aborted")


def test_in_a_terminal_the_watch_is_one_live_table(
    on_workspace: accsyn.Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    console = Console(record=True, force_terminal=True, width=120, color_system=None)
    monkeypatch.setattr(_jobs, "stdout", lambda: console)
    t = on_workspace.transfers.create(name="cli live", tasks=TASKS)
    result = _run("watch", 'transfer WHERE name="cli live"', "--interval", "1")
    assert result.exit_code == 0, result.output
    frames = console.export_text()
    progress = _progress_of(frames, t.id)
    assert progress[0] == 0 and progress[-1] == 100 and len(progress) >= 3
    assert progress == sorted(progress)  # each frame redraws the one table in place
