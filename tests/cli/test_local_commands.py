"""Workspace commands against the embedded local workspace (`--local`)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from accsyn.cli._app import app
from accsyn.cli._demo import SCREENS, run_demo

runner = CliRunner()


pytestmark = pytest.mark.usefixtures("accsyn_clean_env")


def _json_rows(output: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in output.splitlines() if line.strip()]


def test_find_json_lines() -> None:
    result = runner.invoke(app, ["find", "transfer", "--local", "--json"])
    assert result.exit_code == 0, result.output
    rows = _json_rows(result.stdout)
    assert rows
    assert all(isinstance(row["id"], str) for row in rows)


def test_paging_honours_limit_and_offset() -> None:
    everything = _json_rows(runner.invoke(app, ["find", "transfer", "--local", "--json"]).stdout)
    assert len(everything) > 6
    page = runner.invoke(
        app,
        [
            "find",
            "transfer",
            "--local",
            "--json",
            "--limit",
            "5",
            "--offset",
            "2",
            "--page-size",
            "2",
        ],
    )
    assert page.exit_code == 0, page.output
    rows = _json_rows(page.stdout)
    assert [r["id"] for r in rows] == [r["id"] for r in everything[2:7]]


def test_select_restricts_attributes_and_csv_has_a_header() -> None:
    result = runner.invoke(app, ["find", "user", "--local", "--select", "id,code", "--csv"])
    assert result.exit_code == 0, result.output
    reader = list(csv.reader(io.StringIO(result.stdout)))
    assert reader[0] == ["id", "code"]
    assert len(reader) > 1
    assert all("@" in row[1] for row in reader[1:])


def test_table_output_shows_selected_columns() -> None:
    result = runner.invoke(
        app, ["find", "user WHERE role=admin", "--local", "--select", "code,role"]
    )
    assert result.exit_code == 0, result.output
    assert "code" in result.stdout and "role" in result.stdout
    assert "admin" in result.stdout


def test_filtering_matches_the_query() -> None:
    result = runner.invoke(
        app, ["find", "transfer WHERE status=failed", "--local", "--json", "--select", "status"]
    )
    assert result.exit_code == 0, result.output
    assert all(row["status"] == "failed" for row in _json_rows(result.stdout))


def test_json_and_csv_are_exclusive() -> None:
    result = runner.invoke(app, ["find", "user", "--local", "--json", "--csv"])
    assert result.exit_code == 1
    assert "--json" in result.stderr


def test_get_of_an_unknown_id_is_an_error() -> None:
    result = runner.invoke(app, ["get", "transfer", "0123456789abcdef01234567", "--local"])
    assert result.exit_code == 1
    assert result.stderr.startswith("error: ")


def test_create_prints_the_created_entity() -> None:
    result = runner.invoke(
        app,
        ["create", "queue", "--local", "--json", "--data", '{"code": "nightly", "priority": 5}'],
    )
    assert result.exit_code == 0, result.output
    created = json.loads(result.stdout)
    assert created["code"] == "nightly"
    assert len(created["id"]) == 24


def test_create_rejects_bad_json() -> None:
    result = runner.invoke(app, ["create", "queue", "--local", "--data", "{nope"])
    assert result.exit_code == 1
    assert result.stderr.startswith("error: invalid JSON")


def test_create_from_file(tmp_path: Path) -> None:
    payload = tmp_path / "queue.json"
    payload.write_text('{"code": "from-file", "priority": 3}')
    result = runner.invoke(app, ["create", "queue", "--local", "--json", "--file", str(payload)])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["code"] == "from-file"


def test_entitytypes_and_attributes_locally() -> None:
    types = runner.invoke(app, ["entitytypes", "--local"])
    assert types.exit_code == 0, types.output
    assert "transfer" in types.stdout.split()
    attrs = runner.invoke(app, ["attributes", "transfer", "--local", "--json"])
    assert attrs.exit_code == 0, attrs.output
    assert "status" in json.loads(attrs.stdout)


def test_demo_runs_every_screen_for_real() -> None:
    out = io.StringIO()
    failed = run_demo(Console(file=out, width=120, color_system=None))
    text = out.getvalue()
    assert failed == []
    for screen in SCREENS:
        assert screen.title in text
    assert "not available" not in text
    assert "^" in text  # the syntax-error screen shows its caret


def test_demo_command_exits_zero() -> None:
    result = runner.invoke(app, ["demo"])
    assert result.exit_code == 0, result.output
    assert "Async fan-out" in result.stdout


def test_demo_code_fits_an_80_column_terminal() -> None:
    # A panel on an 80-column terminal leaves 76 columns; longer lines would wrap.
    for screen in SCREENS:
        for line in screen.code.splitlines():
            assert len(line) <= 74, f"{screen.title}: {line}"


def test_paging_shows_a_progress_bar_on_an_interactive_stderr() -> None:
    from accsyn.cli._workspace import make_progress, parse_statement, to_select
    from accsyn.emulator import LocalWorkspace

    err = io.StringIO()
    console = Console(file=err, force_terminal=True, width=100)
    with LocalWorkspace(seed="demo") as workspace, workspace.session() as session:
        select = to_select(session, parse_statement("transfer"), page_size=25)
        with make_progress(console, known_total=False) as progress:
            task = progress.add_task("fetching")
            pages = []
            for page in select.pages():
                progress.advance(task, len(page))
                pages.append(page)
    assert len(pages) > 1
    assert "fetching" in err.getvalue()
    assert all(len(page) <= 25 for page in pages)
