"""Parse accsyn query strings into the AST, with errors that point at the column.

The grammar is data (``grammar/accsyn.lark``); this module builds one LALR parser
with an inline transformer, so parsing builds AST nodes directly with no parse
tree in between. Every failure becomes a :class:`QuerySyntaxError`: for any input
string, :func:`parse` returns a :class:`Query` or raises that, nothing else.
"""

from __future__ import annotations

import functools
import re
import threading
from importlib import resources
from pathlib import Path
from typing import Any, NoReturn

from lark import Lark, Token
from lark.exceptions import LarkError, UnexpectedCharacters, UnexpectedInput, UnexpectedToken
from lark.parsers.lalr_analysis import Shift

from accsyn._exceptions import QueryRenderError, QuerySyntaxError
from accsyn.query._ast import KEYWORDS, And, Comparison, Expr, Op, Or, Query
from accsyn.query._render import MAX_DEPTH, render_value, unencodable

__all__ = ["grammar_text", "parse", "parse_expression"]

#: Distinct query strings whose parse result is kept (parsing is pure, ASTs immutable).
CACHE_SIZE = 4096

_SYMOPS = {
    "=": Op.EQ,
    "!=": Op.NE,
    "<>": Op.NE,
    "<": Op.LT,
    "<=": Op.LE,
    ">": Op.GT,
    ">=": Op.GE,
}


def grammar_text() -> str:
    """Return the text of the query grammar (``grammar/accsyn.lark``)."""
    # Installed wheels carry the grammar inside the package; a source checkout
    # (editable install) reads the single copy at the repository root.
    packaged = resources.files("accsyn").joinpath("_grammar/accsyn.lark")
    if packaged.is_file():
        return packaged.read_text(encoding="utf-8")
    return (Path(__file__).resolve().parents[2] / "grammar" / "accsyn.lark").read_text(
        encoding="utf-8"
    )


class _Abort(Exception):
    """Raised inside transformer callbacks; converted to QuerySyntaxError."""

    def __init__(self, reason: str, position: int, expected: tuple[str, ...] = ()) -> None:
        super().__init__(reason)
        self.reason = reason
        self.position = position
        self.expected = expected


def _unquote(tok: Token) -> str:
    text = str(tok)
    return text[1:-1] if tok.type != "BARE" else text


def _cmp(name: Token, op: Op, value: Token) -> Comparison:
    # The grammar already guarantees a valid lowercase-able name and a str value,
    # so skip the public constructor's checks: this is the parser's hot path.
    c = object.__new__(Comparison)
    setattr_ = object.__setattr__
    setattr_(c, "attribute", str(name).lower())
    setattr_(c, "op", op)
    setattr_(c, "value", _unquote(value))
    setattr_(c, "attribute_pos", name.start_pos)
    setattr_(c, "value_pos", value.start_pos)
    setattr_(c, "origin", None)
    return c


def _cmp_list(name: Token, op: Op, items: tuple[tuple[str, ...], int]) -> Comparison:
    values, pos = items
    c = object.__new__(Comparison)
    setattr_ = object.__setattr__
    setattr_(c, "attribute", str(name).lower())
    setattr_(c, "op", op)
    setattr_(c, "value", values)
    setattr_(c, "attribute_pos", name.start_pos)
    setattr_(c, "value_pos", pos)
    setattr_(c, "origin", None)
    return c


def _checked_list(values: tuple[str, ...], pos: int) -> tuple[tuple[str, ...], int]:
    # A list that cannot be written back would break parse(render(q)) == q;
    # reject it here, where we can still point at it.
    try:
        render_value(values)
    except QueryRenderError as exc:
        raise _Abort(f"this list cannot be represented: {exc}", pos) from None
    return values, pos


def _group(kind: type[And] | type[Or], children: list[Expr]) -> Expr:
    flat: list[Expr] = []
    for child in children:
        if type(child) is kind:
            flat.extend(child.children)
        else:
            flat.append(child)
    node = object.__new__(kind)
    object.__setattr__(node, "children", tuple(flat))
    return node


class _Builder:
    """Inline transformer callbacks: one per grammar rule alias."""

    def where_statement(self, c: list[Any]) -> Query:
        return _query(c[0], c[1])

    def type_statement(self, c: list[Any]) -> Query:
        return _query(c[0], None)

    def bare_statement(self, c: list[Any]) -> Query:
        q = object.__new__(Query)
        object.__setattr__(q, "entitytype", None)
        object.__setattr__(q, "where", c[0])
        object.__setattr__(q, "entitytype_pos", None)
        object.__setattr__(q, "source", None)
        return q

    def or_expr(self, c: list[Expr]) -> Expr:
        return _group(Or, c)

    def and_expr(self, c: list[Expr]) -> Expr:
        return _group(And, c)

    def cmp(self, c: list[Token]) -> Comparison:
        return _cmp(c[0], _SYMOPS[str(c[1])], c[2])

    def cmp_in(self, c: list[Any]) -> Comparison:
        return _cmp_list(c[0], Op.IN, c[2])

    def cmp_not_in(self, c: list[Any]) -> Comparison:
        return _cmp_list(c[0], Op.NOT_IN, c[3])

    def cmp_contains(self, c: list[Token]) -> Comparison:
        return _cmp(c[0], Op.CONTAINS, c[2])

    def cmp_not_contains(self, c: list[Token]) -> Comparison:
        return _cmp(c[0], Op.NOT_CONTAINS, c[3])

    def cmp_matches(self, c: list[Token]) -> Comparison:
        return _cmp(c[0], Op.MATCHES, c[2])

    def cmp_not_matches(self, c: list[Token]) -> Comparison:
        return _cmp(c[0], Op.NOT_MATCHES, c[3])

    def bare_list(self, c: list[Token]) -> tuple[tuple[str, ...], int]:
        return tuple(str(t) for t in c), c[0].start_pos or 0

    def quoted_list(self, c: list[Token]) -> tuple[tuple[str, ...], int]:
        return _checked_list(tuple(_unquote(c[0]).split(",")), c[0].start_pos or 0)

    def paren_list(self, c: list[Token]) -> tuple[tuple[str, ...], int]:
        items: list[str] = []
        for tok in c:
            if tok.type == "BARE":
                items.append(str(tok))
            else:
                # A quoted item is split on its commas, like a quoted list.
                items.extend(_unquote(tok).split(","))
        # The list starts at its "(", one character before the first item at the least.
        start = c[0].start_pos or 0
        return _checked_list(tuple(items), max(start - 1, 0))


def _query(name: Token, where: Expr | None) -> Query:
    text = str(name)
    if "." in text:
        raise _Abort(
            f"the entity type {text!r} cannot contain a dot",
            name.start_pos or 0,
            ("an entity type",),
        )
    q = object.__new__(Query)
    object.__setattr__(q, "entitytype", text.lower())
    object.__setattr__(q, "where", where)
    object.__setattr__(q, "entitytype_pos", name.start_pos)
    object.__setattr__(q, "source", None)
    return q


class _Tok(str):
    """A token: the matched text, plus the two fields the callbacks read."""

    type: str
    start_pos: int


class _Engine:
    """Lark's LALR tables driven by a tight loop and a per-state lexer.

    Lark compiles ``grammar/accsyn.lark`` into the parse table and the tree-builder
    callbacks; this class only replaces the generic driver. Each parser state gets
    one compiled regular expression for exactly the terminals that state accepts
    (what Lark's contextual lexer does), with the ignored whitespace folded in,
    so a token costs one ``match``. Terminals Lark would filter out (``_AND``,
    ``_LPAR``…) are never materialised. Anything unexpected returns ``None``, and
    the caller re-parses with Lark itself to raise its precise error; a property
    test checks both paths build the same AST.
    """

    def __init__(self, lark: Lark) -> None:
        inner = lark.parser.parser.parser  # ParsingFrontend -> LALR_Parser -> _Parser
        table = inner.parse_table
        callbacks = inner.callbacks
        self.lark = lark
        self.start: int = table.start_states["start"]
        self.end: int = table.end_states["start"]
        patterns = {t.name: t.pattern.to_regexp() for t in lark.terminals}
        ignore = "|".join(patterns[name] for name in lark.ignore_tokens)
        order = [t.name for t in lark.terminals if t.name not in lark.ignore_tokens]
        self.actions: dict[int, dict[str, tuple[bool, Any]]] = {}
        self.lexers: dict[int, re.Pattern[str] | None] = {}
        for state, acts in table.states.items():
            converted: dict[str, tuple[bool, Any]] = {}
            for symbol, (action, arg) in acts.items():
                if action is Shift:
                    converted[str(symbol)] = (True, arg)
                else:
                    converted[str(symbol)] = (
                        False,
                        (callbacks[arg], len(arg.expansion), str(arg.origin.name)),
                    )
            self.actions[state] = converted
            terminals = [name for name in order if name in acts]
            self.lexers[state] = (
                re.compile(
                    f"(?:{ignore})?(?:"
                    + "|".join(f"(?P<{name}>{patterns[name]})" for name in terminals)
                    + ")"
                )
                if terminals
                else None
            )
        self.trailing = re.compile(f"(?:{ignore})?\\Z")

    def parse(self, text: str) -> Any:
        actions = self.actions
        lexers = self.lexers
        end = self.end
        states = [self.start]
        values: list[Any] = []
        pos = 0
        new_token = str.__new__
        while True:
            lexer = lexers[states[-1]]
            m = lexer.match(text, pos) if lexer is not None else None
            term: str | None = m.lastgroup if m is not None else None
            tok: _Tok | None = None
            if term is None:
                if self.trailing.match(text, pos) is None:
                    return None
                term = "$END"
            else:
                assert m is not None
                pos = m.end()
                if term[0] != "_":
                    tok = new_token(_Tok, m.group(term))
                    tok.type = term
                    tok.start_pos = m.start(term)
            while True:
                act = actions[states[-1]].get(term)
                if act is None:
                    return None
                if act[0]:
                    states.append(act[1])
                    values.append(tok)
                    break
                callback, size, origin = act[1]
                if size:
                    children = values[-size:]
                    del states[-size:]
                    del values[-size:]
                else:
                    children = []
                values.append(callback(children))
                states.append(actions[states[-1]][origin][1])
                if term == "$END" and states[-1] == end:
                    return values[-1]


_engine: _Engine | None = None
_engine_lock = threading.Lock()


def _get_engine() -> _Engine:
    global _engine
    if _engine is None:
        with _engine_lock:
            if _engine is None:
                lark = Lark(
                    grammar_text(),
                    parser="lalr",
                    lexer="contextual",
                    transformer=_Builder(),
                    maybe_placeholders=False,
                )
                _engine = _Engine(lark)
    return _engine


def _get_parser() -> Lark:
    """The underlying Lark parser (used for its precise error reporting)."""
    return _get_engine().lark


# --- errors -------------------------------------------------------------------

_WORDS: dict[str, str] = {
    "NAME": "an attribute name",
    "SYMOP": "an operator",
    "IN": "an operator",
    "NOT": "an operator",
    "CONTAINS": "an operator",
    "MATCHES": "an operator",
    "BARE": "a value",
    "DQSTRING": "a value",
    "SQSTRING": "a value",
    "_LPAR": "`(`",
    "LPAR": "`(`",
    "_RPAR": "`)`",
    "RPAR": "`)`",
    "_COMMA": "`,`",
    "COMMA": "`,`",
    "_AND": "AND or OR",
    "_OR": "AND or OR",
    "_WHERE": "WHERE",
    "$END": "the end of the query",
}
_ORDER = [
    "an entity type",
    "an attribute name",
    "WHERE",
    "an operator",
    "in, contains or matches",
    "a value",
    "`(`",
    "`,`",
    "AND or OR",
    "`)`",
    "the end of the query",
]


def _expected_words(terminals: set[str] | frozenset[str]) -> tuple[str, ...]:
    if terminals and terminals <= {"IN", "CONTAINS", "MATCHES"}:
        return ("in, contains or matches",)
    words = {_WORDS.get(t, t.lower().strip("_")) for t in terminals}
    return tuple(sorted(words, key=lambda w: _ORDER.index(w) if w in _ORDER else len(_ORDER)))


_COMMA_HINT = (
    "unexpected `,` (to compare with several values use `in`, as in `status in a,b`, "
    "or quote a value that contains a comma)"
)


def _translate_lark(exc: UnexpectedInput, text: str) -> QuerySyntaxError:
    if isinstance(exc, UnexpectedToken):
        tok = exc.token
        # The interactive parser knows what this state really accepts, including the
        # end of input; `exc.expected` can list tokens of merged LALR states.
        ip = exc.interactive_parser
        expected = _expected_words(
            ip.accepts() if ip is not None else exc.expected  # type: ignore[no-untyped-call]
        )
        if tok.type == "$END":
            expected = _at_start(expected, text, len(text))
            return QuerySyntaxError("unexpected end of query", text, len(text), expected)
        pos = tok.start_pos if tok.start_pos is not None else len(text)
        expected = _at_start(expected, text, pos)
        word = str(tok)
        if tok.type == "_COMMA" and "a value" not in expected:
            reason = _COMMA_HINT
        elif word.lower() in KEYWORDS and "a value" in expected:
            reason = f"unexpected keyword `{word}` (quote it to use it as a value)"
        elif word.lower() in KEYWORDS and "an attribute name" in expected:
            reason = f"unexpected keyword `{word}` (keywords cannot be attribute names)"
        else:
            reason = f"unexpected `{word}`"
        return QuerySyntaxError(reason, text, pos, expected)
    if isinstance(exc, UnexpectedCharacters):
        pos = exc.pos_in_stream or 0
        expected = _expected_words(exc.allowed or set())
        ch = text[pos] if pos < len(text) else ""
        if ch in "\"'":
            reason = "unterminated string"
            expected = (f"a closing {ch}",)
        elif ch == "," and "a value" not in expected:
            reason = _COMMA_HINT
        else:
            word = _word_at(text, pos)
            if word.lower() in KEYWORDS:
                reason = f"unexpected keyword `{word}`"
                if "a value" in expected:
                    reason += " (quote it to use it as a value)"
            elif word:
                reason = f"unexpected `{word}`"
            else:
                reason = f"unexpected character {ch!r}"
        return QuerySyntaxError(reason, text, pos, expected)
    return QuerySyntaxError(str(exc).split("\n", 1)[0], text, 0)


#: Quote look-alikes (from documents and chat) that a query reads as ordinary characters.
_TYPOGRAPHIC = frozenset("\u201c\u201d\u201e\u201f\u2018\u2019\u201a\u201b\u00ab\u00bb")


_NOT_QUOTES = " (\u201c \u201d \u2018 \u2019 are not quotes in a query: use \" or ')"


def _translate(exc: UnexpectedInput, text: str) -> QuerySyntaxError:
    error = _translate_lark(exc, text)
    if _TYPOGRAPHIC.intersection(text):
        # `name=\u201cmy file\u201d` fails at `file\u201d`: say why.
        reason = error.reason + _NOT_QUOTES
        return QuerySyntaxError(reason, error.text, error.position, error.expected)
    return error


def _at_start(expected: tuple[str, ...], text: str, pos: int) -> tuple[str, ...]:
    # Before the first token a statement may also start with its entity type.
    if text[:pos].strip() or "an attribute name" not in expected:
        return expected
    return tuple(
        "an entity type or an expression" if w == "an attribute name" else w for w in expected
    )


def _word_at(text: str, pos: int) -> str:
    end = pos
    while end < len(text) and (text[end].isalnum() or text[end] in "_."):
        end += 1
    return text[pos:end]


def _too_deep(text: str) -> int | None:
    """Position of the first "(" nested deeper than MAX_DEPTH, if any."""
    depth = 0
    i = 0
    n = len(text)
    while i < n:
        ch = text[i]
        if ch == '"' or ch == "'":
            close = text.find(ch, i + 1)
            if close == -1:
                return None  # the parser reports the unterminated string
            i = close
        elif ch == "(":
            depth += 1
            if depth > MAX_DEPTH:
                return i
        elif ch == ")":
            depth -= 1
        i += 1
    return None


def _fail(reason: str, text: str, pos: int, expected: tuple[str, ...] = ()) -> NoReturn:
    raise QuerySyntaxError(reason, text, pos, expected)


def _parse_uncached(text: str) -> Query:
    bad = unencodable(text)
    if bad is not None:
        # Shown with U+FFFD in its place (same length, so the caret still points at it):
        # a message holding the surrogate itself could not even be printed.
        shown = "".join("\ufffd" if "\ud800" <= ch <= "\udfff" else ch for ch in text)
        _fail(
            f"the query holds the lone surrogate {text[bad]!r}, which is not text any "
            "server can receive (was it decoded with errors='surrogateescape'?)",
            shown,
            bad,
        )
    if text.count("(") > MAX_DEPTH:
        deep = _too_deep(text)
        if deep is not None:
            # Report an earlier syntax error first, if the text before has one.
            try:
                _get_parser().parse(text[:deep])
            except UnexpectedToken as exc:
                if exc.token.type != "$END":
                    raise _translate(exc, text) from None
            except UnexpectedCharacters as exc:
                raise _translate(exc, text) from None
            except (LarkError, _Abort):
                pass
            _fail(f"parentheses nested more than {MAX_DEPTH} deep", text, deep)
    engine = _get_engine()
    try:
        result: Query | None = engine.parse(text)
        if result is None:
            # The fast path gives up on any error: let Lark raise the precise one.
            result = engine.lark.parse(text)  # type: ignore[assignment]
            assert result is not None
    except _Abort as exc:
        raise QuerySyntaxError(exc.reason, text, exc.position, exc.expected) from None
    except UnexpectedInput as exc:
        raise _translate(exc, text) from None
    except LarkError as exc:  # pragma: no cover - defensive: lark internals
        raise QuerySyntaxError(f"invalid query ({type(exc).__name__})", text, 0) from None
    except RecursionError:  # pragma: no cover - defensive
        _fail("query too complex", text, 0)
    # AND inside OR (and vice versa) renders with parentheses even where the text
    # relied on precedence, so check the rendered depth too: every query that parses
    # must render. Each "(" adds at most two group levels, so only deep texts pay.
    if result.where is not None and text.count("(") * 2 + 1 > MAX_DEPTH:
        _check_group_depth(result.where, text)
    object.__setattr__(result, "source", text)
    return result


def _check_group_depth(expr: Expr, text: str) -> None:
    """Raise if rendering ``expr`` would need more than MAX_DEPTH parentheses."""
    stack: list[tuple[Expr, int]] = [(expr, 0)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, Comparison):
            continue
        if depth > MAX_DEPTH:
            first: Expr = node
            while not isinstance(first, Comparison):
                first = first.children[0]
            _fail(
                f"expression nested more than {MAX_DEPTH} levels deep (an AND group "
                "inside an OR group, or the reverse, counts as a level)",
                text,
                first.attribute_pos or 0,
            )
        stack.extend((child, depth + 1) for child in node.children)


_parse_cached = functools.lru_cache(maxsize=CACHE_SIZE)(_parse_uncached)


def parse(text: str) -> Query:
    """Parse a query statement (``Transfer WHERE status!=failed``) or bare expression.

    A bare expression gives a ``Query`` whose ``entitytype`` is ``None``. Results
    for repeated strings come from a bounded cache (the AST is immutable).

    Raises:
        QuerySyntaxError: the text does not parse; its message shows where.
    """
    if not isinstance(text, str):
        raise TypeError(f"parse() takes a str, not {type(text).__name__}")
    return _parse_cached(text)


def parse_expression(text: str) -> Expr:
    """Parse a bare expression (``status!=failed AND user=lisa@example.com``)."""
    q = parse(text)
    if q.where is None:
        _fail("expected an expression", text, len(text.rstrip()), ("an operator",))
    if q.entitytype is not None:
        _fail(
            "expected a bare expression, not a statement with an entity type",
            text,
            q.entitytype_pos or 0,
            ("an attribute name",),
        )
    return q.where
