"""Emulated desktop clients and site servers: machines with their own disk.

A client (the ``client`` entity: an app, a user daemon or a server) that the
emulator runs for real has a root directory under the workspace's files root,
``<files root>/.clients/<client id>/``; a site's servers share one disk,
``<files root>/.sites/<site code>/``. Paths "on that machine" (``/home/lisa/x``,
``D:/renders/x``, ``/Users/lisa/x``, ``\\\\nas\\share\\x``) map into that root, so a
transfer to or from the machine moves real bytes the test can read back.

The roots start with ``.``, which no share code may (``_paths.check_share_code``),
so a machine's disk can never be reached through a volume.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from accsyn.emulator._entities import hr, new_id, user_by_email
from accsyn.emulator._paths import safe_join
from accsyn.emulator._protocol import ApiError
from accsyn.emulator._schema import facts
from accsyn.emulator._store import Row, Store

if TYPE_CHECKING:
    from accsyn.emulator._backend import Backend

__all__ = [
    "CLIENTS_DIR",
    "DOWNLOADS",
    "SITES_DIR",
    "EmulatedClient",
    "add_client",
    "client_root",
    "find_client",
    "is_local_path",
    "is_online",
    "local_rel",
    "pick_client",
    "site_root",
    "user_clients",
]

#: Directory (under the files root) holding each emulated client's disk.
CLIENTS_DIR = ".clients"
#: Directory (under the files root) holding each site server's disk.
SITES_DIR = ".sites"
#: Where a transfer to a machine without a destination path puts its files.
DOWNLOADS = "~/Downloads/accsyn/"
#: Client types that act for their user in transfers: the app and the user daemon.
_USER_AGENTS = ("app", "userserver")
_DRIVE = re.compile(r"([A-Za-z]):(?:[/\\]|\Z)")


def is_local_path(path: str) -> bool:
    """Whether ``path`` is absolute on some machine (``/x``, ``D:/x``, ``\\\\host\\x``, ``~``)."""
    p = path.strip()
    return p.startswith(("/", "\\", "~")) or bool(_DRIVE.match(p))


def local_rel(path: str) -> str:
    """A machine path as a relative path under its root: ``D:\\x`` → ``D/x``, ``~`` → ``home``.

    ``~`` is the machine user's home, kept at ``home/user`` (the same place as
    ``/home/user``) so both spellings meet.
    """
    p = path.strip().replace("\\", "/")
    if p == "~" or p.startswith("~/"):
        p = "/home/user" + p[1:]
    m = _DRIVE.match(p)
    if m:
        p = m.group(1).upper() + "/" + p[m.end() :]
    return p.strip("/")


def client_root(files_root: Path, client: Row, store: Store | None = None) -> Path:
    """The directory holding ``client``'s disk (made on first use).

    A site's server shares the site's disk (with ``store`` to find the site), so
    ``client=<server id>:/x`` and ``site=<code>:/x`` are the same file.
    """
    if store is not None and _subtype(client) == "server":
        site = store.get(str(client.data.get("site") or "").partition(":")[2])
        if site is not None and site.et == "site":
            return site_root(files_root, site)
    root = files_root / CLIENTS_DIR / client.id
    root.mkdir(parents=True, exist_ok=True)
    return root


def site_root(files_root: Path, site: Row) -> Path:
    """The directory holding the disk of ``site``'s servers (made on first use)."""
    code = str(site.data.get("code") or site.id)
    root = safe_join(files_root / SITES_DIR, code if re.fullmatch(r"[\w.-]+", code) else site.id)
    root.mkdir(parents=True, exist_ok=True)
    return root


def is_online(client: Row) -> bool:
    """Whether a client is online (the only state in which it moves files)."""
    return client.state == "active" and client.data.get("status") == "online"


def _subtype(client: Row) -> str:
    t = client.data.get("type")
    for name, number in facts().client_subtypes.items():
        if number == t:
            return name
    return "client"


def user_clients(store: Store, user: Row) -> list[Row]:
    """``user``'s clients, newest first."""
    rows = store.select(["client"], extra=("h_user_id = ?", [user.id]), states=("active",))
    return sorted(rows, key=lambda r: r.seq, reverse=True)


def pick_client(store: Store, user: Row, host: str | None = None) -> Row | None:
    """The client that acts for ``user`` (on ``host``, if given).

    Without a host: an online app or user daemon before an offline one, the app
    before the daemon, the newest first. None if the user has none.
    """
    rows = user_clients(store, user)
    if host is not None:
        named = [r for r in rows if str(r.data.get("code", "")).casefold() == host.casefold()]
        if not named:
            hosts = sorted({str(r.data.get("code")) for r in rows})
            near = f" (their machines: {', '.join(hosts)})" if hosts else " (they have none)"
            email = user.data.get("code")
            msg = f"Unknown party '{email}@{host}': no such machine of {email}{near}!"
            raise ApiError(400, msg)
        rows = named
    else:
        rows = [r for r in rows if _subtype(r) in _USER_AGENTS]
    if not rows:
        return None
    ranked = sorted(rows, key=lambda r: (not is_online(r), _subtype(r) != "app"))
    return ranked[0]


def add_client(
    b: Backend,
    *,
    user: Row | None = None,
    site: Row | None = None,
    hostname: str | None = None,
    kind: str = "app",
    os: str = "linux",
    online: bool = True,
    roles: str = "",
    creator: str = "accsyn",
) -> Row:
    """Store a new client entity (clients cannot be created through the API)."""
    types = facts().client_subtypes
    if kind not in types:
        raise ValueError(f"unknown client kind {kind!r}; one of {', '.join(sorted(types))}")
    if user is None and site is None:
        raise ValueError("a client belongs to a user, a site, or both")
    if hostname is None:
        owner = user.data.get("code", "") if user is not None else site.data.get("code")  # type: ignore[union-attr]
        hostname = f"{str(owner).split('@')[0]}-{os}"
    stamp = b.clock.stamp()
    d: dict[str, Any] = {"id": new_id("client"), "name": hostname, "created": stamp}
    d.update(creator=creator, modified=stamp, modifier=creator)
    d.update(
        code=hostname,
        description="",
        metadata={},
        type=types[kind],
        type_hr=kind,
        os=os,
        roles=roles,
        status="online" if online else "offline",
        version="3.6.5",
        last_checkin=stamp,
    )
    if user is not None:
        d.update(user=f"user:{user.id}", user_hr=hr(user), username=user.data.get("code"))
    if site is not None:
        d.update(site=f"site:{site.id}", site_hr=hr(site))
    row = b.store.insert("client", d)
    client_root(b.files_root, row, b.store)
    return row


class EmulatedClient:
    """A desktop client (or server) of a :class:`LocalWorkspace`, with a real disk.

    Files put here are what the machine would have on its disk; a transfer from
    this machine reads them, a transfer to it writes them. Paths are as the
    machine spells them: ``/Users/lisa/x.mov``, ``D:/renders/x.exr``, ``~/x``.

    >>> lisa = ws.client("lisa@example.com")             # doctest: +SKIP
    >>> lisa.put("/Users/lisa/plates/p.0001.exr", b"...")  # doctest: +SKIP
    >>> lisa.online = False    # its transfers wait until it is back
    """

    def __init__(self, backend: Backend, client_id: str) -> None:
        self._b = backend
        self.id = client_id

    def _row(self) -> Row:
        row = self._b.store.get(self.id)
        if row is None:
            raise LookupError(f"client {self.id} no longer exists")
        return row

    @property
    def hostname(self) -> str:
        """The machine's hostname (the client's ``code``)."""
        return str(self._row().data.get("code"))

    @property
    def user(self) -> str | None:
        """The email of the user the client runs for, if any."""
        ref = str(self._row().data.get("user") or "")
        row = self._b.store.get(ref.partition(":")[2]) if ref else None
        return None if row is None else str(row.data.get("code"))

    @property
    def party(self) -> str:
        """The party naming this machine in a transfer (``client=<id>``)."""
        return f"client={self.id}"

    @property
    def root(self) -> Path:
        """The directory on this host that holds the machine's disk."""
        return client_root(self._b.files_root, self._row(), self._b.store)

    def path(self, path: str) -> Path:
        """Where ``path`` (as the machine spells it) is on this host.

        A relative path is under the machine user's home (``~``), as in a
        transfer's ``<party>:<path>``: ``put("shots/a.exr")`` is the file that
        ``lisa@example.com:shots/a.exr`` names. Transfers due by the workspace
        clock land first, as they would before any request: what the machine
        holds follows the clock.
        """
        if not is_local_path(path):
            path = "~/" + path  # the party resolver's rule (_parties.endpoint)
        with self._b.lock:
            self._b.tick()
            return safe_join(self.root, local_rel(path))

    def put(self, path: str, data: bytes | str) -> Path:
        """Write a file on the machine (parents made); returns where it is on this host."""
        target = self.path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data.encode() if isinstance(data, str) else data)
        return target

    def read(self, path: str) -> bytes:
        """The bytes of a file on the machine."""
        return self.path(path).read_bytes()

    def exists(self, path: str) -> bool:
        """Whether a file or directory exists on the machine."""
        return self.path(path).exists()

    def listdir(self, path: str = "/") -> list[str]:
        """Names in a directory of the machine, sorted."""
        return sorted(p.name for p in self.path(path).iterdir())

    @property
    def online(self) -> bool:
        """Whether the client is online; set it to take the machine off line or back."""
        return is_online(self._row())

    @online.setter
    def online(self, value: bool) -> None:
        with self._b.lock:
            row = self._row()
            row.data["status"] = "online" if value else "offline"
            row.data["last_checkin"] = self._b.clock.stamp()
            self._b.store.update(row)
            if value:
                self._b.sim.wake()

    def __repr__(self) -> str:
        state = "online" if self.online else "offline"
        return f"EmulatedClient({self.hostname!r}, user={self.user!r}, {state})"


def find_user(store: Store, email: str) -> Row:
    """The active user with ``email``, else a ValueError naming the nearest users."""
    row = user_by_email(store, email)
    if row is None:
        import difflib

        emails = [str(r.data.get("code")) for r in store.select(["user"])]
        near = difflib.get_close_matches(email, emails, n=3)
        hint = f"; did you mean {', '.join(near)}?" if near else ""
        raise ValueError(f"no user {email!r} in this workspace{hint}")
    return row


def find_client(b: Backend, ident: str) -> EmulatedClient:
    """An emulated machine by user email (their desktop app), hostname or client id."""
    store = b.store
    with b.lock:
        row = store.get(ident.lower())
        if row is not None and row.et == "client":
            return EmulatedClient(b, row.id)
        if "@" in ident:
            found = pick_client(store, find_user(store, ident))
            if found is None:
                raise LookupError(f"{ident} has no client; add one with add_client()")
            return EmulatedClient(b, found.id)
        want = ident.lower()
        rows = [r for r in store.select(["client"]) if str(r.data.get("code")).lower() == want]
    if not rows:
        raise LookupError(f"no client with hostname or id {ident!r}")
    return EmulatedClient(b, rows[0].id)
