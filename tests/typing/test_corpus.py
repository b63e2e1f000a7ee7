"""The typing corpus: what mypy and pyright must catch, and what they must accept.

Every file under ``corpus/``, and every page of Python examples in the README and
``docs/`` (its executed ```` ```python ```` blocks joined in order, as the docs
tests run them; ```` ```py ```` blocks are fragments and are left out), is checked
by three configurations our users run: ``mypy --strict``, ``mypy --strict`` with
pydantic's mypy plugin, and ``pyright --strict``. A line marked
``# expect-error`` must get at least one error from each of them; every other line
must get none. So a mistake the SDK's types stop catching fails this test, and so
does a false alarm on correct code or on an example we show users.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from mypy import api

CORPUS = Path(__file__).parent / "corpus"
ROOT = Path(__file__).resolve().parents[2]
#: Pages whose examples are deliberately untyped: migrating.md shows scripts written for
#: the official client running unchanged through accsyn.compat (its dict results are
#: ``dict | None`` as the official client's are).
_UNTYPED_PAGES = frozenset({"docs/migrating.md"})
_FENCE = re.compile(r"^```(?P<info>[^\n`]*)\n(?P<body>.*?)^```\s*$", re.MULTILINE | re.DOTALL)
_MARK = re.compile(r"#\s*expect-error\b")
_MYPY_LINE = re.compile(r"^(?P<file>[^:]+\.py):(?P<line>\d+): error: (?P<msg>.*)$")

Lines = dict[tuple[str, int], list[str]]


def _expected() -> set[tuple[str, int]]:
    found: set[tuple[str, int]] = set()
    for path in sorted(CORPUS.glob("*.py")):
        for number, text in enumerate(path.read_text().splitlines(), start=1):
            if _MARK.search(text):
                found.add((path.name, number))
    return found


def _sources(tmp_path: Path) -> list[Path]:
    """The corpus, plus one module per docs page holding its Python examples."""
    docs = tmp_path / "docs"
    docs.mkdir()
    for page in sorted([*(ROOT / "docs").rglob("*.md"), ROOT / "README.md"]):
        if page.relative_to(ROOT).as_posix() in _UNTYPED_PAGES:
            continue
        text = page.read_text(encoding="utf-8")
        blocks = [
            m.group("body") for m in _FENCE.finditer(text) if m.group("info").strip() == "python"
        ]
        if blocks:
            # Each block of a page re-imports what it uses (it is read on its own); joined
            # in one module, a repeated import line is dropped rather than flagged.
            seen: set[str] = set()
            lines: list[str] = []
            for line in "\n".join(blocks).splitlines():
                is_import = line.startswith(("import ", "from ")) and " import " in f" {line}"
                if is_import and line in seen:
                    line = ""
                seen.add(line)
                lines.append(line)
            blocks = ["\n".join(lines)]
            name = "docs_" + re.sub(r"\W", "_", page.relative_to(ROOT).with_suffix("").as_posix())
            (docs / f"{name}.py").write_text("\n".join(blocks), encoding="utf-8")
    return [CORPUS, docs]


def _mypy(tmp_path: Path, plugin: bool) -> Lines:
    config = tmp_path / "mypy.ini"
    plugins = "plugins = pydantic.mypy\n" if plugin else ""
    config.write_text(f"[mypy]\nstrict = True\n{plugins}")
    stdout, stderr, _ = api.run(
        [
            "--config-file",
            str(config),
            "--no-error-summary",
            "--hide-error-context",
            "--no-incremental",
            "--cache-dir",
            str(tmp_path / "cache"),
            *map(str, _sources(tmp_path)),
        ]
    )
    assert not stderr, stderr
    errors: Lines = {}
    for line in stdout.splitlines():
        match = _MYPY_LINE.match(line)
        if match:
            key = (Path(match["file"]).name, int(match["line"]))
            errors.setdefault(key, []).append(match["msg"])
    return errors


def _pyright(tmp_path: Path) -> Lines:
    executable = shutil.which("pyright", path=str(Path(sys.executable).parent))
    assert executable, "pyright is a dev dependency: pip install -e '.[dev]'"
    config = tmp_path / "pyrightconfig.json"
    config.write_text(json.dumps({"typeCheckingMode": "strict"}), encoding="utf-8")
    proc = subprocess.run(
        [
            executable,
            "-p",
            str(config),
            "--pythonpath",
            sys.executable,
            "--outputjson",
            *map(str, _sources(tmp_path)),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    report = json.loads(proc.stdout)
    errors: Lines = {}
    for diag in report["generalDiagnostics"]:
        if diag["severity"] != "error":
            continue
        key = (Path(diag["file"]).name, diag["range"]["start"]["line"] + 1)
        errors.setdefault(key, []).append(diag["message"].splitlines()[0])
    return errors


CHECKERS: dict[str, Callable[[Path], Lines]] = {
    "mypy --strict": lambda tmp: _mypy(tmp, plugin=False),
    "mypy --strict + pydantic.mypy": lambda tmp: _mypy(tmp, plugin=True),
    "pyright --strict": _pyright,
}


def test_the_corpus_has_enough_must_fail_snippets() -> None:
    # The issue that introduced the corpus asked for at least 40.
    assert len(_expected()) >= 40


@pytest.mark.parametrize("checker", list(CHECKERS))
def test_checker_flags_exactly_the_marked_lines(checker: str, tmp_path: Path) -> None:
    errors = CHECKERS[checker](tmp_path)
    expected = _expected()
    missed = sorted(expected - errors.keys())
    false_alarms = {key: errors[key] for key in sorted(errors.keys() - expected)}
    assert not missed and not false_alarms, (
        f"{checker} accepted these mistakes: {missed}; rejected correct code: {false_alarms}"
    )
