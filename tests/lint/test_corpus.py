"""`accsyn lint` over a realistic pipeline repository (tests/lint/corpus).

The corpus is the kind of code studios run against accsyn: an ftrack action, backup
automation, Python 2 Nuke and Maya tools, a report with f-strings, ``.format``, ``%`` and
``+``, helpers, code on the typed SDK, docs (Markdown and reST) and a saved-query file,
next to look-alike calls (``str.find``, ``stdout.find``, ElementTree, BeautifulSoup,
SQLAlchemy). Markers in the files say what lint must do on each line:

* ``site``: a query call site that is checked; ``skip``: one counted as not checked;
* ``expect: CODE, …``: exactly these findings on that line (``# expect-next: CODE`` on
  the line before, in ``.accsyn`` files, where every other line is a query);
* ``lookalike``: nothing — no site, no finding.

Its ``pyproject.toml`` excludes two paths, lowers AQ104 to a warning, adds two
attributes the studio's server knows, and names the session receivers.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest
from typer.testing import CliRunner

from accsyn.cli._app import app
from accsyn.lint import LintConfig, Linter, Report, Severity, load_config

CORPUS = Path(__file__).with_name("corpus")
_OPENER = re.compile(r"(?:#|<!--|\()\s*(site|skip|lookalike|expect\b)")
_CODES = re.compile(r"AQ\d{3}")


def _markers() -> tuple[dict[tuple[str, int], str], Counter[tuple[str, int, str]]]:
    """``{(file, line): "checked" | "skipped" | "lookalike"}`` and the expected findings."""
    sites: dict[tuple[str, int], str] = {}
    expected: Counter[tuple[str, int, str]] = Counter()
    for path in sorted(CORPUS.rglob("*")):
        if path.suffix not in (".py", ".md", ".rst", ".accsyn"):
            continue
        rel = path.relative_to(CORPUS).as_posix()
        lines = path.read_text(encoding="utf-8").splitlines()
        for number, line in enumerate(lines, start=1):
            if path.suffix == ".accsyn":
                stripped = line.strip()
                if stripped.startswith("# expect-next:"):
                    expected.update((rel, number + 1, c) for c in _CODES.findall(stripped))
                elif stripped and not stripped.startswith("#"):
                    sites[(rel, number)] = "checked"
                continue
            found = _OPENER.search(line)
            if found is None:
                continue
            tail = line[found.start() :]
            word = found.group(1)
            if word in ("site", "skip", "lookalike"):
                sites[(rel, number)] = {"site": "checked", "skip": "skipped"}.get(word, word)
            if "expect:" in tail:
                expected.update((rel, number, c) for c in _CODES.findall(tail.split("expect:")[1]))
    return sites, expected


@pytest.fixture(scope="module")
def report() -> Report:
    config = load_config(CORPUS / "pyproject.toml")
    return Linter(config).paths([CORPUS])


def _rel(path: str) -> str:
    return Path(path).relative_to(CORPUS).as_posix()


def test_the_corpus_is_varied_enough_to_mean_something() -> None:
    sites, expected = _markers()
    kinds = Counter(sites.values())
    assert kinds["checked"] >= 60 and kinds["skipped"] >= 5 and kinds["lookalike"] >= 20
    assert len(expected) >= 30
    assert {c for _, _, c in expected} >= {"AQ100", "AQ101", "AQ102", "AQ103", "AQ104", "AQ200"}


def test_every_seeded_mistake_is_found_and_nothing_else(report: Report) -> None:
    _, expected = _markers()
    found = Counter((_rel(f.path), f.line, f.code) for f in report.findings if f.code != "AQ201")
    assert found - expected == Counter(), "reported but not seeded"
    assert expected - found == Counter(), "seeded but not reported"


def test_every_query_call_site_is_checked_or_skipped_with_a_reason(report: Report) -> None:
    sites, _ = _markers()
    wanted = {key: status for key, status in sites.items() if status != "lookalike"}
    seen: dict[tuple[str, int], set[str]] = {}
    for path, line, status, detail in report.sites:
        seen.setdefault((_rel(path), line), set()).add(status)
        assert detail, "every site says what it was or why it was skipped"
    assert {k: {v} for k, v in wanted.items()} == seen
    # A skipped site is also said out loud (AQ201, a note), with its reason.
    notes = {(_rel(f.path), f.line) for f in report.findings if f.code == "AQ201"}
    assert notes == {k for k, v in wanted.items() if v == "skipped"}
    assert sum(report.skipped.values()) == len(notes)
    assert set(report.skipped) == {
        "dynamic query: the entity type is dynamic",
        "keyword filters from a dict (**)",
        "the query is a variable or the result of a call",
    }


def test_no_look_alike_is_flagged_or_counted(report: Report) -> None:
    sites, _ = _markers()
    lookalikes = {k for k, v in sites.items() if v == "lookalike"}
    touched = {(_rel(f.path), f.line) for f in report.findings}
    touched |= {(_rel(p), line) for p, line, _, _ in report.sites}
    assert lookalikes and not lookalikes & touched


def test_python_2_files_are_read_by_tokens_and_do_not_fail_for_it(report: Report) -> None:
    assert sorted(_rel(p) for p in report.python2) == [
        "pipeline/maya/publish_cache.py",
        "pipeline/nuke/send_to_client.py",
    ]
    py2 = [
        f for f in report.findings if _rel(f.path).startswith(("pipeline/maya", "pipeline/nuke"))
    ]
    assert py2 and not any(
        "syntax" in f.message.lower() and "python" in f.message.lower() for f in py2
    )


def test_configuration_is_honoured(report: Report) -> None:
    # exclude: the legacy tool and the generated file are not read.
    assert report.excluded == 2
    assert not any(
        _rel(f.path).startswith(("legacy/", "pipeline/generated_")) for f in report.findings
    )
    # severity: AQ104 lowered to a warning; the others keep their defaults.
    by_code = {f.code: f.severity for f in report.findings}
    assert by_code["AQ104"] is Severity.WARNING
    assert by_code["AQ102"] is Severity.ERROR and by_code["AQ200"] is Severity.WARNING
    # extra attributes: `shot` and `sequence` are the studio's, not mistakes.
    backup = "pipeline/backup/nightly_backup.py"
    text = (CORPUS / backup).read_text().splitlines()
    shots = next(i for i, line in enumerate(text, 1) if "shot=sq010_sh0040" in line)
    assert not [f for f in report.findings if _rel(f.path) == backup and f.line == shots]


def test_suppression_comments_are_honoured(report: Report) -> None:
    assert report.suppressed == 1  # `# accsyn: ignore[AQ102]` on the legacy client_ref query
    assert report.ignored == 1  # `# accsyn: ignore-file` in tests/
    assert not any(_rel(f.path).startswith("tests/") for f in report.findings)


def test_without_the_configuration_the_defaults_apply() -> None:
    report = Linter(LintConfig(root=CORPUS)).paths([CORPUS])
    rel = Counter((_rel(f.path), f.code) for f in report.findings)
    assert rel[("legacy/old_sync.py", "AQ102")] == 1  # no longer excluded: `deleted`
    assert rel[("pipeline/generated_queries.py", "AQ102")] == 1  # `stat`
    backup = [f for f in report.findings if _rel(f.path) == "pipeline/backup/nightly_backup.py"]
    assert any("'shot'" in f.message for f in backup)  # not an extra attribute any more
    assert {f.severity for f in report.findings if f.code == "AQ104"} == {Severity.ERROR}


def test_the_command_exit_codes_and_machine_outputs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(CORPUS)
    runner = CliRunner()
    result = runner.invoke(app, ["lint", "--format", "json"])  # paths from include= ('.')
    assert result.exit_code == 1, result.output
    data = json.loads(result.stdout)
    assert data["exit_code"] == 1
    assert data["statistics"]["excluded"] == 2
    assert {f["code"] for f in data["findings"]} >= {"AQ100", "AQ101", "AQ102", "AQ103", "AQ200"}
    assert result.stderr.startswith("accsyn lint: 12 files, ")

    sarif = json.loads(runner.invoke(app, ["lint", "--format", "sarif", "."]).stdout)
    run = sarif["runs"][0]
    assert sarif["version"] == "2.1.0"
    rules = {r["id"] for r in run["tool"]["driver"]["rules"]}
    assert {r["ruleId"] for r in run["results"]} <= rules
    uris = {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"]
    }
    assert "pipeline/backup/nightly_backup.py" in uris  # relative, as code scanning wants
    levels = {r["level"] for r in run["results"]}
    assert levels == {"error", "warning", "note"}
