"""`accsyn lint` reports what the session refuses at run time (tests/lint/paths_corpus).

The corpus holds integration code as studios write it — a Python 2 Nuke tool on the
official client, a report building queries with f-strings, ``.format``, ``%`` and module
constants, builder and async calls — and each line marked ``# expect: CODE, ...`` holds
a query the SDK refuses (tests/session/test_same_answer.py holds the run-time side). Lint
must report exactly those, and nothing on the lines that are fine.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from accsyn.lint import lint_paths

CORPUS = Path(__file__).with_name("paths_corpus")
_EXPECT = re.compile(r"# expect: ((?:AQ\d{3}(?:, )?)+)")


def _expected() -> Counter[tuple[str, int, str]]:
    found: Counter[tuple[str, int, str]] = Counter()
    for path in sorted(CORPUS.glob("*.py")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            match = _EXPECT.search(line)
            if match:
                found.update((path.name, number, code) for code in match.group(1).split(", "))
    return found


def test_lint_reports_exactly_the_queries_the_session_refuses() -> None:
    report = lint_paths([CORPUS])
    got = Counter((Path(f.path).name, f.line, f.code) for f in report.findings)
    assert got == _expected()
    assert report.python2 and Path(report.python2[0]).name == "legacy_nuke_py2.py"


def test_a_module_constant_formatted_into_a_query_is_checked_as_sent() -> None:
    # STATUS = "faild"; f"...status={STATUS}" was a hole (unchecked) and ran as a query
    # matching nothing; NOT_SET = None made "finished>None".
    report = lint_paths([CORPUS / "report_fstrings.py"])
    messages = {f.line: f.message for f in report.findings}
    assert "'faild' is not one of" in messages[17]
    assert "'finished!=*' to match a missing finished" in messages[21]


def test_a_cli_line_in_the_docs_is_refused_as_the_cli_refuses_it() -> None:
    from accsyn.lint import lint_source

    doc = "```bash\naccsyn find entitytypes\naccsyn find transfer\n```\n"
    findings = lint_source(doc, "guide.md", "markdown").findings
    assert [(f.line, f.code) for f in findings] == [(2, "AQ105")]
    assert "run 'accsyn entitytypes'" in findings[0].message
