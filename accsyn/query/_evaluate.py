"""Evaluate a query expression against one entity, in Python.

This is the reference implementation of query-language.md §4; the emulator's SQL
compiler (``accsyn.emulator``) calls the same primitives from SQLite, so the two
engines agree by construction, and a property test holds them to it.

Semantics, in short:

* strings compare case-insensitively (both sides ``str.casefold()``-ed);
* ``=`` treats ``*`` in the value as a wildcard for any run of characters;
* ``< <= > >=`` are numeric when the stored value is a number and the query value
  parses as a finite number, chronological when the attribute is a date and both
  sides parse as dates, otherwise case-insensitive string order;
* ``in`` is ``=`` against any item; ``contains`` is a substring test;
  ``matches`` is an unanchored, case-insensitive Python regular expression;
* a missing or null attribute makes ``!=``, ``not in``, ``not contains`` and
  ``not matches`` true and everything else false — every negative operator is
  exactly the negation of its positive twin;
* a reference attribute (``user``, ``source``, …) matches its stored value, the
  id part of a ``type:id`` party string, and the human identifier carried in the
  ``<attr>_hr`` companion (``user:lisa@example.com[standard](<id>)`` → the email);
* a list value matches ``= in contains matches`` when any of its items does;
  ordering compares the list's JSON text.
"""

from __future__ import annotations

import functools
import json
import math
import re
import string
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from enum import Enum
from typing import Any

from accsyn._codec import decode_datetime, encode_date, encode_datetime, is_object_id, to_utc
from accsyn._exceptions import QueryProblem, QueryValidationError, ValidationError
from accsyn.query._ast import And, Comparison, Expr, Op, Or, Query
from accsyn.query._budget import bounded_search
from accsyn.query._schema import Schema

__all__ = ["attribute_kind", "compare_positive", "hr_ident", "id_part", "matches"]

_MISSING: Any = object()
_PREFIX_CHARS = frozenset(string.ascii_letters + "_")
_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\Z")
#: The kind of an attribute the schema does not describe: read from its value.
UNKNOWN = "unknown"


def attribute_kind(entitytype: str | None, attribute: str, schema: Schema | None = None) -> str:
    """Return the kind of ``attribute`` on ``entitytype`` (``"str"``, ``"reference"``, …).

    The kind comes from ``schema``; without one, or for a type or attribute it
    does not describe, the kind is ``"unknown"`` and comparisons read it from the
    stored value. Dotted paths ending in ``.id`` are ids.
    """
    if schema is None:
        # Transitional (remove once the emulator's SQL compiler passes a schema).
        from accsyn.query._validate import _transitional_schema

        schema = _transitional_schema()
    return _kind(entitytype, attribute, schema)


@functools.lru_cache(maxsize=4096)
def _kind(entitytype: str | None, attribute: str, schema: Schema | None) -> str:
    if "." in attribute:
        return "id" if attribute.rsplit(".", 1)[1] == "id" else "str"
    if attribute == "id":
        return "id"
    if entitytype is None or schema is None:
        return UNKNOWN
    resolved = schema.resolve_type(entitytype)
    info = schema.attributes(resolved).get(attribute) if resolved is not None else None
    return UNKNOWN if info is None else str(info.kind)


def _infer_kind(value: Any, hr: Any) -> str:
    """The kind an undescribed attribute's stored value shows."""
    if isinstance(value, datetime):
        return "datetime"
    if isinstance(value, str):
        if isinstance(hr, str):
            return "reference"  # it has a human-readable companion
        kind, sep, ident = value.partition(":")
        if sep and kind.isidentifier() and is_object_id(ident):
            return "reference"  # a ``type:<id>`` party reference
        if value[:4].isdigit() and _parse_datetime(value) is not None:
            return "datetime"
    return "str"


def id_part(value: str) -> str:
    """The id of a ``type:id`` party string (the value itself without a ``:``)."""
    return value.split(":", 1)[1] if ":" in value else value


def hr_ident(hr: str) -> str:
    """The human identifier in an ``_hr`` companion: ``user:a@b.c[standard](id)`` → ``a@b.c``.

    An optional ``type:`` prefix (ASCII letters and ``_``) is dropped, and the text
    stops at the first ``[`` or ``(``.
    """
    cut = len(hr)
    for ch in "[(":
        i = hr.find(ch, 0, cut)
        if i >= 0:
            cut = i
    head = hr[:cut]
    colon = head.find(":")
    if colon > 0 and all(c in _PREFIX_CHARS for c in head[:colon]):
        head = head[colon + 1 :]
    return head.strip()


def _text(value: Any) -> str:
    """The text form a non-string value is compared as."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Enum):
        inner: Any = value.value
        return _text(inner)
    if isinstance(value, datetime):
        return encode_datetime(value)
    if isinstance(value, date):
        return encode_date(value)
    if isinstance(value, int | float):
        return repr(value)
    return json.dumps(value, sort_keys=True, default=str)


def _number(value: Any) -> float | None:
    """The stored value as a finite number, or None (bools are not numbers)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        f = float(value)
    except OverflowError:
        return None
    return f if math.isfinite(f) else None


def _parse_number(text: str) -> float | None:
    if not _NUMBER.match(text.strip()):
        return None
    f = float(text)
    return f if math.isfinite(f) else None


def _parse_datetime(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return to_utc(value)
    if isinstance(value, str):
        try:
            return decode_datetime(value)
        except ValidationError:
            return None
    return None


@functools.lru_cache(maxsize=4096)
def _wildcard(pattern: str) -> Callable[[str], bool]:
    """A matcher for an ``=`` value (already casefolded); ``*`` is any run of characters."""
    if "*" not in pattern:
        return pattern.__eq__
    regex = re.compile(".*".join(re.escape(p) for p in pattern.split("*")), re.DOTALL)
    return lambda s: regex.fullmatch(s) is not None


@functools.lru_cache(maxsize=1024)
def compile_regex(pattern: str, ignore_case: bool = True) -> re.Pattern[str]:
    """Compile a regular expression; an invalid pattern raises QueryValidationError.

    The one compiler of user regexes: ``matches`` values (always case-insensitive)
    and the emulator's ``re('…')`` path filters, whose ``'I'`` flag makes them
    case-sensitive (protocol.md §5.7). Pathological patterns (too deeply nested,
    repeats too large) are invalid patterns too, never a crash.
    """
    try:
        return re.compile(pattern, re.IGNORECASE if ignore_case else 0)
    except (re.error, OverflowError, RecursionError) as exc:
        # A hostile pattern can be megabytes long: the message shows its start.
        shown = repr(pattern if len(pattern) <= 80 else pattern[:80] + "...")
        raise QueryValidationError(
            [QueryProblem(f"invalid regular expression {shown}: {exc}")]
        ) from None


def _candidates(value: str, hr: Any, kind: str) -> tuple[str, ...]:
    """The strings a reference (or plain string) value answers to, casefolded."""
    if kind != "reference":
        return (value.casefold(),)
    out = [value.casefold(), id_part(value).casefold()]
    if isinstance(hr, str):
        out.append(hr_ident(hr).casefold())
    return tuple(out)


def compare_positive(op: Op, query_value: Any, value: Any, hr: Any, kind: str) -> bool:
    """Evaluate a positive operator (``= < <= > >= in contains matches``).

    ``value`` is the stored value (``_MISSING`` or None when absent), ``hr`` its
    ``_hr`` companion (or None), ``kind`` the attribute kind. The SQL compiler
    calls this very function for the comparisons it does not translate to SQL.
    """
    if value is None or value is _MISSING:
        return False
    if kind == UNKNOWN and not isinstance(value, list | tuple):
        kind = _infer_kind(value, hr)
    if isinstance(value, list | tuple):
        if not op.is_ordering:
            return any(compare_positive(op, query_value, item, None, kind) for item in value)
        # Ordering compares the whole list's text: "any item < v" and "any item >= v"
        # can both hold, which would break negation. A list with no present item
        # counts as missing (``!=*`` holds for it), so ordering is false for it too.
        if not compare_positive(Op.EQ, "*", value, None, kind):
            return False
    if op is Op.IN:
        return any(compare_positive(Op.EQ, item, value, hr, kind) for item in query_value)
    if op is Op.EQ:
        num = _number(value)
        if num is not None and "*" not in query_value:
            other = _parse_number(query_value)
            if other is not None:
                return num == other
        match = _wildcard(query_value.casefold())
        return any(match(c) for c in _candidates(_text(value), hr, kind))
    if op is Op.CONTAINS:
        needle = query_value.casefold()
        return any(needle in c for c in _candidates(_text(value), hr, kind))
    if op is Op.MATCHES:
        regex = compile_regex(query_value)
        if kind == "reference" and isinstance(value, str):
            texts: Sequence[str] = (value, id_part(value)) + (
                (hr_ident(hr),) if isinstance(hr, str) else ()
            )
        else:
            texts = (_text(value),)
        return any(bounded_search(regex, t) for t in texts)
    # Ordering.
    a: Any
    b: Any
    num = _number(value)
    other = _parse_number(query_value) if num is not None else None
    if num is not None and other is not None:
        a, b = num, other
    else:
        da = _parse_datetime(value) if kind == "datetime" else None
        db = _parse_datetime(query_value) if da is not None else None
        if da is not None and db is not None:
            a, b = da, db
        else:
            a, b = _text(value).casefold(), query_value.casefold()
    if op is Op.LT:
        return bool(a < b)
    if op is Op.LE:
        return bool(a <= b)
    if op is Op.GT:
        return bool(a > b)
    return bool(a >= b)


def resolve(entity: Mapping[str, Any], attribute: str, kind_of_first: str) -> tuple[Any, Any]:
    """Return ``(value, hr)`` for a possibly dotted attribute of ``entity``.

    A dotted path walks nested dicts; ``job.id`` on a reference string gives the
    id part of the reference.
    """
    if "." not in attribute:
        return entity.get(attribute, _MISSING), entity.get(attribute + "_hr")
    first, *rest = attribute.split(".")
    value = entity.get(first, _MISSING)
    for i, part in enumerate(rest):
        if isinstance(value, Mapping):
            value = value.get(part, _MISSING)
        elif (
            isinstance(value, str)
            and i == 0
            and part == "id"
            and len(rest) == 1
            and kind_of_first == "reference"
        ):
            value = id_part(value)
        else:
            return _MISSING, None
    return value, None


def compare(
    c: Comparison, entity: Mapping[str, Any], entitytype: str | None, schema: Schema | None
) -> bool:
    """Evaluate one comparison against a wire-form entity."""
    first = c.attribute.split(".", 1)[0]
    value, hr = resolve(entity, c.attribute, _kind(entitytype, first, schema))
    kind = _kind(entitytype, c.attribute, schema)
    if c.op.is_negative:
        return not compare_positive(c.op.complement, c.value, value, hr, kind)
    return compare_positive(c.op, c.value, value, hr, kind)


def _wire(entity: Any) -> tuple[Mapping[str, Any], str | None]:
    if isinstance(entity, Mapping):
        return entity, None
    to_wire = getattr(entity, "to_wire", None)
    if callable(to_wire):
        data = to_wire()
        if isinstance(data, Mapping):
            et = getattr(type(entity), "__entitytype__", None)
            return data, et if isinstance(et, str) and et else None
    raise TypeError(f"cannot evaluate a query against {type(entity).__name__}")


def matches(
    expr: Expr | Query,
    entity: Any,
    schema: Schema | None = None,
    *,
    entitytype: str | None = None,
) -> bool:
    """Whether ``entity`` (a model or a wire-form mapping) satisfies ``expr``.

    Implements query-language.md §4; ``matches(~e, x) == (not matches(e, x))`` for
    every expression ``e`` and entity ``x``. A :class:`Query` with no ``where``
    matches everything. ``schema`` (e.g. :data:`accsyn.models.SCHEMA`) gives the
    attribute kinds; without it each kind is read from the stored value (a
    ``type:<id>`` string or one with an ``_hr`` companion is a reference, a
    date-shaped string a date). An invalid ``matches`` regex raises
    QueryValidationError.
    """
    data, model_type = _wire(entity)
    if schema is None:
        # Transitional (remove once the emulator and tests pass a schema).
        from accsyn.query._validate import _transitional_schema

        schema = _transitional_schema()
    if isinstance(expr, Query):
        entitytype = entitytype or expr.entitytype
        if expr.where is None:
            return True
        expr = expr.where
    et = (entitytype or model_type or None) and (entitytype or model_type or "").lower()
    # Iterative post-order walk: expressions may be deeper than the recursion limit.
    results: list[bool] = []
    stack: list[tuple[Expr, bool]] = [(expr, False)]
    while stack:
        node, done = stack.pop()
        if isinstance(node, Comparison):
            results.append(compare(node, data, et, schema))
        elif not done:
            stack.append((node, True))
            stack.extend((child, False) for child in reversed(node.children))
        else:
            n = len(node.children)
            vals = results[len(results) - n :]
            del results[len(results) - n :]
            results.append(all(vals) if isinstance(node, And) else any(vals))
    if not isinstance(expr, Comparison | And | Or):
        raise TypeError(f"expected a query expression, not {type(expr).__name__}")
    return results[0]
