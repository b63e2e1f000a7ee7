"""The CLI examples of docs/monitor.md run as shown (the Python ones run with every page
in tests/docs/test_examples.py): each ``$ accsyn … --local`` line of a console block is
run, and every output line the page shows under it must appear in what it printed."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from typer.testing import CliRunner

from accsyn.cli._app import app

PAGE = Path(__file__).resolve().parents[2] / "docs" / "monitor.md"
_CONSOLE = re.compile(r"^```console\n(.*?)^```", re.MULTILINE | re.DOTALL)


def _examples() -> list[tuple[str, list[str]]]:
    found: list[tuple[str, list[str]]] = []
    for block in _CONSOLE.findall(PAGE.read_text(encoding="utf-8")):
        for line in block.splitlines():
            if line.startswith("$ "):
                found.append((line[2:], []))
            elif found:
                found[-1][1].append(line)
    return [(cmd, out) for cmd, out in found if "--local" in cmd]


EXAMPLES = _examples()


def test_the_page_has_local_cli_examples() -> None:
    assert len(EXAMPLES) >= 4
    assert {shlex.split(cmd)[1] for cmd, _ in EXAMPLES} >= {"wait", "transfer"}


@pytest.mark.parametrize(("command", "shown"), EXAMPLES, ids=[c for c, _ in EXAMPLES])
def test_cli_example_prints_what_the_page_shows(command: str, shown: list[str]) -> None:
    args = shlex.split(command)
    assert args[0] == "accsyn"
    result = CliRunner(env={"COLUMNS": "200"}).invoke(app, args[1:])
    printed = [" ".join(line.split()) for line in result.output.splitlines()]
    for line in shown:
        # The ids and names on the page are those of LocalWorkspace(seed="demo"): if the
        # demo seed changed, take the new ones from `accsyn find ... --local`.
        assert " ".join(line.split()) in printed, (command, result.output)
