"""Every documented example query parses and renders to its canonical form."""

from __future__ import annotations

from pathlib import Path

import pytest

from accsyn.query import parse, render

_EXAMPLES = [
    tuple(line.split(" => ", 1))
    for line in (Path(__file__).parent / "examples.txt").read_text(encoding="utf-8").splitlines()
    if line.strip() and not line.startswith("#")
]


def test_the_example_file_is_not_empty() -> None:
    assert len(_EXAMPLES) > 60


@pytest.mark.parametrize(("text", "canonical"), _EXAMPLES)
def test_example_renders_canonically(text: str, canonical: str) -> None:
    query = parse(text)
    assert render(query) == canonical
    # The canonical form is a fixed point and means the same thing.
    assert render(parse(canonical)) == canonical
    assert parse(canonical) == query


def test_documented_nested_example_structure() -> None:
    q = parse(
        "transfer WHERE ((user=lisa@example.com AND destination=hq) OR status<>failed) "
        'AND code="* backup"'
    )
    from accsyn.query import And, Comparison, Op, Or

    assert q.entitytype == "transfer"
    assert q.where == And(
        (
            Or(
                (
                    And(
                        (
                            Comparison("user", Op.EQ, "lisa@example.com"),
                            Comparison("destination", Op.EQ, "hq"),
                        )
                    ),
                    Comparison("status", Op.NE, "failed"),
                )
            ),
            Comparison("code", Op.EQ, "* backup"),
        )
    )


def test_install_command_output() -> None:
    # The exact check from the issue, run in-process.
    assert render(parse("Transfer WHERE status<>failed")) == "transfer WHERE status!=failed"
