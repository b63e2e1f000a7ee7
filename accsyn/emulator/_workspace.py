"""``LocalWorkspace``: an emulated workspace in this process, for tests and demos."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from accsyn.emulator._backend import Backend
from accsyn.emulator._clients import EmulatedClient
from accsyn.emulator._clock import Clock
from accsyn.emulator._faults import Faults
from accsyn.emulator._seed import ROLE_USERS, seed_workspace
from accsyn.emulator._store import Store
from accsyn.emulator._transport import AsyncEmulatorTransport, EmulatorTransport, InProcessEmulator

if TYPE_CHECKING:
    from accsyn.session import AsyncSession, Session

__all__ = ["EmulatedClient", "LocalWorkspace", "open_backend"]

#: The base URL sessions use to reach an in-process workspace (never resolved).
IN_PROCESS_URL = "http://accsyn-emulator.invalid"


def open_backend(
    db: str | os.PathLike[str] | None,
    *,
    seed: str | None,
    files_root: Path,
    clock: Clock | None = None,
    faults: Faults | None = None,
    transfers: int = 300,
    workspace: str = "demo",
    template: Store | None = None,
) -> tuple[Backend, dict[str, str], dict[str, str]]:
    """Open (and seed, if new) a workspace; returns the backend, role keys and role users.

    With ``template``, the workspace is an in-memory copy of that store (not seeded).
    """
    store = Store(db) if template is None else Store.copy_of(template)
    backend = Backend(store, files_root=files_root, clock=clock, faults=faults, workspace=workspace)
    if store.get_meta("workspace") is None:
        keys = seed_workspace(backend, seed, transfers=transfers)
    else:
        keys = {role: store.api_key(email) or "" for role, email in ROLE_USERS.items()}
    return backend, keys, dict(ROLE_USERS)


class LocalWorkspace:
    """A wire-compatible emulated accsyn workspace running in this process.

    >>> with LocalWorkspace(seed="demo") as ws:           # doctest: +SKIP
    ...     session = ws.session(role="admin")
    ...     session.find("transfer WHERE status=running")

    Args:
        seed: ``"demo"`` (default) for a realistic demo workspace; ``None`` for only
            the defaults every workspace has and one user per role.
        path: keep the SQLite database in this file (default: in memory). Reopening
            an existing file keeps its data.
        files_root: directory holding the volumes' files (default: ``<path>.files``
            when ``path`` is given, else a temporary directory removed on close).
        clock: the simulated clock (default: a manual clock at the current time).
        faults: fault injection settings (default: none).
        transfers: how many transfers the demo seed creates.
        template: start as an in-memory copy of this store instead of seeding
            (see :meth:`fresh`).

    Attributes:
        clock: advance it (``ws.clock.advance(10)``) to move job lifecycles on.
        faults: inject 429s, 5xx, latency and dropped connections.
        backend: the protocol core shared with ``accsyn.emulator.serve``.
    """

    def __init__(
        self,
        seed: str | None = "demo",
        path: str | os.PathLike[str] | None = None,
        *,
        files_root: str | os.PathLike[str] | None = None,
        clock: Clock | None = None,
        faults: Faults | None = None,
        transfers: int = 300,
        template: Store | None = None,
    ) -> None:
        self._tmp: str | None = None
        if files_root is None and path is not None:
            # A kept database keeps its files next to it, so reopening finds both.
            files_root = Path(str(path) + ".files")
        if files_root is None:
            self._tmp = tempfile.mkdtemp(prefix="accsyn-ws-")
            files_root = self._tmp
        self.clock = clock or Clock()
        self.faults = faults or Faults()
        self.backend, self._keys, self._users = open_backend(
            path,
            seed=seed,
            files_root=Path(files_root),
            clock=self.clock,
            faults=self.faults,
            transfers=transfers,
            template=template,
        )
        self.files_root = Path(files_root)
        self._sessions: list[Any] = []

    @classmethod
    def fresh(
        cls, seed: str | None = "demo", *, transfers: int = 300, **kwargs: Any
    ) -> LocalWorkspace:
        """A new seeded workspace in milliseconds: a copy of a per-process template.

        The first call per ``(seed, transfers)`` seeds the template; later ones copy
        its database (SQLite's backup API) and files. The clock starts at the
        template's time, so every fresh workspace holds the same data at the same
        instant. ``kwargs``: ``clock``, ``faults``, ``files_root``.
        """
        from accsyn.contract._fresh import fresh_workspace

        return fresh_workspace(cls, seed, transfers=transfers, **kwargs)

    @classmethod
    def from_cassette(cls, cassette: str | os.PathLike[str], **kwargs: Any) -> LocalWorkspace:
        """A workspace holding every entity a recorded cassette shows (``accsyn record``).

        Recorded reads answer the same; new writes build on that state. See
        :func:`accsyn.contract.workspace_from_cassette`.
        """
        from accsyn.contract._replay import workspace_from_cassette

        return workspace_from_cassette(cassette, **kwargs)

    @property
    def workspace(self) -> str:
        """The workspace code (``demo``)."""
        return self.backend.code

    def credentials(self, role: str = "admin") -> tuple[str, str, str]:
        """``(workspace, username, api_key)`` of the seeded user of ``role``."""
        if role not in self._keys:
            raise ValueError(f"no seeded user with role {role!r} (admin, employee, standard)")
        return self.backend.code, self._users[role], self._keys[role]

    # --- emulated machines -----------------------------------------------------------------

    def add_client(
        self,
        user: str | None = None,
        *,
        site: str | None = None,
        hostname: str | None = None,
        kind: str = "app",
        os: str = "linux",
        online: bool = True,
    ) -> EmulatedClient:
        """A new emulated client with its own disk: a user's desktop, or a site's server.

        Args:
            user: the email of the user it runs for (an ``app`` or ``userserver``).
            site: the code of the site it stands at (a ``server`` of that site).
            hostname: its ``code`` (default ``<user or site>-<os>``).
            kind: ``app``, ``userserver``, ``server``, ``browser`` or ``lane``.
            os: ``linux``, ``mac`` or ``windows`` (only recorded).
            online: start online (transfers with an offline machine wait).

        Transfers to ``<email>`` use the user's online app (else user daemon), to
        ``<email>@<hostname>`` or ``client=<id>`` this very machine.
        """
        from accsyn.emulator._clients import add_client, find_user
        from accsyn.emulator._entities import find_code

        with self.backend.lock:
            user_row = find_user(self.backend.store, user) if user is not None else None
            site_row = None
            if site is not None:
                site_row = find_code(self.backend.store, "site", site)
                if site_row is None:
                    raise ValueError(f"no site {site!r} in this workspace")
            row = add_client(
                self.backend,
                user=user_row,
                site=site_row,
                hostname=hostname,
                kind=kind,
                os=os,
                online=online,
                roles="storage,site" if kind == "server" else "",
            )
            if online:
                self.backend.sim.wake()
        return EmulatedClient(self.backend, row.id)

    def client(self, ident: str) -> EmulatedClient:
        """An emulated machine: by user email (their desktop app), hostname or client id.

        The demo seed gives every demo user a desktop app (``lisa@example.com`` →
        ``lisa-mbp``; the employee's ``workstation-7`` is offline).
        """
        from accsyn.emulator._clients import find_client

        return find_client(self.backend, ident)

    def transport(self) -> EmulatorTransport:
        """A sync httpx transport answering from this workspace."""
        return EmulatorTransport(self.backend)

    def async_transport(self) -> AsyncEmulatorTransport:
        """An async httpx transport answering from this workspace."""
        return AsyncEmulatorTransport(self.backend)

    def in_process_transport(self) -> InProcessEmulator:
        """A transport for sync and async sessions that skips httpx (what
        :meth:`session` uses): the same answers, faults and errors, a fraction of the cost."""
        return InProcessEmulator(self.backend)

    def session(self, role: str = "admin", **kwargs: Any) -> Session:
        """An ``accsyn.Session`` logged in as the seeded user of ``role``.

        It talks to the workspace through :meth:`in_process_transport`; for the httpx
        path build ``Session(..., transport=ws.transport())`` from :meth:`credentials`.
        """
        from accsyn.session import Session

        workspace, username, api_key = self.credentials(role)
        kwargs.setdefault("rate_limit", None)
        s = Session(
            workspace=workspace,
            username=username,
            api_key=api_key,
            base_url=IN_PROCESS_URL,
            transport=self.in_process_transport(),
            **kwargs,
        )
        self._sessions.append(s)
        return s

    def async_session(self, role: str = "admin", **kwargs: Any) -> AsyncSession:
        """An ``accsyn.AsyncSession`` as the seeded user of ``role`` (log in: ``async with``)."""
        from accsyn.session import AsyncSession

        workspace, username, api_key = self.credentials(role)
        kwargs.setdefault("rate_limit", None)
        return AsyncSession(
            workspace=workspace,
            username=username,
            api_key=api_key,
            base_url=IN_PROCESS_URL,
            transport=self.in_process_transport(),
            **kwargs,
        )

    def close(self) -> None:
        """Close sessions made here, the database, and remove temporary files."""
        for s in self._sessions:
            close = getattr(s, "close", None)
            if callable(close):
                close()
        self._sessions.clear()
        self.backend.store.close()
        if self._tmp is not None:
            shutil.rmtree(self._tmp, ignore_errors=True)
            self._tmp = None

    def __enter__(self) -> LocalWorkspace:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"LocalWorkspace(workspace={self.backend.code!r}, clock={self.clock!r})"
