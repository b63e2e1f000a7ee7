"""`accsyn query check|fmt|explain` and the CLI's error behaviour (no workspace needed)."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest
from typer.testing import CliRunner

from accsyn.cli._app import app

runner = CliRunner()


pytestmark = pytest.mark.usefixtures("accsyn_clean_env")


def test_fmt_prints_the_canonical_form() -> None:
    result = runner.invoke(
        app, ["query", "fmt", "Transfer where status<>failed and name CONTAINS x"]
    )
    assert result.exit_code == 0, result.output
    assert result.stdout == "transfer WHERE status!=failed AND name contains x\n"


def test_fmt_reads_stdin_line_by_line() -> None:
    result = runner.invoke(
        app, ["query", "fmt", "-"], input="# header\nUser where role = admin\n\nsite\n"
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == ["# header", "user WHERE role=admin", "", "site"]


def test_syntax_error_prints_one_line_and_the_caret() -> None:
    result = runner.invoke(app, ["query", "fmt", "transfer WHERE status= AND name=x"])
    assert result.exit_code == 1
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert lines[0].startswith("error: invalid query at line 1, column 24")
    assert "expected a value" in lines[0]
    assert lines[1].strip() == "transfer WHERE status= AND name=x"
    # The caret sits under the 24th character of the query line.
    assert lines[2].index("^") == lines[1].index("transfer") + 23
    assert "Traceback" not in result.output


def test_check_accepts_a_valid_query() -> None:
    result = runner.invoke(app, ["query", "check", "Transfer WHERE status=failed"])
    assert result.exit_code == 0, result.output
    assert "transfer WHERE status=failed" in result.stdout


def test_check_reports_an_unknown_attribute_with_its_column() -> None:
    result = runner.invoke(app, ["query", "check", "transfer WHERE stauts=failed"])
    assert result.exit_code == 1
    assert "stauts" in result.stderr
    assert "status" in result.stderr  # the suggestion
    assert "Traceback" not in result.output


def test_check_files(tmp_path: Path) -> None:
    good = tmp_path / "good.accsyn"
    good.write_text("transfer WHERE status=failed\n")
    bad = tmp_path / "bad.accsyn"
    bad.write_text("# ok\ntransfer WHERE (status=failed\n")
    ok = runner.invoke(app, ["query", "check", "--file", str(good)])
    assert ok.exit_code == 0, ok.output
    failed = runner.invoke(app, ["query", "check", "--file", str(good), "--file", str(bad)])
    assert failed.exit_code == 1
    assert failed.stdout.startswith(f"{bad}:2:")


def test_check_without_input_is_a_usage_error() -> None:
    result = runner.invoke(app, ["query", "check"])
    assert result.exit_code == 2


def test_explain_shows_the_request_without_secrets() -> None:
    result = runner.invoke(
        app,
        [
            "query",
            "explain",
            "Transfer WHERE status=failed",
            "--limit",
            "5",
            "--select",
            "id,status",
            "--finished",
        ],
    )
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.startswith("GET https://acme.accsyn.com:443/api/v3/event\n")
    assert "Authorization: ***" in out
    envelope = json.loads(out[out.index("envelope:") + len("envelope:") :])
    assert envelope["uri"] == "transfer/find"
    assert envelope["query"] == "status=failed"
    assert envelope["data"] == {"finished": True, "limit": 5, "attributes": ["id", "status"]}
    assert envelope["session"] == "***"


def test_explain_needs_an_entity_type() -> None:
    result = runner.invoke(app, ["query", "explain", "status=failed"])
    assert result.exit_code == 1
    assert "entity type" in result.stderr


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_connection_failure_is_one_line_and_never_shows_the_key() -> None:
    key = "sk-SUPERSECRET-0123456789"
    result = runner.invoke(
        app,
        [
            "find",
            "transfer",
            "--workspace",
            "acme",
            "--user",
            "me@example.com",
            "--api-key",
            key,
            "--base-url",
            f"http://127.0.0.1:{_closed_port()}",
        ],
    )
    assert result.exit_code == 1
    *retries, last = result.stderr.strip().splitlines()
    assert last.startswith("error: ")
    # Each retry is reported (reason and delay) before the one-line error.
    assert retries and all("connection refused; retry" in line for line in retries)
    assert key not in result.output
    assert "Traceback" not in result.output


def test_find_rejects_a_bare_expression() -> None:
    result = runner.invoke(app, ["find", "status=failed", "--local"])
    assert result.exit_code == 1
    assert "entity type" in result.stderr


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.stdout.startswith("accsyn ")


def test_debug_shows_the_traceback() -> None:
    import accsyn

    quiet = runner.invoke(app, ["query", "fmt", "transfer WHERE (a=1"])
    assert quiet.exit_code == 1
    assert quiet.exception is None or isinstance(quiet.exception, SystemExit)
    loud = runner.invoke(app, ["--debug", "query", "fmt", "transfer WHERE (a=1"])
    assert isinstance(loud.exception, accsyn.QuerySyntaxError)
    also_loud = runner.invoke(app, ["query", "fmt", "transfer WHERE (a=1", "--debug"])
    assert isinstance(also_loud.exception, accsyn.QuerySyntaxError)
