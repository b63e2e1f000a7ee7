"""Deliveries end to end on the local workspace, and the virtual paths they share with collections.

The flows follow the official client's documented delivery workflow: a temporary
delivery receives uploads (``parent=<delivery id>``), is submitted once it has files
and a recipient, and recipients list and download it (``delivery=<id>`` paths).
"""

from __future__ import annotations

import os
from typing import Any

import pytest

import accsyn
from accsyn.emulator import LocalWorkspace

RECIPIENT = "standard@example.com"


@pytest.fixture
def ws():  # type: ignore[no-untyped-def]
    with LocalWorkspace(seed="demo", transfers=10) as w:
        yield w


def _names(listing: list[dict[str, Any]]) -> list[str]:
    return [e["filename"] for e in listing]


def test_a_temporary_delivery_counts_its_uploads_and_is_submitted(ws: LocalWorkspace) -> None:
    s = ws.session()
    d = s.create("delivery", {"name": "Project references temp"}, raw=True)
    assert d["status"] == "init"
    assert s.acl.grant("user", RECIPIENT, "delivery", d["id"]) is True
    with pytest.raises(accsyn.BadRequestError, match="at least one file"):
        s.update("delivery", d["id"], {"status": "pending"})
    up = s.create("transfer", {"parent": d["id"], "source": "demo/README.txt"}, raw=True)
    assert up["parent"] == d["id"] and up["size"] == 120
    # The upload lands in the delivery's own folder on the default volume...
    [task] = s.find("task", entityid=up["id"], raw=True)
    assert task["destination"]["path"].startswith("volume=projects/")
    assert d["id"] in task["destination"]["path"]
    # ...and is one of the delivery's files at once, so it can be submitted.
    files = s.find(f"task WHERE job.id={d['id']}", raw=True)
    assert [f["source"]["path"].rsplit("/", 1)[-1] for f in files] == ["README.txt"]
    assert s.update("delivery", d["id"], {"status": "pending"}, raw=True)["status"] == "pending"
    ws.clock.advance(2)
    assert s.get_entity("delivery", d["id"], raw=True)["status"] == "waiting"


def test_a_delivery_of_existing_files_lists_them_as_tasks_and_by_path(ws: LocalWorkspace) -> None:
    s = ws.session()
    d = s.create(
        "delivery",
        {"name": "Refs", "tasks": ["demo/README.txt", "demo/shot010"], "recipients": [RECIPIENT]},
        raw=True,
    )
    assert d["status"] == "pending"  # files and recipients: submitted at once
    tasks = s.find(f"task WHERE job.id={d['id']}", raw=True)
    assert sorted(t["source"]["path"] for t in tasks) == ["demo/README.txt", "demo/shot010"]
    assert {t["job"] for t in tasks} == {f"delivery:{d['id']}"}
    listing = s.files.ls(f"delivery={d['id']}")
    assert _names(listing) == ["README.txt", "shot010"]
    assert [(e["type"], e.get("size")) for e in listing] == [(1, 120), (0, None)]
    deep = s.files.ls(f"delivery={d['id']}", recursive=True)
    assert _names(deep[1]["files"]) == ["plate.0001.exr", "plate.0002.exr"]
    assert _names(s.files.ls(f"delivery={d['id']}/shot010")) == ["plate.0001.exr", "plate.0002.exr"]
    assert s.files.getsize(f"delivery={d['id']}") == 120 + 2 * 4352
    assert s.files.exists(f"delivery={d['id']}/README.txt") is True
    assert s.files.exists(f"delivery={d['id']}/nope.txt") is False
    # A delivery's files are read-only through its path.
    with pytest.raises(accsyn.PermissionDeniedError):
        s.files.mkdir(f"delivery={d['id']}/new")
    with pytest.raises(accsyn.NotFoundError):
        s.create("delivery", {"name": "Missing", "tasks": ["demo/nope.mov"]})


def test_recipients_read_and_download_a_submitted_delivery(ws: LocalWorkspace) -> None:
    admin = ws.session()
    d = admin.create("delivery", {"name": "For you", "tasks": ["demo/README.txt"]}, raw=True)
    admin.acl.grant("user", RECIPIENT, "delivery", d["id"])
    std = ws.session(role="standard")
    emp = ws.session(role="employee")
    # Not submitted yet: the recipient may see it but not download it.
    with pytest.raises(accsyn.BadRequestError, match="not submitted"):
        std.create("transfer", {"parent": d["id"], "destination": "/tmp/dl"}, raw=True)
    admin.update("delivery", d["id"], {"status": "pending"})
    ws.clock.advance(2)
    assert _names(std.files.ls(f"delivery={d['id']}")) == ["README.txt"]
    assert len(std.find(f"task WHERE job.id={d['id']}", raw=True)) == 1
    dl = std.create("transfer", {"parent": d["id"], "destination": "/tmp/dl"}, raw=True)
    assert dl["parent"] == d["id"] and dl["size"] == 120
    me = std.find_one(f"user WHERE code={RECIPIENT}", raw=True)
    assert me["id"] in dl["destination"] + dl["user"]
    [task] = std.find("task", entityid=dl["id"], raw=True)
    assert task["source"]["path"] == f"delivery={d['id']}/README.txt"
    assert task["destination"]["path"].endswith("/tmp/dl/")
    [rec] = admin.acl.access("delivery", d["id"])
    assert rec["actioned"] is True
    # Nobody else: an employee who cannot read the files sees nothing and gets nothing.
    assert emp.get_entity("delivery", d["id"], raw=True) is None
    assert emp.find(f"task WHERE job.id={d['id']}", raw=True) == []
    with pytest.raises(accsyn.PermissionDeniedError):
        emp.files.ls(f"delivery={d['id']}")
    with pytest.raises(accsyn.PermissionDeniedError):
        emp.create("transfer", {"parent": d["id"], "destination": "/tmp/x"}, raw=True)


def test_uploads_into_a_delivery_need_the_right_to_change_it(ws: LocalWorkspace) -> None:
    admin = ws.session()
    d = admin.create("delivery", {"name": "Admin only"}, raw=True)
    admin.acl.grant("user", RECIPIENT, "delivery", d["id"])
    std = ws.session(role="standard")
    with pytest.raises(accsyn.PermissionDeniedError):
        std.create("transfer", {"parent": d["id"], "source": f"{RECIPIENT}:/tmp/x.txt"})
    # An employee without write access to any volume cannot start a temporary delivery.
    with pytest.raises(accsyn.PermissionDeniedError, match="write access"):
        ws.session(role="employee").create("delivery", {"name": "No volume"})


def test_collections_list_their_files(ws: LocalWorkspace) -> None:
    s = ws.session()
    c = s.create(
        "collection",
        {"name": "Picks", "files": ["demo/README.txt", "folder=shared_folder/brief.pdf"]},
        raw=True,
    )
    files = s.find("file", entityid=c["id"], raw=True)
    assert sorted((f["filename"], f["size"]) for f in files) == [
        ("README.txt", 120),
        ("brief.pdf", 3072),
    ]
    for ident in (c["id"], c["code"]):
        assert _names(s.files.ls(f"collection={ident}")) == ["README.txt", "brief.pdf"]
    assert s.files.getsize(f"collection={c['code']}") == 120 + 3072
    added = s.create("file", {"files": ["demo/shot020/comp_v003.mov"]}, c["id"], raw=True)
    assert _names(s.files.ls(f"collection={c['id']}"))[-1] == "comp_v003.mov"
    s.delete_many("collection", c["id"], {"files": [added["id"]]})
    assert "comp_v003.mov" not in _names(s.files.ls(f"collection={c['id']}"))
    with pytest.raises(accsyn.NotFoundError):
        s.create("collection", {"name": "Bad", "files": ["demo/missing.mov"]})
    with pytest.raises(accsyn.PermissionDeniedError):
        s.files.delete(f"collection={c['id']}/README.txt")
    # Standard users without an ACL on the collection may not list it.
    with pytest.raises(accsyn.PermissionDeniedError):
        ws.session(role="standard").files.ls(f"collection={c['id']}")


def test_rename_takes_the_documented_full_target_path(ws: LocalWorkspace) -> None:
    s = ws.session()
    s.files.rename("volume=projects/demo/README.txt", "volume=projects/demo/README2.txt")
    assert "README2.txt" in _names(s.files.ls("demo"))
    s.files.rename("demo/README2.txt", "README3.txt")  # a bare new name still works
    assert "README3.txt" in _names(s.files.ls("demo"))
    with pytest.raises(accsyn.BadRequestError, match="use mv"):
        s.files.rename("demo/README3.txt", "demo/shot010/README3.txt")


def test_legacy_workarea_paths_and_new_folders(ws: LocalWorkspace) -> None:
    s = ws.session()
    assert _names(s.files.ls("workarea=projects/demo")) == _names(s.files.ls("demo"))
    assert _names(s.files.ls("workarea=shared_folder")) == ["brief.pdf"]
    folder = s.create("folder", {"name": "Drop", "path": "drop"}, raw=True)
    assert folder["email"] == ""
    ops = {"name": "Ops", "path": "ops", "email": "ops@example.com"}
    emailed = s.create("folder", ops, raw=True)
    assert emailed["email"] == "ops@example.com"


def test_a_temporary_delivery_with_bytes_from_the_senders_machine(ws: LocalWorkspace) -> None:
    """Upload from the sender's desktop into a delivery, submit, download on the recipient's."""
    payload = os.urandom(40_000)
    ws.client("admin@example.com").put("/home/admin/refs/ref.png", payload)
    admin = ws.session()
    d = admin.create("delivery", {"name": "Refs from my machine"}, raw=True)
    up = admin.create(
        "transfer", {"parent": d["id"], "source": "/home/admin/refs/ref.png"}, raw=True
    )
    assert up["size"] == len(payload) and up["source"].startswith("user:")
    ws.clock.advance(60)
    assert admin.get_entity("transfer", up["id"], raw=True)["status"] == "done"
    assert [(e["filename"], e["size"]) for e in admin.files.ls(f"delivery={d['id']}")] == [
        ("ref.png", len(payload))
    ]
    admin.acl.grant("user", RECIPIENT, "delivery", d["id"])
    admin.update("delivery", d["id"], {"status": "pending"})
    ws.clock.advance(2)
    std = ws.session(role="standard")
    down = std.create(
        "transfer", {"parent": d["id"], "destination": "C:/Users/standard/Downloads/"}, raw=True
    )
    ws.clock.advance(60)
    assert std.get_entity("transfer", down["id"], raw=True)["status"] == "done"
    assert ws.client(RECIPIENT).read("C:/Users/standard/Downloads/ref.png") == payload


def test_the_official_delivery_workflow_over_http(  # type: ignore[no-untyped-def]
    server, accsyn_clean_env, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The order of the official client's own delivery tests, refusals included."""
    from accsyn_api.session import AccsynException
    from accsyn_api.session import Session as Official

    from accsyn.emulator._clients import find_client

    monkeypatch.setenv("ACCSYN_PROXY", f"accsyn:127.0.0.1:{server.port}")

    def login(role: str) -> Official:
        return Official(
            workspace="demo",
            username=server.users[role],
            api_key=server.keys[role],
            timeout=30,
            connect_timeout=10,
        )

    admin, employee, standard = login("admin"), login("employee"), login("standard")
    find_client(server.backend, "admin@example.com").put("/home/admin/ref.png", b"png" * 1000)
    d = admin.create("Delivery", {"name": "Project references temp"})
    with pytest.raises(AccsynException):  # no files, no recipients
        admin.update("Delivery", d["id"], {"status": "pending"})
    with pytest.raises(AccsynException):  # an unknown user, and no invitation allowed
        admin.grant("User", "nobody@example.com", "Delivery", d["id"], {"invite": False})
    with pytest.raises(AccsynException):  # the employee may not write to any volume
        employee.create("Delivery", {"name": "Project references temp (EMP)"})
    assert employee.get_entity("Delivery", d["id"]) is None
    fields = admin.get_entity("Delivery", d["id"])
    assert {"name", "status", "public", "user"} <= set(fields)
    assert not {"data", "config", "tasks"} & set(fields)
    assert admin.grant("User", RECIPIENT, "Delivery", d["id"]) is True
    assert [r["user_hr"] for r in admin.access("Delivery", d["id"])] == [RECIPIENT]
    with pytest.raises(AccsynException):  # a recipient but still no files
        admin.update("Delivery", d["id"], {"status": "pending"})
    with pytest.raises(AccsynException):
        employee.grant("User", RECIPIENT, "Delivery", d["id"])
    upload = admin.create("Transfer", {"parent": d["id"], "source": "/home/admin/ref.png"})
    with pytest.raises(AccsynException):
        employee.create("Transfer", {"parent": d["id"], "source": "/home/employee/x.png"})
    server.backend.clock.advance(60)
    assert admin.get_entity("Transfer", upload["id"])["status"] == "done"
    submitted = admin.update("Delivery", d["id"], {"status": "pending"})
    assert submitted["status"] != "init"
    server.backend.clock.advance(2)
    assert admin.get_entity("Delivery", d["id"])["status"] == "waiting"
    with pytest.raises(AccsynException):  # a recipient does not add files
        standard.create("Transfer", {"parent": d["id"], "source": "/home/standard/x.png"})
    with pytest.raises(AccsynException):
        standard.grant("User", RECIPIENT, "Delivery", d["id"])
    with pytest.raises(AccsynException):
        standard.create("Delivery", {"name": "Project references temp (STA)"})
    for who in (employee, standard):
        with pytest.raises(AccsynException):
            who.update("Delivery", d["id"], {"status": "aborted"})
        with pytest.raises(AccsynException):
            who.delete_one("Delivery", d["id"])
    assert [e["filename"] for e in standard.ls(f"delivery={d['id']}")] == ["ref.png"]
    assert admin.update("Delivery", d["id"], {"status": "aborted"})["status"] == "aborted"
    assert admin.delete_one("Delivery", d["id"]) is True


def test_unknown_recipients_wait_for_the_submit_to_be_invited(ws: LocalWorkspace) -> None:
    s = ws.session()
    d = s.create("delivery", {"name": "For a newcomer", "tasks": ["demo/README.txt"]}, raw=True)
    assert s.acl.grant("user", "Newcomer@Studio.example", "delivery", d["id"]) is True
    # Pending while the delivery is init: the email, no user yet (3.4.0 revoke matches it).
    assert [(r["user"], r["user_hr"]) for r in s.acl.access("delivery", d["id"])] == [
        ("newcomer@studio.example", "newcomer@studio.example")
    ]
    assert s.find("user WHERE code=newcomer@studio.example", raw=True) == []
    s.update("delivery", d["id"], {"status": "pending"})
    [user] = s.find("user WHERE code=newcomer@studio.example", raw=True)
    assert user["role"] == "standard"
    assert [r["user"] for r in s.acl.access("delivery", d["id"])] == [user["id"]]
    # On a submitted delivery an unknown email is invited at once.
    later = s.acl.grant("user", "late@studio.example", "delivery", d["id"])
    assert later["user_hr"] == "late@studio.example" and later["user"] != "late@studio.example"
