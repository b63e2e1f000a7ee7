"""The language knows no models: validation and evaluation ask a Schema."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Collection, Mapping

import pytest

import accsyn
from accsyn.query import AttributeInfo, Comparison, Op, Query, Schema, matches, parse, validate


class TinySchema:
    """A schema written by hand: one type, ``thing`` (alias ``widget``)."""

    _attrs: Mapping[str, AttributeInfo] = {
        "id": AttributeInfo("id", "id", id_format="objectid"),
        "size": AttributeInfo("size", "int"),
        "owner": AttributeInfo("owner", "reference"),
        "when": AttributeInfo("when", "datetime"),
    }

    def resolve_type(self, name: str) -> str | None:
        key = name.strip().lower()
        return "thing" if key in ("thing", "widget") else None

    def entity_types(self) -> Collection[str]:
        return ("thing",)

    def attributes(self, entitytype: str) -> Mapping[str, AttributeInfo]:
        return self._attrs

    def suggest_type(self, name: str) -> str | None:
        return "thing" if name.startswith("th") else None


def test_import_query_loads_no_models() -> None:
    code = (
        "import sys, accsyn.query; "
        "bad = sorted(m for m in sys.modules if m.startswith('accsyn.models')); "
        "print(bad); sys.exit(1 if bad else 0)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_a_hand_written_schema_satisfies_the_protocol() -> None:
    assert isinstance(TinySchema(), Schema)


def test_validate_uses_the_given_schema() -> None:
    schema = TinySchema()
    assert validate("widget WHERE size>3", schema) == parse("widget WHERE size>3")
    with pytest.raises(accsyn.QueryValidationError, match="did you mean 'size'"):
        validate("thing WHERE sise>3", schema)
    with pytest.raises(accsyn.QueryValidationError, match="not an integer"):
        validate("thing WHERE size>big", schema)
    with pytest.raises(accsyn.QueryValidationError, match="did you mean 'thing'"):
        validate("thang WHERE size>3", schema)
    # The message names the type as the user wrote it.
    with pytest.raises(accsyn.QueryValidationError, match="widget has no attribute"):
        validate("widget WHERE colour=red", schema)


def test_unknown_attribute_errors_say_how_to_bypass() -> None:
    with pytest.raises(accsyn.QueryValidationError, match="validate=False"):
        validate("thing WHERE colour=red", TinySchema())


def test_matches_reads_kinds_from_the_schema() -> None:
    schema = TinySchema()
    row = {"size": 10, "owner": "user:6676f3e9c7ef4e27da254e57", "owner_hr": "user:lisa@x.com"}
    assert matches(parse("thing WHERE owner=lisa@x.com"), row, schema)
    assert matches(parse("thing WHERE size>9"), row, schema)
    assert not matches(parse("thing WHERE size>10"), row, schema)


def test_matches_without_a_kind_reads_it_from_the_value() -> None:
    # An attribute the schema does not describe: kinds come from the stored value.
    schema = TinySchema()
    row = {
        "boss": "user:6676f3e9c7ef4e27da254e57",
        "stamp": "2026-01-31T12:00:00",
        "label": "b",
    }
    assert matches(Comparison("boss", Op.EQ, "6676f3e9c7ef4e27da254e57"), row, schema)
    assert matches(Comparison("stamp", Op.GT, "2026-01-31T11:00:00+00:00"), row, schema)
    assert matches(Comparison("label", Op.GT, "A"), row, schema)
    assert not matches(Query("thing", Comparison("label", Op.EQ, "a")), row, schema)
