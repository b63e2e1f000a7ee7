"""``accsyn lint`` throughput: files/s on one core, against ``ast.parse`` of the same files.

Run: ``python bench/lint.py [--quick]``. Prints a Markdown table and writes
``bench/results/lint.json``. The process is pinned to one CPU where the OS allows it and
timed in CPU seconds (``time.process_time``), so other load on the machine does not
count. Two file sets:

* *typical code*: the Python standard library of the running interpreter — real code of
  every shape, most of which never mentions accsyn (what a lint run over a repository
  mostly reads);
* *accsyn scripts*: the Python files of the lint test corpus (``tests/lint/corpus``:
  ftrack actions, backup automation, Python 2 Nuke/Maya tools, reports, SDK code),
  copied until there are as many files — every one of them is parsed and walked.

Baselines, measured in the same run on the same files: *read* (reading the bytes) and
*ast.parse* (reading and parsing each file, the floor of any AST-based linter).
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import json
import os
import shutil
import statistics
import sys
import sysconfig
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from accsyn.lint import LintConfig, Linter  # noqa: E402

CORPUS = ROOT / "tests" / "lint" / "corpus"
TARGET = 1000.0  # files/s on one core, issue 17


def _pin_one_core() -> str:
    if hasattr(os, "sched_setaffinity"):
        cpu = min(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {cpu})
        return f"pinned to CPU {cpu}"
    return "not pinned (no sched_setaffinity)"


def _stdlib_files(limit: int | None) -> list[Path]:
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    files = sorted(
        p for p in stdlib.rglob("*.py") if "site-packages" not in p.parts and p.is_file()
    )
    return files[:limit] if limit else files


def _corpus_copies(target: int, into: Path) -> list[Path]:
    sources = [
        p
        for p in sorted(CORPUS.rglob("*.py"))
        if p.relative_to(CORPUS).parts[0] not in ("legacy", "tests")
    ]
    files = []
    for i in range(target):
        source = sources[i % len(sources)]
        dest = into / f"copy{i // len(sources):03d}" / source.relative_to(CORPUS)
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, dest)
        files.append(dest)
    return files


def _read(files: list[Path]) -> None:
    for path in files:
        path.read_bytes()


def _parse(files: list[Path]) -> None:
    for path in files:
        with contextlib.suppress(SyntaxError, ValueError):  # Python 2 files
            ast.parse(path.read_bytes())


def _cpu(fn: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.process_time()
        fn()
        times.append(time.process_time() - start)
    return statistics.median(times)


def _measure(name: str, files: list[Path], repeats: int) -> dict[str, Any]:
    linter = Linter(LintConfig(docs=False))
    linter.paths(files[:50])  # warm: imports, the parser's tables, the models' schema
    lint = _cpu(lambda: linter.paths(files), repeats)
    parse = _cpu(lambda: _parse(files), repeats)
    read = _cpu(lambda: _read(files), repeats)
    report = linter.paths(files)
    return {
        "files": name,
        "count": len(files),
        "lint_files_per_s": len(files) / lint,
        "parse_files_per_s": len(files) / parse,
        "read_files_per_s": len(files) / read,
        "lint_over_parse": lint / parse,
        "sites_checked": sum(report.checked.values()),
        "sites_skipped": sum(report.skipped.values()),
        "meets_target": len(files) / lint >= TARGET,
    }


def run(quick: bool = False) -> dict[str, Any]:
    """Measure both file sets; the result carries one row per set."""
    pinned = _pin_one_core()
    repeats = 1 if quick else 5
    stdlib = _stdlib_files(300 if quick else None)
    rows = [_measure("typical code (Python stdlib)", stdlib, repeats)]
    with tempfile.TemporaryDirectory() as tmp:
        copies = _corpus_copies(200 if quick else 1000, Path(tmp))
        rows.append(_measure("accsyn scripts (lint corpus, copied)", copies, repeats))
    return {
        "python": sys.version.split()[0],
        "cpu": pinned,
        "target_files_per_s": TARGET,
        "rows": rows,
    }


def table(result: dict[str, Any]) -> str:
    """The result as a Markdown table."""
    lines = [
        f"accsyn lint, Python {result['python']}, {result['cpu']}, CPU time, median",
        "",
        "| files | count | lint files/s | ast.parse files/s | read files/s | lint / parse "
        "| sites checked / skipped | ≥ 1,000/s |",
        "|---|---:|---:|---:|---:|---:|---:|:-:|",
    ]
    for row in result["rows"]:
        lines.append(
            f"| {row['files']} | {row['count']:,} | {row['lint_files_per_s']:,.0f} "
            f"| {row['parse_files_per_s']:,.0f} | {row['read_files_per_s']:,.0f} "
            f"| {row['lint_over_parse']:.2f}x | {row['sites_checked']} / {row['sites_skipped']} "
            f"| {'yes' if row['meets_target'] else 'no'} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="short runs (smoke test)")
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results")
    args = parser.parse_args(argv)
    result = run(quick=args.quick)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "lint.json").write_text(json.dumps(result, indent=2))
    print(table(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
