"""``accsyn.Session`` and ``accsyn.AsyncSession``: login and every accsyn operation.

Both speak the official client's wire protocol byte for byte::

    import accsyn

    with accsyn.Session(workspace="acme", username="me@acme.com", api_key="…") as session:
        for transfer in session.find("transfer WHERE status=running"):
            print(transfer.name)
        session.transfers.where(status="failed").first()   # typed repositories
        session.files.ls("volume=projects/demo")            # the workspace file system
        session.acl.grant("user", "lisa@acme.com", "folder", folder_id)
        session.settings.get("transfer_speedlimit")

What differs from the official client, on purpose:

* one pooled httpx client per session (keep-alive), TLS verification on by default;
* reads retry on 429/502/503/504 and connection failures, honouring ``Retry-After``;
  writes retry only when the request never reached the server (see :class:`RetryPolicy`);
* a client-side rate limiter at the documented edge limits (see :class:`RateLimit`);
* typed errors (:mod:`accsyn._exceptions`) instead of one exception type;
* queries, projections and payloads are validated against the models
  (``validate="error" | "warn" | "off"``, per call ``validate=False``);
* queries are parsed and re-rendered canonically, never lowercased;
* reads return :mod:`accsyn.models` instances bound to the session (``raw=True`` for
  the wire dicts);
* file, access and settings operations live in namespaces (``session.files``,
  ``session.acl``, ``session.settings``), so no verb means two things; the official
  flat names are in :mod:`accsyn.compat`.

Every operation is a plan (:mod:`accsyn._operations`); the two classes only drive
them. ``tests/session/test_surface.py`` holds their public surfaces equal.
"""

from __future__ import annotations

import ssl
import threading
import warnings
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal, TypeVar, overload

import httpx

from accsyn import _operations as ops
from accsyn import _requests as rq
from accsyn import _wire as wire
from accsyn._async_session import AsyncSession
from accsyn._config import reject_legacy_credentials
from accsyn._exceptions import APIError
from accsyn._http import (
    Clock,
    InProcessDriver,
    InProcessTransport,
    RateLimit,
    RetryPolicy,
    SyncDriver,
    sync_transport,
)
from accsyn._namespaces import Access, Files, Settings
from accsyn._repository import RepositoryMixin
from accsyn._session_base import (
    DEFAULT_RATE_LIMIT,
    DEFAULT_RETRY,
    _Core,
    _SessionBase,
    client_kwargs,
    read_payload,
)
from accsyn._wire import EventRequest, HttpRequest
from accsyn.query import Query

if TYPE_CHECKING:
    from accsyn.models import Entity

__all__ = ["AsyncSession", "RateLimit", "RetryPolicy", "Session"]

T = TypeVar("T")
M = TypeVar("M", bound="Entity")
_client_kwargs = client_kwargs  # kept for tests that inspect the client arguments


class Session(_SessionBase, RepositoryMixin):
    """A synchronous accsyn API session (a context manager owning one pooled client).

    Arguments are those of the official client, then:

    * ``base_url`` — talk to this backend directly (e.g. ``http://127.0.0.1:8181``),
      no master lookup;
    * ``transport`` — an :class:`httpx.BaseTransport` to plug in, or a server in this
      process that answers without httpx (``LocalWorkspace.session()`` uses one);
    * ``verify`` — TLS verification (on by default; ``False`` for self-signed
      certificates, or an :class:`ssl.SSLContext`);
    * ``retry`` — a :class:`RetryPolicy`, or None to never retry;
    * ``rate_limit`` — a :class:`RateLimit`, or None to turn the limiter off;
    * ``device`` — the ``X-Accsyn-Device`` header. The default has the official
      3.4.0 client's exact format, ``PythonAPI v3.4.0 @ <platform> <hostname>(<os>)``,
      because the backend identifies API devices by it;
    * ``clock`` — where retries and the limiter read time and sleep (tests);
    * ``validate`` — ``"error"`` (default: a query, projection or payload that does
      not fit the models raises), ``"warn"`` (warn, then send) or ``"off"``;
    * ``lazy`` — log in on the first call instead of in the constructor.

    Configuration comes from the arguments, then ``ACCSYN_*`` environment variables
    and ``.env`` files, without modifying ``os.environ``.
    """

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
        timeout: float | None = None,
        connect_timeout: float | None = None,
        domain: str | None = None,
        path_envfile: str | None = None,
        *,
        base_url: str | None = None,
        transport: httpx.BaseTransport | InProcessTransport | None = None,
        verify: bool | ssl.SSLContext = True,
        retry: RetryPolicy | None = DEFAULT_RETRY,
        rate_limit: RateLimit | None = DEFAULT_RATE_LIMIT,
        device: str | None = None,
        clock: Clock | None = None,
        validate: Literal["error", "warn", "off"] = "error",
        lazy: bool = False,
        **legacy: Any,
    ) -> None:
        # pwd=/session_key= (pre-v3 docs): a ConfigurationError naming the API key instead.
        reject_legacy_credentials(legacy, type(self).__name__)
        # pretty_json is accepted for compatibility; debug logs are already compact.
        self._core = _Core.configure(locals())
        kwargs = client_kwargs(self._core.config)
        self._driver: SyncDriver | InProcessDriver
        if isinstance(transport, InProcessTransport):
            core = self._core
            self._driver = InProcessDriver(transport, core.clock, core.redact, kwargs["headers"])
        else:
            if transport is None and "proxy" not in kwargs:
                transport = sync_transport(verify=kwargs["verify"], limits=kwargs["limits"])
            client = httpx.Client(transport=transport, **kwargs)
            self._driver = SyncDriver(client, self._core.clock, self._core.redact, transport)
        self._login_lock = threading.Lock()
        #: The workspace file system: ``ls``, ``mkdir``, ``mv``, ``delete``, …
        self.files: Files = Files(self)
        #: Access to deliveries and shares: ``grant``, ``revoke``, ``access``.
        self.acl: Access = Access(self)
        #: Settings of the workspace and its entities: ``get``, ``set``, ``delete``.
        self.settings: Settings = Settings(self)
        if not lazy:
            try:
                self.login()
            except BaseException:
                self._driver.close()
                raise

    # -- lifecycle ---------------------------------------------------------------------

    def login(self) -> None:
        """Resolve the workspace host (if needed) and log in; a no-op once logged in."""
        with self._login_lock:
            if not self._core.logged_in:
                self._run(self._core.login_flow())

    def close(self) -> None:
        """Close the connection pool."""
        self._driver.close()

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return self._core.repr("Session")

    # -- driving plans -----------------------------------------------------------------

    def _send(self, req: EventRequest | HttpRequest) -> dict[str, Any]:
        """Send one request (logging in first for events); the body or a typed error."""
        if not isinstance(req, HttpRequest) and not self._core.logged_in:
            self.login()
        try:
            return self._driver.run(self._core.transmit(self._core.encode(req)))
        except APIError as exc:
            self._core.note_error(exc)
            raise

    # -- query and read ----------------------------------------------------------------

    # A built query keeps its model (``Transfer.where(...)`` is a ``Query[Transfer]``), so
    # its rows are typed; a query string's entity type is known only at run time (Any).
    @overload
    def find(
        self,
        query: Query[M],
        entityid: str | None = ...,
        attributes: Sequence[str] | None = ...,
        finished: bool | None = ...,
        inactive: bool | None = ...,
        offline: bool | None = ...,
        archived: bool | None = ...,
        limit: int | None = ...,
        skip: int | None = ...,
        create: bool = ...,
        update: bool = ...,
        single_entity_query: Literal[False] = ...,
        *,
        raw: Literal[False] = ...,
        validate: bool | None = ...,
    ) -> list[M]: ...
    @overload
    def find(
        self,
        query: str | Query,
        entityid: str | None = ...,
        attributes: Sequence[str] | None = ...,
        finished: bool | None = ...,
        inactive: bool | None = ...,
        offline: bool | None = ...,
        archived: bool | None = ...,
        limit: int | None = ...,
        skip: int | None = ...,
        create: bool = ...,
        update: bool = ...,
        single_entity_query: Literal[False] = ...,
        *,
        raw: bool = ...,
        validate: bool | None = ...,
    ) -> list[Any]: ...
    @overload
    def find(
        self,
        query: str | Query,
        entityid: str | None = ...,
        attributes: Sequence[str] | None = ...,
        finished: bool | None = ...,
        inactive: bool | None = ...,
        offline: bool | None = ...,
        archived: bool | None = ...,
        limit: int | None = ...,
        skip: int | None = ...,
        create: bool = ...,
        update: bool = ...,
        *,
        single_entity_query: Literal[True],
        raw: bool = ...,
        validate: bool | None = ...,
    ) -> Any: ...
    def find(
        self,
        query: str | Query,
        entityid: str | None = None,
        attributes: Sequence[str] | None = None,
        finished: bool | None = None,
        inactive: bool | None = None,
        offline: bool | None = None,
        archived: bool | None = None,
        limit: int | None = None,
        skip: int | None = None,
        create: bool = False,
        update: bool = False,
        single_entity_query: bool = False,
        *,
        raw: bool = False,
        validate: bool | None = None,
    ) -> Any:
        """Entities matching ``query`` (a string or a built :class:`accsyn.query.Query`).

        Returns models bound to this session (``raw=True``: wire dicts).
        ``find("entitytypes")`` and ``find("attributes WHERE entitytype=X", create=?,
        update=?)`` return names. ``validate=False`` sends the query unchecked. For
        lazy paging through a large result use :meth:`query`.
        """
        return self._run(
            ops.find(
                query, entityid=entityid, attributes=attributes, finished=finished,
                inactive=inactive, offline=offline, archived=archived, limit=limit, skip=skip,
                create=create, update=update, single_entity_query=single_entity_query,
                raw=raw, policy=self._policy(validate), session=self,
            )
        )  # fmt: skip

    @overload
    def find_one(
        self,
        query: Query[M],
        entityid: str | None = ...,
        attributes: Sequence[str] | None = ...,
        finished: bool | None = ...,
        inactive: bool | None = ...,
        offline: bool | None = ...,
        archived: bool | None = ...,
        *,
        raw: Literal[False] = ...,
        validate: bool | None = ...,
    ) -> M | None: ...
    @overload
    def find_one(
        self,
        query: str | Query,
        entityid: str | None = ...,
        attributes: Sequence[str] | None = ...,
        finished: bool | None = ...,
        inactive: bool | None = ...,
        offline: bool | None = ...,
        archived: bool | None = ...,
        *,
        raw: bool = ...,
        validate: bool | None = ...,
    ) -> Any: ...
    def find_one(
        self,
        query: str | Query,
        entityid: str | None = None,
        attributes: Sequence[str] | None = None,
        finished: bool | None = None,
        inactive: bool | None = None,
        offline: bool | None = None,
        archived: bool | None = None,
        *,
        raw: bool = False,
        validate: bool | None = None,
    ) -> Any:
        """The first entity matching ``query`` (server scope relaxed), or None."""
        return self._run(
            ops.find(
                query, entityid=entityid, attributes=attributes, finished=finished,
                inactive=inactive or offline, archived=archived, single_entity_query=True,
                raw=raw, policy=self._policy(validate), session=self,
            )
        )  # fmt: skip

    def get_entity(
        self, entitytype: str, entityid: str, *, raw: bool = False, validate: bool | None = None
    ) -> Any:
        """One entity by type and id, in any state (active, finished, inactive, archived)."""
        return self._run(
            ops.get_entity(
                entitytype, entityid, raw=raw, policy=self._policy(validate), session=self
            )
        )

    def report(self, query: str | Query, *, validate: bool | None = None) -> Any:
        """(Support) the backend's text report for an entity."""
        return self._run(ops.report(query, self._policy(validate)))

    def metrics(
        self,
        query: str | Query,
        attributes: Sequence[str] | None = None,
        time: str | None = None,
        *,
        validate: bool | None = None,
    ) -> Any:
        """Metrics for an entity (job)."""
        return self._run(ops.metrics(query, attributes, time, self._policy(validate)))

    # -- create, update, delete ----------------------------------------------------------

    def create(
        self,
        entitytype: str,
        data: str | Mapping[str, Any] | Sequence[Mapping[str, Any]],
        entityid: str | None = None,
        allow_duplicates: bool | None = None,
        replace_duplicates: bool | None = None,
        *,
        raw: bool = False,
        validate: bool | None = None,
    ) -> Any:
        """Create an entity (``data``: a dict, a list, JSON text or a JSON file's path);
        returns it (a list when several were created). Never retried unless the
        connection could not be made. Unknown payload keys raise ``ValidationError``."""
        return self._run(
            ops.create(
                entitytype, read_payload(data), entityid, allow_duplicates, replace_duplicates,
                raw=raw, policy=self._policy(validate), session=self,
            )
        )  # fmt: skip

    def update(
        self,
        entitytype: str,
        entityid: str,
        data: Mapping[str, Any],
        *,
        raw: bool = False,
        validate: bool | None = None,
    ) -> Any:
        """Update an entity; returns the updated entity."""
        return self._run(
            ops.update(
                entitytype, entityid, data, raw=raw, policy=self._policy(validate), session=self
            )
        )

    def update_one(
        self,
        entitytype: str,
        entityid: str,
        data: Mapping[str, Any],
        *,
        raw: bool = False,
        validate: bool | None = None,
    ) -> Any:
        """Deprecated alias of :meth:`update`."""
        warnings.warn("update_one is deprecated, use update", DeprecationWarning, stacklevel=2)
        return self.update(entitytype, entityid, data, raw=raw, validate=validate)

    def update_many(
        self,
        entitytype: str,
        entityid: str,
        data: Sequence[Mapping[str, Any]],
        *,
        raw: bool = False,
        validate: bool | None = None,
    ) -> Any:
        """Update several tasks of the job ``entityid``."""
        return self._run(
            ops.update_many(
                entitytype, entityid, data, raw=raw, policy=self._policy(validate), session=self
            )
        )

    def delete_one(
        self, entitytype: str, entityid: str, data: Mapping[str, Any] | None = None
    ) -> Any:
        """Delete (archive) an entity."""
        return self._run(ops.simple(rq.delete_one_request(entitytype, entityid, data)))

    def delete_many(self, entitytype: str, entityid: str, data: Mapping[str, Any]) -> Any:
        """Remove files from the collection ``entityid``."""
        return self._run(ops.simple(rq.delete_many_request(entitytype, entityid, data)))

    def deactivate_one(self, entitytype: str, entityid: str) -> Any:
        """Deactivate an entity (kept for audit and later activation)."""
        return self._run(ops.simple(rq.deactivate_request(entitytype, entityid)))

    def offline_one(self, entitytype: str, entityid: str) -> Any:
        """Deprecated alias of :meth:`deactivate_one`."""
        warnings.warn(
            "offline_one is deprecated, use deactivate_one", DeprecationWarning, stacklevel=2
        )
        return self.deactivate_one(entitytype, entityid)

    def activate_one(self, entitytype: str, entityident: str) -> Any:
        """Activate a deactivated entity, by id or by code/e-mail."""
        return self._run(ops.simple(rq.activate_request(entitytype, entityident)))

    # -- servers of shares -----------------------------------------------------------------

    def assign(self, entitytype_parent: str, entitytype: str, data: Mapping[str, Any]) -> Any:
        """Assign a server to a volume or share."""
        return self._run(ops.simple(rq.assign_request(entitytype_parent, entitytype, data)))

    def deassign(self, entitytype_parent: str, entitytype: str, data: Mapping[str, Any]) -> Any:
        """Remove a server assignment from a volume or share."""
        return self._run(ops.simple(rq.deassign_request(entitytype_parent, entitytype, data)))

    def assignments(self, entitytype: str, entityid: str) -> Any:
        """Servers assigned to a volume or share."""
        return self._run(ops.simple(rq.assignments_request(entitytype, entityid)))

    # -- logs, misc ----------------------------------------------------------------------

    def logs(
        self,
        entitytype: str | None = None,
        entityid: str | None = None,
        search: str | None = None,
        sort: str = "date",
        sort_reverse: bool = False,
        pagination_page: int | None = None,
        pagination_limit: int | None = None,
        pagination_skip: int | None = None,
    ) -> Any:
        """Backend logs of a scope: the whole answer (``result`` plus metadata)."""
        return self._run(
            ops.logs(
                rq.logs_request(
                    entitytype, entityid, search, sort, sort_reverse,
                    pagination_page, pagination_limit, pagination_skip,
                )
            )
        )  # fmt: skip

    def get_api_key(self) -> Any:
        """The user's API key (disabled by default in the backend)."""
        return self._run(ops.api_key())

    def integration(self, name: str, operation: str, data: Any) -> Any:
        """Call an integration utility (e.g. ftrack)."""
        return self._run(ops.simple(rq.integration_request(name, operation, data)))

    def app_is_running(self) -> bool | None:
        """Whether the desktop app runs on this machine as this user (None: not found)."""
        self.login()
        assert self._core.user_id is not None
        return self._run(ops.running(self._core.user_id, wire.client_hostname(), False))

    def daemon_is_running(self) -> bool | None:
        """Whether a daemon runs on this machine as this user (None: not found)."""
        self.login()
        assert self._core.user_id is not None
        return self._run(ops.running(self._core.user_id, wire.client_hostname(), True))

    def gui_is_running(self) -> bool | None:
        """Deprecated alias of :meth:`app_is_running`."""
        return self.app_is_running()

    @classmethod
    def from_compat(cls, s: Any) -> Session:
        """The typed session behind an ``accsyn.compat`` session (same login and pool), or
        one with an official ``accsyn_api`` session's credentials (docs/migrating.md)."""
        from accsyn.compat import to_session

        return to_session(s)

    def server_is_running(self) -> bool | None:
        """Deprecated alias of :meth:`daemon_is_running`."""
        return self.daemon_is_running()
