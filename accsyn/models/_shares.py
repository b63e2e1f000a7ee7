"""Shares (volume, folder, home, collection), collection files, and ACLs."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from accsyn.models._base import Entity
from accsyn.models._common import Described
from accsyn.models._types import Attr, PartyRef, Ref, UTCDateTime, attr
from accsyn.models.enums import ShareStatus, ShareType

__all__ = ["Acl", "Collection", "File", "Folder", "Home", "Share", "Volume", "VolumePaths"]


class Share(Described):
    """Attributes shared by every share type; ``share:<id>`` references any of them.

    Not itself an entity type: the backend serves ``share`` as folders
    (``model_for("share")`` is :class:`Folder`).
    """

    __family__ = "share"
    __unique_code__ = True

    status: Attr[ShareStatus | None] = attr()
    status_hr: Attr[str | None] = attr()
    email: Attr[str | None] = attr()
    queue: Attr[Ref | None] = attr()
    inactive: Attr[bool | None] = attr()


class VolumePaths(BaseModel):
    """A volume's root path per platform (unknown keys kept)."""

    model_config = ConfigDict(extra="allow")

    windows: str | None = None
    linux: str | None = None
    mac: str | None = None
    windows_vpn: str | None = None
    linux_vpn: str | None = None
    mac_vpn: str | None = None


class Volume(Share):
    """A storage volume (root share)."""

    __entitytype__ = "volume"

    default: Attr[bool | None] = attr()
    licensed: Attr[bool | None] = attr()
    #: The resolved absolute path on the server.
    path: Attr[str | None] = attr()
    paths: Attr[VolumePaths | None] = attr()
    #: Always ``volume``.
    type: Attr[ShareType | None] = attr()


class Folder(Share):
    """A shared folder on a volume; the deprecated ``share`` type maps here."""

    __entitytype__ = "folder"
    __aliases__ = ("share",)

    #: The volume id.
    parent: Attr[Ref | None] = attr()
    parent_hr: Attr[str | None] = attr()
    #: Relative to the volume.
    path: Attr[str | None] = attr()
    #: Legacy share type: ``root``, ``standard``, ``user``.
    type: Attr[ShareType | None] = attr()


class Home(Share):
    """A user's home share."""

    __entitytype__ = "home"

    parent: Attr[Ref | None] = attr()
    parent_hr: Attr[str | None] = attr()
    path: Attr[str | None] = attr()
    user: Attr[Ref | None] = attr()
    user_hr: Attr[str | None] = attr()


class Collection(Share):
    """A virtual share made of files picked from other shares."""

    __entitytype__ = "collection"


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
