"""Creates, settings and paging as the service answers them (§4.3, §6.3, §6.5).

A create from a client that checks nothing (the official client) must not store a
value no client can read back; a folder on a volume that does not exist is an error,
not the default volume; settings belong to an entity, readable and changeable as that
entity is (§6.5); ``limit: 0`` is no limit. Every case runs in-process and over HTTP.
"""

from __future__ import annotations

from typing import Any

import pytest

from ._raw import Raw

_TRANSFER = {"source": "volume=projects/demo/README.txt", "destination": "lisa@example.com:/in/"}


@pytest.mark.parametrize(
    ("et", "payload", "named"),
    [
        ("transfer", {**_TRANSFER, "name": 5}, "name"),
        ("transfer", {**_TRANSFER, "metadata": "x"}, "metadata"),
        ("transfer", {**_TRANSFER, "settings": {"speed": 1}}, "settings"),
        ("user", {"code": "kinds@example.com", "name": 5}, "name"),
        ("user", {"code": "kinds@example.com", "role": 5}, "role"),
        ("queue", {"name": "kinds", "metadata": ["x"]}, "metadata"),
        ("volume", {"name": "kinds", "paths": "x"}, "paths"),
        ("delivery", {"name": "kinds", "recipients": "lisa@example.com"}, "recipients"),
        ("task", {"tasks": [{"source": "x", "priority": "high"}]}, "priority"),
    ],
)
def test_a_create_value_of_the_wrong_kind_is_a_400(
    raw: Raw, et: str, payload: dict[str, Any], named: str
) -> None:
    fields: dict[str, Any] = {}
    if et == "task":
        status, body = raw("GET", "transfer/find", {"limit": 1})
        fields["id"] = body["result"][0]["id"]
    status, body = raw("POST", f"{et}/create", payload, **fields)
    assert status == 400, body
    assert named in body["message"] and "result" not in body


def test_a_create_still_ignores_keys_it_does_not_take(raw: Raw) -> None:
    # The choice where the spec is silent (docs/testing.md): a create reads its keys.
    status, body = raw("POST", "queue/create", {"name": f"lenient {id(raw)}", "nme": "x"})
    assert status == 200 and "nme" not in body["result"][0], body


def test_a_folder_on_a_volume_that_does_not_exist_is_a_404(raw: Raw) -> None:
    payload = {"name": f"astray {id(raw)}", "parent": "nosuch", "path": "astray"}
    status, body = raw("POST", "folder/create", payload)
    assert status == 404 and "nosuch" in body["message"], body
    status, body = raw("GET", "folder/find", {}, query=f"name='astray {id(raw)}'")
    assert body == {"result": []}
    # Without a parent: the default volume (§6.6, a bare relative path's volume).
    status, body = raw("POST", "folder/create", {"name": f"homeless {id(raw)}"})
    assert status == 200, body


def _setting(raw: Raw, method: str, et: str, ident: str | None, **data: Any) -> tuple[int, Any]:
    fields = {"id": ident} if ident else {}
    return raw(method, "setting", {"entitytype": et, **data}, **fields)


@pytest.mark.parametrize(
    ("role", "et", "outcome"),
    [
        ("admin", "workspace", 200),
        ("employee", "workspace", 403),  # §6.5: employees read the workspace only
        ("standard", "workspace", 403),
        ("employee", "queue", 403),
        ("employee", "transfer", 200),  # employees change transfers
    ],
)
def test_settings_are_changed_as_their_entity_is(
    raw: Raw, raw_as: Any, role: str, et: str, outcome: int
) -> None:
    ident = None
    if et != "workspace":
        ident = raw("GET", f"{et}/find", {"limit": 1})[1]["result"][0]["id"]
    caller: Raw = raw_as(role)
    status, body = _setting(caller, "PUT", et, ident, name="transfer_speedlimit", value="9")
    assert status == outcome, body
    status, body = _setting(caller, "DELETE", et, ident, name="transfer_speedlimit")
    assert status == outcome, body


def test_settings_are_read_as_their_entity_is(raw: Raw, raw_as: Any) -> None:
    assert _setting(raw, "PUT", "workspace", None, name="compute_avoid", value="disable")[0] == 200
    for role, seen in (("admin", "disable"), ("employee", "disable"), ("standard", None)):
        status, body = _setting(raw_as(role), "GET", "workspace", None, name="compute_avoid")
        assert (status, body["result"]) == (200, seen), role  # §6.5: empty, not an error


@pytest.mark.parametrize(
    ("et", "ident", "status"),
    [("nosuch", None, 404), ("queue", "000000000000000000000000", 404), ("queue", None, 400)],
)
def test_settings_of_nothing_are_refused(raw: Raw, et: str, ident: str | None, status: int) -> None:
    got, body = _setting(raw, "PUT", et, ident, name="x", value="1")
    assert got == status, body


def test_a_queue_s_settings_may_be_named_job_settings(raw: Raw) -> None:
    # §8 item 11: the official tests set a queue's settings with entity type "job".
    queue = raw("GET", "queue/find", {"limit": 1})[1]["result"][0]["id"]
    assert _setting(raw, "PUT", "job", queue, name="job_max_retries", value="3")[0] == 200
    assert _setting(raw, "GET", "job", queue, name="job_max_retries")[1]["result"] == "3"


def test_limit_zero_is_no_limit(raw: Raw) -> None:
    # The official client never sends a falsy limit; a MongoDB limit(0) is none.
    _, everything = raw("GET", "queue/find", {})
    status, body = raw("GET", "queue/find", {"limit": 0})
    assert status == 200 and body == everything and body["result"]


@pytest.mark.parametrize("value", ["yes", 1, {}])
def test_find_one_s_flag_is_a_boolean(raw: Raw, value: Any) -> None:
    # Like finished/inactive/archived (§4.6): it was read as false, answering all rows.
    status, body = raw("GET", "queue/find", {"single_entity_query": value})
    assert status == 400 and "single_entity_query" in body["message"], body
