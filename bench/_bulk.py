"""Bulk reads: one ``find`` returning 10,000 transfers, typed models vs the official dicts.

End to end over loopback against ``accsyn serve`` (a workspace seeded with enough
active transfers): our ``Session.find`` returns validated ``Transfer`` models
(tz-aware dates, enums, party references); the official client returns dicts its
JSON decoder has walked for dates. Both pay the same server time.

A second, client-only row decodes the same 10,000-record response text both ways
(``bench/decode.py``'s records): ``Transfer.list_from_json`` vs the official
``JSONDecoder``, which isolates what each client does with the bytes.
"""

from __future__ import annotations

import json
from typing import Any

from bench._common import (
    claim,
    import_official,
    interleaved,
    isolated_environ,
    median,
    seeded_file,
    served,
)

ROWS = 10_000


def run(quick: bool = False) -> dict[str, Any]:
    """Median seconds of one 10,000-row find per client, and of decoding alone."""
    import accsyn

    accsyn_api = import_official()
    repeats = 3 if quick else 7
    db = seeded_file(2 * ROWS)  # about half of the generated transfers are active
    with isolated_environ(), served(db) as server:
        envfile = server.envfile("admin")
        ours = accsyn.Session(path_envfile=envfile, rate_limit=None)
        official = accsyn_api.Session(path_envfile=envfile, timeout=120, connect_timeout=10)
        try:
            models = ours.find("transfer", limit=ROWS)
            dicts = official.find("transfer", limit=ROWS)
            assert len(models) == len(dicts) == ROWS, (len(models), len(dicts))
            assert models[-1].id == dicts[-1]["id"]
            samples = interleaved(
                {
                    "accsyn": lambda: ours.find("transfer", limit=ROWS),
                    "official": lambda: official.find("transfer", limit=ROWS),
                },
                repeats,
                warmup=False,
            )
        finally:
            ours.close()
    decode = _decode_only(repeats)
    t = {k: median(v) for k, v in samples.items()}
    speedup = t["official"] / t["accsyn"]
    d_speedup = decode["official"] / decode["accsyn"]
    return {
        "rows": ROWS,
        "repeats": repeats,
        "seconds": samples,
        "median_s": t,
        "decode_median_s": decode,
        "speedup_vs_official": speedup,
        "decode_speedup_vs_official": d_speedup,
        "claims": [
            claim(
                "bulk reads",
                f"one find of {ROWS:,} transfers, end to end",
                ours=f"{t['accsyn'] * 1000:.0f} ms (typed models)",
                baseline="official client",
                baseline_value=f"{t['official'] * 1000:.0f} ms (dicts)",
                ratio=speedup,
                target="> 1x (typed faster than untyped)",
                met=speedup > 1,
                goal=1.0,
            ),
            claim(
                "bulk reads",
                f"decoding {ROWS:,} transfers, client only",
                ours=f"{decode['accsyn'] * 1000:.0f} ms",
                baseline="official JSONDecoder",
                baseline_value=f"{decode['official'] * 1000:.0f} ms",
                ratio=d_speedup,
            ),
        ],
    }


def _decode_only(repeats: int) -> dict[str, float]:
    from accsyn_api.session import JSONDecoder

    from accsyn.models import Transfer
    from bench.decode import make_records

    text = json.dumps({"result": make_records(ROWS)})
    samples = interleaved(
        {
            "accsyn": lambda: Transfer.list_from_json(text, envelope=True),
            "official": lambda: json.loads(text, cls=JSONDecoder)["result"],
        },
        repeats,
    )
    return {k: median(v) for k, v in samples.items()}


def table(result: dict[str, Any]) -> str:
    """Markdown: end-to-end and decode-only times."""
    t, d = result["median_s"], result["decode_median_s"]
    return "\n".join(
        [
            f"{result['rows']:,} transfers, median of {result['repeats']} runs",
            "",
            "| | accsyn (typed models) | official client (dicts) | official ÷ accsyn |",
            "|---|---:|---:|---:|",
            f"| `find` end to end | {t['accsyn'] * 1000:.0f} ms | {t['official'] * 1000:.0f} ms "
            f"| {result['speedup_vs_official']:.2f}x |",
            f"| decode only | {d['accsyn'] * 1000:.0f} ms | {d['official'] * 1000:.0f} ms "
            f"| {result['decode_speedup_vs_official']:.2f}x |",
        ]
    )
