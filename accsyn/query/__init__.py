"""The accsyn query language: AST, parser, canonical renderer, validation and evaluation.

The language knows no models: :func:`validate` and :func:`matches` take a
:class:`Schema` (the models' is :data:`accsyn.models.SCHEMA`).

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
from accsyn.query._builder import FieldExpr, query_value
from accsyn.query._evaluate import matches
from accsyn.query._parser import parse, parse_expression
from accsyn.query._render import render, render_value
from accsyn.query._schema import AttributeInfo, AttributeKind, Schema
from accsyn.query._typed import Column
from accsyn.query._validate import validate

__all__ = [
    "KEYWORDS",
    "And",
    "AttributeInfo",
    "AttributeKind",
    "Column",
    "Comparison",
    "Expr",
    "FieldExpr",
    "Op",
    "Or",
    "Query",
    "QueryRenderError",
    "QuerySyntaxError",
    "Schema",
    "Value",
    "and_",
    "matches",
    "negate",
    "or_",
    "parse",
    "parse_expression",
    "query_value",
    "render",
    "render_value",
    "validate",
]

# Public objects report the public module they are reached through.
for _name in ("FieldExpr", "Query", "Comparison", "And", "Or", "Op", "AttributeInfo", "Schema"):
    globals()[_name].__module__ = __name__
del _name
