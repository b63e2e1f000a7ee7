"""Lint's rules one by one: receivers, dynamic queries, suppression, configuration,
exit codes and the documents it reads."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

from accsyn import ConfigurationError
from accsyn.cli._app import app
from accsyn.lint import RULES, LintConfig, Severity, lint_paths, lint_source, load_config

runner = CliRunner()


def codes(
    source: str, kind: str = "python", config: LintConfig | None = None
) -> list[tuple[int, str]]:
    result = lint_source(textwrap.dedent(source), "m." + kind, kind, config)
    return [(f.line, f.code) for f in result.findings]


# -- receivers ------------------------------------------------------------------------------


def test_a_session_query_is_checked_whatever_it_looks_like() -> None:
    assert codes('import accsyn\ns = accsyn.Session()\ns.find("Trasnfer")\n') == [(3, "AQ101")]
    # `session` is a configured session name: checked even with no binding in sight.
    assert codes('session.find("Trasnfer")\n') == [(1, "AQ101")]


def test_a_name_bound_to_something_else_is_not_a_session() -> None:
    source = """\
    import requests
    session = requests.Session()
    session.find("Trasnfer")
    """
    assert codes(source) == []


def test_an_unknown_receiver_is_checked_only_for_entity_type_where_text() -> None:
    source = """\
    def scan(api, line, root, soup):
        line.find("Transfer complete")
        root.find("file/path")
        soup.find_all("tr", limit=50)
        api.find("transfer")
        api.find("transfer WHERE stauts=failed")
        api.find("Trasnfer WHERE status=failed")
    """
    assert codes(source) == [(6, "AQ102"), (7, "AQ101")]


def test_session_parameters_annotations_and_attributes_follow_the_data() -> None:
    source = """\
    from typing import Optional
    import accsyn_api
    from accsyn.compat import Session as Compat

    class Tool:
        def __init__(self):
            self.api = accsyn_api.Session()

        def run(self, other: Optional[Compat], n: int):
            self.api.find("transfer WHERE stauts=failed")
            other.find("user WHERE role=admn")
            return self.api.find(f"transfer WHERE size>{n} AND status=done")
    """
    assert codes(source) == [(10, "AQ102"), (11, "AQ103")]


def test_session_query_is_read_only_on_a_bound_session() -> None:
    # The SDK's session.query("…") shares its name with ftrack's session.query("Task where …").
    source = """\
    import accsyn

    def launch(self, session, entities):
        session.query('Task where status.name is "failed"').first()
        self.session.query('AssetVersion where id is "{}"'.format(entities[0]))

    def report(api: accsyn.Session):
        api.query("transfer WHERE stauts=failed").page_size(5)
        api.query("transfer WHERE status=failed").select("nmae")
    """
    assert codes(source) == [(8, "AQ102"), (9, "AQ102")]


def test_configured_session_names() -> None:
    config = LintConfig(session_names=("ctx.accsyn",))
    source = (
        'def go(ctx, session):\n    ctx.accsyn.find("Trasnfer")\n    session.find("Trasnfer")\n'
    )
    assert codes(source, config=config) == [(2, "AQ101")]


def test_messages_give_lint_advice_not_the_run_time_bypass() -> None:
    source = 'session.find("transfer WHERE stauts=x AND vfxq=y")\n'
    messages = [f.message for f in lint_source(source, "m.py").findings]
    assert messages[0] == "transfer has no attribute 'stauts'; did you mean 'status'?"
    assert "validate=False" not in messages[1]
    assert "vfxq" in messages[1] and "extra-attributes" in messages[1]


# -- dynamic queries ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ('f"transfer WHERE status={s}"', []),  # a value at the end
        ("f'transfer WHERE name=\"{s}\" AND status=done'", []),  # quoted
        ('"transfer WHERE size>%d AND status=done" % s', []),  # a number
        ('f"transfer WHERE name={s} AND status=done"', ["AQ200"]),  # unquoted, then more
        ('f"transfer WHERE {s}=failed"', ["AQ200"]),  # the attribute
        ('"transfer WHERE size" + s + "10"', ["AQ200"]),  # the operator
        ('"transfer WHERE " + s', ["AQ200"]),  # a whole condition
        ('f"transfer WHERE stauts={s}"', ["AQ102"]),  # the static part is still validated
        ('"transfer WHERE status={}".format("faild")', ["AQ103"]),  # literal arguments fill in
        ('"transfer WHERE status=%s" % ("faild",)', ["AQ103"]),
        ('f"Server WHERE roles CONTAINS storage"', []),  # a constant f-string
        ('f"transfer WHERE (status={s}"', ["AQ100"]),
        ('"%s WHERE id=%s" % (s, s)', ["AQ201"]),  # the entity type is dynamic
    ],
)
def test_dynamic_queries_are_checked_as_skeletons(expression: str, expected: list[str]) -> None:
    found = codes(f"def f(session, s):\n    session.find({expression})\n")
    assert [code for _, code in found] == expected


def test_a_variable_bound_once_is_followed_and_others_are_counted() -> None:
    source = """\
    def f(session, q):
        query = "transfer WHERE stauts=failed"
        session.find(query)
        session.find(q)
    """
    result = lint_source(textwrap.dedent(source), "m.py")
    assert [(f.line, f.code) for f in result.findings] == [(2, "AQ102"), (4, "AQ201")]
    assert dict(result.skipped) == {"the query is a variable or the result of a call": 1}


def test_findings_point_at_the_character_in_an_f_string() -> None:
    source = 'def f(session, s):\n    session.find(f"transfer WHERE status={s} AND nmae=x")\n'
    [finding] = [f for f in lint_source(source, "m.py").findings if f.code == "AQ102"]
    assert finding.column == source.splitlines()[1].index("nmae") + 1


# -- builder and keyword filters ------------------------------------------------------------


def test_builder_expressions_keyword_filters_and_select() -> None:
    source = """\
    from accsyn.models import Transfer as T

    def f(session):
        T.status != "faild"
        "failed" == T.stauts
        T.name.matches("(")
        session.transfers.where(status="faild").select("nmae")
        T.where(size="big")
    """
    assert codes(source) == [
        (4, "AQ103"),
        (5, "AQ102"),
        (6, "AQ103"),
        (7, "AQ103"),
        (7, "AQ102"),
        (8, "AQ103"),
    ]


def test_a_local_class_of_the_same_name_is_not_the_model() -> None:
    source = 'class Transfer:\n    status = None\nTransfer.status == "faild"\n'
    assert codes(source) == []


# -- validation off, expected errors --------------------------------------------------------


def test_validation_off_checks_the_syntax_only() -> None:
    source = """\
    import accsyn
    def f(session, raw: accsyn.Session):
        session.find("transfer WHERE stauts=failed", validate=False)
        session.transfers.validate(False).where("stauts=failed")
        off = accsyn.Session(validate="off")
        off.find("transfer WHERE stauts=failed")
        off.find("transfer WHERE (stauts=failed")
    """
    assert codes(source) == [(7, "AQ100")]


def test_code_that_expects_the_query_error_is_not_reported() -> None:
    source = """\
    import accsyn, pytest
    def test_it(session):
        with pytest.raises(accsyn.QueryValidationError):
            session.find("transfer WHERE stauts=failed")
        try:
            session.find("transfer WHERE statsu=failed")
        except (KeyError, accsyn.QueryValidationError):
            pass
        session.find("transfer WHERE sttus=failed")
    """
    result = lint_source(textwrap.dedent(source), "m.py")
    assert [(f.line, f.code) for f in result.findings] == [(9, "AQ102")]
    assert result.suppressed == 2


# -- suppression and configuration ----------------------------------------------------------


def test_ignore_comments() -> None:
    source = """\
    session.find("transfer WHERE stauts=failed")  # accsyn: ignore
    session.find("transfer WHERE stauts=failed")  # accsyn: ignore[AQ102]
    session.find("transfer WHERE stauts=faild")  # accsyn: ignore[AQ103]
    session.find(  # accsyn: ignore[AQ103, AQ102]
        "transfer WHERE stauts=faild"
    )
    x = "accsyn: ignore"; session.find("transfer WHERE stauts=failed")
    """
    result = lint_source(textwrap.dedent(source), "m.py")
    assert [(f.line, f.code) for f in result.findings] == [(3, "AQ102"), (7, "AQ102")]
    assert result.suppressed == 3
    assert lint_source("# accsyn: ignore-file\n" + textwrap.dedent(source), "m.py").findings == []


def _project(tmp_path: Path, table: str) -> Path:
    (tmp_path / "pyproject.toml").write_text(f"[tool.accsyn.lint]\n{textwrap.dedent(table)}")
    return tmp_path


def test_configuration_is_read_from_the_nearest_pyproject(tmp_path: Path) -> None:
    root = _project(
        tmp_path,
        """\
        exclude = ["vendor", "scripts/old_*.py"]
        docs = false
        [severity]
        AQ102 = "warning"
        AQ201 = "off"
        [extra-attributes]
        job = ["shot"]
        """.replace("[severity]", "[tool.accsyn.lint.severity]").replace(
            "[extra-attributes]", "[tool.accsyn.lint.extra-attributes]"
        ),
    )
    (root / "src").mkdir()
    config = load_config(start=root / "src")
    assert config.root == root and config.docs is False
    assert config.severity_of("AQ102") is Severity.WARNING
    assert config.severity_of("AQ103") is RULES["AQ103"].severity
    assert config.excluded(root / "vendor" / "lib.py")
    assert config.excluded(root / "scripts" / "old_sync.py")
    assert not config.excluded(root / "scripts" / "sync.py")
    source = (
        "def f(session, q):\n"
        '    session.find("transfer WHERE shot=x AND stauts=y")\n'
        "    session.find(q)\n"
    )
    result = lint_source(source, "m.py", config=config)
    assert [(f.code, f.severity) for f in result.findings] == [("AQ102", Severity.WARNING)]


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('exclud = ["x"]', "unknown key 'exclud'; did you mean 'exclude'?"),
        ('[tool.accsyn.lint.severity]\nAQ12 = "off"', "unknown rule 'AQ12'; did you mean"),
        ('[tool.accsyn.lint.severity]\nAQ102 = "fatal"', "use one of error, warning, info, off"),
        ("docs = 1", "docs must be true or false"),
    ],
)
def test_a_bad_configuration_names_the_setting(tmp_path: Path, table: str, message: str) -> None:
    _project(tmp_path, table)
    with pytest.raises(ConfigurationError, match=message.replace("?", r"\?").replace("[", r"\[")):
        load_config(tmp_path / "pyproject.toml")
    result = runner.invoke(
        app, ["lint", "--config", str(tmp_path / "pyproject.toml"), str(tmp_path)]
    )
    assert result.exit_code == 2
    assert message.split(";")[0] in result.stderr
    assert "Traceback" not in result.output


def test_exit_codes_errors_fail_warnings_only_with_strict(tmp_path: Path) -> None:
    warn = tmp_path / "warn.py"
    warn.write_text('def f(session, s):\n    session.find(f"transfer WHERE {s}=x")\n')
    assert runner.invoke(app, ["lint", str(warn)]).exit_code == 0
    assert runner.invoke(app, ["lint", "--strict", str(warn)]).exit_code == 1
    note = tmp_path / "note.py"
    note.write_text("def f(session, q):\n    session.find(q)\n")
    assert runner.invoke(app, ["lint", "--strict", str(note)]).exit_code == 0
    error = tmp_path / "error.py"
    error.write_text('session.find("Trasnfer")\n')
    assert runner.invoke(app, ["lint", str(error)]).exit_code == 1


def test_only_the_files_given_are_read(tmp_path: Path) -> None:
    # What the pre-commit hook does: it passes the changed files, never the tree.
    (tmp_path / "changed.py").write_text('session.find("transfer WHERE status=failed")\n')
    (tmp_path / "notes.md").write_text('`session.find("user WHERE role=admin")`\n')
    (tmp_path / "untouched.py").write_text('session.find("Trasnfer")\n')
    files = [str(tmp_path / "changed.py"), str(tmp_path / "notes.md")]
    result = runner.invoke(app, ["lint", *files])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1].startswith("accsyn lint: 2 files, 2 query sites checked")


# -- Python 2 and documents -----------------------------------------------------------------


def test_python_2_is_read_by_tokens_and_noted(tmp_path: Path) -> None:
    script = tmp_path / "tool.py"
    script.write_text(
        "import accsyn_api\n"
        "api = accsyn_api.Session()\n"
        'print "jobs:", api.find("transfer WHERE status=runing")\n'
        "try:\n    pass\nexcept Exception, e:\n    print e\n"
    )
    report = lint_paths([script])
    assert [(f.line, f.code) for f in report.findings] == [(3, "AQ103")]
    assert report.python2 == [str(script)]
    result = runner.invoke(app, ["lint", str(script)])
    assert "1 file not valid Python 3 (Python 2?) read by tokens" in result.stdout


def test_markdown_and_rst_are_scanned_unless_turned_off(tmp_path: Path) -> None:
    (tmp_path / "guide.md").write_text(
        'Use `session.find("transfer WHERE stauts=failed")` here.\n\n'
        '```python\nsession.find("user WHERE role=admn")\n```\n\n'
        '```console\n$ accsyn find "Trasnfer WHERE status=failed"\n```\n'
    )
    (tmp_path / "api.rst").write_text(
        'Call ``session.find("job WHERE stauts=x")``.\n\n'
        '.. code-block:: python\n\n   session.find("queue WHERE priority=high")\n'
    )
    report = lint_paths([tmp_path])
    found = sorted((Path(f.path).name, f.line, f.column, f.code) for f in report.findings)

    def at(name: str, line: int, word: str) -> tuple[str, int, int]:
        text = (tmp_path / name).read_text().splitlines()[line - 1]
        return name, line, text.index(word) + 1

    assert found == [
        (*at("api.rst", 1, "stauts"), "AQ102"),
        (*at("api.rst", 5, "high"), "AQ103"),
        (*at("guide.md", 1, "stauts"), "AQ102"),
        (*at("guide.md", 4, "admn"), "AQ103"),
        (*at("guide.md", 8, "Trasnfer"), "AQ101"),
    ]
    assert lint_paths([tmp_path], LintConfig(docs=False)).files == 0
    assert runner.invoke(app, ["lint", "--no-docs", str(tmp_path)]).exit_code == 0


def test_statistics_and_json_count_sites_by_kind_and_reason(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text(
        "from accsyn.models import Transfer\n"
        "def f(session, q, e):\n"
        '    session.find("transfer WHERE status=failed")\n'
        '    session.find(f"transfer WHERE name={q}")\n'
        '    session.find("%s WHERE id=1" % e)\n'
        "    session.find(q)\n"
        '    Transfer.status == "failed"\n'
    )
    result = runner.invoke(app, ["lint", "--statistics", str(tmp_path)])
    out = result.stdout
    for row in (
        "checked",
        "string",
        "dynamic",
        "builder",
        "not checked",
        "the entity type is dynamic",
    ):
        assert row in out
    data = json.loads(runner.invoke(app, ["lint", "--format", "json", str(tmp_path)]).stdout)
    assert data["statistics"]["checked"] == {"builder": 1, "dynamic": 1, "string": 1}
    assert sum(data["statistics"]["skipped"].values()) == 2


def test_github_annotations_use_the_severity(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text(
        "def f(session, s, q):\n"
        '    session.find(f"transfer WHERE {s}=x AND stauts=y")\n'
        "    session.find(q)\n"
    )
    lines = runner.invoke(app, ["lint", "--format", "github", str(tmp_path)]).stdout.splitlines()
    assert sorted(line.split(" ", 1)[0] for line in lines) == ["::error", "::notice", "::warning"]
