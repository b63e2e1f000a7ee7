"""Entity types the emulator serves and the attributes it reports (protocol.md §6)."""

from __future__ import annotations

import re

__all__ = [
    "ALIASES",
    "ATTRIBUTES",
    "CLIENT_SUBTYPES",
    "DELIVERY_LIKE",
    "EMAIL_RE",
    "ENTITY_TYPES",
    "JOB_ENTITIES",
    "JOB_TYPES",
    "SHARE_TYPES",
    "SUB_ENTITIES",
    "UNIQUE_CODE",
    "canonical",
]

#: What the emulator accepts as an email address (user codes, recipients, invites).
EMAIL_RE = re.compile(r"[^@\s:/]+@[^@\s:/]+\.[^@\s:/]+\Z")

#: Job entity types and their ``type`` numbers.
JOB_TYPES = {"transfer": 1, "queue": 2, "compute": 3, "delivery": 7, "request": 8, "stream": 10}
SHARE_TYPES = ("volume", "folder", "home", "collection")
#: Entity types that are jobs with tasks (queues are jobs by number only).
JOB_ENTITIES = ("transfer", "compute", "delivery", "request", "stream")
#: Jobs that are sent to recipients rather than run.
DELIVERY_LIKE = ("delivery", "request", "stream")
#: Entity types that live under a parent (a ``find`` by id lists the parent's children).
SUB_ENTITIES = ("task", "file")
#: Client subtypes queryable as their own entity type, with their ``type`` number.
CLIENT_SUBTYPES = {"app": 0, "server": 1, "userserver": 2, "browser": 3, "lane": 4}
ALIASES = {"job": "transfer", "share": "folder", "organization": "workspace"}
UNIQUE_CODE = frozenset(
    {"user", "workspace", "volume", "folder", "home", "collection", "site", "engine", "queue"}
)

_COMMON = ["id", "code", "name", "description", "status", "metadata", "created", "creator"]
_COMMON += ["modified", "modifier"]
_JOB = [
    *_COMMON,
    "destination",
    "destination_hr",
    "etr",
    "finished",
    "parent",
    "parent_hr",
    "progress",
    "size",
    "source",
    "source_hr",
    "speed",
    "type",
    "uri",
    "user",
    "user_hr",
]
_SHARE = [*_COMMON, "email", "parent", "parent_hr", "path", "queue", "status_hr", "type"]

ATTRIBUTES: dict[str, list[str]] = {
    "user": [*_COMMON, "logged_in", "queue", "role"],
    "workspace": [*_COMMON],
    "queue": [*_COMMON, "compute_default", "default", "priority", "uri", "type"],
    "transfer": _JOB,
    "compute": [*_JOB, "engine", "range", "input", "output"],
    "delivery": [*_COMMON, "public", "user", "user_hr", "finished", "type", "size", "expires"],
    "request": [*_COMMON, "public", "user", "user_hr", "finished", "type", "destination"],
    "stream": [*_COMMON, "public", "user", "user_hr", "finished", "type"],
    "task": [
        "id",
        "created",
        "destination",
        "finished",
        "job",
        "job_hr",
        "priority",
        "size",
        "source",
        "status",
        "uri",
        "metadata",
        "description",
    ],
    "volume": [*_SHARE, "default", "licensed", "paths"],
    "folder": _SHARE,
    "home": [*_SHARE, "user", "user_hr"],
    "collection": _SHARE,
    "file": ["id", "created", "parent", "path", "filename", "size"],
    "site": [*_COMMON, "accsyn", "main"],
    "engine": [*_COMMON, "type", "vendor"],
    "acl": [
        "acknowledged",
        "created",
        "creator",
        "description",
        "entity",
        "entity_hr",
        "id",
        "path",
        "read",
        "role",
        "status",
        "target",
        "target_hr",
        "token",
        "write",
    ],
    "client": [
        *_COMMON,
        "host_ident",
        "last_checkin",
        "os",
        "parent",
        "roles",
        "site",
        "site_hr",
        "type",
        "type_hr",
        "user",
        "user_hr",
        "version",
    ],
    "log": ["id", "date", "entitytype", "entity", "message", "user", "user_hr"],
}
for _sub in CLIENT_SUBTYPES:
    ATTRIBUTES[_sub] = ATTRIBUTES["client"]

#: Attributes accepted by ``create`` / ``edit`` (``attributes`` with create/update).
CREATE_ATTRIBUTES: dict[str, list[str]] = {
    "user": ["code", "name", "role", "description", "create_home_share", "metadata"],
    "transfer": [
        *("name", "source", "destination", "status", "tasks", "queue", "parent"),
        *("settings", "metadata", "allow_duplicates", "append", "recipients", "type"),
    ],
    "delivery": ["name", "status", "tasks", "recipients", "public", "description", "metadata"],
    "folder": ["name", "code", "parent", "path", "description", "metadata"],
    "volume": ["name", "code", "paths", "description", "metadata"],
    "queue": ["name", "code", "priority", "description", "metadata"],
    "site": ["name", "code", "description", "metadata"],
}
UPDATE_ATTRIBUTES: dict[str, list[str]] = {
    "user": ["name", "role", "status", "description", "metadata"],
    "transfer": ["name", "status", "queue", "description", "metadata"],
    "delivery": ["name", "status", "public", "description", "metadata"],
    "folder": ["name", "status", "description", "metadata"],
    "volume": ["name", "status", "paths", "description", "metadata"],
    "queue": ["name", "priority", "status", "description", "metadata"],
    "task": ["status", "priority", "metadata"],
}

#: Every entity type ``entitytypes`` lists.
ENTITY_TYPES = tuple(sorted(ATTRIBUTES))


def canonical(name: str) -> str | None:
    """The stored entity type for a uri name (aliases resolved), or None if unknown."""
    n = name.strip().lower()
    n = ALIASES.get(n, n)
    return n if n in ATTRIBUTES else None
