"""Clients (app, server, user server, browser, lane), sites and compute engines."""

from __future__ import annotations

from typing import Any

from accsyn.models._common import Described
from accsyn.models._types import Attr, Ref, UTCDateTime, attr
from accsyn.models.enums import (
    ClientOS,
    ClientState,
    ClientType,
    EngineStatus,
    EngineType,
    SiteStatus,
)

__all__ = ["App", "Browser", "Client", "Engine", "Lane", "Server", "Site", "UserServer"]


class Client(Described):
    """An endpoint running accsyn; ``code`` is its hostname (not unique)."""

    __entitytype__ = "client"
    __family__ = "client"

    status: Attr[ClientState | None] = attr()
    type: Attr[ClientType | None] = attr()
    type_hr: Attr[str | None] = attr()
    os: Attr[ClientOS | None] = attr()
    #: Comma-separated: ``storage``, ``compute``, ``site``, ``accsyn``.
    roles: Attr[str | None] = attr()
    site: Attr[Ref | None] = attr()
    site_hr: Attr[str | None] = attr()
    user: Attr[Ref | None] = attr()
    user_hr: Attr[str | None] = attr()
    username: Attr[str | None] = attr()
    #: A lane's server.
    parent: Attr[Ref | None] = attr()
    host_ident: Attr[str | None] = attr()
    #: MAC addresses (a list, or one comma-separated string).
    host_id: Attr[str | list[str] | None] = attr()
    last_checkin: Attr[UTCDateTime | None] = attr()
    metrics: Attr[dict[str, Any] | None] = attr()
    benchmark: Attr[Any] = attr()
    version: Attr[str | None] = attr()
    wan_ip: Attr[str | None] = attr()


class App(Client):
    """The desktop app (client type 0)."""

    __entitytype__ = "app"
    __client_type__ = ClientType.APP


class Server(Client):
    """A workspace daemon server (client type 1)."""

    __entitytype__ = "server"
    __client_type__ = ClientType.SERVER


class UserServer(Client):
    """A user daemon (client type 2)."""

    __entitytype__ = "userserver"
    __client_type__ = ClientType.USERSERVER


class Browser(Client):
    """A web browser client (client type 3)."""

    __entitytype__ = "browser"
    __client_type__ = ClientType.BROWSER


class Lane(Client):
    """A compute lane of a server."""

    __entitytype__ = "lane"
    __client_type__ = ClientType.COMPUTE_LANE


class Site(Described):
    """A site (location); built-ins ``hq`` (main), ``roaming`` and ``accsyn``."""

    __entitytype__ = "site"
    __unique_code__ = True

    status: Attr[SiteStatus | None] = attr()
    main: Attr[bool | None] = attr()
    accsyn: Attr[bool | None] = attr()


class Engine(Described):
    """A compute engine; ``code`` is up to 32 characters of ``[a-zA-Z0-9_.-]``."""

    __entitytype__ = "engine"
    __unique_code__ = True

    status: Attr[EngineStatus | None] = attr()
    #: ``compute`` by default.
    type: Attr[EngineType | None] = attr()
    vendor: Attr[str | None] = attr()
    version: Attr[str | None] = attr()
    revision: Attr[str | None] = attr()
    colour: Attr[str | None] = attr()
    published: Attr[UTCDateTime | None] = attr()
