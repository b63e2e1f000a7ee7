"""Servers for contract tests: ``accsyn serve`` and the recording proxy, on loopback ports."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from accsyn.emulator import Backend, Clock, create_app, open_backend


@dataclass
class Served:
    backend: Backend
    url: str
    port: int
    keys: dict[str, str]
    users: dict[str, str]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def run_app(app: Any, port: int) -> Iterator[None]:
    """Serve an ASGI app on 127.0.0.1:port in a thread for the duration of the block."""
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    assert server.started, "the server did not start"
    try:
        yield
    finally:
        server.should_exit = True
        thread.join(10)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """The emulator as `accsyn serve` runs it (demo seed), over HTTP.

    Its clock stands still (``accsyn serve`` follows the wall clock): a job moving
    on between two recorded reads would make the reads disagree with each other.
    """
    root: Path = tmp_path_factory.mktemp("served")
    backend, keys, users = open_backend(
        None, seed="demo", files_root=root, clock=Clock(), transfers=40
    )
    port = free_port()
    for _ in run_app(create_app(backend), port):
        yield Served(backend, f"http://127.0.0.1:{port}", port, keys, users)
    backend.store.close()
