"""Updates the service refuses are refused here too (protocol.md §4.3.2, §6.2, §6.3).

"A test double that says yes where the service says no is a bug": what the server
measures or fixes itself is read-only, values must be what the models (and §6.2's
status tables) allow, and a deleted entity is no longer changed. Every case runs
in-process and over HTTP against the same workspace.
"""

from __future__ import annotations

from typing import Any

import pytest

from ._raw import Raw


def _first(raw: Raw, et: str, query: str | None = None, **data: Any) -> dict[str, Any]:
    fields = {"query": query} if query else {}
    status, body = raw("GET", f"{et}/find", {"limit": 1, **data}, **fields)
    assert status == 200 and body["result"], body
    row: dict[str, Any] = body["result"][0]
    return row


def _entity(raw: Raw, et: str, ident: str) -> dict[str, Any]:
    status, body = raw("GET", f"{et}/find", {}, id=ident)
    assert status == 200, body
    row: dict[str, Any] = body["result"][0]
    return row


@pytest.mark.parametrize(
    ("et", "query", "attribute", "value"),
    [
        ("transfer", None, "progress", 50),
        ("transfer", None, "size", 5),
        ("transfer", None, "speed", 3.0),
        ("transfer", None, "modified", "2020-01-01T00:00:00"),
        ("transfer", None, "user", "user:000000000000000000000000"),
        ("transfer", None, "source", "workspace:000000000000000000000000"),
        ("transfer", None, "parent", "zzz"),
        ("client", None, "last_checkin", "2020-01-01T00:00:00"),
        ("client", None, "os", "solaris"),
        ("site", "code=hq", "main", False),
        ("folder", None, "parent", "bogus"),
        ("queue", None, "default", True),
        ("queue", None, "uri", "elsewhere"),
    ],
)
def test_what_the_server_keeps_is_read_only(
    raw: Raw, et: str, query: str | None, attribute: str, value: Any
) -> None:
    row = _first(raw, et, query)
    status, body = raw("PUT", f"{et}/edit", {attribute: value}, id=row["id"])
    assert status == 400, body
    assert f"'{attribute}'" in body["message"] and "read-only" in body["message"]
    assert "result" not in body
    assert _entity(raw, et, row["id"])[attribute] == row[attribute]


@pytest.mark.parametrize(
    ("et", "change", "named"),
    [
        ("transfer", {"status": "running"}, "status"),  # §6.2: running is not writable
        ("transfer", {"status": 5}, "status"),
        ("transfer", {"name": ""}, "name"),
        ("transfer", {"name": 5}, "name"),
        ("transfer", {"settings": {"a": 1}}, "settings"),  # settings are strings (§6.3)
        ("queue", {"priority": 5000}, "priority"),  # 0..1000 (§6.2)
        ("user", {"status": "bogus"}, "status"),
        ("folder", {"status": "bogus"}, "status"),
        ("folder", {"status": "offline"}, "status"),  # system-set (§6.2)
        ("site", {"status": "paused"}, "status"),
        ("engine", {"status": "gone"}, "status"),
    ],
)
def test_values_are_what_the_models_allow(
    raw: Raw, et: str, change: dict[str, Any], named: str
) -> None:
    row = _first(raw, et)
    status, body = raw("PUT", f"{et}/edit", change, id=row["id"])
    assert status == 400, body
    assert named in body["message"]
    assert _entity(raw, et, row["id"]).get(named) == row.get(named)


def test_writable_values_still_change(raw: Raw) -> None:
    folder = _first(raw, "folder", "name='Outsource'")
    for value in ("disabled", "enabled"):
        status, body = raw("PUT", "folder/edit", {"status": value}, id=folder["id"])
        assert status == 200 and body["result"][0]["status"] == value, body
    job = _first(raw, "transfer")
    status, body = raw("PUT", "transfer/edit", {"description": "checked"}, id=job["id"])
    assert status == 200 and body["result"][0]["description"] == "checked", body


def _client(raw: Raw, status: str) -> dict[str, Any]:
    """A client in ``status`` (the seeded app, moved there through the store)."""
    row = _first(raw, "app")
    stored = raw.backend.store.get(row["id"])
    assert stored is not None
    stored.data["status"] = status
    raw.backend.store.update(stored)
    return row


@pytest.mark.parametrize(
    ("before", "wanted", "after"),
    [
        ("disabled", "online", "online"),
        ("disabled", "enabled", "online"),  # the docs' spelling of enabling
        ("disabled-offline", "enabled", "offline"),
        ("online", "disabled", "disabled"),
        ("offline", "disabled", "disabled-offline"),
        ("online", "online", None),  # online only from disabled
        ("offline", "enabled", None),
        ("disabled", "disabled", None),  # disabled only from a non-disabled state
        ("online", "offline", None),  # system-set
        ("online", "init", None),
    ],
)
def test_client_states_follow_the_spec(
    raw: Raw, before: str, wanted: str, after: str | None
) -> None:
    row = _client(raw, before)
    status, body = raw("PUT", "client/edit", {"status": wanted}, id=row["id"])
    if after is None:
        assert status == 400, body
        assert _entity(raw, "client", row["id"])["status"] == before
    else:
        assert status == 200, body
        assert body["result"][0]["status"] == after


def test_a_task_changes_only_status_priority_and_metadata(raw: Raw) -> None:
    job = _first(raw, "transfer")
    status, body = raw("GET", "task/find", {}, id=job["id"])
    task = body["result"][0]
    for change in ({"status": "bogus"}, {"status": "executing"}, {"priority": "x"}):
        status, body = raw("PUT", "task/edit", [{"id": task["id"], **change}], id=job["id"])
        assert status == 400, (change, body)
        status, body = raw("PUT", "task/edit", change, id=task["id"])
        assert status == 400, (change, body)
    for change in ({"size": 1}, {"source": {"path": "/etc"}}):
        status, body = raw("PUT", "task/edit", [{"id": task["id"], **change}], id=job["id"])
        assert status == 400 and "read-only" in body["message"], body
    status, body = raw("PUT", "task/edit", [], id=job["id"])  # update_many: non-empty (§4.6)
    assert status == 400, body
    status, body = raw("PUT", "task/edit", [{"id": task["id"], "priority": 7}], id=job["id"])
    assert status == 200 and body["result"][0]["priority"] == 7, body


def test_a_deleted_entity_is_found_by_id_but_no_longer_changed(raw: Raw) -> None:
    status, body = raw("POST", "queue/create", {"name": f"gone-{id(raw)}"})
    assert status == 200, body
    qid = body["result"][0]["id"]
    assert raw("DELETE", "queue/delete", None, id=qid) == (200, {"result": True})
    for method, op, data in (
        ("PUT", "edit", {"priority": 3}),
        ("DELETE", "delete", None),
        ("DELETE", "deactivate", {}),
        ("POST", "activate", {}),
    ):
        status, body = raw(method, f"queue/{op}", data, id=qid)
        assert status == 404, (op, body)
    # get_entity finds an entity in any state (§4.3.1), unchanged.
    assert _entity(raw, "queue", qid)["priority"] == 500


def test_attributes_for_update_lists_what_edit_takes(raw: Raw) -> None:
    for et, kept in (("delivery", "progress"), ("client", "last_checkin"), ("site", "main")):
        status, body = raw("GET", "attributes", {"entitytype": et, "update": True})
        assert status == 200 and kept not in body["result"], (et, body)
