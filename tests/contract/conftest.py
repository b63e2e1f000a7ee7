"""Servers for contract tests: ``accsyn serve`` and the recording proxy, on loopback ports."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from accsyn.emulator import Backend, Clock, create_app, open_backend
from accsyn.testing._serve import free_port, serve_app


@dataclass
class Served:
    backend: Backend
    url: str
    port: int
    keys: dict[str, str]
    users: dict[str, str]


def run_app(app: Any, port: int) -> Iterator[None]:
    """Serve an ASGI app on 127.0.0.1:port in a thread for the duration of the block."""
    with serve_app(app, port):
        yield


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
