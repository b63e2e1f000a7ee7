"""Changes: ``<type>/edit``, ``delete``, ``deactivate``/``offline`` and ``activate``/``online``."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from accsyn.emulator._access import check_write, target
from accsyn.emulator._entities import by_ident, home_of, out, tasks_of
from accsyn.emulator._ops import deliveries
from accsyn.emulator._ops.create import unique_code
from accsyn.emulator._paths import check_share_code, check_share_path
from accsyn.emulator._protocol import ApiError, Call, as_dict
from accsyn.emulator._schema import HIDDEN_PREFIX, facts
from accsyn.emulator._simulation import FINISHED
from accsyn.emulator._writes import check_update, client_status

if TYPE_CHECKING:
    from accsyn.emulator._backend import Backend

__all__ = ["activate", "deactivate", "delete", "edit"]

#: Types with an inactive pool besides the shares (protocol.md §6.4).
_DEACTIVATABLE = ("user", "acl", "site", "engine", "queue")


def _as_member(b: Backend, call: Call) -> Call:
    """``share/<op>`` on a share's id or code is ``<its type>/<op>``: the row is a member's."""
    members = facts().umbrellas.get(call.et)
    ident = call.ctx.envelope.get("id") or call.ctx.envelope.get("query")
    if not members or not isinstance(ident, str):
        return call
    for member in members:
        row = by_ident(b.store, member, ident.strip().strip("'\""))
        if row is not None:
            return replace(call, et=row.et)
    return call


def edit(b: Backend, call: Call) -> dict[str, Any]:
    """``<type>/edit``: change attributes (a job's status goes through the simulation)."""
    call = _as_member(b, call)
    et, ctx = call.et, call.ctx
    if et == "task" and isinstance(call.data, list):
        return _edit_tasks(b, call, call.data)
    data = as_dict(call.data)
    if not data:
        raise ApiError(400, "Nothing to update!")
    if et == "acl":
        raise ApiError(400, "ACLs cannot be updated, use the grant function to grant access.")
    row = target(b.store, ctx, et)
    check_write(b.store, ctx, et, row, data)
    d = row.data
    f = facts()
    attributes = f.attributes.get(et, ())
    changes = {str(key).lower(): value for key, value in data.items()}
    # Keys and values against the models (an id is how a task edit names its task).
    check_update(et, {"id": row.id, **changes} if et == "task" else changes)
    state: str | None = None
    for k, value in changes.items():
        if k not in attributes:
            d[HIDDEN_PREFIX + k] = value  # accepted, not an attribute (e.g. settings)
            continue
        if k == "status" and et in f.job_entities:
            state = b.sim.set_status(row, value)
            if et in f.delivery_like and value == "pending":
                deliveries.invite_pending(b, ctx, row)  # submitted: pending emails invited
            continue
        if k == "status" and row.et == "client":
            value = client_status(str(d.get("status")), value)
        if k == "role":
            if ctx.role != "admin":
                raise ApiError(403, "Only admins can change roles!")
            if value not in ("admin", "employee", "standard"):
                raise ApiError(400, f"Invalid role '{value}'!")
        if k == "code" and et in f.share_types:
            check_share_code(value)  # a share's code names its directory
        if k == "path" and et in f.share_types and et != "volume":
            check_share_path(value)
        if k == "code" and et in f.unique_code and value != d.get("code"):
            unique_code(b, et, str(value))
        d[k] = value
    if "modified" in attributes:
        d["modified"] = b.clock.stamp()
    if "modifier" in attributes:
        d["modifier"] = ctx.uid
    b.store.update(row, state=state)
    if row.et == "client" and d.get("status") == "online":
        b.sim.wake()  # transfers waiting for this machine start now
    return {"result": [out(row)]}


def _edit_tasks(b: Backend, call: Call, items: list[Any]) -> dict[str, Any]:
    """``task/edit`` with a list: status, priority or metadata of a job's tasks."""
    ctx = call.ctx
    job = b.store.get(str(ctx.envelope.get("id") or "").lower())
    if job is None or job.et not in facts().job_entities:
        raise ApiError(404, "Invalid parent entity ID supplied!")
    check_write(b.store, ctx, job.et, job, {})
    if not items:
        raise ApiError(400, "Nothing to update!")  # update_many: a non-empty list (§4.6)
    tasks = tasks_of(b.store, job)
    result = []
    for item in items:
        if not isinstance(item, dict):
            raise ApiError(400, "Each task update must be an object!")
        check_update("task", item)  # only status, priority and metadata (§6.2)
        match = [t for t in tasks if t.id == item.get("id") or t.data.get("uri") == item.get("uri")]
        if not match:
            raise ApiError(404, f"No such task {item.get('id') or item.get('uri')}!")
        t = match[0]
        for k in ("status", "priority", "metadata"):
            if k in item:
                t.data[k] = item[k]
        b.store.update(t)
        result.append(out(t))
    return {"result": result}


def delete(b: Backend, call: Call) -> dict[str, Any]:
    """``<type>/delete``: archive (a user's home is archived and their jobs aborted)."""
    call = _as_member(b, call)
    et, ctx = call.et, call.ctx
    if et == "acl":
        raise ApiError(400, "ACLs cannot be deleted, use the revoke function to revoke access.")
    row = target(b.store, ctx, et)
    check_write(b.store, ctx, et, row, {})
    f = facts()
    d = row.data
    if (
        (et == "volume" and d.get("default"))
        or (et == "site" and d.get("main"))
        or (et == "queue" and d.get("default"))
    ):
        raise ApiError(400, f"The default {et} cannot be deleted!")
    if et == "task":
        raise ApiError(400, "Tasks cannot be deleted!")
    if et == "user":
        home = home_of(b.store, row)
        if home is not None:
            b.store.update(home, state="archived")
        for job in b.store.select(list(f.job_entities), extra=("h_user_id = ?", [row.id])):
            job.data["status"] = "aborted"
            b.store.update(job, state="finished", t_next=None)
    if et in f.job_entities:
        d["status"] = "aborted" if d.get("status") not in FINISHED else d["status"]
    b.store.update(row, state="archived", t_next=None)
    return {"result": True}


def deactivate(b: Backend, call: Call) -> dict[str, Any]:
    """``<type>/deactivate`` (``offline``): to the inactive pool; a user's ACLs follow."""
    call = _as_member(b, call)
    et, ctx = call.et, call.ctx
    if et not in _DEACTIVATABLE and et not in facts().share_types:
        raise ApiError(400, f"Entities of type '{et}' cannot be deactivated.")
    row = target(b.store, ctx, et)
    check_write(b.store, ctx, et, row, {})
    if et == "home":
        raise ApiError(400, "Home shares cannot be deactivated!")
    b.store.update(row, state="inactive")
    if et == "user":
        for acl in b.store.select(["acl"], extra=("h_entity_id = ?", [row.id])):
            b.store.update(acl, state="inactive")
    return {"result": True}


def activate(b: Backend, call: Call) -> dict[str, Any]:
    """``<type>/activate`` (``online``): back to active; a share's ACLs follow."""
    call = _as_member(b, call)
    et, ctx = call.et, call.ctx
    ident = ctx.envelope.get("id") or ctx.envelope.get("query")
    if not ident:
        raise ApiError(400, "No entity id or code supplied!")
    row = by_ident(b.store, et, ident.strip().strip("'\""), ("inactive", "active"))
    if row is None:
        raise ApiError(404, f"No inactive {et} '{ident[:100]}'!")
    check_write(b.store, ctx, et, row, {})
    b.store.update(row, state="active")
    if et in facts().share_types:
        for acl in b.store.select(
            ["acl"], states=("inactive",), extra=("h_target_id = ?", [row.id])
        ):
            b.store.update(acl, state="active")
    return {"result": True}
