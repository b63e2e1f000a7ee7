"""A wire-compatible emulated accsyn workspace, in-process or as an HTTP server.

In-process, for tests (no sockets)::

    from accsyn.emulator import LocalWorkspace

    with LocalWorkspace(seed="demo") as ws:
        session = ws.session(role="admin")
        ws.clock.advance(30)          # move simulated transfers on

As a server, for the official client (``AS_DEV=1``) or our ``Session``::

    accsyn serve --port 8181 --write-env .      # or: python -m accsyn.emulator

Seeded API keys are derived from the seed: for local use only.
"""

from typing import Any

from accsyn.emulator._asgi import create_app as _create_app
from accsyn.emulator._asgi import serve
from accsyn.emulator._backend import Backend, Reply
from accsyn.emulator._clients import EmulatedClient
from accsyn.emulator._clock import Clock
from accsyn.emulator._faults import Fault, Faults
from accsyn.emulator._seed import ROLE_USERS, demo_key
from accsyn.emulator._store import Store
from accsyn.emulator._transport import AsyncEmulatorTransport, EmulatorTransport, InProcessEmulator
from accsyn.emulator._workspace import LocalWorkspace, open_backend

__all__ = [
    "ROLE_USERS",
    "AsyncEmulatorTransport",
    "Backend",
    "Clock",
    "EmulatedClient",
    "EmulatorTransport",
    "Fault",
    "Faults",
    "InProcessEmulator",
    "LocalWorkspace",
    "Reply",
    "Store",
    "create_app",
    "demo_key",
    "open_backend",
    "serve",
]


def create_app(
    backend: Backend | None = None, *, seed: str | None = "demo", db: str | None = None
) -> Any:
    """The ASGI app of an emulated workspace (a new seeded one unless ``backend`` is given).

    Without ``backend`` it opens ``db`` (default: in memory), seeds it with ``seed``
    and keeps the volumes' files in a new temporary directory; the clock follows
    the wall clock. Serve it with any ASGI server, e.g. ``uvicorn``.
    """
    if backend is None:
        import tempfile
        from pathlib import Path

        root = Path(tempfile.mkdtemp(prefix="accsyn-emulator-"))
        backend, _, _ = open_backend(db, seed=seed, files_root=root, clock=Clock(realtime=True))
    return _create_app(backend)


for _name in __all__:
    _obj = globals()[_name]
    if hasattr(_obj, "__module__") and isinstance(_obj, type):
        _obj.__module__ = "accsyn.emulator"
del _name, _obj
