"""Deliveries, requests and streams end to end (protocol.md §6.2, §6.3, §4.4).

A delivery's files are its **tasks**: created from existing files (``tasks`` at
creation, or ``create("task", …, <delivery id>)``) or registered when a transfer
uploads into it (``parent=<delivery id>`` with a source). Each task records where its
file is (``_at``, see :mod:`accsyn.emulator._virtual`), so ``task WHERE job.id=<id>``
and ``ls("delivery=<id>")`` list the same files, and submitting (``status=pending``)
needs at least one task and one recipient.

A transfer with ``parent=<delivery id>`` and no source downloads the delivery: one task
per file, each read through ``delivery=<id>/<name>`` (so a recipient needs no ACL on
the volume the files live on). Uploads into a delivery without a destination land in
its temporary folder on the default volume (a request's ``destination`` if it has one).
"""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any

from accsyn.emulator import _virtual
from accsyn.emulator._access import can_read, check_write
from accsyn.emulator._entities import (
    base_fields,
    by_ident,
    default_volume,
    hr,
    new_id,
    out,
    tasks_of,
)
from accsyn.emulator._parties import split_endpoint
from accsyn.emulator._protocol import ApiError, Call, Ctx, as_dict, as_str, check_method
from accsyn.emulator._schema import EMAIL_RE, facts
from accsyn.emulator._store import Row

if TYPE_CHECKING:
    from accsyn.emulator._backend import Backend

__all__ = [
    "TEMP_DIR",
    "add_files",
    "add_recipient",
    "attach",
    "attached",
    "create_delivery",
    "invite_pending",
    "recipients",
    "upload_dir",
]

#: Where uploads into a delivery land on the default volume: ``<TEMP_DIR>/<delivery id>``.
TEMP_DIR = ".accsyn/deliveries"
#: Statuses in which a delivery's recipients may download it (submitted, not finished).
_AVAILABLE = ("pending", "waiting")


def upload_dir(b: Backend, job: Row) -> str:
    """The accsyn path uploads into ``job`` land in (no trailing ``/``)."""
    dest = job.data.get("destination")
    if isinstance(dest, str) and dest.strip() and ":" not in dest:
        return dest.strip().rstrip("/")
    return f"volume={default_volume(b.store).data.get('code')}/{TEMP_DIR}/{job.id}"


def _is_recipient(ctx: Ctx, job: Row) -> bool:
    return any(r.get("user") in (ctx.uid, ctx.email) for r in job.data.get("_recipients", []))


# --- files ------------------------------------------------------------------------------


def add_files(b: Backend, job: Row, placed: list[dict[str, Any]]) -> list[Row]:
    """Tasks of a delivery, one per file (``placed``: from :func:`_virtual.place`)."""
    now = b.clock.stamp()
    start = len(tasks_of(b.store, job))
    rows = []
    for i, p in enumerate(placed, start):
        d = {
            "id": new_id("task"),
            "created": now,
            "job": f"{job.et}:{job.id}",
            "job_hr": hr(job),
            "priority": 500,
            "size": int(p.get("size") or 0),
            "source": p["party"],
            "destination": {"path": None},
            # Waiting for a recipient to choose where it goes (protocol.md §6.2).
            "status": "pending",
            "uri": str(i),
            "metadata": {},
            "finished": None,
            "description": "",
            "_at": p["_at"],
        }
        rows.append(b.store.insert("task", d))
    return rows


def add_tasks(b: Backend, ctx: Ctx, job: Row, tasks: list[Any]) -> list[dict[str, Any]]:
    """``create("task", …, <delivery id>)``: existing files added to a delivery."""
    paths = [t.get("source") if isinstance(t, dict) else t for t in tasks]
    placed = [_virtual.place_existing(b.paths, ctx, "delivery", p) for p in paths]
    return [out(r) for r in add_files(b, job, placed)]


# --- create -----------------------------------------------------------------------------


def create_delivery(b: Backend, ctx: Ctx, et: str, data: dict[str, Any]) -> dict[str, Any]:
    """A delivery (request, stream): submitted at once when it has files and recipients."""
    name = as_str(data.get("name") or "Delivery", "name")
    tasks = data.get("tasks") or []
    recipients_in = data.get("recipients") or []
    if not isinstance(tasks, list) or not isinstance(recipients_in, list):
        raise ApiError(400, "tasks and recipients must be lists!")
    # A delivery shares files: only files the sender may read (§6.5).
    placed = [_virtual.place_existing(b.paths, ctx, "delivery", t) for t in tasks]
    destination = data.get("destination")
    if destination is not None and not isinstance(destination, str):
        raise ApiError(400, "destination must be an accsyn path!")
    if not tasks:
        # Uploads will land on a volume: only for those who may write there.
        where = destination or f"volume={default_volume(b.store).data.get('code')}/{TEMP_DIR}"
        try:
            b.paths.locate(ctx, where, write=True)
        except ApiError as exc:
            if exc.status == 403:
                raise ApiError(
                    403, f"Permission denied: you have no write access to '{where}' for uploads."
                ) from None
            raise
    d = base_fields(b.clock.stamp(), ctx, name)
    d.update(
        code=name,
        type=facts().job_types[et],
        public=bool(data.get("public", False)),
        user=f"user:{ctx.uid}",
        user_hr=hr(ctx.user),
        finished=None,
        description=str(data.get("description") or ""),
        metadata=data.get("metadata") or {},
        destination=destination,
        _recipients=[],
    )
    submitted = bool(tasks and recipients_in)
    d["status"] = "pending" if submitted else str(data.get("status") or "init")
    if d["status"] not in ("init", "pending"):
        raise ApiError(400, "A new delivery starts as init (or pending with files+recipients).")
    row = b.store.insert(et, d)
    add_files(b, row, placed)
    for r in recipients_in:
        add_recipient(b, ctx, row, str(r), True)
    if submitted:
        b.sim.submit_soon(row)
    return out(b.store.get(row.id) or row)


# --- transfers into and out of a delivery -------------------------------------------------


def attach(b: Backend, ctx: Ctx, data: dict[str, Any]) -> tuple[Row, bool] | None:
    """The delivery a new transfer uploads into or downloads from, ``data`` completed.

    Returns the delivery and whether the transfer uploads into its storage (so its
    files become the delivery's: pass both to :func:`attached`); None if ``data``
    has no ``parent`` naming a delivery. An upload (a source or tasks given) needs
    the right to change the delivery (for a request: to be its recipient); a
    download (neither) needs the right to read it and, for a recipient, that it is
    submitted. A download gets one task per file.
    """
    ident = data.get("parent")
    if not ident:
        return None
    job = by_ident(b.store, None, str(ident))
    if job is None or job.et not in facts().delivery_like:
        return None
    if not can_read(b.store, ctx, job):
        raise ApiError(403, f"Permission denied: you cannot add to this {job.et}.")
    # A request is uploaded into by its recipients and downloaded by its managers.
    inbound = job.et == "request"
    if data.get("source") is not None or data.get("tasks") is not None:
        if not (inbound and _is_recipient(ctx, job)):
            check_write(b.store, ctx, job.et, job, {})
        into = not data.get("destination") and data.get("tasks") is None
        if into:
            data["destination"] = upload_dir(b, job) + "/"
        return job, into
    if inbound or not _is_recipient(ctx, job) or ctx.uid in str(job.data.get("user")):
        check_write(b.store, ctx, job.et, job, {})
    elif job.data.get("status") not in _AVAILABLE:
        raise ApiError(400, f"This {job.et} is not available for download (not submitted).")
    dest = data.get("destination")
    if not isinstance(dest, str) or not dest.strip():
        raise ApiError(400, f"A download from a {job.et} needs a destination!")
    names = [n for n, p in _virtual.members(b.paths, job).items() if p.exists()]
    if not names:
        raise ApiError(400, f"This {job.et} has no files to download yet!")
    folder = dest.strip().rstrip("/") + "/"
    data["tasks"] = [{"source": f"delivery={job.id}/{n}", "destination": folder} for n in names]
    data.setdefault("name", f"Download {job.data.get('name')}")
    _mark_actioned(b, ctx, job)
    return job, False


def _mark_actioned(b: Backend, ctx: Ctx, job: Row) -> None:
    recs = job.data.get("_recipients", [])
    for r in recs:
        if r.get("user") in (ctx.uid, ctx.email):
            r["actioned"] = True
    b.store.update(job)


def attached(b: Backend, ctx: Ctx, job: Row, transfer: Row, into: bool) -> None:
    """After an upload into ``job`` was created: its files become the delivery's tasks."""
    if not into:
        return
    base = upload_dir(b, job)
    placed = []
    for t in tasks_of(b.store, transfer):
        src = (t.data.get("source") or {}).get("path")
        if not isinstance(src, str):
            continue
        name = PurePosixPath(split_endpoint(src)[1].replace("\\", "/").rstrip("/")).name
        if name:
            p = _virtual.place(b.paths, ctx, f"{base}/{name}")
            p["size"] = t.data.get("size") or 0
            placed.append(p)
    add_files(b, job, placed)


# --- recipients ---------------------------------------------------------------------------


def add_recipient(b: Backend, ctx: Ctx, job: Row, ident: str, invite: bool) -> dict[str, Any]:
    """Add (or refresh) a recipient of a delivery; unknown emails only with ``invite``.

    An unknown email stays a pending recipient while the delivery is ``init`` and is
    invited (a standard user is created) once it is submitted.
    """
    user = by_ident(b.store, "user", ident, ("active",))
    if user is None and by_ident(b.store, "user", ident, ("inactive",)) is not None:
        # Not an email to invite (inviting it was a 409 "already exists").
        raise ApiError(400, f"The user '{ident[:100]}' is deactivated; activate them first!")
    if user is None:
        if not EMAIL_RE.match(ident.lower()):
            raise ApiError(404, f"No user found with code '{ident[:100]}'!")
        if not invite:
            raise ApiError(404, f"No user found with code '{ident}', and invite is not allowed!")
        rec = {"user": ident.lower(), "user_hr": ident.lower(), "actioned": False}
    else:
        rec = {"user": user.id, "user_hr": user.data.get("code"), "actioned": False}
    recs = [r for r in job.data.get("_recipients", []) if r.get("user") != rec["user"]]
    recs.append(rec)
    job.data["_recipients"] = recs
    b.store.update(job)
    if job.data.get("status") != "init":
        invite_pending(b, ctx, job)
        rec = next(r for r in job.data["_recipients"] if r["user_hr"] == rec["user_hr"])
    return rec


def invite_pending(b: Backend, ctx: Ctx, job: Row) -> None:
    """Invite the pending (email-only) recipients of a submitted delivery."""
    from accsyn.emulator._ops.create import create_user  # create imports this module

    changed = False
    for r in job.data.get("_recipients", []):
        if EMAIL_RE.match(str(r.get("user"))):
            user = by_ident(b.store, "user", str(r["user"]), ("active",))
            if user is None:
                created = create_user(b, ctx, {"code": r["user"], "role": "standard"})
                user = b.store.get(created["id"])
            if user is not None:
                r.update(user=user.id, user_hr=user.data.get("code"))
                changed = True
    if changed:
        b.store.update(job)


def recipients(b: Backend, call: Call) -> dict[str, Any]:
    """``job/recipient/add``, ``job/recipient`` (remove) and ``<delivery>/recipients``."""
    ctx, uri = call.ctx, call.uri
    delivery_like = facts().delivery_like
    if call.et and call.et not in delivery_like:
        raise ApiError(404, f"Unknown operation '{uri[:100]}'.")
    job = b.store.get(str(ctx.envelope.get("id") or "").lower())
    if job is None or job.et not in (*delivery_like, "transfer"):
        raise ApiError(404, "No such delivery!")
    if uri.endswith("recipients"):
        # Without the right to read the delivery, its recipients read as empty (§6.5).
        readable = can_read(b.store, ctx, job)
        return {"result": list(job.data.get("_recipients", [])) if readable else []}
    d = as_dict(call.data)
    if not can_read(b.store, ctx, job):
        raise ApiError(403, "Permission denied: you cannot change this delivery's recipients.")
    check_write(b.store, ctx, job.et, job, d)
    ident = as_str(d.get("recipient"), "recipient")
    if uri == "job/recipient/add":
        check_method(call.method, ("PUT", "POST"))
        rec = add_recipient(b, ctx, job, ident, d.get("invite", True) is not False)
        return {"result": True if job.data.get("status") == "init" else rec}
    check_method(call.method, ("DELETE",))
    recs = job.data.get("_recipients", [])
    keep = [r for r in recs if ident.lower() not in (r.get("user"), r.get("user_hr"))]
    if len(keep) == len(recs):
        return {"result": False}
    job.data["_recipients"] = keep
    b.store.update(job)
    return {"result": True}
