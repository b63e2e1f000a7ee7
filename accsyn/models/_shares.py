"""Shares (volume, folder, home, collection), the ``share`` umbrella over them,
collection files, and ACLs."""

from __future__ import annotations

from typing import Any

import pydantic
from pydantic import BaseModel, ConfigDict

from accsyn.models._base import Entity
from accsyn.models._common import Described
from accsyn.models._types import Attr, PartyRef, Ref, UTCDateTime, attr
from accsyn.models.enums import ShareStatus, ShareType

__all__ = [
    "Acl",
    "Collection",
    "File",
    "Folder",
    "Home",
    "Share",
    "ShareBase",
    "Volume",
    "VolumePaths",
]


class ShareBase(Described):
    """Attributes every share type has: the parent of :class:`Volume`, :class:`Folder`,
    :class:`Home`, :class:`Collection` and of the umbrella :class:`Share`.

    Not itself an entity type.
    """

    __family__ = "share"
    __unique_code__ = True

    status: Attr[ShareStatus | None] = attr()
    status_hr: Attr[str | None] = attr()
    email: Attr[str | None] = attr()
    queue: Attr[Ref | None] = attr()
    inactive: Attr[bool | None] = attr()
    #: Which kind of share: ``volume``, ``folder``, ``home`` or ``collection``
    #: (legacy names ``root``, ``standard``, ``user``).
    type: Attr[ShareType | None] = attr()


class VolumePaths(BaseModel):
    """A volume's root path per platform (unknown keys kept)."""

    model_config = ConfigDict(extra="allow")

    windows: str | None = None
    linux: str | None = None
    mac: str | None = None
    windows_vpn: str | None = None
    linux_vpn: str | None = None
    mac_vpn: str | None = None


class Volume(ShareBase):
    """A storage volume (root share)."""

    __entitytype__ = "volume"

    #: Whether this is the workspace's default volume (bare relative paths land here).
    default: Attr[bool | None] = attr()
    licensed: Attr[bool | None] = attr()
    #: The resolved absolute path on the server.
    path: Attr[str | None] = attr()
    paths: Attr[VolumePaths | None] = attr()


class Folder(ShareBase):
    """A shared folder on a volume."""

    __entitytype__ = "folder"

    #: The volume id.
    parent: Attr[Ref | None] = attr()
    parent_hr: Attr[str | None] = attr()
    #: Relative to the volume.
    path: Attr[str | None] = attr()


class Home(ShareBase):
    """A user's home share."""

    __entitytype__ = "home"

    parent: Attr[Ref | None] = attr()
    parent_hr: Attr[str | None] = attr()
    path: Attr[str | None] = attr()
    user: Attr[Ref | None] = attr()
    user_hr: Attr[str | None] = attr()


class Collection(ShareBase):
    """A virtual share made of files picked from other shares."""

    __entitytype__ = "collection"


def _union_fields(base: type[Entity], members: tuple[type[Entity], ...]) -> dict[str, Any]:
    """The fields the members declare beyond ``base``, each once (same type in every member)."""
    fields: dict[str, Any] = {}
    for member in members:
        for name, info in member.model_fields.items():
            if name in base.model_fields:
                continue
            known = fields.get(name)
            if known is not None and known[0] != info.annotation:
                # One attribute name, two meanings: a share row could not be typed.
                raise TypeError(
                    f"share members disagree on {name!r}: {known[0]!r} vs {info.annotation!r}"
                )
            fields[name] = (info.annotation, attr(alias=info.alias))
    return fields


#: The entity types a ``share`` query covers (protocol.md §6.1, §6.6: ``share=`` and
#: ``share:<id>`` mean any of them).
SHARE_MEMBERS: tuple[type[ShareBase], ...] = (Volume, Folder, Home, Collection)

#: The umbrella over volumes, folders, homes and collections: ``share WHERE default=true``,
#: ``share:<id>``. Its attributes are the union of the members' (derived, never written
#: again); each row is one member's, its ``type`` says which.
Share: type[ShareBase] = pydantic.create_model(
    "Share",
    __base__=ShareBase,
    __module__=__name__,
    __doc__=(
        "Any share: a volume, folder, home or collection (``share WHERE default=true``).\n\n"
        "Rows carry their member type in ``type``; attributes the member lacks are absent.\n"
        "``share:<id>`` refers to any member."
    ),
    __namespace__={
        "__entitytype__": "share",
        "__members__": tuple(m.__entitytype__ for m in SHARE_MEMBERS),
    },
    **_union_fields(ShareBase, SHARE_MEMBERS),
)


class File(Entity):
    """A member of a collection (UUID ids; other attributes undocumented, kept as extras)."""

    __entitytype__ = "file"
    __id_format__ = "uuid"
    __family__ = "file"
    __parent__ = "collection"

    #: The collection id.
    parent: Attr[Ref | None] = attr()
    path: Attr[str | None] = attr()
    filename: Attr[str | None] = attr()
    size: Attr[int | None] = attr()
    created: Attr[UTCDateTime | None] = attr()


class Acl(Entity):
    """An access-control entry: ``entity`` (``user:<id>``) may access ``target``.

    ``target`` is a ``share:<id>`` reference to a volume, folder, home or collection.
    """

    __entitytype__ = "acl"

    entity: Attr[PartyRef | None] = attr()
    entity_hr: Attr[str | None] = attr()
    target: Attr[PartyRef | None] = attr()
    target_hr: Attr[str | None] = attr()
    read: Attr[bool | None] = attr()
    write: Attr[bool | None] = attr()
    path: Attr[str | None] = attr()
    acknowledged: Attr[bool | None] = attr()
    role: Attr[str | None] = attr()
    status: Attr[str | None] = attr()
    token: Attr[str | None] = attr()
    description: Attr[str | None] = attr()
    inactive: Attr[bool | None] = attr()
    created: Attr[UTCDateTime | None] = attr()
    creator: Attr[Ref | None] = attr()
