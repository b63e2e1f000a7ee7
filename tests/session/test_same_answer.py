"""The same intent gives the same answer on every path (query side).

Each test here is a divergence a hostile or new user hit: one path answered (or
answered wrongly) where another raised, or two paths raised different errors for
the same mistake. Every path must now fail alike, with a typed ``accsyn`` error
naming what was wrong and the nearest valid choice.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from typing import Any

import pytest

import accsyn
from accsyn.emulator import LocalWorkspace
from accsyn.models import SCHEMA, Task, Transfer
from accsyn.query import validate


@pytest.fixture(scope="module")
def ws() -> Iterator[LocalWorkspace]:
    with LocalWorkspace(seed="demo", transfers=40) as workspace:
        yield workspace


@pytest.fixture
def s(ws: LocalWorkspace) -> Iterator[accsyn.Session]:
    with ws.session(role="admin") as session:
        yield session


def _async(ws: LocalWorkspace, call: Callable[[accsyn.AsyncSession], Any]) -> Any:
    async def go() -> Any:
        async with ws.async_session(role="admin") as a:
            result = call(a)
            return await result if asyncio.iscoroutine(result) else result

    return asyncio.run(go())


# --------------------------------------------------------------------------------------
# The validation cache keyed a query by its equality, which ignores where each
# comparison came from and the text it was parsed from.
# --------------------------------------------------------------------------------------


def test_a_field_of_another_model_is_refused_after_the_same_plain_query(
    s: accsyn.Session,
) -> None:
    # status=failed (plain) validated first used to let Task.status through: the
    # select ran as a transfer query the user did not write.
    assert s.transfers.where(status="failed").all() is not None
    with pytest.raises(accsyn.QueryValidationError, match=r"task\.status is a field of task"):
        s.transfers.where(Task.status == "failed")


def test_a_plain_query_is_accepted_after_the_same_foreign_field_was_refused(
    s: accsyn.Session,
) -> None:
    with pytest.raises(accsyn.QueryValidationError):
        s.transfers.where(Task.status == "aborted")
    # The refusal of Task.status used to be replayed for the plain comparison.
    assert isinstance(s.transfers.where(status="aborted").all(), list)
    assert isinstance(s.find("transfer WHERE status=aborted"), list)


def test_each_text_gets_its_own_column(s: accsyn.Session) -> None:
    # Two texts of one query: the second used to be shown the first's text and column.
    with pytest.raises(accsyn.QueryValidationError):
        s.find("transfer WHERE status=faild")
    with pytest.raises(accsyn.QueryValidationError) as info:
        s.find("transfer      WHERE     status=faild")
    assert info.value.problems[0].column == len("transfer      WHERE     status=") + 1
    assert "transfer      WHERE     status=faild" in str(info.value)


# --------------------------------------------------------------------------------------
# A bare expression (no entity type) cannot be sent: one error on every path.
# --------------------------------------------------------------------------------------

BARE = "status=failed"

BARE_PATHS: dict[str, Callable[[accsyn.Session], Any]] = {
    "find": lambda s: s.find(BARE),
    "find validate=False": lambda s: s.find(BARE, validate=False),
    "find_one": lambda s: s.find_one(BARE),
    "query": lambda s: s.query(BARE),
    "query validate=False": lambda s: s.query(BARE, validate=False),
    "report": lambda s: s.report(BARE),
    "metrics": lambda s: s.metrics(BARE),
    "validate": lambda s: validate(BARE, SCHEMA),
}


@pytest.mark.parametrize("path", BARE_PATHS)
def test_a_bare_expression_fails_alike_on_every_path(s: accsyn.Session, path: str) -> None:
    with pytest.raises(accsyn.QueryValidationError, match="names no entity type") as info:
        BARE_PATHS[path](s)
    # It names the statement to write and the types the expression fits.
    assert "'<entitytype> WHERE status=failed' with one of: " in str(info.value)
    assert "transfer" in str(info.value)
    assert info.value.problems[0].column == 1
    # Still the ValidationError find raised for it before the paths agreed.
    assert isinstance(info.value, accsyn.ValidationError)


@pytest.mark.parametrize("call", ["find", "find_one", "query"])
def test_a_bare_expression_fails_alike_async(ws: LocalWorkspace, call: str) -> None:
    with pytest.raises(accsyn.QueryValidationError, match="names no entity type"):
        _async(ws, lambda a: getattr(a, call)(BARE))


def test_a_bare_expression_that_fits_one_type_suggests_the_statement() -> None:
    with pytest.raises(accsyn.QueryValidationError) as info:
        validate("stauts=failed AND user=x@example.com AND progress>3", SCHEMA)
    assert info.value.problems[0].suggestion is None  # fits no type: nothing to suggest
    with pytest.raises(accsyn.QueryValidationError) as info:
        validate("expires>2026-01-01 AND status=init", SCHEMA)
    fits = info.value.problems[0].suggestion
    assert fits == "delivery WHERE expires>2026-01-01 AND status=init"
    validate(fits, SCHEMA)  # the suggestion is itself valid


# --------------------------------------------------------------------------------------
# `entitytypes` / `attributes WHERE ...` list names: session.query() cannot page them.
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["entitytypes", "attributes WHERE entitytype=job"])
def test_query_of_a_names_statement_says_to_use_find(s: accsyn.Session, text: str) -> None:
    assert s.find(text)  # find answers the names
    # query() sent it as an entity type and the server answered 404.
    with pytest.raises(accsyn.ValidationError, match=r"use session\.find\("):
        s.query(text)


def test_async_query_of_a_names_statement_says_to_use_find(ws: LocalWorkspace) -> None:
    with pytest.raises(accsyn.ValidationError, match=r"use session\.find\("):
        _async(ws, lambda a: a.query("entitytypes"))


def test_builder_and_text_agree_on_a_transfer_query(s: accsyn.Session) -> None:
    built = s.transfers.where(Transfer.status == "failed").all()
    text = s.find("transfer WHERE status=failed")
    assert [t.id for t in built] == [t.id for t in text]
