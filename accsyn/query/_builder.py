"""Typed field expressions: ``Transfer.status != "failed"`` builds a query AST.

Class access to a model field (``Transfer.status``) gives a :class:`FieldExpr`;
its operators return :class:`~accsyn.query.Comparison` nodes that combine with
``&``, ``|`` and ``~``. Python values are turned into query text by
:func:`query_value` (query-language.md §3). A builder value never changes the
structure of a query: ``==`` with a ``*`` in the value is written as an anchored,
escaped regex, never as a wildcard; :meth:`FieldExpr.like` is the explicit wildcard.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import date, datetime
from enum import Enum
from typing import Generic, TypeVar

from accsyn._codec import encode_date, encode_datetime
from accsyn._exceptions import QueryValidationError, ValidationError
from accsyn.query._ast import Comparison, Expr, Op, and_, or_

__all__ = ["FieldExpr", "query_value"]

T = TypeVar("T")


def query_value(value: object) -> str:
    """Convert a Python value to the text a query compares with.

    ``str`` as is; ``bool`` → ``true``/``false``; numbers → ``str()``; an ``Enum`` →
    its value; a ``datetime`` → UTC ``YYYY-MM-DDTHH:MM:SS`` (a naive one is taken
    as UTC, see :mod:`accsyn._codec`); a ``date`` → ``YYYY-MM-DDT00:00:00``; a model
    instance → its id; a party reference → ``<type>:<id>``.
    """
    if isinstance(value, str):
        # A str-based Enum is a str too; the enum's value is what the server knows.
        return str(value.value) if isinstance(value, Enum) else value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Enum):
        return query_value(value.value)
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, datetime):
        return encode_datetime(value)
    if isinstance(value, date):
        return encode_date(value)
    hook = getattr(value, "__accsyn_query_value__", None)
    if hook is not None:
        result = hook()
        if isinstance(result, str):
            return result
    raise ValidationError(f"a {type(value).__name__} value cannot be used in a query")


def _items(values: Iterable[object], op: str, convert: Callable[[object], str]) -> tuple[str, ...]:
    if isinstance(values, str | bytes) or not isinstance(values, Iterable):
        raise ValidationError(f"{op}() takes a list, tuple or set of values")
    items = tuple(convert(v) for v in values)
    if not items:
        raise ValidationError(f"{op}() needs at least one value")
    return items


def _exact(value: str) -> str:
    return "^" + re.escape(value) + "$"


class FieldExpr(Generic[T]):
    """A model attribute used in a query, e.g. ``Transfer.status``.

    Comparisons return :class:`~accsyn.query.Comparison` nodes; ``bool()`` of
    one raises, so ``if Transfer.status == "x":`` fails loudly.
    """

    __slots__ = ("entitytype", "name")

    def __init__(self, name: str, entitytype: str | None = None) -> None:
        self.name = name
        self.entitytype = entitytype

    def __repr__(self) -> str:
        where = f"{self.entitytype}." if self.entitytype else ""
        return f"FieldExpr({where}{self.name})"

    def __hash__(self) -> int:
        return hash((FieldExpr, self.entitytype, self.name))

    def _c(self, op: Op, value: str | tuple[str, ...]) -> Comparison:
        # Every comparison remembers the model it came from (validation refuses a
        # field of another model).
        return Comparison(self.name, op, value, origin=self.entitytype)

    def _cmp(self, op: Op, value: object) -> Comparison:
        return self._c(op, self._value(value))

    def _value(self, value: object) -> str:
        if value is None:
            # The text path refuses `name=None` the same way (validation).
            name = self.name
            raise ValidationError(
                f"cannot compare {name} with None: the query language has no null; "
                f".not_like('*') (in text '{name}!=*') matches a missing {name}, "
                f".like('*') ('{name}=*') a present one"
            )
        return query_value(value)

    def __eq__(self, value: object) -> Comparison:  # type: ignore[override]
        text = self._value(value)
        if "*" in text:
            # '=' would treat '*' as a wildcard on the server; compare literally.
            return self._c(Op.MATCHES, _exact(text))
        return self._c(Op.EQ, text)

    def __ne__(self, value: object) -> Comparison:  # type: ignore[override]
        text = self._value(value)
        if "*" in text:
            return self._c(Op.NOT_MATCHES, _exact(text))
        return self._c(Op.NE, text)

    def __lt__(self, value: object) -> Comparison:
        return self._cmp(Op.LT, value)

    def __le__(self, value: object) -> Comparison:
        return self._cmp(Op.LE, value)

    def __gt__(self, value: object) -> Comparison:
        return self._cmp(Op.GT, value)

    def __ge__(self, value: object) -> Comparison:
        return self._cmp(Op.GE, value)

    def in_(self, values: Iterable[object]) -> Expr:
        """``attribute in a,b,c``; items holding a ``*`` are compared literally."""
        return self._membership(_items(values, "in_", self._value), negated=False)

    def not_in(self, values: Iterable[object]) -> Expr:
        """``attribute not in a,b,c``; items holding a ``*`` are compared literally."""
        return self._membership(_items(values, "not_in", self._value), negated=True)

    def _membership(self, items: tuple[str, ...], *, negated: bool) -> Expr:
        # `in` would treat a `*` as a wildcard, so such items become anchored regexes:
        # any of them (OR) for `in_`, none of them (AND) for `not_in`.
        list_op, regex_op = (Op.NOT_IN, Op.NOT_MATCHES) if negated else (Op.IN, Op.MATCHES)
        literal = [v for v in items if "*" in v]
        if not literal:
            return self._c(list_op, items)
        plain = tuple(v for v in items if "*" not in v)
        parts: list[Expr] = [self._c(regex_op, _exact(v)) for v in literal]
        if plain:
            parts.insert(0, self._c(list_op, plain))
        return and_(*parts) if negated else or_(*parts)

    def contains(self, value: object) -> Comparison:
        """``attribute contains value`` (substring, case-insensitive)."""
        return self._cmp(Op.CONTAINS, value)

    def not_contains(self, value: object) -> Comparison:
        """``attribute not contains value``."""
        return self._cmp(Op.NOT_CONTAINS, value)

    def matches(self, pattern: str) -> Comparison:
        """``attribute matches pattern`` (Python regex, searched, case-insensitive)."""
        return self._c(Op.MATCHES, _regex(pattern))

    def not_matches(self, pattern: str) -> Comparison:
        """``attribute not matches pattern``."""
        return self._c(Op.NOT_MATCHES, _regex(pattern))

    def like(self, pattern: str) -> Comparison:
        """``attribute=pattern`` with ``*`` as a wildcard, e.g. ``.like("* backup")``."""
        return self._c(Op.EQ, _text(pattern, "like"))

    def not_like(self, pattern: str) -> Comparison:
        """``attribute!=pattern`` with ``*`` as a wildcard."""
        return self._c(Op.NE, _text(pattern, "not_like"))

    def __bool__(self) -> bool:
        raise TypeError(
            f"a field expression ({self.name}) has no truth value; compare it with a value"
        )


def _text(value: object, what: str) -> str:
    if not isinstance(value, str):
        raise ValidationError(f"{what}() takes a str pattern, not {type(value).__name__}")
    return value


def _regex(pattern: object) -> str:
    from accsyn.query._evaluate import compile_regex  # the one judge of a pattern

    text = _text(pattern, "matches")
    try:
        compile_regex(text)
    except QueryValidationError as exc:
        raise ValidationError(exc.problems[0].message) from None
    return text
