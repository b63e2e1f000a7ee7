"""Every operation of protocol.md §4.3 that needs no desktop UI, against the local workspace.

One table, :data:`OPERATIONS`: each row calls one method of the method table the way
a user would (through the official client's flat names) and checks what the user
would notice — the returned shape and the effect, read back with another call. Each
row runs twice: through our :class:`accsyn.Session` on the in-process workspace, and
through the official ``accsyn_api`` client against ``accsyn serve`` over HTTP.

Left out (they need a desktop or are not operations of a workspace): ``help()``
opens a browser; ``dump``, ``get_hostname``, ``get_last_message`` never reach the
server. The 3.3.0-only ``assign`` forms (delivery + user, share + user) are rows
that expect the 3.4.0 refusal.
"""

from __future__ import annotations

import socket
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from accsyn_api.session import Session as Official

import accsyn
from accsyn.emulator import Backend, LocalWorkspace
from accsyn.emulator._clients import EmulatedClient, add_client, find_user

RECIPIENT = "standard@example.com"


class Ours:
    """Our Session under the official client's flat method names, answering plain dicts."""

    def __init__(self, s: accsyn.Session) -> None:
        self.s = s

    def __getattr__(self, name: str) -> Any:
        return getattr(self.s, name)

    # Reads and writes of entities: the raw dicts, as the official client returns them.
    def find(self, query: str, **kw: Any) -> Any:
        return self.s.find(query, raw=True, **kw)

    def find_one(self, query: str, **kw: Any) -> Any:
        return self.s.find_one(query, raw=True, **kw)

    def get_entity(self, et: str, eid: str) -> Any:
        return self.s.get_entity(et, eid, raw=True)

    def create(self, et: str, data: Any, entityid: str | None = None) -> Any:
        return self.s.create(et, data, entityid, raw=True)

    def update(self, et: str, eid: str, data: Any) -> Any:
        return self.s.update(et, eid, data, raw=True)

    def update_one(self, et: str, eid: str, data: Any) -> Any:
        with pytest.warns(DeprecationWarning, match="update_one"):
            return self.s.update_one(et, eid, data, raw=True)

    def offline_one(self, et: str, eid: str) -> Any:
        with pytest.warns(DeprecationWarning, match="offline_one"):
            return self.s.offline_one(et, eid)

    def update_many(self, et: str, eid: str, data: Any) -> Any:
        return self.s.update_many(et, eid, data, raw=True)

    # The namespaces: files, access, settings.
    def ls(self, *a: Any, **kw: Any) -> Any:
        return self.s.files.ls(*a, **kw)

    def getsize(self, *a: Any, **kw: Any) -> Any:
        return self.s.files.getsize(*a, **kw)

    def exists(self, path: str) -> Any:
        return self.s.files.exists(path)

    def mkdir(self, path: str) -> Any:
        return self.s.files.mkdir(path)

    def rename(self, path: str, to: str) -> Any:
        return self.s.files.rename(path, to)

    def mv(self, src: str, dst: str) -> Any:
        return self.s.files.mv(src, dst)

    def delete(self, path: str, force: bool = False) -> Any:
        return self.s.files.delete(path, force)

    def prepublish(self, data: Any) -> Any:
        return self.s.files.prepublish(data)

    def grant(self, *a: Any) -> Any:
        return self.s.acl.grant(*a)

    def revoke(self, *a: Any) -> Any:
        return self.s.acl.revoke(*a)

    def access(self, *a: Any, **kw: Any) -> Any:
        return self.s.acl.access(*a, **kw)

    def get_setting(self, *a: Any, **kw: Any) -> Any:
        return self.s.settings.get(*a, **kw)

    def get_settings(self, *a: Any, **kw: Any) -> Any:
        return self.s.settings.get_all(*a, **kw)

    def set_setting(self, *a: Any) -> Any:
        return self.s.settings.set(*a)

    def delete_setting(self, *a: Any) -> Any:
        return self.s.settings.delete(*a)


@dataclass
class World:
    """Fresh entities and files for one row, made through the client under test."""

    api: Any
    backend: Backend
    tag: str
    ids: dict[str, str] = field(default_factory=dict)

    @property
    def dir(self) -> str:
        """The row's directory on the default volume (a bare path is on the default volume)."""
        return f"ops-{self.tag}"


def _make_world(api: Any, backend: Backend) -> World:
    w = World(api, backend, uuid.uuid4().hex[:8])
    root: Path = backend.files_root / "projects" / w.dir
    (root / "sub").mkdir(parents=True)
    (root / "a.txt").write_bytes(b"alpha\n")
    (root / "b.bin").write_bytes(bytes(range(250)) * 4)
    (root / "sub" / "c.txt").write_bytes(b"charlie\n")
    ids = w.ids
    ids["folder"] = api.create("folder", {"name": f"Ops {w.tag}", "path": w.dir})["id"]
    d = api.create(
        "delivery",
        {"name": f"ops {w.tag}", "tasks": [f"{w.dir}/a.txt"], "recipients": [RECIPIENT]},
    )
    ids["delivery"] = d["id"]
    files = [f"{w.dir}/a.txt", f"{w.dir}/b.bin"]
    ids["collection"] = api.create("collection", {"name": f"ops c {w.tag}", "files": files})["id"]
    t = api.create(
        "transfer",
        {
            "name": f"ops t {w.tag}",
            "source": f"{w.dir}/b.bin",
            "destination": "lisa@example.com:/tmp/",
            "status": "paused",
        },
    )
    ids["transfer"] = t["id"]
    ids["user"] = api.create("user", {"code": f"ops-{w.tag}@example.com", "role": "standard"})["id"]
    ids["queue"] = api.create("queue", {"name": f"ops q {w.tag}"})["id"]
    ids["volume"] = api.find_one("volume WHERE default=true")["id"]
    ids["server"] = api.find_one("server WHERE code=fileserver01")["id"]
    ids["done"] = api.find("transfer WHERE status=done", finished=True, limit=1)[0]["id"]
    return w


@dataclass(frozen=True)
class Op:
    """One row: a §4.3 method, how a user calls it, and what they would check."""

    method: str
    call: Callable[[World], Any]
    #: Asserts on the result (a False return fails the row too).
    check: Callable[[World, Any], bool | None] | None = None
    #: A regex the raised error's message must match (the call is refused).
    error: str | None = None


def _names(listing: Any) -> list[str]:
    assert isinstance(listing, list)
    return [e["filename"] for e in listing]


def _check_find(w: World, r: Any) -> None:
    assert [t["id"] for t in r] == [w.ids["transfer"]]
    assert r[0]["status"] == "paused" and r[0]["size"] == 1000


def _check_create(w: World, r: Any) -> None:
    assert r["status"] == "init" and r["size"] == 6 and r["name"] == "ops create"
    tasks = w.api.find(f"task WHERE job.id={r['id']}")
    assert [t["source"]["path"] for t in tasks] == [f"{w.dir}/a.txt"]


def _check_update(w: World, r: Any) -> None:
    assert r["description"] == "renamed" and r["id"] == w.ids["queue"]
    assert w.api.get_entity("queue", w.ids["queue"])["description"] == "renamed"


def _update_tasks(w: World) -> Any:
    [task] = w.api.find("task", entityid=w.ids["transfer"])
    return w.api.update_many("task", w.ids["transfer"], [{"id": task["id"], "status": "onhold"}])


def _check_update_many(w: World, r: Any) -> None:
    assert [t["status"] for t in r] == ["onhold"]
    assert [t["status"] for t in w.api.find("task", entityid=w.ids["transfer"])] == ["onhold"]


def _check_deleted_user(w: World, r: Any) -> None:
    assert r is True
    assert w.api.find(f"user WHERE id={w.ids['user']}") == []
    assert w.api.find(f"user WHERE id={w.ids['user']}", archived=True)[0]["id"] == w.ids["user"]
    # get_entity finds an entity in any state (protocol.md §4.3.1).
    assert w.api.get_entity("User", w.ids["user"])["id"] == w.ids["user"]


def _remove_from_collection(w: World) -> Any:
    files = w.api.find("file", entityid=w.ids["collection"])
    b = [f["id"] for f in files if f["filename"] == "b.bin"]
    return w.api.delete_many("collection", w.ids["collection"], {"files": b})


def _check_removed(w: World, r: Any) -> None:
    assert r is True
    assert _names(w.api.ls(f"collection={w.ids['collection']}")) == ["a.txt"]


def _check_deactivated(w: World, r: Any) -> None:
    assert r is True
    # find_one looks among finished jobs when nothing active matches, never among
    # deactivated entities unless asked (protocol.md §4.9, 3.2.3).
    assert w.api.find_one(f"folder WHERE id={w.ids['folder']}") is None
    inactive = w.api.find(f"folder WHERE id={w.ids['folder']}", inactive=True)
    assert [f["inactive"] for f in inactive] == [True]


def _deactivate_then_activate(w: World) -> Any:
    assert w.api.deactivate_one("queue", w.ids["queue"]) is True
    assert w.api.find(f"queue WHERE id={w.ids['queue']}") == []
    return w.api.activate_one("queue", f"ops_q_{w.tag}")  # by code


def _check_activated(w: World, r: Any) -> None:
    assert r is True
    assert w.api.find_one(f"queue WHERE id={w.ids['queue']}")["id"] == w.ids["queue"]


def _assign(w: World) -> Any:
    w.api.deassign("volume", "server", {"volume": w.ids["volume"], "server": w.ids["server"]})
    return w.api.assign("volume", "server", {"volume": w.ids["volume"], "server": w.ids["server"]})


def _check_assigned(w: World, r: Any) -> None:
    assert r is True
    servers = w.api.assignments("volume", w.ids["volume"])
    assert [s["id"] for s in servers] == [w.ids["server"]]


def _check_assignments(w: World, r: Any) -> None:
    assert [(s["code"], s["type"]) for s in r] == [("fileserver01", 1)]


def _deassign(w: World) -> Any:
    try:
        return w.api.deassign(
            "volume", "server", {"volume": w.ids["volume"], "server": w.ids["server"]}
        )
    finally:
        w.api.assign("volume", "server", {"volume": w.ids["volume"], "server": w.ids["server"]})


def _check_grant_delivery(w: World, r: Any) -> None:
    assert r is not None and r is not False
    who = [x["user_hr"] for x in w.api.access("delivery", w.ids["delivery"])]
    assert sorted(who) == ["lisa@example.com", RECIPIENT]


def _check_grant_folder(w: World, r: Any) -> None:
    assert r["read"] is True and r["write"] is False and r["path"] == "/sub"
    assert r["entity"].startswith("user:") and r["target"] == f"share:{w.ids['folder']}"


def _grant_lisa(w: World) -> Any:
    return w.api.grant("user", "lisa@example.com", "folder", w.ids["folder"], {"read": True})


def _check_access_folder(w: World, r: Any) -> None:
    assert [(a["user_hr"].split(":")[1].split("[")[0], a["read"], a["path"]) for a in r] == [
        ("lisa@example.com", True, "/")
    ]


def _check_access_delivery(w: World, r: Any) -> None:
    assert [(x["user_hr"], x["actioned"]) for x in r] == [(RECIPIENT, False)]


def _revoke_folder(w: World) -> Any:
    _grant_lisa(w)
    first = w.api.revoke("user", "lisa@example.com", "folder", w.ids["folder"])
    return first, w.api.revoke("user", "lisa@example.com", "folder", w.ids["folder"])


def _check_revoked_folder(w: World, r: Any) -> None:
    assert r == (True, False)
    assert w.api.access("folder", w.ids["folder"]) == []


def _check_revoked_delivery(w: World, r: Any) -> None:
    assert r is True
    assert w.api.access("delivery", w.ids["delivery"]) == []


def _check_ls(w: World, r: Any) -> None:
    assert [(e["filename"], e["type"], e.get("size")) for e in r] == [
        ("a.txt", 1, 6),
        ("b.bin", 1, 1000),
        ("sub", 0, None),
    ]


def _check_mkdir(w: World, r: Any) -> None:
    assert r is True
    assert w.api.exists(f"folder=ops_{w.tag}/new/deeper") is True
    assert "new" in _names(w.api.ls(w.dir))


def _check_renamed(w: World, r: Any) -> None:
    assert r is True
    assert sorted(_names(w.api.ls(w.dir))) == ["a2.txt", "b.bin", "sub"]


def _check_moved(w: World, r: Any) -> None:
    assert r is True
    assert "a.txt" not in _names(w.api.ls(w.dir))
    assert sorted(_names(w.api.ls(f"{w.dir}/sub"))) == ["a.txt", "c.txt"]


def _delete(w: World) -> Any:
    with pytest.raises(Exception, match="non-empty directory"):
        w.api.delete(f"{w.dir}/sub")
    return w.api.delete(f"{w.dir}/sub", True)


def _check_deleted_dir(w: World, r: Any) -> None:
    assert r is True
    assert w.api.exists(f"{w.dir}/sub") is False


def _prepublish(w: World) -> Any:
    entries = [{"id": str(uuid.uuid4()), "filename": "a.txt", "size": 6, "is_dir": False}]
    return w.api.prepublish(entries)


def _check_prepublish(w: World, r: Any) -> None:
    assert [(f["ident"], f["can_publish"]) for f in r["files"]] == [("a.txt", True)]
    assert [s for s in r["statuses"] if s.get("default")]


def _set_then_get(w: World) -> Any:
    assert w.api.set_setting("queue", "transfer_speedlimit", "100", w.ids["queue"]) is True
    return w.api.get_setting("transfer_speedlimit", "queue", w.ids["queue"])


def _set_then_get_all(w: World) -> Any:
    w.api.set_setting("queue", "transfer_speedlimit", "100", w.ids["queue"])
    return w.api.get_settings("queue", w.ids["queue"])


def _delete_setting(w: World) -> Any:
    w.api.set_setting("queue", "transfer_speedlimit", "100", w.ids["queue"])
    deleted = w.api.delete_setting("queue", "transfer_speedlimit", w.ids["queue"])
    return deleted, w.api.get_setting("transfer_speedlimit", "queue", w.ids["queue"])


def _check_logs(w: World, r: Any) -> None:
    assert isinstance(r, dict) and r["result"]
    assert all({"date", "message", "user"} <= set(e) for e in r["result"])
    assert any(e["message"] == "folder/create" for e in r["result"])


def _running(kind: str, method: str) -> Callable[[World], Any]:
    """Ask ``method`` with no client, with one of ``kind`` online on this host, then offline."""

    def call(w: World) -> Any:
        before = getattr(w.api, method)()
        with w.backend.lock:
            admin = find_user(w.backend.store, "admin@example.com")
            row = add_client(w.backend, user=admin, hostname=socket.gethostname(), kind=kind)
        try:
            on = getattr(w.api, method)()
            EmulatedClient(w.backend, row.id).online = False
            return before, on, getattr(w.api, method)()
        finally:
            with w.backend.lock:
                w.backend.store.delete(row.id)  # leave no machine behind for other rows

    return call


def _check_running(w: World, r: Any) -> bool:
    return bool(r == (None, True, False))


#: protocol.md §4.3, table by table, in its order.
OPERATIONS: list[Op] = [
    # 4.3.1 Query and read
    Op("find", lambda w: w.api.find(f"Transfer WHERE name='ops t {w.tag}'"), _check_find),
    Op(
        "find entitytypes",
        lambda w: w.api.find("entitytypes"),
        lambda w, r: {"user", "transfer", "delivery", "folder"} <= set(r),
    ),
    Op(
        "find attributes",
        lambda w: w.api.find("attributes WHERE entitytype=folder"),
        lambda w, r: {"email", "path", "parent", "status_hr"} <= set(r),
    ),
    Op(
        "find_one",
        lambda w: w.api.find_one(f"User WHERE code='ops-{w.tag}@example.com'"),
        lambda w, r: r["id"] == w.ids["user"],
    ),
    Op(
        "find_one (relaxed to finished jobs)",
        lambda w: w.api.find_one(f"Transfer WHERE id={w.ids['done']}"),
        lambda w, r: r["status"] == "done",
    ),
    Op(
        "get_entity",
        lambda w: w.api.get_entity("Transfer", w.ids["transfer"]),
        lambda w, r: (r["id"], r["status"]) == (w.ids["transfer"], "paused"),
    ),
    Op(
        "report",
        lambda w: w.api.report(f"transfer WHERE id={w.ids['transfer']}"),
        lambda w, r: w.ids["transfer"] in r,
    ),
    Op(
        "metrics",
        lambda w: w.api.metrics(f"transfer WHERE id={w.ids['transfer']}", ["speed"]),
        lambda w, r: isinstance(r, list),
    ),
    # 4.3.2 Create, update, delete, lifecycle
    Op(
        "create",
        lambda w: w.api.create(
            "transfer",
            {"name": "ops create", "source": f"{w.dir}/a.txt", "destination": "hq:/tmp/ops/"},
        ),
        _check_create,
    ),
    Op(
        "update",
        lambda w: w.api.update("queue", w.ids["queue"], {"description": "renamed"}),
        _check_update,
    ),
    Op(
        "update_one",
        lambda w: w.api.update_one("queue", w.ids["queue"], {"description": "renamed"}),
        _check_update,
    ),
    Op("update_many", _update_tasks, _check_update_many),
    Op("delete_one", lambda w: w.api.delete_one("user", w.ids["user"]), _check_deleted_user),
    Op("delete_many", _remove_from_collection, _check_removed),
    Op(
        "deactivate_one",
        lambda w: w.api.deactivate_one("folder", w.ids["folder"]),
        _check_deactivated,
    ),
    Op("offline_one", lambda w: w.api.offline_one("folder", w.ids["folder"]), _check_deactivated),
    Op("activate_one", _deactivate_then_activate, _check_activated),
    # 4.3.3 Assignment and access
    Op("assign (volume + server)", _assign, _check_assigned),
    Op(
        "assign (delivery + user, 3.3.0 only)",
        lambda w: w.api.assign("delivery", "user", {"delivery": w.ids["delivery"]}),
        error="Unsupported assignment operation",
    ),
    Op(
        "assign (volume + user, 3.3.0 only)",
        lambda w: w.api.assign("volume", "user", {"volume": w.ids["volume"]}),
        error="Unsupported assignment operation",
    ),
    Op(
        "assignments",
        lambda w: w.api.assignments("volume", w.ids["volume"]),
        _check_assignments,
    ),
    Op("deassign", _deassign, lambda w, r: r is True),
    Op(
        "grant (user -> delivery)",
        lambda w: w.api.grant("user", "lisa@example.com", "delivery", w.ids["delivery"]),
        _check_grant_delivery,
    ),
    Op(
        "grant (user -> folder)",
        lambda w: w.api.grant(
            "user", "lisa@example.com", "folder", w.ids["folder"], {"read": True, "path": "/sub"}
        ),
        _check_grant_folder,
    ),
    Op(
        "access (folder)",
        lambda w: (_grant_lisa(w), w.api.access("folder", w.ids["folder"]))[1],
        _check_access_folder,
    ),
    Op(
        "access (delivery)",
        lambda w: w.api.access("delivery", w.ids["delivery"]),
        _check_access_delivery,
    ),
    Op("revoke (folder)", _revoke_folder, _check_revoked_folder),
    Op(
        "revoke (delivery)",
        lambda w: w.api.revoke("user", RECIPIENT, "delivery", w.ids["delivery"]),
        _check_revoked_delivery,
    ),
    # 4.3.4 Files and publishing
    Op("ls", lambda w: w.api.ls(f"folder=ops_{w.tag}"), _check_ls),
    Op(
        "ls (recursive, include re('…', 'I'))",
        lambda w: w.api.ls(w.dir, recursive=True, include=["re('^[AC]\\.TXT$', 'I')"]),
        # 'I' makes the regex case-sensitive (the client's docstring): nothing matches.
        lambda w, r: [(e["filename"], e.get("files")) for e in r] == [("sub", [])],
    ),
    Op(
        "ls (include re('…'), case-insensitive)",
        lambda w: w.api.ls(w.dir, include="re('^[AC]\\.TXT$')"),
        lambda w, r: _names(r) == ["a.txt", "sub"],
    ),
    Op(
        "ls (a filter regex too deeply nested)",
        lambda w: w.api.ls(w.dir, include="re('" + "(" * 1000 + ")" * 1000 + "')"),
        error="Invalid filter",
    ),
    Op(
        "ls (delivery=)",
        lambda w: w.api.ls(f"delivery={w.ids['delivery']}"),
        lambda w, r: _names(r) == ["a.txt"],
    ),
    Op(
        "ls (collection=)",
        lambda w: w.api.ls(f"collection=ops_c_{w.tag}"),
        lambda w, r: _names(r) == ["a.txt", "b.bin"],
    ),
    Op(
        "getsize",
        lambda w: w.api.getsize(f"folder=ops_{w.tag}"),
        lambda w, r: r == 6 + 1000 + 8,
    ),
    Op(
        "exists",
        lambda w: (w.api.exists(f"{w.dir}/a.txt"), w.api.exists(f"{w.dir}/nope.txt")),
        lambda w, r: r == (True, False),
    ),
    Op("mkdir", lambda w: w.api.mkdir(f"folder=ops_{w.tag}/new/deeper"), _check_mkdir),
    Op(
        "rename (full target path)",
        lambda w: w.api.rename(f"folder=ops_{w.tag}/a.txt", f"folder=ops_{w.tag}/a2.txt"),
        _check_renamed,
    ),
    Op("rename (new name)", lambda w: w.api.rename(f"{w.dir}/a.txt", "a2.txt"), _check_renamed),
    Op("mv", lambda w: w.api.mv(f"{w.dir}/a.txt", f"{w.dir}/sub/a.txt"), _check_moved),
    Op("delete", _delete, _check_deleted_dir),
    Op("prepublish", _prepublish, _check_prepublish),
    # 4.3.5 Settings, logs, miscellaneous
    Op("set_setting + get_setting", _set_then_get, lambda w, r: r == "100"),
    Op(
        "get_settings",
        _set_then_get_all,
        lambda w, r: r.get("transfer_speedlimit") == "100",
    ),
    Op(
        "delete_setting",
        _delete_setting,
        lambda w, r: r == (True, None),
    ),
    Op("logs", lambda w: w.api.logs(), _check_logs),
    Op(
        "get_api_key",
        lambda w: w.api.get_api_key(),
        lambda w, r: isinstance(r, str) and len(r) >= 16,
    ),
    # None without a client of this user on this host, True while it is online, else False.
    Op("app_is_running", _running("app", "app_is_running"), _check_running),
    Op("gui_is_running", _running("app", "gui_is_running"), _check_running),
    Op("daemon_is_running", _running("userserver", "daemon_is_running"), _check_running),
    Op("server_is_running", _running("userserver", "server_is_running"), _check_running),
    Op(
        "integration",
        lambda w: w.api.integration("ftrack", "status", {}),
        lambda w, r: isinstance(r, dict),
    ),
]


@pytest.fixture(scope="module")
def local() -> Iterator[LocalWorkspace]:
    with LocalWorkspace(seed="demo", transfers=20) as ws:
        yield ws


@pytest.fixture
def official_admin(server, accsyn_clean_env, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """The official client, logged in as the admin, against ``accsyn serve`` over HTTP."""
    monkeypatch.setenv("ACCSYN_PROXY", f"accsyn:127.0.0.1:{server.port}")
    s = Official(
        workspace="demo",
        username=server.users["admin"],
        api_key=server.keys["admin"],
        timeout=30,
        connect_timeout=10,
    )
    return s, server.backend


def _run(op: Op, w: World) -> None:
    if op.error is not None:
        with pytest.raises(Exception, match=op.error):
            op.call(w)
        return
    result = op.call(w)
    assert op.check is not None
    assert op.check(w, result) is not False, f"{op.method}: implausible result {result!r:.500}"


@pytest.mark.parametrize("op", OPERATIONS, ids=[o.method for o in OPERATIONS])
def test_our_session(op: Op, local: LocalWorkspace) -> None:
    api = Ours(local.session())
    _run(op, _make_world(api, local.backend))


@pytest.mark.parametrize("op", OPERATIONS, ids=[o.method for o in OPERATIONS])
def test_official_client(op: Op, official_admin: tuple[Official, Backend]) -> None:
    api, backend = official_admin
    _run(op, _make_world(api, backend))


def test_the_table_covers_the_method_table() -> None:
    """Every §4.3 method of the official client has a row (and both clients have it)."""
    documented = set(
        [
            "find",
            "find_one",
            "get_entity",
            "report",
            "metrics",
            "create",
            "update",
            "update_one",
            "update_many",
            "delete_one",
            "delete_many",
            "deactivate_one",
            "offline_one",
            "activate_one",
            "assign",
            "assignments",
            "deassign",
            "grant",
            "access",
            "revoke",
            "ls",
            "getsize",
            "exists",
            "mkdir",
            "rename",
            "mv",
            "delete",
            "prepublish",
            "get_setting",
            "get_settings",
            "set_setting",
            "delete_setting",
            "logs",
            "get_api_key",
            "app_is_running",
            "gui_is_running",
            "daemon_is_running",
            "server_is_running",
            "integration",
        ]
    )
    covered = {name for op in OPERATIONS for name in op.method.replace("+", " ").split()}
    assert documented <= covered, documented - covered
    for name in documented:
        assert callable(getattr(Official, name))
        assert callable(getattr(Ours(accsyn.Session.__new__(accsyn.Session)), name))
