"""Serve an ASGI app (the emulator, a recording proxy) on 127.0.0.1 in a thread, for tests.

One implementation for every test that needs a real HTTP server: start uvicorn in a
daemon thread on a loopback port, wait until it accepts, and stop it when the block
ends. Needs the ``server`` extra.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

__all__ = ["free_port", "serve_app"]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serve_app(app: Any, port: int | None = None, *, timeout: float = 15.0) -> Iterator[int]:
    """Serve ``app`` on 127.0.0.1 (``port``, or a free one) for the block; yields the port.

    Raises:
        RuntimeError: the server did not start within ``timeout`` seconds.
    """
    import uvicorn

    port = free_port() if port is None else port
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout
    while not server.started and thread.is_alive() and time.monotonic() < deadline:
        time.sleep(0.02)
    if not server.started:
        server.should_exit = True
        thread.join(timeout)
        raise RuntimeError(f"the test server on 127.0.0.1:{port} did not start")
    try:
        yield port
    finally:
        server.should_exit = True
        thread.join(timeout)
