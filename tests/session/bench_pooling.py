"""Side-by-side: finds per second, official client vs accsyn.Session, over loopback.

Not a test (no timing assertions): run ``.venv/bin/python tests/session/bench_pooling.py``.
Both clients talk to the recording server from conftest.py (in its own process, so
it does not compete for the GIL) through the accsyn relay proxy setting; the
difference is a pooled keep-alive connection versus a new TCP connection per call.
"""

from __future__ import annotations

import logging
import multiprocessing
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

import accsyn_api
from conftest import API_KEY, USERNAME, WORKSPACE, Recorder

import accsyn

N = 300
QUERY = "user WHERE role=employee"


def _serve(ports: multiprocessing.Queue[int], stop: Any) -> None:
    recorder = Recorder().start()
    ports.put(recorder.port)
    stop.wait()
    recorder.stop()


def main() -> None:
    logging.getLogger().setLevel(logging.ERROR)
    ports: multiprocessing.Queue[int] = multiprocessing.Queue()
    stop = multiprocessing.Event()
    server = multiprocessing.Process(target=_serve, args=(ports, stop), daemon=True)
    server.start()
    port = ports.get(timeout=30)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            env = Path(tmp) / "official.env"
            env.write_text(
                f"ACCSYN_WORKSPACE={WORKSPACE}\nACCSYN_API_USER={USERNAME}\n"
                f"ACCSYN_API_KEY={API_KEY}\nACCSYN_PROXY=accsyn:127.0.0.1:{port}\n"
            )
            official = accsyn_api.Session(path_envfile=str(env))
        ours = accsyn.Session(
            workspace=WORKSPACE,
            username=USERNAME,
            api_key=API_KEY,
            proxy=f"accsyn:127.0.0.1:{port}",
            rate_limit=None,
        )
        rates = {}
        for name, call in (
            ("official", lambda: official.find(QUERY)),
            ("accsyn.Session", lambda: ours.find(QUERY, raw=True)),
        ):
            call()
            start = time.perf_counter()
            for _ in range(N):
                call()
            rates[name] = N / (time.perf_counter() - start)
            print(f"{name:>15}: {rates[name]:7.0f} finds/s")
        print(f"{'ratio':>15}: {rates['accsyn.Session'] / rates['official']:7.2f}x")
        ours.close()
    finally:
        stop.set()
        server.join(timeout=10)


if __name__ == "__main__":
    main()
