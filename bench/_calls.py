"""Per-call overhead: many small ``find`` calls against ``accsyn serve`` on loopback.

Three clients run the same ``user/find`` (one row back) against one emulator
server in another process, round-robin over repeated runs:

* ``accsyn.Session`` — typed models back, pooled keep-alive connections, rate
  limiter off (the official client has none);
* ``accsyn_api.Session`` — the official client 3.4.0, pointed at the server by the
  same ``.env`` file (``ACCSYN_PROXY=accsyn:127.0.0.1:<port>``);
* *httpx floor* — a bare ``httpx.Client`` replaying the exact request our session
  encodes (same URL, envelope and headers) and decoding the JSON: what any client
  written on httpx must at least pay.
"""

from __future__ import annotations

from typing import Any

import httpx

from bench._common import (
    claim,
    import_official,
    interleaved,
    isolated_environ,
    median,
    served,
)

QUERY = "user WHERE code=admin@example.com"
#: Calls per timed round.
CHUNK = 50


def run(quick: bool = False) -> dict[str, Any]:
    """Time ``calls`` finds per client, ``repeats`` times; medians and ratios."""
    import accsyn
    from accsyn._requests import find_request

    accsyn_api = import_official()
    calls, repeats = (200, 3) if quick else (1000, 5)
    with isolated_environ(), served() as server:
        envfile = server.envfile("admin")
        ours = accsyn.Session(path_envfile=envfile, rate_limit=None)
        official = accsyn_api.Session(path_envfile=envfile, timeout=60, connect_timeout=10)
        encoded = ours._core.encode(find_request("user", QUERY.split(" WHERE ", 1)[1]))
        floor = httpx.Client()
        headers = dict(encoded.headers)
        try:
            # Same answer from all three: a sanity check, not a timing.
            a = ours.find(QUERY)
            b = official.find(QUERY)
            c = floor.request(encoded.method, encoded.url, headers=headers).json()["result"]
            assert len(a) == len(b) == len(c) == 1, (len(a), len(b), len(c))
            assert a[0].id == b[0]["id"] == c[0]["id"]

            def run_ours() -> None:
                for _ in range(CHUNK):
                    ours.find(QUERY)

            def run_official() -> None:
                for _ in range(CHUNK):
                    official.find(QUERY)

            def run_floor() -> None:
                for _ in range(CHUNK):
                    floor.request(encoded.method, encoded.url, headers=headers).json()

            # Many short rounds, round-robin: a burst of load from elsewhere on the
            # machine lands on a few rounds of every client, and the median drops it.
            samples = interleaved(
                {"accsyn": run_ours, "official": run_official, "httpx_floor": run_floor},
                repeats * calls // CHUNK,
            )
        finally:
            ours.close()
            floor.close()
    per_call = {k: median(v) / CHUNK for k, v in samples.items()}
    speedup = per_call["official"] / per_call["accsyn"]
    overhead = per_call["accsyn"] / per_call["httpx_floor"]
    return {
        "calls": calls,
        "repeats": repeats,
        "query": QUERY,
        "seconds": samples,
        "per_call_ms": {k: v * 1000 for k, v in per_call.items()},
        "speedup_vs_official": speedup,
        "overhead_vs_floor": overhead,
        "claims": [
            claim(
                "calls",
                f"{calls:,} small finds: time per call",
                ours=f"{per_call['accsyn'] * 1000:.2f} ms",
                baseline="official client",
                baseline_value=f"{per_call['official'] * 1000:.2f} ms",
                ratio=speedup,
                target=">= 3x",
                met=speedup >= 3,
                goal=3.0,
            ),
            claim(
                "calls",
                "same, against a bare httpx GET of the same envelope",
                ours=f"{per_call['accsyn'] * 1000:.2f} ms",
                baseline="httpx floor",
                baseline_value=f"{per_call['httpx_floor'] * 1000:.2f} ms",
                ratio=1 / overhead,
                target="ours within 1.3x of the floor (ratio >= 0.77)",
                met=overhead <= 1.3,
                goal=1 / 1.3,
            ),
        ],
    }


def table(result: dict[str, Any]) -> str:
    """Markdown: time per call of each client and the ratios."""
    ms = result["per_call_ms"]
    lines = [
        f'{result["calls"]:,} × `find("{result["query"]}")` per client, {result["repeats"]} '
        f"times, in rounds of {CHUNK} calls; median time per call over the rounds",
        "",
        "| client | ms per call | calls/s | vs accsyn | above the floor |",
        "|---|---:|---:|---:|---:|",
    ]
    for key, label in (
        ("accsyn", "accsyn.Session (models)"),
        ("official", "accsyn_api.Session 3.4.0 (dicts)"),
        ("httpx_floor", "bare httpx.Client GET + json (floor)"),
    ):
        lines.append(
            f"| {label} | {ms[key]:.3f} | {1000 / ms[key]:,.0f} | {ms[key] / ms['accsyn']:.2f}x "
            f"| {ms[key] - ms['httpx_floor']:+.3f} ms |"
        )
    lines += [
        "",
        "Every call includes the emulator server's own time (same for all three); the "
        "last column is what each client adds on top of the floor.",
    ]
    return "\n".join(lines)
