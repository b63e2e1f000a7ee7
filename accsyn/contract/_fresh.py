"""A fresh seeded workspace per test in milliseconds: copies of a template.

Seeding the demo workspace runs thousands of inserts and writes files; a test
suite that wants a fresh workspace per test pays that every time. Here each
``(seed, transfers)`` is seeded once per process into a template workspace that
is never served; a fresh workspace is a copy of its database (SQLite's backup
API, pages rather than rows) and of its few files.

The copy starts at the template's simulated time (a manual clock), so every
fresh workspace of a process holds the same data at the same instant — the
reproducibility a test suite wants.
"""

from __future__ import annotations

import atexit
import json
import os
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from accsyn.emulator import Clock, Faults, LocalWorkspace

__all__ = ["fresh_workspace", "template_for"]

W = TypeVar("W", bound="LocalWorkspace")


@dataclass
class _Template:
    workspace: LocalWorkspace
    time: float
    dirs: list[str]  # relative paths, parents first
    files: list[tuple[str, bytes]]  # relative path, content (the demo's are small)


_templates: dict[tuple[str | None, int], _Template] = {}
_lock = threading.Lock()


def _close_all() -> None:
    for t in _templates.values():
        t.workspace.close()
    _templates.clear()


atexit.register(_close_all)


def template_for(seed: str | None, transfers: int) -> _Template:
    """The template of ``(seed, transfers)``, seeded on first use."""
    from accsyn.emulator import LocalWorkspace

    key = (seed, transfers)
    with _lock:
        found = _templates.get(key)
        if found is None:
            ws = LocalWorkspace(seed=seed, transfers=transfers)
            root = ws.files_root
            paths = sorted(root.rglob("*"))
            dirs = [str(p.relative_to(root)) for p in paths if p.is_dir()]
            files = [(str(p.relative_to(root)), p.read_bytes()) for p in paths if p.is_file()]
            found = _Template(ws, ws.clock.time(), dirs, files)
            _templates[key] = found
        return found


def _copy_files(template: _Template, dst: Path) -> None:
    root = str(dst)
    for rel in template.dirs:
        os.makedirs(os.path.join(root, rel), exist_ok=True)
    for rel, content in template.files:
        # Real copies, not hard links: a test writing into a file must not
        # change the template.
        with open(os.path.join(root, rel), "wb") as f:
            f.write(content)


def _repoint_volumes(ws: LocalWorkspace, old_root: Path) -> None:
    """Volume paths name the template's directory: point them at this workspace's.

    One SQL ``replace`` over the volumes' JSON (a path is no indexed column), so
    the copy needs no row decoded and written back.
    """
    old, new = (json.dumps(str(p))[1:-1] for p in (old_root, ws.files_root))
    store = ws.backend.store
    with store.lock:
        store.conn.execute(
            "UPDATE entity SET data = replace(data, ?, ?) WHERE et = 'volume'", (old, new)
        )


def _scratch_dir() -> str | None:
    """A memory-backed temporary directory where there is one (Linux: /dev/shm).

    On a disk file system, creating and removing the dozen directories of the
    demo volume costs more than copying the whole database.
    """
    shm = "/dev/shm"
    return shm if os.path.isdir(shm) and os.access(shm, os.W_OK | os.X_OK) else None


def fresh_workspace(
    cls: type[W],
    seed: str | None = "demo",
    *,
    transfers: int = 300,
    clock: Clock | None = None,
    faults: Faults | None = None,
    files_root: str | os.PathLike[str] | None = None,
) -> W:
    """A new workspace of class ``cls``, a copy of the ``(seed, transfers)`` template."""
    from accsyn.emulator import Clock

    template = template_for(seed, transfers)
    scratch = None
    if files_root is None:
        scratch = files_root = tempfile.mkdtemp(prefix="accsyn-ws-", dir=_scratch_dir())
    ws = cls(
        seed=seed,
        files_root=files_root,
        clock=clock or Clock(template.time),
        faults=faults,
        transfers=transfers,
        template=template.workspace.backend.store,
    )
    if scratch is not None:
        ws._tmp = scratch  # removed on close, like the directory it makes itself
    try:
        _copy_files(template, ws.files_root)
        _repoint_volumes(ws, template.workspace.files_root)
    except BaseException:
        ws.close()
        raise
    return ws
