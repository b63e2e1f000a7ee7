"""Dynamic queries: check the static skeleton of an f-string, ``.format``, ``%`` or ``+``.

The parts known at lint time are kept; every part computed at run time becomes a *hole*,
a placeholder word. The skeleton is parsed and validated like any query, except the
values filled by holes. Where a hole lands decides whether it is safe:

* inside quotes, or an unquoted number (``%d``, ``{n:d}``, ``len(...)``) → a value, fine;
* an unquoted text value followed by more query (``name={x} AND …``) → a value holding a
  space and a keyword would change the structure: a risk (AQ200);
* an attribute, an operator or a whole condition → the structure itself comes from code:
  a risk (AQ200), the builder is the fix;
* the entity type → nothing past the syntax can be checked: reported as unchecked (AQ201).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from accsyn._exceptions import QuerySyntaxError
from accsyn.lint._check import Problem, QueryChecker, _syntax_problem, comparisons
from accsyn.query import Query, parse

__all__ = ["Hole", "SkeletonResult", "check_skeleton"]

_MARK = re.compile(r"__h(\d+)__", re.IGNORECASE)
# What a hole that breaks the parse could stand for, tried in this order.
_QUOTED = re.compile(r"\"[^\"]*\"|'[^']*'")
# Characters that end a bare value (query-language.md: whitespace, quotes, parentheses, …).
_STOP = frozenset(" \t\r\n\"'(),=<>!")
# Each is padded to the hole's width, so offsets in the skeleton stay valid.
_STAND_INS = (("=", "operator"), ("x=y", "condition"), ("AND", "keyword"))


@dataclass(frozen=True)
class Hole:
    """A part of a query computed at run time: its type (``int`` for numbers, else
    ``str``) and the source text shown in messages."""

    kind: str = "str"
    label: str = "…"


@dataclass
class SkeletonResult:
    """What checking a skeleton found: problems located as ``(part index, offset in that
    part)`` (offset 0 for a hole), and the reason the query was not fully checked."""

    problems: list[tuple[int, int, Problem]] = field(default_factory=list)
    unchecked: str | None = None


def check_skeleton(
    parts: Sequence[str | Hole], checker: QueryChecker, entitytype: str | None = None
) -> SkeletonResult:
    """Check a query made of static text and holes (see the module docstring)."""
    key = ("skeleton", tuple(parts), entitytype)
    cached = checker.memo.get(key)
    if cached is None:
        cached = checker.memo[key] = _check_skeleton(parts, checker, entitytype)
    result: SkeletonResult = cached
    return result


def _check_skeleton(
    parts: Sequence[str | Hole], checker: QueryChecker, entitytype: str | None
) -> SkeletonResult:
    result = SkeletonResult()
    texts: list[str] = []
    spans: list[tuple[int, int, int]] = []  # (skeleton start, end, part index)
    holes: dict[int, tuple[int, Hole]] = {}  # hole number -> (part index, hole)
    pos = 0
    for index, part in enumerate(parts):
        text = part if isinstance(part, str) else f"__h{len(holes)}__"
        if not isinstance(part, str):
            holes[len(holes)] = (index, part)
        texts.append(text)
        spans.append((pos, pos + len(text), index))
        pos += len(text)
    skeleton = "".join(texts)

    def locate(offset: int | None) -> tuple[int, int]:
        if offset is None:
            return 0, 0
        for start, end, index in spans:
            if start <= offset < end or (offset == end and index == spans[-1][2]):
                return index, (offset - start) if isinstance(parts[index], str) else 0
        return spans[-1][2], 0

    def report(offset: int | None, problem: Problem) -> None:
        index, inner = locate(offset)
        result.problems.append((index, inner, problem))

    if not skeleton.strip() or not _MARK.sub("", skeleton).strip():
        result.unchecked = "the whole query is built elsewhere"
        return result
    query, replaced, error = _parse(skeleton, holes)
    if query is None:
        assert error is not None
        if _near_hole(skeleton, error.position) and _balanced(parts):
            result.unchecked = "a dynamic part makes the skeleton unparseable"
        else:
            report(error.position, _syntax_problem(error))
        return result
    for number, role in replaced.items():
        part_index, hole = holes[number]
        result.problems.append((part_index, 0, _risk(role, hole)))
    if query.entitytype is not None and _MARK.search(query.entitytype):
        result.unchecked = "the entity type is dynamic"
        return result
    unchecked: set[int] = set()
    structural = set(replaced)
    stand_ins = [
        (skeleton.index(f"__h{n}__"), skeleton.index(f"__h{n}__") + len(f"__h{n}__"))
        for n, role in replaced.items()
        if role == "condition"
    ]
    for comparison in comparisons(query.where):
        if any(s <= (comparison.attribute_pos or -1) < e for s, e in stand_ins):
            unchecked.update(p for p in (comparison.attribute_pos, comparison.value_pos) if p)
            continue
        attribute_mark = _MARK.search(comparison.attribute)
        if attribute_mark is not None and comparison.attribute_pos is not None:
            unchecked.add(comparison.attribute_pos)
            number = int(attribute_mark.group(1))
            structural.add(number)
            part_index, hole = holes[number]
            result.problems.append((part_index, 0, _risk("attribute", hole)))
        values = comparison.value if isinstance(comparison.value, tuple) else (comparison.value,)
        if comparison.value_pos is not None and any(_MARK.search(v) for v in values):
            unchecked.add(comparison.value_pos)
    quoted = [m.span() for m in _QUOTED.finditer(skeleton)]
    for mark in _MARK.finditer(skeleton):
        number = int(mark.group(1))
        if number in structural or any(s < mark.start() < e for s, e in quoted):
            continue
        part_index, hole = holes[number]
        end = _bare_end(skeleton, mark.end())
        alone = end == mark.end() and (mark.start() == 0 or skeleton[mark.start() - 1] in _STOP)
        if hole.kind == "int" and alone:
            continue
        if skeleton[end:].strip():
            result.problems.append((part_index, 0, _risk("value", hole)))
    for problem in checker.check_query(query, entitytype, unchecked_values=unchecked):
        report(problem.offset, problem)
    return result


def _parse(
    skeleton: str, holes: dict[int, tuple[int, Hole]]
) -> tuple[Query | None, dict[int, str], QuerySyntaxError | None]:
    """Parse the skeleton; if it does not parse, find the hole that stands for structure
    (returned as hole number → role), else the syntax error."""
    try:
        return parse(skeleton), {}, None
    except QuerySyntaxError as exc:
        first = exc
    for number in holes:
        mark = f"__h{number}__"
        for stand_in, role in _STAND_INS:
            candidate = skeleton.replace(mark, f" {stand_in} ".ljust(len(mark)))
            try:
                return parse(candidate), {number: role}, None
            except QuerySyntaxError:
                continue
    return None, {}, first


def _near_hole(skeleton: str, position: int) -> bool:
    for mark in _MARK.finditer(skeleton):
        if mark.start() - 1 <= position <= mark.end() + 1:
            return True
        between = skeleton[mark.end() : position]
        if position >= mark.end() and not between.strip():
            return True
    return False


def _balanced(parts: Sequence[str | Hole]) -> bool:
    """Whether the static text opens as many parentheses as it closes (outside quotes);
    if not, no value a hole takes can make the query parse."""
    text = _QUOTED.sub("", "".join(p if isinstance(p, str) else " " for p in parts))
    return text.count("(") == text.count(")")


def _bare_end(skeleton: str, position: int) -> int:
    """The end of the bare value running through ``position``."""
    while position < len(skeleton) and skeleton[position] not in _STOP:
        position += 1
    return position


def _risk(role: str, hole: Hole) -> Problem:
    what = hole.label
    messages = {
        "attribute": (
            f"the attribute name comes from code ({what}); a value can change the "
            "query's structure: build it with the model's fields, e.g. "
            "Model.where(**{name: value})"
        ),
        "operator": (
            f"the operator comes from code ({what}); build the comparison with the model's "
            "fields (Transfer.size > n) instead"
        ),
        "condition": (
            f"a whole condition comes from code ({what}); combine builder expressions with "
            "& and | (or accsyn.query.and_/or_) instead of joining text"
        ),
        "keyword": (
            f"a keyword comes from code ({what}); combine builder expressions with & and | instead"
        ),
        "value": (
            f"{what} is inserted unquoted before more of the query: a value holding a space "
            'and a keyword would change its structure; quote it ("{…}") or use the builder '
            "(Transfer.name == value)"
        ),
    }
    return Problem("AQ200", None, messages[role])
