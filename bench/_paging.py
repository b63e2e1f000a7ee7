"""Paging memory: peak RSS of a process iterating a million transfers page by page.

The workspace file (every transfer in the active pool) is seeded once with the
emulator's bulk generator and cached under ``bench/results/cache``; ``accsyn
serve`` serves it in its own process. Each measurement is a fresh Python
process whose peak resident set size (``getrusage``) is read at the end:

* *floor* — imports ``accsyn`` with its models and repositories and logs in,
  reads nothing: the interpreter and libraries every variant pays;
* *accsyn paged* — ``session.transfers.page_size(PAGE)`` iterated to the end,
  models built one page at a time;
* *official, one list* — what the official client offers: one ``find`` returning
  everything as a list of dicts. Measured on ``BASE_ROWS`` rows (a million dicts
  would not fit a CI machine), with ours on the same rows for the ratio.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from typing import Any

from bench._common import ROOT, claim, clean_env, peak_rss_mb, seeded_file, served

ROWS = 1_000_000
BASE_ROWS = 50_000
PAGE = 2_000
TARGET_MB = 150.0


def _child(mode: str, envfile: str, count: int, page: int) -> dict[str, Any]:
    """Run one variant in a fresh process; its JSON report."""
    cmd = [
        sys.executable,
        "-m",
        "bench._paging",
        mode,
        "--envfile",
        envfile,
        "--count",
        str(count),
        "--page",
        str(page),
    ]
    done = subprocess.run(
        cmd, cwd=ROOT, env=clean_env(), capture_output=True, text=True, timeout=1800, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"paging child {mode} failed:\n{done.stderr[-3000:]}")
    report: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return report


def run(quick: bool = False) -> dict[str, Any]:
    """Peak RSS of each variant; ratio and the absolute target."""
    rows, base_rows = (20_000, 5_000) if quick else (ROWS, BASE_ROWS)
    t0 = time.perf_counter()
    db = seeded_file(rows, all_active=True)
    seed_s = time.perf_counter() - t0
    with served(db) as server:
        envfile = server.envfile("admin")
        floor = _child("floor", envfile, 0, PAGE)
        base_official = _child("official", envfile, base_rows, PAGE)
        base_ours = _child("ours", envfile, base_rows, PAGE)
        full = _child("ours", envfile, rows, PAGE)
    assert base_official["rows"] == base_ours["rows"] == base_rows
    assert full["rows"] == rows, full
    ratio = base_official["peak_rss_mb"] / base_ours["peak_rss_mb"]
    return {
        "rows": rows,
        "base_rows": base_rows,
        "page_size": PAGE,
        "seed_or_cache_s": seed_s,
        "floor": floor,
        "base_official": base_official,
        "base_ours": base_ours,
        "full": full,
        "claims": [
            claim(
                "paging memory",
                f"peak RSS iterating {rows:,} transfers",
                ours=f"{full['peak_rss_mb']:.0f} MB",
                baseline="target",
                baseline_value=f"{TARGET_MB:.0f} MB",
                ratio=None,
                target=f"< {TARGET_MB:.0f} MB",
                met=full["peak_rss_mb"] < TARGET_MB,
            ),
            claim(
                "paging memory",
                f"peak RSS reading {base_rows:,} transfers",
                ours=f"{base_ours['peak_rss_mb']:.0f} MB (paged models)",
                baseline="official client",
                baseline_value=f"{base_official['peak_rss_mb']:.0f} MB (one list of dicts)",
                ratio=ratio,
            ),
        ],
    }


def table(result: dict[str, Any]) -> str:
    """Markdown: peak RSS and time of each variant."""
    lines = [
        f"Page size {result['page_size']:,}; every figure is a separate process "
        f"(interpreter + libraries = the floor row).",
        "",
        "| variant | rows | peak RSS | above floor | time | rows/s |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    floor = result["floor"]["peak_rss_mb"]
    for key, label in (
        ("floor", "floor: import + login, no reads"),
        ("base_official", "official client, one `find` (list of dicts)"),
        ("base_ours", "accsyn, `session.transfers` paged (models)"),
        ("full", "accsyn, `session.transfers` paged (models)"),
    ):
        r = result[key]
        rate = f"{r['rows'] / r['seconds']:,.0f}" if r["rows"] else "–"
        lines.append(
            f"| {label} | {r['rows']:,} | {r['peak_rss_mb']:.0f} MB "
            f"| {r['peak_rss_mb'] - floor:.0f} MB | {r['seconds']:.1f} s | {rate} |"
        )
    return "\n".join(lines)


# --------------------------------------------------------------------------------------
# The measured child process
# --------------------------------------------------------------------------------------


def _transfers(session: Any) -> Any:
    from accsyn.models import Transfer

    repo = getattr(session, "transfers", None)
    if repo is None:  # sessions without the repository mixin yet
        from accsyn.repository import RepositoryMixin

        repo = RepositoryMixin.repository(session, Transfer)
    return repo


def _measure(mode: str, envfile: str, count: int, page: int) -> dict[str, Any]:
    start = time.perf_counter()
    n = 0
    if mode == "official":
        import logging

        import accsyn_api

        logging.getLogger().setLevel(logging.WARNING)
        official = accsyn_api.Session(path_envfile=envfile, timeout=1800, connect_timeout=10)
        rows = official.find("transfer", limit=count)
        n = sum(1 for r in rows if r["status"])
    else:
        import accsyn

        session = accsyn.Session(path_envfile=envfile, rate_limit=None, timeout=600)
        select = _transfers(session).page_size(page).limit(max(count, 1))
        if mode == "ours":
            for transfer in select:
                if transfer.status is not None:  # touch every model
                    n += 1
        session.close()
    return {
        "mode": mode,
        "rows": n,
        "seconds": time.perf_counter() - start,
        "peak_rss_mb": peak_rss_mb(),
    }


def main(argv: list[str] | None = None) -> None:
    """``python -m bench._paging MODE --envfile F --count N --page P`` (prints JSON)."""
    p = argparse.ArgumentParser(prog="python -m bench._paging")
    p.add_argument("mode", choices=["floor", "ours", "official"])
    p.add_argument("--envfile", required=True)
    p.add_argument("--count", type=int, default=0)
    p.add_argument("--page", type=int, default=PAGE)
    a = p.parse_args(argv)
    print(json.dumps(_measure(a.mode, a.envfile, a.count, a.page)))


if __name__ == "__main__":
    main()
