"""The official accsyn-python-api client, unchanged, against the emulator over HTTP."""

from __future__ import annotations

from pathlib import Path

import pytest
from accsyn_api.session import AccsynException, Session


@pytest.fixture
def official(dev_server, accsyn_clean_env, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("AS_DEV", "1")

    def make(role: str = "admin") -> Session:
        return Session(
            workspace="demo",
            username=dev_server.users[role],
            api_key=dev_server.keys[role],
            timeout=30,
            connect_timeout=10,
        )

    return make


def test_scripted_workflow(official, dev_server) -> None:  # type: ignore[no-untyped-def]
    s = official("admin")

    # find with a nested query: the client lowercases it and sends a bare expression.
    rows = s.find(
        "Transfer WHERE ((user=Standard@Example.com AND status!=failed) OR "
        'name="* Backup") AND size>0',
        limit=50,
    )
    assert rows, "the demo workspace has matching transfers"
    for r in rows:
        assert r["status"] != "failed" or r["name"].lower().endswith(" backup")
        assert r["size"] > 0
    std_id = s.find_one("User WHERE code='standard@example.com'")["id"]
    assert any(r["user"] == f"user:{std_id}" for r in rows)

    admin = s.find_one("user WHERE code=admin@example.com")
    assert admin is not None and admin["role"] == "admin"

    # create a transfer from a real file on the default volume, and a user.
    job = s.create(
        "transfer",
        {
            "name": "official client upload",
            "source": "demo/README.txt",
            "destination": "standard@example.com:/tmp/",
        },
    )
    assert job["status"] == "init"
    assert job["size"] > 0
    assert job["user"] == f"user:{admin['id']}"
    user = s.create("user", {"code": "newbie@example.com", "role": "standard"})
    assert user["code"] == "newbie@example.com"
    # Over 100 KB the client sends the payload gzip+base64 as gz_data.
    big = s.create("user", {"code": "big@example.com", "description": "x" * 150_000})
    assert big["description"] == "x" * 150_000

    # update, then read back through the id form (get_entity).
    updated = s.update("transfer", job["id"], {"status": "paused"})
    assert updated["status"] == "paused"
    assert s.get_entity("transfer", job["id"])["status"] == "paused"

    assert s.delete_one("user", user["id"]) is True
    assert s.find("User WHERE code=newbie@example.com") == []

    types = s.find("entitytypes")
    assert "user" in types and "transfer" in types and len(types) > 2
    attrs = s.find("attributes WHERE entitytype=transfer")
    assert {"status", "source", "destination", "user"} <= set(attrs)
    delivery_attrs = s.find("attributes WHERE entitytype=delivery")
    assert {"code", "name", "public"} <= set(delivery_attrs)
    assert "data" not in delivery_attrs and "config" not in delivery_attrs

    # grant / access / revoke on a folder.
    folder = s.find_one("Folder WHERE name='Shared Folder'")
    acl = s.grant("user", "lisa@example.com", "folder", folder["id"], {"read": True, "write": True})
    assert acl["read"] is True and acl["write"] is True
    lisa = s.find_one("User WHERE code='lisa@example.com'")
    access = s.access("folder", folder["id"])
    mine = [a for a in access if a["user"] == lisa["id"]]
    assert len(mine) == 1 and mine[0]["write"] is True
    assert "lisa@example.com" in mine[0]["user_hr"]
    filtered = s.access("folder", folder["id"], "user", lisa["id"])
    assert [a["user"] for a in filtered] == [lisa["id"]]
    assert s.revoke("user", "lisa@example.com", "folder", folder["id"]) is True
    assert all(a["user"] != lisa["id"] for a in s.access("folder", folder["id"]))
    assert s.revoke("user", "lisa@example.com", "folder", folder["id"]) is False

    # workspace file operations on the real directory tree.
    assert s.mkdir("volume=projects/official/new_dir") is True
    listing = s.ls("volume=projects/official")
    assert [(e["filename"], e["type"]) for e in listing] == [("new_dir", 0)]
    assert s.exists("volume=projects/official/new_dir") is True
    assert s.exists("volume=projects/official/nope") is False
    names = {e["filename"] for e in s.ls("volume=projects/demo")}
    assert {"README.txt", "shot010", "shot020"} <= names


def test_roles_and_errors(official, dev_server) -> None:  # type: ignore[no-untyped-def]
    std = official("standard")
    me = std.find_one("User WHERE code=standard@example.com")
    assert me is not None
    # A standard user sees only transfers they are a party to, and no other users.
    for t in std.find("Transfer", limit=100):
        assert me["id"] in (t["user"] + t["source"] + t["destination"])
    assert std.find("User WHERE code=admin@example.com") == []
    assert std.find("Volume") == []
    with pytest.raises(AccsynException, match="Permission denied"):
        std.create("user", {"code": "sneaky@example.com"})
    with pytest.raises(AccsynException):
        Session(workspace="demo", username="admin@example.com", api_key="wrong", timeout=10)


def test_job_lifecycle_over_http(official, dev_server) -> None:  # type: ignore[no-untyped-def]
    s = official("admin")
    ok = s.create("transfer", {"source": "demo/README.txt", "destination": "hq:/tmp/x/"})
    bad = s.create("transfer", {"source": "demo/missing.mov", "destination": "hq:/tmp/x/"})
    dev_server.backend.clock.advance(60)
    assert s.get_entity("transfer", bad["id"])["status"] == "failed"
    done = s.get_entity("transfer", ok["id"])
    assert done["status"] == "done" and done["progress"] == 100
    assert s.find(f"Transfer WHERE id={ok['id']}") == []  # finished: out of the active scope
    assert s.find(f"Transfer WHERE id={ok['id']}", finished=True)[0]["status"] == "done"


def test_env_files_and_proxy_mode(server, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from accsyn.emulator._asgi import write_env_files

    monkeypatch.chdir(tmp_path)
    for var in ("AS_DEV", "ACCSYN_PROXY", "ACCSYN_WORKSPACE", "ACCSYN_API_USER", "ACCSYN_API_KEY"):
        monkeypatch.delenv(var, raising=False)
    paths = write_env_files(tmp_path, "demo", server.keys, server.users, server.host, server.port)
    assert sorted(p.name for p in paths) == [".env.admin", ".env.employee", ".env.standard"]
    text = (tmp_path / ".env.standard").read_text()
    assert f"ACCSYN_PROXY=accsyn:127.0.0.1:{server.port}" in text
    # The official client needs nothing else: master lookup and login go to the emulator.
    s = Session(path_envfile=str(tmp_path / ".env.standard"), timeout=30)
    assert [u["code"] for u in s.find("User")] == ["standard@example.com"]


def test_role_table_through_the_official_client(official) -> None:  # type: ignore[no-untyped-def]
    # protocol §6.5 [T]: get_entity("Delivery", id) is None for an employee without
    # access; a write without the right is a message error.
    admin, employee = official("admin"), official("employee")
    d = admin.create("Delivery", {"name": "peer check", "tasks": ["demo/README.txt"]})
    assert admin.get_entity("Delivery", d["id"])["id"] == d["id"]
    assert employee.get_entity("Delivery", d["id"]) is None
    with pytest.raises(AccsynException):
        employee.update("Delivery", d["id"], {"description": "x"})
