"""Request builders: one per operation of the official client (protocol.md §4.3–§4.5).

Each builder checks its arguments as the official client does and returns an
:class:`~accsyn._wire.EventRequest`. Builders take strings: a query reaches them
as its canonical expression, rendered once by :func:`statement`, so a paged read
renders its query once however many pages it fetches. Nothing here does I/O; text
payloads (a JSON string or a JSON file) are read by the session before it builds.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from accsyn import _constants as const
from accsyn._codec import is_object_id
from accsyn._exceptions import ValidationError
from accsyn._requests_files import (
    delete_path_request as delete_path_request,
)
from accsyn._requests_files import (
    exists_request as exists_request,
)
from accsyn._requests_files import (
    getsize_request as getsize_request,
)
from accsyn._requests_files import (  # re-exported: the builders for file operations
    ls_request as ls_request,
)
from accsyn._requests_files import (
    mkdir_request as mkdir_request,
)
from accsyn._requests_files import (
    mv_request as mv_request,
)
from accsyn._requests_files import (
    prepublish_request as prepublish_request,
)
from accsyn._requests_files import (
    rename_request as rename_request,
)
from accsyn._wire import EventRequest
from accsyn.query import Comparison, Op, Query, and_, or_, render


def entity_type(name: object, what: str = "entity type") -> str:
    """Validate and lowercase an entity-type name for a uri."""
    if not isinstance(name, str) or not name.strip():
        raise ValidationError(f"Invalid {what} supplied, must be a non-empty string!", field=what)
    return name.strip().lower()


def require_id(value: object, what: str = "entity ID") -> str:
    """A 24-hex entity id, or a :class:`ValidationError`."""
    if not isinstance(value, str) or not is_object_id(value):
        raise ValidationError(f"Invalid {what} supplied: {value!r} is not a 24-character id!")
    return value


def require_str(value: object, what: str) -> str:
    """A non-empty string, or a :class:`ValidationError`."""
    if not isinstance(value, str) or not value.strip():
        raise ValidationError(f"Invalid {what} supplied, must be a non-empty string!", field=what)
    return value


#: id(expression) -> (the expression, its rendering). Expressions are immutable
#: (frozen, str and tuple values only) and parsed queries are cached, so the same
#: object renders the same text every time; the entry holds the expression itself,
#: so its id cannot be reused by another object while the entry exists.
_RENDERED: dict[int, tuple[object, str]] = {}
_RENDERED_MAX = 512


def statement(query: Query) -> tuple[str | None, str | None]:
    """``(entity type, canonical expression)`` of a parsed query: the one place a
    query is rendered for the wire (once per call; pages reuse the string)."""
    where = query.where
    if where is None:
        return query.entitytype, None
    known = _RENDERED.get(id(where))
    if known is not None and known[0] is where:
        return query.entitytype, known[1]
    text = render(where)
    if len(_RENDERED) >= _RENDERED_MAX:
        _RENDERED.clear()
    _RENDERED[id(where)] = (where, text)
    return query.entitytype, text


def _check_bool(name: str, value: object) -> None:
    if value is not None and not isinstance(value, bool):
        raise ValidationError(f"{name.capitalize()} must be a boolean!", field=name)


def _check_int(name: str, value: object) -> None:
    if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
        raise ValidationError(f"{name.capitalize()} must be an integer!", field=name)
    if isinstance(value, int) and value < 0:
        # The server refuses it (400); said here, before sending, as .limit()/.offset() do.
        raise ValidationError(f"{name} must not be negative, not {value}", field=name)


def _attributes(attributes: Sequence[str] | None) -> list[str] | None:
    if not attributes:
        return None
    if isinstance(attributes, str) or not all(isinstance(a, str) for a in attributes):
        raise ValidationError("Attributes must be a list of strings!", field="attributes")
    if not all(a.strip() for a in attributes):
        raise ValidationError("Attributes must be a list of non-empty strings!", field="attributes")
    return [a.strip() for a in attributes]


def find_request(
    entitytype: str,
    expression: str | None = None,
    *,
    attributes: Sequence[str] | None = None,
    finished: bool | None = None,
    inactive: bool | None = None,
    archived: bool | None = None,
    limit: int | None = None,
    skip: int | None = None,
    parent: str | None = None,
    single_entity_query: bool = False,
) -> EventRequest:
    """``GET <entitytype>/find`` with a canonical ``expression`` (protocol.md §4.3.1).

    Falsy ``limit``/``skip`` are not sent, as officially.
    """
    et = entity_type(entitytype)
    attrs = _attributes(attributes)
    for name, flag in (("finished", finished), ("inactive", inactive), ("archived", archived)):
        _check_bool(name, flag)
    _check_int("limit", limit)
    _check_int("skip", skip)
    data: dict[str, Any] = {}
    if parent is not None:
        data["parent"] = parent
    if finished is not None:
        data["finished"] = finished
    if inactive is not None:
        data["inactive"] = inactive
    if archived is not None:
        data["archived"] = archived
    if limit:
        data["limit"] = limit
    if skip:
        data["skip"] = skip
    if attrs:
        data["attributes"] = attrs
    if single_entity_query:
        data["single_entity_query"] = True
    return EventRequest("GET", f"{et}/find", data, query=expression or None)


def entitytypes_request() -> EventRequest:
    """``GET entitytypes``: the server's list of entity types."""
    return EventRequest("GET", "entitytypes", {})


def attributes_request(
    entitytype: str, *, create: bool = False, update: bool = False
) -> EventRequest:
    """``GET attributes``: the attribute names of an entity type."""
    _check_bool("create", create)
    _check_bool("update", update)
    et = entity_type(entitytype).replace("'", "").replace('"', "")
    return EventRequest("GET", "attributes", {"entitytype": et, "create": create, "update": update})


def get_entity_request(entitytype: str, entityid: str) -> EventRequest:
    """``GET <et>/find`` with an ``id``: one entity in any state."""
    return EventRequest("GET", f"{entity_type(entitytype)}/find", {}, entityid=require_id(entityid))


def report_request(entitytype: str, expression: str | None) -> EventRequest:
    """``GET <et>/report`` (support use)."""
    return EventRequest("GET", f"{entity_type(entitytype)}/report", {}, query=expression)


def metrics_request(
    entitytype: str,
    expression: str | None,
    attributes: Sequence[str] | None = None,
    time: str | None = None,
) -> EventRequest:
    """``GET <et>/metrics``; ``attributes`` is always sent (null when not given)."""
    data: dict[str, Any] = {"attributes": list(attributes) if attributes is not None else None}
    if time is not None:
        data["time"] = time
    return EventRequest("GET", f"{entity_type(entitytype)}/metrics", data, query=expression)


def _create_data(entitytype: str, data: object) -> dict[str, Any]:
    # Text payloads (JSON or a file path) are read by the session, not here.
    if isinstance(data, list):
        data = {"tasks": data}
    if not isinstance(data, dict) or not data:
        raise ValidationError("Empty create data submitted!", field="data")
    out = dict(data)
    if entitytype == "task" and "tasks" not in out:
        out = {"tasks": out}
    return out


def create_request(
    entitytype: str,
    data: Mapping[str, Any] | Sequence[Mapping[str, Any]],
    entityid: str | None = None,
    allow_duplicates: bool | None = None,
    replace_duplicates: bool | None = None,
) -> EventRequest:
    """``POST <et>/create`` (``file/add`` for files), payload normalised as officially."""
    et = entity_type(entitytype)
    payload = _create_data(et, data)
    if et in const.JOB_ENTITY_TYPES:
        if allow_duplicates is not None:
            payload["allow_duplicates"] = allow_duplicates
        if replace_duplicates is not None:
            payload["replace_duplicates"] = replace_duplicates
    uri = f"{et}/add" if et == "file" else f"{et}/create"
    return EventRequest("POST", uri, payload, entityid=entityid)


def update_request(entitytype: str, entityid: str, data: Mapping[str, Any]) -> EventRequest:
    """``PUT <et>/edit``."""
    et = entity_type(entitytype)
    if et == "acl":
        raise ValidationError("ACLs cannot be updated, use the grant function to grant access.")
    require_str(entityid, "entity ID")
    if not isinstance(data, Mapping) or not data:
        raise ValidationError("Invalid data supplied, must be dict and have content!", field="data")
    return EventRequest("PUT", f"{et}/edit", dict(data), entityid=entityid)


def update_many_request(
    entitytype: str, entityid: str, data: Sequence[Mapping[str, Any]]
) -> EventRequest:
    """``PUT task/edit`` with a list of task changes beneath a job."""
    et = entity_type(entitytype)
    if et != "task":
        raise ValidationError("Only multiple 'task' entities can be updated!")
    require_id(entityid, "parent entity ID")
    if isinstance(data, str | Mapping) or not data:
        raise ValidationError("Invalid data supplied, must be a non-empty list!", field="data")
    return EventRequest("PUT", f"{et}/edit", [dict(d) for d in data], entityid=entityid)


def delete_one_request(
    entitytype: str, entityid: str, data: Mapping[str, Any] | None = None
) -> EventRequest:
    """``DELETE <et>/delete`` (``data`` null unless given)."""
    et = entity_type(entitytype)
    if et == "acl":
        raise ValidationError("ACLs cannot be deleted, use the revoke function to revoke access.")
    require_str(entityid, "entity ID")
    return EventRequest(
        "DELETE", f"{et}/delete", dict(data) if data is not None else None, entityid=entityid
    )


def delete_many_request(entitytype: str, entityid: str, data: Mapping[str, Any]) -> EventRequest:
    """``DELETE collection/file/remove``."""
    et = entity_type(entitytype)
    require_id(entityid, "parent entity ID")
    if not isinstance(data, Mapping) or not data:
        raise ValidationError("Invalid data supplied, must be dict and have content!", field="data")
    if et != "collection":
        raise ValidationError(f"Unsupported entity type for deletion: {et}")
    return EventRequest("DELETE", f"{et}/file/remove", dict(data), entityid=entityid)


def deactivate_request(entitytype: str, entityid: str) -> EventRequest:
    """``DELETE <et>/deactivate``."""
    et = entity_type(entitytype)
    return EventRequest(
        "DELETE", f"{et}/deactivate", {}, entityid=require_str(entityid, "entity ID")
    )


def activate_request(entitytype: str, entityident: str) -> EventRequest:
    """``POST <et>/activate`` by id, or by bare (lowercased) code or email."""
    et = entity_type(entitytype)
    ident = require_str(entityident, "entity identification").lower().strip()
    if is_object_id(ident):
        return EventRequest("POST", f"{et}/activate", {}, entityid=ident)
    return EventRequest("POST", f"{et}/activate", {}, query=ident)


def assign_request(
    entitytype_parent: str, entitytype: str, data: Mapping[str, Any]
) -> EventRequest:
    """``PUT share/server``: assign a server to a volume or share."""
    parent = entity_type(entitytype_parent, "parent entity type")
    et = entity_type(entitytype)
    if not isinstance(data, Mapping) or not data:
        raise ValidationError("Invalid assignment data supplied, must be a dict with values!")
    if parent in ("volume", "share") and et in ("server", "client"):
        share_id = require_id(data.get("volume", data.get("share")), "volume/share ID")
        client_id = require_id(data.get("server", data.get("client")), "server ID")
        return EventRequest("PUT", "share/server", {"client": client_id}, entityid=share_id)
    raise ValidationError("Unsupported assignment operation!")


def assignments_request(entitytype: str, entityid: str) -> EventRequest:
    """``GET <volume|share>/servers``."""
    et = entity_type(entitytype)
    if et not in ("volume", "share"):
        raise ValidationError("Unsupported assignment operation!")
    return EventRequest("GET", f"{et}/servers", {}, entityid=require_str(entityid, "entity ID"))


def deassign_request(
    entitytype_parent: str, entitytype: str, data: Mapping[str, Any]
) -> EventRequest:
    """``DELETE <volume|share>/server``."""
    parent = entity_type(entitytype_parent, "parent entity type")
    et = entity_type(entitytype)
    if not isinstance(data, Mapping) or not data:
        raise ValidationError("Invalid de-assignment data supplied, must be a dict with values!")
    if parent in ("volume", "share") and et == "server":
        share_id = require_id(data.get("volume", data.get("share")), "volume/share ID")
        client_id = require_id(data.get("server", data.get("client")), "server ID")
        return EventRequest("DELETE", f"{parent}/server", {"client": client_id}, entityid=share_id)
    raise ValidationError("Unsupported de-assignment operation!")


def code_query(ident: str) -> str:
    """``code='<ident>'`` as the official client writes it, quoted safely otherwise.

    ``*`` is a wildcard in ``=``: an identifier holding one is matched literally
    (anchored, escaped regex), so ``grant("user", "*", …)`` names no one.
    """
    if "*" in ident:
        return render(Comparison("code", Op.MATCHES, _literal_regex(ident)))
    if "'" not in ident:
        return f"code='{ident}'"
    return render(Comparison("code", Op.EQ, ident))


def _literal_regex(text: str) -> str:
    return "^" + re.escape(text) + "$"


def _literal_eq(attribute: str, value: str) -> Comparison:
    """``attribute = value`` with any ``*`` in ``value`` taken literally."""
    if "*" in value:
        return Comparison(attribute, Op.MATCHES, _literal_regex(value))
    return Comparison(attribute, Op.EQ, value)


def code_lookup_request(entitytype: str, ident: str) -> EventRequest:
    """``GET <et>/find`` with ``data: null`` and ``code='<ident>'`` (grant/revoke lookups)."""
    return EventRequest("GET", f"{entity_type(entitytype)}/find", None, query=code_query(ident))


def recipient_add_request(job_id: str, recipient: str, invite: bool) -> EventRequest:
    """``PUT job/recipient/add``."""
    return EventRequest(
        "PUT", "job/recipient/add", {"recipient": recipient, "invite": invite}, entityid=job_id
    )


def recipients_request(job_id: str) -> EventRequest:
    """``GET job/recipients``."""
    return EventRequest("GET", "job/recipients", {}, entityid=job_id)


def recipient_remove_request(job_id: str, recipient: str) -> EventRequest:
    """``DELETE job/recipient``."""
    return EventRequest("DELETE", "job/recipient", {"recipient": recipient}, entityid=job_id)


def acl_create_request(user: str, share_id: str, data: Mapping[str, Any] | None) -> EventRequest:
    """``POST acl/create`` with the 3.4.0 payload (key order and defaults)."""
    if data is not None and not isinstance(data, Mapping):
        raise ValidationError("Invalid grant access data supplied, must be a dict!", field="data")
    d: Mapping[str, Any] = data or {"read": True, "write": True}
    payload = {
        "entity": f"user:{user}",
        "target": f"share:{share_id}",
        "invite": d.get("invite", True),
        "read": d.get("read", False),
        "write": d.get("write", False),
        "notify": d.get("notify", False),
        "message": d.get("message", ""),
        "path": d.get("path", "/"),
    }
    return EventRequest("POST", "acl/create", payload)


def acl_access_query(share_id: str, entitytype: str | None, entityid: str | None) -> str:
    """``acl WHERE target=share:<id> [AND entity=<et>:<id or *>]``."""
    expr: Any = _literal_eq("target", f"share:{share_id}")
    if entitytype:
        et = entity_type(entitytype)
        entity = (
            Comparison("entity", Op.EQ, f"{et}:*")  # every entity of the type: on purpose
            if not entityid
            else _literal_eq("entity", f"{et}:{entityid}")
        )
        expr = and_(expr, entity)
    return render(Query("acl", expr))


def acl_revoke_query(user_id: str, share_id: str) -> str:
    """``acl WHERE entity=user:<id> AND target=share:<id>`` (the ACL revoke removes)."""
    return render(
        Query(
            "acl",
            and_(
                _literal_eq("entity", f"user:{user_id}"),
                _literal_eq("target", f"share:{share_id}"),
            ),
        )
    )


def acl_find_request(query: str, data: Mapping[str, Any]) -> EventRequest:
    """``GET acl/find``."""
    return EventRequest("GET", "acl/find", dict(data), query=query)


def acl_delete_request(acl_id: str) -> EventRequest:
    """``DELETE acl/delete``."""
    return EventRequest("DELETE", "acl/delete", {}, entityid=acl_id)


def get_setting_request(
    name: str | None = None,
    entitytype: str = "workspace",
    entityid: str | None = None,
    integration: str | None = None,
    data: Mapping[str, Any] | None = None,
) -> EventRequest:
    """``GET setting`` for one setting (the ``name`` key tells it from get_settings)."""
    payload: dict[str, Any] = {"entitytype": entity_type(entitytype), "name": name}
    if integration:
        payload["integration"] = integration
    payload["data"] = dict(data) if data is not None else None
    return EventRequest("GET", "setting", payload, entityid=entityid)


def get_settings_request(
    entitytype: str | None = None,
    entityid: str | None = None,
    recursive: bool = False,
    upstream: bool = False,
    omit_defaults: bool = True,
    share: str | None = None,
) -> EventRequest:
    """``GET setting`` for all settings of a scope."""
    payload: dict[str, Any] = {
        "entitytype": entity_type(entitytype) if entitytype else None,
        "recursive": recursive,
        "upstream": upstream,
        "omit_defaults": omit_defaults,
    }
    if share:
        payload["share"] = share
    return EventRequest("GET", "setting", payload, entityid=entityid)


def set_setting_request(
    entitytype: str, name: str, value: str, entityid: str | None = None
) -> EventRequest:
    """``PUT setting``; values are always strings."""
    et = entity_type(entitytype)
    require_str(name, "name")
    if not isinstance(value, str):
        raise ValidationError("Invalid value supplied, must be of string type!", field="value")
    return EventRequest(
        "PUT", "setting", {"entitytype": et, "name": name, "value": value}, entityid=entityid
    )


def delete_setting_request(entitytype: str, name: str, entityid: str | None = None) -> EventRequest:
    """``DELETE setting``."""
    et = entity_type(entitytype)
    require_str(name, "name")
    return EventRequest("DELETE", "setting", {"entitytype": et, "name": name}, entityid=entityid)


def logs_request(
    entitytype: str | None = None,
    entityid: str | None = None,
    search: str | None = None,
    sort: str = "date",
    sort_reverse: bool = False,
    pagination_page: int | None = None,
    pagination_limit: int | None = None,
    pagination_skip: int | None = None,
) -> EventRequest:
    """``GET log/find`` (3.4.0)."""
    payload: dict[str, Any] = {
        "entitytype": entity_type(entitytype) if entitytype else "workspace",
        "sort": sort or "date",
        "sort_reverse": sort_reverse,
    }
    if search:
        payload["search"] = search
    pagination: dict[str, int] = {}
    for key, value in (
        ("page", pagination_page),
        ("limit", pagination_limit),
        ("skip", pagination_skip),
    ):
        if value is not None:
            if isinstance(value, bool) or not isinstance(value, int):
                raise ValidationError(
                    f"pagination_{key} must be an integer!", field=f"pagination_{key}"
                )
            pagination[key] = value
    if pagination:
        payload["pagination"] = pagination
    return EventRequest("GET", "log/find", payload, entityid=entityid)


def api_key_request() -> EventRequest:
    """``GET user/api_key``."""
    return EventRequest("GET", "user/api_key", {})


def running_clients_request(user_id: str, hostname: str, *, daemon: bool) -> EventRequest:
    """``GET client/find`` for this machine's app (type 0) or daemons (types 1, 2)."""
    types: Any = (
        or_(
            Comparison("type", Op.EQ, str(const.CLIENT_TYPE_SERVER)),
            Comparison("type", Op.EQ, str(const.CLIENT_TYPE_USERSERVER)),
        )
        if daemon
        else Comparison("type", Op.EQ, str(const.CLIENT_TYPE_APP))
    )
    expr = and_(Comparison("user", Op.EQ, user_id), Comparison("code", Op.EQ, hostname), types)
    return EventRequest("GET", "client/find", {}, query=render(expr))


def integration_request(name: str, operation: str, data: Any) -> EventRequest:
    """``PUT workspace/integration/<name>/utility``."""
    require_str(name, "name")
    require_str(operation, "operation")
    return EventRequest(
        "PUT", f"workspace/integration/{name}/utility", {"operation": operation, "data": data}
    )


def is_id(value: str) -> bool:
    """Whether ``value`` is an entity id (the one id rule: :mod:`accsyn._codec`)."""
    return is_object_id(value)
