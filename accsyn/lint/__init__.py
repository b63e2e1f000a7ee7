"""``accsyn lint``: find the accsyn queries in a codebase and check them against the models.

>>> from accsyn.lint import lint_source
>>> result = lint_source('session.find("transfer WHERE stauts=failed")\\n', "job.py")
>>> [(f.code, f.line, f.column) for f in result.findings]
[('AQ102', 1, 30)]

Queries are read from Python code (by AST, or by tokens for Python 2), ``.accsyn`` files
and Markdown/reStructuredText documents; every one goes through
:func:`accsyn.query.validate`, so lint reports what the SDK would raise at run time. See
``docs/lint.md`` for the rules, suppression comments and ``[tool.accsyn.lint]``.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from accsyn.lint._config import DEFAULT_SESSION_NAMES, LintConfig, iter_files, load_config
from accsyn.lint._engine import Linter, Report, lint_paths, lint_source
from accsyn.lint._output import FORMATS, format_finding, render, summary
from accsyn.lint._rules import RULES, FileResult, Finding, Rule, Severity

__all__ = [
    "DEFAULT_SESSION_NAMES",
    "FORMATS",
    "RULES",
    "FileResult",
    "Finding",
    "LintConfig",
    "Linter",
    "Report",
    "Rule",
    "Severity",
    "format_finding",
    "iter_files",
    "lint_paths",
    "lint_source",
    "load_config",
    "render",
    "run",
    "summary",
]


def run(
    paths: Sequence[str | Path],
    *,
    output_format: str = "text",
    strict: bool | None = None,
    statistics: bool = False,
    docs: bool | None = None,
    config_path: str | Path | None = None,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
) -> int:
    """Run lint as the ``accsyn lint`` command does and return its exit status.

    0: nothing fails the run; 1: an error (or, with ``strict``, a warning) was found;
    ``paths`` empty means the configuration's ``include``. Options given here override
    ``[tool.accsyn.lint]``.

    Raises:
        accsyn.ConfigurationError: the configuration is invalid (the command exits 2).
    """
    if output_format not in FORMATS:
        from accsyn._exceptions import ConfigurationError

        raise ConfigurationError(
            f"unknown output format {output_format!r}; use one of {', '.join(FORMATS)}"
        )
    config = load_config(config_path)
    if docs is not None:
        config.docs = docs
    if strict is not None:
        config.strict = strict
    targets = list(paths) or [config.root / p for p in config.include]
    report = Linter(config).paths(targets)
    out, err = render(report, output_format, strict=config.strict, with_statistics=statistics)
    (stdout or sys.stdout).write(out)
    if err:
        (stderr or sys.stderr).write(err)
    return report.exit_code(config.strict)


# Public objects report the public module they are reached through.
for _name in ("FileResult", "Finding", "LintConfig", "Linter", "Report", "Rule", "Severity"):
    globals()[_name].__module__ = __name__
del _name
