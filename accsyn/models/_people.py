"""Workspaces and users."""

from __future__ import annotations

from accsyn.models._common import Described
from accsyn.models._types import Attr, PartyRef, Ref, UTCDateTime, attr
from accsyn.models.enums import Role, UserPhase, UserStatus

__all__ = ["Log", "User", "Workspace"]


class Workspace(Described):
    """The workspace (legacy name: organization); global settings live here."""

    __entitytype__ = "workspace"
    __aliases__ = ("organization",)
    __unique_code__ = True

    status: Attr[str | None] = attr()


class User(Described):
    """A user; ``code`` is the email address."""

    __entitytype__ = "user"
    __unique_code__ = True

    role: Attr[Role | None] = attr()
    status: Attr[UserStatus | None] = attr()
    logged_in: Attr[UTCDateTime | None] = attr()
    queue: Attr[Ref | None] = attr()
    inactive: Attr[bool | None] = attr()
    #: Legacy sign-up phase: ``activating``, ``joining``, ``joined``.
    phase: Attr[UserPhase | None] = attr()


class Log(Described):
    """A backend log row (read-only, ``log/find``; row attributes undocumented).

    The attributes below are what the local workspace writes.
    """

    __entitytype__ = "log"

    date: Attr[UTCDateTime | None] = attr()
    #: The type of the entity the row is about.
    entitytype: Attr[str | None] = attr()
    #: ``<type>:<id>`` of the entity the row is about.
    entity: Attr[PartyRef | None] = attr()
    message: Attr[str | None] = attr()
    user: Attr[Ref | None] = attr()
    user_hr: Attr[str | None] = attr()
