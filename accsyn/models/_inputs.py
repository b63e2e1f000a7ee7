"""Input models: create and update payloads, validated before anything is sent.

Every input model rejects unknown keys (a typo would otherwise be silently
ignored by the server) and reports errors as :class:`accsyn.ValidationError`
with ``.field`` naming the offending field::

    TransferCreate(source="hq:/projects/a", destination="lisa@example.com:/in/",
                   tasks=["shot010/", "shot020/"]).to_wire()
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal, TypeVar

import pydantic
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictStr

from accsyn._codec import is_object_id, is_uuid
from accsyn._exceptions import ValidationError
from accsyn.models._base import FieldProblem, _ConvertingMeta, convert_validation_error
from accsyn.models._shares import VolumePaths
from accsyn.models.enums import JobType, Role

__all__ = [
    "AclGrant",
    "CollectionCreate",
    "ComputeCreate",
    "DeliveryCreate",
    "FileCreate",
    "FolderCreate",
    "HomeCreate",
    "Hook",
    "InputModel",
    "QueueCreate",
    "QueueUpdate",
    "RequestCreate",
    "SiteCreate",
    "StreamCreate",
    "TaskCreate",
    "TaskUpdate",
    "TransferCreate",
    "TransferUpdate",
    "UserCreate",
    "UserUpdate",
    "VolumeCreate",
]

_I = TypeVar("_I", bound="InputModel")


def _object_id(value: str) -> str:
    if not is_object_id(value):
        raise ValueError("must be a 24-character id (letters and digits)")
    return value.lower()


def _uuid(value: str) -> str:
    if not is_uuid(value):
        raise ValueError("must be a UUID")
    return value.lower()


_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\Z")


def _email(value: str) -> str:
    if not _EMAIL.match(value):
        raise ValueError("must be an email address")
    return value


def _nonblank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be empty")
    return value


def _known_member(value: Any) -> Any:
    # Reading tolerates values a newer server sends; writing only sends known ones.
    members = type(value).__members__
    if value.name not in members or members[value.name] is not value:
        known = ", ".join(str(m.value) for m in members.values())
        raise ValueError(f"must be one of {known}")
    return value


ObjectId = Annotated[str, AfterValidator(_object_id)]
KnownRole = Annotated[Role, AfterValidator(_known_member)]
KnownJobType = Annotated[JobType, AfterValidator(_known_member)]
TaskId = Annotated[str, AfterValidator(_uuid)]
Email = Annotated[str, AfterValidator(_email)]
Text = Annotated[str, AfterValidator(_nonblank)]
#: Job settings are always strings on the wire.
Settings = dict[str, StrictStr]


def _problem(exc: FieldProblem, what: str) -> ValidationError:
    return ValidationError(f"invalid {what}: {exc.field}: {exc.message}", field=exc.field)


class InputModel(BaseModel, metaclass=_ConvertingMeta):
    """Base of create/update payloads: strict keys, errors as ``accsyn.ValidationError``."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True, populate_by_name=True)

    #: The entity type whose payload this is, and for which operation; a class
    #: naming its own ``__entitytype__`` becomes that type's ``create_model`` /
    #: ``update_model`` (see :func:`accsyn.models.spec_of`).
    __entitytype__: ClassVar[str] = ""
    __operation__: ClassVar[Literal["create", "update", ""]] = ""
    #: Payload keys that are not attributes of the entity (documented create or
    #: update inputs, protocol.md §6.3); every other field is an attribute.
    __input_only__: ClassVar[frozenset[str]] = frozenset()
    #: A key under which the payload may hold a list of items of this model
    #: (``{"tasks": [...]}`` for task creation).
    __items_key__: ClassVar[str | None] = None

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        if "__entitytype__" in cls.__dict__ and cls.__entitytype__:
            from accsyn.models._registry import register_input

            register_input(cls)

    if not TYPE_CHECKING:

        def __setattr__(self, name: str, value: Any) -> None:
            try:
                super().__setattr__(name, value)
            except pydantic.ValidationError as exc:
                raise convert_validation_error(exc, type(self).__name__) from None
            except FieldProblem as exc:
                raise _problem(exc, type(self).__name__) from None

    @classmethod
    def parse(cls: type[_I], data: Mapping[str, Any]) -> _I:
        """Validate a payload dict (as you would pass to the official client)."""
        if not isinstance(data, Mapping):
            raise ValidationError(
                f"a {cls.__name__} payload is a mapping, not {type(data).__name__}"
            )
        try:
            return cls.model_validate(dict(data))
        except pydantic.ValidationError as exc:
            raise convert_validation_error(exc, cls.__name__) from None
        except FieldProblem as exc:
            raise _problem(exc, cls.__name__) from None

    def to_wire(self) -> dict[str, Any]:
        """The payload as sent: fields left unset (or None) are not sent."""
        return self.model_dump(mode="json", exclude_none=True, by_alias=True)


# --- jobs ------------------------------------------------------------------

WritableTaskStatus = Literal["queued", "failed", "onhold", "excluded", "done"]


class TaskCreate(InputModel):
    """One task of a new job or of ``create("task", ...)``."""

    __entitytype__ = "task"
    __operation__ = "create"
    __input_only__ = frozenset({"settings"})
    __items_key__ = "tasks"

    source: Text | dict[str, Any] | None = None
    destination: Text | dict[str, Any] | None = None
    priority: int | None = Field(default=None, ge=1, le=1000)
    status: WritableTaskStatus | None = None
    metadata: dict[str, Any] | None = None
    settings: Settings | None = None
    id: TaskId | None = None


class TaskUpdate(InputModel):
    """A change to one task (``update_many``): name it by ``id`` or ``uri``."""

    __entitytype__ = "task"
    __operation__ = "update"

    id: TaskId | None = None
    uri: str | None = None
    status: WritableTaskStatus | None = None
    priority: int | None = Field(default=None, ge=1, le=1000)
    metadata: dict[str, Any] | None = None

    @pydantic.model_validator(mode="after")
    def _named(self) -> TaskUpdate:
        if self.id is None and self.uri is None:
            raise FieldProblem("id", "name the task by id or uri")
        return self


class Hook(InputModel):
    """A job hook, e.g. ``{"when": "hook-job-publish-server", "data": {...}}``."""

    when: Text
    data: dict[str, Any] | None = None


Tasks = list[Text | TaskCreate] | TaskCreate


class TransferCreate(InputModel):
    """Payload of ``create("transfer", ...)``.

    ``source`` / ``destination`` are ``<party>:<path>`` (party omitted = the
    workspace); ``tasks`` is a list of paths or :class:`TaskCreate`.
    """

    __entitytype__ = "transfer"
    __operation__ = "create"
    __input_only__ = frozenset(
        {
            "tasks",
            "queue",
            "settings",
            "append",
            "mirror_paths",
            "allow_duplicates",
            "replace_duplicates",
            "recipients",
            "hooks",
        }
    )

    source: Text | None = None
    destination: Text | None = None
    name: Text | None = None
    #: Legacy spelling of ``name``.
    code: Text | None = None
    status: Literal["init", "waiting", "paused"] | None = None
    tasks: Tasks | None = None
    #: Queue code or id, e.g. ``"high"``.
    queue: Text | None = None
    #: A delivery or request id, for uploads to or downloads from it.
    parent: ObjectId | None = None
    settings: Settings | None = None
    metadata: dict[str, Any] | None = None
    append: bool | None = None
    mirror_paths: bool | None = None
    allow_duplicates: bool | None = None
    replace_duplicates: bool | None = None
    recipients: list[Text] | None = None
    hooks: list[Hook] | None = None
    type: KnownJobType | None = None

    @pydantic.field_validator("tasks")
    @classmethod
    def _some_tasks(cls, value: Any) -> Any:
        if isinstance(value, list) and not value:
            raise ValueError("must hold at least one task (or leave tasks out)")
        return value

    @pydantic.model_validator(mode="after")
    def _endpoints(self) -> TransferCreate:
        tasks = self.tasks
        task_list = tasks if isinstance(tasks, list) else [tasks] if tasks else []
        for side in ("source", "destination"):
            if getattr(self, side) is not None:
                continue
            if not task_list or any(
                isinstance(t, str) or getattr(t, side) is None for t in task_list
            ):
                raise FieldProblem(side, "required (on the transfer or on every task)")
        return self


class TransferUpdate(InputModel):
    """Payload of ``update("transfer", id, ...)``; only writable statuses allowed."""

    __entitytype__ = "transfer"
    __operation__ = "update"
    __input_only__ = frozenset({"queue", "settings"})

    status: Literal["pending", "waiting", "paused", "aborted", "done"] | None = None
    name: Text | None = None
    description: str | None = None
    queue: Text | None = None
    metadata: dict[str, Any] | None = None
    settings: Settings | None = None


class DeliveryCreate(InputModel):
    """Payload of ``create("delivery", ...)``: files and recipients (emails)."""

    __entitytype__ = "delivery"
    __operation__ = "create"
    __input_only__ = frozenset({"tasks", "recipients", "settings"})

    name: Text | None = None
    status: Literal["init", "pending"] | None = None
    tasks: list[Text] | None = None
    recipients: list[Email] | None = None
    metadata: dict[str, Any] | None = None
    settings: Settings | None = None


class RequestCreate(DeliveryCreate):
    """Payload of ``create("request", ...)``; ``destination`` is where uploads land."""

    __entitytype__ = "request"
    __operation__ = "create"

    destination: Text | None = None


class StreamCreate(DeliveryCreate):
    """Payload of ``create("stream", ...)``: like a delivery, of streamable media."""

    __entitytype__ = "stream"
    __operation__ = "create"


class ComputeCreate(InputModel):
    """Payload of ``create("compute", ...)`` (protocol.md §6.3; the product's job spec).

    ``parameters`` (``input_conversion``, ``arguments``, ``remote_os``,
    ``mapped_share_paths``, ``site.<site>.settings``), ``envs`` (flat, or per
    ``common``/``linux``/``mac``/``windows``) and nested ``tasks`` trees are kept as
    given: their inner keys are the engine's business.
    """

    __entitytype__ = "compute"
    __operation__ = "create"
    __input_only__ = frozenset(
        {
            "dependencies",
            "filters",
            "parameters",
            "settings",
            "envs",
            "tasks",
            "queue",
            "hooks",
            "allow_duplicates",
            "replace_duplicates",
        }
    )

    name: Text | None = None
    #: Legacy spelling of ``name``.
    code: Text | None = None
    #: The engine's code, e.g. ``"nuke"``.
    engine: Text | None = None
    input: Text | None = None
    output: Text | None = None
    #: Frame range, e.g. ``"1001-1100"``, ``"5-250x5"``.
    range: Text | None = None
    source: Text | None = None
    destination: Text | None = None
    status: Literal["init", "waiting", "paused"] | None = None
    #: Paths the job depends on.
    dependencies: list[Text] | None = None
    #: Comma-separated client filters, e.g. ``"ram:>32g,site:sthlm"``.
    filters: Text | None = None
    parameters: dict[str, Any] | None = None
    settings: Settings | None = None
    envs: dict[str, Any] | None = None
    tasks: list[Any] | dict[str, Any] | None = None
    #: Queue code or id.
    queue: Text | None = None
    parent: ObjectId | None = None
    metadata: dict[str, Any] | None = None
    hooks: list[Hook] | None = None
    allow_duplicates: bool | None = None
    replace_duplicates: bool | None = None


# --- people, shares, infrastructure ----------------------------------------


class UserCreate(InputModel):
    """Payload of ``create("user", ...)`` (an invite)."""

    __entitytype__ = "user"
    __operation__ = "create"
    __input_only__ = frozenset(
        {
            "create_home_share",
            "give_all_volumes_access",
            "give_default_volume_access",
            "volumes",
            "message",
            "mail",
        }
    )

    code: Email
    name: Text | None = None
    role: KnownRole | None = None
    create_home_share: bool | None = None
    give_all_volumes_access: bool | None = None
    give_default_volume_access: bool | None = None
    volumes: list[ObjectId] | None = None
    message: str | None = None
    #: False: do not send the invitation email.
    mail: bool | None = None


class UserUpdate(InputModel):
    """Payload of ``update("user", id, ...)``; a role change revokes existing access."""

    __entitytype__ = "user"
    __operation__ = "update"

    status: Literal["enabled", "disabled"] | None = None
    role: KnownRole | None = None
    name: Text | None = None
    description: str | None = None
    metadata: dict[str, Any] | None = None


class FolderCreate(InputModel):
    """Payload of ``create("folder", ...)``: a folder ``path`` on volume ``parent``."""

    __entitytype__ = "folder"
    __operation__ = "create"

    name: Text
    parent: Text
    path: Text
    code: Text | None = None
    description: str | None = None
    metadata: dict[str, Any] | None = None


class HomeCreate(InputModel):
    """Payload of ``create("home", ...)``: for a ``user`` (id or email), or as a folder."""

    __entitytype__ = "home"
    __operation__ = "create"

    user: Text | None = None
    name: Text | None = None
    parent: Text | None = None
    path: Text | None = None

    @pydantic.model_validator(mode="after")
    def _whose(self) -> HomeCreate:
        if self.user is None and (self.parent is None or self.path is None):
            raise FieldProblem("user", "give the user, or the parent volume and path")
        return self


class CollectionCreate(InputModel):
    """Payload of ``create("collection", ...)``: files as accsyn paths."""

    __entitytype__ = "collection"
    __operation__ = "create"
    __input_only__ = frozenset({"files"})

    name: Text
    files: list[Text] | None = None
    description: str | None = None
    metadata: dict[str, Any] | None = None


class QueueCreate(InputModel):
    """Payload of ``create("queue", ...)``."""

    __entitytype__ = "queue"
    __operation__ = "create"

    name: Text
    code: Text | None = None
    priority: int | None = Field(default=None, ge=0, le=1000)
    description: str | None = None


class QueueUpdate(InputModel):
    """Payload of ``update("queue", id, ...)``."""

    __entitytype__ = "queue"
    __operation__ = "update"

    name: Text | None = None
    priority: int | None = Field(default=None, ge=0, le=1000)
    status: Literal["waiting", "paused"] | None = None
    description: str | None = None


class SiteCreate(InputModel):
    """Payload of ``create("site", ...)``."""

    __entitytype__ = "site"
    __operation__ = "create"

    name: Text
    code: Text | None = None
    description: str | None = None


class VolumeCreate(InputModel):
    """Payload of ``create("volume", ...)``."""

    __entitytype__ = "volume"
    __operation__ = "create"
    __input_only__ = frozenset({"server", "siteservers"})

    name: Text
    code: Text | None = None
    paths: VolumePaths | None = None
    #: The storage server's client id.
    server: ObjectId | None = None
    siteservers: list[ObjectId] | None = None
    description: str | None = None


class FileCreate(InputModel):
    """Payload of ``create("file", {"files": [...]}, collection_id)``: paths to add."""

    __entitytype__ = "file"
    __operation__ = "create"
    __input_only__ = frozenset({"files"})

    #: Workspace paths, e.g. ``volume=assets/templates/x.doc``.
    files: list[Text]


class AclGrant(InputModel):
    """The ``data`` of ``grant("user", id, <share type>, id, data)``."""

    read: bool = False
    write: bool = False
    notify: bool | None = None
    message: str | None = None
    #: Sub-path of the share, ``"/"`` for all of it.
    path: Text | None = None
    #: False: fail instead of inviting an unknown email.
    invite: bool | None = None

    @pydantic.model_validator(mode="after")
    def _some_access(self) -> AclGrant:
        if not (self.read or self.write):
            raise FieldProblem("read", "grant read or write access (or both)")
        return self
