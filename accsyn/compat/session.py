"""``accsyn.compat.Session``: the accsyn-python-api 3.4 surface on the typed SDK's transport.

Scripts written for the official client run unchanged with ``import accsyn.compat as
accsyn_api`` (or ``from accsyn.compat.session import Session, AccsynException``): the
same constructor, environment and ``.env`` behaviour, method names, signatures, return
shapes (plain dicts and lists, ``user:<id>`` strings, local-zone datetimes) and error
texts. Underneath are the SDK's pooled connections, TLS verification, retries, rate
limiting and secret redaction. Every deliberate difference is listed in
``docs/migrating.md``.
"""

from __future__ import annotations

import builtins
import json
import logging
import os
import socket
import webbrowser
from typing import TYPE_CHECKING, Any, ClassVar

from accsyn._exceptions import AccsynError
from accsyn._http import RateLimit, RetryPolicy
from accsyn.compat import _adapter as sdk
from accsyn.compat._base import (
    STR_ID,
    STR_TYPE,
    AccsynException,
    ConfigurationException,
    id_like,
    is_str,
)
from accsyn.compat._base import UNIQUE_ENTITY_TYPES as _UNIQUE
from accsyn.compat._shape import JSONEncoder, check, load_env_file, localise, split_query
from accsyn.compat._surface import Surface

if TYPE_CHECKING:
    from accsyn.session import Session as TypedSession

__all__ = [
    "CLEARANCE_ADMIN",
    "CLEARANCE_CLIENT",
    "CLEARANCE_EMPLOYEE",
    "CLEARANCE_NONE",
    "CLEARANCE_STANDARD",
    "CLEARANCE_SUPPORT",
    "DEFAULT_CONNECT_TIMEOUT",
    "DEFAULT_TIMEOUT",
    "AccsynException",
    "JSONEncoder",
    "Session",
]


# The official module's public constants, for scripts that import them.
ACCSYN_BACKEND_DOMAIN = "accsyn.com"
ACCSYN_BACKEND_MASTER_HOSTNAME = f"master.{ACCSYN_BACKEND_DOMAIN}"
ACCSYN_PORT = 443
DEFAULT_EVENT_PAYLOAD_COMPRESS_SIZE_TRESHOLD = 100 * 1024
CLIENT_STATE_INIT = "init"
CLIENT_STATE_ONLINE = "online"
CLIENT_STATE_OFFLINE = "offline"
CLIENT_STATE_DISABLED = "disabled"
CLIENT_STATE_DISABLED_OFFLINE = "disabled-offline"
UNIQUE_ENTITY_TYPES = list(_UNIQUE)
CLEARANCE_SUPPORT = "support"
CLEARANCE_ADMIN = "admin"
CLEARANCE_EMPLOYEE = "employee"
CLEARANCE_STANDARD = "standard"
CLEARANCE_CLIENT = CLEARANCE_STANDARD
CLEARANCE_NONE = "none"
CLIENT_TYPE_APP = 0
CLIENT_TYPE_SERVER = 1
CLIENT_TYPE_USERSERVER = 2
CLIENT_TYPE_BROWSER = 3
CLIENT_TYPE_COMPUTE_LANE = 4
CLIENT_TYPE_ACCSYN_VPX = 5
JOB_TYPE_TRANSFER = 1
JOB_TYPE_QUEUE = 2
JOB_TYPE_COMPUTE = 3
JOB_TYPE_DELIVERY = 7
JOB_TYPE_REQUEST = 8
JOB_TYPE_STREAM = 10
DEFAULT_CONNECT_TIMEOUT = 10
DEFAULT_TIMEOUT = 2 * 60
DOCUMENTATION_URL = "https://accsyn-python-api.readthedocs.io/en/latest/"


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


class Session(Surface):
    """An accsyn API session with the official client's interface (3.4.0).

    Raises :class:`AccsynException` on authentication failure, like the official one.
    Class attributes ``retry_policy`` and ``rate_limit`` set the transport policies
    of sessions created afterwards (``None`` turns them off).
    """

    retry_policy: ClassVar[RetryPolicy | None] = RetryPolicy()
    rate_limit: ClassVar[RateLimit | None] = RateLimit()
    __version__ = "3.4.0"

    def __init__(
        self,
        workspace: str | None = None,
        username: str | None = None,
        api_key: str | None = None,
        hostname: str | None = None,
        port: int | None = None,
        proxy: str | None = None,
        verbose: bool = False,
        pretty_json: bool = False,
        path_logfile: str | None = None,
        timeout: int | None = None,
        connect_timeout: int | None = None,
        domain: str | None = None,
        path_envfile: str | None = None,
        **legacy: Any,
    ) -> None:
        try:
            sdk.reject_legacy_credentials(legacy)
        except AccsynError as exc:
            raise ConfigurationException(str(exc), exc) from None
        # Documented side effect: the env file's values land in os.environ (override).
        env_file = path_envfile or os.environ.get("ACCSYN_CREDENTIALS_PATH")
        if env_file:
            load_env_file(env_file)
        elif os.path.exists(".env"):
            load_env_file(".env")
        del pretty_json
        self._pretty_json = False
        self._last_message: str | None = None
        workspace = workspace or domain
        if not workspace:
            for key in ("ACCSYN_WORKSPACE", "ACCSYN_DOMAIN", "ACCSYN_ORG"):
                if key in os.environ:
                    workspace = os.environ[key]
                    break
        if not workspace:
            raise ConfigurationException(
                "Please supply your accsyn workspace code or set ACCSYN_WORKSPACE environment!"
            )
        username = username or os.environ.get("ACCSYN_API_USER")
        if not username:
            raise ConfigurationException(
                "Please supply your accsyn user name (E-mail) or set ACCSYN_API_USER environment!"
            )
        api_key = api_key or os.environ.get("ACCSYN_API_KEY")
        if not api_key:
            raise ConfigurationException(
                "Please supply your accsyn API KEY or set ACCSYN_API_KEY environment!"
            )
        self._workspace = workspace
        self._username = username
        self._hostname = hostname
        self._port = port
        self._proxy = proxy
        self._timeout = timeout or DEFAULT_TIMEOUT
        self._connect_timeout = connect_timeout or DEFAULT_CONNECT_TIMEOUT
        cls = type(self)
        self._session: TypedSession = self._call(
            sdk.open_session,
            workspace=workspace,
            username=username,
            api_key=api_key,
            hostname=hostname,
            port=port,
            proxy=proxy or os.environ.get("ACCSYN_PROXY") or None,
            verbose=verbose,
            path_logfile=path_logfile,
            timeout=self._timeout,
            connect_timeout=self._connect_timeout,
            path_envfile=env_file or None,
            retry=cls.retry_policy,
            rate_limit=cls.rate_limit,
        )
        self._role, self._uid = sdk.identity(self._session)

    @classmethod
    def _over(cls, session: TypedSession) -> Session:
        """A compat session sharing ``session``'s login and pool (see ``from_session``)."""
        self = cls.__new__(cls)
        self._last_message = None
        self._pretty_json = False
        self._workspace, self._username = session.workspace, session.username
        self._hostname = self._port = self._proxy = None
        self._timeout = int(session.timeout)
        self._connect_timeout = int(session.connect_timeout)
        self._session = session
        self._role, self._uid = sdk.identity(session)
        return self

    # -- properties and helpers ------------------------------------------------------------

    @property
    def username(self) -> str:
        """The API user (e-mail)."""
        return self._username

    @property
    def timeout(self) -> int:
        """Read timeout in seconds."""
        return self._timeout

    @property
    def connect_timeout(self) -> int:
        """Connect timeout in seconds."""
        return self._connect_timeout

    @staticmethod
    def get_hostname() -> str:
        """The hostname of this computer."""
        return socket.gethostname()

    def get_last_message(self) -> str | None:
        """The error message of the last failed call (None if none failed)."""
        return self._last_message

    def close(self) -> None:
        """Close the connection pool (not in the official client, which has none)."""
        sdk.close(self._session)

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<accsyn.compat.Session workspace={self._workspace!r} username={self._username!r}>"

    # -- create ---------------------------------------------------------------------------

    def create(
        self,
        entitytype: str,
        data: str | dict[str, Any] | list[dict[str, Any]],
        entityid: str | None = None,
        allow_duplicates: bool | None = None,
        replace_duplicates: bool | None = None,
    ) -> dict[str, Any] | list[dict[str, Any]]:
        """Create an entity; the created entity (a list when several were created)."""
        entitytype = _text(entitytype).lower().strip()
        check(entitytype, "You must provide the entity type to create!")
        if isinstance(data, str):
            check(data.strip(), "You must provide the data to create!")
        else:
            check(data is not None and len(data) > 0, "Empty create data submitted!")
        return self._read(  # type: ignore[no-any-return]
            sdk.create,
            entitytype,
            localise(data),
            entityid,
            allow_duplicates=allow_duplicates,
            replace_duplicates=replace_duplicates,
        )

    # -- query ------------------------------------------------------------------------------

    def find(
        self,
        query: str,
        entityid: str | None = None,
        attributes: list[str] | None = None,
        finished: bool | None = None,
        inactive: bool | None = None,
        offline: bool | None = None,
        archived: bool | None = None,
        limit: int | None = None,
        skip: int | None = None,
        create: bool = False,
        update: bool = False,
        single_entity_query: bool = False,
    ) -> list[dict[str, Any]] | None:
        """Entities (or entity types, or attribute names) matching ``query``."""
        check(
            len(query or "") > 0 and is_str(query),
            "Invalid query type supplied, must be of string type!",
        )
        entitytype, expression = split_query(query)
        kwargs: dict[str, Any]
        if entitytype == "attributes":
            check(
                expression,
                'Please query which entity to obtain attributes for (i.e. "attributes WHERE '
                'entitytype=job")',
            )
            parts = (expression or "").split("=")
            check(
                len(parts) == 2 and parts[0].strip() == "entitytype",
                'Please query attributes by expressions on the form "attributes WHERE '
                'entitytype=job"',
            )
            target = parts[1].strip().replace("'", "").replace('"', "")
            if create is not None and not isinstance(create, bool):
                raise AccsynException("Create must be a boolean!")
            if update is not None and not isinstance(update, bool):
                raise AccsynException("Update must be a boolean!")
            statement = f'attributes WHERE entitytype="{target}"'
            kwargs = {"create": create, "update": update}
        else:
            statement = entitytype if expression is None else f"{entitytype} WHERE {expression}"
            if offline is not None and inactive is None:
                self._warning("The 'offline' parameter is deprecated, use 'inactive' instead.")
                inactive, offline = offline, None
            kwargs = {
                "entityid": entityid,
                "attributes": attributes,
                "finished": finished,
                "inactive": inactive,
                "archived": archived,
                "limit": limit,
                "skip": skip,
            }
        rows = self._read(sdk.find, statement, **kwargs)
        if single_entity_query:
            if rows:
                if len(rows) > 1:
                    self._warning(f"Multiple entities retrieved({len(rows)}), returning first one.")
                return rows[0]  # type: ignore[no-any-return]
            return None
        return rows  # type: ignore[no-any-return]

    def find_one(
        self,
        query: str,
        entityid: str | None = None,
        attributes: list[str] | None = None,
        finished: bool | None = None,
        inactive: bool | None = None,
        offline: bool | None = None,
        archived: bool | None = None,
    ) -> dict[str, Any] | None:
        """The first entity matching ``query`` (the server relaxes its status scope), or None."""
        check(
            len(query or "") > 0 and is_str(query),
            "Invalid query type supplied, must be of string type!",
        )
        entitytype, expression = split_query(query)
        statement = entitytype if expression is None else f"{entitytype} WHERE {expression}"
        if entitytype in ("entitytypes", "attributes"):
            return self.find(query, single_entity_query=True)  # type: ignore[return-value]
        rows = self._read(
            sdk.find,
            statement,
            entityid=entityid,
            attributes=attributes,
            finished=finished,
            inactive=inactive or offline,
            archived=archived,
            single_entity_query=True,
        )
        return rows  # type: ignore[no-any-return]

    def get_entity(self, entitytype: str, entityid: str) -> dict[str, Any] | None:
        """An entity by type and id, whatever its state; None if not found."""
        check(
            len(entitytype or "") > 0 and is_str(entitytype),
            "Invalid entity type supplied, must be of string type!",
        )
        check(len(entityid or "") > 0 and is_str(entityid), STR_ID)
        check(id_like(entityid or ""), "Invalid entity ID supplied!")
        return self._read(sdk.get_entity, entitytype, entityid)  # type: ignore[no-any-return]

    def report(self, query: str) -> str:
        """(Support) the backend's human readable report of an entity."""
        entitytype, expression = split_query(query)
        statement = entitytype if expression is None else f"{entitytype} WHERE {expression}"
        return self._read(sdk.report, statement)  # type: ignore[no-any-return]

    def metrics(
        self, query: str, attributes: list[str] | None = None, time: str | None = None
    ) -> dict[str, Any]:
        """Metrics of an entity (job)."""
        entitytype, expression = split_query(query)
        statement = entitytype if expression is None else f"{entitytype} WHERE {expression}"
        return self._read(sdk.metrics, statement, attributes, time)  # type: ignore[no-any-return]

    # -- update -------------------------------------------------------------------------------

    def update(self, entitytype: str, entityid: str, data: dict[str, Any]) -> dict[str, Any] | None:
        """Update an entity; the updated entity."""
        check(len(entitytype or "") > 0 and is_str(entitytype), STR_TYPE)
        if entitytype.lower().strip() == "acl":
            raise AccsynException("ACLs cannot be updated, use the grant function to grant access.")
        check(len(entityid or "") > 0 and is_str(entityid), STR_ID)
        check(
            len(data or {}) > 0 and isinstance(data, dict),
            "Invalid data supplied, must be dict and have content!",
        )
        return self._read(  # type: ignore[no-any-return]
            sdk.update, entitytype.lower().strip(), entityid, localise(data)
        )

    def update_one(
        self, entitytype: str, entityid: str, data: dict[str, Any]
    ) -> dict[str, Any] | None:
        """Deprecated since 2.0.2: use :meth:`update`."""
        self._warning("The update_one function is deprecated, use the update function instead.")
        return self.update(entitytype, entityid, data)

    def update_many(
        self, entitytype: str, entityid: str, data: list[dict[str, Any]]
    ) -> list[dict[str, Any]] | None:
        """Update several tasks of the job ``entityid``."""
        check(len(entitytype or "") > 0 and is_str(entitytype), STR_TYPE)
        entitytype = entitytype.lower().strip()
        check(entitytype == "task", "Only multiple 'task' entities can be updated!")
        check(
            len(entityid or "") > 0 and is_str(entityid),
            "Entity ID must be provided and must be of string type!",
        )
        if not id_like(entityid or ""):
            raise AccsynException("Invalid parent entity ID supplied!")
        check(
            len(data or []) > 0 and isinstance(data, list), "Invalid data supplied, must be a list!"
        )
        return self._read(sdk.update_many, entitytype, entityid, localise(data))  # type: ignore[no-any-return]

    def help(self) -> None:
        """Print (and try to open) the official Python API reference."""
        print(
            f"Please have a look at the Python API reference: {DOCUMENTATION_URL}, attempting "
            "to open in default browser..."
        )
        webbrowser.open(DOCUMENTATION_URL)

    @staticmethod
    def dump(d: dict[str, Any] | None, indent: int = 4) -> str:
        """JSON text of ``d``, dates as the wire writes them (``"None"`` for None)."""
        return json.dumps(d, cls=JSONEncoder, indent=indent) if d is not None else "None"

    @staticmethod
    def str(d: dict[str, Any] | None, indent: int = 4) -> builtins.str:
        """Deprecated since 3.2.0: use :meth:`dump`."""
        logging.warning("Session.str is deprecated, use Session.dump instead")
        return Session.dump(d, indent=indent)
