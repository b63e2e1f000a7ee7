"""The CLI refuses what the session refuses, with the session's words (no workspace needed)."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from accsyn.cli._app import app

runner = CliRunner()

pytestmark = pytest.mark.usefixtures("accsyn_clean_env")


@pytest.mark.parametrize(
    "argv",
    [
        ["find", "status=failed", "--local"],
        ["query", "explain", "status=failed"],
        ["query", "check", "status=failed"],
    ],
)
def test_a_bare_expression_gets_the_sessions_error(argv: list[str]) -> None:
    result = runner.invoke(app, argv)
    assert result.exit_code == 1, result.output
    first = result.stderr.splitlines()[0]
    assert "names no entity type; write '<entitytype> WHERE status=failed' with one of:" in first
    assert "transfer" in first
    assert "Traceback" not in result.output


@pytest.mark.parametrize("text", ["entitytypes", "attributes WHERE entitytype=transfer"])
def test_find_of_a_names_statement_points_at_the_commands_that_list_names(text: str) -> None:
    # It used to be sent as an entity type: "Unknown entity type 'entitytypes'".
    result = runner.invoke(app, ["find", text, "--local"])
    assert result.exit_code == 1, result.output
    assert "accsyn entitytypes" in result.stderr
    assert "Unknown entity type" not in result.output
