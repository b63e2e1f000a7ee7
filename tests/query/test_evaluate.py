"""The Python evaluator against hand-written expectations (query-language.md §4).

An oracle independent of the code under test: every expected answer below is written
out by hand from the spec, not computed by a shared comparison helper, so a semantic
bug in the evaluator (and so in the SQL engine that calls the same primitives)
shows here.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

import pytest

from accsyn.query import AttributeInfo, matches, negate, parse

ROW: dict[str, Any] = {
    "id": "614d660de50d45bb027c9bdd",
    "name": "Daily Backup",
    "status": "failed",
    "size": 1500,
    "speed": 2.5,
    "public": True,
    "created": "2026-01-31T12:00:00",
    "user": "6676f3e9c7ef4e27da254e57",
    "user_hr": "user:lisa@example.com[standard](6676f3e9c7ef4e27da254e57)",
    "source": "workspace:6645fbca9f8c4d3e7a3b678d",
    "source_hr": "workspace:seagull(6645fbca9f8c4d3e7a3b678d)",
    "tags": ["red", "Blue"],
    "metadata": {"project": "P001"},
    "empty": None,
}

_KINDS: dict[str, Any] = {
    "id": "id",
    "name": "str",
    "status": "str",
    "size": "int",
    "speed": "float",
    "public": "bool",
    "created": "datetime",
    "user": "reference",
    "source": "reference",
    "tags": "list",
    "metadata": "object",
    "empty": "str",
    "missing": "str",
}


class RowSchema:
    """A hand-written schema for ROW (type ``row``)."""

    def resolve_type(self, name: str) -> str | None:
        return "row" if name.lower() == "row" else None

    def entity_types(self) -> Collection[str]:
        return ("row",)

    def attributes(self, entitytype: str) -> Mapping[str, AttributeInfo]:
        return {n: AttributeInfo(n, k) for n, k in _KINDS.items()}

    def suggest_type(self, name: str) -> str | None:
        return None


SCHEMA = RowSchema()

EXPECTED = [
    # Strings compare case-insensitively; '=' is whole-value equality with '*' wildcards.
    ('name="daily backup"', True),
    ('name="DAILY BACKUP"', True),
    ("name=daily", False),
    ('name="daily*"', True),
    ('name="*backup"', True),
    ('name="*ack*"', True),
    ('name="d*x"', False),
    ("name!=daily", True),
    # Numbers: numeric when both sides are numbers ...
    ("size=1500", True),
    ("size=1500.0", True),
    ("size>999", True),  # numerically; as text "1500" < "999"
    ("size<=1500", True),
    ("size<1500", False),
    ("speed>=2.5", True),
    ("speed>10", False),
    # ... otherwise case-insensitive text order.
    ("name>Daily", True),
    ("name<c", False),
    # Dates: chronological.
    ("created>2026-01-31T11:59:59", True),
    ("created<2026-02-01", True),
    ("created>=2026-01-31T12:00:00", True),
    ("created>2026-01-31T12:00:00", False),
    ("created<2026-01-31T13:00:00+02:00", False),  # 11:00 UTC
    ("created=2026-01-31*", True),
    # Booleans are the words true/false.
    ("public=true", True),
    ("public=TRUE", True),
    ("public=false", False),
    # in / not in: '=' against each item.
    ("status in done,FAILED", True),
    ("status in done,aborted", False),
    ("status not in done,aborted", True),
    ("status in fail*,x", True),
    # contains: substring; matches: unanchored, case-insensitive regex.
    ("name contains BACK", True),
    ("name contains front", False),
    ("name not contains front", True),
    ("name matches ^daily", True),
    ("name matches backup$", True),
    ('name matches "^backup"', False),
    ('name matches "ly\\sba"', True),
    # References answer to the stored value, its id part and the human identifier.
    ("user=6676f3e9c7ef4e27da254e57", True),
    ("user=LISA@example.com", True),
    ("user=lisa@*", True),
    ("user=bob@example.com", False),
    ("source=seagull", True),
    ("source=6645fbca9f8c4d3e7a3b678d", True),
    ("source=workspace:6645fbca9f8c4d3e7a3b678d", True),
    ("user contains lisa", True),
    ("user matches ^lisa@", True),
    ("user.id=6676f3e9c7ef4e27da254e57", True),
    # Lists match when any item does.
    ("tags=blue", True),
    ("tags in green,red", True),
    ("tags contains lu", True),
    ("tags=green", False),
    ("tags!=green", True),
    ("tags!=red", False),
    # Dotted paths walk dicts.
    ("metadata.project=p001", True),
    ("metadata.project=p002", False),
    ("metadata.other=x", False),
    ("metadata.other!=x", True),
    # Missing or null: negatives are true, everything else false.
    ("missing=x", False),
    ("missing!=x", True),
    ("missing!=*", True),
    ("missing=*", False),
    ("missing<x", False),
    ("missing>=x", False),
    ("missing in x,y", False),
    ("missing not in x,y", True),
    ("missing contains x", False),
    ("missing not contains x", True),
    ("missing matches .", False),
    ("missing not matches .", True),
    ("empty=*", False),
    ("empty!=x", True),
    # AND / OR.
    ("status=failed AND size>1000", True),
    ("status=done OR size>1000", True),
    ("status=done OR (size>1000 AND public=false)", False),
]


@pytest.mark.parametrize(("text", "expected"), EXPECTED)
def test_semantics(text: str, expected: bool) -> None:
    query = parse("row WHERE " + text)
    assert matches(query, ROW, SCHEMA) is expected
    # Negation matches exactly where the query does not (the language has no NOT).
    assert query.where is not None
    assert matches(negate(query.where), ROW, SCHEMA, entitytype="row") is (not expected)


def test_a_query_without_where_matches_everything() -> None:
    assert matches(parse("row"), ROW, SCHEMA)
