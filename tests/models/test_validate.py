"""Parsed queries are checked against the models before anything is sent."""

from __future__ import annotations

import pytest

import accsyn
from accsyn.query import Comparison, Op, Query, parse
from accsyn.query._validate import validate

ID = "5a7325f8b7ef72f5f9d74bf4"

# Example queries from the protocol notes (§5.6), placeholders filled in.
DOCUMENTED = [
    "User",
    "entitytypes",
    "Site",
    "App",
    "Server",
    "Queue",
    "Volume",
    "Folder",
    "Home",
    "File",
    "Transfer WHERE source=myworkspace",
    "transfer WHERE ((user=lisa@example.com AND destination=hq) OR status<>failed) "
    'AND code="* backup"',
    'Transfer WHERE name CONTAINS "backup"',
    'Transfer WHERE name matches "backup.*\\.zip"',
    "Transfer where id=614d660de50d45bb027c9bdd",
    'Transfer WHERE name="my_transfer"',
    'Transfer WHERE name="x and y.png"',
    "attributes WHERE entitytype=delivery",
    "attributes WHERE entitytype=folder",
    "Transfer WHERE user=user@mail.com",
    "Transfer WHERE destination=stockholm",
    "Transfer WHERE status=aborted",
    "Transfer WHERE status=done",
    "Task WHERE status=onhold",
    f"Transfer where id={ID}",
    "Delivery WHERE name='Project references'",
    f"task WHERE job.id={ID}",
    "Transfer WHERE parent=69732302fd379c8fff1089d0 AND user=6676f3e9c7ef4e27da254e57",
    "User WHERE role=employee",
    "User WHERE role=standard",
    "User WHERE code='lisa@example.com'",
    "Server WHERE roles CONTAINS storage",
    f"Client WHERE user={ID} AND type in 0,2",
    "Volume WHERE default=True",
    f"Folder WHERE id={ID}",
    "Queue WHERE name='medium'",
    "Folder WHERE name='Shared Folder'",
    f"acl WHERE target=share:{ID}",
    f"acl WHERE entity=user:{ID} AND target=share:{ID}",
    f"acl WHERE target=share:{ID} AND entity=user:*",
    "engine where type=compute",
    f'job WHERE ((user={ID} AND source!=hq) OR status<>failed) AND code="Daily backup"',
    "Share where type=root",
    f"task WHERE job.id={ID} AND status<>executing",
    "Client where type=1",
    "attributes WHERE entitytype=job",
]


@pytest.mark.parametrize("text", DOCUMENTED)
def test_documented_queries_are_valid(text: str) -> None:
    assert validate(text) == parse(text)


def test_misspelt_attribute() -> None:
    with pytest.raises(accsyn.QueryValidationError) as info:
        validate(parse("transfer WHERE staus=failed"))
    (problem,) = info.value.problems
    assert "staus" in problem.message
    assert problem.column == 16
    assert problem.position == 15
    assert problem.suggestion == "status"
    assert "did you mean 'status'" in str(info.value)
    assert "^" in str(info.value)


def test_every_problem_is_reported_with_its_column() -> None:
    text = (
        'transfer WHERE status=faild OR size contains 3 OR name matches "(" '
        "OR created=2026-13-01 OR id=xyz OR progress=lots OR speed<fast"
    )
    with pytest.raises(accsyn.QueryValidationError) as info:
        validate(text)
    problems = info.value.problems
    assert len(problems) == 7
    columns = [p.column for p in problems]
    assert columns == sorted(columns)
    assert problems[0].suggestion == "failed"
    assert text[problems[0].position :].startswith("faild")  # type: ignore[misc]
    assert text[problems[1].position :].startswith("size")  # type: ignore[misc]
    for word in ("contains", "regular expression", "date", "id", "integer", "number"):
        assert word in str(info.value)


def test_values_are_case_insensitive() -> None:
    validate("transfer WHERE status=FAILED AND type=1")
    validate("volume WHERE default=TRUE")
    validate(f"transfer WHERE id={ID.upper()}")


def test_wildcards_are_valid_for_any_kind() -> None:
    validate("transfer WHERE status=fail* AND size!=* AND created=2026-*")
    validate("transfer WHERE status in fail*,done")


def test_operators_must_fit_the_kind() -> None:
    with pytest.raises(accsyn.QueryValidationError, match="bool"):
        validate("volume WHERE default>true")
    with pytest.raises(accsyn.QueryValidationError, match="contains"):
        validate("transfer WHERE progress contains 5")
    with pytest.raises(accsyn.QueryValidationError, match="contains"):
        validate("client WHERE type contains 1")
    validate("transfer WHERE created>=2026-01-01 AND created<2026-02-01T00:00:00")
    validate("transfer WHERE size>-1 AND speed<=2.5e3")


def test_ids_by_type() -> None:
    validate("task WHERE id=26468234-c9ee-48d6-8d28-e900b5957129")
    with pytest.raises(accsyn.QueryValidationError, match="UUID"):
        validate(f"task WHERE id={ID}")
    with pytest.raises(accsyn.QueryValidationError, match="24 letters or digits"):
        validate("task WHERE job.id=26468234-c9ee-48d6-8d28-e900b5957129")


def test_dotted_attributes() -> None:
    validate("client WHERE site.code=hq AND user.id=" + ID)
    validate("transfer WHERE metadata.project=P001")
    with pytest.raises(accsyn.QueryValidationError) as info:
        validate("task WHERE job.idd=x")
    assert info.value.problems[0].suggestion == "job.id"
    with pytest.raises(accsyn.QueryValidationError, match="no attribute"):
        validate("transfer WHERE size.id=3")


def test_unknown_entity_type() -> None:
    with pytest.raises(accsyn.QueryValidationError) as info:
        validate("transfr WHERE status=failed")
    (problem,) = info.value.problems
    assert problem.column == 1
    assert problem.suggestion == "transfer"
    with pytest.raises(accsyn.QueryValidationError) as info:
        validate("attributes WHERE entitytype=delivry")
    assert info.value.problems[0].suggestion == "delivery"
    with pytest.raises(accsyn.QueryValidationError, match="attributes WHERE"):
        validate("attributes WHERE type=delivery")


def test_bare_expressions_take_the_entity_type_from_context() -> None:
    assert validate("status=failed", entitytype="Transfer") == parse("status=failed")
    with pytest.raises(accsyn.QueryValidationError, match="no entity type"):
        validate("status=failed")
    with pytest.raises(accsyn.QueryValidationError, match="status"):
        validate("stauts=failed", entitytype="job")


def test_built_queries_have_no_columns() -> None:
    query = Query("transfer", Comparison("staus", Op.EQ, "failed"))
    with pytest.raises(accsyn.QueryValidationError) as info:
        validate(query)
    assert info.value.problems[0].column is None
    assert info.value.problems[0].suggestion == "status"


def test_syntax_errors_pass_through() -> None:
    with pytest.raises(accsyn.QuerySyntaxError):
        validate("transfer WHERE")
