"""The first hour with the CLI, as a new user meets it (issue 14, "The first hour")."""

from __future__ import annotations

import io
import json
import os
import re
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from accsyn.cli._app import app
from accsyn.cli._output import human_size, print_table

runner = CliRunner()

pytestmark = pytest.mark.usefixtures("accsyn_clean_env")

SCRIPT = str(Path(sys.executable).with_name("accsyn"))


def _clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("ACCSYN_") and k != "AS_DEV"}


# --- help shows flags as flags ----------------------------------------------------------


def _all_help_screens() -> dict[str, str]:
    screens = {}
    for args in (
        [],
        ["find"],
        ["get"],
        ["create"],
        ["update"],
        ["delete"],
        ["entitytypes"],
        ["attributes"],
        ["whoami"],
        ["query"],
        ["query", "check"],
        ["query", "fmt"],
        ["query", "explain"],
        ["lint"],
        ["serve"],
        ["demo"],
    ):
        result = runner.invoke(app, [*args, "--help"], env={"COLUMNS": "140"})
        assert result.exit_code == 0, result.output
        screens[" ".join(args) or "accsyn"] = result.stdout
    return screens


def test_help_renders_flags_as_flags_on_every_command() -> None:
    screens = _all_help_screens()
    for name, text in screens.items():
        assert "<bool>" not in text, name
    find = screens["find"]
    assert re.search(r"--json\s+JSON lines", find), find
    assert re.search(r"--local\s+Use an embedded", find), find


def test_a_flag_given_a_value_says_flags_take_none() -> None:
    result = runner.invoke(
        app, ["find", "user", "--local", "--json", "true"], env={"COLUMNS": "200"}
    )
    assert result.exit_code == 2
    assert "a flag takes no value: write --json, not --json true" in result.stderr


# --- no silent demo fallback ------------------------------------------------------------


def test_no_credentials_is_an_error_saying_how_to_configure() -> None:
    result = runner.invoke(app, ["find", "user", "--json"])
    assert result.exit_code == 2
    assert result.stdout == ""
    message = result.stderr
    assert message.startswith("error: no accsyn workspace configured")
    for way in ("--workspace", "--api-key", "ACCSYN_API_KEY", "--env-file", "--local"):
        assert way in message


def test_local_is_the_explicit_way_to_the_demo_workspace() -> None:
    result = runner.invoke(app, ["find", "user", "--json", "--local"])
    assert result.exit_code == 0, result.output
    assert [json.loads(line)["code"] for line in result.stdout.splitlines()]
    assert result.stderr == ""


# --- whoami --------------------------------------------------------------------------------


def test_whoami_on_the_local_workspace() -> None:
    result = runner.invoke(app, ["whoami", "--local", "--json"])
    assert result.exit_code == 0, result.output
    info = json.loads(result.stdout)
    assert info["workspace"] == "demo"
    assert info["user"] == "admin@example.com"
    assert info["role"] == "admin"
    assert info["api_key"].startswith("***")


def test_whoami_table_for_people() -> None:
    result = runner.invoke(app, ["whoami", "--local"])
    assert result.exit_code == 0, result.output
    for word in ("workspace", "demo", "admin@example.com", "role", "endpoint", "api_key", "***"):
        assert word in result.stdout


# --- tables: wide, piped, human sizes and dates -----------------------------------------


def test_piped_tables_are_never_truncated() -> None:
    result = runner.invoke(
        app, ["find", "transfer", "--local", "--select", "id,name,created,source_hr,size"]
    )
    assert result.exit_code == 0, result.output
    ids = re.findall(r"\b[0-9a-f]{24}\b", result.stdout)
    assert len(ids) > 10
    assert "…" not in result.stdout


def test_a_terminal_table_is_shortened_unless_wide() -> None:
    rows = [{"id": "0123456789abcdef01234567", "name": "x" * 100, "status": "failed"}]
    narrow = io.StringIO()
    print_table(Console(file=narrow, force_terminal=True, width=80), rows, ["id", "name", "status"])
    assert "…" in narrow.getvalue()
    wide = io.StringIO()
    print_table(
        Console(file=wide, force_terminal=True, width=80), rows, ["id", "name", "status"], wide=True
    )
    assert "x" * 100 in wide.getvalue()
    assert "…" not in wide.getvalue()


def test_sizes_and_dates_are_for_people_unless_raw() -> None:
    args = [
        "find",
        "transfer WHERE size>0",
        "--local",
        "--select",
        "id,size,created",
        "--limit",
        "3",
    ]
    human = runner.invoke(app, args)
    assert human.exit_code == 0, human.output
    assert re.search(r"\d+(\.\d)? (B|kB|MB|GB|TB)\b", human.stdout), human.stdout
    assert re.search(r"\b\d{4}-\d{2}-\d{2} \d{2}:\d{2}\b", human.stdout)
    assert not re.search(r"\d{4}-\d{2}-\d{2}T\d{2}", human.stdout)
    raw = runner.invoke(app, [*args, "--raw"])
    assert raw.exit_code == 0, raw.output
    assert re.search(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}", raw.stdout)
    assert not re.search(r" (kB|MB|GB)\b", raw.stdout)
    # Scripts always get wire values.
    as_json = runner.invoke(app, [*args, "--json"])
    assert all(isinstance(json.loads(line)["size"], int) for line in as_json.stdout.splitlines())


def test_human_size() -> None:
    assert human_size(0) == "0 B"
    assert human_size(999) == "999 B"
    assert human_size(1_234_567) == "1.2 MB"
    assert human_size(5 * 10**12) == "5.0 TB"
    assert human_size(-1) == ""


# --- query check / explain ----------------------------------------------------------------


def test_query_check_hints_in_cli_terms() -> None:
    result = runner.invoke(app, ["query", "check", "status=failed"])
    assert result.exit_code == 1
    assert "entitytype=" not in result.stderr
    assert "--type" in result.stderr
    typed = runner.invoke(app, ["query", "check", "status=failed", "--type", "transfer"])
    assert typed.exit_code == 0, typed.output


def test_query_explain_validates_like_find() -> None:
    result = runner.invoke(app, ["query", "explain", "transfer WHERE stauts=failed"])
    assert result.exit_code == 1
    assert "transfer has no attribute 'stauts'" in result.stderr
    assert "did you mean 'status'" in result.stderr
    assert "--no-validate" in result.stderr
    assert result.stdout == ""
    bypass = runner.invoke(
        app, ["query", "explain", "transfer WHERE stauts=failed", "--no-validate"]
    )
    assert bypass.exit_code == 0, bypass.output
    assert "stauts=failed" in bypass.stdout


# --- serve ---------------------------------------------------------------------------------


def test_serve_on_a_busy_port_prints_no_banner_and_no_keys() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = subprocess.run(
            [SCRIPT, "serve", "--port", str(port)],
            capture_output=True,
            text=True,
            env=_clean_env(),
            timeout=60,
        )
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.startswith(f"error: cannot listen on 127.0.0.1:{port}")
    assert "--port" in result.stderr
    assert "api key" not in result.stderr
    assert "Traceback" not in result.stderr


def test_serve_without_the_server_extra_names_it(tmp_path: Path) -> None:
    # Simulate an install without uvicorn: a sitecustomize that makes importing it fail
    # as a missing package does.
    (tmp_path / "sitecustomize.py").write_text(
        textwrap.dedent(
            """\
            import sys

            class _NoUvicorn:
                def find_spec(self, name, path=None, target=None):
                    if name == "uvicorn" or name.startswith("uvicorn."):
                        raise ModuleNotFoundError(f"No module named {name!r}", name=name)
                    return None

            sys.meta_path.insert(0, _NoUvicorn())
            """
        )
    )
    env = {**_clean_env(), "PYTHONPATH": str(tmp_path)}
    result = subprocess.run(
        [SCRIPT, "serve", "--port", "1"], capture_output=True, text=True, env=env, timeout=60
    )
    assert result.returncode == 1
    assert "pip install 'accsyn[server]'" in result.stderr
    assert "uvicorn" in result.stderr
    assert "Traceback" not in result.stderr


# --- retries are reported --------------------------------------------------------------------


def test_the_sdks_info_records_reach_the_cli_stderr() -> None:
    import logging

    from accsyn.cli._base import handle_errors

    before = list(logging.getLogger("accsyn").handlers)
    err = io.StringIO()
    real, sys.stderr = sys.stderr, err
    try:
        with handle_errors(debug=False):
            logging.getLogger("accsyn").info("retrying GET transfer/find in 0.5s: 503")
            logging.getLogger("accsyn").debug("-> GET transfer/find")
    finally:
        sys.stderr = real
    assert err.getvalue() == "accsyn: retrying GET transfer/find in 0.5s: 503\n"
    # Nothing stays attached once the command is over.
    assert logging.getLogger("accsyn").handlers == before
    # End to end (a refused connection retried, each retry on stderr):
    # tests/cli/test_query_commands.py::test_connection_failure_is_one_line_and_never_shows_the_key
