"""Output formats: ``text``, ``github`` (workflow annotations), ``json`` and ``sarif``.

Every format writes findings to one stream; the one-line summary goes with the text
format, and to stderr for the machine formats so their output stays parseable.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from accsyn._version import __version__
from accsyn.lint._engine import Report
from accsyn.lint._rules import RULES, Finding, Severity

__all__ = ["FORMATS", "format_finding", "render", "statistics", "summary"]

FORMATS = ("text", "github", "json", "sarif")
_GITHUB_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}
_SARIF_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def summary(report: Report) -> str:
    """One line: files, query sites checked and not, findings by severity, and notices."""
    checked, skipped = sum(report.checked.values()), sum(report.skipped.values())
    counts = [
        _plural(report.count(Severity.ERROR), "error"),
        _plural(report.count(Severity.WARNING), "warning"),
        _plural(report.count(Severity.INFO), "note"),
    ]
    problems = ", ".join(counts) if report.findings else "no problems"
    line = (
        f"accsyn lint: {_plural(report.files, 'file')}, {checked} query "
        f"site{'' if checked == 1 else 's'} checked, {skipped} not checked; {problems}"
    )
    extras = []
    if report.python2:
        extras.append(
            f"{_plural(len(report.python2), 'file')} not valid Python 3 (Python 2?) read by tokens"
        )
    if report.suppressed:
        extras.append(f"{report.suppressed} suppressed")
    if report.excluded:
        extras.append(f"{report.excluded} excluded")
    if report.ignored:
        extras.append(f"{_plural(report.ignored, 'file')} ignored")
    return line + (f" ({'; '.join(extras)})" if extras else "")


def statistics(report: Report) -> str:
    """The ``--statistics`` table: sites checked by kind, skipped by reason, files, codes."""
    rows: list[tuple[str, int]] = [("checked", sum(report.checked.values()))]
    rows += [(f"  {kind}", n) for kind, n in sorted(report.checked.items())]
    rows.append(("not checked", sum(report.skipped.values())))
    rows += [(f"  {reason}", n) for reason, n in sorted(report.skipped.items())]
    rows.append(("files", report.files))
    rows += [
        ("  not Python 3, read by tokens", len(report.python2)),
        ("  excluded", report.excluded),
        ("  ignored (accsyn: ignore-file)", report.ignored),
    ]
    by_code: dict[str, int] = {}
    for finding in report.findings:
        by_code[finding.code] = by_code.get(finding.code, 0) + 1
    rows.append(("findings", len(report.findings)))
    rows += [(f"  {code} {RULES[code].name}", n) for code, n in sorted(by_code.items())]
    rows.append(("suppressed", report.suppressed))
    width = max(len(label) for label, _ in rows) + 2
    return "\n".join(f"{label:<{width}}{n:>6}" for label, n in rows)


def format_finding(finding: Finding, fmt: str = "text") -> str:
    """One finding as ``file:line:col: CODE [severity] message`` or a GitHub annotation."""
    if fmt == "github":
        level = _GITHUB_LEVEL.get(finding.severity, "notice")
        return (
            f"::{level} file={_gh_property(finding.path)},line={finding.line},"
            f"col={finding.column},title={_gh_property(f'accsyn {finding.code}')}"
            f"::{_gh_data(finding.message)}"
        )
    return (
        f"{finding.path}:{finding.line}:{finding.column}: {finding.code} "
        f"[{finding.severity.value}] {finding.message}"
    )


def _gh_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _gh_property(text: str) -> str:
    return _gh_data(text).replace(":", "%3A").replace(",", "%2C")


def _statistics_data(report: Report) -> dict[str, Any]:
    return {
        "files": report.files,
        "excluded": report.excluded,
        "ignored": report.ignored,
        "python2": sorted(report.python2),
        "checked": dict(sorted(report.checked.items())),
        "skipped": dict(sorted(report.skipped.items())),
        "suppressed": report.suppressed,
    }


def _json(report: Report, strict: bool) -> str:
    data = {
        "version": 1,
        "findings": [
            {
                "path": f.path,
                "line": f.line,
                "column": f.column,
                "code": f.code,
                "rule": RULES[f.code].name,
                "severity": f.severity.value,
                "message": f.message,
                "suggestion": f.suggestion,
            }
            for f in report.findings
        ],
        "statistics": _statistics_data(report),
        "summary": summary(report),
        "exit_code": report.exit_code(strict),
    }
    return json.dumps(data, indent=2)


def _uri(path: str) -> str:
    try:
        rel = os.path.relpath(path)
    except ValueError:  # another drive (Windows)
        rel = path
    if rel.startswith(".."):
        return Path(os.path.abspath(path)).as_uri()
    return Path(rel).as_posix()


def _sarif(report: Report) -> str:
    rules = [
        {
            "id": rule.code,
            "name": rule.name,
            "shortDescription": {"text": rule.summary},
            "defaultConfiguration": {"level": _SARIF_LEVEL.get(rule.severity, "none")},
        }
        for rule in RULES.values()
    ]
    index = {code: i for i, code in enumerate(RULES)}
    results = [
        {
            "ruleId": f.code,
            "ruleIndex": index[f.code],
            "level": _SARIF_LEVEL.get(f.severity, "none"),
            "message": {"text": f.message},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": _uri(f.path), "uriBaseId": "%SRCROOT%"},
                        "region": {"startLine": f.line, "startColumn": f.column},
                    }
                }
            ],
        }
        for f in report.findings
    ]
    log = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "accsyn lint",
                        "version": __version__,
                        "rules": rules,
                    }
                },
                "results": results,
                "properties": {"statistics": _statistics_data(report)},
            }
        ],
    }
    return json.dumps(log, indent=2)


def render(
    report: Report, fmt: str = "text", *, strict: bool = False, with_statistics: bool = False
) -> tuple[str, str]:
    """``(stdout, stderr)`` text for a report in format ``fmt`` (one of :data:`FORMATS`)."""
    if fmt == "json":
        return _json(report, strict) + "\n", summary(report) + "\n"
    if fmt == "sarif":
        return _sarif(report) + "\n", summary(report) + "\n"
    lines = [format_finding(f, fmt) for f in report.findings]
    extra = [statistics(report)] if with_statistics else []
    if fmt == "github":
        return "".join(f"{line}\n" for line in lines), "\n".join([*extra, summary(report)]) + "\n"
    return "".join(f"{line}\n" for line in [*lines, *extra, summary(report)]), ""
