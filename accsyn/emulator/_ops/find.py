"""Reads: ``<type>/find``, reports, metrics and the ``attributes`` catalogue."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from accsyn._exceptions import QueryError
from accsyn.emulator._access import can_read, read_filter
from accsyn.emulator._entities import out, parent_clause, party
from accsyn.emulator._protocol import ApiError, Call, as_bool, as_dict, as_int
from accsyn.emulator._schema import SCHEMA, canonical, facts
from accsyn.models.enums import ShareType
from accsyn.query._ast import Comparison, Expr, Op, Or, Query
from accsyn.query._evaluate import id_part, matches

if TYPE_CHECKING:
    from accsyn.emulator._backend import Backend

__all__ = ["attributes", "find", "metrics", "report"]


def _parse(text: str | None, et: str) -> Expr | None:
    if text is None or not text.strip():
        return None
    from accsyn.query import parse

    try:
        q: Query = parse(text)
    except QueryError as exc:
        raise ApiError(400, f"Invalid query: {exc}") from None
    if q.entitytype is not None and q.where is None:
        # A bare name: an identifier (code or email) for the code lookup.
        return Comparison("code", Op.EQ, q.entitytype)
    if q.entitytype is not None and canonical(q.entitytype) not in (et, None):
        raise ApiError(400, f"The query is for '{q.entitytype}', not '{et}'.")
    return q.where


def _scope(data: Mapping[str, Any]) -> tuple[str, ...]:
    states: list[str] = []
    if as_bool(data.get("finished"), "Finished"):
        states.append("finished")
    if as_bool(data.get("inactive", data.get("offline")), "Inactive"):
        states.append("inactive")
    if as_bool(data.get("archived"), "Archived"):
        states.append("archived")
    return tuple(states) or ("active",)


def _and(clauses: list[tuple[str, list[Any]]]) -> tuple[str, list[Any]] | None:
    if not clauses:
        return None
    return " AND ".join(s for s, _ in clauses), [p for _, ps in clauses for p in ps]


def find(b: Backend, call: Call) -> dict[str, Any]:
    """``<type>/find``: the readable entities matching the query, paged."""
    et, ctx, env = call.et, call.ctx, call.envelope
    data = as_dict(call.data)
    attrs = data.get("attributes")
    if attrs is not None and (
        not isinstance(attrs, list) or not all(isinstance(a, str) and a for a in attrs)
    ):
        raise ApiError(400, "Attributes must be a list of non-empty strings!")
    # 0 is no limit, as a MongoDB cursor's limit(0) (clients never send it: falsy).
    limit = as_int(data.get("limit"), "Limit") or None
    skip = as_int(data.get("skip"), "Skip", 0) or 0
    where = _parse(env.get("query"), et)
    if et == "acl" and where is not None and as_bool(data.get("recursive"), "Recursive"):
        where = _recursive_acl(b, where)
    extra: list[tuple[str, list[Any]]] = []
    ets = [et]
    f = facts()
    members = f.umbrellas.get(et)
    if members:
        # ``share``: the rows of every member type, each under its own read rule.
        ets = list(members)
        if where is not None:
            where = _current_share_types(where)
    subtype = f.client_subtypes.get(et)
    if subtype is not None:
        # Client subtypes are clients of one ``type`` number.
        ets = ["client"]
        extra.append(("json_extract(data, '$.type') = ?", [subtype]))
    parent = data.get("parent")
    if parent is not None:
        if not isinstance(parent, str):
            raise ApiError(400, "parent must be an id string.")
        sql, params = parent_clause(et, parent)
        extra.append((sql, params))
    readable = read_filter(b.store, ctx, et)
    if readable is not None:
        extra.append((readable[0], list(readable[1])))
    entityid = env.get("id")
    if entityid and et not in f.sub_entities:
        row = b.store.get(entityid.lower())
        if row is None or row.et not in ets or not can_read(b.store, ctx, row):
            return {"result": []}
        if where is not None and not matches(where, out(row), SCHEMA, entitytype=et):
            return {"result": []}
        return {"result": [out(row, attrs)]}
    if entityid:
        # A sub-entity's find by id lists the children of that parent.
        sql, params = parent_clause(et, entityid)
        extra.append((sql, params))
    ex = _and(extra)
    scopes = [_scope(data)]
    if as_bool(data.get("single_entity_query"), "single_entity_query"):
        # Relaxed to finished jobs, never to deactivated (or archived) entities
        # unless those were asked for.
        scopes = [scopes[0], ("finished",)]
    try:
        for states in scopes:
            rows = b.store.select(
                ets,
                where=where,
                entitytype=et,
                states=states,
                extra=ex,
                limit=limit,
                skip=skip,
                shared=True,  # only read: out() copies what it answers
            )
            if rows:
                break
    except QueryError as exc:
        raise ApiError(400, f"Invalid query: {exc}") from None
    return {"result": [out(r, attrs) for r in rows]}


def _current_share_types(where: Expr) -> Expr:
    """``type=root`` (a legacy share type) compared as ``type=volume``, the stored name.

    Iterative (like :func:`accsyn.query.negate`): a deeply nested query is fine.
    """

    def current(value: Any) -> Any:
        if isinstance(value, tuple):
            return tuple(current(v) for v in value)
        if not isinstance(value, str) or "*" in value:
            return value
        return ShareType(value).entitytype

    out: list[Expr] = []
    stack: list[tuple[Expr, bool]] = [(where, False)]
    while stack:
        node, done = stack.pop()
        if isinstance(node, Comparison):
            is_type = node.attribute == "type"
            out.append(replace(node, value=current(node.value)) if is_type else node)
        elif not done:
            stack.append((node, True))
            stack.extend((child, False) for child in reversed(node.children))
        else:
            n = len(node.children)
            children = tuple(out[len(out) - n :])
            del out[len(out) - n :]
            out.append(type(node)(children))
    return out[0]


def _recursive_acl(b: Backend, where: Expr) -> Expr:
    """``target=share:<id>`` widened to the shares inside that share."""

    def widen(node: Expr) -> Expr:
        if isinstance(node, Comparison):
            if (
                node.attribute == "target"
                and node.op is Op.EQ
                and isinstance(node.value, str)
                and ":" in node.value
            ):
                sid = id_part(node.value).lower()
                children = b.store.select(
                    list(facts().share_types), states=None, extra=("h_parent_id = ?", [sid])
                )
                if children:
                    return Or((node, *(Comparison("target", Op.EQ, party(c)) for c in children)))
            return node
        return type(node)(tuple(widen(c) for c in node.children))

    return widen(where)


def report(b: Backend, call: Call) -> dict[str, Any]:
    """``<type>/report``: a plain-text summary of the readable entities."""
    rows = find(b, replace(call, data={}))["result"]
    lines = [f"{call.et} report: {len(rows)} entities"]
    lines += [f"{r.get('id')} {r.get('name') or r.get('code')} {r.get('status')}" for r in rows]
    return {"report": "\n".join(lines)}


def metrics(b: Backend, call: Call) -> dict[str, Any]:
    """``<type>/metrics``: no metrics are recorded locally."""
    return {"result": []}


def attributes(b: Backend, call: Call) -> dict[str, Any]:
    """``attributes``: the attribute names of a type (or those create/update accept)."""
    data = as_dict(call.data)
    name = data.get("entitytype")
    if not isinstance(name, str):
        raise ApiError(400, 'Please query attributes by "attributes WHERE entitytype=<type>".')
    et = canonical(name.strip("'\" "))
    if et is None:
        raise ApiError(404, f"Unknown entity type '{name[:100]}'.")
    f = facts()
    if as_bool(data.get("create"), "Create"):
        return {"result": list(f.create_attributes[et])}
    if as_bool(data.get("update"), "Update"):
        return {"result": list(f.update_attributes[et])}
    return {"result": list(f.attributes[et])}
