"""accsyn doctor: drift between a workspace's data and the models, and nothing else."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from accsyn.cli._app import app
from accsyn.contract import RecordingTransport, diagnose, entities_from_session
from accsyn.contract._doctor import scanned_types
from accsyn.emulator import LocalWorkspace
from accsyn.emulator._workspace import IN_PROCESS_URL
from accsyn.models import specs
from accsyn.session import Session

# The entity types the drift is injected into; the check covers the whole type.
TYPES = ["transfer", "user"]


def _inject_drift(ws: LocalWorkspace) -> str:
    """An extra attribute, an unknown enum value and a type change, on one transfer."""
    store = ws.backend.store
    row = store.select(["transfer"], limit=1)[0]
    row.data["colour"] = "teal"  # undeclared
    row.data["status"] = "hibernating"  # JobStatus has no such value
    row.data["size"] = "big"  # an int in the model
    store.update(row)
    return row.id


def _problems(report: object) -> set[tuple[str, str, str]]:
    return {
        (et, f.attribute, f.problem.split(":")[0])
        for et, f in report.findings  # type: ignore[attr-defined]
    }


def test_a_clean_workspace_reports_nothing() -> None:
    with LocalWorkspace(seed="demo", transfers=20) as ws:
        entities, _ = entities_from_session(ws.session(), types=TYPES)
        report = diagnose(entities, "clean")
    assert report.clean, report.to_text()
    assert report.exit_code() == 0
    assert report.types["transfer"].entities >= 20


def test_a_freshly_seeded_workspace_reports_nothing_for_any_type() -> None:
    # Every entity type the models define, as a live scan asks for them: the local
    # workspace stores what the models say, so there is no drift and (strict) no
    # declared attribute it never shows.
    with LocalWorkspace(seed="demo", transfers=5) as ws:
        entities, notes = entities_from_session(ws.session())
        report = diagnose(entities, "fresh")
    assert notes == []
    assert report.clean, report.to_text()
    assert report.exit_code(strict=True) == 0, report.to_text(unseen=True)
    every = set(scanned_types())
    assert set(report.types) == every
    assert all(report.types[et].entities > 0 for et in every), report.to_text()
    # Subtypes and umbrellas are rows of the types scanned, each counted once.
    assert every == {et for et, s in specs().items() if not s.members} - {
        "app",
        "server",
        "userserver",
        "browser",
        "lane",
    }


@pytest.mark.usefixtures("accsyn_clean_env")
def test_doctor_cli_on_a_fresh_local_workspace_is_clean() -> None:
    result = CliRunner().invoke(app, ["doctor", "--local", "--format", "json", "--strict"])
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert {t["entitytype"] for t in body["types"]} == set(scanned_types())


def test_injected_drift_is_reported_exactly() -> None:
    with LocalWorkspace(seed="demo", transfers=20) as ws:
        _inject_drift(ws)
        entities, _ = entities_from_session(ws.session(), types=TYPES)
        report = diagnose(entities, "drifted")
    assert _problems(report) == {
        ("transfer", "colour", "undeclared attribute"),
        ("transfer", "status", "unknown JobStatus value"),
        ("transfer", "size", "wrong kind (model"),
    }
    by_attr = {f.attribute: f for _, f in report.findings}
    assert by_attr["colour"].count == 1 and by_attr["colour"].samples == ["teal"]
    assert by_attr["status"].samples == ["hibernating"]
    assert report.exit_code() == 1
    md = report.to_markdown()
    assert '| transfer | `colour` | undeclared attribute | 1 | "teal" |' in md
    assert [t["entitytype"] for t in report.to_json()["types"]] == TYPES


def test_secret_valued_attributes_are_masked_in_samples() -> None:
    report = diagnose(
        [("user", {"id": "a" * 24, "api_key": "very-secret-value", "code": "a@b.c"})], "x"
    )
    (finding,) = [f for _, f in report.findings]
    assert finding.attribute == "api_key" and finding.samples == ["<masked>"]
    assert "very-secret-value" not in report.to_text()


def test_declared_attributes_never_seen_are_information_unless_strict() -> None:
    report = diagnose([("queue", {"id": "b" * 24, "code": "high"})], "x")
    assert report.clean and "priority" in report.types["queue"].unseen
    assert report.exit_code() == 0 and report.exit_code(strict=True) == 1
    assert "never seen" in report.to_text(unseen=True)


runner = CliRunner()


@pytest.mark.usefixtures("accsyn_clean_env")
def test_cli_doctor_on_a_cassette_json_and_exit_codes(tmp_path: Path) -> None:
    cassette = tmp_path / "drift.jsonl"
    with LocalWorkspace(seed="demo", transfers=10) as ws:
        _inject_drift(ws)
        w, u, k = ws.credentials("admin")
        transport = RecordingTransport(ws.transport(), cassette)
        with Session(
            workspace=w, username=u, api_key=k, base_url=IN_PROCESS_URL, transport=transport
        ) as s:
            s.find("transfer", raw=True)
            s.find("user", raw=True)
    result = runner.invoke(app, ["doctor", "--cassette", str(cassette), "--format", "json"])
    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)
    assert report["clean"] is False
    (transfer,) = [t for t in report["types"] if t["entitytype"] == "transfer"]
    assert [f["attribute"] for f in transfer["undeclared"]] == ["colour"]
    assert {f["attribute"] for f in transfer["invalid"]} == {"status", "size"}
    clean = runner.invoke(app, ["doctor", "--cassette", str(cassette), "--type", "user"])
    assert clean.exit_code == 0, clean.output
    assert "no drift" in clean.stdout
    missing = runner.invoke(app, ["doctor", "--cassette", str(tmp_path / "none.jsonl")])
    assert missing.exit_code == 2
    assert "no cassette" in missing.stderr


@pytest.mark.usefixtures("accsyn_clean_env")
def test_cli_doctor_on_the_local_workspace_markdown() -> None:
    result = runner.invoke(
        app, ["doctor", "--local", "--format", "markdown", "--type", "transfer", "--type", "user"]
    )
    assert result.exit_code == 0, result.output
    assert "No drift from the models." in result.stdout


@pytest.mark.usefixtures("accsyn_clean_env")
def test_cli_doctor_against_accsyn_serve(served) -> None:  # type: ignore[no-untyped-def]
    key = served.keys["admin"]
    args = ["doctor", "--base-url", served.url, "--workspace", "demo"]
    args += ["--user", served.users["admin"], "--api-key", key]
    result = runner.invoke(app, [*args, "--type", "transfer", "--format", "json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["source"] == "workspace demo" and report["clean"] is True
    assert [t["entitytype"] for t in report["types"]] == ["transfer"]
    assert key not in result.output
