"""The accsyn query language: AST, parser and canonical renderer.

>>> from accsyn.query import parse, render
>>> render(parse("Transfer WHERE status<>failed"))
'transfer WHERE status!=failed'
"""

from accsyn._exceptions import QueryRenderError, QuerySyntaxError
from accsyn.query._ast import (
    KEYWORDS,
    And,
    Comparison,
    Expr,
    Op,
    Or,
    Query,
    Value,
    and_,
    negate,
    or_,
)
from accsyn.query._parser import parse, parse_expression
from accsyn.query._render import render, render_value

__all__ = [
    "KEYWORDS",
    "And",
    "Comparison",
    "Expr",
    "Op",
    "Or",
    "Query",
    "QueryRenderError",
    "QuerySyntaxError",
    "Value",
    "and_",
    "negate",
    "or_",
    "parse",
    "parse_expression",
    "render",
    "render_value",
]
