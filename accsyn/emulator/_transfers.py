"""The bytes of a transfer: resolving each task's two sides, measuring, copying.

A task stores where its source and destination are (``_src``/``_dst``, the specs
of :mod:`._parties`); :func:`measure` reads the source's size, :func:`blocker`
says why a task cannot run yet (an offline machine), and :func:`execute` copies
the bytes when the simulated clock reaches the task's end
(:mod:`._simulation`). A missing source fails its task, never the whole job.

:func:`task_fields` is the one way to describe a task of a job from two endpoint
strings; the delivery operations use it for uploads into and downloads from a
delivery (``source``/``destination`` paths that :meth:`Paths.locate` resolves).
"""

from __future__ import annotations

import contextlib
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any

from accsyn.emulator import _files
from accsyn.emulator._parties import Endpoint, endpoint, locate_spec
from accsyn.emulator._paths import safe_join
from accsyn.emulator._protocol import Ctx
from accsyn.emulator._store import Row

if TYPE_CHECKING:
    from accsyn.emulator._backend import Backend

__all__ = ["blocker", "execute", "measure", "resolve_sides", "task_fields"]


def resolve_sides(b: Backend, ctx: Ctx, source: str, destination: str) -> tuple[Endpoint, Endpoint]:
    """Both endpoints of a task, access checked (read the source, write the destination)."""
    return (
        endpoint(b, ctx, source, destination=False),
        endpoint(b, ctx, destination, destination=True),
    )


def task_fields(src: Endpoint, dst: Endpoint, b: Backend) -> dict[str, Any]:
    """A task's stored bookkeeping and first measured size from its two endpoints.

    ``size`` is 0 while the source cannot be read (its machine is offline); a
    missing source is marked so the task fails when measured.
    """
    fields: dict[str, Any] = {"_src": src.spec, "_dst": dst.spec, "size": 0}
    if src.placeholder or dst.placeholder:
        fields["status"] = "excluded"
        return fields
    disk, _why = locate_spec(b, src.spec)
    if disk is not None:
        fields["size"] = _files.getsize(disk) if disk.exists() else 0
    return fields


def measure(b: Backend, task: Row) -> bool:
    """Refresh a task's size from its source; False if the source is missing.

    A source that cannot be read yet (offline machine) keeps its size and counts
    as present: the task waits instead of failing.
    """
    src = task.data.get("_src")
    if not isinstance(src, dict) or src.get("placeholder"):
        return True
    disk, why = locate_spec(b, src)
    if disk is None:
        return why is not None
    if not disk.exists():
        return False
    task.data["size"] = _files.getsize(disk)
    return True


def blocker(b: Backend, task: Row) -> str | None:
    """Why the task cannot run now (``client x offline``), or None."""
    for key in ("_src", "_dst"):
        spec = task.data.get(key)
        if isinstance(spec, dict) and not spec.get("placeholder") and "mirror" not in spec:
            _disk, why = locate_spec(b, spec)
            if why is not None:
                return why
    return None


def execute(b: Backend, task: Row) -> str | None:
    """Copy a task's source to its destination; the reason it failed, or None."""
    src_spec, dst_spec = task.data.get("_src"), task.data.get("_dst")
    if not isinstance(src_spec, dict) or not isinstance(dst_spec, dict):
        return None  # a compute task, or one stored before tasks knew their sides
    if src_spec.get("placeholder") or dst_spec.get("placeholder"):
        return None
    src, why = locate_spec(b, src_spec)
    if src is None:
        return why
    if not src.exists():
        return f"source missing: {src.name}"
    dst = _destination(b, src, dst_spec)
    if dst is None:
        return "destination unavailable"
    if dst == src:
        return None
    try:
        if src.is_dir():
            shutil.copytree(src, dst, symlinks=True, dirs_exist_ok=True)
        else:
            dst.parent.mkdir(parents=True, exist_ok=True)
            if dst.is_dir():
                dst = dst / src.name
            shutil.copyfile(src, dst)
    except OSError as exc:
        with contextlib.suppress(OSError):
            if dst.is_file() and dst.stat().st_size != src.stat().st_size:
                dst.unlink()
        return f"copy failed: {exc.strerror or exc}"
    return None


def _destination(b: Backend, src: Path, spec: dict[str, Any]) -> Path | None:
    """Where a source lands: into a folder (trailing ``/``, or existing), else as named."""
    if "mirror" in spec:
        # A site party without a path: the same path at that site.
        site = b.store.get(str(spec["mirror"]))
        if site is None:
            return None
        from accsyn.emulator._clients import site_root

        root = b.files_root.resolve()
        rel = str(src.relative_to(root)) if root in src.parents else src.name
        return safe_join(site_root(b.files_root, site), rel)
    dst, _why = locate_spec(b, spec)
    if dst is None:
        return None
    if spec.get("into") or dst.is_dir():
        return dst / src.name
    return dst
