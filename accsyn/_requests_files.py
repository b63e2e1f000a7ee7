"""Request builders for file operations and publishing (protocol.md §4.3.4, §6.6).

Split from :mod:`accsyn._requests` (which re-exports them): paths are checked as the
official client checks them and sent as given; nothing here touches the filesystem.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from accsyn._exceptions import ValidationError
from accsyn._wire import EventRequest, dumps

_Path = str | Mapping[str, Any] | Sequence[str]


def _path(value: object, what: str = "path") -> Any:
    if not value or not isinstance(value, str | Mapping | list | tuple):
        raise ValidationError(f"No {what} supplied, or not a string/list/dict!", field=what)
    return list(value) if isinstance(value, tuple) else value


def ls_request(
    path: _Path,
    recursive: bool = False,
    maxdepth: int | None = None,
    getsize: bool = False,
    files_only: bool = False,
    directories_only: bool = False,
    include: str | Sequence[str] | None = None,
    exclude: str | Sequence[str] | None = None,
) -> EventRequest:
    """``GET workspace/file`` ``op=ls``."""
    data: dict[str, Any] = {
        "op": "ls",
        "path": _path(path),
        "download": True,
        "recursive": recursive,
        "getsize": getsize,
    }
    if maxdepth:
        data["maxdepth"] = maxdepth
    if directories_only:
        data["directories_only"] = directories_only
    if files_only:
        data["files_only"] = files_only
    if include:
        data["include"] = include
    if exclude:
        data["exclude"] = exclude
    return EventRequest("GET", "workspace/file", data)


def getsize_request(
    path: _Path,
    include: str | Sequence[str] | None = None,
    exclude: str | Sequence[str] | None = None,
) -> EventRequest:
    """``GET workspace/file`` ``op=getsize``."""
    data: dict[str, Any] = {"op": "getsize", "path": _path(path)}
    if include:
        data["include"] = include
    if exclude:
        data["exclude"] = exclude
    return EventRequest("GET", "workspace/file", data)


def exists_request(path: _Path) -> EventRequest:
    """``GET workspace/file`` ``op=exists``."""
    return EventRequest("GET", "workspace/file", {"op": "exists", "path": _path(path)})


def mkdir_request(path: _Path) -> EventRequest:
    """``POST workspace/file`` ``op=mkdir``."""
    return EventRequest("POST", "workspace/file", {"op": "mkdir", "path": _path(path)})


def rename_request(path: _Path, path_to: _Path) -> EventRequest:
    """``PUT workspace/file`` ``op=rename``."""
    return EventRequest(
        "PUT",
        "workspace/file",
        {"op": "rename", "path": _path(path), "path_to": _path(path_to, "destination path")},
    )


def mv_request(path_src: _Path, path_dst: _Path) -> EventRequest:
    """``PUT workspace/file`` ``op=move``."""
    return EventRequest(
        "PUT",
        "workspace/file",
        {
            "op": "move",
            "path": _path(path_src, "source path"),
            "path_to": _path(path_dst, "destination path"),
        },
    )


def delete_path_request(path: _Path, force: bool = False) -> EventRequest:
    """``POST workspace/file`` ``op=delete`` (POST, as officially)."""
    return EventRequest(
        "POST", "workspace/file", {"op": "delete", "path": _path(path), "force": force}
    )


def prepublish_request(data: Sequence[Mapping[str, Any]]) -> EventRequest:
    """``PUT workspace/publish/preprocess`` with sizes filled in recursively."""
    if data is None or isinstance(data, str | Mapping) or not isinstance(data, Sequence):
        raise ValidationError("None or empty data supplied!", field="data")
    files = json.loads(dumps(list(data)))  # a deep copy; the caller's entries stay untouched

    def fill(entries: list[dict[str, Any]]) -> int:
        total = 0
        for entry in entries:
            if "size" not in entry:
                children = entry.get("files")
                entry["size"] = fill(children) if entry.get("is_dir") is True and children else 0
            total += entry["size"]
        return total

    return EventRequest(
        "PUT", "workspace/publish/preprocess", {"files": files, "size": fill(files)}
    )
