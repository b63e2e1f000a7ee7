"""Hypothesis strategies: transfer-like wire entities and query expressions over them.

Values come from small pools so that generated expressions match some entities and
miss others (an expression that matches nothing tests nothing).
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from accsyn.query import Comparison, Expr, Op, and_, or_

STATUSES = ("waiting", "running", "paused", "failed", "aborted", "done")
NAMES = ("daily backup", "Backup 2", "render out", "dailies.zip", "x", "A*B", "ümlaut")
USERS = (
    ("6676f3e9c7ef4e27da254e57", "lisa@example.com"),
    ("6676f3e9c7ef4e27da254e58", "bob@example.com"),
)
DATES = ("2026-01-01T00:00:00", "2026-06-15T12:30:00", "2027-03-01T08:00:00")

_maybe = st.booleans()


@st.composite
def wire_transfers(draw: st.DrawFn) -> dict[str, Any]:
    """A transfer as the server sends it; any attribute may be missing or null."""
    row: dict[str, Any] = {"id": f"{draw(st.integers(0, 2**96 - 1)):024x}"}

    def maybe(name: str, value: st.SearchStrategy[Any]) -> None:
        choice = draw(st.integers(0, 5))
        if choice == 0:
            return  # missing
        row[name] = None if choice == 1 else draw(value)

    maybe("status", st.sampled_from(STATUSES))
    maybe("name", st.sampled_from(NAMES))
    maybe("size", st.sampled_from((-1, 0, 5, 100, 2**40)))
    maybe("speed", st.sampled_from((-1.0, 0.5, 12.25)))
    maybe("created", st.sampled_from(DATES))
    if draw(_maybe):
        uid, email = draw(st.sampled_from(USERS))
        row["user"] = uid
        row["user_hr"] = f"user:{email}[standard]({uid})"
    return row


_TEXT_VALUES = st.sampled_from(
    (
        *STATUSES,
        *NAMES,
        "back",
        "daily*",
        "*up",
        "*",
        "",
        "5",
        "100",
        "-1",
        "0.5",
        "2026-06-15T12:30:00",
        "2026-03-01",
        "lisa@example.com",
        "6676f3e9c7ef4e27da254e57",
    )
)
_REGEXES = st.sampled_from(("^daily", "backup$", r"\d", "B.*p", "^$", "ü"))
_ATTRS = st.sampled_from(("status", "name", "size", "speed", "created", "user", "code"))


@st.composite
def comparisons(draw: st.DrawFn) -> Comparison:
    """One comparison, with every operator of the language."""
    attr = draw(_ATTRS)
    op = draw(st.sampled_from(list(Op)))
    if op.takes_list:
        items = draw(st.lists(_TEXT_VALUES.filter(lambda v: "," not in v), min_size=1, max_size=3))
        return Comparison(attr, op, tuple(items))
    if op in (Op.MATCHES, Op.NOT_MATCHES):
        return Comparison(attr, op, draw(_REGEXES))
    return Comparison(attr, op, draw(_TEXT_VALUES))


def expressions(max_leaves: int = 8) -> st.SearchStrategy[Expr]:
    """Nested AND/OR expressions (with negations) over :func:`comparisons`."""
    return st.recursive(
        comparisons(),
        lambda children: st.one_of(
            st.lists(children, min_size=2, max_size=3).map(lambda xs: and_(*xs)),
            st.lists(children, min_size=2, max_size=3).map(lambda xs: or_(*xs)),
            children.map(lambda e: ~e),
        ),
        max_leaves=max_leaves,
    )
