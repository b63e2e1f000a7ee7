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
from collections.abc import Iterable, Mapping
from typing import Any, Literal, TypeAlias

from accsyn._exceptions import (
    QueryProblem,
    QueryValidationError,
    ValidationError,
)
from accsyn.query import Query, parse

__all__ = [
    "BYPASS",
    "Policy",
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

#: Appended to every validation message.
BYPASS = (
    "(if the server knows more than these models, e.g. a newer attribute, pass "
    'validate=False to this call or create the session with validate="off")'
)


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

    validate(query, entitytype=entitytype)


@functools.lru_cache(maxsize=2048)
def _problems(query: Query, entitytype: str | None) -> QueryValidationError | None:
    try:
        _validate(query, entitytype)
    except QueryValidationError as exc:
        return exc
    return None


def fail(policy: Policy, error: Exception) -> None:
    """Apply the policy to a problem found: raise it (with how to bypass), warn, or not."""
    if policy == "off":
        return
    message = f"{error}\n{BYPASS}"
    if policy == "warn":
        warnings.warn(message, UserWarning, stacklevel=4)
        return
    error.args = (message,)
    raise error


def check_query(query: str | Query, policy: Policy, *, entitytype: str | None = None) -> Query:
    """Parse ``query`` (cached) and check it against the models, per ``policy``."""
    if isinstance(query, str):
        parsed = parse_query(query)
    elif isinstance(query, Query):
        parsed = query
    else:
        raise ValidationError(
            f"Invalid query supplied: expected a str or accsyn.query.Query, not "
            f"{type(query).__name__}"
        )
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
    from accsyn.models import model_for

    try:
        model_for(entitytype)
    except ValidationError as exc:
        fail(policy, ValidationError(str(exc), field="entitytype"))


def _known_attributes(entitytype: str) -> Mapping[str, Any] | None:
    from accsyn.models import attributes_of

    try:
        return attributes_of(entitytype)
    except ValidationError:
        return None  # a type the models do not know: nothing to check against


def check_attributes(entitytype: str, names: Iterable[str] | None, policy: Policy) -> None:
    """Every name of an ``attributes=`` / ``select(...)`` projection must be an attribute."""
    if policy == "off" or not names:
        return
    known = _known_attributes(entitytype)
    if known is None:
        return
    problems = []
    for name in names:
        if not isinstance(name, str) or name.split(".", 1)[0].strip().lower() in known:
            continue
        close = difflib.get_close_matches(name.lower(), list(known), n=1, cutoff=0.6)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        problems.append(
            QueryProblem(
                f"{entitytype} has no attribute {name!r}{hint}",
                suggestion=close[0] if close else None,
            )
        )
    if problems:
        fail(policy, QueryValidationError(problems))


@functools.lru_cache(maxsize=256)
def _payload_keys(entitytype: str, kind: str) -> frozenset[str] | None:
    from accsyn import models

    try:
        model = models.model_for(entitytype)
    except ValidationError:
        return None
    keys = set(models.attributes_of(model))
    # The input models (TransferCreate, UserUpdate, …) name the writable fields.
    suffix = "Create" if kind == "create" else "Update"
    for name in dir(models):
        obj = getattr(models, name)
        if (
            isinstance(obj, type)
            and issubclass(obj, models.InputModel)
            and name == f"{model.__name__}{suffix}"
        ):
            for field, info in obj.model_fields.items():
                keys.add(field)
                if info.alias:
                    keys.add(info.alias)
    return frozenset(keys)


#: Payload keys every create accepts besides attributes (protocol.md §4.4.1).
_CREATE_EXTRAS = frozenset({"tasks", "files", "allow_duplicates", "replace_duplicates", "parent"})


def check_payload(entitytype: str, data: object, kind: str, policy: Policy) -> None:
    """Unknown keys of a create/update payload raise ``ValidationError`` with the nearest."""
    if policy == "off":
        return
    check_entitytype(entitytype, policy)
    rows = data if isinstance(data, list | tuple) else [data]
    known = _payload_keys(entitytype, kind)
    if known is None:
        return
    allowed = known | _CREATE_EXTRAS if kind == "create" else known
    for row in rows:
        if not isinstance(row, Mapping):
            continue
        for key in row:
            if not isinstance(key, str) or key in allowed:
                continue
            close = difflib.get_close_matches(key.lower(), sorted(allowed), n=1, cutoff=0.6)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            fail(
                policy,
                ValidationError(f"{entitytype} {kind} has no field {key!r}{hint}", field=key),
            )
