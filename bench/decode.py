"""Decode 10,000 transfer records: typed models vs the official client's dicts.

Both decoders read the same ``{"result": [...]}`` response text:

* ``accsyn`` — ``Transfer.list_from_json(text, envelope=True)``: pydantic-core
  validates straight from JSON into tz-aware, enum- and reference-typed models;
* ``accsyn_api`` — ``json.loads(text, cls=accsyn_api.session.JSONDecoder)``, the
  official client's own decoder (untyped dicts; it walks every value converting
  dates and stripping ``ObjectId:``).

Run: ``.venv/bin/python bench/decode.py [--records N] [--repeat R]``. Prints the
median time of R runs per decoder and the ratio (official / typed; > 1 means the
typed decoder is faster).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

from accsyn_api.session import JSONDecoder

from accsyn.models import Transfer

STATUSES = ["init", "waiting", "running", "paused", "failed", "aborted", "done"]
NAMES = ["backup", "dailies", "plates", "renders", "audio", "conform", "vfx", "grade"]
SITES = ["hq", "stockholm", "london", "la"]


def _oid(rng: random.Random) -> str:
    return f"{rng.getrandbits(96):024x}"


def _date(rng: random.Random, base: datetime) -> str:
    moment = base + timedelta(seconds=rng.randrange(0, 90 * 86400))
    text = moment.strftime("%Y-%m-%dT%H:%M:%S")
    # The server sometimes writes milliseconds.
    return text + f".{rng.randrange(1000):03d}" if rng.random() < 0.2 else text


def make_records(count: int, seed: int = 7) -> list[dict[str, Any]]:
    """Realistic transfer records: ids, dates, party refs with _hr companions, metadata."""
    rng = random.Random(seed)
    base = datetime(2026, 1, 1, tzinfo=timezone.utc)
    workspace = _oid(rng)
    users = [(_oid(rng), f"user{i}@example.com") for i in range(50)]
    queues = [(_oid(rng), q) for q in ("high", "medium", "low")]
    records = []
    for i in range(count):
        user_id, email = rng.choice(users)
        dest_id, dest_email = rng.choice(users)
        queue_id, queue = rng.choice(queues)
        status = rng.choice(STATUSES)
        name = f"{rng.choice(NAMES)} {i:05d}"
        record: dict[str, Any] = {
            "id": _oid(rng),
            "code": name,
            "name": name,
            "status": status,
            "type": 1,
            "created": _date(rng, base),
            "creator": user_id,
            "modified": _date(rng, base),
            "modifier": user_id,
            "finished": _date(rng, base) if status in ("done", "aborted") else None,
            "source": f"workspace:{workspace}",
            "source_hr": f"workspace:seagull({workspace})",
            "destination": f"user:{dest_id}",
            "destination_hr": f"user:{dest_email}[standard]({dest_id})",
            "user": user_id,
            "user_hr": f"user:{email}[employee]({user_id})",
            "parent": queue_id,
            "parent_hr": f"{queue}({queue_id})",
            "uri": f"Seagull/{queue}",
            "progress": rng.randrange(101),
            "size": rng.randrange(-1, 10**12),
            "speed": round(rng.uniform(-1, 500), 3),
            "etr": "" if status != "running" else f"{rng.randrange(1, 300)}m",
            "description": None,
            "metadata": {
                "project": f"P{rng.randrange(100):03d}",
                "site": rng.choice(SITES),
                "shots": [f"sh{rng.randrange(999):03d}" for _ in range(3)],
                "approved": _date(rng, base),
            },
        }
        records.append(record)
    return records


def _timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=9)
    args = parser.parse_args(argv)

    text = json.dumps({"result": make_records(args.records)})

    def typed() -> list[Transfer]:
        return Transfer.list_from_json(text, envelope=True)

    def official() -> Any:
        return json.loads(text, cls=JSONDecoder)["result"]

    # Same data both ways: a sanity check, not a timing.
    models, dicts = typed(), official()
    assert len(models) == len(dicts) == args.records
    assert models[0].created == dicts[0]["created"]
    assert str(models[0].source) == dicts[0]["source"]

    typed()  # warm the adapter
    # Interleaved runs: a busy machine slows both decoders alike within a pair.
    typed_times, official_times, ratios = [], [], []
    for _ in range(args.repeat):
        a, b = _timed(typed), _timed(official)
        typed_times.append(a)
        official_times.append(b)
        ratios.append(b / a)
    t_typed = statistics.median(typed_times)
    t_official = statistics.median(official_times)
    ratio = statistics.median(ratios)
    size_mb = len(text.encode()) / 1e6
    rows = [
        ("accsyn (typed models)", t_typed),
        ("accsyn_api JSONDecoder (dicts)", t_official),
    ]
    print(
        f"decode {args.records:,} transfer records ({size_mb:.1f} MB JSON), "
        f"median of {args.repeat} runs, Python {sys.version.split()[0]}"
    )
    print(f"{'decoder':<32} {'median ms':>10} {'records/s':>12}")
    for label, seconds in rows:
        print(f"{label:<32} {seconds * 1000:>10.1f} {args.records / seconds:>12,.0f}")
    print(
        f"ratio official/typed (median of per-run ratios): {ratio:.2f}x "
        f"({'typed is faster' if ratio >= 1 else 'typed is SLOWER'})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
