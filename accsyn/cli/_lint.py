"""``accsyn lint``: find query strings in Python sources and ``.accsyn`` files, and check them.

Python files are read with :mod:`ast`; a string literal is taken as a query when it is
the first argument (or the ``query=`` keyword) of a call to one of :data:`QUERY_METHODS`.
``str.find`` shares a name with ``Session.find``, so for the statement methods a literal
is only checked when it looks like a query: it names a known entity type first, holds a
``WHERE``, or the call passes an accsyn keyword (``attributes=``, ``limit=``, …).

``.accsyn`` files hold one query per line; blank lines and lines starting with ``#`` are
skipped (``#`` is a valid character in a bare value, so there are no trailing comments).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from accsyn._exceptions import QuerySyntaxError, QueryValidationError, _join_or

__all__ = [
    "QUERY_METHODS",
    "LintMessage",
    "check_query",
    "format_message",
    "lint_paths",
    "lint_python_source",
    "lint_query_file",
]

#: Calls whose first argument is a full statement (``transfer WHERE …``).
STATEMENT_METHODS = frozenset({"find", "find_one", "find_all", "report", "metrics"})
#: Calls whose first argument is a bare expression, typed by the receiver.
EXPRESSION_METHODS = frozenset({"where", "filter_by_query"})
QUERY_METHODS = STATEMENT_METHODS | EXPRESSION_METHODS

#: Keyword arguments that only accsyn's find-like calls take (``str.find`` takes none).
_ACCSYN_KEYWORDS = frozenset(
    {
        "attributes",
        "finished",
        "inactive",
        "archived",
        "offline",
        "limit",
        "skip",
        "entityid",
        "single_entity_query",
        "raw",
        "time",
        "query",
    }
)
# Statements the session answers itself (they name no entity model).
_SPECIAL_STATEMENTS = frozenset({"entitytypes", "attributes"})
_SKIP_DIRS = frozenset(
    {".git", ".hg", ".venv", "venv", "__pycache__", "node_modules", "build", "dist", "site"}
)
_WHERE = re.compile(r"\bwhere\b", re.IGNORECASE)
_FIRST_WORD = re.compile(r"\s*([A-Za-z_][A-Za-z0-9_]*)")


@dataclass(frozen=True)
class LintMessage:
    """One problem: where it is (1-based line and column) and what is wrong."""

    path: str
    line: int
    column: int
    message: str


def _entity_types() -> frozenset[str]:
    try:
        from accsyn.models import entity_types
    except ImportError:  # pragma: no cover - the models package is part of the SDK
        return frozenset()
    return frozenset(entity_types())


def check_query(
    text: str, entitytype: str | None = None, *, require_type: bool = True
) -> list[tuple[int, str]]:
    """Parse and validate one query; return ``(position, message)`` for every problem.

    ``position`` is a 0-based offset into ``text``; an empty list means the query is
    fine. A bare expression is validated against ``entitytype``; without one it is an
    error when ``require_type`` is set, else only its syntax is checked (a ``where``
    call on a receiver whose entity type cannot be known statically).
    """
    from accsyn.query import parse

    try:
        query = parse(text)
    except QuerySyntaxError as exc:
        message = exc.reason
        if exc.expected:
            message += f"; expected {_join_or(exc.expected)}"
        return [(exc.position, message)]
    if query.entitytype is None and entitytype is None and not require_type:
        return []
    try:
        from accsyn.query import validate
    except ImportError:  # pragma: no cover - validation ships with the models
        return []
    try:
        validate(query, entitytype=entitytype if query.entitytype is None else None)
    except QueryValidationError as exc:
        return [(p.position or 0, p.message) for p in exc.problems] or [(0, str(exc))]
    return []


def format_message(msg: LintMessage, fmt: str = "text") -> str:
    """Render a problem as ``file:line:col: message`` or a GitHub Actions annotation."""
    if fmt == "github":
        return (
            f"::error file={_gh_property(msg.path)},line={msg.line},col={msg.column}"
            f"::{_gh_data(msg.message)}"
        )
    return f"{msg.path}:{msg.line}:{msg.column}: {msg.message}"


def _gh_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _gh_property(text: str) -> str:
    return _gh_data(text).replace(":", "%3A").replace(",", "%2C")


def iter_files(paths: Iterable[str | Path]) -> Iterator[Path]:
    """Yield the ``.py`` and ``.accsyn`` files named, walking directories (sorted)."""
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                rel = child.relative_to(path).parts
                if any(part in _SKIP_DIRS or part.startswith(".") for part in rel[:-1]):
                    continue
                if child.is_file() and child.suffix in (".py", ".accsyn"):
                    yield child
        else:
            yield path


def lint_paths(paths: Iterable[str | Path]) -> list[LintMessage]:
    """Lint every file under ``paths``; unreadable or missing paths are reported too."""
    messages: list[LintMessage] = []
    for path in iter_files(paths):
        name = str(path)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            messages.append(LintMessage(name, 1, 1, "no such file or directory"))
            continue
        except (OSError, UnicodeDecodeError) as exc:
            messages.append(LintMessage(name, 1, 1, f"cannot read file: {exc}"))
            continue
        if path.suffix == ".py":
            messages.extend(lint_python_source(text, name))
        elif path.suffix == ".accsyn":
            messages.extend(lint_query_file(text, name))
        else:
            messages.append(LintMessage(name, 1, 1, "not a Python (.py) or query (.accsyn) file"))
    return messages


def lint_query_file(text: str, path: str) -> list[LintMessage]:
    """Check a ``.accsyn`` file: one query per line, ``#`` comment lines."""
    messages = []
    for lineno, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        for position, message in check_query(line):
            messages.append(LintMessage(path, lineno, position + 1, message))
    return messages


def lint_python_source(source: str, path: str) -> list[LintMessage]:
    """Check the query literals in one Python module."""
    try:
        tree = ast.parse(source, filename=path)
    except SyntaxError as exc:
        return [
            LintMessage(path, exc.lineno or 1, exc.offset or 1, f"Python syntax error: {exc.msg}")
        ]
    lines = source.splitlines()
    types = _entity_types()
    messages: list[LintMessage] = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
            continue
        method = node.func.attr
        if method not in QUERY_METHODS:
            continue
        literal = _query_argument(node)
        if literal is None or not isinstance(literal.value, str):
            continue
        text = literal.value
        receiver_type = _receiver_entitytype(node.func.value, types)
        if method in STATEMENT_METHODS and not _looks_like_query(node, text, types):
            continue
        problems = check_query(text, receiver_type, require_type=method not in EXPRESSION_METHODS)
        for position, message in problems:
            line, column = _source_position(literal, position, lines)
            messages.append(LintMessage(path, line, column, message))
    messages.sort(key=lambda m: (m.line, m.column))
    return messages


def _query_argument(call: ast.Call) -> ast.Constant | None:
    candidates: list[ast.expr] = []
    if call.args:
        candidates.append(call.args[0])
    candidates.extend(kw.value for kw in call.keywords if kw.arg == "query")
    for candidate in candidates:
        if isinstance(candidate, ast.Constant) and isinstance(candidate.value, str):
            return candidate
    return None


def _looks_like_query(call: ast.Call, text: str, types: frozenset[str]) -> bool:
    receiver = call.func.value if isinstance(call.func, ast.Attribute) else None
    if isinstance(receiver, ast.Constant | ast.JoinedStr):
        return False  # "...".find("x") is str.find
    if any(kw.arg in _ACCSYN_KEYWORDS for kw in call.keywords):
        return True
    if _WHERE.search(text):
        return True
    first = _FIRST_WORD.match(text)
    return first is not None and first.group(1).lower() in types | _SPECIAL_STATEMENTS


def _receiver_entitytype(receiver: ast.expr, types: frozenset[str]) -> str | None:
    """``Transfer.where`` or ``session.transfers.where`` → ``"transfer"``."""
    if isinstance(receiver, ast.Name):
        name = receiver.id
    elif isinstance(receiver, ast.Attribute):
        name = receiver.attr
    else:
        return None
    lowered = name.lower()
    candidates = [lowered]
    if lowered.endswith("ies"):
        candidates.append(lowered[:-3] + "y")
    if lowered.endswith("s"):
        candidates.append(lowered[:-1])
    for candidate in candidates:
        if candidate in types:
            return candidate
    return None


def _source_position(literal: ast.Constant, position: int, lines: Sequence[str]) -> tuple[int, int]:
    """Map an offset inside a string literal's value to a 1-based (line, column) in the file.

    Exact when the literal's source text is its value (no escapes, one token); otherwise the
    literal's own start, which is still the right line for a reader.
    """
    line_index = literal.lineno - 1
    line_text = lines[line_index] if line_index < len(lines) else ""
    # ast offsets are UTF-8 byte offsets; editors count characters.
    start_col = len(line_text.encode("utf-8")[: literal.col_offset].decode("utf-8", "replace"))
    raw = _literal_source(literal, lines)
    opening = _opening_length(raw) if raw is not None else None
    if raw is None or opening is None:
        return literal.lineno, start_col + 1
    quote_len = 3 if raw[opening - 3 : opening] in ('"""', "'''") else 1
    body = raw[opening : len(raw) - quote_len]
    value = literal.value
    if body != value:
        return literal.lineno, start_col + 1
    newlines = value.count("\n", 0, position)
    if newlines == 0:
        return literal.lineno, start_col + opening + position + 1
    return literal.lineno + newlines, position - (value.rfind("\n", 0, position) + 1) + 1


def _literal_source(literal: ast.Constant, lines: Sequence[str]) -> str | None:
    if literal.end_lineno is None or literal.end_col_offset is None:
        return None
    chunk = "\n".join(lines[literal.lineno - 1 : literal.end_lineno]).encode("utf-8")
    last_line_start = len(chunk) - len(lines[literal.end_lineno - 1].encode("utf-8"))
    return chunk[literal.col_offset : last_line_start + literal.end_col_offset].decode(
        "utf-8", "replace"
    )


def _opening_length(raw: str) -> int | None:
    """Length of the prefix and opening quote(s) of a single string token, else None."""
    i = 0
    while i < len(raw) and raw[i].isalpha():
        i += 1
    prefix = raw[:i].lower()
    if not set(prefix) <= {"r", "u", "b"}:
        return None
    rest = raw[i:]
    for quote in ('"""', "'''", '"', "'"):
        if rest.startswith(quote) and rest.endswith(quote) and len(rest) >= 2 * len(quote):
            inner = rest[len(quote) : len(rest) - len(quote)]
            if quote in inner:
                return None  # implicit concatenation of several tokens
            return i + len(quote)
    return None
