"""Virtual directories: a collection's files and a delivery's files (protocol.md §6.6).

``collection=<code or id>`` and ``delivery=<id>`` name no directory on disk: they list
files that live on volumes and shares. Each member (a collection's ``file`` row, a
delivery's ``task`` row) records where its file is as ``_at = [share id, path in the
share]``, fixed when it was added, so listing needs no path parsing and access rules
can check the files without it. Such paths are read-only.
"""

from __future__ import annotations

import contextlib
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from accsyn._codec import encode_datetime
from accsyn.emulator import _files
from accsyn.emulator import _paths as paths_mod
from accsyn.emulator._access import can_read, check_share_access
from accsyn.emulator._entities import parent_clause
from accsyn.emulator._protocol import ApiError, Ctx
from accsyn.emulator._schema import facts
from accsyn.emulator._store import Row

if TYPE_CHECKING:
    from accsyn.emulator._paths import Located, Paths

__all__ = ["listing", "locate", "member_rows", "members", "place", "place_existing"]


def place(paths: Paths, ctx: Ctx, path: str) -> dict[str, Any]:
    """The fields recording where an accsyn path is: ``_at`` and a task-style party dict.

    Raises 404 if the path names no share. No access is checked here.
    """
    share, rest = paths.split(ctx, path)
    if share.et == "collection" or share.et in facts().delivery_like:
        raise ApiError(400, f"'{path[:100]}' is itself virtual: add the files it lists instead.")
    rel = rest.replace("\\", "/").strip("/")
    volume = share.id if share.et == "volume" else str(share.data.get("parent", ""))
    return {"_at": [share.id, rel], "party": {"path": path, "s": share.id, "v": volume}}


def place_existing(paths: Paths, ctx: Ctx, what: str, path: object) -> dict[str, Any]:
    """:func:`place` of an existing file ``ctx`` may read (with its ``size``), for ``what``."""
    if not isinstance(path, str) or not path.strip():
        raise ApiError(400, f"The files of a {what} are accsyn paths of existing files (strings)!")
    try:
        disk = paths.resolve(ctx, path)
    except ApiError as exc:
        if exc.status == 403:
            raise ApiError(
                403, f"Permission denied: you cannot read '{path[:200]}' to add it to a {what}."
            ) from None
        raise
    if not disk.exists():
        raise ApiError(404, f"No such file '{path[:200]}' to add to a {what}!")
    placed = place(paths, ctx, path)
    placed["size"] = disk.stat().st_size if disk.is_file() else _files.getsize(disk)
    return placed


def member_rows(paths: Paths, share: Row) -> list[Row]:
    """The rows standing for the files of a collection (its files) or a delivery (its tasks)."""
    if share.et == "collection":
        return paths.store.select(["file"], extra=parent_clause("file", share.id))
    return paths.store.select(["task"], states=None, extra=parent_clause("task", share.id))


def members(paths: Paths, share: Row) -> dict[str, Path]:
    """``{listed name: file on disk}`` of a collection or delivery (first of a name wins)."""
    out: dict[str, Path] = {}
    for row in member_rows(paths, share):
        at = row.data.get("_at")
        if not isinstance(at, list) or len(at) != 2:
            continue
        holder = paths.store.get(str(at[0]))
        if holder is None or holder.state == "archived":
            continue
        with contextlib.suppress(ApiError):
            disk = paths_mod.safe_join(paths.share_dir(holder), str(at[1]))
            out.setdefault(disk.name, disk)
    return out


def _check_read(paths: Paths, ctx: Ctx, share: Row, rest: str) -> None:
    if share.et == "collection":
        check_share_access(paths.store, ctx, share, False, rest)
    elif not can_read(paths.store, ctx, share):
        raise ApiError(403, f"Permission denied: you cannot read this {share.et}.")


def locate(paths: Paths, ctx: Ctx, share: Row, rest: str, write: bool) -> Located:
    """Resolve a path inside a collection or delivery (``rest`` may be empty)."""
    if write:
        raise ApiError(
            403, f"A {share.et}'s files cannot be changed through its path; change the originals."
        )
    _check_read(paths, ctx, share, rest)
    found = members(paths, share)
    rest = rest.replace("\\", "/").strip("/")
    if not rest:
        root = paths.files_root.resolve()
        return paths_mod.Located(root, root, found)
    name, _, below = rest.partition("/")
    member = found.get(name)
    if member is None:
        raise ApiError(404, f"No file '{name[:100]}' in this {share.et}!")
    return paths_mod.Located(member, paths_mod.safe_join(member, below))


def listing(found: dict[str, Path], **options: Any) -> list[dict[str, Any]]:
    """``ls`` of a virtual directory: its members as entries (missing files left out).

    ``options`` are those of :func:`accsyn.emulator._files.listing`, applied to the
    members as if they were the entries of one directory.
    """
    out: list[dict[str, Any]] = []
    include, exclude = options.get("include"), options.get("exclude")
    for name in sorted(found):
        path = found[name]
        if not path.exists():
            continue  # an upload into a delivery that has not arrived yet
        is_dir = path.is_dir()
        if include and not is_dir and not any(p(name) for p in include):
            continue
        if exclude and any(p(name) for p in exclude):
            continue
        entry: dict[str, Any] = {"type": 0 if is_dir else 1, "filename": name}
        entry["modified"] = encode_datetime(
            datetime.fromtimestamp(path.stat().st_mtime, tz=timezone.utc)
        )
        if not is_dir:
            entry["size"] = path.stat().st_size
        else:
            if options.get("getsize_"):
                entry["size"] = _files.getsize(path, include, exclude)
            maxdepth = options.get("maxdepth")
            if options.get("recursive") and (maxdepth is None or maxdepth > 1):
                entry["files"] = _files.listing(path, **dict(options, depth=2))
        if (options.get("files_only") and is_dir and "files" not in entry) or (
            options.get("directories_only") and not is_dir
        ):
            continue
        out.append(entry)
    return out
