"""A fresh seeded workspace per test: seeding vs copying a template, and a small find.

    .venv/bin/python -m bench --only workspace      (or: python bench/workspace.py)

Measured in one run, interleaved so machine noise hits both alike:

* create — ``LocalWorkspace(seed="demo")`` (seeds every time: today's way) vs
  ``LocalWorkspace.fresh()`` (a copy of a per-process template: SQLite's backup
  API for the database, the demo volume's few files written from memory);
* per test — create + first call + close, what a fixture pays per test;
* small find — ``find("queue WHERE code=high")`` (and a user by e-mail): through
  ``LocalWorkspace.session()`` (in-process, no httpx), through the same ``Session``
  over the httpx ``EmulatorTransport`` (the way before: the baseline), and the
  backend alone replaying the in-process session's requests (the emulator's share),
  and in-process right after a write (which empties the emulator's kept answers:
  timed as a SQL write + the find, minus the write alone),
  p50 over many calls, in alternating blocks: :data:`BLOCK` consecutive calls of
  one path, then of the next, round after round. A test suite calls one path many
  times in a row, and so does each block; the rounds spread machine noise over all
  three alike. (Before, the paths alternated call by call, so every in-process call
  ran on caches just churned by an httpx call: about 15% slower than any suite sees.)
  Each call is timed twice: wall clock
  (``perf_counter``: what a test waits) and this thread's CPU time
  (``thread_time``: the work done, without time spent waiting for a core; on a
  shared machine it still includes the slowdown of sharing caches and cores, so
  both figures are above what a quiet machine shows).

The find target (<= 0.15 ms) is judged on the wall-clock p50; the CPU-time p50 is
printed beside it as the load-insensitive estimate.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._common import claim, interleaved, touch

#: The CPU-time samples' keys carry this suffix (``"in-process cpu"``).
CPU = " cpu"

CREATE_TARGET_MS = 5.0
FIND_TARGET_MS = 0.15

#: Consecutive calls of one path before the next path's block (small finds).
BLOCK = 100


def _p50_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


#: The small finds measured: one row by code, and a user by e-mail (the first is the claim).
FINDS = ("queue WHERE code=high", "user WHERE code=lisa@example.com")


def _wall_and_cpu(
    contenders: dict[str, Any], repeats: int, block: int = BLOCK
) -> tuple[dict[str, list[float]], dict[str, list[float]]]:
    """``repeats`` calls of each contender in alternating blocks of ``block``.

    Each call's wall-clock and CPU seconds.
    """
    wall: dict[str, list[float]] = {name: [] for name in contenders}
    cpu: dict[str, list[float]] = {name: [] for name in contenders}
    clock, thread = time.perf_counter, time.thread_time
    done = 0
    while done < repeats:
        n = min(block, repeats - done)
        for name, fn in contenders.items():
            w, c = wall[name], cpu[name]
            for _ in range(n):
                c0, t0 = thread(), clock()
                fn()
                t1, c1 = clock(), thread()
                w.append(t1 - t0)
                c.append(c1 - c0)
        done += n
    return wall, cpu


def _small_finds(ws: Any, calls: int) -> dict[str, list[float]]:
    """p50 samples of a small find: in-process, over httpx, and the backend alone.

    Wall clock, and CPU time under ``<name> cpu``.
    In alternating blocks of :data:`BLOCK` calls per path, many rounds, so noise
    from other processes hits all three alike. The
    backend alone replays the very requests the in-process session sent (each with
    its own ``eid``, as in real use), so its share is measured on real input.
    """
    import accsyn
    from accsyn.emulator._workspace import IN_PROCESS_URL

    workspace, username, api_key = ws.credentials()
    direct = ws.session(role="admin")
    over_httpx = accsyn.Session(
        workspace=workspace,
        username=username,
        api_key=api_key,
        base_url=IN_PROCESS_URL,
        transport=ws.transport(),
        rate_limit=None,
    )
    backend = ws.backend
    handle = backend.handle
    sent: list[tuple[Any, ...]] = []
    store = backend.store

    def write() -> None:
        touch(store)

    def spy(*args: Any, **kwargs: Any) -> Any:
        sent.append(args)
        return handle(*args, **kwargs)

    samples: dict[str, list[float]] = {}
    with direct, over_httpx:
        for query in FINDS:
            assert direct.find(query) == over_httpx.find(query)
            backend.handle = spy  # type: ignore[method-assign]
            for _ in range(calls):
                direct.find(query)
            del backend.handle
            replay = iter(sent[-calls:])
            rounds = {
                "in-process": lambda q=query: direct.find(q),
                "httpx": lambda q=query: over_httpx.find(q),
                "backend": lambda r=replay: handle(*next(r)),
                "write + in-process": lambda q=query: (write(), direct.find(q)),
                "write": write,
            }
            wall, cpu = _wall_and_cpu(rounds, calls)
            for name, taken in wall.items():
                key = name if query == FINDS[0] else f"{name}: {query}"
                samples[key] = taken
                samples[key.replace(name, name + CPU, 1)] = cpu[name]
    return samples


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
        finds = _small_finds(ws, calls)

    result: dict[str, Any] = {
        "create_ms": {k: _p50_ms(v) for k, v in created.items()},
        "per_test_ms": {k: _p50_ms(v) for k, v in per.items()},
        "find_p50_ms": {k: _p50_ms(v) for k, v in finds.items()},
    }
    f = result["find_p50_ms"]
    for suffix in ("", *(f": {q}" for q in FINDS[1:])):
        for extra in ("", CPU):
            # A find right after a write: (write + find) - the write alone.
            both, alone = f"write + in-process{extra}{suffix}", f"write{extra}{suffix}"
            f[f"after a write{extra}{suffix}"] = f.pop(both) - f.pop(alone)
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
            ours=f"{f['in-process']:.3f} ms (CPU {f['in-process' + CPU]:.3f} ms)",
            baseline="the same Session over the httpx EmulatorTransport, same run",
            baseline_value=f"{f['httpx']:.3f} ms (CPU {f['httpx' + CPU]:.3f} ms)",
            ratio=f["httpx"] / f["in-process"],
            target=f"<= {FIND_TARGET_MS:g} ms",
            met=f["in-process"] <= FIND_TARGET_MS,
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
        "| small find, p50: wall clock (CPU time) | in-process (`ws.session()`) "
        "| httpx transport (before) | backend | in-process, right after a write |",
        "|---|---|---|---|---|",
    ]
    for query in FINDS:
        suffix = "" if query == FINDS[0] else f": {query}"
        cells = [
            f"{f[name + suffix]:.3f} ms ({f[name + CPU + suffix]:.3f} ms)"
            for name in ("in-process", "httpx", "backend", "after a write")
        ]
        rows.append(f"| `{query}` | " + " | ".join(cells) + " |")
    find = f["in-process"]
    rows += [
        "",
        f"Targets on this machine: fresh workspace <= {CREATE_TARGET_MS:g} ms: "
        f"{'met' if c['fresh'] <= CREATE_TARGET_MS else 'NOT met'} ({c['fresh']:.2f} ms); "
        f"in-process small find p50 <= {FIND_TARGET_MS:g} ms: "
        f"{'met' if find <= FIND_TARGET_MS else 'NOT met'} ({find:.3f} ms: the emulated "
        f"backend {f['backend']:.3f} ms, the SDK around it {find - f['backend']:.3f} ms).",
        f"The find target is judged on the wall-clock p50; its CPU-time p50 "
        f"({f['in-process' + CPU]:.3f} ms: backend {f['backend' + CPU]:.3f} ms, SDK "
        f"{f['in-process' + CPU] - f['backend' + CPU]:.3f} ms) leaves out time spent "
        f"waiting for a core (the SDK's share includes the emulator's JSON of the answer).",
        f"Small finds are timed in alternating blocks of {BLOCK} consecutive calls per path "
        f"(as a test suite calls one path), many rounds; not call by call.",
        "The same find repeated between writes is answered from the emulator's kept "
        "answer bytes (and its remembered caller and select); the last column is a find "
        "right after a write, which starts all of them over: (a SQL write + the find) "
        "minus the write alone, in the same rounds.",
    ]
    return "\n".join(rows)


if __name__ == "__main__":
    print(table(run(quick="--quick" in sys.argv)))
