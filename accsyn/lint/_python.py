"""Queries in Python 3 code, read from the AST (user code is never imported or run).

Call sites are found by what their receiver holds (see :mod:`accsyn.lint._flow`):

* ``find``/``find_one``/``find_all``/``report``/``metrics`` on a session: the query is
  checked whatever it looks like (``session.find("Trasnfer")`` is reported). On a receiver
  that is unknown, only text shaped like ``<entity type> WHERE …`` is taken as a query, so
  ``line.find("Transfer complete")`` and ``root.find("file/path")`` are left alone; on a
  receiver known to be something else (a string, a file, an imported library's object),
  never;
* ``where(…)`` on a repository or a model class: text, dynamic text and ``name=literal``
  filters, typed by the repository's entity type; ``select("…")`` attribute names;
  ``session.repository("…")`` entity type names;
* builder expressions anywhere: ``Transfer.status != "faild"``, ``Transfer.name.contains(…)``.

Literal text is checked directly; f-strings, ``.format``, ``%`` and ``+`` are checked as
skeletons (:mod:`accsyn.lint._strings` reads the pieces, :mod:`accsyn.lint._skeleton` checks
them); a query that is only known at run time is
counted as skipped with its reason.
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Callable, Collection, Sequence
from typing import Any

from accsyn._exceptions import QuerySyntaxError, ValidationError
from accsyn._validation import check_attributes
from accsyn.lint._check import Problem, QueryChecker
from accsyn.lint._flow import Flow, Scope, turns_validation_off
from accsyn.lint._positions import Positions
from accsyn.lint._rules import FileResult
from accsyn.lint._skeleton import Hole, check_skeleton
from accsyn.lint._strings import Parts, StringParts, literal
from accsyn.query import Comparison, Op, Query, parse
from accsyn.query._validate import SPECIAL_STATEMENTS, names_not_entities, needs_condition

__all__ = ["STATEMENT_METHODS", "scan_python"]

#: Calls whose first argument (or ``query=``) is a full statement.
STATEMENT_METHODS = frozenset({"find", "find_one", "find_all", "report", "metrics"})
_FIELD_METHODS = frozenset(
    {"in_", "not_in", "contains", "not_contains", "matches", "not_matches", "like", "not_like"}
)
#: ``session.query("…")`` (the SDK's select from text) shares its name with ftrack's
#: ``session.query("Task where …")``: it is read only on a receiver bound to a session.
_BOUND_STATEMENT_METHODS = frozenset({"query"})
_SITE_METHODS = (
    STATEMENT_METHODS
    | _BOUND_STATEMENT_METHODS
    | _FIELD_METHODS
    | {"where", "select", "repository"}
)
_OPS: dict[type[ast.cmpop], Callable[[Any, Any], Any]] = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
}
_MIRROR: dict[type[ast.cmpop], type[ast.cmpop]] = {
    ast.Eq: ast.Eq,
    ast.NotEq: ast.NotEq,
    ast.Lt: ast.Gt,
    ast.LtE: ast.GtE,
    ast.Gt: ast.Lt,
    ast.GtE: ast.LtE,
}


class _Scanner(StringParts):
    def __init__(
        self,
        tree: ast.Module,
        checker: QueryChecker,
        session_names: Collection[str],
        result: FileResult,
        positions: Positions,
        assume_models: bool,
        source: str | None,
    ) -> None:
        self.checker = checker
        self.session_names = session_names
        self.result = result
        self.pos = positions
        self._expected = False
        self._syntax_only = False
        self.flow = Flow(
            tree,
            checker.model_classes.get,
            checker.plural_type,
            checker.resolve,
            session_names,
            assume_models,
            source=source,
            site_methods=_SITE_METHODS,
            model_names=checker.model_classes.keys(),
        )

    def run(self) -> None:
        expecting = self.flow.expecting
        for node, scope in self.flow.sites:
            # Code that catches the query error expects the mistake (tests, docs); a call
            # with validation off only needs to parse.
            self._expected = any(s <= node.lineno <= e for s, e in expecting)
            self._syntax_only = False
            if isinstance(node, ast.Compare):
                self._compare(node, scope)
                continue
            func = node.func
            if not isinstance(func, ast.Attribute):
                continue
            method = func.attr
            if method in STATEMENT_METHODS:
                self._statement(node, func, scope)
            elif method in _BOUND_STATEMENT_METHODS:
                if self.flow.bound_kind(func.value, scope).name == "session":
                    self._statement(node, func, scope)
            elif method == "where":
                self._where(node, func, scope)
            elif method == "select":
                self._select(node, func, scope)
            elif method == "repository":
                self._repository(node, func, scope)
            elif method in _FIELD_METHODS:
                self._field_method(node, func, scope)

    # -- reporting ----------------------------------------------------------------------------

    def _report(self, where: tuple[int, int], problem: Problem, statement: ast.AST) -> None:
        validation = problem.code < "AQ200"
        if self._syntax_only and validation and problem.code != "AQ100":
            return
        if self._expected and validation:
            self.result.suppressed += 1
            return
        line, column = where
        self.result.add(
            line,
            column,
            problem.code,
            problem.message,
            problem.suggestion,
            self.pos.node(statement)[0],
        )

    def _skip(self, reason: str, node: ast.AST, statement: ast.AST) -> None:
        line, column = self.pos.node(node)
        self.result.skip(reason, line, column, self.pos.node(statement)[0])

    # -- query text ---------------------------------------------------------------------------

    def _check_parts(self, parts: Parts, entitytype: str | None, statement: ast.AST) -> str | None:
        """Check query text made of parts; return the entity type it names, if static."""
        pieces = [p for p, _ in parts]
        anchors = [a for _, a in parts]
        if len(pieces) == 1 and isinstance(pieces[0], str):
            for problem in self.checker.check_text(pieces[0], entitytype):
                self._report(anchors[0](problem.offset or 0), problem, statement)
            self._check("string", statement)
            return self._named_type(pieces[0])
        found = check_skeleton(pieces, self.checker, entitytype)
        for index, inner, problem in found.problems:
            self._report(anchors[index](inner), problem, statement)
        dynamic = any(isinstance(p, Hole) for p in pieces)
        if found.unchecked is not None:
            line, column = anchors[0](0)
            self.result.skip(
                f"dynamic query: {found.unchecked}", line, column, self.pos.node(statement)[0]
            )
            return None
        self._check("dynamic" if dynamic else "string", statement)
        first = pieces[0]
        return self._named_type(first) if isinstance(first, str) else None

    def _named_type(self, text: str) -> str | None:
        word = text.strip().split(None, 1)
        return self.checker.resolve(word[0]) if word else None

    # -- call sites ---------------------------------------------------------------------------

    def _receiver(self, node: ast.expr, scope: Scope) -> str:
        kind = self.flow.kind(node, scope)
        if kind.name == "session":
            return "session"
        return "maybe" if kind.name == "unknown" else "no"

    def _check(self, kind: str, statement: ast.AST) -> None:
        label = f"{kind} (syntax only: validation off)" if self._syntax_only else kind
        self.result.check(label, self.pos.node(statement)[0])

    def _statement(self, call: ast.Call, func: ast.Attribute, scope: Scope) -> None:
        arg = call.args[0] if call.args else None
        if arg is None:
            arg = next((k.value for k in call.keywords if k.arg == "query"), None)
        if arg is None:
            return
        receiver = self._receiver(func.value, scope)
        if receiver == "no":
            return
        self._syntax_only = self.flow.kind(func.value, scope).raw or turns_validation_off(call)
        parts = self._parts(arg, scope)
        if receiver == "maybe":
            first = parts[0][0] if parts else None
            if not isinstance(first, str) or not self.checker.looks_like_query(first):
                return
        if parts is None:
            kind = self.flow.kind(arg, scope)
            if kind.name == "query":
                self._check("builder", call)
                self._attributes_keyword(call, kind.entitytype, scope)
            else:
                self._skip("the query is a variable or the result of a call", arg, call)
            return
        entitytype = self._check_parts(parts, None, call)
        self._attributes_keyword(call, entitytype, scope)
        first = parts[0][0]
        if func.attr == "query" and isinstance(first, str):
            words = first.split(None, 1)
            if words and words[0].lower() in SPECIAL_STATEMENTS:
                # The session refuses it (names, not entities): say so here too.
                text = "".join(p if isinstance(p, str) else "..." for p, _ in parts).strip()
                problem = Problem("AQ105", None, names_not_entities(text))
                self._report(parts[0][1](0), problem, call)

    def _attributes_keyword(self, call: ast.Call, entitytype: str | None, scope: Scope) -> None:
        if entitytype is None:
            return
        for keyword in call.keywords:
            if keyword.arg == "attributes" and isinstance(keyword.value, ast.List | ast.Tuple):
                self._names(entitytype, keyword.value.elts, call, scope)
            elif keyword.arg == "attributes":
                ok, value = self._constant(keyword.value, scope)
                if ok and isinstance(value, str):
                    # attributes="name": refused at run time, whatever the policy.
                    try:
                        check_attributes(entitytype, value, "error")
                    except ValidationError as exc:
                        problem = Problem("AQ105", None, str(exc))
                        self._report(self.pos.node(keyword.value), problem, call)

    def _names(
        self, entitytype: str, nodes: Sequence[ast.expr], statement: ast.AST, scope: Scope
    ) -> None:
        for node in nodes:
            name: str | None = None
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                name = node.value
            elif isinstance(node, ast.Attribute) and self.flow.model(node.value, scope):
                name = node.attr
            if name is None:
                continue
            for problem in self.checker.check_attribute_names(entitytype, [name]):
                self._report(self.pos.node(node), problem, statement)

    def _where(self, call: ast.Call, func: ast.Attribute, scope: Scope) -> None:
        kind = self.flow.kind(func.value, scope)
        if kind.name not in ("repo", "model") or kind.entitytype is None:
            return
        self._syntax_only = kind.raw
        entitytype = kind.entitytype
        for arg in call.args:
            parts = self._parts(arg, scope)
            if parts is not None:
                self._check_parts(parts, entitytype, call)
                self._condition_given(parts, call)
            else:
                self._foreign_fields(arg, entitytype, call, scope)
        for keyword in call.keywords:
            if keyword.arg is None:
                self._skip("keyword filters from a dict (**)", keyword.value, call)
                continue
            self._keyword(entitytype, keyword, call)

    def _condition_given(self, parts: Parts, call: ast.Call) -> None:
        """``where("transfer")``: a statement with no condition, refused at run time."""
        if len(parts) != 1 or not isinstance(parts[0][0], str):
            return
        text = parts[0][0]
        try:
            query = parse(text)
        except QuerySyntaxError:
            return  # reported by the check of the text
        if query.entitytype is not None and query.where is None:
            self._report(parts[0][1](0), Problem("AQ105", None, needs_condition(text)), call)

    def _foreign_fields(self, arg: ast.expr, entitytype: str, call: ast.Call, scope: Scope) -> None:
        """``transfers.where(Task.status == x)``: a field of another model, refused at run
        time; the message is the validator's, for a comparison built from that field."""
        mine = self.checker.resolve(entitytype)
        for node in ast.walk(arg):
            if not isinstance(node, ast.Attribute):
                continue
            model = self.flow.model(node.value, scope)
            if model is None or self.checker.resolve(model) == mine:
                continue
            probe = Query(entitytype, Comparison(node.attr.lower(), Op.EQ, "*", origin=model))
            for problem in self.checker.check_query(probe):
                self._report(self.pos.node(node), problem, call)

    def _keyword(self, entitytype: str, keyword: ast.keyword, call: ast.Call) -> None:
        name = keyword.arg
        assert name is not None
        ok, value = literal(keyword.value)
        if not ok:
            problems = self.checker.check_attribute_names(entitytype, [name])
        elif isinstance(value, list | tuple | set | frozenset):
            problems = self.checker.check_comparison_cached(
                entitytype, ("in_", repr(value)), lambda f: f.in_(value), name
            )
        else:
            problems = self.checker.check_comparison_cached(
                entitytype, ("==", repr(value)), lambda f: f == value, name
            )
        for problem in problems:
            where = keyword if problem.code == "AQ102" else keyword.value
            self._report(self.pos.node(where), problem, call)
        self._check("keyword filter", call)

    def _select(self, call: ast.Call, func: ast.Attribute, scope: Scope) -> None:
        kind = self.flow.kind(func.value, scope)
        if kind.name != "repo" or kind.entitytype is None:
            return
        self._syntax_only = kind.raw
        self._names(kind.entitytype, call.args, call, scope)
        self._check("select", call)

    def _repository(self, call: ast.Call, func: ast.Attribute, scope: Scope) -> None:
        if self._receiver(func.value, scope) != "session" or not call.args:
            return
        arg = call.args[0]
        if not isinstance(arg, ast.Constant) or not isinstance(arg.value, str):
            return
        self._check("entity type", call)
        if self.checker.resolve(arg.value) is None:
            near = self.checker.suggest_type(arg.value)
            hint = f"; did you mean {near!r}?" if near else ""
            problem = Problem("AQ101", 0, f"unknown entity type {arg.value!r}{hint}", near)
            self._report(self.pos.literal(arg, 0), problem, call)

    # -- builder expressions ------------------------------------------------------------------

    def _field(self, node: ast.expr, scope: Scope) -> str | None:
        if isinstance(node, ast.Attribute):
            return self.flow.model(node.value, scope)
        return None

    def _compare(self, node: ast.Compare, scope: Scope) -> None:
        if len(node.ops) != 1 or type(node.ops[0]) not in _OPS:
            return
        op = type(node.ops[0])
        left, right = node.left, node.comparators[0]
        entitytype = self._field(left, scope)
        field, other = left, right
        if entitytype is None:
            entitytype = self._field(right, scope)
            field, other, op = right, left, _MIRROR[op]
        if entitytype is None:
            return
        assert isinstance(field, ast.Attribute)
        ok, value = literal(other)
        apply = _OPS[op]
        if ok:
            problems = self.checker.check_comparison_cached(
                entitytype, (op.__name__, repr(value)), lambda f: apply(f, value), field.attr
            )
        else:
            problems = self.checker.check_attribute_names(entitytype, [field.attr])
        self._builder_problems(problems, field, other, node)

    def _field_method(self, call: ast.Call, func: ast.Attribute, scope: Scope) -> None:
        field = func.value
        entitytype = self._field(field, scope)
        if entitytype is None:
            return
        assert isinstance(field, ast.Attribute)
        values = [literal(a) for a in call.args]
        method = func.attr
        if call.args and all(ok for ok, _ in values):
            args = [v for _, v in values]
            problems = self.checker.check_comparison_cached(
                entitytype, (method, repr(args)), lambda f: getattr(f, method)(*args), field.attr
            )
        else:
            problems = self.checker.check_attribute_names(entitytype, [field.attr])
        self._builder_problems(problems, field, call.args[0] if call.args else call, call)

    def _builder_problems(
        self, problems: list[Problem], field: ast.Attribute, value: ast.expr, statement: ast.AST
    ) -> None:
        for problem in problems:
            where = self.pos.end_name(field) if problem.code == "AQ102" else self.pos.node(value)
            self._report(where, problem, statement)
        self._check("builder", statement)


def scan_python(
    tree: ast.Module,
    positions: Positions,
    checker: QueryChecker,
    session_names: Collection[str],
    result: FileResult,
    *,
    assume_models: bool = False,
    source: str | None = None,
) -> None:
    """Find and check every query in a parsed module, recording into ``result``.

    ``assume_models``: model class names nobody binds are the accsyn models (docs
    fragments often leave out their imports). With ``source`` (the module's text), only the
    lines where a query site can be are walked in full.
    """
    _Scanner(tree, checker, session_names, result, positions, assume_models, source).run()
