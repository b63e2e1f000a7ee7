"""Lifecycle rules of protocol.md §6.3-§6.4 that reach past the entity changed.

A role change revokes the user's access; deactivating a share takes its ACLs out of
``access`` until it is activated again ([T]: "access() shows 1 ACL again"); a volume
deactivated or deleted takes the shares on it along; a deactivated user's home goes
with them; deleting a queue moves its jobs to the default queue. Each rule was missing:
the emulator kept granting access (or listing grants) the service has withdrawn.
"""

from __future__ import annotations

from typing import Any

from ._raw import Raw


def _one(raw: Raw, et: str, query: str) -> dict[str, Any]:
    status, body = raw("GET", f"{et}/find", {}, query=query)
    assert status == 200 and len(body["result"]) == 1, body
    row: dict[str, Any] = body["result"][0]
    return row


def _acls(raw: Raw, query: str) -> list[dict[str, Any]]:
    status, body = raw("GET", "acl/find", {}, query=query)
    assert status == 200, body
    rows: list[dict[str, Any]] = body["result"]
    return rows


def _user(raw: Raw, tag: str, role: str = "standard") -> dict[str, Any]:
    status, body = raw("POST", "user/create", {"code": f"{tag}@example.com", "role": role})
    assert status == 200, body
    user: dict[str, Any] = body["result"][0]
    return user


def _folder(raw: Raw, tag: str) -> dict[str, Any]:
    status, body = raw("POST", "folder/create", {"name": tag, "path": tag})
    assert status == 200, body
    folder: dict[str, Any] = body["result"][0]
    return folder


def _grant(raw: Raw, user: dict[str, Any], share: dict[str, Any]) -> None:
    data = {"entity": f"user:{user['id']}", "target": f"share:{share['id']}", "read": True}
    status, body = raw("POST", "acl/create", data)
    assert status == 200, body


def test_a_role_change_revokes_existing_access(raw: Raw) -> None:
    tag = f"promoted-{id(raw)}"
    user, folder = _user(raw, tag), _folder(raw, tag)
    _grant(raw, user, folder)
    assert len(_acls(raw, f"entity=user:{user['id']}")) == 1
    status, body = raw("PUT", "user/edit", {"role": "employee"}, id=user["id"])
    assert status == 200, body
    assert _acls(raw, f"entity=user:{user['id']}") == []
    assert _acls(raw, f"entity=user:{user['id']}") == []  # not merely hidden: gone
    status, body = raw("GET", "acl/find", {"inactive": True}, query=f"entity=user:{user['id']}")
    assert body["result"] == []


def test_a_deactivated_share_s_grants_wait_for_it(raw: Raw) -> None:
    tag = f"paused-share-{id(raw)}"
    user, folder = _user(raw, tag), _folder(raw, tag)
    _grant(raw, user, folder)
    query = f"acl WHERE target=share:{folder['id']}"
    assert len(_acls(raw, query)) == 1
    assert raw("DELETE", "folder/deactivate", {}, id=folder["id"]) == (200, {"result": True})
    assert _acls(raw, query) == []
    assert raw("POST", "folder/activate", {}, id=folder["id"]) == (200, {"result": True})
    assert len(_acls(raw, query)) == 1  # [T]: access() shows 1 ACL again


def test_a_deleted_share_s_grants_are_gone(raw: Raw) -> None:
    tag = f"deleted-share-{id(raw)}"
    user, folder = _user(raw, tag), _folder(raw, tag)
    _grant(raw, user, folder)
    assert raw("DELETE", "folder/delete", None, id=folder["id"]) == (200, {"result": True})
    query = f"acl WHERE target=share:{folder['id']}"
    assert _acls(raw, query) == []
    assert raw("GET", "acl/find", {"inactive": True}, query=query)[1]["result"] == []


def test_a_volume_takes_its_shares_along(raw: Raw) -> None:
    tag = f"vol-{id(raw) % 100000}"
    status, body = raw("POST", "volume/create", {"name": tag})
    assert status == 200, body
    volume = body["result"][0]
    status, body = raw("POST", "folder/create", {"name": f"{tag}-f", "parent": volume["id"]})
    assert status == 200, body
    folder = body["result"][0]
    user = _user(raw, tag)
    _grant(raw, user, folder)
    assert raw("DELETE", "volume/deactivate", {}, id=volume["id"]) == (200, {"result": True})
    # §6.4: "Deactivating a volume archives its descendant shares".
    assert raw("GET", "folder/find", {}, query=f"id={folder['id']}")[1]["result"] == []
    status, body = raw("GET", "folder/find", {"archived": True}, query=f"id={folder['id']}")
    assert [f["id"] for f in body["result"]] == [folder["id"]]
    assert _acls(raw, f"acl WHERE target=share:{folder['id']}") == []


def test_a_deactivated_user_s_home_goes_with_them(raw: Raw) -> None:
    tag = f"leaver-{id(raw)}"
    status, body = raw(
        "POST", "user/create", {"code": f"{tag}@example.com", "create_home_share": True}
    )
    assert status == 200, body
    user = body["result"][0]
    home = _one(raw, "home", f"user=user:{user['id']}")
    assert raw("DELETE", "user/deactivate", {}, id=user["id"]) == (200, {"result": True})
    assert raw("GET", "home/find", {}, query=f"id={home['id']}")[1]["result"] == []
    status, body = raw("GET", "home/find", {"inactive": True}, query=f"id={home['id']}")
    assert [h["id"] for h in body["result"]] == [home["id"]]
    assert raw("POST", "user/activate", {}, id=user["id"]) == (200, {"result": True})
    assert _one(raw, "home", f"id={home['id']}")["id"] == home["id"]


def test_deleting_a_queue_moves_its_jobs_to_the_default_queue(raw: Raw) -> None:
    status, body = raw("POST", "queue/create", {"name": f"doomed {id(raw)}"})
    assert status == 200, body
    queue = body["result"][0]
    job = {
        "source": "volume=projects/demo/README.txt",
        "destination": "lisa@example.com:/in/",
        "queue": queue["id"],
        "status": "paused",
    }
    status, body = raw("POST", "transfer/create", job)
    assert status == 200, body
    created = body["result"][0]
    assert created["parent"] == queue["id"]
    assert raw("DELETE", "queue/delete", None, id=queue["id"]) == (200, {"result": True})
    default = _one(raw, "queue", "default=true")
    moved = _one(raw, "transfer", f"id={created['id']}")
    assert moved["parent"] == default["id"] and moved["uri"] == default["uri"]
