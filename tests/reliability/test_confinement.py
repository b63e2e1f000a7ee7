"""Confinement: nothing a caller sends reaches outside the workspace's files root.

A sentinel directory sits beside the files root (and a symlink inside a volume
points at it). Hostile paths, share codes, share names and rename targets are
driven through every file operation and every way of setting a share's code or
path; afterwards the sentinel is exactly as it was, no answer ever names what is
inside it, and nothing new appeared beside the files root. Every refusal is a
typed ``accsyn`` error, never a 500.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import accsyn
from accsyn.emulator import LocalWorkspace

SECRET = "sentinel-secret.txt"

_PIECES = [
    "..", "../..", "../../..", "../../../../etc", ".", "", "/", "//", "\\..", "..\\..",
    "~", "~/..", "link", "link/x", "sentinel", "x", "a/b", "%2e%2e", "\x00", "a\x00b",
    "volume=default", "volume=projects", "volume=..", "volume=hostile", "volume=",
    "home=lisa@example.com", "home=admin@example.com", "folder=shared_folder",
    "folder=hostile", "share=projects", SECRET,
]  # fmt: skip
_NAMES = ["..", ".", "../../../../etc", "../sentinel", "x/../..", "ok", "a\x00", "", "hostile"]

pieces = st.sampled_from(_PIECES)
paths = st.lists(pieces, min_size=1, max_size=4).map("/".join) | pieces
names = st.sampled_from(_NAMES) | paths

_OPS = st.one_of(
    st.tuples(st.just("ls"), paths, st.booleans()),
    st.tuples(st.just("getsize"), paths, st.none()),
    st.tuples(st.just("exists"), paths, st.none()),
    st.tuples(st.just("mkdir"), paths, st.none()),
    st.tuples(st.just("rename"), paths, names),
    st.tuples(st.just("mv"), paths, paths),
    st.tuples(st.just("delete"), paths, st.booleans()),
    st.tuples(st.just("volume_code"), names, st.none()),
    st.tuples(st.just("create_volume"), names, st.none()),
    st.tuples(st.just("create_folder"), names, names),
    st.tuples(st.just("folder_path"), names, st.none()),
)


def _snapshot(d: Path) -> list[tuple[str, bytes]]:
    out = []
    for root, dirs, files in os.walk(d):
        for n in sorted(dirs + files):
            p = Path(root) / n
            out.append((str(p.relative_to(d)), p.read_bytes() if p.is_file() else b""))
    return sorted(out)


@pytest.fixture(scope="module")
def layout(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("confine")
    sentinel = base / "sentinel"
    sentinel.mkdir()
    (sentinel / SECRET).write_text("must never be listed, moved or deleted")
    return base


def _run(s: accsyn.Session, op: tuple[str, Any, Any], ids: dict[str, str]) -> Any:
    kind, a, b = op
    if kind == "ls":
        return s.files.ls(a, recursive=b, getsize=b)
    if kind == "getsize":
        return s.files.getsize(a)
    if kind == "exists":
        return s.files.exists(a)
    if kind == "mkdir":
        return s.files.mkdir(a)
    if kind == "rename":
        return s.files.rename(a, b)
    if kind == "mv":
        return s.files.mv(a, b)
    if kind == "delete":
        return s.files.delete(a, force=b)
    if kind == "volume_code":
        return s.update("volume", ids["volume"], {"code": a}, raw=True, validate=False)
    if kind == "create_volume":
        return s.create("volume", {"name": a, "code": a}, raw=True, validate=False)
    if kind == "create_folder":
        return s.create("folder", {"name": "f", "code": "f2", "path": b}, validate=False, raw=True)
    if kind == "folder_path":
        return s.update("folder", ids["folder"], {"path": a}, raw=True, validate=False)
    raise AssertionError(kind)


@settings(
    max_examples=60,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=st.lists(_OPS, min_size=1, max_size=6), who=st.sampled_from(["admin", "standard"]))
def test_hostile_file_operations_never_leave_the_files_root(
    layout: Path, ops: list[tuple[str, Any, Any]], who: str
) -> None:
    sentinel = layout / "sentinel"
    before = _snapshot(sentinel)
    root = Path(tempfile.mkdtemp(prefix="root", dir=layout))
    try:
        _drive(root, sentinel, ops, who)
    finally:
        shutil.rmtree(root)  # never follows the link
    assert _snapshot(sentinel) == before
    assert sorted(p.name for p in layout.iterdir()) == ["sentinel"]


def _drive(root: Path, sentinel: Path, ops: list[tuple[str, Any, Any]], who: str) -> None:
    with LocalWorkspace.fresh(files_root=root) as ws:
        admin = ws.session()
        vol = admin.create("volume", {"name": "hostile", "code": "hostile"}, raw=True)
        folder = {"name": "hostile", "code": "hostile", "path": "hostile_dir"}
        ids = {"volume": vol["id"], "folder": admin.create("folder", folder, raw=True)["id"]}
        link = root / "projects" / "link"
        link.symlink_to(sentinel, target_is_directory=True)
        s = admin if who == "admin" else ws.session(role=who)
        for op in ops:
            try:
                answer = _run(s, op, ids)
            except accsyn.ServerError as exc:  # pragma: no cover - the failure we look for
                raise AssertionError(f"{op!r} answered a server error: {exc}") from exc
            except accsyn.AccsynError:
                continue
            assert SECRET not in repr(answer), f"{op!r} listed the sentinel"


def test_a_volume_code_that_climbs_is_refused(tmp_path: Path) -> None:
    with LocalWorkspace(seed=None, files_root=tmp_path / "root") as ws:
        s = ws.session()
        vol = s.create("volume", {"name": "v", "code": "v"}, raw=True)
        with pytest.raises(accsyn.BadRequestError, match="share code"):
            s.update("volume", vol["id"], {"code": "../../../../etc"}, raw=True, validate=False)
        with pytest.raises(accsyn.BadRequestError, match="share code"):
            s.create("volume", {"name": ".."}, raw=True, validate=False)
        assert s.files.ls(f"volume={vol['id']}") == []


def test_share_roots_cannot_be_renamed_moved_or_deleted() -> None:
    with LocalWorkspace.fresh() as ws:
        std = ws.session(role="standard")
        with pytest.raises(accsyn.PermissionDeniedError, match="share's root"):
            std.files.rename("~", "lisa@example.com")
        admin = ws.session()
        with pytest.raises(accsyn.PermissionDeniedError, match="share's root"):
            admin.files.rename("volume=default", "elsewhere")
        with pytest.raises(accsyn.PermissionDeniedError, match="share's root"):
            admin.files.mv("volume=default", "volume=default/inside")
        with pytest.raises(accsyn.PermissionDeniedError, match="share's root"):
            admin.files.delete("folder=shared_folder", force=True)
        assert admin.files.exists("folder=shared_folder/brief.pdf") is True


def test_recursive_ls_does_not_follow_a_symlink_out(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / SECRET).write_text("x")
    with LocalWorkspace.fresh(files_root=tmp_path / "root") as ws:
        (tmp_path / "root" / "projects" / "link").symlink_to(outside, target_is_directory=True)
        s = ws.session()
        tree = s.files.ls("volume=projects", recursive=True, getsize=True)
        assert SECRET not in repr(tree)
        with pytest.raises(accsyn.PermissionDeniedError):
            s.files.ls("volume=projects/link")


def test_a_nul_in_a_path_is_a_400() -> None:
    with LocalWorkspace.fresh() as ws, pytest.raises(accsyn.BadRequestError, match="NUL"):
        ws.session().files.ls("volume=projects/a\x00b")
