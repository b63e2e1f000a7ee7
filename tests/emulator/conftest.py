"""Shared fixtures: an emulator served over HTTP on 127.0.0.1 in a background thread."""

from __future__ import annotations

import socket
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from accsyn.emulator import Backend, Clock, create_app, open_backend
from accsyn.testing._serve import serve_app

from ._raw import Raw


@dataclass
class Served:
    backend: Backend
    host: str
    port: int
    keys: dict[str, str]
    users: dict[str, str]


def _free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def run_server(port: int, files_root: Path) -> Iterator[Served]:
    backend, keys, users = open_backend(
        None, seed="demo", files_root=files_root, clock=Clock(realtime=True), transfers=60
    )
    try:
        with serve_app(create_app(backend), port):
            yield Served(backend, "127.0.0.1", port, keys, users)
    finally:
        backend.store.close()


@pytest.fixture(scope="module")
def dev_server() -> Iterator[Served]:
    """The emulator on 127.0.0.1:8181, where the official client's AS_DEV mode talks."""
    for _ in range(100):
        if _free(8181):
            break
        time.sleep(0.1)  # another test run may still hold the port
    with tempfile.TemporaryDirectory() as d:
        yield from run_server(8181, Path(d))


@pytest.fixture(scope="module")
def server() -> Iterator[Served]:
    """The emulator on a free loopback port."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with tempfile.TemporaryDirectory() as d:
        yield from run_server(port, Path(d))


@pytest.fixture(params=["in-process", "http"])
def raw(request: pytest.FixtureRequest, server: Served) -> Iterator[Raw]:
    """Raw admin events to the served workspace, in-process and over HTTP (same backend)."""
    base = f"http://{server.host}:{server.port}" if request.param == "http" else None
    caller = Raw(server.backend, server.users["admin"], server.keys["admin"], base)
    yield caller
    caller.close()


@pytest.fixture
def raw_as(server: Served) -> Iterator[Callable[[str], Raw]]:
    """``raw_as(role)``: raw in-process events to the served workspace as that role."""
    made: list[Raw] = []

    def make(role: str) -> Raw:
        made.append(Raw(server.backend, server.users[role], server.keys[role]))
        return made[-1]

    yield make
    for r in made:
        r.close()
