"""The canonical renderer: the only code that writes accsyn query strings.

For every AST ``q``, ``parse(render(q)) == q``. Values are bare when that is
unambiguous, quoted otherwise, and rendering raises :class:`QueryRenderError`
rather than write a string that would mean something else.
"""

from __future__ import annotations

import re

from accsyn._exceptions import QueryRenderError
from accsyn.query._ast import KEYWORDS, And, Comparison, Expr, Or, Query, Value

__all__ = ["MAX_DEPTH", "render", "render_value", "unencodable"]

#: Deepest parenthesis nesting the parser accepts (and so the renderer writes).
MAX_DEPTH = 64

_SAFE = re.compile(r"[A-Za-z0-9@.:/\-_+*]+\Z")


def _quote(value: str) -> str:
    if _SAFE.match(value) and value.lower() not in KEYWORDS:
        return value
    _check_text(value)
    if '"' not in value:
        return f'"{value}"'
    if "'" not in value:
        return f"'{value}'"
    raise QueryRenderError(
        f"cannot render the value {value!r}: it contains both quote characters, and the "
        "accsyn query language has no escape character"
    )


def _check_text(value: str) -> None:
    bad = unencodable(value)
    if bad is not None:
        raise QueryRenderError(
            f"cannot render the value {value!r}: it holds the lone surrogate "
            f"{value[bad]!r} at index {bad}, which is not text any server can receive "
            "(was it decoded with errors='surrogateescape'?)"
        )


def unencodable(text: str) -> int | None:
    """The index of the first character UTF-8 cannot encode (a lone surrogate), or None."""
    if text.isascii():
        return None
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        return exc.start
    return None


def render_value(value: Value) -> str:
    """Render one comparison value (a string, or a tuple for ``in`` lists)."""
    if isinstance(value, str):
        return _quote(value)
    if not value:
        raise QueryRenderError("cannot render an empty list: 'in' needs at least one item")
    if all(_SAFE.match(v) and v.lower() not in KEYWORDS for v in value):
        return ",".join(value)
    for item in value:
        _check_text(item)
        if "," in item:
            raise QueryRenderError(
                f"cannot render the list item {item!r}: a comma inside an item would split it "
                "into two items"
            )
    try:
        return _quote(",".join(value))
    except QueryRenderError:
        raise QueryRenderError(
            f"cannot render the list {value!r}: its items together contain both quote characters"
        ) from None


def _render_comparison(c: Comparison) -> str:
    op = c.op
    if op.is_word:
        return f"{c.attribute} {op.value} {render_value(c.value)}"
    return f"{c.attribute}{op.value}{render_value(c.value)}"


def _render_expr(expr: Expr, depth: int = 0) -> str:
    # ``depth`` is the number of parentheses around ``expr``. Recursion is bounded:
    # past MAX_DEPTH we raise (the parser would refuse the result), long before
    # Python's recursion limit.
    if isinstance(expr, Comparison):
        return _render_comparison(expr)
    if depth > MAX_DEPTH:
        raise QueryRenderError(
            f"cannot render an expression nested more than {MAX_DEPTH} parentheses deep"
        )
    sep = " AND " if isinstance(expr, And) else " OR "
    # A group inside a group of the other kind always gets parentheses; same-kind
    # groups cannot occur (the constructors flatten them).
    return sep.join(
        _render_comparison(child)
        if isinstance(child, Comparison)
        else f"({_render_expr(child, depth + 1)})"
        for child in expr.children
    )


def render(node: Query | Expr) -> str:
    """Render a query or an expression to its one canonical string.

    >>> from accsyn.query import parse
    >>> render(parse("Transfer where (a=1 and b=2) or c<>x"))
    'transfer WHERE (a=1 AND b=2) OR c!=x'
    """
    if isinstance(node, Query):
        if node.where is None:
            return node.entitytype or ""
        expr = _render_expr(node.where)
        return f"{node.entitytype} WHERE {expr}" if node.entitytype else expr
    if isinstance(node, Comparison | And | Or):
        return _render_expr(node)
    raise TypeError(f"render() takes a Query or an expression, not {type(node).__name__}")
