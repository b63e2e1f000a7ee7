"""Hypothesis strategies for the accsyn query language.

``queries()`` and ``expressions()`` build canonical ASTs through the public
constructors; ``query_values()`` draws values designed to break naive quoting
(quotes, keywords, parentheses, commas, ``*``, backslashes, unicode, control
characters).
"""

from __future__ import annotations

from hypothesis import strategies as st

from accsyn.query._ast import KEYWORDS, Comparison, Expr, Op, Query, and_, or_

__all__ = [
    "attribute_names",
    "comparisons",
    "entity_type_names",
    "expressions",
    "queries",
    "query_values",
]

_FIRST = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_"
_REST = _FIRST + "0123456789"

_name = st.builds(
    lambda first, rest: first + rest,
    st.sampled_from(_FIRST),
    st.text(alphabet=_REST, max_size=12),
).filter(lambda n: n.lower() not in KEYWORDS)


def entity_type_names() -> st.SearchStrategy[str]:
    """Entity type names in any letter case (never keywords)."""
    return st.one_of(
        st.sampled_from(["Transfer", "transfer", "USER", "Delivery", "folder", "acl"]),
        _name,
    )


def attribute_names() -> st.SearchStrategy[str]:
    """Attribute names, sometimes dotted (``job.id``), in any letter case."""
    return st.lists(_name, min_size=1, max_size=3).map(".".join)


_TRICKY = [
    "",
    " ",
    "*",
    "a*b",
    "* backup",
    "and",
    "OR",
    "in",
    "not",
    "Where",
    "contains",
    "matches",
    "a,b",
    ",",
    "(",
    ")",
    "a)b",
    '"',
    "'",
    "it's",
    'say "hi"',
    "\\",
    "back\\slash",
    "backup.*\\.zip",
    "x=1",
    "a!=b",
    "<>",
    "lisa@example.com",
    "user:6676f3e9c7ef4e27da254e57",
    "2026-01-31T12:00:00",
    "tab\there",
    "new\nline",
    "\x00",
    "\u00a0",
    "caf\u00e9",
    "\U0001f680",
    "status=failed OR 1=1",
]


def query_values(*, renderable: bool = False) -> st.SearchStrategy[str]:
    """Comparison values, biased toward characters that matter to the syntax.

    With ``renderable=True``, values holding both quote characters (which no
    accsyn query string can express) are left out.
    """
    values = st.one_of(
        st.sampled_from(_TRICKY),
        st.text(max_size=20),
        st.text(alphabet="ab \"',()*=!<>\\:@.", max_size=12),
    )
    if renderable:
        values = values.filter(lambda v: not ('"' in v and "'" in v))
    return values


def comparisons(*, renderable: bool = True) -> st.SearchStrategy[Comparison]:
    """Single comparisons with any operator; list values for ``in``/``not in``."""
    scalar_ops = st.sampled_from([op for op in Op if not op.takes_list])
    list_ops = st.sampled_from([Op.IN, Op.NOT_IN])
    scalar = st.builds(
        Comparison, attribute_names(), scalar_ops, query_values(renderable=renderable)
    )
    items = query_values(renderable=renderable).filter(lambda v: "," not in v)
    lists = st.lists(items, min_size=1, max_size=4).map(tuple)
    if renderable:
        lists = lists.filter(lambda t: not any('"' in v for v in t) or not any("'" in v for v in t))
    listed = st.builds(Comparison, attribute_names(), list_ops, lists)
    return st.one_of(scalar, listed)


def expressions(*, max_leaves: int = 12, renderable: bool = True) -> st.SearchStrategy[Expr]:
    """Nested AND/OR expressions, canonical by construction."""
    return st.recursive(
        comparisons(renderable=renderable),
        lambda children: st.one_of(
            st.lists(children, min_size=2, max_size=4).map(lambda c: and_(*c)),
            st.lists(children, min_size=2, max_size=4).map(lambda c: or_(*c)),
        ),
        max_leaves=max_leaves,
    )


def queries(*, renderable: bool = True) -> st.SearchStrategy[Query]:
    """Statements: an entity type with or without WHERE, or a bare expression."""
    return st.one_of(
        st.builds(Query, entity_type_names(), st.none() | expressions(renderable=renderable)),
        st.builds(Query, st.none(), expressions(renderable=renderable)),
    )
