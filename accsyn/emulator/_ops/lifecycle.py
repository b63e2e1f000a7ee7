"""Changes: ``<type>/edit``, ``delete``, ``deactivate``/``offline`` and ``activate``/``online``."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from accsyn.emulator._access import check_write, target
from accsyn.emulator._entities import by_ident, default_queue, home_of, hr, out, tasks_of
from accsyn.emulator._ops import deliveries
from accsyn.emulator._ops.create import unique_code
from accsyn.emulator._paths import check_share_code, check_share_path
from accsyn.emulator._protocol import ApiError, Call, Ctx, as_dict
from accsyn.emulator._schema import HIDDEN_PREFIX, facts
from accsyn.emulator._simulation import FINISHED
from accsyn.emulator._store import Row
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
            if value != d.get("role"):
                _revoke_access(b, row)  # §6.3: a role change revokes existing access
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
    _check_not_essential(ctx, row, "deleted")
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
    if et == "queue":
        _requeue(b, row)
    if et in f.share_types:
        _retire_share(b, row, "archived")
    b.store.update(row, state="archived", t_next=None)
    return {"result": True}


def _check_not_essential(ctx: Ctx, row: Row, done: str) -> None:
    """400 for what the workspace cannot do without (§6.4: the main site and the
    default volume cannot be deleted; the default queue neither, since its jobs'
    queue is where a deleted queue's jobs go). Deactivating them is refused alike
    (a choice: deactivating the default volume would archive every share on it), and
    so is deactivating or deleting yourself (you would be locked out mid-call).
    """
    d = row.data
    if (
        (row.et == "volume" and d.get("default"))
        or (row.et == "site" and d.get("main"))
        or (row.et == "queue" and d.get("default"))
    ):
        raise ApiError(400, f"The default {row.et} cannot be {done}!")
    if row.et == "user" and row.id == ctx.uid:
        raise ApiError(400, f"You cannot be {done} by yourself; ask another admin.")


def _revoke_access(b: Backend, user: Row) -> None:
    """Every ACL of ``user`` revoked (deleted, as ``revoke`` does)."""
    for acl in b.store.select(["acl"], states=None, extra=("h_entity_id = ?", [user.id])):
        b.store.delete(acl.id)


def _requeue(b: Backend, queue: Row) -> None:
    """§6.4: deleting a queue moves its jobs to the default queue."""
    default = default_queue(b.store)
    jobs = facts().job_entities
    for job in b.store.select(list(jobs), states=None, extra=("h_parent_id = ?", [queue.id])):
        job.data.update(parent=default.id, parent_hr=hr(default), uri=default.data.get("uri", ""))
        b.store.update(job)


def _retire_share(b: Backend, share: Row, state: str) -> None:
    """§6.4, a share leaving the active pool: its ACLs go inactive with it (and come
    back when it is activated); a deleted share's ACLs are deleted. A volume takes the
    shares on it along (archived: "deactivating a volume archives its descendant
    shares"), and their ACLs.
    """
    shares = [share]
    if share.et == "volume":
        kinds = [t for t in facts().share_types if t != "volume"]
        for child in b.store.select(kinds, extra=("h_parent_id = ?", [share.id])):
            b.store.update(child, state="archived")
            shares.append(child)
    for s in shares:
        for acl in b.store.select(["acl"], states=None, extra=("h_target_id = ?", [s.id])):
            if state == "archived" or s is not share:
                b.store.delete(acl.id)
            elif acl.state == "active":
                b.store.update(acl, state="inactive")


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
    _check_not_essential(ctx, row, "deactivated")
    b.store.update(row, state="inactive")
    if et == "user":
        for acl in b.store.select(["acl"], extra=("h_entity_id = ?", [row.id])):
            b.store.update(acl, state="inactive")
        home = home_of(b.store, row)
        if home is not None:
            b.store.update(home, state="inactive")  # §6.4: a user's home goes with them
    if et in facts().share_types:
        _retire_share(b, row, "inactive")
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
    if et == "user":
        for home in b.store.select(
            ["home"], states=("inactive",), extra=("h_user_id = ?", [row.id])
        ):
            b.store.update(home, state="active")
    if et in facts().share_types:
        for acl in b.store.select(
            ["acl"], states=("inactive",), extra=("h_target_id = ?", [row.id])
        ):
            b.store.update(acl, state="active")
    return {"result": True}
