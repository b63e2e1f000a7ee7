"""Settings, the event log, publishing and the small informational uris."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple

from accsyn.emulator._access import can_read, check_write, reads_any
from accsyn.emulator._entities import hr, out, project, workspace_row
from accsyn.emulator._protocol import (
    ApiError,
    Call,
    as_bool,
    as_dict,
    as_int,
    as_str,
    check_method,
)
from accsyn.emulator._schema import canonical, facts
from accsyn.emulator._store import Row

if TYPE_CHECKING:
    from accsyn.emulator._backend import Backend

__all__ = [
    "LogEntry",
    "api_key",
    "entity_types",
    "integration",
    "logs",
    "prepublish",
    "server_assignment",
    "servers",
    "setting",
]


def setting(b: Backend, call: Call) -> dict[str, Any]:
    """``setting``: read (GET), set (PUT) or delete (DELETE) a scope's settings.

    The scope is an entity (the workspace unless ``entitytype`` and ``id`` name
    another): reading its settings needs the right to read it, changing them the
    right to change it (§6.5: employees read the workspace and queues, standard
    users neither). Without the right to read, there are no settings (§6.5: reads
    without rights are empty, not errors).
    """
    method, ctx, data = call.method, call.ctx, as_dict(call.data)
    scope, scope_id, row = _setting_scope(b, call)
    if method == "GET":
        readable = can_read(b.store, ctx, row)
        values = b.store.settings(scope, scope_id) if readable else {}
        if "name" in data:
            name = data.get("name")
            if name is not None and not isinstance(name, str):
                raise ApiError(400, "Setting names must be strings!")
            if name is None:
                return {"result": values}
            return {"result": values.get(name)}
        return {"result": values}
    if not can_read(b.store, ctx, row):
        raise ApiError(403, f"Permission denied: a {ctx.role} user cannot modify this {row.et}.")
    check_write(b.store, ctx, row.et, row, {})
    name = as_str(data.get("name"), "name")
    if method == "PUT":
        value = data.get("value")
        if not isinstance(value, str):
            raise ApiError(400, "Setting values must be strings!")
        b.store.set_setting(scope, scope_id, name, value)
        return {"result": True}
    if method == "DELETE":
        b.store.set_setting(scope, scope_id, name, None)
        return {"result": True}
    raise ApiError(405, f"Method {method} not allowed for settings.")


def _setting_scope(b: Backend, call: Call) -> tuple[str, str, Row]:
    """``(scope, scope id, entity)`` a settings request names (404 if no such entity).

    A queue's settings may be named as ``job`` settings (the official tests do, §8
    item 11): a queue is a job of type 2 (§6.1).
    """
    name = as_dict(call.data).get("entitytype")
    if name is not None and not isinstance(name, str):
        raise ApiError(400, "entitytype must be a string!")
    scope = (name or "workspace").strip().lower()
    scope_id = str(call.ctx.envelope.get("id") or "").strip()
    f = facts()
    et = canonical(scope)
    if et is None:
        raise ApiError(404, f"Unknown entity type '{scope[:100]}'.")
    if et == "workspace":
        row = workspace_row(b.store)
        if scope_id and scope_id.lower() != row.id:
            raise ApiError(404, f"No workspace with id '{scope_id[:100]}'!")
        return scope, scope_id, row
    if not scope_id:
        raise ApiError(400, f"Settings of a {et} need its id!")
    row_ = b.store.get(scope_id.lower())
    jobs = (*f.job_entities, "queue")
    kinds = {et, *f.umbrellas.get(et, ())}
    if et in f.client_subtypes:
        kinds.add("client")
    if et in jobs:
        kinds.update(jobs)
    if row_ is None or row_.et not in kinds or row_.state == "archived":
        raise ApiError(404, f"No {et} with id '{scope_id[:100]}'!")
    return scope, scope_id, row_


class LogEntry(NamedTuple):
    """One answered event, as recorded (cheaply) while answering it."""

    seq: int
    date: str
    uri: str
    user: Row
    envelope: dict[str, Any]

    def entity(self) -> dict[str, Any]:
        """The entry as a Log entity (exactly the model's attributes)."""
        entry = {
            "id": f"{self.seq:024x}",  # ids of log rows: their sequence, as ObjectIds
            "created": self.date,
            "date": self.date,
            "entitytype": self.uri.split("/", 1)[0],
            "entity": self.envelope.get("id"),
            "message": self.uri,
            "user": f"user:{self.user.id}",
            "user_hr": hr(self.user),
        }
        return project("log", entry)


def logs(b: Backend, call: Call) -> dict[str, Any]:
    """``log/find`` ([3.4.0] ``logs()``): the recent events of a scope, sorted and paged.

    Who reads logs is the §6.5 table's ``log`` row (admins). The scope is
    ``entitytype`` (``workspace``, the default: every event) and the request ``id``;
    ``search`` matches the message. Where §8 item 17 leaves it open, the choice:
    ``sort`` is a log attribute (default ``date``), and ``pagination`` starts at
    ``skip`` plus ``(page - 1) * limit`` (pages count from 1); ``total`` counts every
    matching event.
    """
    data = as_dict(call.data)
    if not reads_any(call.ctx, "log"):
        return {"result": []}  # §6.5: reads without rights are empty
    attributes = facts().attributes["log"]
    sort = data.get("sort") or "date"
    if not isinstance(sort, str) or sort not in attributes:
        raise ApiError(
            400, f"Cannot sort logs by {str(sort)[:50]!r} (one of {', '.join(attributes)})!"
        )
    pag = data.get("pagination") or {}
    if not isinstance(pag, dict):
        raise ApiError(400, "pagination must be an object of page, limit and skip!")
    limit = as_int(pag.get("limit"), "pagination_limit")
    skip = as_int(pag.get("skip"), "pagination_skip", 0) or 0
    page = as_int(pag.get("page"), "pagination_page")
    if page == 0:
        raise ApiError(400, "pagination_page counts from 1!")
    scope = data.get("entitytype") or "workspace"
    search = data.get("search")
    if not isinstance(scope, str) or (search is not None and not isinstance(search, str)):
        raise ApiError(400, "entitytype and search must be strings!")
    scope = scope.strip().lower()
    ident = str(call.ctx.envelope.get("id") or "").strip().lower()
    rows = [e.entity() for e in b.logs]
    if scope != "workspace":
        rows = [r for r in rows if r.get("entitytype") == scope]
    if ident:
        rows = [r for r in rows if str(r.get("entity") or "").lower() == ident]
    if search:
        rows = [r for r in rows if search.lower() in str(r.get("message") or "").lower()]
    # Stable: events of the same second keep the order they happened in.
    rows.sort(key=lambda r: (r.get(sort) is None, str(r.get(sort) or "")))
    if as_bool(data.get("sort_reverse"), "sort_reverse"):
        rows.reverse()
    start = skip + ((page - 1) * limit if page and limit else 0)
    end = start + limit if limit else None
    return {"result": rows[start:end], "total": len(rows)}


def prepublish(b: Backend, call: Call) -> dict[str, Any]:
    """``workspace/publish/preprocess``: every file may be published as is."""
    files = as_dict(call.data).get("files") or []
    if not isinstance(files, list):
        raise ApiError(400, "files must be a list!")
    result = [
        {
            "id": f.get("id") if isinstance(f, dict) else None,
            "ident": (f.get("filename") if isinstance(f, dict) else str(f)),
            "can_publish": True,
            "can_upload": True,
            "rejected": False,
            "warning": None,
            "info": None,
            "comment_label": None,
            "path": (f.get("filename") if isinstance(f, dict) else str(f)),
        }
        for f in files
    ]
    return {
        "result": {
            "files": result,
            "time_report": False,
            "comment": True,
            "guidelines": "",
            "statuses": [{"code": "pending", "default": True}],
            "tasks": [],
        }
    }


def entity_types(b: Backend, call: Call) -> dict[str, Any]:
    """``entitytypes``: every entity type served."""
    return {"result": list(facts().entity_types)}


def api_key(b: Backend, call: Call) -> dict[str, Any]:
    """``user/api_key``: the caller's own API key."""
    return {"api_key": b.store.api_key(call.ctx.email)}


def integration(b: Backend, call: Call) -> dict[str, Any]:
    """``workspace/integration/…``: no integrations are configured locally."""
    return {"result": {}}


def _assigned_share(b: Backend, call: Call) -> Row:
    """The volume (or share) a server assignment names by the request's ``id``."""
    ident = str(call.ctx.envelope.get("id") or "").strip().lower()
    share = b.store.get(ident) if ident else None
    if share is None or share.et not in facts().share_types:
        raise ApiError(404, f"No volume or share with id '{ident[:100]}'!")
    return share


def server_assignment(b: Backend, call: Call) -> dict[str, Any]:
    """``share/server`` (PUT: assign) and ``volume/server``/``share/server`` (DELETE: deassign).

    A volume is served by the servers assigned to it; only admins change that.
    """
    check_method(call.method, ("PUT", "POST", "DELETE"))
    if call.ctx.role not in ("admin", "support"):
        raise ApiError(403, "Permission denied: only admins assign servers to volumes.")
    share = _assigned_share(b, call)
    ident = as_str(as_dict(call.data).get("client"), "client").strip().lower()
    client = b.store.get(ident)
    servers = facts().client_subtypes.get("server")
    if client is None or client.et != "client" or client.data.get("type") != servers:
        raise ApiError(404, f"No server with id '{ident[:100]}'!")
    assigned = [str(c) for c in share.data.get("_servers", [])]
    if call.method == "DELETE":
        if client.id not in assigned:
            return {"result": False}
        share.data["_servers"] = [c for c in assigned if c != client.id]
    elif client.id not in assigned:
        share.data["_servers"] = [*assigned, client.id]
    b.store.update(share)
    return {"result": True}


def servers(b: Backend, call: Call) -> dict[str, Any]:
    """``volume/servers`` (``share/servers``): the servers assigned to a volume."""
    share = _assigned_share(b, call)
    if not can_read(b.store, call.ctx, share):
        return {"result": []}
    rows = [b.store.get(str(c)) for c in share.data.get("_servers", [])]
    return {"result": [out(r) for r in rows if r is not None and can_read(b.store, call.ctx, r)]}
