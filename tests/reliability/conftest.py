"""Shared pieces of the reliability suite: a clock that never waits, faulty transports,
and the emulator served over real HTTP on a free loopback port."""

from __future__ import annotations

import random
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from accsyn.emulator import Backend, Clock, create_app, open_backend
from accsyn.testing._serve import serve_app

#: Where in-process sessions send requests (never resolved: the transport answers).
IN_PROCESS_URL = "http://accsyn-emulator.invalid"


class InstantClock:
    """A retry/limiter clock whose sleeps advance virtual time instead of waiting."""

    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds

    async def asleep(self, seconds: float) -> None:
        self.sleep(seconds)


class FlakyTransport(httpx.BaseTransport):
    """Wraps a transport with the network failures a server cannot inject itself.

    * ``connect_rate``: the connection fails before the request leaves (never seen);
    * ``lost_rate``: the server handles the request, then the answer is lost — the
      case where a blindly retried create would be duplicated.
    """

    def __init__(
        self,
        inner: httpx.BaseTransport,
        *,
        connect_rate: float,
        lost_rate: float,
        seed: int = 0,
    ) -> None:
        self.inner = inner
        self.connect_rate = connect_rate
        self.lost_rate = lost_rate
        self.rng = random.Random(seed)
        self.lost = 0
        self.refused = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        roll = self.rng.random()
        if roll < self.connect_rate:
            self.refused += 1
            raise httpx.ConnectError("injected: connection refused", request=request)
        response = self.inner.handle_request(request)
        if roll < self.connect_rate + self.lost_rate:
            self.lost += 1
            response.close()
            raise httpx.RemoteProtocolError("injected: answer lost after handling", request=request)
        return response


@dataclass
class Served:
    """The emulator listening on loopback."""

    backend: Backend
    port: int
    keys: dict[str, str]
    users: dict[str, str]

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@pytest.fixture
def served() -> Iterator[Served]:
    """``accsyn.emulator.create_app`` under uvicorn in a thread, on a free port."""
    with tempfile.TemporaryDirectory() as d:
        backend, keys, users = open_backend(
            None, seed="demo", files_root=Path(d), clock=Clock(realtime=True), transfers=20
        )
        try:
            with serve_app(create_app(backend)) as port:
                yield Served(backend, port, keys, users)
        finally:
            backend.store.close()
