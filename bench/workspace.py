"""A fresh seeded workspace per test: seeding vs copying a template, and a small find.

    .venv/bin/python -m bench --only workspace      (or: python bench/workspace.py)

Measured in one run, interleaved so machine noise hits both alike:

* create — ``LocalWorkspace(seed="demo")`` (seeds every time: today's way) vs
  ``LocalWorkspace.fresh()`` (a copy of a per-process template: SQLite's backup
  API for the database, the demo volume's few files written from memory);
* per test — create + first call + close, what a fixture pays per test;
* small find — ``find("queue WHERE code=high")`` in-process: through a
  ``Session`` (envelope, httpx client, in-process transport, decoding) and the
  backend alone (the emulator's own share), p50 over many calls.
"""

from __future__ import annotations

import base64
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._common import claim, interleaved

CREATE_TARGET_MS = 5.0
FIND_TARGET_MS = 0.15


def _p50_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def run(quick: bool = False) -> dict[str, Any]:
    """Measure workspace creation and a small in-process find."""
    from accsyn.emulator import LocalWorkspace

    LocalWorkspace.fresh().close()  # the template is seeded once per process
    repeats = 5 if quick else 15
    created = interleaved(
        {
            "seeded": lambda: LocalWorkspace(seed="demo").close(),
            "fresh": lambda: LocalWorkspace.fresh().close(),
        },
        repeats,
    )

    def per_test(make: Any) -> None:
        with make() as ws:
            ws.session().find("transfer WHERE status=failed", limit=1)

    per = interleaved(
        {
            "seeded": lambda: per_test(lambda: LocalWorkspace(seed="demo")),
            "fresh": lambda: per_test(LocalWorkspace.fresh),
        },
        repeats,
    )
    calls = 300 if quick else 2000
    with LocalWorkspace.fresh() as ws:
        session = ws.session()
        session.find("queue WHERE code=high")
        session_samples = []
        for _ in range(calls):
            start = time.perf_counter()
            session.find("queue WHERE code=high")
            session_samples.append(time.perf_counter() - start)
        workspace, user, key = ws.credentials()

        def b64(s: str) -> str:
            return base64.b64encode(s.encode()).decode()

        headers = {
            "authorization": f"basic {b64(user)}:{b64(key)}",
            "x-accsyn-workspace": workspace,
        }
        envelope = {"uri": "queue/find", "workspace": workspace, "query": "code=high", "data": {}}
        raw = quote(json.dumps(envelope), safe="/")
        backend_samples = []
        for _ in range(calls):
            start = time.perf_counter()
            ws.backend.handle("GET", "/api/v3/event", raw, headers, b"")
            backend_samples.append(time.perf_counter() - start)

    result: dict[str, Any] = {
        "create_ms": {k: _p50_ms(v) for k, v in created.items()},
        "per_test_ms": {k: _p50_ms(v) for k, v in per.items()},
        "find_p50_ms": {"session": _p50_ms(session_samples), "backend": _p50_ms(backend_samples)},
    }
    c, p, f = result["create_ms"], result["per_test_ms"], result["find_p50_ms"]
    # Create + close bounds the creation from above (the close is measured too).
    fresh_create = c["fresh"]
    result["claims"] = [
        claim(
            "workspace",
            "create (+ close) a seeded demo workspace",
            ours=f"{fresh_create:.2f} ms (fresh)",
            baseline="LocalWorkspace(seed='demo'), same run",
            baseline_value=f"{c['seeded']:.1f} ms",
            ratio=c["seeded"] / fresh_create,
            target=f"<= {CREATE_TARGET_MS:g} ms",
            met=fresh_create <= CREATE_TARGET_MS,
        ),
        claim(
            "workspace",
            "per test: create + first find + close",
            ours=f"{p['fresh']:.2f} ms",
            baseline="seeding per test, same run",
            baseline_value=f"{p['seeded']:.1f} ms",
            ratio=p["seeded"] / p["fresh"],
        ),
        claim(
            "workspace",
            "in-process small find p50, through a Session",
            ours=f"{f['session']:.3f} ms",
            baseline="the backend alone (no SDK, no httpx)",
            baseline_value=f"{f['backend']:.3f} ms",
            ratio=f["backend"] / f["session"],
            target=f"<= {FIND_TARGET_MS:g} ms",
            met=f["session"] <= FIND_TARGET_MS,
        ),
    ]
    return result


def table(result: dict[str, Any]) -> str:
    """The figures as a Markdown table."""
    c, p, f = result["create_ms"], result["per_test_ms"], result["find_p50_ms"]
    rows = [
        "| measure | seeded (today) | fresh (template copy) | ratio |",
        "|---|---|---|---|",
        f"| create + close, p50 (target <= {CREATE_TARGET_MS:g} ms) | {c['seeded']:.1f} ms | "
        f"{c['fresh']:.2f} ms | {c['seeded'] / c['fresh']:.0f}x |",
        f"| create + first find + close, p50 | {p['seeded']:.1f} ms | {p['fresh']:.2f} ms | "
        f"{p['seeded'] / p['fresh']:.0f}x |",
        "",
        "| small in-process find, p50 | ms |",
        "|---|---|",
        f"| through a Session (target <= {FIND_TARGET_MS:g} ms) | {f['session']:.3f} |",
        f"| the backend alone | {f['backend']:.3f} |",
    ]
    return "\n".join(rows)


if __name__ == "__main__":
    print(table(run(quick="--quick" in sys.argv)))
