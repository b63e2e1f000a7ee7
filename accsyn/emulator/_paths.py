"""Parties and paths (protocol.md §6.6): what ``site=hq:/x`` or ``share=…/y`` point at.

A transfer endpoint is ``[<party>:]<path>``; a path names a share (volume, folder,
home, collection), ``~`` (the caller's home), an absolute path on a volume, or a
path on the default volume. :class:`Paths` resolves both to stored entities and to
directories under the workspace's files root, and never lets a path escape its
share.
"""

from __future__ import annotations

import re
from pathlib import Path

from accsyn._codec import is_object_id
from accsyn.emulator._access import check_share_access
from accsyn.emulator._entities import (
    by_ident,
    default_volume,
    find_code,
    home_of,
    user_by_email,
    workspace_row,
)
from accsyn.emulator._protocol import ApiError, Ctx
from accsyn.emulator._schema import facts
from accsyn.emulator._store import Row, Store

__all__ = ["Paths", "safe_join"]

_PARTY = re.compile(r"(site=[^/:]+|client=[^/:]+|[^/=:\s]+@[^/:\s]+|[A-Za-z0-9_.-]{2,})\Z")
_SHARE_PATH = re.compile(r"(volume|share|folder|home|collection)=([^/]*)/?(.*)\Z", re.S)


def safe_join(base: Path, rel: str) -> Path:
    """``base / rel``, refusing anything that resolves outside ``base``."""
    rel = rel.replace("\\", "/").strip("/")
    target = (base / rel).resolve() if rel else base.resolve()
    root = base.resolve()
    if target != root and root not in target.parents:
        raise ApiError(403, "Path escapes its share!")
    return target


class Paths:
    """Resolves parties and accsyn paths of one workspace to rows and directories."""

    def __init__(self, store: Store, files_root: Path, code: str) -> None:
        self.store = store
        self.files_root = files_root
        self.code = code

    # --- parties --------------------------------------------------------------------------

    def split_party(self, spec: str) -> tuple[str | None, str]:
        """``(party, path)`` of a transfer endpoint (party None = the workspace)."""
        head, sep, rest = spec.partition(":")
        if sep and _PARTY.match(head) and not head.startswith(("volume=", "share=")):
            return head, rest
        return None, spec

    def party_row(self, party: str | None) -> Row:
        """The entity a party names (workspace, site, client or user)."""
        if party is None or party.casefold() == self.code.casefold():
            return workspace_row(self.store)
        row: Row | None
        if party.lower().startswith("site="):
            row = find_code(self.store, "site", party[5:])
        elif party.lower().startswith("client="):
            ident = party[7:]
            row = self.store.get(ident.lower()) if is_object_id(ident) else None
        elif "@" in party:
            row = user_by_email(self.store, party)
        else:
            row = find_code(self.store, "site", party)
        if row is None:
            raise ApiError(400, f"Unknown party '{party[:100]}'!")
        return row

    # --- paths ----------------------------------------------------------------------------

    def volume_dir(self, vol: Row) -> Path:
        """The directory holding a volume's files."""
        return self.files_root / str(vol.data.get("code"))

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
        if not isinstance(path, str) or not path.strip():
            raise ApiError(400, "No path supplied!")
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
        check_share_access(self.store, ctx, share, write)
        return safe_join(self.share_dir(share), rest)

    def _named_share(self, kind: str, ident: str) -> Row:
        share: Row | None = None
        if kind == "volume" and ident.lower() in ("(default)", "default", ""):
            share = default_volume(self.store)
        elif kind == "home":
            user = user_by_email(self.store, ident)
            share = home_of(self.store, user) if user else None
        else:
            for t in facts().share_types if kind == "share" else (kind,):
                share = by_ident(self.store, t, ident, ("active",))
                if share is not None:
                    break
        if share is None:
            raise ApiError(404, f"No such {kind} '{ident[:100]}'!")
        return share
