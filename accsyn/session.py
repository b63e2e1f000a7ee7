"""``accsyn.Session`` and ``accsyn.AsyncSession``: login and every accsyn operation.

Both classes speak the official client's wire protocol byte for byte and keep its
method names and arguments, so a script ports by changing its import::

    import accsyn

    with accsyn.Session(workspace="acme", username="me@acme.com", api_key="…") as session:
        for transfer in session.find("transfer WHERE status=running"):
            print(transfer.name)

What differs from the official client, on purpose:

* one pooled httpx client per session (keep-alive), TLS verification on by default;
* reads retry on 429/502/503/504 and connection failures, honouring ``Retry-After``;
  writes retry only when the request never reached the server (see :class:`RetryPolicy`);
* a client-side rate limiter at the documented edge limits (see :class:`RateLimit`);
* typed errors (:mod:`accsyn._exceptions`) instead of one exception type;
* queries are parsed and re-rendered canonically, never lowercased;
* reads return :mod:`accsyn.models` instances (``raw=True`` for the wire dicts);
* ``get_last_message()`` really returns the last error message;
* ``access(..., recursive=...)`` is keyword-only (its position changed in 3.4.0).

Each operation is written once, as a generator that yields
:class:`~accsyn._wire.EventRequest` objects and receives the decoded answers; the
sync and async sessions only drive those generators.
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import json
import logging
import ssl
import threading
import warnings
from collections.abc import Generator, Mapping, Sequence
from typing import Any, Literal, TypeVar, overload

import httpx

from accsyn import _constants as const
from accsyn import _wire as wire
from accsyn._config import Config, resolve_config
from accsyn._exceptions import APIError, NotFoundError, ValidationError
from accsyn._http import (
    AsyncDriver,
    Clock,
    RateLimit,
    Redactor,
    RetryPolicy,
    SyncDriver,
    SystemClock,
    TokenBucket,
    async_transport,
    transmit,
)
from accsyn._repository import AsyncRepositoryMixin, RepositoryMixin
from accsyn._version import __version__
from accsyn._wire import EventRequest, ExplainedRequest, HttpRequest
from accsyn.query import Comparison, Op, Query, and_, parse, render

__all__ = ["AsyncSession", "RateLimit", "RetryPolicy", "Session"]

logger = logging.getLogger(const.LOGGER_NAME)

T = TypeVar("T")
Body = dict[str, Any]
Op_ = Generator[EventRequest | HttpRequest, Body, T]

_DEFAULT_RETRY = RetryPolicy()
_DEFAULT_RATE_LIMIT = RateLimit()
_USER_AGENT = f"accsyn-python/{__version__} python-httpx/{httpx.__version__}"


# --------------------------------------------------------------------------------------
# Shared state and the operations (sans-IO generators)
# --------------------------------------------------------------------------------------


def _as_query(query: str | Query) -> Query:
    if isinstance(query, Query):
        return query
    if not isinstance(query, str) or not query.strip():
        raise ValidationError("Invalid query supplied, must be a non-empty string or a Query!")
    return parse(query)


def _to_models(
    entitytype: str,
    rows: Any,
    attributes: Sequence[str] | None,
    raw: bool,
    body: Body | None = None,
) -> Any:
    """Wire dicts → model instances of ``entitytype`` (unknown types: the base Entity).

    ``body``, the whole answer the rows are the ``result`` of: when it kept its JSON
    text, the models are validated from that text in one pass (much faster for big
    results); any validation error is then raised by the row-by-row path, as usual.
    """
    if raw or not isinstance(rows, list):
        return rows
    from accsyn.models import Entity, model_for  # the models import this module's siblings

    try:
        cls: Any = model_for(entitytype)
    except ValidationError:
        cls = Entity
    attrs = list(attributes) if attributes else None
    content = getattr(body, "raw", None)
    if content is not None and rows and all(type(r) is dict for r in rows):
        try:
            models: list[Any] = cls.list_from_json(content, envelope=True)
        except ValidationError:
            models = []
        if len(models) == len(rows):
            if attrs is not None:
                for model in models:
                    model._accsyn_project(attrs)
            return models
    return [cls.from_wire(r, attributes=attrs) if isinstance(r, dict) else r for r in rows]


def _one_model(entitytype: str, row: Any, attributes: Sequence[str] | None, raw: bool) -> Any:
    if row is None or raw or not isinstance(row, dict):
        return row
    return _to_models(entitytype, [row], attributes, raw)[0]


def _result(body: Body) -> Any:
    return body.get("result")


def _op_find(
    query: str | Query,
    entityid: str | None,
    attributes: Sequence[str] | None,
    finished: bool | None,
    inactive: bool | None,
    offline: bool | None,
    archived: bool | None,
    limit: int | None,
    skip: int | None,
    create: bool,
    update: bool,
    single_entity_query: bool,
    raw: bool,
) -> Op_[Any]:
    q = _as_query(query)
    if q.entitytype is None:
        raise ValidationError(
            "The query must name an entity type, e.g. 'transfer WHERE status=running'",
            field="query",
        )
    retval: Any
    if q.entitytype == "entitytypes":
        retval = _result((yield wire.entitytypes_request()))
    elif q.entitytype == "attributes":
        where = q.where
        if where is None:
            raise ValidationError(
                'Please query which entity to obtain attributes for (i.e. "attributes WHERE '
                'entitytype=job")'
            )
        if not (
            isinstance(where, Comparison)
            and where.attribute == "entitytype"
            and where.op is Op.EQ
            and isinstance(where.value, str)
        ):
            raise ValidationError(
                'Please query attributes by expressions on the form "attributes WHERE '
                'entitytype=job"'
            )
        retval = _result((yield wire.attributes_request(where.value, create=create, update=update)))
    else:
        if inactive is None and offline is not None:
            warnings.warn(
                "the 'offline' argument is deprecated, use 'inactive'",
                DeprecationWarning,
                stacklevel=4,
            )
            inactive = offline
        req = wire.find_request(
            q.entitytype,
            q,
            attributes=attributes,
            finished=finished,
            inactive=inactive,
            archived=archived,
            limit=limit,
            skip=skip,
            parent=entityid,
            single_entity_query=single_entity_query,
        )
        body = yield req
        rows = _result(body) or []
        retval = _to_models(q.entitytype, rows, req.data.get("attributes"), raw, body)
    if single_entity_query:
        if retval:
            if len(retval) > 1:
                logger.warning(
                    "Multiple entities retrieved (%d), returning the first one.", len(retval)
                )
            return retval[0]
        return None
    return retval


def _op_get_entity(entitytype: str, entityid: str, raw: bool) -> Op_[Any]:
    req = wire.get_entity_request(entitytype, entityid)
    rows = _result((yield req))
    if not rows:
        return None
    if len(rows) > 1:
        logger.warning("Multiple entities retrieved (%d), returning the first one.", len(rows))
    return _one_model(req.uri.split("/")[0], rows[0], None, raw)


def _op_report(query: str | Query) -> Op_[Any]:
    q = _as_query(query)
    if q.entitytype is None:
        raise ValidationError("The query must name an entity type", field="query")
    expression = render(q.where) if q.where is not None else None
    return (yield wire.report_request(q.entitytype, expression)).get("report")


def _op_metrics(query: str | Query, attributes: Sequence[str] | None, time: str | None) -> Op_[Any]:
    q = _as_query(query)
    if q.entitytype is None:
        raise ValidationError("The query must name an entity type", field="query")
    expression = render(q.where) if q.where is not None else None
    return _result((yield wire.metrics_request(q.entitytype, expression, attributes, time)))


def _op_create(
    entitytype: str,
    data: Any,
    entityid: str | None,
    allow_duplicates: bool | None,
    replace_duplicates: bool | None,
    raw: bool,
) -> Op_[Any]:
    req = wire.create_request(entitytype, data, entityid, allow_duplicates, replace_duplicates)
    body = yield req
    if "result" not in body:
        return body
    et = wire.entity_type(entitytype)
    result = body["result"]
    if isinstance(result, list):
        models = _to_models(et, result, None, raw)
        return models[0] if len(models) == 1 else models
    return result


def _op_update(entitytype: str, entityid: str, data: Mapping[str, Any], raw: bool) -> Op_[Any]:
    req = wire.update_request(entitytype, entityid, data)
    result = _result((yield req))
    if isinstance(result, list):
        return _one_model(wire.entity_type(entitytype), result[0], None, raw) if result else None
    return result


def _op_update_many(
    entitytype: str, entityid: str, data: Sequence[Mapping[str, Any]], raw: bool
) -> Op_[Any]:
    req = wire.update_many_request(entitytype, entityid, data)
    return _to_models("task", _result((yield req)), None, raw)


def _op_simple(req: EventRequest) -> Op_[Any]:
    return _result((yield req))


def _lookup_id(entitytype: str, ident: str) -> Op_[str | None]:
    rows = _result((yield wire.code_lookup_request(entitytype, ident))) or []
    return str(rows[0]["id"]) if rows and isinstance(rows[0], dict) and rows[0].get("id") else None


def _op_grant(
    entitytype: str,
    entityid: str,
    targettype: str,
    targetid: str,
    data: Mapping[str, Any] | None,
) -> Op_[Any]:
    et = wire.entity_type(entitytype)
    tt = wire.entity_type(targettype, "target entity type")
    eid = wire.require_str(entityid, "entity ID").lower().strip()
    tid = wire.require_str(targetid, "target ID").lower().strip()
    if data is not None and not isinstance(data, Mapping):
        raise ValidationError("Invalid grant access data supplied, must be a dict!", field="data")
    if et != "user":
        raise ValidationError("Unsupported grant entity type (supported: user)!")
    if tt not in (*const.JOB_TARGET_TYPES, "volume", "folder", "home", "collection"):
        raise ValidationError(
            "Unsupported grant target type for user (supported: delivery, request, stream, "
            "volume, folder, home, collection)!"
        )
    if not wire.is_id(eid):
        if et not in const.UNIQUE_ENTITY_TYPES:
            raise ValidationError(f"Please supply a valid {et} ID!")
        found = yield from _lookup_id(et, eid)
        if found is not None:
            eid = found
        elif (data or {}).get("invite", True) is False:
            raise NotFoundError(f"No {et} found with code '{eid}', and invite is not allowed!")
        else:
            logger.warning("No %s found with code '%s', will be invited!", et, eid)
    if not wire.is_id(tid):
        if tt not in const.UNIQUE_ENTITY_TYPES:
            raise ValidationError(f"Please supply a valid {tt} ID!")
        found = yield from _lookup_id(tt, tid)
        if found is None:
            raise NotFoundError(f"No {tt} found with code '{tid}'!")
        tid = found
    if tt in const.JOB_TARGET_TYPES:
        invite = (data or {}).get("invite", True)
        return _result((yield wire.recipient_add_request(tid, eid, invite)))
    result = _result((yield wire.acl_create_request(eid, tid, data)))
    return result[0] if isinstance(result, list) and result else result


def _acl_row(acl: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "user": str(acl.get("entity", "")).split(":", 1)[-1],
        "user_hr": acl.get("entity_hr", ""),
        "share": str(acl.get("target", "")).split(":", 1)[-1],
        "share_hr": acl.get("target_hr", ""),
        "read": acl.get("read"),
        "write": acl.get("write"),
        "acknowledged": acl.get("acknowledged", False),
        "path": acl.get("path", "/"),
    }


def _op_access(
    targettype: str,
    targetid: str,
    entitytype: str | None,
    entityid: str | None,
    recursive: bool,
) -> Op_[list[dict[str, Any]]]:
    tt = wire.entity_type(targettype, "target type")
    tid = wire.require_id(wire.require_str(targetid, "target id").lower().strip(), "target ID")
    if tt in const.JOB_TARGET_TYPES:
        return list(_result((yield wire.recipients_request(tid))) or [])
    if tt in const.SHARE_TARGET_TYPES:
        query = wire.acl_access_query(tid, entitytype, entityid)
        rows = _result((yield wire.acl_find_request(query, {"recursive": recursive}))) or []
        return [_acl_row(acl) for acl in rows]
    raise ValidationError("Unsupported access operation!")


def _op_revoke(entitytype: str, entityid: str, targettype: str, targetid: str) -> Op_[Any]:
    et = wire.entity_type(entitytype)
    tt = wire.entity_type(targettype, "target entity type")
    eid = wire.require_str(entityid, "entity id").lower().strip()
    tid = wire.require_id(
        wire.require_str(targetid, "target entity id").lower().strip(), "target ID"
    )
    if et != "user":
        raise ValidationError("Unsupported revoke access entity type!")
    if tt not in (*const.JOB_TARGET_TYPES, "job", *const.SHARE_TARGET_TYPES):
        raise ValidationError("Unsupported revoke access target type!")
    if not wire.is_id(eid):
        if et not in const.UNIQUE_ENTITY_TYPES:
            raise ValidationError(
                f"Please supply a valid {et} ID! Hint: {et} does not support unique API code "
                "attribute lookup!"
            )
        found = yield from _lookup_id(et, eid)
        if found is not None:
            eid = found
        elif tt not in (*const.JOB_TARGET_TYPES, "job"):
            raise NotFoundError(f"No {et} found with code '{eid}'!")
    if tt in (*const.JOB_TARGET_TYPES, "job"):
        recipients = (yield wire.recipients_request(tid)).get("result") or []
        if not any(
            isinstance(r, dict) and eid in (r.get("user"), r.get("user_hr")) for r in recipients
        ):
            return False
        return _result((yield wire.recipient_remove_request(tid, eid)))
    query = render(
        Query(
            "acl",
            and_(
                Comparison("entity", Op.EQ, f"user:{eid}"),
                Comparison("target", Op.EQ, f"share:{tid}"),
            ),
        )
    )
    acls = _result((yield wire.acl_find_request(query, {}))) or []
    if not acls:
        return False
    return _result((yield wire.acl_delete_request(str(acls[0]["id"]))))


def _op_logs(req: EventRequest) -> Op_[Any]:
    body = yield req
    return body or {"result": []}


def _op_get_settings(req: EventRequest) -> Op_[Any]:
    return _result((yield req)) or {}


def _op_bool(req: EventRequest) -> Op_[bool]:
    return bool(_result((yield req)))


def _op_api_key() -> Op_[Any]:
    return (yield wire.api_key_request()).get("api_key")


def _op_running(user_id: str, hostname: str, daemon: bool) -> Op_[bool | None]:
    clients = _result((yield wire.running_clients_request(user_id, hostname, daemon=daemon))) or []
    retval: bool | None = None
    for c in clients:
        retval = isinstance(c, dict) and c.get("status") in const.CLIENT_RUNNING_STATES
        if retval:
            break
    return retval


class _Core:
    """Configuration and per-session state shared by the sync and async sessions."""

    def __init__(
        self,
        config: Config,
        retry: RetryPolicy | None,
        rate_limit: RateLimit | None,
        clock: Clock | None,
    ) -> None:
        self.config = config
        self.retry = retry
        self.clock: Clock = clock or SystemClock()
        self.bucket = TokenBucket(rate_limit, self.clock.monotonic()) if rate_limit else None
        self.redact = Redactor()
        key = config.api_key.get_secret_value()
        auth = wire.auth_header(config.username, config.api_key)
        self.redact.add(key, auth, auth.split(" ", 1)[1], auth.rsplit(":", 1)[1])
        self.ctx = wire.WireContext(
            config.workspace,
            config.username,
            config.api_key,
            config.device,
            wire.client_hostname(),
        )
        self.endpoint: wire.Endpoint | None = (
            wire.api_endpoint(config) if not config.needs_master_lookup else None
        )
        self.role: str | None = None
        self.user_id: str | None = None
        self.last_message: str | None = None

    @property
    def logged_in(self) -> bool:
        return self.ctx.session_id is not None

    def transmit(self, req: HttpRequest) -> Generator[Any, Any, Body]:
        return transmit(
            req,
            workspace=self.config.workspace,
            retry=self.retry,
            bucket=self.bucket,
            clock=self.clock,
            redact=self.redact,
        )

    def login_flow(self) -> Op_[None]:
        """Master lookup (when needed), then login; records the session id."""
        endpoint = self.endpoint
        if endpoint is None:
            master = wire.master_endpoint(self.config)
            body = yield wire.master_lookup_request(
                master, self.config.workspace, self.config.device
            )
            host, port = wire.parse_lookup(body, self.config.workspace)
            endpoint = wire.api_endpoint(self.config, host, port)
        body = yield wire.login_request(endpoint, self.ctx)
        role, user_id, session_id = wire.parse_login(body)
        self.redact.add(session_id)
        self.endpoint = endpoint
        self.role, self.user_id = role, user_id
        self.ctx = dataclasses.replace(self.ctx, session_id=session_id)
        logger.debug(
            "logged in to %s as %s (role %s)", self.config.workspace, self.config.username, role
        )

    def encode(self, req: EventRequest | HttpRequest) -> HttpRequest:
        if isinstance(req, HttpRequest):
            return req
        if not isinstance(req, EventRequest):
            raise TypeError(f"expected an EventRequest, not {type(req).__name__}")
        assert self.endpoint is not None
        assert self.logged_in
        return wire.encode_event(req, self.ctx, self.endpoint)

    def explain(self, req: EventRequest) -> ExplainedRequest:
        return wire.explain(req, self.ctx, self.endpoint or wire.api_endpoint(self.config))

    def note_error(self, exc: APIError) -> None:
        self.last_message = exc.message

    def repr(self, cls: str) -> str:
        where = self.endpoint.base if self.endpoint else "(not resolved)"
        state = "logged in" if self.logged_in else "not logged in"
        return (
            f"<accsyn.{cls} workspace={self.config.workspace!r} "
            f"username={self.config.username!r} url={where!r} {state}>"
        )


@functools.lru_cache(maxsize=1)
def _default_ssl_context() -> ssl.SSLContext:
    # Loading the CA bundle costs ~30 ms; one verifying context serves every session.
    return httpx.create_ssl_context()


def _client_kwargs(config: Config) -> dict[str, Any]:
    kwargs: dict[str, Any] = {
        "timeout": httpx.Timeout(config.timeout, connect=config.connect_timeout),
        "verify": _default_ssl_context() if config.verify is True else config.verify,
        "limits": httpx.Limits(
            max_connections=const.MAX_CONNECTIONS,
            max_keepalive_connections=const.MAX_KEEPALIVE_CONNECTIONS,
        ),
        "headers": {"User-Agent": _USER_AGENT},
        "follow_redirects": False,
    }
    if config.proxy is not None and config.proxy.kind == "socks5":
        kwargs["proxy"] = config.proxy.url
    return kwargs


def _configure_logging(verbose: bool, path_logfile: str | None) -> None:
    """The official ``verbose`` / ``path_logfile`` switches, mapped onto the accsyn logger."""
    if not verbose and not path_logfile:
        return
    handler: logging.Handler = (
        logging.FileHandler(path_logfile) if path_logfile else logging.StreamHandler()
    )
    marker = f"accsyn-session:{path_logfile or 'stream'}"
    if any(getattr(h, "_accsyn_marker", None) == marker for h in logger.handlers):
        return
    handler._accsyn_marker = marker  # type: ignore[attr-defined]
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logger.addHandler(handler)
    if verbose:
        logger.setLevel(logging.DEBUG)


class _SessionBase:
    """What Session and AsyncSession share that needs no I/O: all of it reads the core."""

    _core: _Core

    def explain(self, req: EventRequest) -> ExplainedRequest:
        """The exact HTTP request ``req`` would become (secrets redacted), not sent."""
        return self._core.explain(req)

    # -- properties --------------------------------------------------------------------

    @property
    def username(self) -> str:
        """The API user (e-mail)."""
        return self._core.config.username

    @property
    def workspace(self) -> str:
        """The workspace code."""
        return self._core.config.workspace

    @property
    def timeout(self) -> float:
        """Read timeout in seconds."""
        return self._core.config.timeout

    @property
    def connect_timeout(self) -> float:
        """Connect timeout in seconds."""
        return self._core.config.connect_timeout

    @property
    def role(self) -> str | None:
        """The role the login returned (``admin``, ``employee``, …)."""
        return self._core.role

    @property
    def user_id(self) -> str | None:
        """The logged-in user's id."""
        return self._core.user_id

    def get_last_message(self) -> str | None:
        """The message of the last error the server answered (None if none yet)."""
        return self._core.last_message

    @staticmethod
    def get_hostname() -> str:
        """This computer's hostname."""
        return wire.client_hostname()


# --------------------------------------------------------------------------------------
# Sync session
# --------------------------------------------------------------------------------------


class Session(_SessionBase, RepositoryMixin):
    """A synchronous accsyn API session (a context manager owning one pooled client).

    Arguments are those of the official client, then:

    * ``base_url`` — talk to this backend directly (e.g. ``http://127.0.0.1:8181``),
      no master lookup;
    * ``transport`` — an :class:`httpx.BaseTransport` to plug in (the emulator);
    * ``verify`` — TLS verification (on by default; ``False`` for self-signed
      certificates, or an :class:`ssl.SSLContext`);
    * ``retry`` — a :class:`RetryPolicy`, or None to never retry;
    * ``rate_limit`` — a :class:`RateLimit`, or None to turn the limiter off;
    * ``device`` — the ``X-Accsyn-Device`` header. The default has the official
      3.4.0 client's exact format, ``PythonAPI v3.4.0 @ <platform> <hostname>(<os>)``,
      because the backend identifies API devices by it;
    * ``clock`` — where retries and the limiter read time and sleep (tests);
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
        transport: httpx.BaseTransport | None = None,
        verify: bool | ssl.SSLContext = True,
        retry: RetryPolicy | None = _DEFAULT_RETRY,
        rate_limit: RateLimit | None = _DEFAULT_RATE_LIMIT,
        device: str | None = None,
        clock: Clock | None = None,
        lazy: bool = False,
    ) -> None:
        del pretty_json  # accepted for compatibility; debug logs are already compact
        _configure_logging(verbose, path_logfile)
        config = resolve_config(
            workspace=workspace,
            username=username,
            api_key=api_key,
            hostname=hostname,
            port=port,
            proxy=proxy,
            timeout=timeout,
            connect_timeout=connect_timeout,
            domain=domain,
            path_envfile=path_envfile,
            base_url=base_url,
            verify=verify,
            device=device,
        )
        self._core = _Core(config, retry, rate_limit, clock)
        self._client = httpx.Client(transport=transport, **_client_kwargs(config))
        self._driver = SyncDriver(self._client, self._core.clock, self._core.redact)
        self._login_lock = threading.Lock()
        if not lazy:
            try:
                self.login()
            except BaseException:
                self._client.close()
                raise

    # -- lifecycle ---------------------------------------------------------------------

    def login(self) -> None:
        """Resolve the workspace host (if needed) and log in; a no-op once logged in."""
        with self._login_lock:
            if not self._core.logged_in:
                self._run(self._core.login_flow())

    def close(self) -> None:
        """Close the connection pool."""
        self._client.close()

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return self._core.repr("Session")

    # -- low level ---------------------------------------------------------------------

    def _send(self, req: EventRequest) -> Body:
        """Send one event; return the decoded body or raise a typed error."""
        if not self._core.logged_in:
            self.login()
        return self._transmit(req)

    def _transmit(self, req: EventRequest | HttpRequest) -> Body:
        try:
            return self._driver.run(self._core.transmit(self._core.encode(req)))
        except APIError as exc:
            self._core.note_error(exc)
            raise

    def _run(self, op: Op_[T]) -> T:
        try:
            req = next(op)
            while True:
                body = self._transmit(req) if isinstance(req, HttpRequest) else self._send(req)
                req = op.send(body)
        except StopIteration as stop:
            return stop.value  # type: ignore[no-any-return]

    @staticmethod
    def dump(d: Any, indent: int = 4) -> str:
        """JSON text of ``d`` with dates encoded as on the wire."""
        return json.dumps(d, indent=indent, default=wire._json_default) if d is not None else "None"

    # -- query and read ----------------------------------------------------------------

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
    ) -> Any:
        """Entities matching ``query`` (a string or a built :class:`accsyn.query.Query`).

        Returns models (``raw=True``: wire dicts). ``find("entitytypes")`` and
        ``find("attributes WHERE entitytype=X", create=?, update=?)`` return names.
        """
        return self._run(
            _op_find(
                query, entityid, attributes, finished, inactive, offline, archived,
                limit, skip, create, update, single_entity_query, raw,
            )
        )  # fmt: skip

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
    ) -> Any:
        """The first entity matching ``query`` (server scope relaxed), or None."""
        return self._run(
            _op_find(
                query, entityid, attributes, finished, inactive or offline, None, archived,
                None, None, False, False, True, raw,
            )
        )  # fmt: skip

    def get_entity(self, entitytype: str, entityid: str, *, raw: bool = False) -> Any:
        """One entity by type and id, in any state (active, finished, inactive, archived)."""
        return self._run(_op_get_entity(entitytype, entityid, raw))

    def report(self, query: str | Query) -> Any:
        """(Support) the backend's text report for an entity."""
        return self._run(_op_report(query))

    def metrics(
        self, query: str | Query, attributes: Sequence[str] | None = None, time: str | None = None
    ) -> Any:
        """Metrics for an entity (job)."""
        return self._run(_op_metrics(query, attributes, time))

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
    ) -> Any:
        """Create an entity; returns it (a list when several were created). Never retried
        unless the connection could not be made."""
        return self._run(
            _op_create(entitytype, data, entityid, allow_duplicates, replace_duplicates, raw)
        )

    def update(
        self, entitytype: str, entityid: str, data: Mapping[str, Any], *, raw: bool = False
    ) -> Any:
        """Update an entity; returns the updated entity."""
        return self._run(_op_update(entitytype, entityid, data, raw))

    def update_one(
        self, entitytype: str, entityid: str, data: Mapping[str, Any], *, raw: bool = False
    ) -> Any:
        """Deprecated alias of :meth:`update`."""
        warnings.warn("update_one is deprecated, use update", DeprecationWarning, stacklevel=2)
        return self.update(entitytype, entityid, data, raw=raw)

    def update_many(
        self,
        entitytype: str,
        entityid: str,
        data: Sequence[Mapping[str, Any]],
        *,
        raw: bool = False,
    ) -> Any:
        """Update several tasks of the job ``entityid``."""
        return self._run(_op_update_many(entitytype, entityid, data, raw))

    def delete_one(
        self, entitytype: str, entityid: str, data: Mapping[str, Any] | None = None
    ) -> Any:
        """Delete (archive) an entity."""
        return self._run(_op_simple(wire.delete_one_request(entitytype, entityid, data)))

    def delete_many(self, entitytype: str, entityid: str, data: Mapping[str, Any]) -> Any:
        """Remove files from the collection ``entityid``."""
        return self._run(_op_simple(wire.delete_many_request(entitytype, entityid, data)))

    def deactivate_one(self, entitytype: str, entityid: str) -> Any:
        """Deactivate an entity (kept for audit and later activation)."""
        return self._run(_op_simple(wire.deactivate_request(entitytype, entityid)))

    def offline_one(self, entitytype: str, entityid: str) -> Any:
        """Deprecated alias of :meth:`deactivate_one`."""
        warnings.warn(
            "offline_one is deprecated, use deactivate_one", DeprecationWarning, stacklevel=2
        )
        return self.deactivate_one(entitytype, entityid)

    def activate_one(self, entitytype: str, entityident: str) -> Any:
        """Activate a deactivated entity, by id or by code/e-mail."""
        return self._run(_op_simple(wire.activate_request(entitytype, entityident)))

    # -- assignment and access ---------------------------------------------------------------

    def assign(self, entitytype_parent: str, entitytype: str, data: Mapping[str, Any]) -> Any:
        """Assign a server to a volume or share."""
        return self._run(_op_simple(wire.assign_request(entitytype_parent, entitytype, data)))

    def deassign(self, entitytype_parent: str, entitytype: str, data: Mapping[str, Any]) -> Any:
        """Remove a server assignment from a volume or share."""
        return self._run(_op_simple(wire.deassign_request(entitytype_parent, entitytype, data)))

    def assignments(self, entitytype: str, entityid: str) -> Any:
        """Servers assigned to a volume or share."""
        return self._run(_op_simple(wire.assignments_request(entitytype, entityid)))

    def grant(
        self,
        entitytype: str,
        entityid: str,
        targettype: str,
        targetid: str,
        data: Mapping[str, Any] | None = None,
    ) -> Any:
        """Give a user access to a delivery/request/stream or a share (3.4.0 semantics)."""
        return self._run(_op_grant(entitytype, entityid, targettype, targetid, data))

    def access(
        self,
        targettype: str,
        targetid: str,
        entitytype: str | None = None,
        entityid: str | None = None,
        *,
        recursive: bool = False,
    ) -> list[dict[str, Any]]:
        """Who has access to a delivery/request/stream (recipients) or a share (ACLs)."""
        return self._run(_op_access(targettype, targetid, entitytype, entityid, recursive))

    def revoke(self, entitytype: str, entityid: str, targettype: str, targetid: str) -> Any:
        """Remove a user's access; False if there was none (3.4.0 semantics)."""
        return self._run(_op_revoke(entitytype, entityid, targettype, targetid))

    # -- files ---------------------------------------------------------------------------------

    def ls(
        self,
        path: str | Mapping[str, Any] | Sequence[str],
        recursive: bool = False,
        maxdepth: int | None = None,
        getsize: bool = False,
        files_only: bool = False,
        directories_only: bool = False,
        include: str | Sequence[str] | None = None,
        exclude: str | Sequence[str] | None = None,
    ) -> Any:
        """List files at an accsyn path."""
        return self._run(
            _op_simple(
                wire.ls_request(
                    path,
                    recursive,
                    maxdepth,
                    getsize,
                    files_only,
                    directories_only,
                    include,
                    exclude,
                )
            )
        )

    def getsize(
        self,
        path: str | Mapping[str, Any] | Sequence[str],
        include: str | Sequence[str] | None = None,
        exclude: str | Sequence[str] | None = None,
    ) -> Any:
        """Size in bytes of a file or directory."""
        return self._run(_op_simple(wire.getsize_request(path, include, exclude)))

    def exists(self, path: str | Mapping[str, Any] | Sequence[str]) -> Any:
        """Whether a file or directory exists."""
        return self._run(_op_simple(wire.exists_request(path)))

    def mkdir(self, path: str | Mapping[str, Any] | Sequence[str]) -> Any:
        """Create a directory."""
        return self._run(_op_simple(wire.mkdir_request(path)))

    def rename(
        self,
        path: str | Mapping[str, Any] | Sequence[str],
        path_to: str | Mapping[str, Any] | Sequence[str],
    ) -> Any:
        """Rename a file or directory."""
        return self._run(_op_simple(wire.rename_request(path, path_to)))

    def mv(
        self,
        path_src: str | Mapping[str, Any] | Sequence[str],
        path_dst: str | Mapping[str, Any] | Sequence[str],
    ) -> Any:
        """Move a file or directory."""
        return self._run(_op_simple(wire.mv_request(path_src, path_dst)))

    def delete(self, path: str | Mapping[str, Any] | Sequence[str], force: bool = False) -> Any:
        """Delete a file or directory (``force`` for a non-empty directory)."""
        return self._run(_op_simple(wire.delete_path_request(path, force)))

    def prepublish(self, data: Sequence[Mapping[str, Any]]) -> Any:
        """Pre-process a publish (sizes are filled in; the caller's entries are not modified)."""
        return self._run(_op_simple(wire.prepublish_request(data)))

    # -- settings, logs, misc ----------------------------------------------------------------

    def get_setting(
        self,
        name: str | None = None,
        entitytype: str = "workspace",
        entityid: str | None = None,
        integration: str | None = None,
        data: Mapping[str, Any] | None = None,
    ) -> Any:
        """One setting's value."""
        return self._run(
            _op_simple(wire.get_setting_request(name, entitytype, entityid, integration, data))
        )

    def get_settings(
        self,
        entitytype: str | None = None,
        entityid: str | None = None,
        recursive: bool = False,
        upstream: bool = False,
        omit_defaults: bool = True,
        share: str | None = None,
    ) -> Any:
        """All settings of a scope, as a dict."""
        return self._run(
            _op_get_settings(
                wire.get_settings_request(
                    entitytype, entityid, recursive, upstream, omit_defaults, share
                )
            )
        )

    def set_setting(
        self, entitytype: str, name: str, value: str, entityid: str | None = None
    ) -> bool:
        """Set a setting (values are strings)."""
        return self._run(_op_bool(wire.set_setting_request(entitytype, name, value, entityid)))

    def delete_setting(self, entitytype: str, name: str, entityid: str | None = None) -> bool:
        """Delete a setting."""
        return self._run(_op_bool(wire.delete_setting_request(entitytype, name, entityid)))

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
            _op_logs(
                wire.logs_request(
                    entitytype, entityid, search, sort, sort_reverse,
                    pagination_page, pagination_limit, pagination_skip,
                )
            )
        )  # fmt: skip

    def get_api_key(self) -> Any:
        """The user's API key (disabled by default in the backend)."""
        return self._run(_op_api_key())

    def integration(self, name: str, operation: str, data: Any) -> Any:
        """Call an integration utility (e.g. ftrack)."""
        return self._run(_op_simple(wire.integration_request(name, operation, data)))

    def app_is_running(self) -> bool | None:
        """Whether the desktop app runs on this machine as this user (None: not found)."""
        self.login()
        assert self._core.user_id is not None
        return self._run(_op_running(self._core.user_id, wire.client_hostname(), False))

    def daemon_is_running(self) -> bool | None:
        """Whether a daemon runs on this machine as this user (None: not found)."""
        self.login()
        assert self._core.user_id is not None
        return self._run(_op_running(self._core.user_id, wire.client_hostname(), True))

    gui_is_running = app_is_running
    server_is_running = daemon_is_running


# --------------------------------------------------------------------------------------
# Async session
# --------------------------------------------------------------------------------------


class AsyncSession(_SessionBase, AsyncRepositoryMixin):
    """The asyncio twin of :class:`Session`: same arguments, same operations, awaited.

    The login happens on ``async with`` (or :meth:`login`, or the first call);
    ``transport`` takes an :class:`httpx.AsyncBaseTransport`.
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
        transport: httpx.AsyncBaseTransport | None = None,
        verify: bool | ssl.SSLContext = True,
        retry: RetryPolicy | None = _DEFAULT_RETRY,
        rate_limit: RateLimit | None = _DEFAULT_RATE_LIMIT,
        device: str | None = None,
        clock: Clock | None = None,
    ) -> None:
        del pretty_json
        _configure_logging(verbose, path_logfile)
        config = resolve_config(
            workspace=workspace,
            username=username,
            api_key=api_key,
            hostname=hostname,
            port=port,
            proxy=proxy,
            timeout=timeout,
            connect_timeout=connect_timeout,
            domain=domain,
            path_envfile=path_envfile,
            base_url=base_url,
            verify=verify,
            device=device,
        )
        self._core = _Core(config, retry, rate_limit, clock)
        kwargs = _client_kwargs(config)
        if transport is None and "proxy" not in kwargs:
            transport = async_transport(verify=kwargs["verify"], limits=kwargs["limits"])
        self._client = httpx.AsyncClient(transport=transport, **kwargs)
        self._driver = AsyncDriver(self._client, self._core.clock, self._core.redact)
        self._login_lock: asyncio.Lock | None = None

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
        await self._client.aclose()

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

    # -- low level ---------------------------------------------------------------------

    async def _send(self, req: EventRequest) -> Body:
        """Send one event; return the decoded body or raise a typed error."""
        if not self._core.logged_in:
            await self.login()
        return await self._transmit(req)

    async def _transmit(self, req: EventRequest | HttpRequest) -> Body:
        try:
            return await self._driver.run(self._core.transmit(self._core.encode(req)))
        except APIError as exc:
            self._core.note_error(exc)
            raise

    async def _run(self, op: Op_[T]) -> T:
        try:
            req = next(op)
            while True:
                if isinstance(req, HttpRequest):
                    body = await self._transmit(req)
                else:
                    body = await self._send(req)
                req = op.send(body)
        except StopIteration as stop:
            return stop.value  # type: ignore[no-any-return]

    # -- operations (see Session for documentation) ------------------------------------

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
    ) -> Any:
        """Entities matching ``query``; see :meth:`Session.find`."""
        return await self._run(
            _op_find(
                query, entityid, attributes, finished, inactive, offline, archived,
                limit, skip, create, update, single_entity_query, raw,
            )
        )  # fmt: skip

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
    ) -> Any:
        """The first entity matching ``query``, or None."""
        return await self._run(
            _op_find(
                query, entityid, attributes, finished, inactive or offline, None, archived,
                None, None, False, False, True, raw,
            )
        )  # fmt: skip

    async def get_entity(self, entitytype: str, entityid: str, *, raw: bool = False) -> Any:
        """One entity by type and id, in any state."""
        return await self._run(_op_get_entity(entitytype, entityid, raw))

    async def report(self, query: str | Query) -> Any:
        """(Support) the backend's text report for an entity."""
        return await self._run(_op_report(query))

    async def metrics(
        self, query: str | Query, attributes: Sequence[str] | None = None, time: str | None = None
    ) -> Any:
        """Metrics for an entity (job)."""
        return await self._run(_op_metrics(query, attributes, time))

    async def create(
        self,
        entitytype: str,
        data: str | Mapping[str, Any] | Sequence[Mapping[str, Any]],
        entityid: str | None = None,
        allow_duplicates: bool | None = None,
        replace_duplicates: bool | None = None,
        *,
        raw: bool = False,
    ) -> Any:
        """Create an entity."""
        return await self._run(
            _op_create(entitytype, data, entityid, allow_duplicates, replace_duplicates, raw)
        )

    async def update(
        self, entitytype: str, entityid: str, data: Mapping[str, Any], *, raw: bool = False
    ) -> Any:
        """Update an entity."""
        return await self._run(_op_update(entitytype, entityid, data, raw))

    async def update_many(
        self,
        entitytype: str,
        entityid: str,
        data: Sequence[Mapping[str, Any]],
        *,
        raw: bool = False,
    ) -> Any:
        """Update several tasks of a job."""
        return await self._run(_op_update_many(entitytype, entityid, data, raw))

    async def delete_one(
        self, entitytype: str, entityid: str, data: Mapping[str, Any] | None = None
    ) -> Any:
        """Delete (archive) an entity."""
        return await self._run(_op_simple(wire.delete_one_request(entitytype, entityid, data)))

    async def delete_many(self, entitytype: str, entityid: str, data: Mapping[str, Any]) -> Any:
        """Remove files from a collection."""
        return await self._run(_op_simple(wire.delete_many_request(entitytype, entityid, data)))

    async def deactivate_one(self, entitytype: str, entityid: str) -> Any:
        """Deactivate an entity."""
        return await self._run(_op_simple(wire.deactivate_request(entitytype, entityid)))

    async def activate_one(self, entitytype: str, entityident: str) -> Any:
        """Activate a deactivated entity."""
        return await self._run(_op_simple(wire.activate_request(entitytype, entityident)))

    async def assign(self, entitytype_parent: str, entitytype: str, data: Mapping[str, Any]) -> Any:
        """Assign a server to a volume or share."""
        return await self._run(_op_simple(wire.assign_request(entitytype_parent, entitytype, data)))

    async def deassign(
        self, entitytype_parent: str, entitytype: str, data: Mapping[str, Any]
    ) -> Any:
        """Remove a server assignment."""
        return await self._run(
            _op_simple(wire.deassign_request(entitytype_parent, entitytype, data))
        )

    async def assignments(self, entitytype: str, entityid: str) -> Any:
        """Servers assigned to a volume or share."""
        return await self._run(_op_simple(wire.assignments_request(entitytype, entityid)))

    async def grant(
        self,
        entitytype: str,
        entityid: str,
        targettype: str,
        targetid: str,
        data: Mapping[str, Any] | None = None,
    ) -> Any:
        """Give a user access to a job or a share."""
        return await self._run(_op_grant(entitytype, entityid, targettype, targetid, data))

    async def access(
        self,
        targettype: str,
        targetid: str,
        entitytype: str | None = None,
        entityid: str | None = None,
        *,
        recursive: bool = False,
    ) -> list[dict[str, Any]]:
        """Who has access to a job or a share."""
        return await self._run(_op_access(targettype, targetid, entitytype, entityid, recursive))

    async def revoke(self, entitytype: str, entityid: str, targettype: str, targetid: str) -> Any:
        """Remove a user's access."""
        return await self._run(_op_revoke(entitytype, entityid, targettype, targetid))

    async def ls(
        self,
        path: str | Mapping[str, Any] | Sequence[str],
        recursive: bool = False,
        maxdepth: int | None = None,
        getsize: bool = False,
        files_only: bool = False,
        directories_only: bool = False,
        include: str | Sequence[str] | None = None,
        exclude: str | Sequence[str] | None = None,
    ) -> Any:
        """List files at an accsyn path."""
        return await self._run(
            _op_simple(
                wire.ls_request(
                    path,
                    recursive,
                    maxdepth,
                    getsize,
                    files_only,
                    directories_only,
                    include,
                    exclude,
                )
            )
        )

    async def getsize(
        self,
        path: str | Mapping[str, Any] | Sequence[str],
        include: str | Sequence[str] | None = None,
        exclude: str | Sequence[str] | None = None,
    ) -> Any:
        """Size in bytes of a file or directory."""
        return await self._run(_op_simple(wire.getsize_request(path, include, exclude)))

    async def exists(self, path: str | Mapping[str, Any] | Sequence[str]) -> Any:
        """Whether a file or directory exists."""
        return await self._run(_op_simple(wire.exists_request(path)))

    async def mkdir(self, path: str | Mapping[str, Any] | Sequence[str]) -> Any:
        """Create a directory."""
        return await self._run(_op_simple(wire.mkdir_request(path)))

    async def rename(
        self,
        path: str | Mapping[str, Any] | Sequence[str],
        path_to: str | Mapping[str, Any] | Sequence[str],
    ) -> Any:
        """Rename a file or directory."""
        return await self._run(_op_simple(wire.rename_request(path, path_to)))

    async def mv(
        self,
        path_src: str | Mapping[str, Any] | Sequence[str],
        path_dst: str | Mapping[str, Any] | Sequence[str],
    ) -> Any:
        """Move a file or directory."""
        return await self._run(_op_simple(wire.mv_request(path_src, path_dst)))

    async def delete(
        self, path: str | Mapping[str, Any] | Sequence[str], force: bool = False
    ) -> Any:
        """Delete a file or directory."""
        return await self._run(_op_simple(wire.delete_path_request(path, force)))

    async def prepublish(self, data: Sequence[Mapping[str, Any]]) -> Any:
        """Pre-process a publish."""
        return await self._run(_op_simple(wire.prepublish_request(data)))

    async def get_setting(
        self,
        name: str | None = None,
        entitytype: str = "workspace",
        entityid: str | None = None,
        integration: str | None = None,
        data: Mapping[str, Any] | None = None,
    ) -> Any:
        """One setting's value."""
        return await self._run(
            _op_simple(wire.get_setting_request(name, entitytype, entityid, integration, data))
        )

    async def get_settings(
        self,
        entitytype: str | None = None,
        entityid: str | None = None,
        recursive: bool = False,
        upstream: bool = False,
        omit_defaults: bool = True,
        share: str | None = None,
    ) -> Any:
        """All settings of a scope."""
        return await self._run(
            _op_get_settings(
                wire.get_settings_request(
                    entitytype, entityid, recursive, upstream, omit_defaults, share
                )
            )
        )

    async def set_setting(
        self, entitytype: str, name: str, value: str, entityid: str | None = None
    ) -> bool:
        """Set a setting."""
        return await self._run(
            _op_bool(wire.set_setting_request(entitytype, name, value, entityid))
        )

    async def delete_setting(self, entitytype: str, name: str, entityid: str | None = None) -> bool:
        """Delete a setting."""
        return await self._run(_op_bool(wire.delete_setting_request(entitytype, name, entityid)))

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
        """Backend logs of a scope."""
        return await self._run(
            _op_logs(
                wire.logs_request(
                    entitytype, entityid, search, sort, sort_reverse,
                    pagination_page, pagination_limit, pagination_skip,
                )
            )
        )  # fmt: skip

    async def get_api_key(self) -> Any:
        """The user's API key."""
        return await self._run(_op_api_key())

    async def integration(self, name: str, operation: str, data: Any) -> Any:
        """Call an integration utility."""
        return await self._run(_op_simple(wire.integration_request(name, operation, data)))

    async def app_is_running(self) -> bool | None:
        """Whether the desktop app runs on this machine as this user."""
        await self.login()
        assert self._core.user_id is not None
        return await self._run(_op_running(self._core.user_id, wire.client_hostname(), False))

    async def daemon_is_running(self) -> bool | None:
        """Whether a daemon runs on this machine as this user."""
        await self.login()
        assert self._core.user_id is not None
        return await self._run(_op_running(self._core.user_id, wire.client_hostname(), True))
