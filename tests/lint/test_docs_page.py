"""docs/lint.md stays the reference: every rule, severity and setting, and it lints clean."""

from __future__ import annotations

import re
from pathlib import Path

from accsyn.lint import RULES, lint_paths
from accsyn.lint._config import _KEYS

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "lint.md"


def test_every_rule_is_documented_with_its_default_severity() -> None:
    text = PAGE.read_text(encoding="utf-8")
    for rule in RULES.values():
        row = re.search(rf"^\| {rule.code} \| {rule.name} \| (\w+) \|", text, re.MULTILINE)
        assert row is not None, f"{rule.code} is missing from the rules table"
        assert row.group(1) == rule.severity.value, rule.code


def test_every_configuration_key_is_documented() -> None:
    text = PAGE.read_text(encoding="utf-8")
    for key in _KEYS:
        assert f"| `{key}` |" in text, key


def test_the_lint_pages_are_reachable_and_lint_clean() -> None:
    assert "lint.md" in (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    assert "(lint.md)" in (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    report = lint_paths([PAGE, ROOT / "docs" / "cli.md"])
    assert report.findings == []
    assert sum(report.checked.values()) >= 10
