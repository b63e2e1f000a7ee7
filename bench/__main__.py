"""``python -m bench [--quick] [--only NAMES] [--out DIR]``: run the suite, write the results."""

from __future__ import annotations

import argparse
import importlib
import json
import re
import subprocess
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench._common import RESULTS, ROOT, claim, machine

#: Suite order: (name, module, what it measures).
BENCHMARKS = [
    ("calls", "bench._calls", "Per-call overhead: small finds over loopback"),
    ("bulk", "bench._bulk", "Bulk reads: one find of 10,000 transfers"),
    ("fanout", "bench._fanout", "Fan-out: 200 finds under 20 ms latency"),
    ("paging", "bench._paging", "Paging memory: a million transfers"),
    ("query", "bench.query", "Query language: parse and render throughput"),
    ("emulator", "bench.emulator", "Emulator: find latency over 100,000 transfers"),
    ("workspace", "bench.workspace", "A fresh seeded workspace per test, and a small find"),
]
PLOT = ROOT / "docs" / "assets" / "bench.png"


# --------------------------------------------------------------------------------------
# Modules owned elsewhere: derive headline rows from their results
# --------------------------------------------------------------------------------------


def _query_claims(result: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for row in result.get("rows", []):
        ours, inline = row["accsyn_parse"], row["lark_lalr_inline"]
        out.append(
            claim(
                "query",
                f"parse, {row['query']} query ({row['chars']} chars)",
                ours=f"{ours:,.0f} parses/s",
                baseline="Lark LALR, same grammar + inline transformer",
                baseline_value=f"{inline:,.0f} parses/s",
                ratio=ours / inline,
            )
        )
    return out


_EMU_LINE = re.compile(
    r"^Q(?P<q>\d+)\s+(?P<engine>\w+)\s+(?P<p50>[\d.]+)\s+(?P<p95>[\d.]+)\s+(?P<rows>\d+)\s+"
    r"(?P<ratio>[\d.]+|inf)x"
)


def _emulator_script(quick: bool) -> dict[str, Any]:
    """``bench/emulator.py`` has no ``run()``: run its script and read its printed table."""
    args = ["--rows", "20000", "--repeat", "5"] if quick else []
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "emulator.py"), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"bench/emulator.py failed:\n{done.stderr[-3000:]}")
    rows = []
    for line in done.stdout.splitlines():
        m = _EMU_LINE.match(line.strip())
        if m:
            rows.append(
                {
                    "query": f"Q{m['q']}",
                    "engine": m["engine"],
                    "p50_ms": float(m["p50"]),
                    "p95_ms": float(m["p95"]),
                    "rows": int(m["rows"]),
                }
            )
    return {"stdout": done.stdout, "rows": rows}


def _emulator_claims(result: dict[str, Any]) -> list[dict[str, Any]]:
    if "claims" in result:
        return list(result["claims"])
    by_q: dict[str, dict[str, float]] = {}
    for row in result.get("rows", []):
        by_q.setdefault(row["query"], {})[row["engine"]] = row["p50_ms"]
    out = []
    for q, engines in by_q.items():
        if "backend" in engines and "python" in engines and engines["backend"]:
            out.append(
                claim(
                    "emulator",
                    f"find latency p50, {q} (full event, SQL pushdown)",
                    ours=f"{engines['backend']:.2f} ms",
                    baseline="pure-Python evaluation of every row",
                    baseline_value=f"{engines['python']:.2f} ms",
                    ratio=engines["python"] / engines["backend"],
                )
            )
    return out


def _emulator_table(result: dict[str, Any]) -> str:
    stdout = str(result.get("stdout", ""))
    return "```text\n" + stdout.rstrip() + "\n```"


def _load(name: str, module: str) -> tuple[Callable[[bool], Any], Callable[[Any], str]]:
    mod = importlib.import_module(module)
    run, table = getattr(mod, "run", None), getattr(mod, "table", None)
    if name == "emulator" and (run is None or table is None):
        return _emulator_script, _emulator_table
    if run is None or table is None:
        raise RuntimeError(f"{module} has no run(quick)/table(result)")
    return run, table


# --------------------------------------------------------------------------------------
# Output
# --------------------------------------------------------------------------------------


def _fmt_ratio(x: float | None) -> str:
    if x is None:
        return "–"
    return f"{x:.2f}x" if x < 10 else f"{x:.1f}x"


def _met(value: bool | None) -> str:
    return {True: "✅ yes", False: "❌ no", None: "–"}[value]


def render_markdown(report: dict[str, Any]) -> str:
    """The results page: the machine, the headline claims, then each benchmark's table."""
    m = report["machine"]
    versions = ", ".join(f"{k} {v}" for k, v in m["versions"].items())
    lines = [
        "# Benchmark results"
        + (" (quick smoke run: not for publication)" if report["quick"] else ""),
        "",
        f"Measured {m['date']} on {m['cores']} cores ({m['cpu']}), Python {m['python']}, "
        f"{m['platform']}; load average at start {m['loadavg_at_start'][0]}. {versions}. "
        f"The whole run took {report['duration_s']:.0f} s.",
        "",
        "Every ratio compares against a baseline measured in the same run, as the median of "
        "repeated runs; higher is better for accsyn. Reproduce with "
        f"`.venv/bin/python -m bench{' --quick' if report['quick'] else ''}`.",
        "",
        "| benchmark | measure | accsyn | baseline | baseline figure | ratio | target | met |",
        "|---|---|---:|---|---:|---:|---|---|",
    ]
    for c in report["claims"]:
        lines.append(
            f"| {c['benchmark']} | {c['measure']} | {c['ours']} | {c['baseline']} "
            f"| {c['baseline_value']} | {_fmt_ratio(c['ratio'])} | {c['target'] or '–'} "
            f"| {_met(c['met'])} |"
        )
    for name, _, title in BENCHMARKS:
        if name not in report["benchmarks"]:
            continue
        lines += ["", f"## {title}", ""]
        entry = report["benchmarks"][name]
        lines.append(entry.get("table") or f"Failed:\n\n```text\n{entry.get('error', '')}\n```")
        lines.append("")
        lines.append(f"*{entry.get('seconds', 0):.0f} s.*")
    return "\n".join(lines) + "\n"


def plot(report: dict[str, Any], path: Path) -> str | None:
    """Draw the ratios (and paging memory) to ``path``; the reason if it cannot."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return "matplotlib is not installed"
    ratios = [c for c in report["claims"] if c["ratio"]]
    if not ratios:
        return "no ratio to plot (every selected suite failed)"
    paging = report["benchmarks"].get("paging", {}).get("result")
    fig, axes = plt.subplots(
        1,
        2 if paging else 1,
        figsize=(13 if paging else 8, max(3.0, 0.42 * len(ratios) + 1.2)),
        gridspec_kw={"width_ratios": [3, 1.3]} if paging else None,
        squeeze=False,
    )
    ax = axes[0][0]
    labels = [f"{c['benchmark']}: {c['measure']}" for c in ratios][::-1]
    values = [c["ratio"] for c in ratios][::-1]
    colours = [{True: "#2e7d32", False: "#c62828", None: "#607d8b"}[c["met"]] for c in ratios][::-1]
    ax.barh(range(len(values)), values, color=colours)
    for i, c in enumerate(ratios[::-1]):
        if c.get("goal"):
            ax.plot([c["goal"], c["goal"]], [i - 0.4, i + 0.4], color="black", lw=2)
        ax.text(c["ratio"], i, f" {_fmt_ratio(c['ratio'])}", va="center", fontsize=8)
    ax.set_yticks(range(len(labels)), labels, fontsize=8)
    ax.set_xscale("log")
    ax.set_xlim(right=max(values) * 3)  # room for the value labels
    ax.axvline(1.0, color="grey", lw=0.8, ls="--")
    ax.set_xlabel("times better than the baseline (log; black tick = target)")
    ax.set_title("accsyn vs baselines, same run", fontsize=10)
    if paging:
        ax2 = axes[0][1]

        def rows(n: int) -> str:
            return f"{n / 1e6:g}M" if n >= 1_000_000 else f"{n / 1000:g}k"

        bars = [
            (f"official\n{rows(paging['base_rows'])}, list", paging["base_official"]),
            (f"accsyn\n{rows(paging['base_rows'])}, paged", paging["base_ours"]),
            (f"accsyn\n{rows(paging['rows'])}, paged", paging["full"]),
        ]
        ax2.bar(
            range(len(bars)),
            [b[1]["peak_rss_mb"] for b in bars],
            color=["#607d8b", "#2e7d32", "#2e7d32"],
        )
        ax2.axhline(150, color="black", lw=1.5, ls="--")
        ax2.text(len(bars) - 0.6, 153, "target 150 MB", fontsize=8, ha="right")
        ax2.set_xticks(range(len(bars)), [b[0] for b in bars], fontsize=7)
        ax2.set_ylabel("peak RSS (MB)")
        ax2.set_title("paging memory", fontsize=10)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return None


# --------------------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------------------


def _suite(name: str, quick: bool) -> dict[str, Any]:
    """Run one suite here: its result, table and headline claims (or the error)."""
    module = next(m for n, m, _ in BENCHMARKS if n == name)
    entry: dict[str, Any] = {}
    try:
        run, table = _load(name, module)
        result = run(quick)
        entry["result"] = result
        entry["table"] = table(result)
        if name == "query":
            entry["claims"] = _query_claims(result)
        elif name == "emulator":
            entry["claims"] = _emulator_claims(result)
        else:
            entry["claims"] = list(result.get("claims", []))
    except Exception:
        entry["error"] = traceback.format_exc()
    return entry


#: What a suite's own process prints before its JSON entry (on the last line).
_ENTRY = "bench-entry: "


def _in_own_process(name: str, quick: bool) -> dict[str, Any]:
    """Run one suite in a process of its own, as if it were the only one.

    Suites run one after the other in one process measured each other's leftovers
    (threads, servers, a large heap): the last one's small finds came out about 50%
    slower than alone. Each suite now starts from a clean interpreter.
    """
    args = [sys.executable, "-m", "bench", "--suite", name, *(["--quick"] if quick else [])]
    done = subprocess.run(args, cwd=ROOT, stdout=subprocess.PIPE, text=True, check=False)
    lines = done.stdout.splitlines()
    if done.returncode != 0 or not lines or not lines[-1].startswith(_ENTRY):
        tail = "\n".join(lines[-20:])
        return {"error": f"the {name} suite's process failed (exit {done.returncode}):\n{tail}"}
    entry: dict[str, Any] = json.loads(lines[-1][len(_ENTRY) :])
    return entry


def main(argv: list[str] | None = None) -> int:
    """Run the selected benchmarks, print the results, write the files."""
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    p.add_argument("--quick", action="store_true", help="smoke run (small sizes, few repeats)")
    p.add_argument(
        "--only",
        default="",
        help="comma-separated subset: " + ",".join(n for n, _, _ in BENCHMARKS),
    )
    p.add_argument("--out", type=Path, default=None, help="results directory")
    p.add_argument("--suite", default=None, help=argparse.SUPPRESS)  # one suite's own process
    a = p.parse_args(argv)
    if a.suite is not None:
        entry = _suite(a.suite, a.quick)
        print(_ENTRY + json.dumps(entry, default=str), flush=True)
        return 0
    wanted = [n for n in a.only.split(",") if n] or [n for n, _, _ in BENCHMARKS]
    unknown = set(wanted) - {n for n, _, _ in BENCHMARKS}
    if unknown:
        p.error(f"unknown benchmark(s): {', '.join(sorted(unknown))}")
    out = a.out or (RESULTS / "quick" if a.quick else RESULTS)
    plot_path = out / "bench.png" if a.quick or a.out else PLOT

    started = time.perf_counter()
    report: dict[str, Any] = {
        "machine": machine(),
        "quick": a.quick,
        "benchmarks": {},
        "claims": [],
    }
    failed = []
    for name, _, title in BENCHMARKS:
        if name not in wanted:
            continue
        print(f"== {title} ...", file=sys.stderr, flush=True)
        t0 = time.perf_counter()
        entry = _in_own_process(name, a.quick)
        if "error" in entry:
            failed.append(name)
            print(entry["error"], file=sys.stderr)
        else:
            report["claims"] += entry.pop("claims")
        entry["seconds"] = time.perf_counter() - t0
        report["benchmarks"][name] = entry
        print(f"   {entry['seconds']:.0f} s", file=sys.stderr, flush=True)
    report["duration_s"] = time.perf_counter() - started

    out.mkdir(parents=True, exist_ok=True)
    markdown = render_markdown(report)
    (out / "results.md").write_text(markdown, encoding="utf-8")
    (out / "results.json").write_text(json.dumps(report, indent=2, default=str), encoding="utf-8")
    why_not = plot(report, plot_path)
    print(markdown)
    print(f"wrote {out / 'results.md'}, {out / 'results.json'}", file=sys.stderr)
    print(
        f"plot: {why_not}" if why_not else f"wrote {plot_path}",
        file=sys.stderr,
    )
    if failed:
        print(f"FAILED: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
