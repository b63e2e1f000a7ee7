"""Compile a query AST to an SQLite WHERE clause that agrees with ``accsyn.query.matches``.

Entities live in one table with their wire form as JSON plus *hot columns*: the
casefolded text of a few much-queried attributes (and, for references, the id part
and the human identifier from the ``_hr`` companion), each indexed. ``=``, ``in``
and ``contains`` on a hot attribute become plain SQL over those columns (so
indexes apply); every other comparison calls back into the Python evaluator's own
primitive (:func:`accsyn.query._evaluate.compare_positive`) through a registered
deterministic SQL function, so both engines share one definition of a match.

Which attributes are hot is derived from the models' attribute kinds (see
:func:`_hot_attributes`). A hot column is filled only when the stored value is a
string. When some row of a type holds a non-string value in a hot attribute (an
"irregular" attribute), the compiled SQL adds a fallback to the Python primitive for
rows whose hot column is NULL; for clean data that branch is left out and the SQL
stays index-friendly.
"""

from __future__ import annotations

import functools
import json
import sqlite3
import threading
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta, timezone
from typing import Any

from accsyn.models import SCHEMA, specs
from accsyn.query._ast import And, Comparison, Expr, Op, Or
from accsyn.query._evaluate import (
    _MISSING,
    _parse_datetime,
    attribute_kind,
    compare_positive,
    compile_regex,
    hr_ident,
    id_part,
    resolve,
)

__all__ = [
    "HOT_PLAIN",
    "HOT_REFERENCE",
    "compile_where",
    "hot_columns",
    "hot_values",
    "register_functions",
]

#: The text attributes that identify an entity (searched by ``=`` most of all).
_IDENTIFYING = ("name", "code")


def _hot_attributes() -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """``(plain, reference, dates)`` hot attributes, read from the models' kinds.

    Plain: the identifying text attributes and every enumerated one. Reference:
    every reference that has an ``_hr`` companion (so its id and its human
    identifier get columns). Dates: every date attribute.
    """
    plain: set[str] = set(_IDENTIFYING)
    reference: set[str] = set()
    dates: set[str] = set()
    for spec in specs().values():
        for name, info in spec.attributes.items():
            if info.kind == "enum":
                plain.add(name)
            elif info.kind == "reference" and f"{name}_hr" in spec.attributes:
                reference.add(name)
            elif info.kind == "datetime":
                dates.add(name)
    return tuple(sorted(plain - reference)), tuple(sorted(reference)), tuple(sorted(dates))


#: Attributes kept as casefolded text columns.
#: Reference attributes: the value, its id part and its human identifier.
#: Date attributes, kept as integer microseconds since the epoch for ordering.
HOT_PLAIN, HOT_REFERENCE, HOT_DATES = _hot_attributes()

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_MICROSECOND = timedelta(microseconds=1)


_WIRE_DATE_DIGITS = (slice(0, 4), slice(5, 7), slice(8, 10), slice(11, 13), slice(14, 16))


def _is_wire_date(text: str) -> bool:
    # Exactly ``YYYY-MM-DDTHH:MM:SS``: the form the emulator stores.
    return (
        len(text) == 19
        and text[4] == text[7] == "-"
        and text[10] == "T"
        and text[13] == text[16] == ":"
        and text[17:].isdigit()
        and all(text[s].isdigit() for s in _WIRE_DATE_DIGITS)
    )


def _micros(value: Any) -> int | None:
    """A date string as exact integer microseconds (None if it does not parse)."""
    if not isinstance(value, str):
        return None
    if _is_wire_date(value):
        # The evaluator reads this exact form as the same UTC instant; C parses it
        # several times faster, which bulk loads of 100,000 rows notice.
        try:
            dt: datetime | None = datetime.fromisoformat(value).replace(tzinfo=timezone.utc)
        except ValueError:  # e.g. month 13: let the evaluator's reading decide
            dt = _parse_datetime(value)
    else:
        dt = _parse_datetime(value)
    return None if dt is None else (dt - _EPOCH) // _MICROSECOND


def hot_columns() -> list[str]:
    """Every hot column name, in table order."""
    cols = [f"h_{a}" for a in HOT_PLAIN]
    for a in HOT_REFERENCE:
        cols += [f"h_{a}", f"h_{a}_id", f"h_{a}_hr"]
    cols += [f"h_{a}_ts" for a in HOT_DATES]
    return cols


HOT_ATTRIBUTES = frozenset(HOT_PLAIN + HOT_REFERENCE)


def hot_values(data: Mapping[str, Any]) -> tuple[list[str | int | None], list[str]]:
    """The hot column values for a wire-form entity, and its irregular attributes."""
    out: list[str | int | None] = []
    irregular: list[str] = []
    for a in HOT_PLAIN:
        v = data.get(a)
        if v is not None and not isinstance(v, str):
            irregular.append(a)
        out.append(v.casefold() if isinstance(v, str) else None)
    for a in HOT_REFERENCE:
        v = data.get(a)
        if isinstance(v, str):
            hr = data.get(a + "_hr")
            out += [
                v.casefold(),
                id_part(v).casefold(),
                hr_ident(hr).casefold() if isinstance(hr, str) else None,
            ]
        else:
            if v is not None:
                irregular.append(a)
            out += [None, None, None]
    for a in HOT_DATES:
        v = data.get(a)
        ts = _micros(v)
        if ts is None and v is not None:
            irregular.append(a)
        out.append(ts)
    return out, irregular


@functools.lru_cache(maxsize=4096)
def _spec(spec: str) -> tuple[Op, Any, str, str, str]:
    op_s, value, attribute, kind, kind_first = json.loads(spec)
    return Op(op_s), tuple(value) if isinstance(value, list) else value, attribute, kind, kind_first


#: The exception a UDF raised on this thread (SQLite only reports that one happened).
_udf_failure = threading.local()


def take_udf_error() -> BaseException | None:
    """The exception the last failed ``acs_cmp`` call raised on this thread, once."""
    exc: BaseException | None = getattr(_udf_failure, "exc", None)
    _udf_failure.exc = None
    return exc


def _udf_compare(spec: str, value_json: str | None, hr_json: str | None) -> int:
    try:
        return _udf_compare_inner(spec, value_json, hr_json)
    except Exception as exc:
        _udf_failure.exc = exc
        raise


def _udf_compare_inner(spec: str, value_json: str | None, hr_json: str | None) -> int:
    op, qv, attribute, kind, kind_first = _spec(spec)
    first = attribute.split(".", 1)[0]
    value = _MISSING if value_json is None else json.loads(value_json)
    hr = None if hr_json is None else json.loads(hr_json)
    if "." in attribute:
        value, hr = resolve({first: value}, attribute, kind_first)
    return 1 if compare_positive(op, qv, value, hr, kind) else 0


def register_functions(conn: sqlite3.Connection) -> None:
    """Register the SQL function the compiled clauses call (``acs_cmp``)."""
    conn.create_function("acs_cmp", 3, _udf_compare, deterministic=True)


def _glob_escape(text: str) -> str:
    return "".join("[" + ch + "]" if ch in "[?" else ch for ch in text)


class _Compiler:
    def __init__(self, entitytype: str | None, irregular: Iterable[str]) -> None:
        self.et = entitytype
        self.irregular = frozenset(irregular)
        self.params: list[Any] = []

    def udf(self, c: Comparison, op: Op) -> str:
        first = c.attribute.split(".", 1)[0]
        spec = json.dumps(
            [
                op.value,
                list(c.value) if isinstance(c.value, tuple) else c.value,
                c.attribute,
                attribute_kind(self.et, c.attribute, SCHEMA),
                attribute_kind(self.et, first, SCHEMA),
            ]
        )
        self.params += [spec, f"$.{first}", f"$.{first}_hr"]
        return "acs_cmp(?, data -> ?, data -> ?)"

    def eq(self, col: str, value: str) -> str:
        folded = value.casefold()
        if "*" in folded:
            self.params.append(_glob_escape(folded))
            return f"{col} GLOB ?"
        self.params.append(folded)
        return f"{col} = ?"

    def hot(self, c: Comparison, op: Op) -> str:
        a = c.attribute
        reference = a in HOT_REFERENCE and attribute_kind(self.et, a, SCHEMA) == "reference"
        cols = [f"h_{a}", f"h_{a}_id", f"h_{a}_hr"] if reference else [f"h_{a}"]
        terms: list[str] = []
        values = c.value if isinstance(c.value, tuple) else (c.value,)
        for value in values:
            for col in cols:
                if op is Op.CONTAINS:
                    self.params.append(value.casefold())
                    terms.append(f"instr({col}, ?) > 0")
                else:
                    terms.append(self.eq(col, value))
        if a in self.irregular:
            terms.append(f"(h_{a} IS NULL AND {self.udf(c, op)})")
        return "(" + " OR ".join(terms) + ")" if len(terms) > 1 else terms[0]

    def dates(self, c: Comparison, op: Op) -> str | None:
        """Native SQL for ordering a hot date by a date value, else None."""
        a = c.attribute
        if a not in HOT_DATES or attribute_kind(self.et, a, SCHEMA) != "datetime":
            return None
        ts = _micros(c.value)
        if ts is None:
            return None
        self.params.append(ts)
        sql = f"h_{a}_ts {op.value} ?"
        if a in self.irregular:
            sql = f"({sql} OR (h_{a}_ts IS NULL AND {self.udf(c, op)}))"
        return sql

    def positive(self, c: Comparison, op: Op) -> str:
        if op is Op.MATCHES:
            compile_regex(c.value if isinstance(c.value, str) else "")
        if op.is_ordering:
            native = self.dates(c, op)
            if native is not None:
                return native
        if c.attribute in HOT_ATTRIBUTES and op in (Op.EQ, Op.IN, Op.CONTAINS):
            return self.hot(c, op)
        return self.udf(c, op)

    def comparison(self, c: Comparison) -> str:
        if c.op.is_negative:
            # NULL-free before NOT: a NULL would make the negation NULL (false) too.
            return f"NOT IFNULL({self.positive(c, c.op.complement)}, 0)"
        return self.positive(c, c.op)

    def expr(self, node: Expr) -> str:
        # Iterative post-order, like the evaluator: no recursion limit to hit.
        out: list[str] = []
        stack: list[tuple[Expr, bool]] = [(node, False)]
        while stack:
            n, done = stack.pop()
            if isinstance(n, Comparison):
                out.append(self.comparison(n))
            elif not done:
                stack.append((n, True))
                stack.extend((child, False) for child in reversed(n.children))
            else:
                k = len(n.children)
                parts = out[len(out) - k :]
                del out[len(out) - k :]
                joiner = " AND " if isinstance(n, And) else " OR "
                out.append("(" + joiner.join(parts) + ")")
        return out[0]


def compile_where(
    expr: Expr, entitytype: str | None, irregular: Iterable[str] = ()
) -> tuple[str, list[Any]]:
    """Compile ``expr`` to ``(sql, params)`` for the emulator's entity table.

    ``irregular`` names the hot attributes for which some stored row has a
    non-string value. An invalid ``matches`` regex raises QueryValidationError.
    """
    if not isinstance(expr, Comparison | And | Or):
        raise TypeError(f"expected a query expression, not {type(expr).__name__}")
    try:
        sql, params = _compile_cached(expr, entitytype, frozenset(irregular))
    except RecursionError:
        # Hashing a very deep tree recurses; compile it without the cache.
        return _compile(expr, entitytype, irregular)
    return sql, list(params)


def _compile(expr: Expr, entitytype: str | None, irregular: Iterable[str]) -> tuple[str, list[Any]]:
    comp = _Compiler(entitytype, irregular)
    sql = comp.expr(expr)
    return sql, comp.params


@functools.lru_cache(maxsize=1024)
def _compile_cached(
    expr: Expr, entitytype: str | None, irregular: frozenset[str]
) -> tuple[str, tuple[Any, ...]]:
    # The AST is immutable and compiling is a pure function of these arguments, so
    # repeated queries (polling, paging) skip the compiler. Errors are not cached.
    sql, params = _compile(expr, entitytype, irregular)
    return sql, tuple(params)
