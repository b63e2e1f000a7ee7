"""In-process recording (sync and async), replay state, and the cassette fixture."""

from __future__ import annotations

from pathlib import Path

import pytest

from accsyn.contract import (
    AsyncRecordingTransport,
    RecordingTransport,
    plan_replay,
    read_cassette,
    replay_reads,
    workspace_from_cassette,
)
from accsyn.emulator import LocalWorkspace
from accsyn.emulator._workspace import IN_PROCESS_URL
from accsyn.session import AsyncSession, Session

CASSETTE = Path(__file__).parent / "cassettes" / "small.jsonl"


def _session(ws: LocalWorkspace, transport: RecordingTransport, role: str = "admin") -> Session:
    w, u, k = ws.credentials(role)
    return Session(workspace=w, username=u, api_key=k, base_url=IN_PROCESS_URL, transport=transport)


def test_in_process_recording_replays_as_state(tmp_path: Path) -> None:
    path = tmp_path / "run.jsonl"
    with (
        LocalWorkspace(seed="demo", transfers=15) as ws,
        _session(ws, RecordingTransport(ws.transport(), path)) as s,
    ):
        s.find("transfer WHERE status=failed", raw=True)
        all_users = s.find("user", raw=True)
        s.find("user", attributes=["code"], raw=True)  # a projection adds nothing new
        # A user deactivated during the recording is inactive after replay.
        gone = next(u for u in all_users if u["code"] == "lisa@example.com")
        s.deactivate_one("user", gone["id"])
        s.find("user", raw=True)
    cassette = read_cassette(path)
    plan = plan_replay(cassette)
    assert plan.workspace == "demo" and plan.callers == {"admin@example.com": "admin"}
    assert plan.problems == []
    with workspace_from_cassette(cassette) as replayed:
        reads, mismatches = replay_reads(cassette, replayed.backend, settled_only=False)
        # Only the reads before the deactivation saw lisa active.
        assert reads == 4 and [m.index for m in mismatches] == [2, 3]
        session = replayed.session()
        assert "lisa@example.com" not in [u.code for u in session.find("user")]
        assert session.find_one("user WHERE code=lisa@example.com", inactive=True) is not None
        with pytest.raises(ValueError, match="admin"):
            replayed.session(role="standard")  # no standard caller was recorded


async def test_async_recording(tmp_path: Path) -> None:
    path = tmp_path / "async.jsonl"
    with LocalWorkspace(seed="demo", transfers=5) as ws:
        w, u, k = ws.credentials("employee")
        transport = AsyncRecordingTransport(ws.async_transport(), path)
        async with AsyncSession(
            workspace=w, username=u, api_key=k, base_url=IN_PROCESS_URL, transport=transport
        ) as s:
            users = await s.find("user", raw=True)
    cassette = read_cassette(path)
    (find,) = cassette.events("find")
    assert find.result == users
    assert plan_replay(cassette).callers == {"employee@example.com": "employee"}


@pytest.mark.accsyn_cassette("cassettes/small.jsonl")
def test_the_marker_seeds_a_workspace_from_a_cassette(accsyn_cassette_workspace) -> None:  # type: ignore[no-untyped-def]
    cassette = read_cassette(CASSETTE)
    recorded = cassette.events("find")[0].result
    session = accsyn_cassette_workspace.session()
    assert [q["code"] for q in session.find("queue", raw=True)] == [q["code"] for q in recorded]
    # Writes build on the replayed state.
    session.create("queue", {"name": "Night", "code": "night"})
    assert len(session.find("queue")) == len(recorded) + 1


def test_recording_is_reachable_from_accsyn_testing() -> None:
    import accsyn.contract
    import accsyn.testing

    assert accsyn.testing.RecordingTransport is accsyn.contract.RecordingTransport
    assert accsyn.testing.AsyncRecordingTransport is accsyn.contract.AsyncRecordingTransport


@pytest.mark.usefixtures("accsyn_clean_env")
def test_record_refuses_an_upstream_that_is_not_an_http_url(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from accsyn import ConfigurationError
    from accsyn.cli._app import app
    from accsyn.contract import create_proxy_app

    with pytest.raises(ConfigurationError, match="http"):
        create_proxy_app("ftp://files.example.com", tmp_path / "x.jsonl")
    result = CliRunner().invoke(
        app, ["record", "--upstream", "not a url", "--out", str(tmp_path / "y.jsonl")]
    )
    assert result.exit_code == 1
    assert "--upstream must be an http(s) URL" in result.stderr
    assert not (tmp_path / "y.jsonl").exists()


async def test_an_unreachable_upstream_answers_502_and_records_nothing(tmp_path: Path) -> None:
    import httpx

    from accsyn.contract import create_proxy_app

    from .conftest import free_port

    out = tmp_path / "z.jsonl"
    app = create_proxy_app(f"http://127.0.0.1:{free_port()}", out)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://proxy"
    ) as client:
        response = await client.put("/api/v3/api/login", content=b"{}")
    await app.client.aclose()
    app.cassette.close()
    assert response.status_code == 502
    assert "could not reach the upstream" in response.json()["message"]
    assert read_cassette(out).interactions == []
