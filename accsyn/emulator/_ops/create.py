"""Creates: ``<type>/create`` for users, shares, queues, sites and engines.

Jobs (transfers, deliveries, tasks) are created in :mod:`.jobs`. :func:`creator_of`
picks the creator of a type from its family in the models (every job and share
type), or from :data:`BY_TYPE` for the types built their own way.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from accsyn.emulator._access import check_write
from accsyn.emulator._entities import (
    base_fields,
    by_ident,
    codeify,
    default_volume,
    find_code,
    home_fields,
    hr,
    out,
)
from accsyn.emulator._ops import deliveries, files, jobs
from accsyn.emulator._paths import check_share_code, check_share_path, safe_join
from accsyn.emulator._protocol import ApiError, Call, Ctx, as_str
from accsyn.emulator._schema import EMAIL_RE, facts
from accsyn.emulator._store import Row
from accsyn.emulator._writes import check_create

if TYPE_CHECKING:
    from accsyn.emulator._backend import Backend

__all__ = ["BY_TYPE", "create", "create_user", "creator_of", "unique_code"]

Creator = Callable[["Backend", Ctx, str, dict[str, Any]], dict[str, Any]]


def create(b: Backend, call: Call) -> dict[str, Any]:
    """``<type>/create``: one entity or a list of them."""
    et, ctx, data = call.et, call.ctx, call.data
    items = data if isinstance(data, list) else [data]
    if not items or not all(isinstance(i, dict) and i for i in items):
        raise ApiError(400, "Empty create data submitted!")
    result = []
    for item in items:
        check_create(_created_as(et, item), item)
        if et == "task":
            # Tasks are added to a job, several per item.
            result.extend(jobs.create_tasks(b, ctx, item))
            continue
        members = facts().umbrellas.get(et)
        if members:
            # Whoever asks: the answer is where to create it, not a permission error.
            raise ApiError(400, f"Create a {et} as one of its types: {', '.join(members)}.")
        check_write(b.store, ctx, et, None, item)
        creator = creator_of(et)
        if creator is None:
            raise ApiError(400, f"Entities of type '{et}' cannot be created through the API.")
        result.append(creator(b, ctx, et, item))
    return {"result": result}


def _created_as(et: str, item: dict[str, Any]) -> str:
    """The type a create payload makes: ``create("job", {"type": 2})`` is a queue
    (§6.1), a transfer with an engine (or type 3) a compute job."""
    f = facts()
    if et in f.job_entities and et not in f.delivery_like:
        kind = item.get("type")
        if kind == f.job_types.get("queue"):
            return "queue"
        if item.get("engine") is not None or kind == f.job_types.get("compute"):
            return "compute"
    return et


def unique_code(b: Backend, et: str, code: str) -> None:
    """409 if an entity of type ``et`` already has ``code``."""
    if find_code(b.store, et, code, ("active", "inactive")) is not None:
        raise ApiError(409, f"A {et} with code '{code}' already exists!")


def create_user(b: Backend, ctx: Ctx, data: Mapping[str, Any]) -> dict[str, Any]:
    """A new user (with an API key, and a home share on request)."""
    code = as_str(data.get("code"), "code").lower()
    if not EMAIL_RE.match(code):
        raise ApiError(400, f"'{code}' is not a valid E-mail address!")
    role = data.get("role", "standard")
    if role not in ("admin", "employee", "standard"):
        raise ApiError(400, f"Invalid role '{role}'!")
    if ctx.role != "admin" and role != "standard":
        raise ApiError(403, "Only admins can create admin or employee users.")
    unique_code(b, "user", code)
    d = base_fields(b.clock.stamp(), ctx, str(data.get("name") or code.split("@")[0].title()))
    d.update(code=code, role=role, status="enabled", logged_in=None, queue=None)
    d["description"] = str(data.get("description") or "")
    d["metadata"] = data.get("metadata") or {}
    row = b.store.insert("user", d)
    if b.store.api_key(code) is None:
        b.store.set_account(code, os.urandom(16).hex())
    if data.get("create_home_share"):
        create_home(b, ctx, row)
    return out(row)


def _create_user(b: Backend, ctx: Ctx, et: str, data: dict[str, Any]) -> dict[str, Any]:
    return create_user(b, ctx, data)


def create_home(b: Backend, ctx: Ctx, user: Row) -> Row:
    """The home share of ``user`` on the default volume (its directory made)."""
    vol = default_volume(b.store)
    d = base_fields(b.clock.stamp(), ctx)
    d.update(home_fields(vol, user))
    b.paths.volume_dir(vol).joinpath(d["path"]).mkdir(parents=True, exist_ok=True)
    return b.store.insert("home", d)


def create_simple(b: Backend, ctx: Ctx, et: str, data: dict[str, Any]) -> dict[str, Any]:
    """A queue, site or engine."""
    name = as_str(data.get("name") or data.get("code"), "name")
    code = codeify(str(data.get("code") or name))
    unique_code(b, et, code)
    d = base_fields(b.clock.stamp(), ctx, name)
    d.update(code=code, status="waiting" if et == "queue" else "enabled")
    d["description"] = str(data.get("description") or "")
    d["metadata"] = data.get("metadata") or {}
    if et == "queue":
        prio = data.get("priority", 500)
        if isinstance(prio, bool) or not isinstance(prio, int) or not 0 <= prio <= 1000:
            raise ApiError(400, "priority must be an integer 0..1000!")
        d.update(priority=prio, default=False, type=2, uri=f"{b.code}/{code}")
    if et == "site":
        d.update(main=False, accsyn=False)
    return out(b.store.insert(et, d))


def create_share(b: Backend, ctx: Ctx, et: str, data: dict[str, Any]) -> dict[str, Any]:
    """A volume, folder, home or collection (directories made on disk)."""
    if et == "home":
        user = by_ident(b.store, "user", as_str(data.get("user"), "user"))
        if user is None:
            raise ApiError(404, "No such user!")
        return out(create_home(b, ctx, user))
    name = as_str(data.get("name") or data.get("code"), "name")
    code = check_share_code(codeify(str(data.get("code") or name)))
    unique_code(b, et, code)
    d = base_fields(b.clock.stamp(), ctx, name)
    d.update(code=code, status="enabled", status_hr="Enabled", queue=None)
    if "type" in facts().attributes[et]:
        d["type"] = et
    d["description"] = str(data.get("description") or "")
    d["metadata"] = data.get("metadata") or {}
    if et == "volume":
        d.update(default=False, licensed=True, paths=data.get("paths") or {}, path="")
        row = b.store.insert(et, d)
        b.paths.volume_dir(row).mkdir(parents=True, exist_ok=True)
        row.data["path"] = str(b.paths.volume_dir(row))
        b.store.update(row)
        return out(row)
    if et == "folder":
        parent_ident = data.get("parent")
        # No parent: the default volume (as a bare relative path is, §6.6); a parent
        # that names no volume is an error, not the default volume.
        vol = default_volume(b.store)
        if parent_ident:
            found = by_ident(b.store, "volume", str(parent_ident), ("active",))
            if found is None:
                raise ApiError(
                    404, f"No volume '{str(parent_ident)[:100]}' to create the folder on!"
                )
            vol = found
        rel = check_share_path(str(data.get("path") or code)).strip("/")
        target = safe_join(b.paths.volume_dir(vol), rel)
        target.mkdir(parents=True, exist_ok=True)
        d.update(parent=vol.id, parent_hr=hr(vol), path=rel)
    # Additional addresses notified about the share (protocol.md §6.3; "" for none).
    d["email"] = str(data.get("email") or "")
    if et == "collection":
        files_in = data.get("files") or []
        if not isinstance(files_in, list):
            raise ApiError(400, "files must be a list of accsyn paths!")
        row = b.store.insert(et, d)
        files.add_files(b, ctx, row, files_in)
        return out(row)
    return out(b.store.insert(et, d))


#: Types outside the job and share families that the API can create.
BY_TYPE: dict[str, Creator] = {
    "user": _create_user,
    "queue": create_simple,
    "site": create_simple,
    "engine": create_simple,
}


def creator_of(et: str) -> Creator | None:
    """The creator of entity type ``et``, or None if the API cannot create it."""
    spec = facts().specs.get(et)
    if spec is None or spec.members:
        # An umbrella (share) has no rows of its own: its members are created.
        return None
    if spec.family == "job":
        return deliveries.create_delivery if spec.recipients else jobs.create_transfer
    if spec.family == "share":
        return create_share
    return BY_TYPE.get(et)
