"""Rule codes, severities and the :class:`Finding` every extractor produces.

A finding's code says what kind of problem it is; its severity (from the rule's default
or the project's configuration) says whether it fails the run. Codes are stable: they are
what ``# accsyn: ignore[CODE]`` and ``[tool.accsyn.lint.severity]`` refer to.
"""

from __future__ import annotations

import enum
from collections import Counter
from dataclasses import dataclass, field

__all__ = ["RULES", "FileResult", "Finding", "Rule", "Severity"]


class Severity(str, enum.Enum):
    """How much a finding matters: ``error`` fails the run, ``warning`` fails it only with
    ``--strict``, ``info`` never does, ``off`` hides the finding."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"
    OFF = "off"

    @property
    def rank(self) -> int:
        return _RANK[self]


_RANK = {Severity.ERROR: 3, Severity.WARNING: 2, Severity.INFO: 1, Severity.OFF: 0}


@dataclass(frozen=True)
class Rule:
    """One rule: its code, a short name (used by SARIF), what it means and its default."""

    code: str
    name: str
    summary: str
    severity: Severity


RULES: dict[str, Rule] = {
    rule.code: rule
    for rule in (
        Rule("AQ100", "query-syntax", "the query does not parse", Severity.ERROR),
        Rule("AQ101", "unknown-entity-type", "the entity type is not known", Severity.ERROR),
        Rule("AQ102", "unknown-attribute", "the entity type has no such attribute", Severity.ERROR),
        Rule(
            "AQ103",
            "bad-value",
            "the value does not fit the attribute (enum member, number, date, id, regex)",
            Severity.ERROR,
        ),
        Rule(
            "AQ104", "bad-operator", "the operator does not apply to the attribute", Severity.ERROR
        ),
        Rule(
            "AQ105",
            "invalid-query",
            "the query is refused for another reason (no entity type, wrong statement)",
            Severity.ERROR,
        ),
        Rule(
            "AQ200",
            "structural-risk",
            "a dynamic part of the query can change its structure (attribute, operator, "
            "condition or an unquoted value before a keyword)",
            Severity.WARNING,
        ),
        Rule(
            "AQ201",
            "unchecked-query",
            "a query call site that could not be checked (built at run time)",
            Severity.INFO,
        ),
        Rule("AQ900", "unreadable-file", "the file cannot be read", Severity.ERROR),
    )
}


@dataclass(frozen=True)
class Finding:
    """One problem at a 1-based line and column of a file."""

    path: str
    line: int
    column: int
    code: str
    message: str
    severity: Severity = Severity.ERROR
    suggestion: str | None = field(default=None, compare=False)
    #: The first line of the statement holding the query: an ignore comment there counts too.
    statement_line: int | None = field(default=None, compare=False, repr=False)

    @property
    def rule(self) -> Rule:
        """The rule this finding belongs to."""
        return RULES[self.code]


@dataclass
class FileResult:
    """What linting one file found: findings, and the query call sites checked and skipped
    (by kind and by reason)."""

    path: str
    findings: list[Finding] = field(default_factory=list)
    checked: Counter[str] = field(default_factory=Counter)
    skipped: Counter[str] = field(default_factory=Counter)
    #: Every query call site as ``(line, "checked" | "skipped", kind or reason)``.
    sites: list[tuple[int, str, str]] = field(default_factory=list)
    python2: bool = False
    ignored: bool = False  # an ``accsyn: ignore-file`` comment
    suppressed: int = 0

    def add(
        self,
        line: int,
        column: int,
        code: str,
        message: str,
        suggestion: str | None = None,
        statement_line: int | None = None,
    ) -> None:
        """Record a finding (its severity is set from the configuration later)."""
        self.findings.append(
            Finding(
                self.path,
                line,
                column,
                code,
                message,
                RULES[code].severity,
                suggestion,
                statement_line,
            )
        )

    def check(self, kind: str, line: int) -> None:
        """Count a query call site (starting on ``line``) that was checked."""
        self.checked[kind] += 1
        self.sites.append((line, "checked", kind))

    def skip(self, reason: str, line: int, column: int, statement_line: int | None = None) -> None:
        """Count a query call site that could not be checked, and say so (AQ201)."""
        self.skipped[reason] += 1
        self.sites.append((statement_line or line, "skipped", reason))
        self.add(line, column, "AQ201", f"query not checked: {reason}", None, statement_line)
