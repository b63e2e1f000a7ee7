"""Source positions: AST nodes and offsets inside string literals → what an editor shows."""

from __future__ import annotations

import ast
import re

__all__ = ["Positions"]

# The line breaks the Python tokenizer counts (str.splitlines also splits on \f, \x1c, …).
_LINE_BREAK = re.compile(r"\r\n?|\n")


class Positions:
    """Maps AST positions (UTF-8 byte columns) and offsets inside string literals to the
    1-based line and character column a reader sees; ``line_offset``/``column_offset``
    place a code block found inside a document."""

    def __init__(self, source: str, line_offset: int = 0, column_offset: int = 0) -> None:
        self.lines = _LINE_BREAK.split(source)
        self.line_offset = line_offset
        self.column_offset = column_offset

    def _column(self, lineno: int, byte_col: int) -> int:
        text = self.lines[lineno - 1] if 0 < lineno <= len(self.lines) else ""
        if text.isascii():
            return byte_col
        return len(text.encode("utf-8")[:byte_col].decode("utf-8", "replace"))

    def _place(self, lineno: int, column: int) -> tuple[int, int]:
        return lineno + self.line_offset, column + 1 + self.column_offset

    def node(self, node: ast.AST) -> tuple[int, int]:
        """Where a node starts."""
        lineno = getattr(node, "lineno", 1)
        return self._place(lineno, self._column(lineno, getattr(node, "col_offset", 0)))

    def end_name(self, node: ast.Attribute) -> tuple[int, int]:
        """Where the attribute name of ``x.name`` starts."""
        lineno = node.end_lineno or node.lineno
        end = self._column(lineno, node.end_col_offset or 0)
        return self._place(lineno, max(end - len(node.attr), 0))

    def _raw(self, node: ast.expr) -> str | None:
        if node.end_lineno is None or node.end_col_offset is None:
            return None
        first, last = node.lineno - 1, node.end_lineno - 1
        if last >= len(self.lines):
            return None
        if first == last:
            data = self.lines[first].encode("utf-8")[node.col_offset : node.end_col_offset]
            return data.decode("utf-8", "replace")
        chunk = [self.lines[first].encode("utf-8")[node.col_offset :].decode("utf-8", "replace")]
        chunk.extend(self.lines[first + 1 : last])
        chunk.append(self.lines[last].encode("utf-8")[: node.end_col_offset].decode("utf-8"))
        return "\n".join(chunk)

    def _in_raw(self, node: ast.expr, raw_offset: int, raw: str) -> tuple[int, int]:
        start_line, start_col = node.lineno, self._column(node.lineno, node.col_offset)
        newlines = raw.count("\n", 0, raw_offset)
        if newlines == 0:
            return self._place(start_line, start_col + raw_offset)
        column = raw_offset - (raw.rfind("\n", 0, raw_offset) + 1)
        return self._place(start_line + newlines, column)

    def literal(self, node: ast.Constant, offset: int) -> tuple[int, int]:
        """An offset into a string literal's value; the literal's start when the source
        text differs from the value (escapes, implicit concatenation)."""
        raw = self._raw(node)
        opening = _opening(raw) if raw is not None else None
        if raw is None or opening is None:
            return self.node(node)
        prefix_len, quote = opening
        body = raw[prefix_len + len(quote) : len(raw) - len(quote)]
        if body != node.value:
            return self.node(node)
        return self._in_raw(node, prefix_len + len(quote) + offset, raw)

    def fstring(self, node: ast.JoinedStr, part: int, offset: int) -> tuple[int, int]:
        """An offset into the ``part``-th piece of an f-string."""
        raw = self._raw(node)
        opening = _opening(raw) if raw is not None else None
        if raw is None or opening is None:
            return self.node(node)
        prefix_len, quote = opening
        i = prefix_len + len(quote)
        for index, value in enumerate(node.values):
            if isinstance(value, ast.Constant):
                text = str(value.value)
                if raw[i : i + len(text)] != text:
                    return self.node(node)
                if index == part:
                    return self._in_raw(node, i + offset, raw)
                i += len(text)
            else:
                depth = 0
                while i < len(raw):
                    depth += {"{": 1, "}": -1}.get(raw[i], 0)
                    i += 1
                    if depth == 0:
                        break
        return self.node(node)


def _opening(raw: str) -> tuple[int, str] | None:
    """The prefix length and the quote of a single string token, else None."""
    i = 0
    while i < len(raw) and raw[i].isalpha():
        i += 1
    if not set(raw[:i].lower()) <= {"r", "u", "b", "f"}:
        return None
    rest = raw[i:]
    for quote in ('"""', "'''", '"', "'"):
        if rest.startswith(quote) and rest.endswith(quote) and len(rest) >= 2 * len(quote):
            if quote in rest[len(quote) : len(rest) - len(quote)]:
                return None  # several tokens implicitly concatenated
            return i, quote
    return None
