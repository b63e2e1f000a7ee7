"""``accsyn.AsyncSession``: the asyncio twin of :class:`accsyn.Session`.

Same arguments, same operations (the same plans from :mod:`accsyn._operations`),
awaited. ``tests/session/test_surface.py`` fails when the two surfaces differ.
"""

from __future__ import annotations

import asyncio
import ssl
import warnings
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal, TypeVar, overload

import httpx

from accsyn import _operations as ops
from accsyn import _requests as rq
from accsyn import _wire as wire
from accsyn._config import reject_legacy_credentials
from accsyn._exceptions import APIError
from accsyn._http import (
    AsyncDriver,
    AsyncInProcessDriver,
    Clock,
    InProcessTransport,
    RateLimit,
    RetryPolicy,
    async_transport,
)
from accsyn._namespaces import AsyncAccess, AsyncFiles, AsyncSettings
from accsyn._repository import AsyncRepositoryMixin
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

__all__ = ["AsyncSession"]

T = TypeVar("T")
M = TypeVar("M", bound="Entity")


class AsyncSession(_SessionBase, AsyncRepositoryMixin):
    """The asyncio twin of :class:`Session`: same arguments, same operations, awaited.

    The login happens on ``async with`` (or :meth:`login`, or the first call);
    ``transport`` takes an :class:`httpx.AsyncBaseTransport` (or an in-process server).
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
        transport: httpx.AsyncBaseTransport | InProcessTransport | None = None,
        verify: bool | ssl.SSLContext = True,
        retry: RetryPolicy | None = DEFAULT_RETRY,
        rate_limit: RateLimit | None = DEFAULT_RATE_LIMIT,
        device: str | None = None,
        clock: Clock | None = None,
        validate: Literal["error", "warn", "off"] = "error",
        **legacy: Any,
    ) -> None:
        # pwd=/session_key= (pre-v3 docs): a ConfigurationError naming the API key instead.
        reject_legacy_credentials(legacy, type(self).__name__)
        # pretty_json is accepted for compatibility; debug logs are already compact.
        self._core = _Core.configure(locals())
        kwargs = client_kwargs(self._core.config)
        self._driver: AsyncDriver | AsyncInProcessDriver
        if isinstance(transport, InProcessTransport):
            core = self._core
            self._driver = AsyncInProcessDriver(
                transport, core.clock, core.redact, kwargs["headers"], core.config.timeout
            )
        else:
            if transport is None and "proxy" not in kwargs:
                transport = async_transport(verify=kwargs["verify"], limits=kwargs["limits"])
            client = httpx.AsyncClient(transport=transport, **kwargs)
            self._driver = AsyncDriver(client, self._core.clock, self._core.redact, transport)
        self._login_lock: asyncio.Lock | None = None
        #: The workspace file system: ``ls``, ``mkdir``, ``mv``, ``delete``, …
        self.files: AsyncFiles = AsyncFiles(self)
        #: Access to deliveries and shares: ``grant``, ``revoke``, ``access``.
        self.acl: AsyncAccess = AsyncAccess(self)
        #: Settings of the workspace and its entities: ``get``, ``set``, ``delete``.
        self.settings: AsyncSettings = AsyncSettings(self)

    # -- lifecycle ---------------------------------------------------------------------

    async def login(self) -> None:
        """Resolve the workspace host (if needed) and log in; a no-op once logged in."""
        if self._core.logged_in:
            return
        if self._login_lock is None:
            self._login_lock = asyncio.Lock()
        async with self._login_lock:
            if not self._core.logged_in:
                await self._run(self._core.login_flow())

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._driver.aclose()

    async def __aenter__(self) -> AsyncSession:
        try:
            await self.login()
        except BaseException:
            await self.aclose()
            raise
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        return self._core.repr("AsyncSession")

    # -- driving plans -----------------------------------------------------------------

    async def _send(self, req: EventRequest | HttpRequest) -> dict[str, Any]:
        """Send one request (logging in first for events); the body or a typed error."""
        if not isinstance(req, HttpRequest) and not self._core.logged_in:
            await self.login()
        try:
            return await self._driver.run(self._core.transmit(self._core.encode(req)))
        except APIError as exc:
            self._core.note_error(exc)
            raise

    # -- query and read ----------------------------------------------------------------

    # A built query keeps its model (``Transfer.where(...)`` is a ``Query[Transfer]``), so
    # its rows are typed; a query string's entity type is known only at run time (Any).
    @overload
    async def find(
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
    async def find(
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
    async def find(
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
    async def find(
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
        return await self._run(
            ops.find(
                query, entityid=entityid, attributes=attributes, finished=finished,
                inactive=inactive, offline=offline, archived=archived, limit=limit, skip=skip,
                create=create, update=update, single_entity_query=single_entity_query,
                raw=raw, policy=self._policy(validate), session=self,
            )
        )  # fmt: skip

    @overload
    async def find_one(
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
    async def find_one(
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
    async def find_one(
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
        return await self._run(
            ops.find(
                query, entityid=entityid, attributes=attributes, finished=finished,
                inactive=inactive or offline, archived=archived, single_entity_query=True,
                raw=raw, policy=self._policy(validate), session=self,
            )
        )  # fmt: skip

    async def get_entity(
        self, entitytype: str, entityid: str, *, raw: bool = False, validate: bool | None = None
    ) -> Any:
        """One entity by type and id, in any state (active, finished, inactive, archived)."""
        return await self._run(
            ops.get_entity(
                entitytype, entityid, raw=raw, policy=self._policy(validate), session=self
            )
        )

    async def report(self, query: str | Query, *, validate: bool | None = None) -> Any:
        """(Support) the backend's text report for an entity."""
        return await self._run(ops.report(query, self._policy(validate)))

    async def metrics(
        self,
        query: str | Query,
        attributes: Sequence[str] | None = None,
        time: str | None = None,
        *,
        validate: bool | None = None,
    ) -> Any:
        """Metrics for an entity (job)."""
        return await self._run(ops.metrics(query, attributes, time, self._policy(validate)))

    # -- create, update, delete ----------------------------------------------------------

    async def create(
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
        return await self._run(
            ops.create(
                entitytype, read_payload(data), entityid, allow_duplicates, replace_duplicates,
                raw=raw, policy=self._policy(validate), session=self,
            )
        )  # fmt: skip

    async def update(
        self,
        entitytype: str,
        entityid: str,
        data: Mapping[str, Any],
        *,
        raw: bool = False,
        validate: bool | None = None,
    ) -> Any:
        """Update an entity; returns the updated entity."""
        return await self._run(
            ops.update(
                entitytype, entityid, data, raw=raw, policy=self._policy(validate), session=self
            )
        )

    async def update_one(
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
        return await self.update(entitytype, entityid, data, raw=raw, validate=validate)

    async def update_many(
        self,
        entitytype: str,
        entityid: str,
        data: Sequence[Mapping[str, Any]],
        *,
        raw: bool = False,
        validate: bool | None = None,
    ) -> Any:
        """Update several tasks of the job ``entityid``."""
        return await self._run(
            ops.update_many(
                entitytype, entityid, data, raw=raw, policy=self._policy(validate), session=self
            )
        )

    async def delete_one(
        self, entitytype: str, entityid: str, data: Mapping[str, Any] | None = None
    ) -> Any:
        """Delete (archive) an entity."""
        return await self._run(ops.simple(rq.delete_one_request(entitytype, entityid, data)))

    async def delete_many(self, entitytype: str, entityid: str, data: Mapping[str, Any]) -> Any:
        """Remove files from the collection ``entityid``."""
        return await self._run(ops.simple(rq.delete_many_request(entitytype, entityid, data)))

    async def deactivate_one(self, entitytype: str, entityid: str) -> Any:
        """Deactivate an entity (kept for audit and later activation)."""
        return await self._run(ops.simple(rq.deactivate_request(entitytype, entityid)))

    async def offline_one(self, entitytype: str, entityid: str) -> Any:
        """Deprecated alias of :meth:`deactivate_one`."""
        warnings.warn(
            "offline_one is deprecated, use deactivate_one", DeprecationWarning, stacklevel=2
        )
        return await self.deactivate_one(entitytype, entityid)

    async def activate_one(self, entitytype: str, entityident: str) -> Any:
        """Activate a deactivated entity, by id or by code/e-mail."""
        return await self._run(ops.simple(rq.activate_request(entitytype, entityident)))

    # -- servers of shares -----------------------------------------------------------------

    async def assign(self, entitytype_parent: str, entitytype: str, data: Mapping[str, Any]) -> Any:
        """Assign a server to a volume or share."""
        return await self._run(ops.simple(rq.assign_request(entitytype_parent, entitytype, data)))

    async def deassign(
        self, entitytype_parent: str, entitytype: str, data: Mapping[str, Any]
    ) -> Any:
        """Remove a server assignment from a volume or share."""
        return await self._run(ops.simple(rq.deassign_request(entitytype_parent, entitytype, data)))

    async def assignments(self, entitytype: str, entityid: str) -> Any:
        """Servers assigned to a volume or share."""
        return await self._run(ops.simple(rq.assignments_request(entitytype, entityid)))

    # -- logs, misc ----------------------------------------------------------------------

    async def logs(
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
        return await self._run(
            ops.logs(
                rq.logs_request(
                    entitytype, entityid, search, sort, sort_reverse,
                    pagination_page, pagination_limit, pagination_skip,
                )
            )
        )  # fmt: skip

    async def get_api_key(self) -> Any:
        """The user's API key (disabled by default in the backend)."""
        return await self._run(ops.api_key())

    async def integration(self, name: str, operation: str, data: Any) -> Any:
        """Call an integration utility (e.g. ftrack)."""
        return await self._run(ops.simple(rq.integration_request(name, operation, data)))

    async def app_is_running(self) -> bool | None:
        """Whether the desktop app runs on this machine as this user (None: not found)."""
        await self.login()
        assert self._core.user_id is not None
        return await self._run(ops.running(self._core.user_id, wire.client_hostname(), False))

    async def daemon_is_running(self) -> bool | None:
        """Whether a daemon runs on this machine as this user (None: not found)."""
        await self.login()
        assert self._core.user_id is not None
        return await self._run(ops.running(self._core.user_id, wire.client_hostname(), True))

    async def gui_is_running(self) -> bool | None:
        """Deprecated alias of :meth:`app_is_running`."""
        return await self.app_is_running()

    async def server_is_running(self) -> bool | None:
        """Deprecated alias of :meth:`daemon_is_running`."""
        return await self.daemon_is_running()
