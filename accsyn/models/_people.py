"""Workspaces and users."""

from __future__ import annotations

from accsyn.models._common import Described
from accsyn.models._types import Attr, Ref, UTCDateTime, attr
from accsyn.models.enums import Role, UserStatus

__all__ = ["Log", "User", "Workspace"]


class Workspace(Described):
    """The workspace (legacy name: organization); global settings live here."""

    __entitytype__ = "workspace"

    status: Attr[str | None] = attr()


class User(Described):
    """A user; ``code`` is the email address."""

    __entitytype__ = "user"

    role: Attr[Role | None] = attr()
    status: Attr[UserStatus | None] = attr()
    logged_in: Attr[UTCDateTime | None] = attr()
    queue: Attr[Ref | None] = attr()
    inactive: Attr[bool | None] = attr()
    #: Legacy sign-up phase: ``activating``, ``joining``, ``joined``.
    phase: Attr[str | None] = attr()


class Log(Described):
    """A backend log row (read-only, ``log/find``; attributes undocumented)."""

    __entitytype__ = "log"
