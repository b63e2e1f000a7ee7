"""Access grants: ``acl/create`` (grant, inviting unknown users) and ``acl/delete`` (revoke)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from accsyn._exceptions import ValidationError
from accsyn.emulator._access import check_write, target
from accsyn.emulator._entities import base_fields, by_ident, hr, out
from accsyn.emulator._ops.create import create_user
from accsyn.emulator._protocol import ApiError, Call, as_dict, as_str
from accsyn.emulator._schema import EMAIL_RE, facts
from accsyn.models import AclGrant
from accsyn.query._evaluate import id_part

if TYPE_CHECKING:
    from accsyn.emulator._backend import Backend

__all__ = ["grant", "revoke"]


def grant(b: Backend, call: Call) -> dict[str, Any]:
    """Give a user read/write access to a share path (updating an existing grant)."""
    ctx, data = call.ctx, as_dict(call.data)
    check_write(b.store, ctx, "acl", None, data)
    entity = as_str(data.get("entity"), "entity")
    target_ = as_str(data.get("target"), "target")
    grant_ = _grant_data(data)
    read, write = grant_.read, grant_.write
    e_type, _, e_id = entity.partition(":")
    t_type, _, t_id = target_.partition(":")
    share_types = facts().share_types
    if e_type.lower() != "user" or t_type.lower() not in ("share", *share_types):
        raise ApiError(400, "ACLs grant a user:<id> access to a share:<id>!")
    # The share first: a refused grant must not have invited (created) a user.
    share = b.store.get(t_id.lower())
    if share is None or share.et not in share_types or share.state == "archived":
        raise ApiError(404, f"No share with id '{t_id[:100]}'!")
    # Granting on a share is changing it (§6.5: employees cannot grant on volumes).
    check_write(b.store, ctx, share.et, share, {})
    if share.state == "inactive":
        # Its ACLs wait for it to be activated (§6.4); a new one would be live at once.
        raise ApiError(400, f"The {share.et} '{t_id[:100]}' is deactivated; activate it first!")
    user = by_ident(b.store, "user", e_id, ("active",))
    if user is None and by_ident(b.store, "user", e_id, ("inactive",)) is not None:
        # Not an unknown email to invite (that was a 409 "already exists"): a
        # deactivated user gets no new access until activated (§6.4).
        raise ApiError(400, f"The user '{e_id[:100]}' is deactivated; activate them first!")
    if user is None:
        if data.get("invite", True) is False or not EMAIL_RE.match(e_id.lower()):
            raise ApiError(404, f"No user found with code '{e_id[:100]}'!")
        created = create_user(b, ctx, {"code": e_id.lower(), "role": "standard"})
        user = b.store.get(created["id"])
        assert user is not None
    path = grant_.path or "/"
    existing = b.store.select(
        ["acl"], extra=("h_entity_id = ? AND h_target_id = ?", [user.id, share.id])
    )
    for acl in existing:
        if acl.data.get("path") == path:
            acl.data.update(read=read, write=write)
            b.store.update(acl)
            return {"result": [out(acl)]}
    d = base_fields(b.clock.stamp(), ctx)
    del d["modified"], d["modifier"]  # ACLs keep no modification stamp
    d.update(
        entity=f"user:{user.id}",
        entity_hr=hr(user),
        target=f"share:{share.id}",
        target_hr=hr(share),
        read=read,
        write=write,
        path=path,
        acknowledged=False,
        role=None,
        status="enabled",
        token=None,
        description=str(data.get("message") or ""),
    )
    return {"result": [out(b.store.insert("acl", d))]}


def _grant_data(data: dict[str, Any]) -> AclGrant:
    """The grant's flags checked by the SDK's own model (§4.4): ``"read": "false"`` is
    not true (``bool()`` of it was), and one of read/write must be granted."""
    fields = {k: v for k, v in data.items() if k in AclGrant.model_fields}
    for key in ("read", "write", "notify", "invite"):
        if fields.get(key) is not None and not isinstance(fields[key], bool):
            raise ApiError(400, f"{key} must be a boolean, not {fields[key]!r:.40}!")
    try:
        return AclGrant.parse(fields)
    except ValidationError as exc:
        detail = str(exc).split(": ", 1)[-1]
        raise ApiError(400, f"Invalid grant: {detail[:200]}") from None


def revoke(b: Backend, call: Call) -> dict[str, Any]:
    """Remove a grant for good."""
    row = target(b.store, call.ctx, "acl")
    check_write(b.store, call.ctx, "acl", row, {})
    share = b.store.get(id_part(str(row.data.get("target", ""))).lower())
    if share is not None:
        # Revoking changes the share's access, like granting on it.
        check_write(b.store, call.ctx, share.et, share, {})
    b.store.delete(row.id)
    return {"result": True}
