"""Query-language throughput: our parser and renderer against plain Lark and a regex floor.

Run: ``python bench/query.py [--quick]``. Prints a Markdown table and writes
``bench/results/query.json``. Every figure is a median over repeated runs in this
process; ratios compare against baselines measured in the same run:

* *regex floor*: one compiled regular expression that only tokenises the string,
  the practical lower bound for any parser;
* *lark LALR inline*: Lark's own LALR driver with the same grammar and the same
  inline transformer we use (the "plain Lark with an inline transformer" baseline);
* *lark LALR*: a plain ``Lark(grammar, parser="lalr")`` building a parse tree from
  the same grammar file (no positions, no error translation, no AST);
* *lark default*: ``Lark(grammar)`` with Lark's defaults (Earley).

Parsing is measured uncached (``_parse_uncached``): the public ``parse`` serves
repeated strings from a cache, which would measure a dict lookup.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

from lark import Lark

from accsyn._exceptions import QueryValidationError
from accsyn.query import parse, render, validate
from accsyn.query._parser import _get_parser, _parse_uncached, grammar_text

SHORT = "Transfer WHERE status=failed"
NESTED = (
    "transfer WHERE ((user=lisa@example.com AND destination=hq) OR status<>failed) "
    'AND code="* backup"'
)


def generated(terms: int = 200) -> str:
    """A realistic long query: ``terms`` comparisons in nested AND/OR groups."""
    ops = ["=", "!=", "<", ">=", " contains ", " in ", " matches "]
    parts = []
    for i in range(terms):
        op = ops[i % len(ops)]
        if op == " in ":
            value = f"{i},{i + 1},{i + 2}"
        elif op == " matches ":
            value = f'"^job_{i}.*\\.zip$"'
        else:
            value = f"value_{i}" if i % 3 else f'"quoted value {i}"'
        parts.append(f"attr_{i % 17}{op}{value}")
    groups = [" OR ".join(parts[i : i + 4]) for i in range(0, terms, 4)]
    return "transfer WHERE " + " AND ".join(f"({g})" for g in groups)


LONG = generated()

_TOKEN = re.compile(r"""\s+|"[^"]*"|'[^']*'|[(),]|!=|<>|<=|>=|[=<>]|[^\s"'(),=<>!]+""")


def regex_floor(text: str) -> object:
    return _TOKEN.findall(text)


def rate(fn: Callable[[], object], *, min_time: float, repeats: int) -> float:
    """Median calls per second over ``repeats`` runs of at least ``min_time`` each."""
    n = 1
    while True:  # calibrate the loop count
        start = time.perf_counter()
        for _ in range(n):
            fn()
        elapsed = time.perf_counter() - start
        if elapsed >= min_time / 4:
            break
        n *= 2
    n = max(1, int(n * (min_time / max(elapsed, 1e-9))))
    rates = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(n):
            fn()
        rates.append(n / (time.perf_counter() - start))
    return statistics.median(rates)


def run(quick: bool = False) -> dict[str, object]:
    min_time, repeats = (0.05, 3) if quick else (0.3, 7)
    lark_inline = _get_parser()
    lark_lalr = Lark(grammar_text(), parser="lalr")
    lark_default = Lark(grammar_text())
    rows = []
    for name, text in [("short", SHORT), ("nested", NESTED), ("200 terms", LONG)]:
        query = parse(text)
        row: dict[str, object] = {"query": name, "chars": len(text)}
        row["regex_floor"] = rate(lambda t=text: regex_floor(t), min_time=min_time, repeats=repeats)
        row["accsyn_parse"] = rate(
            lambda t=text: _parse_uncached(t), min_time=min_time, repeats=repeats
        )
        row["accsyn_parse_cached"] = rate(
            lambda t=text: parse(t), min_time=min_time, repeats=repeats
        )
        row["lark_lalr_inline"] = rate(
            lambda t=text: lark_inline.parse(t), min_time=min_time, repeats=repeats
        )
        row["lark_lalr"] = rate(
            lambda t=text: lark_lalr.parse(t), min_time=min_time, repeats=repeats
        )
        if name != "200 terms" or not quick:
            row["lark_default"] = rate(
                lambda t=text: lark_default.parse(t), min_time=min_time, repeats=repeats
            )
        row["accsyn_render"] = rate(lambda q=query: render(q), min_time=min_time, repeats=repeats)
        try:
            validate(query)
        except QueryValidationError:
            pass  # the generated query uses made-up attribute names
        else:
            row["accsyn_validate"] = rate(
                lambda q=query: validate(q), min_time=min_time, repeats=repeats
            )
        rows.append(row)
    return {"python": sys.version.split()[0], "rows": rows}


def table(result: dict[str, object]) -> str:
    lines = [
        "| query | accsyn parse/s | lark LALR inline/s | lark LALR tree/s | lark default/s "
        "| regex floor/s | accsyn ÷ lark inline | accsyn ÷ floor | render/s | validate/s |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in result["rows"]:  # type: ignore[attr-defined]
        ours, inline, floor = row["accsyn_parse"], row["lark_lalr_inline"], row["regex_floor"]
        default = row.get("lark_default")
        lines.append(
            f"| {row['query']} ({row['chars']} chars) | {ours:,.0f} | {inline:,.0f} "
            f"| {row['lark_lalr']:,.0f} | "
            + (f"{default:,.0f}" if default else "–")
            + f" | {floor:,.0f} | {ours / inline:.2f}x | {ours / floor:.3f}x "
            f"| {row['accsyn_render']:,.0f} | "
            + (f"{row['accsyn_validate']:,.0f}" if "accsyn_validate" in row else "–")
            + " |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="short runs (smoke test)")
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results")
    args = parser.parse_args(argv)
    result = run(quick=args.quick)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "query.json").write_text(json.dumps(result, indent=2))
    print(table(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
