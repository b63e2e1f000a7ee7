"""What a name in a module holds, by data flow over its AST (no user code is imported).

One pass over the module records, for every function (and the module itself), what each
local name is bound to — assignments, ``with … as``, parameters and their annotations —
and, per class, what ``self.<name>`` is bound to in its methods. :meth:`Flow.kind` then
says what an expression is: an accsyn session, a repository of some entity type, a model
class, a string, something else, or unknown. A name bound twice to different things is
unknown; so is an unannotated parameter.
"""

from __future__ import annotations

import ast
import bisect
import functools
import re
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass, field

__all__ = ["Flow", "Kind", "Scope"]

#: Classes whose instances are accsyn sessions (our SDK, the official client, the compat layer).
SESSION_CLASSES = frozenset(
    {
        "accsyn.Session",
        "accsyn.AsyncSession",
        "accsyn.session.Session",
        "accsyn.session.AsyncSession",
        "accsyn.compat.Session",
        "accsyn.compat.AsyncSession",
        "accsyn_api.Session",
        "accsyn_api.session.Session",
    }
)
WORKSPACE_CLASSES = frozenset({"accsyn.emulator.LocalWorkspace"})
_MODEL_MODULES = ("accsyn.models.", "accsyn.")
# Repository methods that return a repository of the same entity type.
_REPO_CHAIN = frozenset(
    {"where", "select", "limit", "offset", "finished", "inactive", "archived", "page_size", "of"}
)
#: Errors whose handlers mean "this query is expected to be refused" (tests, docs).
QUERY_ERRORS = frozenset(
    {"QueryValidationError", "QuerySyntaxError", "QueryError", "ValidationError", "AccsynError"}
)


@dataclass(frozen=True)
class Kind:
    """What an expression holds: ``session``, ``workspace``, ``repo`` / ``model`` / ``query``
    (with an entity type), ``str``, ``other`` (known not to be accsyn) or ``unknown``."""

    name: str
    entitytype: str | None = None
    #: A session or repository that does not validate (``validate="off"``, ``.validate(False)``).
    raw: bool = False


UNKNOWN = Kind("unknown")
OTHER = Kind("other")
SESSION = Kind("session")
STR = Kind("str")
NUMBER = Kind("number")
_NUMBER_TYPES = frozenset({"int", "float", "bool"})
_NUMBER_CALLS = frozenset({"int", "len", "float", "round", "abs", "sum", "min", "max", "bool"})
_STR_CALLS = frozenset({"str", "repr", "format"})


@dataclass(eq=False)
class _Class:
    attributes: dict[str, list[tuple[ast.expr | Kind, Scope]]] = field(default_factory=dict)


@dataclass(eq=False)
class Scope:
    """A function's (or the module's) local bindings."""

    parent: Scope | None
    bindings: dict[str, list[ast.expr | Kind]] = field(default_factory=dict)
    owner: _Class | None = None  # the class whose ``self`` this method receives
    self_name: str | None = None

    def bind(self, name: str, value: ast.expr | Kind) -> None:
        self.bindings.setdefault(name, []).append(value)

    def lookup(self, name: str) -> tuple[list[ast.expr | Kind], Scope] | None:
        scope: Scope | None = self
        while scope is not None:
            found = scope.bindings.get(name)
            if found is not None:
                return found, scope
            scope = scope.parent
        return None

    def method(self) -> Scope | None:
        scope: Scope | None = self
        while scope is not None and scope.owner is None:
            scope = scope.parent
        return scope


class Flow:
    """The bindings of one module, and the call and comparison sites found in it."""

    def __init__(
        self,
        tree: ast.Module,
        model_type: Callable[[str], str | None],
        plural_type: Callable[[str], str | None],
        resolve_type: Callable[[str], str | None],
        session_names: Collection[str] = (),
        assume_models: bool = False,
        *,
        source: str | None = None,
        site_methods: Collection[str] = (),
        model_names: Collection[str] = (),
    ) -> None:
        self.imports: dict[str, str] = {}
        self.session_names = session_names
        self.sites: list[tuple[ast.Call | ast.Compare, Scope]] = []
        self._model_type = model_type
        self._plural_type = plural_type
        self._resolve_type = resolve_type
        self._memo: dict[int, Kind] = {}
        self._deferred: list[tuple[ast.AST, Scope, int, int]] = []
        #: Line ranges of code that expects a query error (``try``/``except
        #: QueryValidationError``, ``with pytest.raises(...)``).
        self.expecting: list[tuple[int, int]] = []
        self.module = Scope(None)
        self._statements(tree.body, self.module, 1, 1)
        # A model class name nobody binds (a docs fragment, a star import) is taken as the
        # model when the module uses accsyn at all.
        self.assume_models = assume_models or any(
            v.split(".", 1)[0] in ("accsyn", "accsyn_api") for v in self.imports.values()
        )
        lines = (
            self._candidate_lines(source, site_methods, model_names) if source is not None else None
        )
        for node, scope, first, last in self._deferred:
            if lines is not None:
                index = bisect.bisect_left(lines, first)
                if index == len(lines) or lines[index] > last:
                    continue
            self._expression(node, scope)

    # -- collection ---------------------------------------------------------------------------
    # Statements are all read (bindings live there); the expressions inside them are walked
    # only on lines where a query site can be (a query method call, a model class or an
    # accsyn name), which keeps large modules cheap.

    def _candidate_lines(
        self, source: str, methods: Collection[str], model_names: Collection[str]
    ) -> list[int]:
        names = set(model_names)
        names.update(
            alias
            for alias, target in self.imports.items()
            if target.split(".", 1)[0] in ("accsyn", "accsyn_api")
        )
        pattern = _site_pattern(frozenset(methods), frozenset(names))
        if pattern is None:
            return []
        found: list[int] = []
        line, position = 1, 0
        for match in pattern.finditer(source):
            line += source.count("\n", position, match.start())
            position = match.start()
            last = line + source.count("\n", match.start(), match.end())
            found.extend(range(line, last + 1))
        return found

    def _statements(self, body: list[ast.stmt], scope: Scope, first: int, last: int) -> None:
        for stmt in body:
            kind = type(stmt)
            if kind is ast.FunctionDef or kind is ast.AsyncFunctionDef:
                self._function(stmt, scope)  # type: ignore[arg-type]
                continue
            if kind is ast.ClassDef:
                self._class(stmt, scope)  # type: ignore[arg-type]
                continue
            if kind is ast.Import or kind is ast.ImportFrom:
                self._import(stmt, scope)  # type: ignore[arg-type]
                continue
            if kind is ast.Assign:
                for target in stmt.targets:  # type: ignore[attr-defined]
                    self._bind(target, stmt.value, scope)  # type: ignore[attr-defined]
            elif kind is ast.AnnAssign:
                value = stmt.value  # type: ignore[attr-defined]
                annotated = self._annotation(stmt.annotation)  # type: ignore[attr-defined]
                self._bind(stmt.target, annotated or value or UNKNOWN, scope)  # type: ignore[attr-defined]
            elif kind is ast.AugAssign or kind is ast.Delete:
                for target in _targets(stmt):
                    self._bind(target, UNKNOWN, scope)
            elif kind is ast.With or kind is ast.AsyncWith:
                for item in stmt.items:  # type: ignore[attr-defined]
                    if item.optional_vars is not None:
                        self._bind(item.optional_vars, item.context_expr, scope)
            elif kind is ast.For or kind is ast.AsyncFor:
                self._bind(stmt.target, OTHER, scope)  # type: ignore[attr-defined]
            self._note_expected_errors(stmt)
            start, end = stmt.lineno, stmt.end_lineno or stmt.lineno
            for name in stmt._fields:
                value = getattr(stmt, name, None)
                if isinstance(value, list):
                    for item in value:
                        self._child(item, scope, start, end)
                elif isinstance(value, ast.AST):
                    self._child(value, scope, start, end)

    def _note_expected_errors(self, stmt: ast.stmt) -> None:
        body: list[ast.stmt] = []
        if type(stmt).__name__ in ("Try", "TryStar"):  # TryStar: Python 3.11+
            handlers: list[ast.ExceptHandler] = getattr(stmt, "handlers", [])
            names = {n for h in handlers if h.type is not None for n in _error_names(h.type)}
            if names & QUERY_ERRORS:
                body = getattr(stmt, "body", [])
        elif isinstance(stmt, ast.With | ast.AsyncWith):
            for item in stmt.items:
                call = item.context_expr
                if (
                    isinstance(call, ast.Call)
                    and (_dotted(call.func) or "").rsplit(".", 1)[-1] == "raises"
                    and call.args
                    and set(_error_names(call.args[0])) & QUERY_ERRORS
                ):
                    body = stmt.body
        if body:
            self.expecting.append((body[0].lineno, body[-1].end_lineno or body[-1].lineno))

    def _child(self, node: ast.AST, scope: Scope, start: int, end: int) -> None:
        if isinstance(node, ast.stmt):
            self._statements([node], scope, start, end)
        elif isinstance(node, ast.ExceptHandler):
            if node.name:
                scope.bind(node.name, OTHER)
            if node.type is not None:
                self._defer(node.type, scope, start, end)
            self._statements(node.body, scope, start, end)
        elif isinstance(node, ast.match_case):
            if node.guard is not None:
                self._defer(node.guard, scope, start, end)
            self._statements(node.body, scope, start, end)
        elif isinstance(node, ast.expr | ast.withitem | ast.keyword):
            self._defer(node, scope, start, end)

    def _defer(self, node: ast.AST, scope: Scope, start: int, end: int) -> None:
        first = getattr(node, "lineno", start)
        last = getattr(node, "end_lineno", None) or (end if first == start else first)
        self._deferred.append((node, scope, first, last))

    def _expression(self, node: ast.AST, scope: Scope) -> None:
        """Walk an expression: its call and comparison sites, lambdas and ``:=`` names."""
        stack: list[tuple[ast.AST, Scope]] = [(node, scope)]
        while stack:
            current, where = stack.pop()
            kind = type(current)
            if kind is ast.Call or kind is ast.Compare:
                self.sites.append((current, where))  # type: ignore[arg-type]
            elif kind is ast.Lambda:
                inner = Scope(where)
                for arg in _arguments(current.args):  # type: ignore[attr-defined]
                    inner.bind(arg.arg, UNKNOWN)
                stack.append((current.body, inner))  # type: ignore[attr-defined]
                continue
            elif kind is ast.NamedExpr:
                self._bind(current.target, current.value, where)  # type: ignore[attr-defined]
            elif kind is ast.comprehension:
                self._bind(current.target, OTHER, where)  # type: ignore[attr-defined]
            for child in ast.iter_child_nodes(current):
                stack.append((child, where))

    def _function(self, node: ast.FunctionDef | ast.AsyncFunctionDef, scope: Scope) -> None:
        for expr in (*node.decorator_list, *node.args.defaults, *node.args.kw_defaults):
            if expr is not None:
                self._defer(expr, scope, node.lineno, node.lineno)
        returns = self._annotation(node.returns) if node.returns is not None else None
        scope.bind(node.name, Kind("def", "session" if returns is SESSION else None))
        in_class = scope.self_name == "<class>"
        inner = Scope(scope.parent if in_class else scope)
        owner = scope.owner if in_class else None
        params = _arguments(node.args)
        static = any(_dotted(d) == "staticmethod" for d in node.decorator_list)
        if owner is not None and params and not static:
            inner.owner, inner.self_name = owner, params[0].arg
        for arg in params:
            annotated = self._annotation(arg.annotation) if arg.annotation else None
            inner.bind(arg.arg, annotated or UNKNOWN)
        self._statements(node.body, inner, node.lineno, node.end_lineno or node.lineno)

    def _class(self, node: ast.ClassDef, scope: Scope) -> None:
        for expr in (*node.bases, *node.decorator_list, *(k.value for k in node.keywords)):
            self._defer(expr, scope, node.lineno, node.lineno)
        scope.bind(node.name, OTHER)
        # Methods see the enclosing scope, not the class body; the marker lets _function
        # know it is defining a method of ``owner``.
        body = Scope(scope, owner=_Class(), self_name="<class>")
        self._statements(node.body, body, node.lineno, node.end_lineno or node.lineno)

    def _import(self, node: ast.Import | ast.ImportFrom, scope: Scope) -> None:
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    self.imports[alias.asname] = alias.name
                else:
                    top = alias.name.split(".", 1)[0]
                    self.imports[top] = top
        elif node.module and not node.level:
            for alias in node.names:
                self.imports[alias.asname or alias.name] = f"{node.module}.{alias.name}"

    def _bind(self, target: ast.expr, value: ast.expr | Kind, scope: Scope) -> None:
        if isinstance(target, ast.Name):
            scope.bind(target.id, value)
        elif isinstance(target, ast.Attribute):
            owner = _self_owner(target, scope)
            if owner is not None:
                owner.attributes.setdefault(target.attr, []).append((value, scope))
        elif isinstance(target, ast.Tuple | ast.List):
            for element in target.elts:
                self._bind(element, OTHER, scope)
        elif isinstance(target, ast.Starred):
            self._bind(target.value, OTHER, scope)

    def _annotation(self, annotation: ast.expr) -> Kind | None:
        """``accsyn.Session``, ``Session | None``, ``Optional["Session"]`` → session;
        ``int``/``float`` → a number (a query hole it fills cannot change the structure)."""
        names = list(_annotation_names(annotation))
        for node in names:
            qualified = self.qualified(node)
            if qualified in SESSION_CLASSES:
                return SESSION
            if qualified in WORKSPACE_CLASSES:
                return Kind("workspace")
        if names and all(isinstance(n, ast.Name) and n.id in _NUMBER_TYPES for n in names):
            return NUMBER
        return None

    # -- resolution ---------------------------------------------------------------------------

    def qualified(self, node: ast.expr) -> str | None:
        """``S`` → ``accsyn.Session`` after ``from accsyn import Session as S``."""
        dotted = _dotted(node)
        if dotted is None:
            return None
        head, _, rest = dotted.partition(".")
        base = self.imports.get(head)
        if base is None:
            return None
        return f"{base}.{rest}" if rest else base

    def model(self, node: ast.expr, scope: Scope) -> str | None:
        """The entity type of a model class reference (``Transfer``, ``models.Transfer``)."""
        if isinstance(node, ast.Name) and scope.lookup(node.id) is not None:
            return None  # shadowed by a local binding
        if isinstance(node, ast.Name) and node.id not in self.imports and self.assume_models:
            return self._model_type(node.id)
        qualified = self.qualified(node)
        if qualified is None or not qualified.startswith(_MODEL_MODULES):
            return None
        return self._model_type(qualified.rsplit(".", 1)[-1])

    def kind(self, node: ast.expr | Kind, scope: Scope, depth: int = 0) -> Kind:
        """What ``node`` holds (see the module docstring); an unknown receiver named like a
        configured session name (``session``, ``self.session``) is a session."""
        if isinstance(node, Kind):
            return node
        key = id(node)
        found = self._memo.get(key)
        if found is None:
            # Memoised per node (a node lives in one scope); UNKNOWN while in progress
            # breaks cycles such as ``q = q.where(...)``.
            self._memo[key] = UNKNOWN
            found = self._memo[key] = self._kind(node, scope, depth)
        if found is UNKNOWN and isinstance(node, ast.expr) and _dotted(node) in self.session_names:
            return SESSION
        return found

    def bound_kind(self, node: ast.expr, scope: Scope) -> Kind:
        """:meth:`kind` without the configured session names: what the code itself binds."""
        found = self.kind(node, scope)
        return self._memo.get(id(node), found)

    def _kind(self, node: ast.expr | Kind, scope: Scope, depth: int) -> Kind:
        if isinstance(node, Kind):
            return node
        if depth > 12:
            return UNKNOWN
        if isinstance(node, ast.Await):
            node = node.value
        if isinstance(node, ast.Constant):
            if isinstance(node.value, str):
                return STR
            return NUMBER if isinstance(node.value, int | float) else OTHER
        if isinstance(node, ast.JoinedStr):
            return STR
        if isinstance(node, ast.BinOp):
            sides = {
                self.kind(node.left, scope, depth + 1),
                self.kind(node.right, scope, depth + 1),
            }
            if STR in sides:
                return STR
            return NUMBER if sides == {NUMBER} else UNKNOWN
        if isinstance(node, ast.UnaryOp):
            return self.kind(node.operand, scope, depth + 1)
        if isinstance(node, ast.Name | ast.Attribute):
            entitytype = self.model(node, scope)
            if entitytype is not None:
                return Kind("model", entitytype)
        if isinstance(node, ast.Name):
            found = scope.lookup(node.id)
            if found is None:
                return OTHER if node.id in self.imports else UNKNOWN
            values, where = found
            return self._merge(self.kind(v, where, depth + 1) for v in values)
        if isinstance(node, ast.Attribute):
            return self._attribute(node, scope, depth)
        if isinstance(node, ast.Call):
            return self._call(node, scope, depth)
        return OTHER

    def _attribute(self, node: ast.Attribute, scope: Scope, depth: int) -> Kind:
        owner = _self_owner(node, scope)
        if owner is not None:
            bound = owner.attributes.get(node.attr)
            if bound is None:
                return UNKNOWN
            return self._merge(self.kind(v, where, depth + 1) for v, where in bound)
        base = self.kind(node.value, scope, depth + 1)
        if base.name == "session":
            entitytype = self._plural_type(node.attr)
            return Kind("repo", entitytype, base.raw) if entitytype else UNKNOWN
        return OTHER if base.name in ("other", "str") else UNKNOWN

    def _call(self, node: ast.Call, scope: Scope, depth: int) -> Kind:
        qualified = self.qualified(node.func)
        if qualified in SESSION_CLASSES:
            return Kind("session", raw=turns_validation_off(node))
        if qualified in WORKSPACE_CLASSES:
            return Kind("workspace")
        if qualified is not None and qualified.split(".", 1)[0] not in ("accsyn", "accsyn_api"):
            return OTHER  # another library's function or class: its result is not accsyn's
        if isinstance(node.func, ast.Name):
            found = scope.lookup(node.func.id)
            if found is not None:
                # A function of this module: what its return annotation says, else unknown.
                kinds = {
                    v.entitytype if isinstance(v, Kind) and v.name == "def" else "?"
                    for v in found[0]
                }
                return SESSION if kinds == {"session"} else UNKNOWN
            if node.func.id in _NUMBER_CALLS:
                return NUMBER
            return STR if node.func.id in _STR_CALLS else UNKNOWN
        if not isinstance(node.func, ast.Attribute):
            return UNKNOWN
        method = node.func.attr
        if method == "format":
            return STR
        base = self.kind(node.func.value, scope, depth + 1)
        if method == "session" and (
            base.name == "workspace" or (base is UNKNOWN and turns_validation_off(node))
        ):
            return Kind("session", raw=turns_validation_off(node))
        if base.name == "session" and method == "query" and node.args:
            first = node.args[0]
            text = first.value if isinstance(first, ast.Constant) else None
            word = text.split(None, 1)[0] if isinstance(text, str) and text.strip() else ""
            return Kind("repo", self._resolve_type(word) if word else None, base.raw)
        if base.name == "session" and method == "repository" and node.args:
            return Kind("repo", self.entity_argument(node.args[0], scope), base.raw)
        if base.name == "repo" and method == "validate":
            off = bool(node.args) and _false(node.args[0])
            return Kind("repo", base.entitytype, off)
        if base.name == "repo" and method in _REPO_CHAIN:
            return base
        if base.name == "model" and method == "where":
            return Kind("query", base.entitytype)
        return OTHER if base.name in ("other", "str") else UNKNOWN

    def entity_argument(self, node: ast.expr, scope: Scope) -> str | None:
        """The entity type named by ``repository(Transfer)`` or ``repository("transfer")``."""
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return self._resolve_type(node.value)
        return self.model(node, scope)

    @staticmethod
    def _merge(kinds: Iterator[Kind]) -> Kind:
        first: Kind | None = None
        for kind in kinds:
            if first is None:
                first = kind
            elif kind != first:
                return UNKNOWN
        return first or UNKNOWN

    def strings(self, node: ast.Name, scope: Scope) -> tuple[ast.expr, Scope] | None:
        """The one string expression a name is bound to, if it is bound exactly once."""
        found = scope.lookup(node.id)
        if found is None:
            return None
        values, where = found
        if len(values) != 1 or isinstance(values[0], Kind):
            return None
        value = values[0]
        return (value, where) if self.kind(value, where) == STR else None


@functools.lru_cache(maxsize=256)
def _site_pattern(methods: frozenset[str], names: frozenset[str]) -> re.Pattern[str] | None:
    alternatives = [rf"\.\s*(?:{'|'.join(sorted(methods))})\s*\("] if methods else []
    if names:
        alternatives.append(rf"\b(?:{'|'.join(sorted(map(re.escape, names)))})\s*\.")
    return re.compile("|".join(alternatives)) if alternatives else None


def _self_owner(node: ast.Attribute, scope: Scope) -> _Class | None:
    """The class of ``self`` when ``node`` is ``self.<name>`` inside one of its methods."""
    method = scope.method()
    if (
        method is not None
        and method.owner is not None
        and isinstance(node.value, ast.Name)
        and node.value.id == method.self_name
    ):
        return method.owner
    return None


def _false(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value in (False, "off")


def turns_validation_off(call: ast.Call) -> bool:
    """Whether a call passes ``validate=False`` or ``validate="off"``."""
    return any(k.arg == "validate" and _false(k.value) for k in call.keywords)


def _error_names(node: ast.expr) -> list[str]:
    if isinstance(node, ast.Tuple):
        return [n for element in node.elts for n in _error_names(element)]
    dotted = _dotted(node)
    return [dotted.rsplit(".", 1)[-1]] if dotted else []


def _arguments(args: ast.arguments) -> list[ast.arg]:
    found = [*args.posonlyargs, *args.args]
    if args.vararg:
        found.append(args.vararg)
    found.extend(args.kwonlyargs)
    if args.kwarg:
        found.append(args.kwarg)
    return found


def _targets(node: ast.AST) -> list[ast.expr]:
    if isinstance(node, ast.AugAssign):
        return [node.target]
    if isinstance(node, ast.Delete):
        return list(node.targets)
    return []


def _dotted(node: ast.expr) -> str | None:
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return ".".join(reversed(parts))


def _annotation_names(annotation: ast.expr) -> Iterator[ast.expr]:
    """The class references in an annotation (through ``|``, ``Optional[...]``, strings)."""
    stack = [annotation]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            try:
                stack.append(ast.parse(node.value, mode="eval").body)
            except SyntaxError:
                continue
        elif isinstance(node, ast.BinOp):
            stack.extend((node.left, node.right))
        elif isinstance(node, ast.Subscript):
            stack.append(node.slice)
        elif isinstance(node, ast.Tuple):
            stack.extend(node.elts)
        elif isinstance(node, ast.Name | ast.Attribute):
            yield node
