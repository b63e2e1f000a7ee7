"""The query AST: immutable, hashable, typed nodes shared by every engine.

``Query(entitytype, where)`` holds an optional expression built from
:class:`Comparison` leaves and n-ary :class:`And` / :class:`Or` groups. The
constructors normalise, so every AST that exists is canonical:

* names (entity types, attributes) are lowercased and checked;
* nested groups of the same kind are flattened (``And(a, And(b, c))`` is
  ``And(a, b, c)``), and a group needs at least two children —
  :func:`and_` / :func:`or_` collapse a group of one;
* list operators hold a tuple of strings, the others a single string.

Nodes combine with ``&``, ``|`` and ``~``; ``~`` pushes the negation down to the
leaves (the language has no NOT) so that, under the documented semantics, a
negated expression matches exactly the entities the original does not.
``bool(node)`` raises: ``if expr:`` or ``a < b < c`` would otherwise silently
mean something else.

Source positions (``*_pos``) are filled in by the parser for error reporting and
take no part in equality or hashing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Generic, TypeAlias

from typing_extensions import TypeVar

__all__ = [
    "KEYWORDS",
    "And",
    "Comparison",
    "Expr",
    "Op",
    "Or",
    "Query",
    "Value",
    "and_",
    "negate",
    "or_",
]

#: Reserved words: never entity types, attribute names or bare values.
KEYWORDS: frozenset[str] = frozenset({"where", "and", "or", "in", "not", "contains", "matches"})

_NAME = re.compile(r"[a-z_][a-z0-9_]*\Z")

Value: TypeAlias = "str | tuple[str, ...]"


class Op(str, Enum):
    """A comparison operator; the value is its canonical spelling."""

    EQ = "="
    NE = "!="
    LT = "<"
    LE = "<="
    GT = ">"
    GE = ">="
    IN = "in"
    NOT_IN = "not in"
    CONTAINS = "contains"
    NOT_CONTAINS = "not contains"
    MATCHES = "matches"
    NOT_MATCHES = "not matches"

    @property
    def takes_list(self) -> bool:
        """Whether the right-hand side is a list (``in`` / ``not in``)."""
        return self is Op.IN or self is Op.NOT_IN

    @property
    def is_word(self) -> bool:
        """Whether the operator is written as words (rendered with spaces)."""
        return self.value[0].isalpha()

    @property
    def is_ordering(self) -> bool:
        """Whether the operator orders values (``< <= > >=``)."""
        return self in _ORDERING

    @property
    def is_negative(self) -> bool:
        """Whether the operator is true for a missing attribute (``!=``, ``not …``)."""
        return self in _NEGATIVE

    @property
    def complement(self) -> Op:
        """The operator matching exactly where this one does not, for present values."""
        return _COMPLEMENT[self]

    def __str__(self) -> str:
        return self.value


_ORDERING = frozenset({Op.LT, Op.LE, Op.GT, Op.GE})
_NEGATIVE = frozenset({Op.NE, Op.NOT_IN, Op.NOT_CONTAINS, Op.NOT_MATCHES})
_COMPLEMENT = {
    Op.EQ: Op.NE,
    Op.NE: Op.EQ,
    Op.LT: Op.GE,
    Op.GE: Op.LT,
    Op.GT: Op.LE,
    Op.LE: Op.GT,
    Op.IN: Op.NOT_IN,
    Op.NOT_IN: Op.IN,
    Op.CONTAINS: Op.NOT_CONTAINS,
    Op.NOT_CONTAINS: Op.CONTAINS,
    Op.MATCHES: Op.NOT_MATCHES,
    Op.NOT_MATCHES: Op.MATCHES,
}


def _check_name(name: str, what: str, dotted: bool) -> str:
    if not isinstance(name, str):
        raise TypeError(f"{what} must be a str, not {type(name).__name__}")
    lowered = name.lower()
    parts = lowered.split(".") if dotted else [lowered]
    for part in parts:
        if not _NAME.match(part) or part in KEYWORDS:
            raise ValueError(
                f"invalid {what} {name!r}: use letters, digits and underscores"
                + (" separated by dots" if dotted else "")
                + ", not starting with a digit, and not a keyword"
            )
    return lowered


class _Node:
    """Behaviour shared by expression nodes: combinators and a refusing ``bool``."""

    __slots__ = ()

    def __and__(self, other: Expr) -> Expr:
        return and_(self, other)  # type: ignore[arg-type]

    def __or__(self, other: Expr) -> Expr:
        return or_(self, other)  # type: ignore[arg-type]

    def __invert__(self) -> Expr:
        return negate(self)  # type: ignore[arg-type]

    def __bool__(self) -> bool:
        raise TypeError(
            "a query expression has no truth value; combine expressions with & and |, "
            "not 'and'/'or', and don't chain comparisons (a < x < b)"
        )


@dataclass(frozen=True, slots=True)
class Comparison(_Node):
    """``attribute op value``, e.g. ``status != failed`` or ``type in 0,2``."""

    attribute: str
    op: Op
    value: Value
    attribute_pos: int | None = field(default=None, compare=False, repr=False)
    value_pos: int | None = field(default=None, compare=False, repr=False)
    #: The entity type of the model field this comparison was built from
    #: (``Transfer.status == x`` → ``"transfer"``), so validation can refuse a field
    #: of another model; None for parsed text and plain constructors.
    origin: str | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "attribute", _check_name(self.attribute, "attribute", True))
        op = Op(self.op)
        object.__setattr__(self, "op", op)
        value = self.value
        if op.takes_list:
            if isinstance(value, str):
                value = (value,)
            elif isinstance(value, tuple | list):
                value = tuple(value)
            else:
                raise TypeError(f"the value of '{op}' must be a tuple of str")
            if not all(isinstance(v, str) for v in value):
                raise TypeError(f"the items of an '{op}' list must be str")
        elif not isinstance(value, str):
            raise TypeError(
                f"the value of '{op}' must be a str, not {type(value).__name__}"
                + (" (use in / not in for lists)" if isinstance(value, tuple | list) else "")
            )
        object.__setattr__(self, "value", value)


@dataclass(frozen=True, slots=True)
class And(_Node):
    """All children must match. Construct with ``and_(...)`` or ``a & b``."""

    children: tuple[Expr, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "children", _flatten(And, self.children))


@dataclass(frozen=True, slots=True)
class Or(_Node):
    """At least one child must match. Construct with ``or_(...)`` or ``a | b``."""

    children: tuple[Expr, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "children", _flatten(Or, self.children))


Expr: TypeAlias = "Comparison | And | Or"


def _flatten(kind: type[And] | type[Or], children: tuple[Expr, ...]) -> tuple[Expr, ...]:
    flat: list[Expr] = []
    for child in children:
        if isinstance(child, kind):
            flat.extend(child.children)
        elif isinstance(child, Comparison | And | Or):
            flat.append(child)
        else:
            raise TypeError(
                f"{kind.__name__} children must be expressions, not {type(child).__name__}"
            )
    if len(flat) < 2:
        raise ValueError(
            f"{kind.__name__} needs at least two children; use "
            f"{kind.__name__.lower()}_(...) to combine any number"
        )
    return tuple(flat)


def and_(*exprs: Expr) -> Expr:
    """Combine expressions with AND; one expression is returned as is."""
    if not exprs:
        raise ValueError("and_() needs at least one expression")
    if len(exprs) == 1:
        return _expect_expr(exprs[0])
    return And(exprs)


def or_(*exprs: Expr) -> Expr:
    """Combine expressions with OR; one expression is returned as is."""
    if not exprs:
        raise ValueError("or_() needs at least one expression")
    if len(exprs) == 1:
        return _expect_expr(exprs[0])
    return Or(exprs)


def _expect_expr(e: object) -> Expr:
    if isinstance(e, Comparison | And | Or):
        return e
    raise TypeError(f"expected a query expression, not {type(e).__name__}")


def negate(expr: Expr) -> Expr:
    """Return the expression matching exactly the entities ``expr`` does not.

    Comparisons flip to their complementary operator; De Morgan's laws handle
    groups. An ordering comparison is false for a missing attribute, and so is its
    complement, so its negation also admits missing values (``attr!=*``).
    Iterative, so arbitrarily deep expressions are fine.
    """
    # Post-order walk with an explicit stack: (node, children_done).
    out: list[Expr] = []
    stack: list[tuple[Expr, bool]] = [(expr, False)]
    while stack:
        node, done = stack.pop()
        if isinstance(node, Comparison):
            out.append(_negate_comparison(node))
        elif not done:
            stack.append((node, True))
            stack.extend((child, False) for child in reversed(node.children))
        else:
            n = len(node.children)
            negated = out[len(out) - n :]
            del out[len(out) - n :]
            out.append(Or(tuple(negated)) if isinstance(node, And) else And(tuple(negated)))
    return out[0]


def _negate_comparison(c: Comparison) -> Expr:
    flipped = Comparison(
        c.attribute, c.op.complement, c.value, c.attribute_pos, c.value_pos, c.origin
    )
    if c.op.is_ordering:
        return Or((flipped, Comparison(c.attribute, Op.NE, "*", origin=c.origin)))
    return flipped


#: The model a query selects (``Transfer.where(...)`` is a ``Query[Transfer]``); ``Any``
#: for a query parsed from a string, whose entity type is known only at run time.
M_co = TypeVar("M_co", covariant=True, default=Any)


@dataclass(frozen=True, slots=True)
class Query(Generic[M_co]):
    """A statement: ``entitytype [WHERE where]``.

    ``entitytype`` is ``None`` for a bare expression whose entity type comes from
    context. ``source`` is the text the query was parsed from, if any. The type
    parameter is static only: ``Transfer.where(...)`` is a ``Query[Transfer]``, so
    ``session.find()`` of it returns ``list[Transfer]``.
    """

    entitytype: str | None
    where: Expr | None = None
    entitytype_pos: int | None = field(default=None, compare=False, repr=False)
    source: str | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.entitytype is not None:
            object.__setattr__(
                self, "entitytype", _check_name(self.entitytype, "entity type", False)
            )
        elif self.where is None:
            raise ValueError("a query needs an entity type, an expression, or both")
        if self.where is not None:
            _expect_expr(self.where)

    def __str__(self) -> str:
        from accsyn.query._render import render

        return render(self)
