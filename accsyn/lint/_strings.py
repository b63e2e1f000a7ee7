r"""The text of a query expression in Python source: literals, f-strings, ``%``,
``.format`` and ``+``, as static pieces and :class:`~accsyn.lint._skeleton.Hole`\ s.

A mixin of the Python scanner (:mod:`accsyn.lint._python`): what a string expression
holds is worked out here, what to check and report there. A literal argument, or a name
bound once to one (``STATUS = "faild"``, ``NOT_SET = None``), is filled in as the text
the query will hold; anything else computed at run time becomes a hole.
"""

from __future__ import annotations

import ast
import functools
import re
from collections.abc import Callable
from typing import Any

from accsyn.lint._flow import Flow, Kind, Scope
from accsyn.lint._positions import Positions
from accsyn.lint._skeleton import Hole

__all__ = ["Anchor", "Parts", "StringParts", "literal", "source_label"]

_PRINTF = re.compile(
    r"%(?:\((?P<key>[^)]*)\))?[#0\- +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?"
    r"(?P<conv>[diouxXeEfFgGcrsa%])"
)
_FORMAT_FIELD = re.compile(r"\{\{|\}\}|\{(?P<field>[^{}]*)\}")
_NUMERIC_SPEC = re.compile(r"[bcdoxXneEfFgG%]\Z")

Anchor = Callable[[int], tuple[int, int]]
Parts = list[tuple[str | Hole, Anchor]]


def literal(node: ast.expr) -> tuple[bool, Any]:
    try:
        return True, ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return False, None


def _at_node(positions: Positions, node: ast.expr, _offset: int) -> tuple[int, int]:
    return positions.node(node)


def source_label(node: ast.expr) -> str:
    text = ast.unparse(node)
    return text if len(text) <= 40 else text[:37] + "..."


class StringParts:
    """The static pieces and holes of string expressions (needs ``flow`` and ``pos``)."""

    flow: Flow
    pos: Positions

    def _parts(self, node: ast.expr, scope: Scope, depth: int = 0) -> Parts | None:
        """The static pieces and holes of a string expression, or None if it is not one."""
        if depth > 8:
            return None
        if isinstance(node, ast.Constant):
            if not isinstance(node.value, str):
                return None
            constant = node
            return [(node.value, lambda off: self.pos.literal(constant, off))]
        if isinstance(node, ast.JoinedStr):
            return self._fstring(node, scope)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            left = self._parts(node.left, scope, depth + 1)
            right = self._parts(node.right, scope, depth + 1)
            if left is None and right is None:
                return None
            return (left or self._hole(node.left, scope)) + (right or self._hole(node.right, scope))
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
            template = self._template(node.left, scope)
            if template is not None:
                return self._printf(template, node.right, scope)
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "format"
        ):
            template = self._template(node.func.value, scope)
            if template is not None:
                return self._format(template, node, scope)
        if isinstance(node, ast.Name):
            bound = self.flow.strings(node, scope)
            if bound is not None:
                return self._parts(bound[0], bound[1], depth + 1)
        return None

    def _template(self, node: ast.expr, scope: Scope) -> ast.Constant | None:
        """A ``%`` or ``.format`` template: a literal, or a name bound once to one."""
        if isinstance(node, ast.Name):
            bound = self.flow.strings(node, scope)
            node = bound[0] if bound is not None else node
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return node
        return None

    def _hole(
        self, node: ast.expr, scope: Scope, kind: str | None = None, label: str | None = None
    ) -> Parts:
        if kind is None:
            kind = "int" if self.flow.kind(node, scope).name == "number" else "str"
        hole = Hole(kind, label or source_label(node))
        return [(hole, lambda _off: self.pos.node(node))]

    def _fstring(self, node: ast.JoinedStr, scope: Scope) -> Parts:
        parts: Parts = []
        for index, value in enumerate(node.values):
            if isinstance(value, ast.Constant):
                anchor: Anchor = functools.partial(self.pos.fstring, node, index)
                parts.append((str(value.value), anchor))
            elif isinstance(value, ast.FormattedValue):
                known, constant = self._constant(value.value, scope)
                if known and value.format_spec is None and value.conversion == -1:
                    # `{None}`, `{STATUS}`: the text the query will hold.
                    at: Anchor = functools.partial(_at_node, self.pos, value.value)
                    parts.append((format(constant), at))
                    continue
                spec = value.format_spec
                numeric = (
                    isinstance(spec, ast.JoinedStr)
                    and len(spec.values) == 1
                    and isinstance(spec.values[0], ast.Constant)
                    and _NUMERIC_SPEC.search(str(spec.values[0].value)) is not None
                )
                parts.extend(
                    self._hole(
                        value.value,
                        scope,
                        "int" if numeric else None,
                        "{" + source_label(value.value) + "}",
                    )
                )
        return parts

    def _constant(self, node: ast.expr, scope: Scope) -> tuple[bool, Any]:
        """A literal, or a name bound exactly once to one (``STATUS = "faild"``, ``X = None``):
        its value is known, so the query it is formatted into can be checked as sent."""
        ok, value = literal(node)
        if ok or not isinstance(node, ast.Name):
            return ok, value
        found = scope.lookup(node.id)
        if found is None or len(found[0]) != 1 or isinstance(found[0][0], Kind):
            return False, None
        bound = found[0][0]
        if not isinstance(bound, ast.Constant):
            return False, None
        return literal(bound)

    def _template_piece(self, template: ast.Constant, text: str, start: int) -> tuple[str, Anchor]:
        return text, lambda off: self.pos.literal(template, start + off)

    def _printf(self, template: ast.Constant, args: ast.expr, scope: Scope) -> Parts:
        text = str(template.value)
        positional = list(args.elts) if isinstance(args, ast.Tuple) else [args]
        named = (
            {
                k.value: v
                for k, v in zip(args.keys, args.values, strict=False)
                if isinstance(k, ast.Constant)
            }
            if isinstance(args, ast.Dict)
            else {}
        )
        parts: Parts = []
        last, index = 0, 0
        for match in _PRINTF.finditer(text):
            parts.append(self._template_piece(template, text[last : match.start()], last))
            last = match.end()
            conv = match.group("conv")
            if conv == "%":
                parts.append(self._template_piece(template, "%", match.start()))
                continue
            key = match.group("key")
            arg: ast.expr | None
            if key is not None:
                arg = named.get(key)
            else:
                arg = positional[index] if index < len(positional) else None
                index += 1
            kind = "int" if conv in "diouxXeEfFgG" else None
            if arg is None:
                parts.append(
                    (Hole(kind or "str", match.group(0)), lambda _off: self.pos.node(args))
                )
                continue
            ok, value = self._constant(arg, scope)
            if ok:
                try:
                    parts.append(
                        self._template_piece(template, match.group(0) % (value,), match.start())
                    )
                    continue
                except (TypeError, ValueError):
                    pass
            parts.extend(self._hole(arg, scope, kind, f"{match.group(0)} ({source_label(arg)})"))
        parts.append(self._template_piece(template, text[last:], last))
        return parts

    def _format(self, template: ast.Constant, call: ast.Call, scope: Scope) -> Parts:
        text = str(template.value)
        keywords = {k.arg: k.value for k in call.keywords if k.arg}
        parts: Parts = []
        last, auto = 0, 0
        for match in _FORMAT_FIELD.finditer(text):
            parts.append(self._template_piece(template, text[last : match.start()], last))
            last = match.end()
            field = match.group("field")
            if field is None:  # {{ or }}
                parts.append(self._template_piece(template, match.group(0)[0], match.start()))
                continue
            name, _, spec = field.partition(":")
            name = name.split("!", 1)[0]
            head = re.split(r"[.\[]", name, maxsplit=1)[0]
            arg: ast.expr | None
            if head == "":
                arg = call.args[auto] if auto < len(call.args) else None
                auto += 1
            elif head.isdigit():
                arg = call.args[int(head)] if int(head) < len(call.args) else None
            else:
                arg = keywords.get(head)
            kind = "int" if _NUMERIC_SPEC.search(spec) else None
            if arg is None:
                parts.append(
                    (Hole(kind or "str", match.group(0)), lambda _off: self.pos.node(call))
                )
                continue
            ok, value = self._constant(arg, scope)
            if ok and name == head:
                try:
                    parts.append(self._template_piece(template, format(value, spec), match.start()))
                    continue
                except (TypeError, ValueError):
                    pass
            parts.extend(self._hole(arg, scope, kind, match.group(0) + f" ({source_label(arg)})"))
        parts.append(self._template_piece(template, text[last:], last))
        return parts
