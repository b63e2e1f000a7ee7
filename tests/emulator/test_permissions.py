"""The role permission table of the protocol (§6.5), case by case, against LocalWorkspace.

Each case is ``(table row, role, operation, target, outcome)``: reads without the
right come back **empty** (not errors), writes without it raise
``accsyn.PermissionDeniedError``. The table's facts are copied below; every row is
covered for every role (see :func:`test_every_row_and_role_is_covered`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

import accsyn
from accsyn import Session
from accsyn.emulator import LocalWorkspace

#: protocol.md §6.5 (from the accsyn datatypes docs), copied verbatim.
ROLE_TABLE: dict[str, dict[str, str]] = {
    "User": {
        "admin": "read/write",
        "employee": "read/write: self + standard users",
        "standard": "read/write: self only",
    },
    "Workspace, Queue, Site, Server": {
        "admin": "read/write",
        "employee": "read only",
        "standard": "none",
    },
    "Transfer, Task": {
        "admin": "read/write",
        "employee": "read/write",
        "standard": "only if a party to the job",
    },
    "Delivery, Request, Stream": {
        "admin": "read/write",
        "employee": "read/write",
        "standard": "only as an explicit recipient",
    },
    "Folder, Collection, Home": {
        "admin": "read/write",
        "employee": "read; write except admin / other employees' homes",
        "standard": "own home + ACL-granted shares",
    },
    "Volume": {
        "admin": "read/write",
        "employee": "none via the volume entity (file access through granted ACLs)",
        "standard": "none",
    },
    "User server, Client, ACL": {
        "admin": "read/write",
        "employee": "read/write",
        "standard": "their own and standard users (read/write)",
    },
}
# Also from §6.5: "Reads without rights return empty results, not errors ([T]:
# get_entity("Delivery", id) returns None for an employee without access). Writes
# without permission return message errors." The issue adds: employees reach volume
# files only through ACLs, and an ACL's path scopes it.

OK, EMPTY, DENIED = "ok", "empty", "denied"


@dataclass
class World:
    ws: LocalWorkspace
    sessions: dict[str, Session]
    #: name -> (entity type, id)
    ids: dict[str, tuple[str, str]] = field(default_factory=dict)


@pytest.fixture(scope="module")
def world() -> Iterator[World]:
    with LocalWorkspace(seed="demo", transfers=20) as ws:
        roles = ("admin", "employee", "standard")
        w = World(ws, {r: ws.session(role=r) for r in roles})
        a, e, s = (w.sessions[r] for r in roles)

        def one(et: str, query: str) -> str:
            hit = a.find_one(f"{et} WHERE {query}", raw=True)
            assert hit is not None, (et, query)
            return str(hit["id"])

        for name in ("admin", "employee", "standard", "lisa", "john"):
            email = "vendor@partner.example" if name == "vendor" else f"{name}@example.com"
            w.ids[f"user:{name}"] = ("user", one("user", f"code='{email}'"))
        w.ids["workspace"] = ("workspace", str(a.find("workspace", raw=True)[0]["id"]))
        w.ids["queue"] = ("queue", one("queue", "code='medium'"))
        w.ids["site"] = ("site", one("site", "code='hq'"))
        w.ids["server"] = ("server", one("server", "code='fileserver01'"))
        w.ids["volume"] = ("volume", one("volume", "code='projects'"))
        w.ids["client:employee"] = ("app", one("app", "code='workstation-7'"))
        for code in ("shared_folder", "outsource"):
            w.ids[f"folder:{code}"] = ("folder", one("folder", f"code='{code}'"))
        private = a.create("folder", {"name": "private"}, raw=True, validate=False)
        w.ids["folder:private"] = ("folder", private["id"])
        coll = a.create("collection", {"name": "picks"}, raw=True, validate=False)
        w.ids["collection"] = ("collection", coll["id"])
        for name in ("standard", "lisa"):
            w.ids[f"home:{name}"] = ("home", one("home", f"user='{w.ids[f'user:{name}'][1]}'"))
        for name in ("admin", "john"):
            h = a.create("home", {"user": f"{name}@example.com"}, raw=True, validate=False)
            w.ids[f"home:{name}"] = ("home", h["id"])
        # Transfers: one the standard user is no party to, one of their own (an upload).
        t = a.create(
            "transfer",
            {"source": "demo/README.txt", "destination": "lisa@example.com:/tmp/"},
            raw=True,
            validate=False,
        )
        w.ids["transfer:admin"] = ("transfer", t["id"])
        t = s.create(
            "transfer",
            {"source": "standard@example.com:/tmp/a.txt", "destination": "folder=shared_folder/"},
            raw=True,
            validate=False,
        )
        w.ids["transfer:standard"] = ("transfer", t["id"])
        # Deliveries: the admin's (files on the volume, for Lisa), one for the standard
        # user, the employee's own (files in a folder), and an admin request.
        for name, recipient in (("admin", "lisa"), ("for-standard", "standard")):
            d = a.create(
                "delivery",
                {
                    "name": f"{name} delivery",
                    "tasks": ["demo/README.txt"],
                    "recipients": [f"{recipient}@example.com"],
                },
                raw=True,
                validate=False,
            )
            w.ids[f"delivery:{name}"] = ("delivery", d["id"])
        d = e.create(
            "delivery",
            {"name": "employee delivery", "tasks": ["folder=shared_folder/brief.pdf"]},
            raw=True,
            validate=False,
        )
        w.ids["delivery:employee"] = ("delivery", d["id"])
        r = a.create("request", {"name": "admin request"}, raw=True, validate=False)
        w.ids["request:admin"] = ("request", r["id"])
        # ACLs: the seeded ones of the standard user and the vendor (standard), and
        # one for John (employee). The employee may read DOWNLOAD and write UPLOAD.
        std_id, vendor = w.ids["user:standard"][1], one("user", "code='vendor@partner.example'")
        w.ids["acl:standard"] = ("acl", one("acl", f"entity=user:{std_id}"))
        w.ids["acl:vendor"] = ("acl", one("acl", f"entity=user:{vendor}"))
        john = a.acl.grant("user", "john@example.com", "folder", private["id"], {"read": True})
        w.ids["acl:john"] = ("acl", john["id"])
        spare = a.acl.grant("user", "lisa@example.com", "folder", private["id"], {"read": True})
        w.ids["acl:to revoke"] = ("acl", spare["id"])  # only the revoke case uses it
        a.files.mkdir("DOWNLOAD")
        a.files.mkdir("UPLOAD")
        vol = w.ids["volume"][1]
        grant = a.acl.grant
        grant("user", "employee@example.com", "volume", vol, {"read": True, "path": "/DOWNLOAD"})
        grant("user", "employee@example.com", "volume", vol, {"write": True, "path": "/UPLOAD"})
        yield w


# --- operations: (session, world, target) -> result (reads: the entity or None) --------


def _read(s: Session, w: World, t: str) -> Any:
    et, ident = w.ids[t]
    got = s.get_entity(et, ident, raw=True)
    listed = ident in {x["id"] for x in s.find(et, raw=True)}
    assert (got is not None) == listed, "get_entity and find disagree"
    return got


def _write(s: Session, w: World, t: str) -> Any:
    et, ident = w.ids[t]
    return s.update(et, ident, {"description": "changed"}, raw=True, validate=False)


def _read_tasks(s: Session, w: World, t: str) -> Any:
    return s.find("task", entityid=w.ids[t][1], raw=True)


def _write_tasks(s: Session, w: World, t: str) -> Any:
    job = w.ids[t][1]
    tasks = w.sessions["admin"].find("task", entityid=job, raw=True)
    return s.update_many("task", job, [{"id": tasks[0]["id"], "priority": 100}], validate=False)


def _abort(s: Session, w: World, t: str) -> Any:
    et, ident = w.ids[t]
    return s.update(et, ident, {"status": "aborted"}, raw=True, validate=False)


def _delete(s: Session, w: World, t: str) -> Any:
    et, ident = w.ids[t]
    return s.delete_one(et, ident)


def _grant(s: Session, w: World, t: str) -> Any:
    et, ident = w.ids[t]
    return s.acl.grant("user", "lisa@example.com", et, ident, {"read": True})


def _revoke(s: Session, w: World, t: str) -> Any:
    acl = w.sessions["admin"].get_entity("acl", w.ids[t][1], raw=True)
    assert acl is not None
    user, share = acl["entity"].split(":")[1], acl["target"].split(":")[1]
    et = w.sessions["admin"].find_one(f"folder WHERE id={share}", raw=True)
    return s.acl.revoke("user", user, "folder" if et else "volume", share)


def _create(et: str, data: Callable[[Session], dict[str, Any]]) -> Callable[..., Any]:
    def run(s: Session, w: World, t: str) -> Any:
        return s.create(et, data(s), raw=True, validate=False)

    return run


def _ls(s: Session, w: World, path: str) -> Any:
    return s.files.ls(path)


def _mkdir(s: Session, w: World, path: str) -> Any:
    return s.files.mkdir(path)


def _upload_to(s: Session, w: World, path: str) -> Any:
    src = f"{s.username}:/tmp/upload.txt"
    return s.create("transfer", {"source": src, "destination": path}, raw=True, validate=False)


def _attach(s: Session, w: World, t: str) -> Any:
    data = {"source": f"{s.username}:/tmp/x.txt", "destination": "lisa@example.com:/tmp/"}
    return s.create("transfer", {**data, "parent": w.ids[t][1]}, raw=True, validate=False)


def _email(s: Session) -> str:
    return f"new-by-{s.role}@example.com"


OPS: dict[str, Callable[[Session, World, str], Any]] = {
    "read": _read,
    "write": _write,
    "abort": _abort,
    "delete": _delete,
    "grant": _grant,
    "revoke": _revoke,
    "read tasks": _read_tasks,
    "write tasks": _write_tasks,
    "ls": _ls,
    "mkdir": _mkdir,
    "upload to": _upload_to,
    "attach transfer to": _attach,
    "create user": _create("user", lambda s: {"code": _email(s), "role": "standard"}),
    "create queue": _create("queue", lambda s: {"name": f"q-{s.role}"}),
    "create volume": _create("volume", lambda s: {"name": f"v-{s.role}"}),
    "create folder": _create("folder", lambda s: {"name": f"f-{s.role}"}),
    "create transfer": _create(
        "transfer",
        lambda s: {"source": "folder=shared_folder/brief.pdf", "destination": "lisa@example.com:/"},
    ),
    "create delivery of volume files": _create(
        "delivery", lambda s: {"name": f"d-{s.role}", "tasks": ["demo/README.txt"]}
    ),
    "create delivery of folder files": _create(
        "delivery", lambda s: {"name": f"d2-{s.role}", "tasks": ["folder=shared_folder/brief.pdf"]}
    ),
}

U, W, T, D, F, V, C = (
    "User",
    "Workspace, Queue, Site, Server",
    "Transfer, Task",
    "Delivery, Request, Stream",
    "Folder, Collection, Home",
    "Volume",
    "User server, Client, ACL",
)

#: (table row, role, operation, target, outcome)
CASES: list[tuple[str, str, str, str, str]] = [
    # User
    (U, "admin", "read", "user:john", OK),
    (U, "admin", "write", "user:john", OK),
    (U, "admin", "create user", "-", OK),
    (U, "employee", "read", "user:employee", OK),
    (U, "employee", "write", "user:employee", OK),
    (U, "employee", "read", "user:standard", OK),
    (U, "employee", "write", "user:lisa", OK),
    (U, "employee", "create user", "-", OK),
    (U, "employee", "read", "user:admin", EMPTY),
    (U, "employee", "write", "user:admin", DENIED),
    (U, "employee", "read", "user:john", EMPTY),
    (U, "employee", "write", "user:john", DENIED),
    (U, "standard", "read", "user:standard", OK),
    (U, "standard", "write", "user:standard", OK),
    (U, "standard", "read", "user:admin", EMPTY),
    (U, "standard", "read", "user:lisa", EMPTY),
    (U, "standard", "write", "user:lisa", DENIED),
    (U, "standard", "create user", "-", DENIED),
    # Workspace, Queue, Site, Server
    (W, "admin", "read", "server", OK),
    (W, "admin", "write", "queue", OK),
    (W, "admin", "create queue", "-", OK),
    *((W, "employee", "read", t, OK) for t in ("workspace", "queue", "site", "server")),
    *((W, "employee", "write", t, DENIED) for t in ("workspace", "queue", "site", "server")),
    (W, "employee", "create queue", "-", DENIED),
    *((W, "standard", "read", t, EMPTY) for t in ("workspace", "queue", "site", "server")),
    *((W, "standard", "write", t, DENIED) for t in ("queue", "site")),
    (W, "standard", "create queue", "-", DENIED),
    # Transfer, Task
    (T, "admin", "read", "transfer:standard", OK),
    (T, "admin", "write tasks", "transfer:standard", OK),
    (T, "employee", "read", "transfer:admin", OK),
    (T, "employee", "write", "transfer:admin", OK),
    (T, "employee", "read tasks", "transfer:admin", OK),
    (T, "employee", "write tasks", "transfer:admin", OK),
    (T, "employee", "create transfer", "-", OK),
    (T, "standard", "read", "transfer:standard", OK),
    (T, "standard", "write", "transfer:standard", OK),
    (T, "standard", "read tasks", "transfer:standard", OK),
    (T, "standard", "read", "transfer:admin", EMPTY),
    (T, "standard", "read tasks", "transfer:admin", EMPTY),
    (T, "standard", "write", "transfer:admin", DENIED),
    (T, "standard", "write tasks", "transfer:admin", DENIED),
    (T, "standard", "abort", "transfer:admin", DENIED),
    # transfer destinations are write-checked
    (T, "standard", "upload to", "folder=shared_folder/", OK),
    (T, "standard", "upload to", "folder=outsource/", DENIED),
    (T, "standard", "upload to", "demo/", DENIED),
    (T, "employee", "upload to", "DOWNLOAD/", DENIED),
    (T, "employee", "upload to", "UPLOAD/", OK),
    # Delivery, Request, Stream
    (D, "admin", "read", "delivery:employee", OK),
    (D, "admin", "write", "delivery:employee", OK),
    (D, "admin", "create delivery of volume files", "-", OK),
    (D, "employee", "read", "delivery:employee", OK),
    (D, "employee", "write", "delivery:employee", OK),
    (D, "employee", "grant", "delivery:employee", OK),
    (D, "employee", "create delivery of folder files", "-", OK),
    # ...but not the admin's deliveries of volume files the employee cannot read
    (D, "employee", "read", "delivery:admin", EMPTY),
    (D, "employee", "read", "request:admin", EMPTY),
    (D, "employee", "write", "delivery:admin", DENIED),
    (D, "employee", "grant", "delivery:admin", DENIED),
    (D, "employee", "abort", "delivery:admin", DENIED),
    (D, "employee", "delete", "delivery:admin", DENIED),
    (D, "employee", "create delivery of volume files", "-", DENIED),
    (D, "standard", "read", "delivery:for-standard", OK),
    (D, "standard", "read", "delivery:admin", EMPTY),
    (D, "standard", "read", "request:admin", EMPTY),
    (D, "standard", "write", "delivery:for-standard", DENIED),
    (D, "standard", "grant", "delivery:for-standard", DENIED),
    (D, "standard", "attach transfer to", "delivery:admin", DENIED),
    (D, "standard", "attach transfer to", "delivery:for-standard", DENIED),
    (D, "standard", "create delivery of folder files", "-", DENIED),
    # Folder, Collection, Home
    (F, "admin", "read", "home:john", OK),
    (F, "admin", "write", "folder:private", OK),
    (F, "admin", "mkdir", "folder=private/by-admin", OK),
    (F, "employee", "read", "folder:private", OK),
    (F, "employee", "read", "collection", OK),
    (F, "employee", "read", "home:admin", OK),
    (F, "employee", "write", "folder:private", OK),
    (F, "employee", "write", "collection", OK),
    (F, "employee", "write", "home:lisa", OK),
    (F, "employee", "write", "home:admin", DENIED),
    (F, "employee", "write", "home:john", DENIED),
    (F, "employee", "create folder", "-", OK),
    (F, "employee", "ls", "folder=private", OK),
    (F, "employee", "mkdir", "folder=private/by-employee", OK),
    (F, "standard", "read", "home:standard", OK),
    (F, "standard", "read", "folder:shared_folder", OK),
    (F, "standard", "read", "folder:private", EMPTY),
    (F, "standard", "read", "collection", EMPTY),
    (F, "standard", "read", "home:lisa", EMPTY),
    (F, "standard", "write", "folder:private", DENIED),
    (F, "standard", "write", "home:lisa", DENIED),
    (F, "standard", "create folder", "-", DENIED),
    (F, "standard", "mkdir", "~/by-standard", OK),
    (F, "standard", "ls", "folder=shared_folder", OK),
    (F, "standard", "ls", "shared", OK),  # the same files, as a volume path
    (F, "standard", "mkdir", "folder=shared_folder/by-standard", OK),
    # a write ACL on one folder does not allow mkdir in another
    (F, "standard", "mkdir", "folder=outsource/by-standard", DENIED),
    (F, "standard", "mkdir", "folder=private/by-standard", DENIED),
    (F, "standard", "ls", "folder=private", DENIED),
    (F, "standard", "ls", "home=lisa@example.com", DENIED),
    # Volume
    (V, "admin", "read", "volume", OK),
    (V, "admin", "write", "volume", OK),
    (V, "admin", "ls", "demo", OK),
    (V, "employee", "read", "volume", EMPTY),
    (V, "employee", "write", "volume", DENIED),
    (V, "employee", "create volume", "-", DENIED),
    (V, "employee", "grant", "volume", DENIED),
    (V, "employee", "ls", "demo", DENIED),
    (V, "employee", "mkdir", "demo/by-employee", DENIED),
    # file access through ACLs, each scoped to its path
    (V, "employee", "ls", "DOWNLOAD", OK),
    (V, "employee", "ls", "UPLOAD", DENIED),
    (V, "employee", "mkdir", "UPLOAD/by-employee", OK),
    (V, "employee", "mkdir", "DOWNLOAD/by-employee", DENIED),
    (V, "standard", "read", "volume", EMPTY),
    (V, "standard", "write", "volume", DENIED),
    (V, "standard", "ls", "demo", DENIED),
    # User server, Client, ACL
    (C, "admin", "read", "client:employee", OK),
    (C, "admin", "read", "acl:john", OK),
    (C, "employee", "read", "client:employee", OK),
    (C, "employee", "write", "client:employee", OK),
    (C, "employee", "read", "acl:standard", OK),
    (C, "employee", "read", "acl:john", OK),
    (C, "employee", "grant", "folder:private", OK),
    (C, "standard", "read", "acl:standard", OK),
    (C, "standard", "read", "acl:vendor", OK),
    (C, "standard", "read", "acl:john", EMPTY),
    (C, "standard", "read", "client:employee", EMPTY),
    (C, "standard", "write", "client:employee", DENIED),
    (C, "standard", "grant", "folder:shared_folder", DENIED),
    (C, "standard", "grant", "home:standard", OK),
    (C, "standard", "revoke", "acl:vendor", DENIED),  # a standard user's ACL, not their share
    (C, "employee", "revoke", "acl:to revoke", OK),
]


def _case_id(case: tuple[str, str, str, str, str]) -> str:
    row, role, op, target, outcome = case
    return f"{row.split(',')[0].split()[0].lower()}-{role}-{op}-{target}-{outcome}"


def test_every_row_and_role_is_covered() -> None:
    covered = {(row, role) for row, role, *_ in CASES}
    wanted = {(row, role) for row, roles in ROLE_TABLE.items() for role in roles}
    assert covered == wanted
    for row in ROLE_TABLE:  # every row has a refusal or an empty read for the lower roles
        assert any(c[0] == row and c[4] != OK for c in CASES)
    assert {c[2] for c in CASES} <= set(OPS)


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_role_table(world: World, case: tuple[str, str, str, str, str]) -> None:
    _row, role, op, target, outcome = case
    session = world.sessions[role]
    run = OPS[op]
    if outcome == DENIED:
        with pytest.raises(accsyn.PermissionDeniedError):
            run(session, world, target)
        return
    result = run(session, world, target)
    if op.startswith("read"):
        assert bool(result) is (outcome == OK), f"{role} {op} {target}: {result!r}"
    else:
        assert outcome == OK


def test_find_one_skips_a_deactivated_folder(world: World) -> None:
    admin = world.sessions["admin"]
    folder = admin.create("folder", {"name": "retired"}, raw=True, validate=False)
    assert admin.find_one("folder WHERE code='retired'", raw=True) is not None
    admin.deactivate_one("folder", folder["id"])
    assert admin.find_one("folder WHERE code='retired'", raw=True) is None
    found = admin.find("folder WHERE code='retired'", inactive=True, raw=True)
    assert [f["id"] for f in found] == [folder["id"]]
