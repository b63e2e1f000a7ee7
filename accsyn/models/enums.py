"""Enumerations of the accsyn protocol: statuses, roles, job and client types.

String enums compare equal to their wire value (``JobStatus.FAILED == "failed"``),
so code written for the official client's dicts keeps working. A value a newer
server sends that this SDK does not know yet does not break reading: it becomes a
pseudo-member of the enum (not listed when iterating) that keeps the raw value,
and is logged once at debug level on the ``accsyn`` logger.
"""

from __future__ import annotations

import logging
from enum import Enum, IntEnum
from typing import Any

__all__ = [
    "ClientOS",
    "ClientState",
    "ClientType",
    "EngineStatus",
    "EngineType",
    "JobStatus",
    "JobType",
    "QueueStatus",
    "Role",
    "ShareStatus",
    "ShareType",
    "SiteStatus",
    "TaskStatus",
    "UserPhase",
    "UserStatus",
]

_log = logging.getLogger("accsyn")
_seen_unknown: set[tuple[str, object]] = set()


def _pseudo_member(cls: type[Enum], base: Any, value: object) -> Any:
    key = (cls.__name__, value)
    if key not in _seen_unknown:
        _seen_unknown.add(key)
        _log.debug("unknown %s value %r from the server; keeping it as is", cls.__name__, value)
    member: Any = base.__new__(cls, value)
    member._name_ = str(value).upper().replace("-", "_")
    member._value_ = value
    return member


class _StrEnum(str, Enum):
    """A string enum tolerant of unknown values and of case differences."""

    def __str__(self) -> str:
        return str(self.value)

    @classmethod
    def _missing_(cls, value: object) -> Any:
        if not isinstance(value, str):
            return None
        lowered = value.lower()
        for member in cls:
            if member.value == lowered:
                return member
        return _pseudo_member(cls, str, value)


class _IntEnum(IntEnum):
    """An int enum tolerant of unknown values."""

    def __str__(self) -> str:
        return str(self.value)

    @classmethod
    def _missing_(cls, value: object) -> Any:
        if isinstance(value, bool) or not isinstance(value, int):
            return None
        return _pseudo_member(cls, int, value)


class Role(_StrEnum):
    """A user's role (clearance)."""

    SUPPORT = "support"
    ADMIN = "admin"
    EMPLOYEE = "employee"
    STANDARD = "standard"
    NONE = "none"
    # Legacy names still found in older workspaces.
    CLOUDADMIN = "cloudadmin"
    CLIENT = "client"
    USER = "user"


class JobType(_IntEnum):
    """The ``type`` of a job."""

    TRANSFER = 1
    QUEUE = 2
    COMPUTE = 3
    DELIVERY = 7
    REQUEST = 8
    STREAM = 10


class ClientType(_IntEnum):
    """The ``type`` of a client (endpoint)."""

    APP = 0
    SERVER = 1
    USERSERVER = 2
    BROWSER = 3
    COMPUTE_LANE = 4
    ACCSYN_VPX = 5


class ClientState(_StrEnum):
    """The ``status`` of a client."""

    INIT = "init"
    ONLINE = "online"
    OFFLINE = "offline"
    DISABLED = "disabled"
    DISABLED_OFFLINE = "disabled-offline"
    ENABLED = "enabled"


class ClientOS(_StrEnum):
    """The operating system of a client."""

    WINDOWS = "windows"
    LINUX = "linux"
    MAC = "mac"
    RASPBIAN = "raspbian"
    SOLARIS = "solaris"


class JobStatus(_StrEnum):
    """The ``status`` of a job: transfer, compute, delivery, request, stream."""

    INIT = "init"
    PENDING = "pending"
    WAITING = "waiting"
    RUNNING = "running"
    PAUSED = "paused"
    FAILED = "failed"
    ABORTED = "aborted"
    DONE = "done"

    @property
    def is_finished(self) -> bool:
        """``done`` or ``aborted``: the job has left the active pool."""
        return self in (JobStatus.DONE, JobStatus.ABORTED)


class TaskStatus(_StrEnum):
    """The ``status`` of a task."""

    PENDING = "pending"
    QUEUED = "queued"
    BOOTING = "booting"
    EXECUTING = "executing"
    FAILED = "failed"
    ONHOLD = "onhold"
    EXCLUDED = "excluded"
    DONE = "done"


class ShareStatus(_StrEnum):
    """The ``status`` of a share (volume, folder, home, collection)."""

    ENABLED = "enabled"
    DISABLED = "disabled"
    OFFLINE = "offline"
    DISABLED_OFFLINE = "disabled-offline"


class ShareType(_StrEnum):
    """The ``type`` of a share: which kind it is (``share WHERE type=folder``).

    ``root``, ``standard`` and ``user`` are the legacy (v1/v2) names of volumes,
    folders and homes (``Share where type=root``).
    """

    VOLUME = "volume"
    FOLDER = "folder"
    HOME = "home"
    COLLECTION = "collection"
    # Legacy names still found in older scripts.
    ROOT = "root"
    STANDARD = "standard"
    USER = "user"

    @property
    def entitytype(self) -> str:
        """The entity type of this kind of share, legacy names resolved (``root`` → ``volume``)."""
        return _LEGACY_SHARE_TYPES.get(self.value, self.value)


_LEGACY_SHARE_TYPES = {"root": "volume", "standard": "folder", "user": "home"}


class UserPhase(_StrEnum):
    """A user's legacy sign-up ``phase``."""

    ACTIVATING = "activating"
    JOINING = "joining"
    JOINED = "joined"


class UserStatus(_StrEnum):
    """The ``status`` of a user."""

    ENABLED = "enabled"
    DISABLED = "disabled"


class QueueStatus(_StrEnum):
    """The ``status`` of a queue: ``waiting`` (enabled) or ``paused``."""

    WAITING = "waiting"
    PAUSED = "paused"
    DISABLED = "disabled"


class SiteStatus(_StrEnum):
    """The ``status`` of a site."""

    ENABLED = "enabled"
    DISABLED = "disabled"


class EngineStatus(_StrEnum):
    """The ``status`` of a compute engine."""

    ENABLED = "enabled"
    DISABLED = "disabled"


class EngineType(_StrEnum):
    """The ``type`` of a compute engine: ``compute`` (other special types undocumented)."""

    COMPUTE = "compute"
