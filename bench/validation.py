"""What validation costs per small call: ``validate="error"`` against ``validate="off"``.

Run: ``python bench/validation.py [--quick]``. Prints a Markdown table and writes
``bench/results/validation.json``. Both sessions run in this process, interleaved
round by round, over two transports:

* *client only*: an ``httpx.MockTransport`` answering a canned one-row result, so the
  figure is the SDK's own cost per call (building, validating, encoding, decoding);
* *local workspace*: the in-process emulated backend, a realistic small call.

Paths timed: a query string, a ``Query`` built with the model fields (a new object
every call), and a repository ``where(...).first()``. The target is a ratio
validated / off of at most 1.05: validation results are cached per query, so a
repeated query costs a dictionary lookup.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench._common import RESULTS, interleaved, median  # noqa: E402

QUERY = "transfer WHERE status!=failed AND name contains backup"
ROW = {"id": "6645fbca9f8c4d3e7a3b678d", "name": "backup 1", "status": "running"}


def _mock() -> httpx.MockTransport:
    login = json.dumps(
        {"result": {"id": "6645fbca9f8c4d3e7a3b6700", "session_id": "s" * 24, "role": "admin"}}
    ).encode()
    found = json.dumps({"result": [ROW]}).encode()

    def handler(request: httpx.Request) -> httpx.Response:
        body = login if request.url.path.endswith("/login") else found
        return httpx.Response(200, content=body, headers={"content-type": "application/json"})

    return httpx.MockTransport(handler)


def _sessions(kind: str) -> tuple[Any, Any, Callable[[], None]]:
    import accsyn

    if kind == "client only":
        common: dict[str, Any] = {
            "workspace": "acme",
            "username": "bench@example.com",
            "api_key": "k" * 32,
            "base_url": "http://127.0.0.1:9",
            "rate_limit": None,
        }
        on = accsyn.Session(transport=_mock(), **common)
        off = accsyn.Session(transport=_mock(), validate="off", **common)
        return on, off, lambda: None
    from accsyn.emulator import LocalWorkspace

    ws = LocalWorkspace(seed="demo")
    ws.__enter__()
    return (
        ws.session(role="admin"),
        ws.session(role="admin", validate="off"),
        lambda: ws.__exit__(None, None, None),
    )


def _paths(session: Any, chunk: int) -> dict[str, Callable[[], None]]:
    from accsyn.models import Transfer

    def string() -> None:
        for _ in range(chunk):
            session.find(QUERY)

    def built() -> None:
        for _ in range(chunk):
            session.find(
                Transfer.where((Transfer.status != "failed") & Transfer.name.contains("backup"))
            )

    def repository() -> None:
        for _ in range(chunk):
            session.transfers.where(Transfer.status != "failed").first()

    return {"query string": string, "Query object": built, "repository where": repository}


def run(quick: bool = False) -> dict[str, Any]:
    """Median seconds per call, validated and not, and their ratio, per transport and path."""
    repeats = 5 if quick else 21
    rows = []
    for kind, chunk in (("client only", 100), ("local workspace", 20)):
        on, off, close = _sessions(kind)
        try:
            ours, theirs = _paths(on, chunk), _paths(off, chunk)
            for path in ours:
                # Both orders, half the rounds each: the first contender of a round
                # must not pay (or dodge) the cache effects for the other.
                half = max(1, repeats // 2)
                samples = interleaved({"on": ours[path], "off": theirs[path]}, half)
                swapped = interleaved({"off": theirs[path], "on": ours[path]}, half)
                for key in samples:
                    samples[key] += swapped[key]
                t_on, t_off = median(samples["on"]) / chunk, median(samples["off"]) / chunk
                rows.append(
                    {
                        "transport": kind,
                        "path": path,
                        "validated_us": round(t_on * 1e6, 1),
                        "off_us": round(t_off * 1e6, 1),
                        "ratio": round(t_on / t_off, 3),
                    }
                )
        finally:
            on.close()
            off.close()
            close()
    rows.append(_check_alone(repeats))
    return {"repeats": repeats, "target_ratio": 1.05, "rows": rows}


def _check_alone(repeats: int) -> dict[str, Any]:
    """The check itself, no I/O: what validation adds to a call, in microseconds."""
    from accsyn import _validation

    chunk = 2000

    def on() -> None:
        for _ in range(chunk):
            _validation.check_query(QUERY, "error")

    def off() -> None:
        for _ in range(chunk):
            _validation.check_query(QUERY, "off")

    samples = interleaved({"on": on, "off": off}, repeats)
    t_on, t_off = median(samples["on"]) / chunk, median(samples["off"]) / chunk
    return {
        "transport": "none (the check alone)",
        "path": "query string",
        "validated_us": round(t_on * 1e6, 2),
        "off_us": round(t_off * 1e6, 2),
        "ratio": round(t_on / t_off, 3),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="fewer calls (a smoke run)")
    args = parser.parse_args(argv)
    result = run(quick=args.quick)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "validation.json").write_text(json.dumps(result, indent=2) + "\n")
    print("| transport | path | validated µs/call | off µs/call | validated / off |")
    print("|---|---|---:|---:|---:|")
    for r in result["rows"]:
        print(
            f"| {r['transport']} | {r['path']} | {r['validated_us']} | {r['off_us']} "
            f"| {r['ratio']:.3f} |"
        )


if __name__ == "__main__":
    main()
