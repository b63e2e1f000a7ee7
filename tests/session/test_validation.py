"""Validation on every path, one policy; and one read path that binds every entity.

Each example below was a silent wrong answer once (issue 11): a misspelt attribute
in a query string, a ``Query`` or a builder expression, an unknown projection, an
unknown create/update field. Each must now raise a typed error naming the nearest
valid name, on every path, sync and async; ``validate="off"`` / ``validate=False``
must restore the pass-through behaviour.
"""

from __future__ import annotations

import warnings
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

import accsyn
from accsyn.emulator import LocalWorkspace
from accsyn.models import Transfer


@pytest.fixture(scope="module")
def ws() -> Iterator[LocalWorkspace]:
    with LocalWorkspace(seed="demo") as workspace:
        yield workspace


@pytest.fixture
def s(ws: LocalWorkspace) -> Iterator[accsyn.Session]:
    with ws.session(role="admin") as session:
        yield session


@pytest.fixture
async def a(ws: LocalWorkspace) -> AsyncIterator[accsyn.AsyncSession]:
    async with ws.async_session(role="admin") as session:
        yield session


def _bad_status_query() -> Any:
    # A Query object whose attribute is misspelt (built without the model's checks).
    from accsyn.query import Comparison, Op, Query

    return Query("transfer", Comparison("stauts", Op.NE, "failed"))


# --------------------------------------------------------------------------------------
# Queries: string, Query, builder, repository — sync
# --------------------------------------------------------------------------------------

QUERY_PATHS = {
    "find string": lambda s: s.find("transfer WHERE stauts=failed"),
    "find Query": lambda s: s.find(_bad_status_query()),
    "find_one string": lambda s: s.find_one("transfer WHERE stauts=failed"),
    "repository where text": lambda s: s.transfers.where("stauts=failed"),
    "repository where Query": lambda s: s.transfers.where(_bad_status_query()),
    "repository equality": lambda s: s.transfers.where(stauts="failed"),
    "session.query": lambda s: s.query("transfer WHERE stauts=failed"),
    "metrics": lambda s: s.metrics("transfer WHERE stauts=failed"),
}


@pytest.mark.parametrize("path", QUERY_PATHS)
def test_misspelt_attribute_raises_with_suggestion(s: accsyn.Session, path: str) -> None:
    with pytest.raises(accsyn.QueryValidationError, match="did you mean 'status'") as info:
        QUERY_PATHS[path](s)
    assert "validate=False" in str(info.value)  # says how to bypass it


def test_misspelt_enum_value_in_a_built_query_raises(s: accsyn.Session) -> None:
    # Transfer.where(Transfer.status != "faild") used to match every transfer.
    with pytest.raises(accsyn.QueryValidationError, match="faild"):
        s.find(Transfer.where(Transfer.status != "faild"))
    with pytest.raises(accsyn.QueryValidationError, match="faild"):
        s.transfers.where(Transfer.status != "faild")


def test_unknown_projection_raises(s: accsyn.Session) -> None:
    with pytest.raises(accsyn.QueryValidationError, match="user has no attribute 'email'"):
        s.find("user", attributes=["email"])
    with pytest.raises(accsyn.QueryValidationError, match="no attribute 'email'"):
        s.users.select("email")


def test_unknown_create_field_raises_with_nearest(s: accsyn.Session) -> None:
    with pytest.raises(accsyn.ValidationError, match="'nme'; did you mean 'name'") as info:
        s.create("delivery", {"nme": "x"})
    assert info.value.field == "nme"
    assert "validate=False" in str(info.value)
    with pytest.raises(accsyn.ValidationError, match="did you mean 'name'"):
        s.deliveries.create(nme="x")


def test_unknown_update_field_raises_with_nearest(s: accsyn.Session) -> None:
    t = s.transfers.first()
    assert t is not None
    with pytest.raises(accsyn.ValidationError, match="'stauts'; did you mean 'status'"):
        s.transfers.update(t, stauts="paused")
    with pytest.raises(accsyn.ValidationError, match="did you mean 'status'"):
        s.update("transfer", t.id, {"stauts": "paused"})


def test_unknown_entity_type_raises_with_nearest(s: accsyn.Session) -> None:
    with pytest.raises(accsyn.ValidationError, match="did you mean 'transfer'"):
        s.get_entity("trnsfer", "0123456789abcdef01234567")
    with pytest.raises(accsyn.ValidationError, match="did you mean 'delivery'"):
        s.create("delivry", {"name": "x"})
    with pytest.raises(accsyn.QueryValidationError, match="did you mean 'transfer'"):
        s.find("trnsfer WHERE status=failed")


def test_off_restores_pass_through(ws: LocalWorkspace) -> None:
    with ws.session(role="admin", validate="off") as off:
        assert off.validation == "off"
        assert off.find("transfer WHERE stauts=failed") == []  # the server's answer
        assert off.transfers.where("stauts=failed").all() == []
        assert off.find(Transfer.where(Transfer.status != "faild"))


def test_per_call_false_restores_pass_through(s: accsyn.Session) -> None:
    assert s.find("transfer WHERE stauts=failed", validate=False) == []
    assert s.transfers.validate(False).where("stauts=failed").all() == []
    assert s.query("transfer WHERE stauts=failed", validate=False).all() == []
    created = s.create("delivery", {"name": "kept", "nme": "x"}, validate=False)
    assert created.name == "kept"


def test_warn_sends_after_warning(ws: LocalWorkspace) -> None:
    with (
        ws.session(role="admin", validate="warn") as warn,
        pytest.warns(UserWarning, match="did you mean 'status'"),
    ):
        assert warn.find("transfer WHERE stauts=failed") == []


def test_policy_argument_is_checked(ws: LocalWorkspace) -> None:
    with pytest.raises(accsyn.ValidationError, match="did you mean 'error'"):
        ws.session(role="admin", validate="eror")  # type: ignore[arg-type]


def test_valid_queries_still_pass(s: accsyn.Session) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert s.find("transfer WHERE status!=failed")
        assert s.transfers.where(Transfer.status != "failed").count() > 0
        assert s.find("entitytypes")


# --------------------------------------------------------------------------------------
# Async: the same paths
# --------------------------------------------------------------------------------------


async def test_async_paths_validate(a: accsyn.AsyncSession) -> None:
    with pytest.raises(accsyn.QueryValidationError, match="did you mean 'status'"):
        await a.find("transfer WHERE stauts=failed")
    with pytest.raises(accsyn.QueryValidationError, match="did you mean 'status'"):
        await a.find(_bad_status_query())
    with pytest.raises(accsyn.QueryValidationError, match="did you mean 'status'"):
        a.transfers.where("stauts=failed")
    with pytest.raises(accsyn.QueryValidationError, match="faild"):
        a.transfers.where(Transfer.status != "faild")
    with pytest.raises(accsyn.QueryValidationError, match="no attribute 'email'"):
        await a.find("user", attributes=["email"])
    with pytest.raises(accsyn.ValidationError, match="did you mean 'name'"):
        await a.create("delivery", {"nme": "x"})
    t = await a.transfers.first()
    assert t is not None
    with pytest.raises(accsyn.ValidationError, match="did you mean 'status'"):
        await a.transfers.update(t, stauts="paused")


async def test_async_false_restores_pass_through(a: accsyn.AsyncSession) -> None:
    assert await a.find("transfer WHERE stauts=failed", validate=False) == []
    assert await a.transfers.validate(False).where("stauts=failed").all() == []


# --------------------------------------------------------------------------------------
# One read path: every fetched entity is bound to its session
# --------------------------------------------------------------------------------------


def test_entities_save_however_they_were_fetched(s: accsyn.Session) -> None:
    by_find = s.find("transfer")[0]
    by_find_one = s.find_one(f"transfer WHERE id={by_find.id}")
    by_get = s.get_entity("transfer", by_find.id)
    by_query = s.query(f"transfer WHERE id={by_find.id}").first()
    by_repo = s.transfers.get(by_find.id)
    for i, entity in enumerate((by_find, by_find_one, by_get, by_query, by_repo)):
        entity.name = f"renamed {i}"
        entity.save()
        entity.refresh()
        assert entity.name == f"renamed {i}"


def test_save_refuses_a_field_nobody_has(s: accsyn.Session) -> None:
    t = s.find("transfer")[0]
    # Refused when assigned (the model names the field); nothing reaches save().
    with pytest.raises(accsyn.ValidationError, match="'prioriti'"):
        t.prioriti = 20
    assert t._accsyn_changes() == {}


async def test_async_entities_save_however_they_were_fetched(a: accsyn.AsyncSession) -> None:
    by_find = (await a.find("transfer"))[0]
    by_get = await a.get_entity("transfer", by_find.id)
    for i, entity in enumerate((by_find, by_get)):
        entity.name = f"async {i}"
        await entity.asave()
        await entity.arefresh()
        assert entity.name == f"async {i}"


def test_query_pages_a_statement_like_the_repositories(s: accsyn.Session) -> None:
    select = s.query("transfer WHERE status!=failed").page_size(3)
    pages = list(select.raw_pages())
    assert all(isinstance(row, dict) for page in pages for row in page)
    assert [r["id"] for p in pages for r in p] == [t.id for t in select]
    assert len(pages[0]) == 3


def test_payload_values_of_the_wrong_kind_are_refused_before_sending() -> None:
    # Each value is checked against its field's type (input model, else the entity's).
    import math

    with LocalWorkspace(seed="demo") as workspace, workspace.session() as session:
        cases = [
            ("queue", {"name": "q", "priority": "x"}, "priority"),
            ("queue", {"name": "q", "priority": math.nan}, "priority"),
            ("transfer", {"source": "volume=projects/a", "tasks": 5}, "tasks"),
        ]
        for entitytype, data, field in cases:
            with pytest.raises(accsyn.ValidationError) as caught:
                session.create(entitytype, data)
            assert caught.value.field == field
            assert "validate=False" in str(caught.value)
        [transfer] = session.transfers.limit(1).all()
        with pytest.raises(accsyn.ValidationError, match="size"):
            session.transfers.update(transfer, size="oops")  # type: ignore[call-arg]
        # The opt-out sends it anyway: the answer is the server's own refusal.
        with pytest.raises(accsyn.APIError):
            session.create("queue", {"name": "q2", "priority": "x"}, validate=False)


def test_update_takes_an_input_model() -> None:
    # The typed update model is accepted as the payload (it used to be refused).
    from accsyn.models import TransferUpdate

    with LocalWorkspace(seed="demo") as workspace, workspace.session() as session:
        [transfer] = session.transfers.limit(1).all()
        updated = session.transfers.update(transfer, TransferUpdate(name="renamed via model"))
        assert updated.name == "renamed via model"
        assert session.transfers.refresh(transfer).name == "renamed via model"


def test_a_bad_row_names_its_id_and_field_and_raw_reads_it() -> None:
    import httpx

    bad = {"id": "6645fbca9f8c4d3e7a3b678d", "size": "oops"}

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/login"):
            login = {"role": "admin", "id": "6645fbca9f8c4d3e7a3b678e", "session_id": "s"}
            return httpx.Response(200, json={"result": login})
        return httpx.Response(200, json={"result": [bad]})

    options: dict[str, Any] = {
        "workspace": "acme",
        "username": "admin@example.com",
        "api_key": "k" * 24,
        "base_url": "http://127.0.0.1:9",
        "transport": httpx.MockTransport(handler),
    }
    with accsyn.Session(**options) as session:
        with pytest.raises(accsyn.ValidationError) as caught:
            session.find("transfer")
        assert caught.value.field == "size"
        assert "6645fbca9f8c4d3e7a3b678d" in str(caught.value)
        assert "raw=True" in str(caught.value)
        assert session.find("transfer", raw=True) == [bad]


def test_json_nested_too_deeply_is_a_protocol_error() -> None:
    import httpx

    depth = 100_000
    deep = '{"result": [{"metadata": ' + '{"a": ' * depth + "1" + "}" * depth + "}]}"

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/login"):
            login = {"role": "admin", "id": "6645fbca9f8c4d3e7a3b678e", "session_id": "s"}
            return httpx.Response(200, json={"result": login})
        return httpx.Response(200, content=deep.encode())

    with (
        accsyn.Session(
            workspace="acme",
            username="admin@example.com",
            api_key="k" * 24,
            base_url="http://127.0.0.1:9",
            transport=httpx.MockTransport(handler),
            retry=None,
        ) as session,
        pytest.raises(accsyn.ProtocolError, match="nested too deeply"),
    ):
        session.find("transfer", raw=True)
