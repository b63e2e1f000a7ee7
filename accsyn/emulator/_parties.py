"""Transfer endpoints (protocol.md §6.6): which machine and which directory a party names.

A transfer's ``source`` or ``destination`` is ``[<party>:]<path>``. The party is the
workspace (omitted, or its code), a site (``site=<code>`` or a bare site code), a
user (``<email>``: their desktop client), one of a user's machines
(``<email>@<hostname>``) or a client (``client=<id>``). A party alone
(``site=roaming``, ``vendor@partner.example``) has an empty path. An unknown party
is a 400 naming it and the nearest valid choices, never the workspace.

:func:`endpoint` resolves one side of a task to an :class:`Endpoint`; its
:attr:`Endpoint.spec` (plain JSON) is what a task stores, and :func:`locate_spec`
turns it into a directory on disk when the task runs: the machine a user party
names is chosen then, so a client added or brought online later is used.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from accsyn._codec import is_object_id
from accsyn.emulator._clients import (
    DOWNLOADS,
    client_root,
    is_local_path,
    is_online,
    local_rel,
    pick_client,
    site_root,
)
from accsyn.emulator._entities import find_code, user_by_email, workspace_row
from accsyn.emulator._paths import Located, safe_join
from accsyn.emulator._protocol import ApiError, Ctx
from accsyn.emulator._store import Row, Store

if TYPE_CHECKING:
    from accsyn.emulator._backend import Backend
    from accsyn.emulator._paths import Paths

__all__ = [
    "Endpoint",
    "Party",
    "endpoint",
    "locate_on_party",
    "locate_spec",
    "resolve_party",
    "split_endpoint",
]

_SITE = re.compile(r"site=([^/:]+)\Z", re.I)
_CLIENT = re.compile(r"client=([^/:]+)\Z", re.I)
_EMAIL_PARTY = re.compile(r"[^/=:\s@]+@[^/:\s]+\Z")
_BARE = re.compile(r"[A-Za-z0-9_.-]{2,}\Z")
#: The path of a placeholder endpoint (``site=cloud:null``): nothing to move.
PLACEHOLDER = "null"


def split_endpoint(spec: str) -> tuple[str | None, str]:
    """``(party, path)`` of ``[<party>:]<path>``; party None = no party given.

    A party alone (``site=roaming``, ``lisa@example.com``) has the path ``""``. A
    one-letter head is a drive (``D:/x``), never a party.
    """
    s = spec.strip()
    head, sep, rest = s.partition(":")
    if sep and (_SITE.match(head) or _CLIENT.match(head) or _EMAIL_PARTY.match(head)):
        return head, rest
    if sep and _BARE.match(head) and not head.lower().startswith(("volume=", "share=")):
        return head, rest
    if not sep and (_SITE.match(s) or _CLIENT.match(s) or _EMAIL_PARTY.match(s)):
        return s, ""
    return None, s


def _nearest(word: str, choices: list[str]) -> str:
    near = difflib.get_close_matches(word, choices, n=2, cutoff=0.5)
    if near:
        return " Did you mean " + " or ".join(f"'{n}'" for n in near) + "?"
    return f" Valid: {', '.join(sorted(choices)[:8])}." if choices else ""


@dataclass
class Party:
    """What a party names: the entity a job records, and the machine when it is one."""

    row: Row
    #: ``workspace``, ``site`` or ``machine`` (a user's or a client's computer).
    kind: str
    #: The machine's client when the party names one (``client=``, ``email@host``).
    client: Row | None = None
    #: The user whose machine it is (their client is chosen when the task runs).
    user: Row | None = None


class _Workspace(Protocol):
    """What party resolution reads: the store and the workspace code."""

    @property
    def store(self) -> Store: ...

    @property
    def code(self) -> str: ...


def resolve_party(b: _Workspace, party: str | None, *, lenient: bool = False) -> Party:
    """The :class:`Party` a party string names; 400 naming the nearest choice if unknown.

    ``lenient`` (placeholder endpoints) maps an unknown party to the workspace.
    """
    store = b.store
    if party is None or party.casefold() == b.code.casefold():
        return Party(workspace_row(store), "workspace")
    sites = [str(r.data.get("code")) for r in store.select(["site"])]
    try:
        m = _SITE.match(party)
        if m or _BARE.match(party):
            code = m.group(1) if m else party
            site = find_code(store, "site", code)
            if site is None:
                what = f"site '{code}'" if m else f"party '{party}' (no site or workspace)"
                raise ApiError(400, f"Unknown {what}!" + _nearest(code, [*sites, b.code]))
            if site.data.get("main"):
                return Party(site, "workspace")
            return Party(site, "site")
        m = _CLIENT.match(party)
        if m:
            ident = m.group(1).strip().lower()
            client = store.get(ident) if is_object_id(ident) else None
            if client is None or client.et != "client" or client.state != "active":
                raise ApiError(
                    400,
                    f"Unknown party 'client={ident[:40]}': no client with that id "
                    "(client ids are 24 hex digits; find them with find('client')).",
                )
            owner = str(client.data.get("user") or "").partition(":")[2]
            return Party(client, "machine", client=client, user=store.get(owner))
        if "@" in party:
            user = user_by_email(store, party)
            if user is not None:
                return Party(user, "machine", user=user)
            email, _, host = party.rpartition("@")
            owner_row = user_by_email(store, email) if "@" in email else None
            if owner_row is not None:
                client = pick_client(store, owner_row, host)
                return Party(owner_row, "machine", client=client, user=owner_row)
            emails = [str(r.data.get("code")) for r in store.select(["user"])]
            raise ApiError(
                400,
                f"Unknown party '{party[:100]}': no user with that email "
                "(a party is <email>, <email>@<hostname>, site=<code> or client=<id>)."
                + _nearest(email if "@" in email else party, emails),
            )
    except ApiError:
        if lenient:
            return Party(workspace_row(store), "workspace")
        raise
    raise ApiError(400, f"Unknown party '{party[:100]}'!" + _nearest(party, [*sites, b.code]))


@dataclass
class Endpoint:
    """One resolved side of a task."""

    party: Party
    path: str
    #: What a task stores to find the directory when it runs (plain JSON).
    spec: dict[str, Any] = field(default_factory=dict)
    #: The directory (or file) now, when it can be known without the machine.
    disk: Path | None = None

    def task_party(self) -> dict[str, str]:
        """The ids a task's ``source``/``destination`` dict shows beside ``path`` (§6.3)."""
        p = self.party
        out: dict[str, str] = {}
        if p.client is not None:
            out["client"] = p.client.id
        if p.user is not None:
            out["user"] = p.user.id
        if p.kind == "site":
            out["site"] = p.row.id
        return out

    @property
    def placeholder(self) -> bool:
        """``site=cloud:null``: a placeholder side, nothing to move."""
        return bool(self.spec.get("placeholder"))


def endpoint(b: Backend, ctx: Ctx, spec: str, *, destination: bool) -> Endpoint:
    """Resolve ``[<party>:]<path>``, checking the caller may read (or write) it there.

    A path on a volume (``volume=``, ``share=``, ``~``, relative, or absolute under a
    volume's path) is on the workspace's storage, or its copy at another site. Any
    other absolute path is on a machine: the party's, or (no party) the caller's
    own computer.
    """
    party_s, path = split_endpoint(spec)
    path = path.strip()
    if path == PLACEHOLDER:
        p = resolve_party(b, party_s, lenient=True)
        return Endpoint(p, path, {"placeholder": True})
    p = resolve_party(b, party_s)
    into = destination and (not path or path.endswith(("/", "\\")))
    on_volume = path and not _off_volume(b, path)
    if p.kind == "machine" or (party_s is None and path and not on_volume):
        if p.kind != "machine":
            p = Party(ctx.user, "machine", user=ctx.user)  # the API user's own computer
        if not path:
            if not destination:
                raise ApiError(400, f"A source on a machine needs a path, got '{spec[:100]}'!")
            path = DOWNLOADS
        if not is_local_path(path):
            path = "~/" + path  # relative to the machine user's home
        local: dict[str, Any] = {"local": path, "into": into}
        if p.client is not None:
            local["client"] = p.client.id
        else:
            assert p.user is not None
            local["user"] = p.user.id
        return Endpoint(p, path, local)
    if path and not on_volume:
        # A workspace or site party with a path outside every volume: the site's
        # servers' own disk (hq for the workspace).
        site = p.row if p.kind == "site" else _main_site(b)
        disk = safe_join(site_root(b.files_root, site), local_rel(path))
        return Endpoint(p, path, {"disk": _rel(b, disk), "into": into}, disk)
    if not path:
        if not destination:
            raise ApiError(400, f"A source needs a path, got '{spec[:100]}'!")
        if p.kind == "site":
            return Endpoint(p, path, {"mirror": p.row.id, "into": False})
        path = "/"  # the default volume's root
    located = b.paths.locate(ctx, path if path != "/" else "volume=(default)/", write=destination)
    disk = located.disk
    if p.kind == "site":
        disk = safe_join(site_root(b.files_root, p.row), _rel(b, disk))
    return Endpoint(p, path, {"disk": _rel(b, disk), "into": into}, disk)


def _off_volume(b: Backend, path: str) -> bool:
    """Whether ``path`` is a machine path outside every volume's path."""
    return _off_volume_paths(b.paths, path)


def _off_volume_paths(paths: Paths, path: str) -> bool:
    p = path.replace("\\", "/")
    if p.startswith("~") or not is_local_path(p):
        return False
    for vol in paths.store.select(["volume"]):
        vpath = str(vol.data.get("path") or "").rstrip("/")
        if vpath and (p == vpath or p.startswith(vpath + "/")):
            return False
    return True


def _main_site(b: Backend) -> Row:
    return _main_site_of(b.store)


def _main_site_of(store: Store) -> Row:
    for site in store.select(["site"]):
        if site.data.get("main"):
            return site
    return workspace_row(store)


def _rel(b: Backend, disk: Path) -> str:
    return str(disk.relative_to(b.files_root.resolve()))


def locate_spec(b: Backend, spec: dict[str, Any]) -> tuple[Path | None, str | None]:
    """``(directory, None)`` of a stored endpoint now, or ``(None, why it must wait)``.

    A machine's side waits while its client is offline (or the user has none).
    """
    if "disk" in spec:
        return safe_join(b.files_root, str(spec["disk"])), None
    if "client" in spec or "user" in spec:
        client: Row | None
        if "client" in spec:
            client = b.store.get(str(spec["client"]))
        else:
            user = b.store.get(str(spec["user"]))
            client = pick_client(b.store, user) if user is not None else None
        if client is None:
            return None, "no client"
        if not is_online(client):
            return None, f"client {client.data.get('code')} offline"
        root = client_root(b.files_root, client, b.store)
        return safe_join(root, local_rel(str(spec.get("local") or DOWNLOADS))), None
    return None, "unresolved"


def locate_on_party(paths: Paths, ctx: Ctx, party: str, path: str, write: bool) -> Located:
    """A file operation's ``<party>:<path>``: a path on a site's or a machine's disk.

    ``ls("lisa@example.com:/Users/lisa/in")`` lists what a transfer put on Lisa's
    machine. A machine's disk is open to admins and to the machine's user; it must
    be online. A workspace party is the workspace itself.
    """
    p = resolve_party(paths, party)
    path = path.strip() or "/"
    if p.kind == "workspace" and not _off_volume_paths(paths, path):
        return paths.locate(ctx, path, write)
    if p.kind == "machine":
        client = p.client
        if client is None and p.user is not None:
            client = pick_client(paths.store, p.user)
        if client is None:
            raise ApiError(404, f"'{party[:100]}' has no machine (no client)!")
        owner = str(client.data.get("user") or "").partition(":")[2]
        if ctx.role != "admin" and ctx.uid != owner:
            raise ApiError(403, f"Permission denied: '{party[:100]}' is not your machine.")
        if not is_online(client):
            raise ApiError(400, f"Machine {client.data.get('code')} is offline!")
        root = client_root(paths.files_root, client, paths.store)
        rel = local_rel(path if is_local_path(path) else "~/" + path)
        return Located(root, safe_join(root, rel))
    site = p.row if p.kind == "site" else _main_site_of(paths.store)
    root = site_root(paths.files_root, site)
    if not _off_volume_paths(paths, path):
        # A site's copy of a volume path: the same access rules as the volume.
        located = paths.locate(ctx, path, write)
        rel = str(located.disk.relative_to(paths.files_root.resolve()))
        return Located(root, safe_join(root, rel))
    if ctx.role not in ("admin", "employee"):
        raise ApiError(403, "Permission denied: only staff reach a site's own disk.")
    return Located(root, safe_join(root, local_rel(path)))
