"""The route table: which handler answers which event uri (protocol.md §4.3).

Three tables, looked up in order: whole uris (:data:`URIS`), uri prefixes
(:data:`PREFIXES`), and ``<entitytype>/<operation>`` for every entity type
(:data:`OPERATIONS`). A route names its handler and the HTTP methods it accepts
(None: the handler tells methods apart itself). Adding an operation is one row.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from accsyn.emulator._ops import acl, create, deliveries, files, find, lifecycle, misc
from accsyn.emulator._protocol import ApiError, Call
from accsyn.emulator._schema import Facts, facts

if TYPE_CHECKING:
    from accsyn.emulator._backend import Backend

__all__ = ["OPERATIONS", "PREFIXES", "URIS", "Route", "resolve"]

Handler = Callable[["Backend", Call], dict[str, Any]]


@dataclass(frozen=True)
class Route:
    """A handler and the HTTP methods it accepts (None: any; the handler checks).

    ``pure``: the answer depends only on the stored rows, the caller and the request
    (see :mod:`accsyn.emulator._reads`), and the handler writes nothing.
    """

    handler: Handler
    methods: tuple[str, ...] | None = None
    pure: bool = False


_WRITE = ("PUT", "POST")

#: Whole uris.
URIS: dict[str, Route] = {
    "entitytypes": Route(misc.entity_types),
    "attributes": Route(find.attributes),
    "setting": Route(misc.setting),
    "user/api_key": Route(misc.api_key),
    "log/find": Route(misc.logs),
    "workspace/file": Route(files.file_op),
    "workspace/publish/preprocess": Route(misc.prepublish),
    "job/recipient/add": Route(deliveries.recipients),
    "job/recipient": Route(deliveries.recipients),
    "job/recipients": Route(deliveries.recipients),
    "acl/create": Route(acl.grant, _WRITE),
    "acl/delete": Route(acl.revoke, ("DELETE",)),
    "share/server": Route(misc.server_assignment),
    "volume/server": Route(misc.server_assignment, ("DELETE",)),
    "share/servers": Route(misc.servers),
    "volume/servers": Route(misc.servers),
    "file/add": Route(files.add_to_collection),
    "collection/file/remove": Route(files.remove_from_collection),
}

#: Uri prefixes (a whole family of uris answered alike).
PREFIXES: dict[str, Route] = {
    "workspace/integration/": Route(misc.integration),
}

#: ``<entitytype>/<operation>``, for every entity type (aliases resolved).
OPERATIONS: dict[str, Route] = {
    "find": Route(find.find, ("GET",), pure=True),
    "report": Route(find.report, ("GET",)),
    "metrics": Route(find.metrics, ("GET",)),
    "create": Route(create.create, ("POST",)),
    "edit": Route(lifecycle.edit, _WRITE),
    "delete": Route(lifecycle.delete, ("DELETE",)),
    "deactivate": Route(lifecycle.deactivate, ("DELETE",)),
    "offline": Route(lifecycle.deactivate, ("DELETE",)),
    "activate": Route(lifecycle.activate, ("POST",)),
    "online": Route(lifecycle.activate, ("POST",)),
    "recipients": Route(deliveries.recipients),
}


def resolve(uri: str) -> tuple[Route, str, str]:
    """``(route, entity type, type as written)`` of a uri (types empty unless per-type)."""
    f = facts()
    if _TYPES_OF[0] is not f:  # the models changed: names may mean other types now
        _TYPES.clear()
        _RESOLVED.clear()
        _TYPES_OF[0] = f
    hit = _RESOLVED.get(uri)
    if hit is not None:
        return hit
    found = _resolve(uri, f)
    if len(_RESOLVED) >= _TYPES_MAX:
        _RESOLVED.clear()
    _RESOLVED[uri] = found
    return found


def _resolve(uri: str, f: Facts) -> tuple[Route, str, str]:
    route = URIS.get(uri)
    if route is not None:
        return route, "", ""
    for prefix, route in PREFIXES.items():
        if uri.startswith(prefix):
            return route, "", ""
    parts = uri.split("/")
    if len(parts) != 2:
        raise ApiError(404, f"Unknown operation '{uri[:100]}'.")
    name, op = parts
    known = _TYPES.get(name)
    if known is None:
        written = name.strip().lower()
        et = f.names.get(written)
        if et is None:
            raise ApiError(404, f"Unknown entity type '{name[:100]}'.")
        if len(_TYPES) >= _TYPES_MAX:
            _TYPES.clear()
        known = _TYPES[name] = (et, written)
    route = OPERATIONS.get(op)
    if route is None:
        raise ApiError(404, f"Unknown operation '{uri[:100]}'.")
    return route, known[0], known[1]


#: A uri's type name as sent -> (entity type, as written), read from ``_TYPES_OF[0]``
#: (:func:`canonical`, once per name rather than per request).
_TYPES: dict[str, tuple[str, str]] = {}
#: A whole uri -> what :func:`resolve` answers for it (errors are not kept), for the
#: models in ``_TYPES_OF[0]``: a client sends the same few uris over and over.
_RESOLVED: dict[str, tuple[Route, str, str]] = {}
_TYPES_OF: list[Facts | None] = [None]
_TYPES_MAX = 256
