"""AsyncSession: the same operations, awaited; concurrency over one pooled client."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

import accsyn
from accsyn.models import Transfer

from .conftest import API_KEY, USERNAME, WORKSPACE, FakeClock, MockBackend, envelope_of


def _session(backend: MockBackend, **kwargs: Any) -> accsyn.AsyncSession:
    return accsyn.AsyncSession(
        workspace=WORKSPACE,
        username=USERNAME,
        api_key=API_KEY,
        base_url="https://acme.test",
        transport=backend.async_transport(),
        **kwargs,
    )


def _echo_name(request: httpx.Request) -> httpx.Response:
    envelope = envelope_of(request)
    name = envelope["query"].split("=", 1)[1]
    return httpx.Response(200, json={"result": [{"id": "a" * 24, "name": name}]})


async def test_100_concurrent_finds(backend: MockBackend) -> None:
    backend.script = [_echo_name] * 100
    async with _session(backend, rate_limit=None) as session:
        results = await asyncio.gather(
            *(session.find(f"transfer WHERE name=item{i}") for i in range(100))
        )
    assert [r[0].name for r in results] == [f"item{i}" for i in range(100)]
    assert all(isinstance(r[0], Transfer) for r in results)
    logins = [r for r in backend.requests if r.url.path.endswith("/api/login")]
    assert len(logins) == 1


async def test_concurrent_first_calls_log_in_once(backend: MockBackend) -> None:
    session = _session(backend, rate_limit=None)
    try:
        await asyncio.gather(*(session.files.exists("share=x") for _ in range(20)))
    finally:
        await session.aclose()
    logins = [r for r in backend.requests if r.url.path.endswith("/api/login")]
    assert len(logins) == 1
    assert len(backend.events()) == 20


class FrozenClock(FakeClock):
    """Time stands still while tasks sleep, so reservations are deterministic."""

    async def asleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        await asyncio.sleep(0)


async def test_the_limiter_paces_concurrent_calls(backend: MockBackend) -> None:
    clock = FrozenClock()
    async with _session(backend, clock=clock) as session:
        await asyncio.gather(*(session.files.exists("share=x") for _ in range(100)))
    # Login + 59 calls use the burst of 60; the other 41 queue at 30 per second.
    assert sorted(round(s * 30, 6) for s in clock.sleeps) == [float(k) for k in range(1, 42)]


async def test_async_retry_after(backend: MockBackend, clock: FakeClock) -> None:
    backend.script = [httpx.Response(429, headers={"Retry-After": "2"}, json={"message": "slow"})]
    async with _session(backend, clock=clock) as session:
        assert len(await session.find("transfer")) == 1
    assert clock.sleeps == [2.0]


async def test_async_errors_and_operations(backend: MockBackend, clock: FakeClock) -> None:
    backend.script = [httpx.Response(403, json={"message": "Permission denied"})]
    async with _session(backend, clock=clock) as session:
        with pytest.raises(accsyn.PermissionDeniedError):
            await session.create("transfer", {"name": "x"})
        assert session.get_last_message() == "Permission denied"
        assert await session.acl.grant("user", "lisa@example.com", "folder", "projects")
        assert (await session.acl.access("folder", "f" * 24))[0]["read"] is True
        assert await session.app_is_running() is True
        assert await session.get_api_key() == "server-issued-key"
        assert await session.find_one("transfer WHERE status=running", raw=True) is not None
        assert "logged in" in repr(session)
    assert len(backend.events()) == 8
