"""Stored entities as the protocol shows them: lookups, the wire form, references.

Lookups find rows by id or by unique code; :func:`out` is the only way a stored
row leaves the emulator (bookkeeping keys hidden); :func:`hr` and :func:`party`
write the ``_hr`` companions and ``<type>:<id>`` references of protocol.md §6.3.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from accsyn._codec import is_object_id
from accsyn.emulator._protocol import ApiError, Ctx
from accsyn.emulator._schema import HIDDEN_PREFIX, facts
from accsyn.emulator._store import Row, Store
from accsyn.emulator._store import new_id as new_object_id
from accsyn.query._ast import Comparison, Op

__all__ = [
    "base_fields",
    "by_ident",
    "codeify",
    "default_queue",
    "default_volume",
    "find_code",
    "home_fields",
    "home_of",
    "hr",
    "new_id",
    "out",
    "parent_clause",
    "party",
    "project",
    "tasks_of",
    "user_by_email",
    "workspace_row",
]

# --- lookups ------------------------------------------------------------------------------


def find_code(
    store: Store, et: str, code: str, states: tuple[str, ...] = ("active",)
) -> Row | None:
    """The entity of type ``et`` with this code (wildcards ignored)."""
    rows = store.select(
        [et], where=Comparison("code", Op.EQ, code.replace("*", "")), states=states, limit=1
    )
    return rows[0] if rows else None


def user_by_email(store: Store, email: str, states: tuple[str, ...] = ("active",)) -> Row | None:
    """The user with this email."""
    return find_code(store, "user", email, states)


def by_ident(
    store: Store, et: str | None, ident: str, states: tuple[str, ...] | None = None
) -> Row | None:
    """An entity by id (of type ``et``, or any with None), or by code for unique codes."""
    ident = ident.strip()
    if is_object_id(ident):
        row = store.get(ident.lower())
        if row is not None and (et is None or row.et == et):
            return row if states is None or row.state in states else None
    if et is not None and et in facts().unique_code:
        return find_code(store, et, ident, states or ("active", "inactive"))
    return None


def workspace_row(store: Store) -> Row:
    """The workspace entity itself."""
    rows = store.select(["workspace"], limit=1)
    if not rows:
        raise ApiError(500, "The workspace entity is missing.")
    return rows[0]


def _default_of(store: Store, et: str) -> Row | None:
    rows = store.select([et], where=Comparison("default", Op.EQ, "true"), limit=1)
    if not rows:
        rows = store.select([et], limit=1)
    return rows[0] if rows else None


def default_volume(store: Store) -> Row:
    """The default volume (else the first one)."""
    vol = _default_of(store, "volume")
    if vol is None:
        raise ApiError(404, "The workspace has no volume.")
    return vol


def default_queue(store: Store, ident: Any = None) -> Row:
    """The queue named by ``ident`` (id or code), else the default queue."""
    if ident:
        q = by_ident(store, "queue", str(ident), ("active",))
        if q is None:
            raise ApiError(404, f"No such queue '{str(ident)[:100]}'!")
        return q
    queue = _default_of(store, "queue")
    if queue is None:
        raise ApiError(500, "The workspace has no queue.")
    return queue


def home_of(store: Store, user: Row) -> Row | None:
    """The active home share of ``user``."""
    rows = store.select(["home"], extra=("h_user_id = ?", [user.id]), limit=1)
    return rows[0] if rows else None


def parent_clause(et: str, parent_id: str) -> tuple[str, list[Any]]:
    """SQL selecting the entities of type ``et`` under ``parent_id`` (a task's job, …)."""
    return f"h_{facts().parent_attribute.get(et, 'parent')}_id = ?", [parent_id.lower()]


def tasks_of(store: Store, job: Row) -> list[Row]:
    """Every task of ``job``, in any state."""
    return store.select(["task"], states=None, extra=parent_clause("task", job.id))


# --- the wire form ------------------------------------------------------------------------


def hr(row: Row) -> str:
    """The ``_hr`` text of a reference to ``row`` (protocol.md §6.3 formats)."""
    d = row.data
    f = facts()
    if row.et == "user":
        return f"user:{d.get('code')}[{d.get('role', 'standard')}]({row.id})"
    if row.et == "workspace":
        return f"workspace:{d.get('code')}({row.id})"
    if row.et == "site":
        return f"{d.get('code')}({row.id})"
    if row.et in f.share_types:
        return f"share:{d.get('name')}[{row.et}]({row.id})"
    if row.et in f.job_types:
        return f"{d.get('name') or d.get('code')}[{d.get('type', '')}]({row.id})"
    return f"{d.get('code') or d.get('name')}({row.id})"


def party(row: Row) -> str:
    """The ``<type>:<id>`` party string of an entity."""
    et = "share" if row.et in facts().share_types else row.et
    return f"{et}:{row.id}"


def project(et: str, data: dict[str, Any], inactive: bool = False) -> dict[str, Any]:
    """``data`` as the model of ``et`` has it: every attribute (unset ones null).

    Bookkeeping keys (``_…``) stay inside; ``inactive`` follows the entity's pool.
    The emulator itself stores nothing else, but rows put into the store from
    elsewhere (a replayed recording of a newer server) keep their extra keys.
    """
    names = facts().attributes.get(et, ())
    d = dict.fromkeys(names)
    if data.keys() <= d.keys():
        # The usual row: only model attributes. update() keeps the model's order.
        d.update(data)
    else:
        for k, v in data.items():
            if k in d or not k.startswith(HIDDEN_PREFIX):
                d[k] = v
    if "inactive" in d:
        d["inactive"] = inactive
    return d


def out(row: Row, attributes: list[str] | None = None) -> dict[str, Any]:
    """The wire form of a stored entity: exactly its model's attributes.

    With ``attributes``, only those (and ``id``) are answered.
    """
    d = project(row.et, row.data, row.state == "inactive")
    if attributes:
        keep = {a.lower() for a in attributes} | {"id"}
        d = {k: v for k, v in d.items() if k in keep}
    return d


def new_id(et: str) -> str:
    """A fresh id in the format the models give ``et`` (ObjectId, or UUID)."""
    return str(uuid.uuid4()) if et in facts().uuid_ids else new_object_id()


def base_fields(stamp: str, ctx: Ctx, name: str | None = None) -> dict[str, Any]:
    """The bookkeeping fields of a new entity created by ``ctx`` at ``stamp``."""
    d: dict[str, Any] = {"id": new_object_id(), "created": stamp, "creator": ctx.uid}
    d.update(modified=stamp, modifier=ctx.uid)
    if name is not None:
        d["name"] = name
    return d


def home_fields(volume: Row, user: Row) -> dict[str, Any]:
    """The attributes of ``user``'s home share on ``volume`` (under ``homes/<email>``)."""
    email = str(user.data.get("code"))
    return {
        "name": email,
        "code": codeify(email),
        "type": "home",
        "status": "enabled",
        "status_hr": "Enabled",
        "parent": volume.id,
        "parent_hr": hr(volume),
        "path": f"homes/{email}",
        "user": f"user:{user.id}",
        "user_hr": hr(user),
        "email": email,
        "queue": None,
    }


def codeify(name: str) -> str:
    """A code derived from a name (lowercase, safe characters)."""
    return re.sub(r"[^a-z0-9_.-]+", "_", name.strip().lower()).strip("_") or "x"
