"""Fan-out: 200 finds under 20 ms of server latency, ``AsyncSession`` vs the official client.

The emulator server injects 20 ms into every answer (fault-injection latency, the
rate limiter off). Ours runs the 200 finds on one ``AsyncSession`` with at most 8,
16 or 32 in flight (a semaphore; every limit is measured and shown, the headline
uses the fastest); the official client, which is synchronous, runs them one after
the other, as a script using it would.

``AsyncSession``'s default transport is built from public httpcore API only: small
``httpcore.AsyncConnectionPool`` shards (the pool's bookkeeping grows with the square of
its size) on ``network_backend=AsyncioBackend()`` (plain asyncio streams instead of
anyio's), each attempt under an asyncio deadline. ``sniffio`` is a dependency so that
httpcore's event-loop lookups are cached imports.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from bench._common import (
    claim,
    import_official,
    interleaved,
    isolated_environ,
    median,
    served,
)

FINDS = 200
#: In-flight limits tried; httpx's async pool costs more CPU per request as more
#: requests are in flight, so the best limit depends on the machine.
CONCURRENCY = (8, 16, 32)
LATENCY = 0.020
USERS = (
    "admin@example.com",
    "employee@example.com",
    "standard@example.com",
    "lisa@example.com",
    "john@example.com",
)


def _query(i: int) -> str:
    return f"user WHERE code={USERS[i % len(USERS)]}"


def run(quick: bool = False) -> dict[str, Any]:
    """Median wall time of the whole fan-out per client (ours at each concurrency)."""
    import accsyn

    accsyn_api = import_official()
    finds = 60 if quick else FINDS
    repeats = 2 if quick else 5
    with isolated_environ(), served(latency=LATENCY) as server:
        envfile = server.envfile("admin")
        official = accsyn_api.Session(path_envfile=envfile, timeout=60, connect_timeout=10)
        loop = asyncio.new_event_loop()
        ours = accsyn.AsyncSession(path_envfile=envfile, rate_limit=None)
        try:
            loop.run_until_complete(ours.login())

            def fan_out(limit: int) -> Callable[[], None]:
                async def all_finds() -> list[list[Any]]:
                    gate = asyncio.Semaphore(limit)

                    async def one(i: int) -> list[Any]:
                        async with gate:
                            found: list[Any] = await ours.find(_query(i))
                            return found

                    return await asyncio.gather(*(one(i) for i in range(finds)))

                def go() -> None:
                    assert all(len(r) == 1 for r in loop.run_until_complete(all_finds()))

                return go

            def run_official() -> None:
                for i in range(finds):
                    assert len(official.find(_query(i))) == 1

            contenders: dict[str, Callable[[], None]] = {
                f"accsyn_{n}": fan_out(n) for n in CONCURRENCY
            }
            contenders["official"] = run_official
            samples = interleaved(contenders, repeats)
        finally:
            loop.run_until_complete(ours.aclose())
            loop.close()
    t = {k: median(v) for k, v in samples.items()}
    best = min(CONCURRENCY, key=lambda n: t[f"accsyn_{n}"])
    speedup = t["official"] / t[f"accsyn_{best}"]
    return {
        "finds": finds,
        "concurrency": list(CONCURRENCY),
        "best_concurrency": best,
        "latency_ms": LATENCY * 1000,
        "repeats": repeats,
        "seconds": samples,
        "median_s": t,
        "speedup_vs_official": speedup,
        "claims": [
            claim(
                "fan-out",
                f"{finds} finds, {LATENCY * 1000:.0f} ms server latency",
                ours=f"{t[f'accsyn_{best}']:.2f} s (AsyncSession, {best} in flight)",
                baseline="official client",
                baseline_value=f"{t['official']:.2f} s (sequential)",
                ratio=speedup,
                target=">= 10x",
                met=speedup >= 10,
                goal=10.0,
            )
        ],
    }


def table(result: dict[str, Any]) -> str:
    """Markdown: wall time of the fan-out per client."""
    t = result["median_s"]
    lines = [
        f"{result['finds']} finds, {result['latency_ms']:.0f} ms injected server latency, "
        f"median of {result['repeats']} runs",
        "",
        "| client | wall time | finds/s | official ÷ this |",
        "|---|---:|---:|---:|",
    ]
    for n in result["concurrency"]:
        v = t[f"accsyn_{n}"]
        lines.append(
            f"| accsyn.AsyncSession, {n} in flight | {v:.2f} s | {result['finds'] / v:,.0f} "
            f"| {t['official'] / v:.1f}x |"
        )
    lines.append(
        f"| accsyn_api.Session, sequential | {t['official']:.2f} s "
        f"| {result['finds'] / t['official']:,.0f} | 1.0x |"
    )
    return "\n".join(lines)
