"""Access rules of protocol.md §6.5: who may read and who may change what.

Every rule comes from one table, :data:`TABLE`: for each group of entity types
and each non-admin role, the *scope* the role may read, the scope it may change,
and whether it may create. A scope is a SQL condition on the ``entity`` table
(:func:`_scope_sql`), so reads are filtered in SQL (:func:`read_filter`: an
unreadable entity is simply not found) and writes check that the row lies in the
write scope (:func:`check_write`, 403 otherwise). File access through a share is
checked by :func:`check_share_access`: volumes only through ACLs, each ACL limited
to its ``path``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from accsyn.emulator._protocol import ApiError, Ctx
from accsyn.emulator._schema import facts
from accsyn.emulator._store import Row, Store
from accsyn.query._evaluate import id_part

__all__ = [
    "GROUPS",
    "TABLE",
    "can_read",
    "check_share_access",
    "check_write",
    "group_of",
    "read_filter",
    "reads_any",
    "target",
]

_PRIVILEGED = ("admin", "support")

#: Entity type -> row of the §6.5 table it belongs to.
GROUPS: dict[str, str] = {
    "user": "user",
    **dict.fromkeys(("workspace", "queue", "site", "server", "engine", "lane"), "workspace"),
    **dict.fromkeys(("transfer", "compute"), "job"),
    "task": "task",
    **dict.fromkeys(("delivery", "request", "stream"), "delivery"),
    **dict.fromkeys(("folder", "collection"), "folder"),
    "home": "home",
    "file": "file",
    **dict.fromkeys(("volume", "log"), "volume"),
    **dict.fromkeys(("userserver", "app", "browser", "client"), "client"),
    "acl": "acl",
}

#: protocol.md §6.5: group -> role -> (read scope, write scope, may create).
#: Admins (and support) may do everything. Scopes are defined in :func:`_scope_sql`.
TABLE: dict[str, dict[str, tuple[str, str, bool]]] = {
    "user": {
        "employee": ("self+standard", "self+standard", True),
        "standard": ("self", "self", False),
    },
    "workspace": {"employee": ("all", "none", False), "standard": ("none", "none", False)},
    "job": {"employee": ("all", "all", True), "standard": ("party", "party", True)},
    # A delivery's tasks are its files: its recipients read them.
    "task": {
        "employee": ("job readable", "job readable", True),
        "standard": ("job party+recipient", "job party", False),
    },
    # Employees: their own deliveries, those they receive, and those whose files they
    # may read; standard users: only as an explicit recipient, and never change them.
    "delivery": {
        "employee": ("delivery", "delivery", True),
        "standard": ("recipient", "none", False),
    },
    "folder": {"employee": ("all", "all", True), "standard": ("acl", "none", False)},
    "home": {"employee": ("all", "home", True), "standard": ("own home", "self home", False)},
    "file": {"employee": ("all", "all", True), "standard": ("acl parent", "none", False)},
    "volume": {"employee": ("none", "none", False), "standard": ("none", "none", False)},
    "client": {
        "employee": ("all", "all", True),
        "standard": ("own+standard", "own+standard", True),
    },
    "acl": {"employee": ("all", "all", True), "standard": ("own acl", "own acl", True)},
}

_STANDARD_USERS = "(SELECT u.id FROM entity u WHERE u.et='user' AND u.h_role='standard')"
_ACL_TARGETS = (
    "id IN (SELECT a.h_target_id FROM entity a WHERE a.et='acl' "
    "AND a.state='active' AND a.h_entity_id=?)"
)
_PARTY = "(h_user_id = ? OR h_source_id = ? OR h_destination_id = ?)"
_RECIPIENT = (
    "EXISTS (SELECT 1 FROM json_each(entity.data, '$._recipients') r "
    "WHERE json_extract(r.value, '$.user') = ?)"
)


def group_of(et: str) -> str:
    """The §6.5 row of entity type ``et`` (unknown types: the most restrictive)."""
    return GROUPS.get(et, "volume")


def _scope_sql(store: Store, ctx: Ctx, scope: str) -> tuple[str, list[Any]] | None:
    """The SQL condition of a scope (None = every row)."""
    uid = ctx.uid
    if scope == "all":
        return None
    if scope == "none":
        return ("0", [])
    if scope == "self":
        return ("id = ?", [uid])
    if scope == "self+standard":
        return ("(id = ? OR h_role = 'standard')", [uid])
    if scope == "party":
        return (_PARTY, [uid] * 3)
    if scope in ("job party", "job party+recipient"):
        jobs = f"SELECT id FROM entity WHERE et IN ('transfer','compute') AND {_PARTY}"
        if scope == "job party":
            return (f"h_job_id IN ({jobs})", [uid] * 3)
        received = f"SELECT id FROM entity WHERE {_RECIPIENT}"
        return (f"(h_job_id IN ({jobs}) OR h_job_id IN ({received}))", [uid] * 4)
    if scope == "job readable":
        # Every task but those of deliveries the caller may not read.
        kinds = list(facts().delivery_like)
        marks = ",".join("?" * len(kinds))
        dsql, dparams = _scope_sql(store, ctx, "delivery") or ("1", [])
        return (
            f"(h_job_id NOT IN (SELECT id FROM entity WHERE et IN ({marks})) OR h_job_id IN "
            f"(SELECT id FROM entity WHERE et IN ({marks}) AND {dsql}))",
            [*kinds, *kinds, *dparams],
        )
    if scope == "recipient":
        return (_RECIPIENT, [uid])
    if scope == "delivery":
        readable = _deliveries_with_readable_files(store, ctx)
        marks = ",".join("?" * len(readable)) or "NULL"
        return (f"(h_user_id = ? OR {_RECIPIENT} OR id IN ({marks}))", [uid, uid, *readable])
    if scope == "acl":
        return (_ACL_TARGETS, [uid])
    if scope == "acl parent":
        return (f"h_parent_id IN (SELECT id FROM entity WHERE {_ACL_TARGETS})", [uid])
    if scope == "own home":
        return (f"(h_user_id = ? OR {_ACL_TARGETS})", [uid, uid])
    if scope == "self home":
        return ("h_user_id = ?", [uid])
    if scope == "home":
        # Not the homes of admins or of other employees.
        return (f"(h_user_id = ? OR h_user_id IN {_STANDARD_USERS})", [uid])
    if scope == "own+standard":
        return (f"(h_user_id = ? OR h_user_id IN {_STANDARD_USERS})", [uid])
    if scope == "own acl":
        return (f"(h_entity_id = ? OR h_entity_id IN {_STANDARD_USERS})", [uid])
    raise AssertionError(f"unknown access scope {scope!r}")


def _rule(ctx: Ctx, et: str) -> tuple[str, str, bool]:
    rules = TABLE[group_of(et)]
    return rules.get(ctx.role, rules["standard"])


def _client_filter(store: Store, ctx: Ctx, index: int) -> tuple[str, list[Any]] | None:
    """Clients mix two rows of the table: servers and lanes (workspace), the rest (client)."""
    subtypes = facts().client_subtypes
    infra = [subtypes[t] for t in ("server", "lane") if t in subtypes]
    marks = ",".join("?" * len(infra))
    parts: list[tuple[str, list[Any]]] = []
    for et, cond in (("server", "IN"), ("client", "NOT IN")):
        scope = _scope_sql(store, ctx, str(_rule(ctx, et)[index]))
        sql, params = scope if scope is not None else ("1", [])
        parts.append(
            (f"(json_extract(data, '$.type') {cond} ({marks}) AND {sql})", [*infra, *params])
        )
    return ("(" + " OR ".join(s for s, _ in parts) + ")", [p for _, ps in parts for p in ps])


def _umbrella_filter(
    store: Store, ctx: Ctx, members: tuple[str, ...], index: int
) -> tuple[str, list[Any]]:
    """An umbrella (``share``) is each member under that member's own rule."""
    parts: list[tuple[str, list[Any]]] = []
    for member in members:
        scope = _filter(store, ctx, member, index)
        sql, params = scope if scope is not None else ("1", [])
        parts.append((f"(et = ? AND {sql})", [member, *params]))
    return ("(" + " OR ".join(s for s, _ in parts) + ")", [p for _, ps in parts for p in ps])


def _filter(store: Store, ctx: Ctx, et: str, index: int) -> tuple[str, list[Any]] | None:
    if et == "client":
        return _client_filter(store, ctx, index)
    members = facts().umbrellas.get(et)
    if members:
        return _umbrella_filter(store, ctx, members, index)
    return _scope_sql(store, ctx, str(_rule(ctx, et)[index]))


def read_filter(store: Store, ctx: Ctx, et: str) -> tuple[str, list[Any]] | None:
    """SQL restricting what ``ctx`` may read of type ``et``; None = everything."""
    if ctx.role in _PRIVILEGED:
        return None
    return _filter(store, ctx, et, 0)


def _in_scope(store: Store, row: Row, f: tuple[str, list[Any]] | None) -> bool:
    if f is None:
        return True
    sql, params = f
    hit = store.conn.execute(f"SELECT 1 FROM entity WHERE id = ? AND {sql}", [row.id, *params])
    return bool(hit.fetchone())


def reads_any(ctx: Ctx, et: str) -> bool:
    """Whether ``ctx`` may read any entity of type ``et`` at all (for what is not a row)."""
    return ctx.role in _PRIVILEGED or _rule(ctx, et)[0] != "none"


def can_read(store: Store, ctx: Ctx, row: Row) -> bool:
    """Whether ``ctx`` may read ``row``."""
    if ctx.role in _PRIVILEGED:
        return True
    return _in_scope(store, row, _filter(store, ctx, row.et, 0))


def check_write(store: Store, ctx: Ctx, et: str, row: Row | None, data: Mapping[str, Any]) -> None:
    """Raise 403 unless ``ctx`` may create (row None) or change ``row``."""
    role = ctx.role
    if role in _PRIVILEGED:
        return
    denied = ApiError(403, f"Permission denied: a {role} user cannot modify this {et}.")
    if row is None:
        if not _rule(ctx, et)[2]:
            raise denied
        return
    if not _in_scope(store, row, _filter(store, ctx, row.et, 1)):
        raise denied


# --- files ------------------------------------------------------------------------------


def _location(store: Store, share: Row, rel: str) -> tuple[str, str]:
    """``(volume id, path inside the volume)`` of ``rel`` in ``share`` (collections: own id)."""
    rel = rel.replace("\\", "/").strip("/")
    if share.et == "volume":
        return share.id, rel
    if share.et == "collection":
        return share.id, rel
    base = str(share.data.get("path", "")).strip("/")
    return str(share.data.get("parent", "")), f"{base}/{rel}".strip("/")


def _under(path: str, root: str) -> bool:
    return not root or path == root or path.startswith(root + "/")


def _acl_allows(store: Store, ctx: Ctx, share: Row, rel: str, write: bool) -> bool:
    """Whether one of the caller's active ACLs covers ``rel`` in ``share``."""
    vol, path = _location(store, share, rel)
    flag = "write" if write else "read"
    for acl in store.select(["acl"], extra=("h_entity_id = ?", [ctx.uid])):
        if not acl.data.get(flag):
            continue
        granted = store.get(id_part(str(acl.data.get("target", ""))).lower())
        if granted is None or granted.state != "active":
            continue
        g_vol, g_root = _location(store, granted, str(acl.data.get("path") or "/"))
        if g_vol == vol and _under(path, g_root):
            return True
    return False


def _owner_role(store: Store, share: Row) -> str | None:
    owner = store.get(id_part(str(share.data.get("user", ""))).lower())
    return None if owner is None else str(owner.data.get("role"))


def check_share_access(store: Store, ctx: Ctx, share: Row, write: bool, rel: str = "") -> None:
    """Raise 403 unless ``ctx`` may read (or write) ``rel`` inside ``share``.

    Admins: everything. The owner of a home: that home. Employees: folders and
    collections, homes for reading, and the homes of standard users for writing
    (§6.5); a volume only through an ACL. Everyone else: through an ACL whose
    ``path`` contains ``rel``.
    """
    if ctx.role in _PRIVILEGED:
        return
    if share.et == "home" and share.data.get("user") == f"user:{ctx.uid}":
        return
    if ctx.role == "employee":
        if share.et in ("folder", "collection"):
            return
        if share.et == "home" and (not write or _owner_role(store, share) == "standard"):
            return
    if _acl_allows(store, ctx, share, rel, write):
        return
    raise ApiError(403, "Permission denied!")


def _at_readable(store: Store, ctx: Ctx, at: Any) -> bool:
    """Whether ``ctx`` may read the file a delivery task records (``_at``, see ``_virtual``)."""
    if not isinstance(at, list) or len(at) != 2:
        return False
    share = store.get(str(at[0]))
    if share is None or share.state != "active":
        return False
    try:
        check_share_access(store, ctx, share, False, str(at[1]))
    except ApiError:
        return False
    return True


def _deliveries_with_readable_files(store: Store, ctx: Ctx) -> list[str]:
    """Ids of the deliveries whose files (at least one, all of them) ``ctx`` may read."""
    kinds = list(facts().delivery_like)
    marks = ",".join("?" * len(kinds))
    tasks = store.select(
        ["task"],
        states=None,
        extra=(f"h_job_id IN (SELECT id FROM entity WHERE et IN ({marks}))", kinds),
    )
    readable: dict[str, bool] = {}
    for t in tasks:
        job = id_part(str(t.data.get("job", ""))).lower()
        if readable.get(job, True):
            readable[job] = _at_readable(store, ctx, t.data.get("_at"))
    return [job for job, ok in readable.items() if ok]


def target(store: Store, ctx: Ctx, et: str) -> Row:
    """The entity of type ``et`` the request's ``id`` names (404 if none, 403 if unreadable)."""
    ident = ctx.envelope.get("id")
    if not ident:
        raise ApiError(400, "No entity id supplied!")
    row = store.get(ident.strip().lower())
    f = facts()
    ets = ("client",) if et in f.client_subtypes else f.umbrellas.get(et, (et,))
    if row is None or row.et not in ets or row.state == "archived":
        # A deleted entity is still read by id (get_entity: any state), but no
        # longer changed: editing, deleting or deactivating it again is a 404.
        raise ApiError(404, f"No {et} with id '{ident[:100]}'!")
    if not can_read(store, ctx, row):
        # Only writes name a target: without the right they are refused (§6.5).
        raise ApiError(403, f"Permission denied: a {ctx.role} user cannot modify this {et}.")
    return row
