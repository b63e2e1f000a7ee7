"""Done-when of contract testing: record the official client, replay, answer the same.

The official client runs a workflow through the recording proxy against the
emulator served over HTTP (the stand-in for a real workspace); the cassette is
replayed into a fresh local workspace, which answers every recorded read
exactly as recorded; and the cassette holds no API key, Authorization header
or session id.
"""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from accsyn_api.session import Session as OfficialSession

from accsyn.contract import (
    SCRUBBED,
    create_proxy_app,
    read_cassette,
    replay_reads,
    workspace_from_cassette,
)

from .conftest import Served, free_port, run_app


@pytest.fixture(scope="module")
def recording(served: Served, tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    out = tmp_path_factory.mktemp("rec") / "official.jsonl"
    app = create_proxy_app(served.url, out)
    port = free_port()
    mp = pytest.MonkeyPatch()
    for name in ("AS_DEV", "ACCSYN_API_KEY", "ACCSYN_API_USER", "ACCSYN_WORKSPACE"):
        mp.delenv(name, raising=False)
    mp.setenv("ACCSYN_PROXY", f"accsyn:127.0.0.1:{port}")
    seen: dict[str, object] = {"path": out, "key": served.keys["admin"]}
    try:
        for _ in run_app(app, port):
            s = OfficialSession(
                workspace="demo",
                username=served.users["admin"],
                api_key=served.keys["admin"],
                timeout=30,
            )
            seen["session_id"] = s._session_id
            # Writes first: reads recorded after the last write see the final state.
            job = s.create(
                "transfer",
                {
                    "name": "contract upload",
                    "source": "demo/README.txt",
                    "destination": "standard@example.com:/tmp/",
                },
            )
            s.update("transfer", job["id"], {"description": "recorded by the contract test"})
            # Over 100 KB the official client gzips the payload into gz_data.
            s.create("user", {"code": "bulky@example.com", "metadata": {"notes": "x" * 110_000}})
            # The reads the replay must answer the same.
            seen["reads"] = [
                s.find("transfer"),
                s.find("transfer WHERE status=done", finished=True),
                s.find("user"),
                s.find("queue", attributes=["code", "priority"]),
                s.find_one(f"transfer WHERE id={job['id']}"),
                s.get_entity("transfer", job["id"]),
                s.find("delivery", limit=5),
            ]
            seen["job"] = job
        app.cassette.close()
    finally:
        mp.undo()
    return seen


def test_the_cassette_holds_no_secret(recording: dict[str, object]) -> None:
    text = Path(str(recording["path"])).read_text(encoding="utf-8")
    key = str(recording["key"])
    session_id = str(recording["session_id"])
    assert len(key) > 10 and len(session_id) > 10
    for secret in (key, base64.b64encode(key.encode()).decode(), session_id):
        assert secret not in text
    cassette = read_cassette(str(recording["path"]))
    assert len(cassette) >= 9
    for i in cassette:
        if i.uri is not None or i.path.endswith("/api/login"):
            # The master lookup is the one request without credentials.
            assert i.request_headers["authorization"] == SCRUBBED
        if i.uri is not None:
            assert i.envelope["session"] == SCRUBBED
    # The gz_data payload is stored expanded (and scrubbed like any other).
    bulky = [i for i in cassette if i.compressed]
    assert bulky and bulky[0].envelope["data"]["code"] == "bulky@example.com"
    # Entity data is kept.
    assert recording["job"]["id"] in text  # type: ignore[index]


def test_replay_answers_every_recorded_read_the_same(recording: dict[str, object]) -> None:
    cassette = read_cassette(str(recording["path"]))
    with workspace_from_cassette(cassette) as ws:
        reads, mismatches = replay_reads(cassette, ws.backend)
        assert reads == len(recording["reads"])  # type: ignore[arg-type]
        assert mismatches == []


def test_replayed_state_answers_the_sdk_and_takes_new_writes(
    recording: dict[str, object],
) -> None:
    job = recording["job"]
    reads = recording["reads"]
    with workspace_from_cassette(str(recording["path"])) as ws:
        session = ws.session(role="admin")
        assert session.username == "admin@example.com"
        replayed = session.find("transfer", raw=True)
        assert [t["id"] for t in replayed] == [t["id"] for t in reads[0]]  # type: ignore[index]
        assert session.get_entity("transfer", job["id"]).description == (  # type: ignore[index]
            "recorded by the contract test"
        )
        new = session.create("user", {"code": "after-replay@example.com", "role": "standard"})
        users = session.find("user", raw=True)
        assert new.id in [u["id"] for u in users]
        assert len(users) == len(reads[2]) + 1  # type: ignore[index,arg-type]


def test_serve_from_cassette_answers_the_official_client_as_recorded(
    recording: dict[str, object], tmp_path: Path
) -> None:
    from accsyn.contract._replay import local_key, seed_from_cassette
    from accsyn.emulator import Clock, create_app, open_backend

    backend, _, _ = open_backend(None, seed=None, files_root=tmp_path, clock=Clock())
    keys, users = seed_from_cassette(backend, str(recording["path"]))
    assert users == {"admin": "admin@example.com"}
    assert keys["admin"] == local_key("admin@example.com") != recording["key"]
    port = free_port()
    mp = pytest.MonkeyPatch()
    mp.setenv("ACCSYN_PROXY", f"accsyn:127.0.0.1:{port}")
    try:
        for _ in run_app(create_app(backend), port):
            s = OfficialSession(
                workspace="demo", username=users["admin"], api_key=keys["admin"], timeout=30
            )
            reads = recording["reads"]
            assert s.find("transfer") == reads[0]  # type: ignore[index]
            assert s.find("queue", attributes=["code", "priority"]) == reads[3]  # type: ignore[index]
    finally:
        mp.undo()
        backend.store.close()


@pytest.mark.usefixtures("accsyn_clean_env")
def test_cli_serve_from_a_missing_cassette_says_so(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from accsyn.cli._app import app

    result = CliRunner().invoke(
        app, ["serve", "--port", str(free_port()), "--from-cassette", str(tmp_path / "x.jsonl")]
    )
    assert result.exit_code == 1
    assert "no cassette" in result.stderr
