"""The emulator's caches never serve stale data.

The in-process path remembers an authenticated caller (with their user row), the
statements of repeated queries and the decoded JSON of rows a find reads. Each
test here changes what a cached value was derived from, then checks the very next
request already sees the change: a role, a deactivated user, a new API key, an
edited or deleted entity (through the API, and behind the API's back in SQL).
"""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import Iterator

import pytest

from accsyn import AuthenticationError
from accsyn.emulator import LocalWorkspace


@pytest.fixture
def ws() -> Iterator[LocalWorkspace]:
    with LocalWorkspace.fresh() as workspace:
        yield workspace


def _user_id(ws: LocalWorkspace, role: str) -> str:
    _, email, _ = ws.credentials(role)
    admin = ws.session("admin")
    user = admin.find_one(f"user WHERE code={email}")
    assert user is not None
    return str(user.id)


def test_a_role_change_applies_to_the_very_next_request(ws: LocalWorkspace) -> None:
    admin, employee = ws.session("admin"), ws.session("employee")
    uid = _user_id(ws, "employee")
    # Employees read the workspace entity; standard users read none of it.
    for _ in range(3):  # authenticated (and remembered) several times over
        assert len(employee.find("workspace")) == 1
    admin.update("user", uid, {"role": "standard"})
    assert employee.find("workspace") == []
    admin.update("user", uid, {"role": "employee"})
    assert len(employee.find("workspace")) == 1


def test_a_deactivated_user_is_refused_on_the_very_next_request(ws: LocalWorkspace) -> None:
    admin, employee = ws.session("admin"), ws.session("employee")
    uid = _user_id(ws, "employee")
    for _ in range(3):
        employee.find("queue")
    admin.deactivate_one("user", uid)
    with pytest.raises(AuthenticationError):
        employee.find("queue")
    admin.activate_one("user", uid)
    assert employee.find("queue")


def test_a_changed_api_key_is_refused_on_the_very_next_request(ws: LocalWorkspace) -> None:
    employee = ws.session("employee")
    _, email, _ = ws.credentials("employee")
    employee.find("queue")
    ws.backend.store.set_account(email, "a-new-key")
    with pytest.raises(AuthenticationError):
        employee.find("queue")


def test_a_role_changed_in_sql_applies_at_once(ws: LocalWorkspace) -> None:
    """A write straight to the database (not through the API) is seen too."""
    employee = ws.session("employee")
    uid = _user_id(ws, "employee")
    assert len(employee.find("workspace")) == 1
    store = ws.backend.store
    row = store.get(uid)
    assert row is not None
    data = dict(row.data, role="standard")
    store.conn.execute("UPDATE entity SET data=? WHERE id=?", (json.dumps(data), uid))
    assert employee.find("workspace") == []


def test_a_handler_changing_the_callers_row_leaves_the_remembered_one_alone(
    ws: LocalWorkspace,
) -> None:
    """Each request gets its own copy of the caller's row."""
    workspace, email, key = ws.credentials("employee")
    b64 = [base64.b64encode(v.encode()).decode() for v in (email, key)]
    headers = {"authorization": f"basic {b64[0]}:{b64[1]}", "x-accsyn-workspace": workspace}
    auth = ws.backend.auth
    first = auth.user(headers)
    first.data["role"] = "admin"  # as a handler might, before writing it back (or failing)
    assert auth.user(headers).data["role"] == "employee"
    assert auth.user(headers).data["role"] == "employee"


def test_a_write_is_seen_by_the_next_read_of_the_same_query(ws: LocalWorkspace) -> None:
    s = ws.session("admin")
    query = "queue WHERE code=high"
    before = s.find(query)
    assert len(before) == 1
    s.find(query)  # the query's statement and row decoding are now cached
    s.update("queue", str(before[0].id), {"description": "edited"})
    assert [q.description for q in s.find(query)] == ["edited"]
    s.delete_one("queue", str(before[0].id))
    assert s.find(query) == []


def test_a_row_changed_in_sql_is_read_anew(ws: LocalWorkspace) -> None:
    s = ws.session("admin")
    query = "queue WHERE code=high"
    (queue,) = s.find(query)
    s.find(query)
    store = ws.backend.store
    row = store.get(str(queue.id))
    assert row is not None
    data = dict(row.data, description="behind the API's back")
    store.conn.execute("UPDATE entity SET data=? WHERE id=?", (json.dumps(data), row.id))
    assert [q.description for q in s.find(query)] == ["behind the API's back"]


def test_a_write_is_seen_by_the_next_async_read(ws: LocalWorkspace) -> None:
    async def main() -> None:
        async with ws.async_session("admin") as s:
            query = "queue WHERE code=high"
            (queue,) = await s.find(query)
            await s.find(query)
            await s.update("queue", str(queue.id), {"description": "async edit"})
            assert [q.description for q in await s.find(query)] == ["async edit"]
            created = await s.create("queue", {"code": "fresh"})
            assert [q.id for q in await s.find("queue WHERE code=fresh")] == [created.id]

    asyncio.run(main())


def test_rows_read_by_a_find_are_not_changed_by_its_answer(ws: LocalWorkspace) -> None:
    """Two finds of the same rows answer equal values, whatever the caller does with the first."""
    s = ws.session("admin")
    first = s.find("queue WHERE code=high", raw=True)
    first[0]["description"] = "changed by the caller"
    second = s.find("queue WHERE code=high", raw=True)
    assert second[0]["description"] != "changed by the caller"


def test_a_rendered_expression_is_never_answered_for_another() -> None:
    # statement() remembers the text of each expression object it rendered. Many
    # short-lived expressions (ids reused by CPython) and more than the cache holds
    # must each still render as themselves.
    from accsyn._requests import _RENDERED_MAX, statement
    from accsyn.query import Comparison, Op, Query, parse

    for i in range(_RENDERED_MAX + 50):
        # Built and dropped at once: the next one often gets the same id.
        query = Query("queue", Comparison("code", Op.EQ, f"q{i}"))
        assert statement(query) == ("queue", f"code=q{i}")
        del query
    kept = parse("queue WHERE code=high AND priority>1")
    for _ in range(3):
        assert statement(kept) == ("queue", "code=high AND priority>1")
    assert statement(parse("queue")) == ("queue", None)


def test_a_type_name_follows_the_models_when_they_change(monkeypatch: pytest.MonkeyPatch) -> None:
    # resolve() remembers which entity type a uri's type name means, for the models
    # as registered when it read them; new models (another Facts) must be read anew.
    import dataclasses

    from accsyn.emulator import _routes
    from accsyn.emulator._protocol import ApiError
    from accsyn.emulator._schema import facts

    assert _routes.resolve("Queue/find")[1:] == ("queue", "queue")
    assert _routes.resolve("queue/find")[1:] == ("queue", "queue")
    with pytest.raises(ApiError):
        _routes.resolve("widget/find")
    now = facts()
    renamed = dataclasses.replace(now, names={**now.names, "widget": "queue", "queue": "user"})
    monkeypatch.setattr(_routes, "facts", lambda: renamed)
    assert _routes.resolve("widget/find")[1:] == ("queue", "widget")
    assert _routes.resolve("Queue/find")[1:] == ("user", "queue")
    monkeypatch.undo()
    assert _routes.resolve("Queue/find")[1:] == ("queue", "queue")
    with pytest.raises(ApiError):
        _routes.resolve("widget/find")


def test_a_changed_email_no_longer_authenticates_after_any_write(ws: LocalWorkspace) -> None:
    """After a write, a remembered caller is re-read by id: their row must still be
    the user the e-mail names, or the full check (and its 401) decides."""
    employee = ws.session("employee")
    uid = _user_id(ws, "employee")
    employee.find("queue")
    store = ws.backend.store
    row = store.get(uid)
    assert row is not None
    row.data["code"] = "someone.else@example.com"  # read-only through the API
    store.update(row)
    with pytest.raises(AuthenticationError):
        employee.find("queue")


def test_another_users_write_keeps_a_caller_authenticated_with_fresh_data(
    ws: LocalWorkspace,
) -> None:
    admin, employee = ws.session("admin"), ws.session("employee")
    uid = _user_id(ws, "employee")
    assert len(employee.find("workspace")) == 1
    admin.create("queue", {"code": "unrelated"})  # a write: every cache starts over
    assert len(employee.find("workspace")) == 1
    admin.update("user", uid, {"role": "standard"})
    admin.create("queue", {"code": "unrelated2"})
    assert employee.find("workspace") == []  # re-read: the new role, not the remembered one


def test_a_renamed_workspace_refuses_the_old_workspace_header(ws: LocalWorkspace) -> None:
    employee = ws.session("employee")
    employee.find("queue")
    ws.backend.store.conn.execute("UPDATE meta SET value=value WHERE key='workspace'")
    ws.backend.code = "renamed"
    with pytest.raises(AuthenticationError):
        employee.find("queue")
