"""`accsyn lint` as a command: exit codes, output formats, the installed script, the hook."""

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
from accsyn.lint import Finding, Severity, format_finding, lint_source

runner = CliRunner()


def lint_python_source(source: str, path: str) -> list[Finding]:
    return lint_source(source, path, "python").findings


def lint_query_file(source: str, path: str) -> list[Finding]:
    return lint_source(source, path, "accsyn").findings


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


def _problem_lines(stdout: str) -> list[str]:
    return [line for line in stdout.splitlines() if not line.startswith("accsyn lint:")]


def test_lint_reports_exactly_the_bad_query(project: Path) -> None:
    result = runner.invoke(app, ["lint", str(project)])
    assert result.exit_code == 1
    [line] = _problem_lines(result.stdout)
    path, lineno, column, message = line.split(":", 3)
    assert path == str(project / "bad.py")
    assert int(lineno) == 5
    assert int(column) == _bad_column()
    assert message.startswith(" AQ100 [error] ")
    assert "expected a value" in message
    # The summary is the last line, and counts what was checked.
    assert result.stdout.splitlines()[-1].startswith("accsyn lint: 3 files, 6 query sites checked")


def test_lint_exits_zero_when_every_query_is_good_and_still_says_so(project: Path) -> None:
    (project / "bad.py").unlink()
    result = runner.invoke(app, ["lint", str(project)])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "accsyn lint: 2 files, 4 query sites checked, 0 not checked; no problems"
    ]


def test_lint_github_format_annotates(project: Path) -> None:
    result = runner.invoke(app, ["lint", "--format", "github", str(project / "bad.py")])
    assert result.exit_code == 1
    out = result.stdout.strip()
    assert out.startswith(
        f"::error file={project / 'bad.py'},line=5,col={_bad_column()},title=accsyn AQ100::"
    )
    assert "\n" not in out
    assert result.stderr.strip().startswith("accsyn lint: 1 file")


def test_lint_runs_as_the_installed_script(project: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ACCSYN_")}
    bad = subprocess.run(
        [_script(), "lint", str(project)], capture_output=True, text=True, env=env, timeout=60
    )
    assert bad.returncode == 1, bad.stderr
    [line] = _problem_lines(bad.stdout)
    assert line.startswith(f"{project / 'bad.py'}:5:{_bad_column()}: AQ100 [error] ")
    assert "Traceback" not in bad.stderr
    (project / "bad.py").unlink()
    good = subprocess.run(
        [_script(), "lint", str(project)], capture_output=True, text=True, env=env, timeout=60
    )
    assert good.returncode == 0, good.stdout + good.stderr
    assert _problem_lines(good.stdout) == []


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


def test_python_syntax_error_is_not_a_finding() -> None:
    # Not Python 3 (a Python 2 script, a broken file): read by tokens, never failed for it.
    result = lint_source("import accsyn\ndef broken(:\n", "m.py")
    assert result.findings == []
    assert result.python2


def test_github_format_escapes_newlines_and_separators() -> None:
    msg = Finding("a,b:c.py", 3, 7, "AQ102", "first line\nsecond 100%", Severity.WARNING)
    assert format_finding(msg, "github") == (
        "::warning file=a%2Cb%3Ac.py,line=3,col=7,title=accsyn AQ102::first line%0Asecond 100%25"
    )
    assert format_finding(msg) == "a,b:c.py:3:7: AQ102 [warning] first line\nsecond 100%"


def test_missing_path_is_an_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["lint", str(tmp_path / "nope.py")])
    assert result.exit_code == 1
    assert f"{tmp_path / 'nope.py'}:1:1: AQ900 [error] no such file or directory" in result.stdout


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
        'from accsyn.models import Transfer; Transfer.where("stauts=failed")\n'
        'session.deliveries.where("status=done AND nmae=x")\n'
        'anything.where("nobody=knows")\n'
    )
    messages = lint_python_source(source, "m.py")
    assert [(m.line, m.column) for m in messages] == [
        (1, len('from accsyn.models import Transfer; Transfer.where("') + 1),
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
    for name in ("src/app.py", "queries/nightly.accsyn", "README.md", "docs/api.rst"):
        assert pattern.search(name), name
    assert not pattern.search("setup.cfg")
    assert hook.get("pass_filenames", True) is True


def test_other_file_types_are_refused_not_parsed(tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("Some text = not a query\n")
    result = runner.invoke(app, ["lint", str(notes)])
    assert result.exit_code == 1
    assert _problem_lines(result.stdout) == [
        f"{notes}:1:1: AQ900 [error] not a Python, .accsyn, Markdown or reStructuredText file"
    ]
    # Inside a directory, other files are simply not looked at.
    assert runner.invoke(app, ["lint", str(tmp_path)]).exit_code == 0
