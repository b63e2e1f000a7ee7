"""A lint run: read each file, pick its extractor, apply severities and suppressions.

Python files the Python 3 parser refuses (Python 2 scripts) are read by tokens instead
and never fail the run for that; the report counts them. A Python file that names no
accsyn and holds no ``.find("<entity type> WHERE …")``-shaped call is not parsed at all,
which keeps typical code fast.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from accsyn.lint._check import QueryChecker
from accsyn.lint._config import LintConfig, file_kind, iter_files
from accsyn.lint._docs import scan_markdown, scan_query_lines, scan_rst
from accsyn.lint._positions import Positions
from accsyn.lint._python import STATEMENT_METHODS, scan_python
from accsyn.lint._rules import FileResult, Finding, Severity
from accsyn.lint._tokens import scan_tokens

__all__ = ["Report", "lint_paths", "lint_source"]

_IGNORE = re.compile(r"accsyn:\s*ignore(?!-)(?:\[(?P<codes>[^\]]*)\])?", re.IGNORECASE)
# The file-wide marker is a comment on a line of its own: '#', '<!--' or '..' (reST).
_IGNORE_FILE = re.compile(
    r"^[ \t]*(?:#|<!--|\.\.)[ \t]*accsyn:[ \t]*ignore-file\b", re.IGNORECASE | re.MULTILINE
)


@dataclass
class Report:
    """The outcome of a run: findings (sorted, severities applied, suppressions removed)
    and what was checked and skipped."""

    findings: list[Finding] = field(default_factory=list)
    files: int = 0
    excluded: int = 0
    python2: list[str] = field(default_factory=list)
    suppressed: int = 0
    ignored: int = 0
    checked: Counter[str] = field(default_factory=Counter)
    skipped: Counter[str] = field(default_factory=Counter)
    #: Every query call site: ``(path, line, "checked" | "skipped", kind or reason)``.
    sites: list[tuple[str, int, str, str]] = field(default_factory=list)

    def count(self, severity: Severity) -> int:
        """How many findings have ``severity``."""
        return sum(1 for f in self.findings if f.severity is severity)

    def exit_code(self, strict: bool = False) -> int:
        """0 when nothing fails the run, 1 on an error (or, with ``strict``, a warning)."""
        if self.count(Severity.ERROR):
            return 1
        if strict and self.count(Severity.WARNING):
            return 1
        return 0

    def add(self, result: FileResult) -> None:
        self.files += 1
        self.checked.update(result.checked)
        self.skipped.update(result.skipped)
        self.suppressed += result.suppressed
        self.ignored += result.ignored
        if result.python2:
            self.python2.append(result.path)
        self.findings.extend(result.findings)
        self.sites.extend((result.path, *site) for site in result.sites)


class _Hint:
    """Whether a Python file can hold a query at all, decided without parsing it: it names
    accsyn, uses a session name (``session.``), or calls ``.find("<word> WHERE …")``."""

    _CALL = re.compile(rf"\.[ \t]*(?:{'|'.join(sorted(STATEMENT_METHODS))})[ \t]*\(")
    _WHERE = re.compile(
        r"\s*(?:query\s*=\s*)?[rRuUfFbB]{0,2}[\"']{1,3}\s*[A-Za-z_]\w*\s+(?i:where)\b"
    )

    def __init__(self, session_names: Iterable[str]) -> None:
        # "self.session" is found through "session."; a plain substring test runs at C speed.
        self._names = sorted({n.rsplit(".", 1)[-1] + "." for n in session_names})

    def __call__(self, text: str) -> bool:
        if "accsyn" in text or any(name in text for name in self._names):
            return True
        return any(self._WHERE.match(text, m.end()) for m in self._CALL.finditer(text))


def _decode(data: bytes) -> str:
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError:
        encoding = "utf-8"
    try:
        return data.decode(encoding, "replace")
    except LookupError:
        return data.decode("utf-8", "replace")


class Linter:
    """Lints sources with one configuration (and one cached :class:`QueryChecker`)."""

    def __init__(self, config: LintConfig | None = None) -> None:
        self.config = config or LintConfig()
        self.checker = QueryChecker(self.config.extra_attributes)
        self._hint = _Hint(self.config.session_names)

    def source(self, text: str, path: str, kind: str | None = None) -> FileResult:
        """Lint one file's text; ``kind`` (``python``, ``accsyn``, ``markdown``, ``rst``)
        defaults to what the path's suffix says."""
        kind = kind or file_kind(Path(path)) or "python"
        result = FileResult(path)
        if _IGNORE_FILE.search(text):
            result.ignored = True
            return result
        try:
            self._scan(text, kind, result)
        except Exception as exc:  # a file lint cannot read must not stop the run
            result.add(1, 1, "AQ900", f"lint failed on this file: {type(exc).__name__}: {exc}")
        self._finish(result, text, python=kind == "python")
        return result

    def _scan(self, text: str, kind: str, result: FileResult) -> None:
        names = self.config.session_names
        if kind == "python":
            if self._hint(text):
                try:
                    tree = ast.parse(text)
                except (SyntaxError, ValueError, RecursionError, MemoryError):
                    result.python2 = True
                    scan_tokens(text, self.checker, names, result)
                else:
                    scan_python(tree, Positions(text), self.checker, names, result, source=text)
        elif kind == "accsyn":
            scan_query_lines(text, self.checker, result)
        elif kind == "markdown":
            scan_markdown(text, self.checker, names, result)
        elif kind == "rst":
            scan_rst(text, self.checker, names, result)

    def _finish(self, result: FileResult, text: str, python: bool) -> None:
        lines = text.split("\n")
        kept: list[Finding] = []
        for finding in result.findings:
            severity = self.config.severity_of(finding.code)
            if severity is Severity.OFF:
                continue
            if _suppressed(finding, lines, python):
                result.suppressed += 1
                continue
            kept.append(
                Finding(
                    finding.path,
                    finding.line,
                    finding.column,
                    finding.code,
                    finding.message,
                    severity,
                    finding.suggestion,
                    finding.statement_line,
                )
            )
        kept.sort(key=lambda f: (f.line, f.column, f.code))
        result.findings = kept

    def paths(self, paths: Iterable[str | Path]) -> Report:
        """Lint every file under ``paths`` (see :func:`accsyn.lint.iter_files`)."""
        report = Report()
        for path, kind, excluded in iter_files(paths, self.config):
            if excluded:
                report.excluded += 1
                continue
            name = str(path)
            if kind is None:
                result = FileResult(name)
                result.add(
                    1, 1, "AQ900", "not a Python, .accsyn, Markdown or reStructuredText file"
                )
                report.add(result)
                continue
            try:
                data = path.read_bytes()
            except FileNotFoundError:
                result = FileResult(name)
                result.add(1, 1, "AQ900", "no such file or directory")
                report.add(result)
                continue
            except OSError as exc:
                result = FileResult(name)
                result.add(1, 1, "AQ900", f"cannot read file: {exc.strerror or exc}")
                report.add(result)
                continue
            report.add(self.source(_decode(data), name, kind))
        report.findings.sort(key=lambda f: (f.path, f.line, f.column, f.code))
        return report


def _suppressed(finding: Finding, lines: list[str], python: bool) -> bool:
    for number in {finding.line, finding.statement_line}:
        if number is None or not 0 < number <= len(lines):
            continue
        line = lines[number - 1]
        if python and "#" not in line:
            continue
        for match in _IGNORE.finditer(line):
            codes = match.group("codes")
            if codes is None:
                return True
            if finding.code in {c.strip().upper() for c in codes.split(",")}:
                return True
    return False


def lint_paths(paths: Iterable[str | Path], config: LintConfig | None = None) -> Report:
    """Lint files and directories with ``config`` (defaults when None)."""
    return Linter(config).paths(paths)


def lint_source(
    text: str, path: str = "<string>", kind: str | None = None, config: LintConfig | None = None
) -> FileResult:
    """Lint one source text (``kind``: ``python``, ``accsyn``, ``markdown`` or ``rst``)."""
    return Linter(config).source(text, path, kind)
