"""`accsyn lint`: finds query strings in Python and .accsyn files and reports bad ones."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

from accsyn.cli._app import app
from accsyn.cli._lint import LintMessage, format_message, lint_python_source, lint_query_file

runner = CliRunner()

GOOD_PY = textwrap.dedent(
    """\
    import accsyn

    def report(session: accsyn.Session) -> None:
        session.find("transfer WHERE status=failed AND name contains backup")
        session.find_one("user WHERE role=standard")
        print("a=b".find("="))
    """
)
# The bad query is on line 5; `AND` at offset 22 of the literal is where parsing fails.
BAD_PY = textwrap.dedent(
    """\
    import accsyn

    def report(session: accsyn.Session) -> None:
        ok = session.find("transfer WHERE status=failed")
        bad = session.find("transfer WHERE status= AND code=x")
        return ok, bad
    """
)
GOOD_QUERIES = textwrap.dedent(
    """\
    # nightly report queries
    transfer WHERE status in failed,aborted

    user WHERE role=admin
    """
)


def _script() -> str:
    # The console script installed next to the interpreter running the tests.
    candidate = Path(sys.executable).with_name("accsyn")
    assert candidate.is_file(), f"the accsyn script is not installed at {candidate}"
    return str(candidate)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "good.py").write_text(GOOD_PY)
    (tmp_path / "bad.py").write_text(BAD_PY)
    (tmp_path / "queries.accsyn").write_text(GOOD_QUERIES)
    return tmp_path


def _bad_column() -> int:
    line = BAD_PY.splitlines()[4]
    return line.index('"transfer WHERE status= AND') + 1 + len("transfer WHERE status= ") + 1


def test_lint_reports_exactly_the_bad_query(project: Path) -> None:
    result = runner.invoke(app, ["lint", str(project)])
    assert result.exit_code == 1
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    assert len(lines) == 1
    path, line, column, message = lines[0].split(":", 3)
    assert path == str(project / "bad.py")
    assert int(line) == 5
    assert int(column) == _bad_column()
    assert "AND" in message
    assert "expected a value" in message


def test_lint_exits_zero_when_every_query_is_good(project: Path) -> None:
    (project / "bad.py").unlink()
    result = runner.invoke(app, ["lint", str(project)])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == ""


def test_lint_github_format_annotates(project: Path) -> None:
    result = runner.invoke(app, ["lint", "--format", "github", str(project / "bad.py")])
    assert result.exit_code == 1
    out = result.stdout.strip()
    assert out.startswith(f"::error file={project / 'bad.py'},line=5,col={_bad_column()}::")
    assert "\n" not in out


def test_lint_runs_as_the_installed_script(project: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ACCSYN_")}
    bad = subprocess.run(
        [_script(), "lint", str(project)], capture_output=True, text=True, env=env, timeout=60
    )
    assert bad.returncode == 1, bad.stderr
    assert bad.stdout.splitlines() == [
        f"{project / 'bad.py'}:5:{_bad_column()}: " + bad.stdout.split(": ", 1)[1].splitlines()[0]
    ]
    assert "Traceback" not in bad.stderr
    (project / "bad.py").unlink()
    good = subprocess.run(
        [_script(), "lint", str(project)], capture_output=True, text=True, env=env, timeout=60
    )
    assert good.returncode == 0, good.stdout + good.stderr
    assert good.stdout == ""


def test_accsyn_file_reports_line_and_column() -> None:
    text = "# comment\n\ntransfer WHERE status=failed\nuser WHERE (role=admin\n"
    messages = lint_query_file(text, "q.accsyn")
    assert len(messages) == 1
    assert (messages[0].line, messages[0].column) == (4, len("user WHERE (role=admin") + 1)


def test_triple_quoted_query_maps_to_the_right_line() -> None:
    source = 'session.find("""transfer WHERE\n    status=failed AND\n    name=)""")\n'
    [msg] = lint_python_source(source, "m.py")
    assert (msg.line, msg.column) == (3, len("    name=") + 1)


def test_literal_with_escapes_points_at_the_literal() -> None:
    source = 'x = 1\nsession.find("transfer WHERE name=\\t AND")\n'
    [msg] = lint_python_source(source, "m.py")
    assert (msg.line, msg.column) == (2, len("session.find(") + 1)


def test_str_find_is_not_mistaken_for_a_query() -> None:
    source = 'line = "a"\nline.find("(")\n"abc".find("b AND")\ntext.find("x=")\n'
    assert lint_python_source(source, "m.py") == []


def test_query_keyword_argument_is_checked() -> None:
    source = 'session.find(query="transfer WHERE (a=1", limit=5)\n'
    [msg] = lint_python_source(source, "m.py")
    assert msg.line == 1


def test_python_syntax_error_is_reported_not_raised() -> None:
    [msg] = lint_python_source("def broken(:\n", "m.py")
    assert msg.message.startswith("Python syntax error")


def test_github_format_escapes_newlines_and_separators() -> None:
    msg = LintMessage("a,b:c.py", 3, 7, "first line\nsecond 100%")
    assert format_message(msg, "github") == (
        "::error file=a%2Cb%3Ac.py,line=3,col=7::first line%0Asecond 100%25"
    )
    assert format_message(msg) == "a,b:c.py:3:7: first line\nsecond 100%"


def test_missing_path_is_an_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["lint", str(tmp_path / "nope.py")])
    assert result.exit_code == 1
    assert "no such file" in result.stdout


def test_unknown_attribute_is_reported_at_its_column_with_a_suggestion() -> None:
    [msg] = lint_query_file("transfer WHERE name=x AND stauts=failed\n", "q.accsyn")
    assert (msg.line, msg.column) == (1, len("transfer WHERE name=x AND ") + 1)
    assert "stauts" in msg.message
    assert "did you mean 'status'" in msg.message


def test_unknown_entity_type_in_find_is_reported() -> None:
    source = 'session.find("trnasfer WHERE status=failed", limit=10)\n'
    [msg] = lint_python_source(source, "m.py")
    assert (msg.line, msg.column) == (1, len('session.find("') + 1)
    assert "'transfer'" in msg.message


def test_where_takes_the_entity_type_from_its_receiver() -> None:
    source = (
        'Transfer.where("stauts=failed")\n'
        'session.deliveries.where("status=done AND nmae=x")\n'
        'anything.where("nobody=knows")\n'
    )
    messages = lint_python_source(source, "m.py")
    assert [(m.line, m.column) for m in messages] == [
        (1, len('Transfer.where("') + 1),
        (2, len('session.deliveries.where("status=done AND ') + 1),
    ]


def test_bare_expression_in_a_query_file_needs_an_entity_type() -> None:
    [msg] = lint_query_file("status=failed\n", "q.accsyn")
    assert "entity type" in msg.message


def test_pre_commit_hook_runs_the_lint_command() -> None:
    import yaml

    root = Path(__file__).resolve().parents[2]
    hooks = yaml.safe_load((root / ".pre-commit-hooks.yaml").read_text())
    [hook] = [h for h in hooks if h["id"] == "accsyn-lint"]
    assert hook["entry"] == "accsyn lint"
    assert hook["language"] == "python"
    # pre-commit passes the staged file names; the pattern selects what lint reads.
    pattern = re.compile(hook["files"])
    assert pattern.search("src/app.py") and pattern.search("queries/nightly.accsyn")
    assert not pattern.search("README.md")


def test_other_file_types_are_refused_not_parsed(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text("# Title\n\nSome text = not a query\n")
    result = runner.invoke(app, ["lint", str(readme)])
    assert result.exit_code == 1
    assert result.stdout == f"{readme}:1:1: not a Python (.py) or query (.accsyn) file\n"
    # Inside a directory, other files are simply not looked at.
    assert runner.invoke(app, ["lint", str(tmp_path)]).exit_code == 0
