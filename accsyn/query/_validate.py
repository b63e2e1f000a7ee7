"""Validation of parsed queries against the entity models.

:func:`validate` checks what the grammar cannot: that the entity type and every
attribute exist, that each operator fits the attribute's kind (no ordering on a
bool, no ``contains`` on a number), and that each value can be read as the
attribute's type (enum member, date, id, number, regex). Every problem is
reported at once, with the column of the offending token and, for misspelt
names, the nearest valid one.

Values in queries are case-insensitive (``status=FAILED`` is valid), and a
``*`` in an ``=`` / ``!=`` value is a wildcard, valid for any kind.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING

from accsyn._exceptions import QueryProblem, QueryValidationError
from accsyn.query._ast import And, Comparison, Expr, Op, Or, Query

if TYPE_CHECKING:
    from accsyn.models._types import AttributeInfo

__all__ = ["validate"]

_INT = re.compile(r"[+-]?[0-9]{1,30}\Z")
_FLOAT = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]{1,3})?\Z")
_BOOL = frozenset({"true", "false", "1", "0"})
_DATE = re.compile(
    r"(?P<y>[0-9]{4})-(?P<mo>[0-9]{2})-(?P<d>[0-9]{2})"
    r"(?:[T ](?P<h>[0-9]{2}):(?P<mi>[0-9]{2})(?::(?P<s>[0-9]{2})(?:\.[0-9]{1,6})?)?)?"
    r"(?:Z|[+-][0-9]{2}:?[0-9]{2})?\Z",
    re.IGNORECASE,
)
_OBJECT_ID = re.compile(r"[0-9a-f]{24}\Z", re.IGNORECASE)
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\Z", re.IGNORECASE)
_NOT_ORDERED = frozenset({"bool", "object", "list"})
_NOT_TEXT = frozenset({"int", "float", "bool"})
_SUB_ATTRIBUTES = ("id", "code")

#: Special statements handled by the session, not by an entity type.
_ENTITYTYPES = "entitytypes"
_ATTRIBUTES = "attributes"


class _Checker:
    def __init__(self, text: str | None) -> None:
        self.text = text
        self.problems: list[QueryProblem] = []

    def add(self, message: str, position: int | None, suggestion: str | None = None) -> None:
        column: int | None = None
        if position is not None:
            if self.text is not None:
                column = position - (self.text.rfind("\n", 0, position) + 1) + 1
            else:
                column = position + 1
        if suggestion:
            message += f"; did you mean {suggestion!r}?"
        self.problems.append(QueryProblem(message, position, column, suggestion))


def _nearest(name: str, candidates: Iterable[str]) -> str | None:
    found = difflib.get_close_matches(name.lower(), list(candidates), n=1, cutoff=0.6)
    return found[0] if found else None


def validate(query: Query | str, *, entitytype: str | None = None) -> Query:
    """Check a query against the models and return it unchanged if it fits.

    ``query`` may be text (parsed first) or a :class:`Query`; a bare expression
    takes its entity type from ``entitytype``. The special statements
    ``entitytypes`` and ``attributes WHERE entitytype=<type>`` are valid.

    Raises:
        accsyn.QuerySyntaxError: the text does not parse.
        accsyn.QueryValidationError: every problem found, each with its column.
    """
    # Imported here: accsyn.models imports accsyn.query (for field expressions).
    from accsyn.models._registry import ALIASES, attributes_of, entity_types, resolve_name
    from accsyn.query._parser import parse

    if isinstance(query, str):
        text: str | None = query
        parsed = parse(query)
    elif isinstance(query, Query):
        parsed = query
        text = query.source
    else:
        raise TypeError(f"validate() takes a Query or a str, not {type(query).__name__}")
    check = _Checker(text)
    known_types = (*entity_types(), *ALIASES)

    name = parsed.entitytype
    if name == _ENTITYTYPES and parsed.where is None:
        return parsed
    if name == _ATTRIBUTES:
        _check_attributes_statement(parsed, check, known_types, resolve_name)
        if check.problems:
            raise QueryValidationError(check.problems, text)
        return parsed

    position = parsed.entitytype_pos
    if name is None:
        if entitytype is None:
            check.add(
                "the query names no entity type; write '<entitytype> WHERE ...' "
                "or pass entitytype=",
                None,
            )
            raise QueryValidationError(check.problems, text)
        name, position = entitytype.strip().lower(), None
    resolved = resolve_name(name)
    if resolved is None:
        check.add(f"unknown entity type {name!r}", position, _nearest(name, known_types))
        raise QueryValidationError(check.problems, text)

    if parsed.where is not None:
        attributes = attributes_of(resolved)
        for comparison in _comparisons(parsed.where):
            _check_comparison(comparison, resolved, attributes, check)
    if check.problems:
        raise QueryValidationError(check.problems, text)
    return parsed


def _check_attributes_statement(
    parsed: Query,
    check: _Checker,
    known_types: tuple[str, ...],
    resolve_name: Callable[[str], str | None],
) -> None:
    where = parsed.where
    if (
        not isinstance(where, Comparison)
        or where.attribute != "entitytype"
        or where.op is not Op.EQ
        or not isinstance(where.value, str)
    ):
        position = where.attribute_pos if isinstance(where, Comparison) else None
        check.add(
            "list attributes with 'attributes WHERE entitytype=<type>'",
            position if position is not None else parsed.entitytype_pos,
        )
        return
    value = where.value.strip().lower()
    if resolve_name(value) is None:
        check.add(
            f"unknown entity type {where.value!r}",
            where.value_pos,
            _nearest(value, known_types),
        )


def _comparisons(expr: Expr) -> list[Comparison]:
    # Iterative: expressions can be deep.
    found: list[Comparison] = []
    stack: list[Expr] = [expr]
    while stack:
        node = stack.pop()
        if isinstance(node, Comparison):
            found.append(node)
        elif isinstance(node, And | Or):
            stack.extend(reversed(node.children))
    return found


def _resolve_attribute(
    comparison: Comparison,
    entitytype: str,
    attributes: Mapping[str, AttributeInfo],
    check: _Checker,
) -> AttributeInfo | None:
    from accsyn.models._types import AttributeInfo

    head, _, rest = comparison.attribute.partition(".")
    info = attributes.get(head)
    if info is None:
        check.add(
            f"{entitytype} has no attribute {head!r}",
            comparison.attribute_pos,
            _nearest(head, attributes),
        )
        return None
    if not rest:
        return info
    if info.kind == "object":
        # Free-form dicts (metadata, task endpoints): any sub-key, compared as text.
        return AttributeInfo(comparison.attribute, "object")
    if info.kind == "reference" and rest in _SUB_ATTRIBUTES:
        if rest == "id":
            return AttributeInfo(comparison.attribute, "id", id_format="objectid")
        return AttributeInfo(comparison.attribute, "str")
    if info.kind == "reference":
        check.add(
            f"{entitytype}.{head} refers to another entity; only {head}.id and "
            f"{head}.code can be queried",
            comparison.attribute_pos,
            f"{head}.{_nearest(rest, _SUB_ATTRIBUTES) or 'id'}",
        )
    else:
        check.add(
            f"{entitytype}.{head} is a {info.kind}, it has no attribute {rest!r}",
            comparison.attribute_pos,
        )
    return None


def _check_comparison(
    comparison: Comparison,
    entitytype: str,
    attributes: Mapping[str, AttributeInfo],
    check: _Checker,
) -> None:
    info = _resolve_attribute(comparison, entitytype, attributes, check)
    if info is None:
        return
    op = comparison.op
    kind = info.kind
    int_enum = kind == "enum" and info.enum is not None and _int_enum(info)
    kind_for_ops = "int" if int_enum else kind
    if op.is_ordering and kind_for_ops in _NOT_ORDERED:
        check.add(
            f"'{op.value}' does not apply to {comparison.attribute} ({kind}); use = or !=",
            comparison.attribute_pos,
        )
        return
    if op in (Op.CONTAINS, Op.NOT_CONTAINS) and kind_for_ops in _NOT_TEXT:
        check.add(
            f"'{op.value}' does not apply to {comparison.attribute} ({kind_for_ops}); "
            "use =, in or an ordering operator",
            comparison.attribute_pos,
        )
        return
    if op in (Op.MATCHES, Op.NOT_MATCHES):
        assert isinstance(comparison.value, str)
        try:
            re.compile(comparison.value)
        except re.error as exc:
            check.add(f"invalid regular expression: {exc}", comparison.value_pos)
        return
    if op in (Op.CONTAINS, Op.NOT_CONTAINS):
        return
    values = comparison.value if isinstance(comparison.value, tuple) else (comparison.value,)
    wildcard_ok = op in (Op.EQ, Op.NE, Op.IN, Op.NOT_IN)
    for value in values:
        if wildcard_ok and "*" in value:
            continue
        problem = _value_problem(value, info)
        if problem is not None:
            message, suggestion = problem
            check.add(f"{comparison.attribute}: {message}", comparison.value_pos, suggestion)


def _int_enum(info: AttributeInfo) -> bool:
    assert info.enum is not None
    return any(isinstance(member.value, int) for member in info.enum)


def _value_problem(value: str, info: AttributeInfo) -> tuple[str, str | None] | None:
    kind = info.kind
    if kind == "int":
        if not _INT.match(value):
            return f"{value!r} is not an integer", None
    elif kind == "float":
        if not _FLOAT.match(value):
            return f"{value!r} is not a number", None
    elif kind == "bool":
        if value.lower() not in _BOOL:
            return f"{value!r} is not a boolean (true or false)", None
    elif kind == "datetime":
        if not _valid_date(value):
            return (
                f"{value!r} is not a date (YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS)",
                None,
            )
    elif kind == "id":
        pattern = _UUID if info.id_format == "uuid" else _OBJECT_ID
        if not pattern.match(value):
            shape = "a UUID" if info.id_format == "uuid" else "24 hex characters"
            return f"{value!r} is not a valid id ({shape})", None
    elif kind == "enum" and info.enum is not None:
        members = [str(m.value) for m in info.enum]
        if value.lower() not in members:
            listing = ", ".join(members)
            return (
                f"{value!r} is not one of {listing}",
                _nearest(value, members),
            )
    return None


def _valid_date(value: str) -> bool:
    match = _DATE.match(value)
    if match is None:
        return False
    parts = match.groupdict()
    try:
        datetime(
            int(parts["y"]),
            int(parts["mo"]),
            int(parts["d"]),
            int(parts["h"] or 0),
            int(parts["mi"] or 0),
            int(parts["s"] or 0),
        )
    except ValueError:
        return False
    return True
