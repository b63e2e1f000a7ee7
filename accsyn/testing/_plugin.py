"""pytest plugin (entry point ``pytest11: accsyn``): fixtures for testing accsyn integrations.

Installed with the package, so any test suite can use them without imports::

    def test_my_sync_job(accsyn_session):
        jobs = accsyn_session.find("transfer WHERE status=running")
        ...

    async def test_async(accsyn_async_session):
        users = await accsyn_async_session.find("user")

Each test gets a fresh, seeded, in-process emulated workspace (no network, no
credentials). Seeded API keys are deterministic and for local use only.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from typing import TYPE_CHECKING, Any, TypeVar, cast

import pytest

if TYPE_CHECKING:
    from accsyn.emulator import EmulatedClient, LocalWorkspace

from accsyn.contract._pytest import accsyn_cassette_workspace, register_marker

__all__ = [
    "accsyn_async_session",
    "accsyn_cassette_workspace",
    "accsyn_clean_env",
    "accsyn_desktop",
    "accsyn_session",
    "accsyn_workspace",
]


def pytest_configure(config: pytest.Config) -> None:
    """Register the plugin's markers."""
    register_marker(config)


_Fn = TypeVar("_Fn", bound=Callable[..., Any])


@pytest.fixture
def accsyn_clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    """Isolate a test from the machine's accsyn settings.

    Removes every variable a session reads (``ACCSYN_WORKSPACE``, ``ACCSYN_API_KEY``,
    ``ACCSYN_PROXY``, ``AS_DEV``, …) and runs the test in an empty temporary
    directory, so no stray ``./.env`` is picked up. Use it with
    ``@pytest.mark.usefixtures("accsyn_clean_env")`` or from an autouse fixture.
    """
    from accsyn._constants import ENV_SETTINGS

    for name in ENV_SETTINGS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def accsyn_workspace() -> Iterator[LocalWorkspace]:
    """A fresh in-process emulated workspace seeded with the ``demo`` data.

    The workspace (code ``demo``) has the default queues, sites and volume, one
    user per role (``admin@example.com``, ``employee@example.com``,
    ``standard@example.com``), shared folders with ACLs, real files on disk and a
    few hundred transfers and deliveries. Move simulated time on with
    ``accsyn_workspace.clock.advance(seconds)``; inject failures through
    ``accsyn_workspace.faults``. Closed (and its files removed) after the test.

    A copy of a template seeded once per process (:meth:`LocalWorkspace.fresh`):
    milliseconds per test instead of seeding each time, and every test starts
    from the same data at the same simulated instant.
    """
    from accsyn.emulator import LocalWorkspace

    with LocalWorkspace.fresh(seed="demo") as ws:
        yield ws


@pytest.fixture
def accsyn_desktop(accsyn_workspace: LocalWorkspace) -> Callable[..., EmulatedClient]:
    """Emulated desktop machines of :func:`accsyn_workspace`'s users, with real disks.

    ``accsyn_desktop("lisa@example.com")`` is Lisa's desktop app (every demo user
    has one; a user without one gets a new one); keyword arguments add another
    machine (``hostname=``, ``os=``, ``online=``, see ``LocalWorkspace.add_client``)::

        def test_upload(accsyn_workspace, accsyn_desktop, accsyn_session):
            lisa = accsyn_desktop("lisa@example.com")
            lisa.put("/Users/lisa/plate.exr", b"...")
            accsyn_session.create("transfer", {"source": "lisa@example.com:/Users/lisa/plate.exr",
                                               "destination": "volume=projects/in/"})
            accsyn_workspace.clock.advance(60)

    Files sent to a machine are read back with ``.read(path)``; ``.online = False``
    makes its transfers wait.
    """

    def desktop(user: str, **kwargs: Any) -> EmulatedClient:
        if not kwargs:
            try:
                return accsyn_workspace.client(user)
            except LookupError:
                pass
        return accsyn_workspace.add_client(user, **kwargs)

    return desktop


@pytest.fixture
def accsyn_session(accsyn_workspace: LocalWorkspace) -> Iterator[Any]:
    """An ``accsyn.Session`` logged in as the admin of :func:`accsyn_workspace`.

    For another role, call ``accsyn_workspace.session(role="standard")``.
    """
    session = accsyn_workspace.session(role="admin")
    try:
        yield session
    finally:
        close = getattr(session, "close", None)
        if callable(close):
            close()


def _async_fixture(fn: _Fn) -> _Fn:
    # pytest-asyncio runs a plain ``@pytest.fixture`` coroutine only in its "auto" mode;
    # its own decorator works in "strict" mode (the default) as well.
    try:
        import pytest_asyncio
    except ImportError:  # another runner (e.g. anyio's plugin) handles async fixtures itself
        return cast(_Fn, pytest.fixture(fn))
    return cast(_Fn, pytest_asyncio.fixture(fn))


@_async_fixture
async def accsyn_async_session(accsyn_workspace: LocalWorkspace) -> AsyncIterator[Any]:
    """An ``accsyn.AsyncSession`` logged in as the admin of :func:`accsyn_workspace`.

    Needs an asyncio test runner. With pytest-asyncio it works in both modes: in
    "strict" mode (its default) mark the test ``@pytest.mark.asyncio``; in "auto" mode
    any ``async def`` test can use it. For another role, use
    ``async with accsyn_workspace.async_session(role="standard") as s:``.
    """
    session = accsyn_workspace.async_session(role="admin")
    async with session as s:
        yield s
