"""The one place lint validates queries and reads entity facts.

Every query lint checks — a literal, the static skeleton of an f-string, a builder
comparison, a keyword filter — goes through :func:`accsyn.query.parse` and
:func:`accsyn.query.validate` with the models' schema, so lint reports exactly what
the SDK raises at run time. Entity facts (type names, aliases, attributes, the model
class of a type) are read only through that schema and :func:`accsyn.models.spec_of`;
nothing here keeps a copy of them.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from accsyn._exceptions import (
    AccsynError,
    QuerySyntaxError,
    QueryValidationError,
    ValidationError,
    _join_or,
)
from accsyn.query import And, Comparison, Expr, FieldExpr, Or, Query, parse
from accsyn.query._validate import missing_entitytype

__all__ = ["Problem", "QueryChecker"]


@dataclass(frozen=True)
class Problem:
    """A problem in checked text: its rule code, 0-based offset (None: the whole text)."""

    code: str
    offset: int | None
    message: str
    suggestion: str | None = None


# Messages of accsyn.query.validate / the builder, by rule. Order matters: first match wins.
_CODES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"unknown entity type"), "AQ101"),
    (
        re.compile(r"has no attribute|refers to another entity|can be queried|is a field of"),
        "AQ102",
    ),
    (re.compile(r"does not apply to|compares as a whole"), "AQ104"),
    (
        re.compile(r"names no entity type|list attributes with|cannot filter|needs a condition"),
        "AQ105",
    ),
)
_NO_ATTRIBUTE = re.compile(r"has no attribute '([^']+)'")


def _code_for(message: str) -> str:
    for pattern, code in _CODES:
        if pattern.search(message):
            return code
    return "AQ103"


def _aliases() -> set[str]:
    """Legacy type names (``job``, …): the schema lists uri names only."""
    from accsyn.models import specs

    return {a.lower() for spec in specs().values() for a in spec.aliases}


def _model_name(entitytype: str) -> str | None:
    from accsyn.models import spec_of

    try:
        return spec_of(entitytype).model.__name__
    except (AccsynError, KeyError, LookupError):
        return None


class QueryChecker:
    """Checks query text and builder pieces against the models; one per lint run.

    ``extra_attributes`` (entity type → names) are attributes the team's server knows and
    the models do not: a comparison on one is never reported as an unknown attribute.
    """

    def __init__(self, extra_attributes: Mapping[str, Iterable[str]] | None = None) -> None:
        from accsyn.models import SCHEMA
        from accsyn.query import validate

        self._schema = SCHEMA
        self._validate: Callable[[Query], object] = functools.partial(validate, schema=SCHEMA)
        self.types: frozenset[str] = frozenset(
            {t.lower() for t in self._schema.entity_types()} | _aliases()
        )
        self._extras: dict[str, frozenset[str]] = {}
        for name, attributes in (extra_attributes or {}).items():
            resolved = self.resolve(name) or name.lower()
            self._extras[resolved] = self._extras.get(resolved, frozenset()) | frozenset(
                a.lower() for a in attributes
            )
        self.model_classes: dict[str, str] = {}
        for entitytype in self.types:
            uri = self.resolve(entitytype)
            model = _model_name(uri) if uri else None
            if model is not None and uri is not None:
                self.model_classes.setdefault(model, uri)
        self._cache: dict[tuple[str, str | None], list[Problem]] = {}
        self._suggestions: dict[str, str | None] = {}
        #: Results of checks that are pure functions of their key (skeletons, builder terms).
        self.memo: dict[object, Any] = {}

    # -- facts ------------------------------------------------------------------------------

    def resolve(self, name: str) -> str | None:
        """The entity type uri for ``name`` (any case, aliases resolved), or None."""
        resolved: str | None = self._schema.resolve_type(name.strip().lower())
        return resolved

    def suggest_type(self, name: str) -> str | None:
        """The nearest known entity type name, or None."""
        key = name.strip().lower()
        if key not in self._suggestions:
            self._suggestions[key] = self._schema.suggest_type(key)
        return self._suggestions[key]

    def plural_type(self, name: str) -> str | None:
        """``transfers`` → ``transfer``, ``deliveries`` → ``delivery`` (repository accessors)."""
        lowered = name.lower()
        for candidate in (lowered[:-3] + "y", lowered[:-1]) if lowered.endswith("s") else ():
            if candidate in self.types:
                return self.resolve(candidate)
        return None

    def attributes(self, entitytype: str) -> frozenset[str]:
        """Attribute names of an entity type, with the configured extra ones."""
        return frozenset(self._schema.attributes(entitytype)) | self._extras.get(
            entitytype, frozenset()
        )

    # -- checks -----------------------------------------------------------------------------

    def check_text(self, text: str, entitytype: str | None = None) -> list[Problem]:
        """Parse and validate query text; a bare expression is typed by ``entitytype``.

        Without ``entitytype``, a bare expression is refused as the session refuses it.
        """
        key = (text, entitytype)
        cached = self._cache.get(key)
        if cached is None:
            try:
                query = parse(text)
            except QuerySyntaxError as exc:
                cached = [_syntax_problem(exc)]
            else:
                cached = self.check_query(query, entitytype)
            self._cache[key] = cached
        return cached

    def check_query(
        self,
        query: Query,
        entitytype: str | None = None,
        *,
        unchecked_values: Collection[int] = (),
    ) -> list[Problem]:
        """Validate a parsed query; problems at ``unchecked_values`` positions are dropped
        (values filled in at run time)."""
        if query.entitytype is None and entitytype is not None:
            query = Query(entitytype, query.where, source=query.source)
        elif query.entitytype is not None and entitytype is not None and query.where is not None:
            mine, theirs = self.resolve(query.entitytype), self.resolve(entitytype)
            if mine is not None and mine != theirs:
                return [
                    Problem(
                        "AQ105",
                        query.entitytype_pos,
                        f"a {query.entitytype} query cannot filter {entitytype} entities",
                    )
                ]
        try:
            if query.entitytype is None:
                # The session's refusal, word for word (no `entitytype=` to pass there).
                raise missing_entitytype(query, self._schema)
            self._validate(query)
        except QueryValidationError as exc:
            return self._problems(exc, query, unchecked_values)
        except ValidationError as exc:
            return [Problem(_code_for(str(exc)), None, str(exc))]
        return []

    def check_comparison_cached(
        self, entitytype: str, key: object, build: Callable[[FieldExpr[Any]], Any], name: str
    ) -> list[Problem]:
        """:meth:`check_comparison`, remembered under ``key`` (the operator and the value)."""
        memo_key = ("comparison", entitytype, name, key)
        if memo_key not in self.memo:
            self.memo[memo_key] = self.check_comparison(entitytype, build, name)
        result: list[Problem] = self.memo[memo_key]
        return result

    def check_comparison(
        self, entitytype: str, build: Callable[[FieldExpr[Any]], Any], name: str
    ) -> list[Problem]:
        """Build a comparison with the SDK's own builder and validate it.

        ``build`` applies the user's operator to ``FieldExpr(name)``; a value the builder
        refuses (``None``, a bad regex) is reported as the builder would raise it.
        """
        try:
            expr = build(FieldExpr(name, entitytype))
        except ValidationError as exc:
            return [Problem("AQ103", None, str(exc))]
        if not isinstance(expr, Comparison | And | Or):
            return []
        problems = self.check_query(Query(entitytype, expr))
        # A builder comparison has no source text: positions mean nothing here.
        return [Problem(p.code, None, p.message, p.suggestion) for p in problems]

    def check_attribute_names(self, entitytype: str, names: Iterable[str]) -> list[Problem]:
        """``select("nmae")`` / ``attributes=["nmae"]``: each name must be an attribute."""
        from accsyn._validation import attribute_problem  # the session's own words

        known = self.attributes(entitytype)
        problems = []
        for name in names:
            found = attribute_problem(entitytype, name, known)
            if found is not None:
                problems.append(Problem("AQ102", None, found.message, found.suggestion))
        return problems

    def looks_like_query(self, text: str) -> bool:
        """Whether text on an unknown receiver is a query: ``<entity type> WHERE …``, with a
        known (or nearly known) type. ``line.find("Transfer complete")`` is not."""
        match = _TYPE_WHERE.match(text)
        if match is None:
            return False
        word = match.group(1).lower()
        return word in self.types or self.suggest_type(word) is not None

    def _problems(
        self, exc: QueryValidationError, query: Query, unchecked_values: Collection[int]
    ) -> list[Problem]:
        entitytype = self.resolve(query.entitytype or "") or ""
        extras = self._extras.get(entitytype, frozenset())
        by_position = _attribute_positions(query.where) if extras else {}
        problems = []
        for p in exc.problems:
            if p.position is not None and p.position in unchecked_values:
                continue
            code = _code_for(p.message)
            message = _in_lint_terms(p.message, code, p.suggestion)
            if code == "AQ102" and extras:
                missing = _NO_ATTRIBUTE.search(p.message)
                attribute = by_position.get(p.position or -1, "")
                if (missing and missing.group(1).lower() in extras) or attribute in extras:
                    continue
            problems.append(Problem(code, p.position, message, p.suggestion))
        if not exc.problems:
            problems.append(Problem("AQ105", None, str(exc)))
        return problems


_TYPE_WHERE = re.compile(r"\s*([A-Za-z_][A-Za-z0-9_]*)\s+where(?=[\s(\"']|\Z)", re.IGNORECASE)


def _in_lint_terms(message: str, code: str, suggestion: str | None) -> str:
    """The SDK's run-time bypass advice (``validate=False``) becomes lint's; a misspelling
    (one with a suggestion) needs none."""
    head, found, _ = message.partition(" (a newer server may know it")
    if not found or suggestion:
        return head
    if code == "AQ102":
        return head + " (a server-side attribute? list it in [tool.accsyn.lint] extra-attributes)"
    return head + f" (a newer server may accept it: # accsyn: ignore[{code}])"


def _syntax_problem(exc: QuerySyntaxError) -> Problem:
    message = exc.reason
    if exc.expected:
        message += f"; expected {_join_or(exc.expected)}"
    return Problem("AQ100", exc.position, message)


def comparisons(expr: Expr | None) -> list[Comparison]:
    """The comparisons of an expression, left to right (iterative: expressions can be deep)."""
    found: list[Comparison] = []
    stack: list[Expr] = [expr] if expr is not None else []
    while stack:
        node = stack.pop()
        if isinstance(node, Comparison):
            found.append(node)
        elif isinstance(node, And | Or):
            stack.extend(reversed(node.children))
    return found


def _attribute_positions(expr: Expr | None) -> dict[int, str]:
    return {
        c.attribute_pos: c.attribute.split(".", 1)[0]
        for c in comparisons(expr)
        if c.attribute_pos is not None
    }
