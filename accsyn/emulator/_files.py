"""Workspace file operations over a real directory tree (``workspace/file``)."""

from __future__ import annotations

import contextlib
import fnmatch
import os
import re
import shutil
from collections.abc import Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from accsyn._codec import encode_datetime
from accsyn.query._budget import bounded_search
from accsyn.query._evaluate import compile_regex

__all__ = ["FileOpError", "delete", "getsize", "listing", "mkdir", "move", "path_filter"]


class FileOpError(Exception):
    """A file operation failed; ``status`` is the HTTP status to answer with."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


_RE_FILTER = re.compile(r"""re\(\s*(['"])(.*)\1\s*(?:,\s*(['"])([A-Za-z]*)\3\s*)?\)\Z""", re.S)


def path_filter(spec: str | Sequence[str] | None) -> list[Any]:
    """Compile ``include``/``exclude`` expressions (protocol.md §5.7) to predicates."""
    if not spec:
        return []
    if isinstance(spec, str):
        items: list[Any] = [spec]
    elif isinstance(spec, list):
        items = spec
    else:
        # A number or an object from a hand-written envelope: an answer, not a 500.
        raise FileOpError("include/exclude must be a string or a list of strings")
    preds: list[Any] = []
    for item in items:
        if not isinstance(item, str):
            raise FileOpError("include/exclude filters must be strings")
        m = _RE_FILTER.match(item.strip())
        if m:
            # The docs contradict each other on 'I'; the official client's docstring
            # reads it as "case-sensitive" (filters are case-insensitive otherwise).
            rx = compile_regex(m.group(2), ignore_case="i" not in (m.group(4) or "").lower())
            preds.append(lambda name, rx=rx: bounded_search(rx, name))
        else:
            pat = item.casefold()
            preds.append(lambda name, pat=pat: fnmatch.fnmatchcase(name.casefold(), pat))
    return preds


def _stamp(ts: float) -> str:
    return encode_datetime(datetime.fromtimestamp(ts, tz=timezone.utc))


def getsize(path: Path, include: list[Any] | None = None, exclude: list[Any] | None = None) -> int:
    """Total size in bytes of a file or a directory tree."""
    if path.is_file():
        return path.stat().st_size
    total = 0
    # os.walk does not descend into linked directories; lstat keeps a link to a
    # file outside the share from reporting that file's size.
    for root, _dirs, files in os.walk(path):
        for f in files:
            if include and not any(p(f) for p in include):
                continue
            if exclude and any(p(f) for p in exclude):
                continue
            with contextlib.suppress(OSError):
                total += (Path(root) / f).lstat().st_size
    return total


def listing(
    path: Path,
    *,
    recursive: bool = False,
    maxdepth: int | None = None,
    getsize_: bool = False,
    files_only: bool = False,
    directories_only: bool = False,
    include: list[Any] | None = None,
    exclude: list[Any] | None = None,
    depth: int = 1,
) -> list[dict[str, Any]]:
    """Entries of a directory: ``type`` (0 dir, 1 file), ``filename``, ``size``, ``modified``."""
    if not path.exists():
        raise FileOpError("Path does not exist!", 404)
    if path.is_file():
        st = path.stat()
        return [
            {"type": 1, "filename": path.name, "size": st.st_size, "modified": _stamp(st.st_mtime)}
        ]
    out: list[dict[str, Any]] = []
    for child in sorted(path.iterdir(), key=lambda p: p.name):
        # A symlink is listed as itself and never followed: one inside a volume may
        # point anywhere on the host.
        is_dir = child.is_dir() and not child.is_symlink()
        name = child.name
        if include and not any(p(name) for p in include) and not is_dir:
            continue
        if exclude and any(p(name) for p in exclude):
            continue
        st = child.lstat()
        entry: dict[str, Any] = {
            "type": 0 if is_dir else 1,
            "filename": name,
            "modified": _stamp(st.st_mtime),
        }
        if is_dir:
            if getsize_:
                entry["size"] = getsize(child, include, exclude)
            if recursive and (maxdepth is None or depth < maxdepth):
                entry["files"] = listing(
                    child,
                    recursive=True,
                    maxdepth=maxdepth,
                    getsize_=getsize_,
                    files_only=files_only,
                    directories_only=directories_only,
                    include=include,
                    exclude=exclude,
                    depth=depth + 1,
                )
        else:
            entry["size"] = st.st_size
        if (files_only and is_dir and "files" not in entry) or (directories_only and not is_dir):
            continue
        out.append(entry)
    return out


def mkdir(path: Path) -> bool:
    """Create a directory and its parents."""
    if path.exists() and not path.is_dir():
        raise FileOpError("A file with that name exists!", 409)
    path.mkdir(parents=True, exist_ok=True)
    return True


def move(src: Path, dst: Path) -> bool:
    """Rename or move a file or directory."""
    if not src.exists():
        raise FileOpError("Path does not exist!", 404)
    if dst.exists() and dst.is_dir():
        dst = dst / src.name
    if dst.exists():
        raise FileOpError("Destination already exists!", 409)
    dst.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(str(src), str(dst))
    return True


def delete(path: Path, shown: str, force: bool) -> bool:
    """Delete a file, an empty directory, or (``force``) a whole tree."""
    if not path.exists():
        raise FileOpError("Path does not exist!", 404)
    if path.is_dir():
        if any(path.iterdir()) and not force:
            raise FileOpError(f"Cannot delete non-empty directory '{shown}'!", 409)
        shutil.rmtree(path)
    else:
        path.unlink()
    return True
