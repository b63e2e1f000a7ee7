"""Pre-auth amplification: peak RSS growth from a ~21 KiB hostile gzip request.

    .venv/bin/python bench/hostile_request.py

The request carries ``gz_data`` that inflates to ~16 MB of ``{},{},…`` (millions of
tiny objects once parsed: hundreds of MB before the fix). It is sent twice to the
emulator's backend in-process: without credentials (refused before the body is
touched) and with a valid key (refused by the container cap before parsing). The
number is the growth of this process's peak RSS (``ru_maxrss``) over the two
requests; the target is under 10 MB. Each case runs in a fresh subprocess so one
case's peak does not hide the other's.
"""

from __future__ import annotations

import base64
import gzip
import json
import resource
import subprocess
import sys
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

TARGET_MB = 10.0


def _payload() -> bytes:
    inner = b"[" + b"{}," * (16 * 1024 * 1024 // 3 - 2) + b"{}]"
    gz = base64.b64encode(gzip.compress(inner, compresslevel=9)).decode()
    return json.dumps({"uri": "queue/create", "gz_data": gz}).encode()


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def measure(authenticated: bool) -> dict[str, float]:
    """Peak RSS growth (MB) from one hostile request, and the answer's status."""
    from accsyn._config import Secret
    from accsyn._wire import auth_header
    from accsyn.emulator import LocalWorkspace

    with LocalWorkspace(seed=None) as ws:
        workspace, user, key = ws.credentials("admin")
        headers = {"content-type": "application/json", "x-accsyn-workspace": workspace}
        if authenticated:
            headers["authorization"] = auth_header(user, Secret(key))
        body = _payload()
        before = _peak_mb()
        reply = ws.backend.handle("POST", "/api/v3/event", "", headers, body)
        growth = _peak_mb() - before
    return {"request_kib": len(body) / 1024, "status": reply.status, "peak_rss_growth_mb": growth}


def main() -> int:
    results = {}
    for case in ("anonymous", "authenticated"):
        code = (
            "import json, bench.hostile_request as h; "
            f"print(json.dumps(h.measure({case == 'authenticated'})))"
        )
        root = Path(__file__).resolve().parents[1]
        out = subprocess.run(
            [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True
        )
        results[case] = json.loads(out.stdout.strip().splitlines()[-1])
        r = results[case]
        print(
            f"{case:14} request {r['request_kib']:.1f} KiB -> HTTP {r['status']:.0f}, "
            f"peak RSS growth {r['peak_rss_growth_mb']:.1f} MB (target < {TARGET_MB:g} MB)"
        )
    ok = all(r["peak_rss_growth_mb"] < TARGET_MB for r in results.values())
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
