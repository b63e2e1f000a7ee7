"""Typed pydantic models for every accsyn entity type.

>>> from accsyn.models import JobStatus, Transfer, model_for
>>> t = Transfer.from_wire({"id": "6645fbca9f8c4d3e7a3b678d", "status": "failed"})
>>> t.status is JobStatus.FAILED, t["status"] == "failed"
(True, True)
>>> model_for("job") is Transfer
True

Class access to a field is a query expression (``Transfer.status != "failed"``),
instance access its value. ``Model.from_wire`` / ``model.to_wire`` convert from
and to the exact wire dict.

Each model is the single spec of its entity type: :func:`spec_of` / :func:`specs`
give every fact derived from it (uri name, aliases, family, parent type, unique
codes, job and client type numbers, id format, attributes, create/update inputs),
and :data:`SCHEMA` is the models as an :class:`accsyn.query.Schema`.
"""

from accsyn.models._base import Entity
from accsyn.models._clients import App, Browser, Client, Engine, Lane, Server, Site, UserServer
from accsyn.models._common import Described
from accsyn.models._inputs import (
    AclGrant,
    CollectionCreate,
    ComputeCreate,
    DeliveryCreate,
    FileCreate,
    FolderCreate,
    HomeCreate,
    Hook,
    InputModel,
    QueueCreate,
    QueueUpdate,
    RequestCreate,
    SiteCreate,
    StreamCreate,
    TaskCreate,
    TaskUpdate,
    TransferCreate,
    TransferUpdate,
    UserCreate,
    UserUpdate,
    VolumeCreate,
)
from accsyn.models._jobs import (
    Compute,
    Delivery,
    Job,
    Queue,
    Request,
    Stream,
    Task,
    TaskEndpoint,
    Transfer,
)
from accsyn.models._people import Log, User, Workspace
from accsyn.models._registry import ALIASES, attributes_of, entity_types, model_for
from accsyn.models._shares import (
    Acl,
    Collection,
    File,
    Folder,
    Home,
    Share,
    ShareBase,
    Volume,
    VolumePaths,
)
from accsyn.models._spec import SCHEMA, EntitySpec, spec_of, specs, validate_query
from accsyn.models._types import Attr, AttributeInfo, AttributeKind, PartyRef, attr
from accsyn.models.enums import (
    ClientOS,
    ClientState,
    ClientType,
    EngineStatus,
    EngineType,
    JobStatus,
    JobType,
    QueueStatus,
    Role,
    ShareStatus,
    ShareType,
    SiteStatus,
    TaskStatus,
    UserPhase,
    UserStatus,
)

__all__ = [
    "ALIASES",
    "SCHEMA",
    "Acl",
    "AclGrant",
    "App",
    "Attr",
    "AttributeInfo",
    "AttributeKind",
    "Browser",
    "Client",
    "ClientOS",
    "ClientState",
    "ClientType",
    "Collection",
    "CollectionCreate",
    "Compute",
    "ComputeCreate",
    "Delivery",
    "DeliveryCreate",
    "Described",
    "Engine",
    "EngineStatus",
    "EngineType",
    "Entity",
    "EntitySpec",
    "File",
    "FileCreate",
    "Folder",
    "FolderCreate",
    "Home",
    "HomeCreate",
    "Hook",
    "InputModel",
    "Job",
    "JobStatus",
    "JobType",
    "Lane",
    "Log",
    "PartyRef",
    "Queue",
    "QueueCreate",
    "QueueStatus",
    "QueueUpdate",
    "Request",
    "RequestCreate",
    "Role",
    "Server",
    "Share",
    "ShareBase",
    "ShareStatus",
    "ShareType",
    "Site",
    "SiteCreate",
    "SiteStatus",
    "Stream",
    "StreamCreate",
    "Task",
    "TaskCreate",
    "TaskEndpoint",
    "TaskStatus",
    "TaskUpdate",
    "Transfer",
    "TransferCreate",
    "TransferUpdate",
    "User",
    "UserCreate",
    "UserPhase",
    "UserServer",
    "UserStatus",
    "UserUpdate",
    "Volume",
    "VolumeCreate",
    "VolumePaths",
    "Workspace",
    "attr",
    "attributes_of",
    "entity_types",
    "model_for",
    "spec_of",
    "specs",
    "validate_query",
]

# Public objects report the public module they are reached through.
for _name in __all__:
    _obj = globals()[_name]
    if isinstance(_obj, type) and _obj.__module__.startswith("accsyn.models."):
        _obj.__module__ = "accsyn.models"
del _name, _obj
