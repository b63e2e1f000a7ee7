"""Files: ``workspace/file`` (ls, exists, getsize, mkdir, rename, mv, delete) and collections.

Each file operation is a row of :data:`FILE_OPS`: the HTTP methods it accepts,
whether it writes (checked against the share's access rules) and its handler.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from accsyn._exceptions import QueryError
from accsyn.emulator import _files, _virtual
from accsyn.emulator._access import check_write, target
from accsyn.emulator._entities import new_id, out
from accsyn.emulator._paths import Located, safe_join
from accsyn.emulator._protocol import ApiError, Call, Ctx, as_dict, as_int, check_method
from accsyn.emulator._store import Row

if TYPE_CHECKING:
    from accsyn.emulator._backend import Backend

__all__ = ["FILE_OPS", "add_files", "add_to_collection", "file_op", "remove_from_collection"]


@dataclass(frozen=True)
class _FileCall:
    b: Backend
    call: Call
    path: str
    at: Located
    args: dict[str, Any]
    include: list[Any]
    exclude: list[Any]

    @property
    def disk(self) -> Path:
        return self.at.disk

    def not_a_share_root(self, op: str) -> Path:
        """The target, refusing the share itself (``rename("~", …)`` would move a home)."""
        if self.at.is_root:
            raise ApiError(403, f"Cannot {op} a share's root '{self.path[:100]}'!")
        return self.at.disk


def _ls(f: _FileCall) -> Any:
    options: dict[str, Any] = {
        "recursive": bool(f.args.get("recursive")),
        "maxdepth": as_int(f.args.get("maxdepth"), "maxdepth"),
        "getsize_": bool(f.args.get("getsize")),
        "files_only": bool(f.args.get("files_only")),
        "directories_only": bool(f.args.get("directories_only")),
        "include": f.include,
        "exclude": f.exclude,
    }
    if f.at.members is not None:  # a collection or a delivery
        return _virtual.listing(f.at.members, **options)
    return _files.listing(f.disk, **options)


def _getsize(f: _FileCall) -> Any:
    if f.at.members is not None:
        found = [p for p in f.at.members.values() if p.exists()]
        return sum(_files.getsize(p, f.include, f.exclude) for p in found)
    if not f.disk.exists():
        raise ApiError(404, "Path does not exist!")
    return _files.getsize(f.disk, f.include, f.exclude)


def _mkdir(f: _FileCall) -> Any:
    return _files.mkdir(f.disk)


def _path_to(f: _FileCall) -> str:
    to = f.args.get("path_to")
    if not isinstance(to, str) or not to.strip():
        raise ApiError(400, "No path_to supplied!")
    return to


def _rename(f: _FileCall) -> Any:
    """A new name in the same directory: a bare name, or the full accsyn path (as documented)."""
    to = _path_to(f).replace("\\", "/").strip("/")
    src = f.not_a_share_root("rename")
    if "/" in to or "=" in to:
        dst = f.b.paths.resolve(f.call.ctx, _path_to(f), write=True)
        if dst.parent != src.parent:
            raise ApiError(
                400, f"rename keeps a file in its directory; use mv to move it to '{to[:200]}'."
            )
        return _files.move(src, dst)
    if to in (".", ".."):
        raise ApiError(400, f"Invalid new name {to!r}!")
    dst = safe_join(f.at.root, str(src.parent.joinpath(to).relative_to(f.at.root)))
    return _files.move(src, dst)


def _move(f: _FileCall) -> Any:
    src = f.not_a_share_root("move")
    return _files.move(src, f.b.paths.resolve(f.call.ctx, _path_to(f), write=True))


def _delete(f: _FileCall) -> Any:
    return _files.delete(f.not_a_share_root("delete"), f.path, bool(f.args.get("force")))


@dataclass(frozen=True)
class FileOp:
    """One ``workspace/file`` operation: accepted methods, whether it writes, handler."""

    methods: tuple[str, ...]
    write: bool
    run: Callable[[_FileCall], Any]


#: ``op`` of a ``workspace/file`` payload -> the operation (``exists`` is answered apart).
FILE_OPS: dict[str, FileOp] = {
    "ls": FileOp(("GET",), False, _ls),
    "getsize": FileOp(("GET",), False, _getsize),
    "mkdir": FileOp(("POST", "PUT"), True, _mkdir),
    "rename": FileOp(("PUT", "POST"), True, _rename),
    "move": FileOp(("PUT", "POST"), True, _move),
    "mv": FileOp(("PUT", "POST"), True, _move),
    "delete": FileOp(("POST", "DELETE"), True, _delete),
    "rm": FileOp(("POST", "DELETE"), True, _delete),
}
_EXISTS_METHODS = ("GET",)


def file_op(b: Backend, call: Call) -> dict[str, Any]:
    """``workspace/file``: one file operation on a path (or on each of a list of paths)."""
    d = as_dict(call.data)
    op = d.get("op")
    path = d.get("path")
    if isinstance(path, list):
        result = []
        for p in path:
            if isinstance(p, list):
                # Only one level: nested lists would recurse as deep as the JSON nests.
                raise ApiError(400, "A path list holds strings or objects, not lists!")
            sub = Call(call.method, call.ctx, call.uri, dict(d, path=p))
            result.append({"path": p, "result": file_op(b, sub)["result"]})
        return {"result": result}
    if isinstance(path, dict):
        path = path.get("path")
    if not isinstance(path, str) or not path.strip():
        raise ApiError(400, "No path supplied, or not a string/list/dict!")
    if op == "exists":
        check_method(call.method, _EXISTS_METHODS)
        return {"result": _exists(b, call, path)}
    spec = FILE_OPS.get(op) if isinstance(op, str) else None
    if spec is None:
        raise ApiError(400, f"Unknown file operation {str(op)[:50]!r}!")
    check_method(call.method, spec.methods)
    try:
        at = b.paths.locate(call.ctx, path, write=spec.write)
        include = _files.path_filter(d.get("include"))
        exclude = _files.path_filter(d.get("exclude"))
        return {"result": spec.run(_FileCall(b, call, path, at, d, include, exclude))}
    except _files.FileOpError as exc:
        raise ApiError(exc.status, exc.message) from None
    except QueryError as exc:  # an include/exclude regex past its time budget
        raise ApiError(400, f"Invalid filter: {exc}") from None
    except OSError as exc:
        raise _os_error(exc) from None


def _os_error(exc: OSError) -> ApiError:
    return ApiError(400, f"File operation failed: {exc.strerror or type(exc).__name__}")


def _exists(b: Backend, call: Call, path: str) -> bool:
    try:
        return b.paths.resolve(call.ctx, path).exists()
    except ApiError as exc:
        if exc.status == 404:
            return False
        raise
    except OSError as exc:
        raise _os_error(exc) from None


def add_to_collection(b: Backend, call: Call) -> dict[str, Any]:
    """``file/add``: list paths in a collection."""
    ctx, data = call.ctx, as_dict(call.data)
    coll = target(b.store, ctx, "collection")
    check_write(b.store, ctx, "collection", coll, data)
    files = data.get("files")
    if not isinstance(files, list) or not files:
        raise ApiError(400, "files must be a non-empty list of paths!")
    return {"result": [out(r) for r in add_files(b, ctx, coll, files)]}


def add_files(b: Backend, ctx: Ctx, coll: Row, files: list[Any]) -> list[Row]:
    """List existing files (accsyn paths ``ctx`` may read) in a collection."""
    placed = [(f, _virtual.place_existing(b.paths, ctx, "collection", f)) for f in files]
    rows = []
    for path, p in placed:
        d: dict[str, Any] = {"id": new_id("file"), "created": b.clock.stamp(), "parent": coll.id}
        name = PurePosixPath(str(p["_at"][1]) or path).name
        d.update(path=path, filename=name, size=p["size"], _at=p["_at"])
        rows.append(b.store.insert("file", d))
    return rows


def remove_from_collection(b: Backend, call: Call) -> dict[str, Any]:
    """``collection/file/remove``: unlist files (by id) from a collection."""
    ctx, data = call.ctx, as_dict(call.data)
    coll = target(b.store, ctx, "collection")
    check_write(b.store, ctx, "collection", coll, data)
    ids = data.get("files")
    if not isinstance(ids, list):
        raise ApiError(400, "files must be a list of file ids!")
    for fid in ids:
        row = b.store.get(str(fid))
        if row is not None and row.et == "file" and row.data.get("parent") == coll.id:
            b.store.delete(row.id)
    return {"result": True}
