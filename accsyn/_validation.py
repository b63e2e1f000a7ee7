"""The validation policy: the one place the session layer checks what it sends.

``Session(validate="error" | "warn" | "off")`` (default ``"error"``) and a per-call
``validate=False`` decide what happens when a query, a projection or a payload does
not fit the models: raise, warn and send anyway, or send unchecked. Every path —
query strings, built ``Query`` objects, builder expressions, repository
``where``/``select``, ``attributes=``, create/update payloads and ``entity.save()`` —
calls the functions below, so they all fail the same way, and every message says
how to bypass the check (for an attribute a newer server knows).

Parsing and query validation are cached per query (string or ``Query``), so a
validated call costs about what an unvalidated one did (``bench/validation.py``).
"""

from __future__ import annotations

import difflib
import functools
import warnings
from collections.abc import Collection, Iterable, Mapping
from typing import Annotated, Any, Literal, TypeAlias

import pydantic

from accsyn._exceptions import (
    QueryProblem,
    QueryValidationError,
    ValidationError,
)
from accsyn.models import _spec
from accsyn.query import Comparison, Expr, Query, parse
from accsyn.query._validate import missing_entitytype

__all__ = [
    "BYPASS",
    "Policy",
    "attribute_problem",
    "check_attributes",
    "check_entitytype",
    "check_payload",
    "check_query",
    "fail",
    "parse_query",
    "policy_of",
    "resolve_policy",
]

Policy: TypeAlias = Literal["error", "warn", "off"]
_POLICIES: tuple[Policy, ...] = ("error", "warn", "off")

#: Appended to every validation message that does not say it yet (the models' text).
BYPASS = _spec.BYPASS


def resolve_policy(value: object) -> Policy:
    """Check a ``validate=`` session argument."""
    if value is True:
        return "error"
    if value is False:
        return "off"
    if value in _POLICIES:
        return value
    near = difflib.get_close_matches(str(value), _POLICIES, n=1)
    hint = f"; did you mean {near[0]!r}?" if near else ""
    raise ValidationError(
        f"validate must be one of 'error', 'warn', 'off', not {value!r}{hint}", field="validate"
    )


def policy_of(session: object, per_call: bool | None = None) -> Policy:
    """The policy for one call: ``validate=False`` turns it off, else the session's."""
    if per_call is False:
        return "off"
    policy: Policy = getattr(session, "_validate", "error")
    return policy


# --------------------------------------------------------------------------------------
# Queries
# --------------------------------------------------------------------------------------


def parse_query(text: str) -> Query:
    """Parse query text (``accsyn.query.parse`` caches per string; the AST is immutable)."""
    if not isinstance(text, str) or not text.strip():
        raise ValidationError("Invalid query supplied, must be a non-empty string or a Query!")
    return parse(text)


def _validate(query: Query, entitytype: str | None) -> None:
    from accsyn.query import validate

    validate(query, _spec.SCHEMA, entitytype=entitytype)


@functools.lru_cache(maxsize=2048)
def _cached_problems(
    query: Query, entitytype: str | None, source: str | None, origins: tuple[str | None, ...]
) -> QueryValidationError | None:
    # ``source`` and ``origins`` are in the key although the query ignores them in its
    # equality: the text is where each problem's column points, and a comparison's
    # origin (``Task.status`` in a transfer query) decides whether it is valid at all.
    del source, origins
    try:
        _validate(query, entitytype)
    except QueryValidationError as exc:
        return exc
    return None


def _origins(query: Query) -> tuple[str | None, ...]:
    """The model each comparison was built from, in order (all None for parsed text)."""
    if query.source is not None or query.where is None:
        return ()  # the parser never sets an origin
    found: list[str | None] = []
    stack: list[Expr] = [query.where]
    while stack:
        node = stack.pop()
        if isinstance(node, Comparison):
            found.append(node.origin)
        else:
            stack.extend(reversed(node.children))
    return tuple(found)


def _problems(query: Query, entitytype: str | None) -> QueryValidationError | None:
    return _cached_problems(query, entitytype, query.source, _origins(query))


#: Payload values are JSON: NaN and infinities are refused (the wire cannot carry them).
_STRICT_FLOATS = pydantic.ConfigDict(allow_inf_nan=False)


def fail(policy: Policy, error: Exception) -> None:
    """Apply the policy to a problem found: raise it (with how to bypass), warn, or not."""
    if policy == "off":
        return
    message = str(error) if "validate=False" in str(error) else f"{error}\n{BYPASS}"
    if policy == "warn":
        warnings.warn(message, UserWarning, stacklevel=4)
        return
    error.args = (message,)
    raise error


def check_query(query: str | Query, policy: Policy, *, entitytype: str | None = None) -> Query:
    """Parse ``query`` (cached) and check it against the models, per ``policy``.

    A statement without an entity type (and no ``entitytype=``) is refused under every
    policy: it cannot be sent.
    """
    if isinstance(query, str):
        parsed = parse_query(query)
    elif isinstance(query, Query):
        parsed = query
    else:
        raise ValidationError(
            f"Invalid query supplied: expected a str or accsyn.query.Query, not "
            f"{type(query).__name__}"
        )
    if parsed.entitytype is None and entitytype is None:
        # Not a policy question: a bare expression cannot be sent at all (the entity
        # type is the request's uri), so every path refuses it the same way.
        raise missing_entitytype(parsed, _spec.SCHEMA)
    if policy == "off":
        return parsed
    try:
        found = _problems(parsed, entitytype)
    except TypeError:  # an unhashable value inside a hand-built AST: check uncached
        found = None
        try:
            _validate(parsed, entitytype)
        except QueryValidationError as exc:
            found = exc
    if found is not None:
        fail(policy, QueryValidationError(found.problems, found.text))
    return parsed


# --------------------------------------------------------------------------------------
# Projections and payloads
# --------------------------------------------------------------------------------------


def check_entitytype(entitytype: str, policy: Policy) -> None:
    """An entity type name the models do not know raises, naming the nearest one."""
    if policy == "off":
        return
    try:
        _spec.spec_of(entitytype)
    except ValidationError as exc:
        fail(policy, ValidationError(str(exc), field="entitytype"))


def _known_attributes(entitytype: str) -> Mapping[str, Any] | None:
    try:
        return _spec.spec_of(entitytype).attributes
    except ValidationError:
        return None  # a type the models do not know: nothing to check against


def check_attributes(entitytype: str, names: Iterable[str] | None, policy: Policy) -> None:
    """Every name of an ``attributes=`` / ``select(...)`` projection must be an attribute."""
    if isinstance(names, str):
        # Not a policy question: a str is a sequence of one-letter names (the request
        # builder refuses it too, without saying what to write).
        raise ValidationError(
            f"attributes must be a list of names, not the str {names!r}: write "
            f"{_names_in(names)!r}",
            field="attributes",
        )
    if policy == "off" or not names:
        return
    known = _known_attributes(entitytype)
    if known is None:
        return
    problems = []
    for name in names:
        if isinstance(name, str):
            problem = attribute_problem(entitytype, name, known)
            if problem is not None:
                problems.append(problem)
    if problems:
        fail(policy, QueryValidationError(problems))


def attribute_problem(entitytype: str, name: str, known: Collection[str]) -> QueryProblem | None:
    """What is wrong with one projected name (``select``, ``attributes=``, lint), or None."""
    if name.split(".", 1)[0].strip().lower() in known:
        return None
    parts = _names_in(name)
    if len(parts) > 1 and all(p.split(".", 1)[0].lower() in known for p in parts):
        # "name,status": two names in one item (as the CLI's --select takes them).
        return QueryProblem(
            f"{entitytype} has no attribute {name!r}; one name per item: {parts!r}",
            suggestion=", ".join(parts),
        )
    close = difflib.get_close_matches(name.lower(), sorted(known), n=1, cutoff=0.6)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return QueryProblem(
        f"{entitytype} has no attribute {name!r}{hint}", suggestion=close[0] if close else None
    )


def _names_in(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


#: Payload keys a create takes besides attributes (protocol.md §4.4.1).
_CREATE_EXTRAS = frozenset({"tasks", "files", "allow_duplicates", "replace_duplicates", "parent"})


def check_payload(entitytype: str, data: object, kind: str, policy: Policy) -> None:
    """Unknown keys of a create/update payload raise ``ValidationError`` naming the
    field and the nearest valid one.

    Known keys are the type's attributes plus the fields of its input model
    (``EntitySpec.create_fields`` / ``update_fields``). Required fields and value
    kinds are left to the server here: payloads the official client sends unchanged
    must keep working.
    """
    if policy == "off":
        return
    check_entitytype(entitytype, policy)
    try:
        spec = _spec.spec_of(entitytype)
    except ValidationError:
        return  # unknown type under "warn": nothing to check against
    fields = spec.create_fields if kind == "create" else spec.update_fields
    known = frozenset(spec.attributes) | fields
    if kind == "create":
        known |= _CREATE_EXTRAS
    for row in data if isinstance(data, list | tuple) else [data]:
        if not isinstance(row, Mapping):
            continue
        for key, value in row.items():
            kept = spec.read_only(key) if kind == "update" else None
            if kept is not None:
                # An attribute the server keeps itself: refused as the server would.
                fail(policy, kept)
                continue
            if isinstance(key, str) and key in known:
                problem = _kind_problem(spec, kind, key, value)
                if problem is not None:
                    fail(
                        policy,
                        ValidationError(f"{entitytype} {kind}: {key}: {problem}", field=key),
                    )
                continue
            near = _spec.nearest(str(key), known)
            hint = f"; did you mean {near!r}?" if near else ""
            fail(
                policy,
                ValidationError(f"{entitytype} {kind} has no field {key!r}{hint}", field=str(key)),
            )


def _kind_problem(spec: _spec.EntitySpec, kind: str, key: str, value: object) -> str | None:
    """What is wrong with one payload value's kind, or None.

    Each value is checked alone against its field's type (the input model's, else the
    entity attribute's): a wrong kind (``priority: "x"``, ``tasks: 5``, ``NaN``) is
    caught, while required fields and cross-field rules stay the server's business, so
    payloads the official client sends keep working.
    """
    if value is None:
        return None
    model = spec.create_model if kind == "create" else spec.update_model
    owner: Any = model if model is not None and key in model.model_fields else spec.model
    if key not in owner.model_fields:
        return None  # a create-only flag with no declared type
    try:
        _adapter(owner, key).validate_python(value)
    except pydantic.ValidationError as exc:
        first = exc.errors(include_url=False, include_input=False, include_context=False)[0]
        where = ".".join(str(p) for p in first["loc"] if not isinstance(p, str) or "[" not in p)
        return f"{where + ': ' if where else ''}{first['msg']}"
    except (ValueError, TypeError) as exc:  # a field validator's own complaint
        return str(exc)
    return None


@functools.lru_cache(maxsize=1024)
def _adapter(owner: type[pydantic.BaseModel], key: str) -> pydantic.TypeAdapter[Any]:
    info = owner.model_fields[key]
    annotation: Any = info.annotation
    if info.metadata:
        # The field's constraints and validators travel as Annotated metadata.
        metadata = (annotation, *info.metadata)
        annotation = Annotated.__class_getitem__(metadata)  # type: ignore[attr-defined]
    return pydantic.TypeAdapter(annotation, config=_STRICT_FLOATS)
