"""Parties and paths (protocol.md §6.6): what ``site=hq:/x`` or ``share=…/y`` point at.

A path names a share (volume, folder, home, collection), ``~`` (the caller's
home), an absolute path on a volume, or a path on the default volume.
:class:`Paths` resolves it to a directory under the workspace's files root and
never lets it escape its share. Parties (the ``<party>:`` of a transfer endpoint,
and machines' disks) are resolved in :mod:`._parties`.
"""

from __future__ import annotations

import re
from pathlib import Path

from accsyn._codec import is_object_id
from accsyn.emulator import _virtual
from accsyn.emulator._access import check_share_access
from accsyn.emulator._entities import (
    by_ident,
    default_volume,
    home_of,
    user_by_email,
)
from accsyn.emulator._protocol import ApiError, Ctx
from accsyn.emulator._schema import facts
from accsyn.emulator._store import Row, Store

__all__ = ["Located", "Paths", "check_share_code", "check_share_path", "safe_join"]

_SHARE_PATH = re.compile(
    r"(volume|share|folder|home|collection|workarea|delivery)=([^/]*)/?(.*)\Z", re.S
)
#: A share's code is one directory name under the files root: never ``.``/``..``,
#: never a separator (a volume code of ``../../etc`` would serve the host's /etc).
_SHARE_CODE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,99}\Z")


def check_share_code(code: object) -> str:
    """``code`` if it is a valid share directory name, else a 400 naming the rule."""
    if not isinstance(code, str) or not _SHARE_CODE.match(code):
        raise ApiError(
            400,
            f"Invalid share code {str(code)[:60]!r}: use letters, digits, '_', '.', '-' "
            "(not starting with '.'), e.g. 'projects'.",
        )
    return code


def check_share_path(path: object) -> str:
    """A share's path inside its volume: relative, no ``..``, no NUL."""
    if not isinstance(path, str) or "\x00" in path:
        raise ApiError(400, "A share path must be a string without NUL characters!")
    parts = path.replace("\\", "/").split("/")
    if path.startswith(("/", "\\")) or ".." in parts:
        raise ApiError(400, f"A share path must stay inside its volume, got {path[:100]!r}!")
    return path


def safe_join(base: Path, rel: str) -> Path:
    """``base / rel``, refusing anything that resolves outside ``base``.

    Symlinks are resolved first, so a link inside ``base`` that points out of it is
    refused like a ``..``.
    """
    if "\x00" in rel:
        raise ApiError(400, "A path must not contain NUL characters!")
    rel = rel.replace("\\", "/").strip("/")
    target = (base / rel).resolve() if rel else base.resolve()
    root = base.resolve()
    if target != root and root not in target.parents:
        raise ApiError(403, "Path escapes its share!")
    return target


class Located:
    """A resolved accsyn path: the share's root directory and the target under it.

    A collection or a delivery is a virtual directory: ``members`` maps the names it
    lists to the files they stand for (None for every real directory).
    """

    __slots__ = ("disk", "members", "root")

    def __init__(self, root: Path, disk: Path, members: dict[str, Path] | None = None) -> None:
        self.root = root
        self.disk = disk
        self.members = members

    @property
    def is_root(self) -> bool:
        """Whether the path names the share itself (never renamed, moved or deleted)."""
        return self.disk == self.root


class Paths:
    """Resolves parties and accsyn paths of one workspace to rows and directories."""

    def __init__(self, store: Store, files_root: Path, code: str) -> None:
        self.store = store
        self.files_root = files_root
        self.code = code

    # --- paths ----------------------------------------------------------------------------

    def volume_dir(self, vol: Row) -> Path:
        """The directory holding a volume's files: always strictly inside the files root."""
        code = check_share_code(vol.data.get("code"))
        target = safe_join(self.files_root, code)
        if target == self.files_root.resolve():
            raise ApiError(403, "Path escapes its share!")
        return target

    def share_dir(self, share: Row) -> Path:
        """The directory of any share (volumes, and shares inside a volume)."""
        if share.et == "volume":
            return self.volume_dir(share)
        vol = self.store.get(str(share.data.get("parent", "")))
        if vol is None:
            raise ApiError(404, "The share's volume is gone!")
        return safe_join(self.volume_dir(vol), str(share.data.get("path", "")))

    def resolve(self, ctx: Ctx, path: str, write: bool = False) -> Path:
        """Map an accsyn path (protocol.md §6.6) to a directory on disk, checking access."""
        return self.locate(ctx, path, write).disk

    def locate(self, ctx: Ctx, path: str, write: bool = False) -> Located:
        """The share root and target directory of an accsyn path (the one resolver).

        Every file operation goes through here: the result is inside its share's
        directory, which is inside the files root, or a 4xx is raised.
        """
        if isinstance(path, str) and ":" in path:
            from accsyn.emulator._parties import locate_on_party, split_endpoint

            party, on_party = split_endpoint(path)
            if party is not None:
                return locate_on_party(self, ctx, party, on_party, write)
        share, rest = self.split(ctx, path)
        if share.et == "collection" or share.et in facts().delivery_like:
            return _virtual.locate(self, ctx, share, rest, write)
        check_share_access(self.store, ctx, share, write, rest)
        root = self.share_dir(share)
        return Located(root, safe_join(root, rest))

    def split(self, ctx: Ctx, path: str) -> tuple[Row, str]:
        """The share (or delivery) an accsyn path names, and the path inside it.

        The one parser of accsyn paths; it checks no access (:meth:`locate` does).
        """
        if not isinstance(path, str) or not path.strip():
            raise ApiError(400, "No path supplied!")
        if "\x00" in path:
            raise ApiError(400, "A path must not contain NUL characters!")
        p = path.strip().replace("\\", "/")
        share: Row | None = None
        rest = ""
        m = _SHARE_PATH.match(p)
        if m:
            kind, ident, rest = m.group(1), m.group(2), m.group(3)
            share = self._named_share(kind, ident)
        elif p == "~" or p.startswith("~/"):
            share = home_of(self.store, ctx.user)
            if share is None:
                raise ApiError(404, "You have no home share!")
            rest = p[2:]
        elif p.startswith("/"):
            for vol in self.store.select(["volume"]):
                vpath = str(vol.data.get("path") or "")
                if vpath and (p == vpath or p.startswith(vpath.rstrip("/") + "/")):
                    share, rest = vol, p[len(vpath) :]
                    break
            if share is None:
                raise ApiError(404, f"Path '{p[:200]}' is not on a volume!")
        else:
            share, rest = default_volume(self.store), p
        return share, rest

    def _named_share(self, kind: str, ident: str) -> Row:
        share: Row | None = None
        if kind in ("volume", "workarea") and ident.lower() in ("(default)", "default", ""):
            share = default_volume(self.store)
        elif kind == "delivery":
            # Any job with recipients, in any pool but the archive (a done delivery still lists).
            row = self.store.get(ident.strip().lower()) if is_object_id(ident.strip()) else None
            if row is not None and row.et in facts().delivery_like and row.state != "archived":
                share = row
        elif kind == "home":
            user = user_by_email(self.store, ident)
            share = home_of(self.store, user) if user else None
        else:
            # ``workarea=`` is the legacy spelling of ``share=``.
            for t in facts().share_types if kind in ("share", "workarea") else (kind,):
                share = by_ident(self.store, t, ident, ("active",))
                if share is not None:
                    break
        if share is None:
            raise ApiError(404, f"No such {kind} '{ident[:100]}'!")
        return share
