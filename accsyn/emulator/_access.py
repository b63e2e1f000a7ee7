"""Access rules of protocol.md §6.5: who may read and who may change what.

Reads are filtered in SQL (:func:`read_filter`), so an unreadable entity is simply
not found; writes raise 403 (:func:`check_write`); file access through a share is
checked by :func:`check_share_access`. Every rule of the role table lives here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from accsyn.emulator._protocol import ApiError, Ctx
from accsyn.emulator._schema import facts
from accsyn.emulator._store import Row, Store
from accsyn.query._evaluate import id_part

__all__ = ["can_read", "check_share_access", "check_write", "read_filter", "target"]

_PRIVILEGED = ("admin", "support")
_NONE: tuple[str, list[Any]] = ("0", [])
_ACL_TARGETS = (
    "id IN (SELECT a.h_target_id FROM entity a WHERE a.et='acl' "
    "AND a.state='active' AND a.h_entity_id=?)"
)


def read_filter(ctx: Ctx, et: str) -> tuple[str, list[Any]] | None:
    """SQL restricting what ``ctx`` may read; None = everything. Unreadable = FALSE."""
    if ctx.role in _PRIVILEGED:
        return None
    uid = ctx.uid
    if ctx.role == "employee":
        if et == "user":
            return ("(id = ? OR h_role = 'standard')", [uid])
        if et in ("volume", "log"):
            return _NONE
        if et == "home":
            return (f"(h_user_id = ? OR h_parent_id IS NOT NULL OR {_ACL_TARGETS})", [uid, uid])
        return None
    # standard (and anything lower)
    if et == "user":
        return ("id = ?", [uid])
    if et in ("transfer", "compute"):
        return ("(h_user_id = ? OR h_source_id = ? OR h_destination_id = ?)", [uid] * 3)
    if et == "task":
        return (
            "h_job_id IN (SELECT j.id FROM entity j WHERE j.et IN ('transfer','compute') "
            "AND (j.h_user_id = ? OR j.h_source_id = ? OR j.h_destination_id = ?))",
            [uid] * 3,
        )
    if et in facts().delivery_like:
        return (
            "EXISTS (SELECT 1 FROM json_each(entity.data, '$._recipients') r "
            "WHERE json_extract(r.value, '$.user') = ?)",
            [uid],
        )
    if et in ("folder", "collection"):
        return (_ACL_TARGETS, [uid])
    if et == "home":
        return (f"(h_user_id = ? OR {_ACL_TARGETS})", [uid, uid])
    if et == "acl":
        return ("h_entity_id = ?", [uid])
    if et == "client":
        return ("h_user_id = ?", [uid])
    return _NONE


def can_read(store: Store, ctx: Ctx, row: Row) -> bool:
    """Whether ``ctx`` may read ``row``."""
    f = read_filter(ctx, row.et)
    if f is None:
        return True
    sql, params = f
    return bool(
        store.conn.execute(
            f"SELECT 1 FROM entity WHERE id = ? AND {sql}", [row.id, *params]
        ).fetchone()
    )


def check_write(store: Store, ctx: Ctx, et: str, row: Row | None, data: Mapping[str, Any]) -> None:
    """Raise 403 unless ``ctx`` may create (row None) or change ``row``."""
    role = ctx.role
    if role in _PRIVILEGED:
        return
    denied = ApiError(403, f"Permission denied: a {role} user cannot modify this {et}.")
    if role == "employee":
        if et in ("workspace", "queue", "site", "engine", "volume", "log"):
            raise denied
        if et == "user":
            target_role = (row.data.get("role") if row else None) or "standard"
            if row is not None and row.id == ctx.uid:
                if data.get("role") not in (None, role):
                    raise denied
                return
            if target_role != "standard" or data.get("role") not in (None, "standard"):
                raise denied
        if et == "home" and row is not None and row.data.get("user") != f"user:{ctx.uid}":
            owner = store.get(id_part(str(row.data.get("user", ""))))
            if owner is not None and owner.data.get("role") != "standard":
                raise denied
        return
    # standard
    if et == "user" and row is not None and row.id == ctx.uid and "role" not in data:
        return
    if et in ("transfer", "compute") and (row is None or can_read(store, ctx, row)):
        return
    if et == "task" and row is not None and can_read(store, ctx, row):
        return
    raise denied


def check_share_access(store: Store, ctx: Ctx, share: Row, write: bool) -> None:
    """Raise 403 unless ``ctx`` may read (or write) files in ``share``."""
    if ctx.role in _PRIVILEGED:
        return
    if share.et == "home" and share.data.get("user") == f"user:{ctx.uid}":
        return
    if ctx.role == "employee" and share.et != "volume" and not write:
        return
    acls = store.select(["acl"], extra=("h_entity_id = ? AND h_target_id = ?", [ctx.uid, share.id]))
    if any(a.data.get("write" if write else "read") for a in acls):
        return
    raise ApiError(403, "Permission denied!")


def target(store: Store, ctx: Ctx, et: str) -> Row:
    """The entity of type ``et`` the request's ``id`` names, if ``ctx`` may read it (else 404)."""
    ident = ctx.envelope.get("id")
    if not ident:
        raise ApiError(400, "No entity id supplied!")
    row = store.get(ident.strip().lower())
    ets = ("client",) if et in facts().client_subtypes else (et,)
    if row is None or row.et not in ets or not can_read(store, ctx, row):
        raise ApiError(404, f"No {et} with id '{ident[:100]}'!")
    return row
