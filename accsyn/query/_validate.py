"""Validation of parsed queries against a :class:`~accsyn.query.Schema`.

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

import contextlib
import difflib
import re
from collections.abc import Iterable, Mapping

from accsyn._codec import decode_datetime, is_object_id, is_uuid
from accsyn._exceptions import QueryError, QueryProblem, QueryValidationError, ValidationError
from accsyn.query._ast import And, Comparison, Expr, Op, Or, Query
from accsyn.query._schema import AttributeInfo, Schema

__all__ = [
    "SPECIAL_STATEMENTS",
    "missing_entitytype",
    "names_not_entities",
    "needs_condition",
    "validate",
]

_INT = re.compile(r"[+-]?[0-9]{1,30}\Z")
_FLOAT = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]{1,3})?\Z")
_BOOL = frozenset({"true", "false", "1", "0"})
#: Kinds with no order: a (text) enum's values are names, and their alphabetical order
#: (``status>failed``) is not the lifecycle a reader expects. Int enums order as ints.
_NOT_ORDERED = frozenset({"bool", "object", "list", "enum"})
_NOT_TEXT = frozenset({"int", "float", "bool"})
#: What to use instead, by kind, when an operator does not apply.
_USABLE = {
    "bool": "= or !=",
    "object": "= or !=",
    "list": "= or !=",
    "enum": "=, != or in (a list of the values wanted)",
    "int": "=, in or an ordering operator",
    "float": "=, in or an ordering operator",
}
#: Operators that read a value as text: refused alike on numbers and flags.
_TEXT_OPS = frozenset({Op.CONTAINS, Op.NOT_CONTAINS, Op.MATCHES, Op.NOT_MATCHES})
_SUB_ATTRIBUTES = ("id", "code")

#: Special statements handled by the session, not by an entity type.
_ENTITYTYPES = "entitytypes"
_ATTRIBUTES = "attributes"
#: Statements that name no entity type to select from (``session.find`` answers names).
SPECIAL_STATEMENTS = frozenset({_ENTITYTYPES, _ATTRIBUTES})


class _Checker:
    def __init__(self, text: str | None) -> None:
        self.text = text
        self.problems: list[QueryProblem] = []

    def add(
        self,
        message: str,
        position: int | None,
        suggestion: str | None = None,
        *,
        bypass: bool = False,
    ) -> None:
        column: int | None = None
        if position is not None:
            if self.text is not None:
                column = position - (self.text.rfind("\n", 0, position) + 1) + 1
            else:
                column = position + 1
        if suggestion:
            message += f"; did you mean {suggestion!r}?"
        if bypass:
            message += " " + _BYPASS
        self.problems.append(QueryProblem(message, position, column, suggestion))


def _nearest(name: str, candidates: Iterable[str]) -> str | None:
    found = difflib.get_close_matches(name.lower(), list(candidates), n=1, cutoff=0.6)
    return found[0] if found else None


_BYPASS = (
    "(a newer server may know it: pass validate=False, or Session(validate='off'), "
    "to send the query unchecked)"
)


def validate(
    query: Query | str,
    schema: Schema | None = None,
    *,
    entitytype: str | None = None,
) -> Query:
    """Check a query against ``schema`` and return it (parsed) if it fits.

    ``query`` may be text (parsed first) or a :class:`Query`; a bare expression
    takes its entity type from ``entitytype``. The special statements
    ``entitytypes`` and ``attributes WHERE entitytype=<type>`` are valid.
    ``schema`` is what the query is checked against: the models' one is
    :data:`accsyn.models.SCHEMA` (:func:`accsyn.models.validate_query` passes it).

    Comparisons built from a model's fields (``Transfer.status != "faild"``)
    remember their model; one from another model's field (``User.role`` in a
    transfer query) is refused.

    Raises:
        accsyn.QuerySyntaxError: the text does not parse.
        accsyn.QueryValidationError: every problem found, each with its column.
        accsyn.ValidationError: no schema was given.
    """
    from accsyn.query._parser import parse

    if schema is None:
        schema = _transitional_schema()
    if isinstance(query, str):
        text: str | None = query
        parsed = parse(query)
    elif isinstance(query, Query):
        parsed = query
        text = query.source
    else:
        raise ValidationError(f"validate() takes a Query or a str, not {type(query).__name__}")
    check = _Checker(text)

    name = parsed.entitytype
    if name == _ENTITYTYPES and parsed.where is None:
        return parsed
    if name == _ATTRIBUTES:
        _check_attributes_statement(parsed, check, schema)
        if check.problems:
            raise QueryValidationError(check.problems, text)
        return parsed

    position = parsed.entitytype_pos
    if name is None:
        if entitytype is None:
            raise missing_entitytype(parsed, schema, argument="entitytype=")
        name, position = entitytype.strip().lower(), None
    resolved = schema.resolve_type(name)
    if resolved is None:
        check.add(f"unknown entity type {name!r}", position, schema.suggest_type(name))
        raise QueryValidationError(check.problems, text)

    if parsed.where is not None:
        attributes = schema.attributes(resolved)
        for comparison in _comparisons(parsed.where):
            origin = comparison.origin
            if origin is not None and schema.resolve_type(origin) != resolved:
                check.add(
                    f"{origin}.{comparison.attribute} is a field of {origin}, "
                    f"not of {name}; use the {name} model's field",
                    comparison.attribute_pos,
                )
                continue
            _check_comparison(comparison, name, attributes, check)
    if check.problems:
        raise QueryValidationError(check.problems, text)
    return parsed


def names_not_entities(statement: str, *, cli: bool = False) -> str:
    """Why ``session.query()`` (``cli``: ``accsyn find``) refuses ``entitytypes`` /
    ``attributes WHERE ...``: the session and the CLI raise it, lint reports it."""
    if cli:
        return (
            f"{statement!r} lists names, not entities: run 'accsyn entitytypes' or "
            "'accsyn attributes <entitytype>'"
        )
    return f"query() selects entities; {statement!r} lists names: use session.find({statement!r})"


def needs_condition(text: str) -> str:
    """Why ``where('transfer')`` (a statement with no condition) is refused: the
    select raises it, lint reports it."""
    return f"where() needs a condition such as 'status!=failed', not {text!r}"


class _MissingEntityType(QueryValidationError, ValidationError):
    """A bare expression where a statement is needed.

    A :class:`QueryValidationError` like every other problem with a query, and still
    the :class:`ValidationError` ``session.find`` raised for it before the paths agreed.
    """

    def __init__(self, problems: list[QueryProblem], text: str | None) -> None:
        QueryValidationError.__init__(self, problems, text)
        self.field = "query"


def missing_entitytype(
    query: Query, schema: Schema, *, argument: str | None = None
) -> QueryValidationError:
    """The error for a bare expression where a statement is needed (``status=failed``).

    One message on every path (``validate``, ``session.find``, ``session.query``, the
    CLI), naming the entity types the expression is valid for (the full statement as
    the suggestion when only one fits); ``argument`` is how this caller can give the
    type instead.
    """
    check = _Checker(query.source)
    fits: list[str] = []
    if query.where is not None:
        # The types this expression is valid for, names and values alike (a cheap look
        # at the names first: a hostile expression may name thousands).
        heads = {c.attribute.partition(".")[0] for c in _comparisons(query.where)}
        for name in sorted(schema.entity_types()):
            if not heads <= schema.attributes(name).keys():
                continue
            try:
                validate(Query(name, query.where), schema)
            except QueryError:
                continue
            fits.append(name)
    expression = "..."
    if query.where is not None:
        from accsyn.query._render import render

        with contextlib.suppress(QueryError):
            expression = render(query.where)
    suggestion = f"{fits[0]} WHERE {expression}" if len(fits) == 1 else None
    if len(expression) > 80:
        expression = expression[:77] + "..."  # a hostile expression can be megabytes
    message = f"the query names no entity type; write '<entitytype> WHERE {expression}'"
    if fits:
        shown = ", ".join(fits[:8]) + (", ..." if len(fits) > 8 else "")
        message += f" with one of: {shown}"
    if argument:
        message += f"; or pass {argument}"
    check.add(message, 0 if query.source is not None else None)
    check.problems[-1].suggestion = suggestion
    return _MissingEntityType(check.problems, query.source)


def _transitional_schema() -> Schema:
    # Transitional (derived; remove once every caller passes a schema): callers
    # written before the Schema protocol call validate(q) without one.
    import importlib

    schema: Schema = importlib.import_module("accsyn.models").SCHEMA
    return schema


def _check_attributes_statement(parsed: Query, check: _Checker, schema: Schema) -> None:
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
    if schema.resolve_type(value) is None:
        check.add(
            f"unknown entity type {where.value!r}",
            where.value_pos,
            schema.suggest_type(value),
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
    head, _, rest = comparison.attribute.partition(".")
    info = attributes.get(head)
    if info is None:
        check.add(
            f"{entitytype} has no attribute {head!r}",
            comparison.attribute_pos,
            _nearest(head, attributes),
            bypass=True,
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
    values = comparison.value if isinstance(comparison.value, tuple) else (comparison.value,)
    # Only in text: a builder value is a Python str given on purpose ("None" included;
    # the builder refuses the None object itself).
    for value in values if comparison.origin is None else ():
        found = _mistaken_value(value, comparison, info)
        if found is not None:
            check.add(
                f"{comparison.attribute}: {found[0]}", comparison.value_pos, found[1], bypass=True
            )
            return
    if (op.is_ordering and kind_for_ops in _NOT_ORDERED) or (
        op in _TEXT_OPS and kind_for_ops in _NOT_TEXT
    ):
        check.add(
            f"'{op.value}' does not apply to {comparison.attribute} ({kind_for_ops}); "
            f"use {_USABLE[kind_for_ops]}",
            comparison.attribute_pos,
        )
        return
    if (
        kind in ("object", "list")
        and "." not in comparison.attribute
        and op in (Op.EQ, Op.NE, Op.IN, Op.NOT_IN)
        and not all("*" in v for v in values)
    ):
        # A whole dict or list equals no text: `metadata=x` matched nothing, silently.
        attr, shown = comparison.attribute, values[0]
        keyed = f"compare one of its keys ({attr}.<key>{_spelling(op)}{shown}) or " * (
            kind == "object"
        )
        check.add(
            f"{attr} is a{'n' * (kind == 'object')} {kind}, which '{op.value}' compares as a "
            f"whole with text (never equal); {keyed}use contains",
            comparison.attribute_pos,
            f"{attr} contains {shown}",
        )
        return
    if op in (Op.MATCHES, Op.NOT_MATCHES):
        assert isinstance(comparison.value, str)
        from accsyn.query._evaluate import compile_regex  # the one judge of a pattern

        try:
            compile_regex(comparison.value)
        except QueryValidationError as exc:
            check.add(exc.problems[0].message, comparison.value_pos)
        return
    if op in (Op.CONTAINS, Op.NOT_CONTAINS):
        return
    wildcard_ok = op in (Op.EQ, Op.NE, Op.IN, Op.NOT_IN)
    for value in values:
        if wildcard_ok and "*" in value:
            continue
        problem = _value_problem(value, info)
        if problem is not None:
            message, suggestion = problem
            check.add(
                f"{comparison.attribute}: {message}",
                comparison.value_pos,
                suggestion,
                bypass=info.kind == "enum",
            )


#: Words a formatted Python ``None`` (or JSON ``null``) leaves in a query.
_NULLS = frozenset({"null", "none"})
#: Quote look-alikes pasted from documents and chat: they are part of a bare value.
_OPENING = "\u201c\u201d\u201e\u201f\u2018\u2019\u201a\u201b\u00ab\u00bb`\u00b4"
_CLOSING = "\u201c\u201d\u201f\u2018\u2019\u201b\u00ab\u00bb`\u00b4"


def _mistaken_value(
    value: str, comparison: Comparison, info: AttributeInfo
) -> tuple[str, str | None] | None:
    """A value that is valid text but almost surely not what was meant, and the fix.

    ``name=None`` compares with the text "None" (the language has no null) and
    ``name=\u201cx\u201d`` with a value that includes the typographic quotes; both used
    to match nothing, silently.
    """
    attr = comparison.attribute
    lowered = value.lower()
    if lowered in _NULLS:
        if info.enum is not None and lowered in {str(m.value).lower() for m in info.enum}:
            return None  # a real member (Role.none)
        instead = {
            Op.EQ: f"{attr}!=*",
            Op.IN: f"{attr}!=*",
            Op.NE: f"{attr}=*",
            Op.NOT_IN: f"{attr}=*",
        }.get(comparison.op)
        if isinstance(comparison.value, tuple) and len(comparison.value) > 1:
            instead = None  # the other items still count: no one-line fix
        return (
            f"{value!r} is not a null: the query language has none, so it is compared as "
            f"the text {value!r} (a Python None formatted into the query?); write "
            f"'{attr}!=*' to match a missing {attr}, '{attr}=*' a present one",
            instead,
        )
    if len(value) >= 2 and value[0] in _OPENING and value[-1] in _CLOSING:
        inner = value[1:-1]
        straight = f"'{inner}'" if '"' in inner else f'"{inner}"'
        return (
            f"{value!r} is wrapped in typographic quotes, which a query reads as part of "
            f"the value; use straight quotes: {attr}{_spelling(comparison.op)}{straight}",
            straight,
        )
    return None


def _spelling(op: Op) -> str:
    return f" {op.value} " if op.is_word else op.value


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
        valid = is_uuid(value) if info.id_format == "uuid" else is_object_id(value)
        if not valid:
            shape = "a UUID" if info.id_format == "uuid" else "24 letters or digits"
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
    try:
        decode_datetime(value)
    except ValidationError:
        return False
    return True
