"""The same intent gives the same answer on every path (query side).

Each test here is a divergence a hostile or new user hit: one path answered (or
answered wrongly) where another raised, or two paths raised different errors for
the same mistake. Every path must now fail alike, with a typed ``accsyn`` error
naming what was wrong and the nearest valid choice.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest

import accsyn
from accsyn.emulator import LocalWorkspace
from accsyn.models import SCHEMA, Task, Transfer
from accsyn.query import validate


@pytest.fixture(scope="module")
def ws(fresh_ws: LocalWorkspace) -> LocalWorkspace:
    return fresh_ws


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


# --------------------------------------------------------------------------------------
# Queries that parse but mean something else (or cannot be sent): refused alike on the
# text paths, sync and async, by lint and by the CLI's check.
# --------------------------------------------------------------------------------------

#: query -> what the error must say. Each of these used to answer (mostly []) silently,
#: or crash with a builtin exception, on some path.
MISTAKES = {
    # A formatted Python None: compared with the text "None".
    "transfer WHERE name=None": "'name!=*' to match a missing name",
    "transfer WHERE user!=null": "the query language has none",
    "transfer WHERE finished=null": "'finished!=*' to match a missing finished",
    # Typographic quotes pasted from a document are part of a bare value.
    "transfer WHERE name=\u201cbackup\u201d": 'use straight quotes: name="backup"',
    # Alphabetical order of a text enum is not its lifecycle.
    "transfer WHERE status>failed": "'>' does not apply to status (enum)",
    # A text operator on a number: contains was refused, matches was not.
    "transfer WHERE size matches 5": "'matches' does not apply to size (int)",
    # A whole dict never equals text: metadata=x matched nothing.
    "transfer WHERE metadata=seagull": "compare one of its keys (metadata.<key>=seagull)",
    # A repeat count re cannot hold: OverflowError from re.compile on every path.
    'transfer WHERE name matches "a{99999999999}"': "the repetition number is too large",
}


def _lint_codes(text: str) -> list[str]:
    from accsyn.lint import lint_source

    return [f.code for f in lint_source(f"session.find({text!r})\n", "job.py").findings]


@pytest.mark.parametrize("text", MISTAKES)
def test_a_mistaken_query_is_refused_on_every_path(
    ws: LocalWorkspace, s: accsyn.Session, text: str
) -> None:
    said = MISTAKES[text]
    calls: dict[str, Callable[[], Any]] = {
        "validate": lambda: validate(text, SCHEMA),
        "find": lambda: s.find(text),
        "find_one": lambda: s.find_one(text),
        "query": lambda: s.query(text),
        "async find": lambda: _async(ws, lambda a: a.find(text)),
        "async query": lambda: _async(ws, lambda a: a.query(text)),
    }
    for path, call in calls.items():
        with pytest.raises(accsyn.QueryValidationError) as info:
            call()
        assert said in str(info.value), path
    assert _lint_codes(text), "lint passed a query the runtime refuses"


@pytest.mark.parametrize("text", [t for t in MISTAKES if "{" not in t])
def test_validate_false_sends_a_mistaken_query_unchanged(s: accsyn.Session, text: str) -> None:
    assert isinstance(s.find(text, validate=False), list)


def test_validate_false_sends_a_bad_regex_and_the_server_refuses_it(s: accsyn.Session) -> None:
    with pytest.raises(accsyn.BadRequestError, match="repetition number is too large"):
        s.find('transfer WHERE name matches "a{99999999999}"', validate=False)


@pytest.mark.parametrize(
    "text",
    [
        "user WHERE role=none",  # a real member of the Role enum
        "transfer WHERE name!=*",
        "transfer WHERE finished=*",
        "queue WHERE priority>5",  # ordering on a number
        "transfer WHERE metadata.project=seagull",  # a key of the object
        "transfer WHERE metadata contains seagull",
        'transfer WHERE name="\u201cquoted\u201d inside"',  # not wrapped
    ],
)
def test_what_looks_like_a_mistake_but_is_not_passes_everywhere(
    s: accsyn.Session, text: str
) -> None:
    validate(text, SCHEMA)
    assert isinstance(s.find(text), list)
    assert _lint_codes(text) == []


def test_none_in_the_builder_names_the_wildcard_forms(s: accsyn.Session) -> None:
    for build in (
        lambda: Transfer.name == None,  # noqa: E711 - the mistake under test
        lambda: Transfer.finished != None,  # noqa: E711
        lambda: Transfer.status.in_(["failed", None]),
        lambda: s.transfers.where(name=None),
    ):
        with pytest.raises(accsyn.ValidationError, match=r"no null; \.not_like\('\*'\)"):
            build()
    # A str is a value given on purpose: the text "None" is compared as such.
    assert s.transfers.where(Transfer.name == "None").all() == []
    assert s.transfers.where(Transfer.name == "\u201cx\u201d").all() == []
    # ...and the forms it names select what the text forms select.
    missing = s.transfers.where(Transfer.description.not_like("*")).all()
    assert [t.id for t in missing] == [t.id for t in s.find("transfer WHERE description!=*")]


# --------------------------------------------------------------------------------------
# Projections: attributes="name" (a str) and "name,status" (two names in one item).
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("validate_", [None, False])
def test_attributes_as_a_str_says_to_write_a_list(s: accsyn.Session, validate_: Any) -> None:
    # It was checked letter by letter: "transfer has no attribute 'n'".
    with pytest.raises(accsyn.ValidationError, match=r"write \['name', 'status'\]"):
        s.find("transfer", attributes="name, status", validate=validate_)


def test_attributes_as_a_str_fails_alike_async(ws: LocalWorkspace) -> None:
    with pytest.raises(accsyn.ValidationError, match=r"not the str 'name'"):
        _async(ws, lambda a: a.find("transfer", attributes="name"))


def test_two_names_in_one_item_fail_alike_in_find_select_and_lint(s: accsyn.Session) -> None:
    said = "one name per item: ['name', 'status']"
    with pytest.raises(accsyn.QueryValidationError, match=re.escape(said)):
        s.find("transfer", attributes=["name,status"])
    with pytest.raises(accsyn.QueryValidationError, match=re.escape(said)):
        s.transfers.select("name,status")
    from accsyn.lint import lint_source

    source = 'session.find("transfer", attributes=["name,status"])\n'
    assert [f.message for f in lint_source(source, "job.py").findings] == [
        f"transfer has no attribute 'name,status'; {said}"
    ]
