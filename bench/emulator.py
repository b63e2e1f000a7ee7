"""Find latency of the emulator over 100,000 transfers: SQL pushdown vs. Python evaluation.

    .venv/bin/python bench/emulator.py [--rows 100000] [--repeat 30]

For each nested query (limit 100) it reports p50/p95 of:
  * sql     — the query compiled to SQL and run by SQLite (what the emulator does);
  * backend — a full ``transfer/find`` event through the emulator (auth, envelope,
              parse, SQL, JSON out), no sockets, each right after a (untimed) write,
              so none is answered from the emulator's kept answers;
  * python  — ``accsyn.query.matches`` over every row already decoded in memory
              (the best case for a pure-Python engine), first 100 matches kept.
Ratios are printed against the python baseline of the same run.

It then reports the emulator's own cost per small call: a ``transfer/find`` by id
through the backend (auth, envelope, route table, access rules, the model's wire
form), also right after a write, against the floor of reading that row from the
store directly.
"""

from __future__ import annotations

import argparse
import base64
import json
import random
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import quote

if __package__ in (None, ""):  # run as a script: the repository root for `bench`
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from accsyn.emulator import Backend, Clock, Store, open_backend
from accsyn.emulator._seed import generate_transfers
from accsyn.query import parse
from accsyn.query._evaluate import matches
from bench._common import touch

QUERIES = [
    "transfer WHERE ((user=standard@example.com AND destination=hq) OR status!=failed) "
    'AND name="* backup"',
    "transfer WHERE (user=lisa@example.com AND status=running) OR "
    "(source=roaming AND name contains backup AND size>1000000000)",
    "transfer WHERE status in failed,aborted AND (destination=hq OR user=admin@example.com) "
    "AND created>=2025-12-20T00:00:00",
]


def pct(samples: list[float], p: float) -> float:
    s = sorted(samples)
    return s[min(len(s) - 1, round(p / 100 * (len(s) - 1)))] * 1000


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=30)
    args = ap.parse_args()

    root = Path(tempfile.mkdtemp(prefix="accsyn-bench-"))
    clock = Clock(datetime(2026, 3, 1, tzinfo=timezone.utc))
    backend, keys, users = open_backend(None, seed=None, files_root=root, clock=clock)
    store = backend.store
    rng = random.Random(1)
    people = store.select(["user"])
    sites = store.select(["site"])
    ws = store.select(["workspace"])
    queue = store.select(["queue"])[0]
    t0 = time.perf_counter()
    store.insert_rows(
        generate_transfers(
            rng,
            args.rows,
            parties=[*ws, *sites, *people],
            owners=people,
            queue=queue,
            start=datetime(2025, 12, 1, tzinfo=timezone.utc) + timedelta(days=0),
        )
    )
    print(f"bulk insert of {args.rows:,} transfers: {time.perf_counter() - t0:.2f} s")
    # Every row, decoded once, for the Python baseline (the active scope only, as find does).
    rows = [Backend.out(r) for r in store.select(["transfer"])]
    print(f"active transfers: {len(rows):,}\n")

    auth = "basic {}:{}".format(
        base64.b64encode(users["admin"].encode()).decode(),
        base64.b64encode(keys["admin"].encode()).decode(),
    )
    headers = {"Authorization": auth, "X-Accsyn-Workspace": backend.code}

    print(f"{'query':<8}{'engine':<9}{'p50 ms':>9}{'p95 ms':>9}{'rows':>6}{'vs python':>11}")
    for qi, text in enumerate(QUERIES, 1):
        q = parse(text)
        assert q.where is not None
        env = {"workspace": backend.code, "uri": "transfer/find", "data": {"limit": 100}}
        env["query"] = text
        raw = quote(json.dumps(env))
        timings: dict[str, list[float]] = {"sql": [], "backend": [], "python": []}
        counts: dict[str, int] = {}
        for _ in range(args.repeat):
            t = time.perf_counter()
            res = store.select(["transfer"], where=q.where, entitytype="transfer", limit=100)
            timings["sql"].append(time.perf_counter() - t)
            counts["sql"] = len(res)
            touch(store)  # untimed: the find below is answered afresh, not kept
            t = time.perf_counter()
            reply = backend.handle("GET", "/api/v3/event", raw, headers, b"")
            timings["backend"].append(time.perf_counter() - t)
            counts["backend"] = len(reply.body["result"])
        for _ in range(max(3, args.repeat // 10)):
            t = time.perf_counter()
            hits = [r for r in rows if matches(q.where, r, entitytype="transfer")][:100]
            timings["python"].append(time.perf_counter() - t)
            counts["python"] = len(hits)
        base = pct(timings["python"], 50)
        for engine in ("sql", "backend", "python"):
            p50, p95 = pct(timings[engine], 50), pct(timings[engine], 95)
            print(
                f"Q{qi:<7}{engine:<9}{p50:>9.2f}{p95:>9.2f}{counts[engine]:>6}"
                f"{base / p50 if p50 else float('inf'):>10.0f}x"
            )
        assert counts["sql"] == counts["python"] == counts["backend"], counts
    small_call(backend, headers, store, args.repeat * 20)
    print("\nqueries:")
    for qi, text in enumerate(QUERIES, 1):
        print(f"  Q{qi}: {text}")


def small_call(backend: Backend, headers: dict[str, str], store: Store, repeat: int) -> None:
    """p50 of one small event through the backend, against the store-lookup floor."""
    row = store.select(["transfer"], limit=1)[0]
    env = {"workspace": backend.code, "uri": "transfer/find", "id": row.id, "data": {}}
    raw = quote(json.dumps(env))
    floor: list[float] = []
    call: list[float] = []
    for _ in range(repeat):
        t = time.perf_counter()
        store.get(row.id)
        floor.append(time.perf_counter() - t)
        touch(store)
        t = time.perf_counter()
        reply = backend.handle("GET", "/api/v3/event", raw, headers, b"")
        call.append(time.perf_counter() - t)
        assert reply.status == 200, reply.body
        assert len(reply.body["result"]) == 1, reply.body
    f50, c50 = pct(floor, 50) * 1000, pct(call, 50) * 1000  # pct() gives ms: now us
    print(
        f"\nsmall call (transfer/find by id): p50 {c50:.0f} us through the backend, "
        f"{f50:.0f} us store lookup floor ({c50 / f50 if f50 else float('inf'):.1f}x the floor)"
    )


if __name__ == "__main__":
    main()
