"""The static view of field expressions: which values and operators each kind of field takes.

At run time every ``Model.field`` is one :class:`~accsyn.query.FieldExpr`, and
validation (on every path, see ``Session(validate=...)``) rejects a value the field
cannot have. This module gives type checkers the same knowledge *before* the code
runs. The models' type stubs (``accsyn/models/__init__.pyi``, generated from the
models by ``python -m accsyn.models._stubgen``) annotate each field as
``Field[<instance value type>, <expression type>]``; the expression types below
accept only what the field's kind allows. Each one's last parameter ``R`` is the
field's value type again (``StrExpr[str | None]``): every expression is a
:class:`Column` ``[R]``, which is how ``select(Transfer.name, Transfer.size)`` types
its rows as ``tuple[str | None, int | None]``.

=====================  =========================================================
expression type        accepts
=====================  =========================================================
``EnumExpr[E, L, R]``  ``==``, ``!=``, ``in_``, ``not_in`` with a member of ``E``
                       or one of its values ``L`` (a ``Literal`` union)
``StrExpr[R]``         ``==``, ``!=``, ``in_``, ``not_in``, ``contains``,
                       ``matches``, ``like`` (and negations) with ``str``
``NumExpr[N, R]``      equality, membership and ordering with numbers
``DateExpr[R]``        equality and ordering with ``datetime`` / ``date``
``BoolExpr[R]``        ``==`` / ``!=`` with ``bool``
``IdExpr[R]``          equality and membership with an id ``str``
``RefExpr[R]``         equality and membership with an id, a code/email ``str``,
                       a :class:`~accsyn.models.PartyRef` or a fetched entity
``ObjectExpr[R]``      nothing: nested objects are not queryable
=====================  =========================================================

``==`` and ``!=`` cannot be refused outright (Python lets any object compare), so
a value of the wrong kind makes them return :class:`InvalidComparison`, which no
query method accepts: ``session.transfers.where(Transfer.status != "faild")`` is
an error on that line in mypy and pyright. The offending overload is also marked
``@deprecated``, so pyright (strict) and mypy with ``enable_error_code =
deprecated`` point at the comparison itself. A bare ``str`` given to ``in_`` (a
``str`` is an iterable of characters) is refused the same way.

None of these classes exists at run time beyond its name: they are aliases of
:class:`~accsyn.query.FieldExpr`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Generic, Protocol, final, overload

from typing_extensions import Never, TypeVar, deprecated

from accsyn.query._ast import Comparison, Expr
from accsyn.query._builder import FieldExpr

__all__ = [
    "BoolExpr",
    "Column",
    "DateExpr",
    "EnumExpr",
    "Field",
    "IdExpr",
    "InvalidComparison",
    "NumExpr",
    "ObjectExpr",
    "RefExpr",
    "StrExpr",
    "SupportsQueryValue",
]

V = TypeVar("V")
X = TypeVar("X")
S = TypeVar("S", default=V)
E = TypeVar("E")
L = TypeVar("L")
N = TypeVar("N", int, float)
#: What a projected row holds for a field (its value type, e.g. ``str | None``).
R_co = TypeVar("R_co", covariant=True)

_WRONG_VALUE = "this value is not one the field can have (see the field's type)"
_WRONG_KIND = "this operator does not apply to the field's kind"
_BARE_STR = "in_()/not_in() take a list, tuple or set; a str is a sequence of characters"


class SupportsQueryValue(Protocol):
    """A value that knows its query text: a :class:`~accsyn.models.PartyRef`, an entity."""

    def __accsyn_query_value__(self) -> str:
        """The text a query compares with (an id, or ``<type>:<id>``)."""
        ...


@final
class InvalidComparison:
    """What comparing a field with a value it can never have gives, statically.

    No query method accepts it, so the mistake is a type error where it is used.
    At run time the same comparison is rejected by validation.
    """


if TYPE_CHECKING:

    class Field(Generic[V, X, S]):
        """A model field: ``Model.field`` is an expression ``X``, ``entity.field`` a ``V``.

        ``S`` is what assignment takes (``V`` unless said otherwise: an enum field
        also takes its values as plain strings, as validation converts them).
        """

        @overload
        def __get__(self, instance: None, owner: Any, /) -> X: ...
        @overload
        def __get__(self, instance: object, owner: Any, /) -> V: ...
        def __get__(self, instance: object, owner: Any, /) -> X | V: ...
        def __set__(self, instance: object, value: S, /) -> None: ...

    class Column(Generic[R_co]):
        """What every field expression is: a column whose selected rows hold ``R_co``.

        ``select(Transfer.name, Transfer.status)`` reads the value types of its
        columns, so its rows are ``tuple[str | None, JobStatus | None]``.
        """

        name: str
        entitytype: str | None

    class _Expr(Column[R_co]):
        """What every field expression has: its name and entity type, and no truth value."""

        def __bool__(self) -> Never: ...
        def __hash__(self) -> int: ...

    class _Equality(_Expr[R_co], Generic[R_co, X]):
        # X is the type of the values this expression may be compared with.
        @overload  # type: ignore[override]
        def __eq__(self, value: X, /) -> Comparison: ...
        @overload
        @deprecated(_WRONG_VALUE)
        def __eq__(self, value: object, /) -> InvalidComparison: ...
        def __eq__(self, value: object, /) -> Comparison | InvalidComparison: ...  # pyright: ignore[reportIncompatibleMethodOverride]
        @overload  # type: ignore[override]
        def __ne__(self, value: X, /) -> Comparison: ...
        @overload
        @deprecated(_WRONG_VALUE)
        def __ne__(self, value: object, /) -> InvalidComparison: ...
        def __ne__(self, value: object, /) -> Comparison | InvalidComparison: ...  # pyright: ignore[reportIncompatibleMethodOverride]
        @overload
        @deprecated(_BARE_STR)
        def in_(self, values: str, /) -> InvalidComparison: ...  # type: ignore[overload-overlap]
        @overload
        def in_(self, values: Iterable[X], /) -> Expr: ...
        def in_(self, values: Iterable[X] | str, /) -> Expr | InvalidComparison: ...
        @overload
        @deprecated(_BARE_STR)
        def not_in(self, values: str, /) -> InvalidComparison: ...  # type: ignore[overload-overlap]
        @overload
        def not_in(self, values: Iterable[X], /) -> Expr: ...
        def not_in(self, values: Iterable[X] | str, /) -> Expr | InvalidComparison: ...

    class _Ordering(_Equality[R_co, X]):
        def __lt__(self, value: X, /) -> Comparison: ...
        def __le__(self, value: X, /) -> Comparison: ...
        def __gt__(self, value: X, /) -> Comparison: ...
        def __ge__(self, value: X, /) -> Comparison: ...

    class EnumExpr(_Equality[R_co, E | L], Generic[E, L, R_co]):
        """An enumerated field: compares with a member of ``E`` or one of its values ``L``."""

    class StrExpr(_Equality[R_co, str]):
        """A text field: equality, membership, substring, regex and wildcard matches."""

        def contains(self, value: str, /) -> Comparison: ...
        def not_contains(self, value: str, /) -> Comparison: ...
        def matches(self, pattern: str, /) -> Comparison: ...
        def not_matches(self, pattern: str, /) -> Comparison: ...
        def like(self, pattern: str, /) -> Comparison: ...
        def not_like(self, pattern: str, /) -> Comparison: ...

    class NumExpr(_Ordering[R_co, N], Generic[N, R_co]):
        """A number field: equality, membership and ordering with numbers."""

    class DateExpr(_Ordering[R_co, datetime | date]):
        """A date field: equality and ordering with ``datetime`` / ``date`` (naive = UTC)."""

    class BoolExpr(_Equality[R_co, bool]):
        """A flag: ``==`` / ``!=`` with ``True`` or ``False``."""

    class IdExpr(_Equality[R_co, str]):
        """An entity's id: equality and membership with an id string."""

    class RefExpr(_Equality[R_co, str | SupportsQueryValue]):
        """A reference to another entity: an id, a code or email, a PartyRef or an entity."""

    class ObjectExpr(_Expr[R_co]):
        """A nested object (dict, list, endpoint): not comparable in queries."""

else:
    # At run time every field expression is a FieldExpr; these names exist for imports
    # and annotations in user code.
    Field = Column = FieldExpr
    EnumExpr = StrExpr = NumExpr = DateExpr = BoolExpr = FieldExpr
    IdExpr = RefExpr = ObjectExpr = FieldExpr
