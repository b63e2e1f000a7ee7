"""Field expressions build query ASTs that render to the accsyn query language."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

import accsyn
from accsyn.models import JobStatus, JobType, PartyRef, Task, Transfer, User
from accsyn.query import Comparison, Op, Query, parse, render
from accsyn.query._builder import FieldExpr, query_value


def test_the_documented_example() -> None:
    query = Transfer.where((Transfer.status != "failed") & Transfer.name.contains("backup"))
    assert render(query) == "transfer WHERE status!=failed AND name contains backup"


def test_class_access_is_an_expression() -> None:
    assert isinstance(Transfer.status, FieldExpr)
    assert Transfer.status.name == "status"
    assert Transfer.status.entitytype == "transfer"
    assert User.role.entitytype == "user"


@pytest.mark.parametrize(
    ("expr", "text"),
    [
        (Transfer.status == JobStatus.FAILED, "status=failed"),
        (Transfer.size < 10, "size<10"),
        (Transfer.size <= 10, "size<=10"),
        (Transfer.speed > 1.5, "speed>1.5"),
        (Transfer.progress >= 100, "progress>=100"),
        (Transfer.status.in_(["failed", JobStatus.ABORTED]), "status in failed,aborted"),
        (Transfer.type.not_in({JobType.TRANSFER}), "type not in 1"),
        (Transfer.name.not_contains("tmp"), "name not contains tmp"),
        (Transfer.name.matches(r"backup.*\.zip"), r'name matches "backup.*\.zip"'),
        (Transfer.name.not_matches("^x"), 'name not matches "^x"'),
        (Transfer.code.like("* backup"), 'code="* backup"'),
        (Transfer.code.not_like("tmp*"), "code!=tmp*"),
        ((Transfer.size > 0) | ~(Transfer.status == "done"), "size>0 OR status!=done"),
        (~(Transfer.size < 5), "size>=5 OR size!=*"),
    ],
)
def test_operators_render(expr: object, text: str) -> None:
    assert render(expr) == text  # type: ignore[arg-type]


def test_equality_never_passes_a_wildcard() -> None:
    eq = Transfer.name == "a*b"
    assert eq == Comparison("name", Op.MATCHES, "^a\\*b$")
    ne = Transfer.name != "* backup"
    assert ne.op is Op.NOT_MATCHES
    assert re.search(ne.value, "* backup", re.IGNORECASE)  # type: ignore[arg-type]
    assert not re.search(ne.value, "daily backup")  # type: ignore[arg-type]
    listed = Transfer.name.in_(["a*", "b"])
    assert render(listed) == 'name in b OR name matches "^a\\*$"'
    assert render(Transfer.name.not_in(["a*"])) == 'name not matches "^a\\*$"'


@given(st.text(min_size=1, max_size=30).filter(lambda s: '"' not in s or "'" not in s))
def test_equality_value_matches_only_itself(value: str) -> None:
    expr = Transfer.name == value
    if expr.op is Op.MATCHES:
        assert re.fullmatch(expr.value, value)  # type: ignore[arg-type]
    else:
        assert expr.value == value and "*" not in value


def test_bool_of_an_expression_raises() -> None:
    with pytest.raises(TypeError):
        bool(Transfer.status == "failed")
    with pytest.raises(TypeError):
        bool(Transfer.status)


def test_value_conversion() -> None:
    assert query_value(True) == "true"
    assert query_value(False) == "false"
    assert query_value(3) == "3"
    assert query_value(2.5) == "2.5"
    assert query_value(JobType.DELIVERY) == "7"
    assert query_value(JobStatus.DONE) == "done"
    aware = datetime(2026, 1, 31, 13, 0, tzinfo=timezone(timedelta(hours=1)))
    assert query_value(aware) == "2026-01-31T12:00:00"
    naive = datetime(2026, 1, 31, 12, 0, 30, 999)
    assert query_value(naive) == "2026-01-31T12:00:30"  # naive means UTC
    assert query_value(date(2026, 2, 1)) == "2026-02-01T00:00:00"
    assert query_value(PartyRef("user", "6676f3e9c7ef4e27da254e57")) == (
        "user:6676f3e9c7ef4e27da254e57"
    )
    user = User(id="6676f3e9c7ef4e27da254e57")
    assert query_value(user) == "6676f3e9c7ef4e27da254e57"
    with pytest.raises(accsyn.ValidationError, match="no id"):
        query_value(User())
    with pytest.raises(accsyn.ValidationError, match="object"):
        query_value(object())


def test_where_with_keywords() -> None:
    user = User(id="6676f3e9c7ef4e27da254e57")
    query = Transfer.where(Transfer.size > 0, status="failed", user=user)
    assert isinstance(query, Query)
    assert render(query) == (
        "transfer WHERE size>0 AND status=failed AND user=6676f3e9c7ef4e27da254e57"
    )
    assert render(Transfer.where()) == "transfer"
    assert render(Task.where(job="5a7325f8b7ef72f5f9d74bf4")) == (
        "task WHERE job=5a7325f8b7ef72f5f9d74bf4"
    )
    assert parse(render(query)) == query


def test_where_rejects_unknown_keywords() -> None:
    with pytest.raises(accsyn.QueryValidationError, match="staus") as info:
        Transfer.where(staus="failed")
    assert info.value.problems[0].suggestion == "status"


def test_bad_builder_values_raise() -> None:
    with pytest.raises(accsyn.ValidationError, match="regular expression"):
        Transfer.name.matches("(")
    with pytest.raises(accsyn.ValidationError):
        Transfer.status.in_("failed")
    with pytest.raises(accsyn.ValidationError):
        Transfer.status.in_([])


def test_where_with_a_list_means_in() -> None:
    assert render(Transfer.where(status=["failed", "aborted"])) == (
        "transfer WHERE status in failed,aborted"
    )


def test_subclasses_of_models_keep_field_expressions() -> None:
    class MyTransfer(Transfer):
        x_project: str | None = None

    assert render(MyTransfer.status == "done") == "status=done"
    assert render(MyTransfer.where(x_project="P1")) == "transfer WHERE x_project=P1"
    assert MyTransfer.from_wire({"x_project": "P1"}).x_project == "P1"
    from accsyn.models import model_for

    assert model_for("transfer") is Transfer
