"""Grants the service refuses (protocol.md §4.4, §6.4, §6.5), refused before any side effect.

A grant on a deactivated share would be live at once while the share's other ACLs
wait for it; a grant to a deactivated user was taken for an invite of a new one (a
409 "already exists"); and a grant refused for want of rights had already invited
(created) the user it named.
"""

from __future__ import annotations

from typing import Any

import pytest

from ._raw import Raw


def _folder(raw: Raw, tag: str) -> dict[str, Any]:
    status, body = raw("POST", "folder/create", {"name": tag, "path": tag})
    assert status == 200, body
    folder: dict[str, Any] = body["result"][0]
    return folder


def _grant(raw: Raw, entity: str, share_id: str) -> tuple[int, Any]:
    data = {"entity": entity, "target": f"share:{share_id}", "read": True}
    return raw("POST", "acl/create", data)


def test_no_grant_on_a_deactivated_share(raw: Raw) -> None:
    folder = _folder(raw, f"dormant-{id(raw)}")
    assert raw("DELETE", "folder/deactivate", {}, id=folder["id"])[0] == 200
    status, body = _grant(raw, "user:standard@example.com", folder["id"])
    assert status == 400 and "deactivated" in body["message"], body
    assert raw("POST", "folder/activate", {}, id=folder["id"])[0] == 200
    assert _grant(raw, "user:standard@example.com", folder["id"])[0] == 200


def test_no_grant_to_a_deactivated_user(raw: Raw) -> None:
    code = f"away-{id(raw)}@example.com"
    status, body = raw("POST", "user/create", {"code": code})
    assert status == 200, body
    user = body["result"][0]
    folder = _folder(raw, f"for-away-{id(raw)}")
    assert raw("DELETE", "user/deactivate", {}, id=user["id"])[0] == 200
    for entity in (f"user:{code}", f"user:{user['id']}"):
        status, body = _grant(raw, entity, folder["id"])
        assert status == 400 and "deactivated" in body["message"], (entity, body)


def test_a_refused_grant_invites_nobody(raw_as: Any) -> None:
    admin, employee = raw_as("admin"), raw_as("employee")
    volume = admin("GET", "volume/find", {"limit": 1})[1]["result"][0]
    code = "never-invited@example.com"
    status, body = _grant(employee, f"user:{code}", volume["id"])
    assert status == 403, body  # §6.5: employees do not grant on volumes
    status, body = admin("GET", "user/find", {}, query=f"code='{code}'")
    assert body["result"] == []


def test_a_deactivated_user_is_no_recipient(raw: Raw) -> None:
    code = f"gone-{id(raw)}@example.com"
    user = raw("POST", "user/create", {"code": code})[1]["result"][0]
    assert raw("DELETE", "user/deactivate", {}, id=user["id"])[0] == 200
    status, body = raw("POST", "delivery/create", {"name": f"for {code}"})
    assert status == 200, body
    delivery = body["result"][0]
    status, body = raw("PUT", "job/recipient/add", {"recipient": code}, id=delivery["id"])
    assert status == 400 and "deactivated" in body["message"], body
    assert raw("GET", "job/recipients", {}, id=delivery["id"])[1]["result"] == []


@pytest.mark.parametrize(
    ("flags", "named"),
    [
        ({"read": "false"}, "read"),  # bool("false") is True: it granted read access
        ({"read": True, "write": "no"}, "write"),
        ({"read": 1}, "read"),
        ({"read": False, "write": False}, "read"),  # §6.3: at least one of read/write
        ({"read": True, "path": 5}, "path"),
    ],
)
def test_grant_flags_are_booleans(raw: Raw, flags: dict[str, Any], named: str) -> None:
    folder = _folder(raw, f"flags-{id(raw)}-{len(str(flags))}-{named}")
    data = {"entity": "user:standard@example.com", "target": f"share:{folder['id']}", **flags}
    status, body = raw("POST", "acl/create", data)
    assert status == 400 and named in body["message"], body
    assert raw("GET", "acl/find", {}, query=f"acl WHERE target=share:{folder['id']}")[1] == {
        "result": []
    }
