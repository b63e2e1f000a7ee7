"""Queries in code the Python 3 parser refuses (Python 2 scripts: Nuke, Maya, …), by tokens.

Python 3's tokenizer reads Python 2 source (print statements, ``except X, e``, ``ur""``)
well enough to find ``<receiver>.find("…")`` calls. Receivers are taken as sessions when
they are bound in the file to a session class (``s = accsyn_api.Session(…)``) or are a
configured session name; otherwise the text must look like ``<entity type> WHERE …``.
The query is a string literal (adjacent literals concatenated), a ``%`` or ``.format``
template, or a ``+`` concatenation, checked like in Python 3 code; anything else is
counted as skipped.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from collections.abc import Collection

from accsyn.lint._check import QueryChecker
from accsyn.lint._python import STATEMENT_METHODS
from accsyn.lint._rules import FileResult
from accsyn.lint._skeleton import Hole, check_skeleton

__all__ = ["scan_tokens"]

_SESSION_CLASSES = frozenset({"Session", "AsyncSession"})
_SESSION_MODULES = frozenset({"accsyn", "accsyn_api", "accsyn.compat", "accsyn.session"})
_PRINTF = re.compile(
    r"%(?:\([^)]*\))?[#0\- +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?([diouxXeEfFgGcrsa%])"
)
_FORMAT_FIELD = re.compile(r"\{\{|\}\}|\{([^{}]*)\}")
_SKIP = frozenset({tokenize.NL, tokenize.COMMENT, tokenize.INDENT, tokenize.DEDENT})


def _tokens(text: str) -> list[tokenize.TokenInfo]:
    found: list[tokenize.TokenInfo] = []
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type not in _SKIP:
                found.append(token)
    except (tokenize.TokenError, SyntaxError, ValueError):
        pass  # keep what was read up to the point the tokenizer gave up
    return found


def _string_value(token: str) -> str | None:
    prefix = re.match(r"[A-Za-z]*", token)
    letters = prefix.group(0).lower() if prefix else ""
    if "b" in letters or "f" in letters:
        return None
    try:
        value = ast.literal_eval(token[len(letters) :] if "u" in letters else token)
    except (ValueError, SyntaxError):
        return None
    return value if isinstance(value, str) else None


def _dotted_before(tokens: list[tokenize.TokenInfo], end: int) -> tuple[str, int]:
    """The dotted name ending just before ``tokens[end]`` and the index where it starts."""
    names: list[str] = []
    i = end - 1
    while i >= 0 and tokens[i].type == tokenize.NAME:
        names.append(tokens[i].string)
        if i >= 1 and tokens[i - 1].string == ".":
            i -= 2
            continue
        break
    return ".".join(reversed(names)), i


def _session_bindings(tokens: list[tokenize.TokenInfo]) -> set[str]:
    """Names bound to a session class in this file (``s = accsyn_api.Session(…)``)."""
    constructors = {f"{m}.{c}" for m in _SESSION_MODULES for c in _SESSION_CLASSES}
    for i, token in enumerate(tokens):
        # from accsyn_api import Session [as S]
        if token.string == "from" and i + 1 < len(tokens):
            module, j = [], i + 1
            while j < len(tokens) and tokens[j].string != "import":
                module.append(tokens[j].string)
                j += 1
            if "".join(module) not in _SESSION_MODULES:
                continue
            j += 1
            while (
                j < len(tokens)
                and tokens[j].type in (tokenize.NAME, tokenize.OP)
                and tokens[j].string not in (";",)
            ):
                if tokens[j].string in _SESSION_CLASSES:
                    alias = tokens[j].string
                    if j + 2 < len(tokens) and tokens[j + 1].string == "as":
                        alias = tokens[j + 2].string
                    constructors.add(alias)
                if tokens[j].type == tokenize.NEWLINE:
                    break
                j += 1
    bound: set[str] = set()
    for i, token in enumerate(tokens):
        if token.string != "=" or i + 1 >= len(tokens):
            continue
        target, _ = _dotted_before(tokens, i)
        j = i + 1
        callee: list[str] = []
        while j < len(tokens) and (tokens[j].type == tokenize.NAME or tokens[j].string == "."):
            callee.append(tokens[j].string)
            j += 1
        if (
            target
            and j < len(tokens)
            and tokens[j].string == "("
            and "".join(callee) in constructors
        ):
            bound.add(target)
    return bound


class _TokenScanner:
    def __init__(
        self,
        tokens: list[tokenize.TokenInfo],
        checker: QueryChecker,
        sessions: Collection[str],
        result: FileResult,
        line_offset: int,
    ) -> None:
        self.tokens = tokens
        self.checker = checker
        self.sessions = sessions
        self.result = result
        self.line_offset = line_offset

    def position(self, token: tokenize.TokenInfo, offset: int | None = None) -> tuple[int, int]:
        row, col = token.start
        if offset is not None:
            raw = token.string
            prefix = len(re.match(r"[A-Za-z]*", raw).group(0))  # type: ignore[union-attr]
            quote = 3 if raw[prefix : prefix + 3] in ('"""', "'''") else 1
            body = raw[prefix + quote : len(raw) - quote]
            if body == _string_value(raw):
                inner = prefix + quote + offset
                newlines = raw.count("\n", 0, inner)
                if newlines:
                    return row + newlines + self.line_offset, inner - raw.rfind("\n", 0, inner)
                col += inner
        return row + self.line_offset, col + 1

    def run(self) -> None:
        tokens = self.tokens
        for i in range(2, len(tokens) - 2):
            token = tokens[i]
            if (
                token.type != tokenize.NAME
                or token.string not in STATEMENT_METHODS
                or tokens[i - 1].string != "."
                or tokens[i + 1].string != "("
            ):
                continue
            receiver, _ = _dotted_before(tokens, i - 1)
            if not receiver:
                continue  # "text".find(…) and friends
            self._call(receiver, i + 2, token)

    def _call(self, receiver: str, start: int, method: tokenize.TokenInfo) -> None:
        tokens = self.tokens
        parts: list[tuple[str | Hole, tokenize.TokenInfo, int]] = []
        j = start
        if j + 1 < len(tokens) and tokens[j].string == "query" and tokens[j + 1].string == "=":
            j += 2
        strings: list[tokenize.TokenInfo] = []
        while j < len(tokens):
            token = tokens[j]
            if token.type == tokenize.NAME and token.string.lower() == "ur" and j + 1 < len(tokens):
                # Python 2's ur"..." reads as the name `ur` glued to a string.
                following = tokens[j + 1]
                if following.type == tokenize.STRING and following.start == token.end:
                    strings.append(
                        following._replace(
                            string=token.string + following.string, start=token.start
                        )
                    )
                    j += 2
                    continue
            if token.type != tokenize.STRING:
                break
            strings.append(token)
            j += 1
        known = receiver in self.sessions
        site = method.start[0] + self.line_offset
        if not strings:
            if known and j < len(tokens) and tokens[j].string != ")":
                row, col = tokens[j].start
                self.result.skip(
                    "the query is a variable or the result of a call",
                    row + self.line_offset,
                    col + 1,
                    site,
                )
            return
        values = [_string_value(s.string) for s in strings]
        if any(v is None for v in values):
            if known:
                row, col = strings[0].start
                self.result.skip(
                    "dynamic query (f-string in non-Python 3 source)",
                    row + self.line_offset,
                    col + 1,
                    site,
                )
            return
        text = "".join(v for v in values if v is not None)
        if not known and not self.checker.looks_like_query(text):
            return
        follow = tokens[j].string if j < len(tokens) else ")"
        for token, value in zip(strings, values, strict=True):
            parts.append((value or "", token, 0))
        if follow in (")", ","):
            pass
        elif follow == "%":
            parts = self._template(parts, _PRINTF, "diouxXeEfFgG")
        elif follow == "." and j + 1 < len(tokens) and tokens[j + 1].string == "format":
            parts = self._template(parts, _FORMAT_FIELD, None)
        elif follow == "+":
            parts = self._concatenation(parts, j)
        else:
            row, col = strings[0].start
            self.result.skip(
                "dynamic query (Python 2 source)", row + self.line_offset, col + 1, site
            )
            return
        self._check(parts, strings[0], site)

    def _template(
        self,
        parts: list[tuple[str | Hole, tokenize.TokenInfo, int]],
        pattern: re.Pattern[str],
        numeric: str | None,
    ) -> list[tuple[str | Hole, tokenize.TokenInfo, int]]:
        out: list[tuple[str | Hole, tokenize.TokenInfo, int]] = []
        for text, token, _ in parts:
            assert isinstance(text, str)
            last = 0
            for match in pattern.finditer(text):
                out.append((text[last : match.start()], token, last))
                last = match.end()
                group = match.group(1)
                if match.group(0) in ("%%", "{{", "}}"):
                    out.append((match.group(0)[0], token, match.start()))
                    continue
                is_number = numeric is not None and group is not None and group in numeric
                is_number = is_number or (
                    numeric is None and bool(re.search(r":.*[dfgeEn]\Z", group or ""))
                )
                out.append(
                    (Hole("int" if is_number else "str", match.group(0)), token, match.start())
                )
            out.append((text[last:], token, last))
        return out

    def _concatenation(
        self, parts: list[tuple[str | Hole, tokenize.TokenInfo, int]], j: int
    ) -> list[tuple[str | Hole, tokenize.TokenInfo, int]]:
        tokens = self.tokens
        depth = 0
        hole: list[str] = []
        while j < len(tokens):
            token = tokens[j]
            if (depth == 0 and token.string in (")", ",")) or token.type == tokenize.NEWLINE:
                break
            depth += {"(": 1, "[": 1, "{": 1, ")": -1, "]": -1, "}": -1}.get(token.string, 0)
            if depth == 0 and token.string == "+":
                if hole:
                    parts.append((Hole("str", " ".join(hole)), token, 0))
                    hole = []
            elif depth == 0 and token.type == tokenize.STRING and not hole:
                value = _string_value(token.string)
                parts.append((value, token, 0) if value is not None else (Hole(), token, 0))
            else:
                hole.append(token.string)
            j += 1
        if hole:
            parts.append((Hole("str", " ".join(hole)), tokens[j - 1], 0))
        return parts

    def _check(
        self,
        parts: list[tuple[str | Hole, tokenize.TokenInfo, int]],
        first: tokenize.TokenInfo,
        site: int,
    ) -> None:
        pieces = [p for p, _, _ in parts]
        found = check_skeleton(pieces, self.checker)
        for index, inner, problem in found.problems:
            _, token, base = parts[index]
            offset = base + inner if isinstance(pieces[index], str) else None
            line, column = self.position(token, offset)
            self.result.add(line, column, problem.code, problem.message, problem.suggestion, site)
        if found.unchecked is not None:
            line, column = self.position(first)
            self.result.skip(f"dynamic query: {found.unchecked}", line, column, site)
        else:
            dynamic = any(isinstance(p, Hole) for p in pieces)
            self.result.check("dynamic" if dynamic else "string", site)


def scan_tokens(
    text: str,
    checker: QueryChecker,
    session_names: Collection[str],
    result: FileResult,
    line_offset: int = 0,
) -> None:
    """Find and check the queries of source the Python 3 parser refuses, by its tokens."""
    tokens = _tokens(text)
    sessions = _session_bindings(tokens) | set(session_names)
    _TokenScanner(tokens, checker, sessions, result, line_offset).run()
