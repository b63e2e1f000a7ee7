"""Emulated workspaces served over HTTP, one per client, whose backend can be swapped.

The official client only speaks HTTP (``requests``), so both clients reach their
workspace the same way: an ``accsyn`` proxy setting pointing at a uvicorn server on
127.0.0.1. Each hypothesis example swaps in a freshly seeded backend instead of
starting a new server.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

import accsyn.compat
from accsyn.emulator import Backend, Clock, create_app, open_backend
from accsyn.testing._serve import free_port as _free_port
from accsyn.testing._serve import serve_app

#: Every workspace starts at this simulated time, so both sides stamp the same dates.
T0 = 1_767_225_600  # 2026-01-01T00:00:00Z


@dataclass
class Served:
    """One uvicorn server on 127.0.0.1 whose workspace can be replaced."""

    port: int
    backend: Backend | None = None
    keys: dict[str, str] = field(default_factory=dict)
    users: dict[str, str] = field(default_factory=dict)
    #: The directory holding the current workspace's volume files.
    root: str = ""
    _app: Any = None
    _tmp: list[str] = field(default_factory=list)

    @property
    def proxy(self) -> str:
        return f"accsyn:127.0.0.1:{self.port}"

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await self._app(scope, receive, send)

    def reset(self, *, seed: str = "demo", transfers: int = 12) -> Backend:
        """Replace the workspace with a fresh one seeded with ``seed`` at time ``T0``."""
        self.close_backend()
        root = tempfile.mkdtemp(prefix="accsyn-compat-")
        self._tmp.append(root)
        self.root = root
        backend, keys, users = open_backend(
            None, seed=seed, files_root=Path(root), clock=Clock(T0), transfers=transfers
        )
        self.backend, self.keys, self.users = backend, keys, users
        self._app = create_app(backend)
        return backend

    def close_backend(self) -> None:
        if self.backend is not None:
            self.backend.store.close()
            self.backend = None
        while self._tmp:
            shutil.rmtree(self._tmp.pop(), ignore_errors=True)


def _serve(served: Served) -> Iterator[Served]:
    try:
        with serve_app(served, served.port):
            yield served
    finally:
        served.close_backend()


@pytest.fixture(scope="module")
def official_server() -> Iterator[Served]:
    """The workspace the official client talks to."""
    served = Served(_free_port())
    served.reset()
    yield from _serve(served)


@pytest.fixture(scope="module")
def compat_server() -> Iterator[Served]:
    """The workspace ``accsyn.compat`` talks to."""
    served = Served(_free_port())
    served.reset()
    yield from _serve(served)


class FastCompatSession(accsyn.compat.Session):
    """``accsyn.compat.Session`` without the client-side rate limiter: the tests send
    hundreds of requests to a local server; everything else is the default."""

    rate_limit = None


@pytest.fixture(autouse=True)
def _clean_env(accsyn_clean_env: None) -> None:
    """No ACCSYN_* setting or ./.env of the machine leaks into these tests."""
