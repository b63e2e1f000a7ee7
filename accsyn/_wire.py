"""The accsyn v3 wire protocol, sans-IO.

Pure functions and value objects: they build the bytes the official client sends
(protocol.md §1–§3) and turn answers into results or typed errors. The sync and
async drivers in :mod:`accsyn._http` move these requests; nothing here does I/O.

* :class:`EventRequest` names one ``/api/v3/event`` operation (method, uri, data,
  query, id); the ``*_request`` builders make one for every operation of the
  official client.
* :func:`encode_event` wraps it in the envelope and encodes it for its method (GET and
  DELETE: the URL-quoted JSON as the raw query string; PUT and POST: the JSON body),
  compressing large payloads into ``gz_data``.
* :func:`interpret_response` maps status and body to a result dict or an error from
  :mod:`accsyn._exceptions`.
* :func:`explain` shows the exact HTTP request for an :class:`EventRequest`, secrets
  redacted, without sending it.
"""

from __future__ import annotations

import base64
import datetime as _dt
import email.utils
import enum
import gzip
import json
import re
import socket
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

from accsyn import _constants as const
from accsyn._config import Config, Secret
from accsyn._exceptions import (
    APIError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    ProtocolError,
    RateLimitError,
    ServerError,
    ValidationError,
)
from accsyn.query import Comparison, Op, Query, and_, or_, parse, render

__all__ = [
    "Endpoint",
    "EventRequest",
    "ExplainedRequest",
    "HttpRequest",
    "WireContext",
    "api_endpoint",
    "auth_header",
    "build_envelope",
    "dumps",
    "encode_event",
    "explain",
    "find_request",
    "interpret_response",
    "login_request",
    "master_endpoint",
    "master_lookup_request",
    "parse_retry_after",
    "split_query",
]

_ID = re.compile(const.ID_PATTERN)


# --------------------------------------------------------------------------------------
# Value objects
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EventRequest:
    """One ``/api/v3/event`` operation, before the envelope is added.

    ``uri`` is the operation route (``transfer/find``); ``data`` the payload (a dict,
    a list, or None which is sent as ``null``); ``query`` and ``entityid`` become the
    envelope's ``query`` and ``id`` fields when truthy.
    """

    method: str
    uri: str
    data: Any = None
    query: str | None = None
    entityid: str | None = None

    def __post_init__(self) -> None:
        method = self.method.upper()
        if method not in ("GET", "PUT", "POST", "DELETE"):
            raise ValidationError(f"unsupported HTTP method {self.method!r}")
        object.__setattr__(self, "method", method)

    @property
    def is_read(self) -> bool:
        """GET requests change nothing on the server, so they may be retried freely."""
        return self.method == "GET"


@dataclass(frozen=True)
class WireContext:
    """Who is calling: what the envelope and headers say about the caller."""

    workspace: str
    username: str
    api_key: Secret = field(repr=False)
    device: str
    client_hostname: str
    session_id: str | None = field(default=None, repr=False)


@dataclass(frozen=True)
class Endpoint:
    """Where requests go: ``<base>/api/v3<uri>`` (the port is always written out)."""

    base: str

    @classmethod
    def of(cls, scheme: str, host: str, port: int) -> Endpoint:
        """Build from parts, writing the port even when it is the default one."""
        return cls(f"{scheme}://{host}:{port}")

    def url(self, uri: str) -> str:
        """The full URL of ``uri`` (a ``/`` is inserted when missing)."""
        return f"{self.base}{const.API_PREFIX}{uri if uri.startswith('/') else '/' + uri}"


@dataclass(frozen=True)
class HttpRequest:
    """An encoded HTTP request, ready for a driver.

    ``idempotent`` says whether it may be sent again after an answer was lost (reads,
    the lookup and login); ``envelope`` is kept for (redacted) debug logging.
    """

    method: str
    url: str
    headers: tuple[tuple[str, str], ...]
    content: bytes | None
    uri: str
    idempotent: bool
    envelope: Mapping[str, Any] | None = field(default=None, repr=False)

    @property
    def url_without_query(self) -> str:
        """The URL minus its raw query string (which holds the envelope)."""
        return self.url.split("?", 1)[0]


# --------------------------------------------------------------------------------------
# JSON and the date codec
# --------------------------------------------------------------------------------------


def encode_date(value: _dt.date) -> str:
    """Client → server date format: UTC ``YYYY-MM-DDTHH:MM:SS``.

    Naive datetimes are local time (as in the official client); ``date`` values are
    written as midnight with no zone conversion.
    """
    # isoformat() always writes a 4-digit year (strftime's %Y does not on Linux).
    if isinstance(value, _dt.datetime):
        if value.tzinfo is None:
            value = value.astimezone()  # naive means local time
        utc = value.astimezone(_dt.timezone.utc)
        return utc.replace(microsecond=0, tzinfo=None).isoformat()
    return f"{value.isoformat()}T00:00:00"


_DATE_RE = re.compile(r"^\d{2,4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?$")


def decode_date(text: str) -> _dt.datetime | None:
    """Server → client: a ``YYYY-MM-DDTHH:MM:SS[.mmm]`` UTC string as an aware datetime."""
    if not _DATE_RE.match(text):
        return None
    year = text.split("-", 1)[0]
    fmt = ("%Y" if len(year) == 4 else "%y") + "-%m-%dT%H:%M:%S" + (".%f" if "." in text else "")
    try:
        return _dt.datetime.strptime(text, fmt).replace(tzinfo=_dt.timezone.utc)
    except ValueError:
        return None


def _json_default(obj: object) -> Any:
    if isinstance(obj, _dt.date):
        return encode_date(obj)
    if isinstance(obj, enum.Enum):
        return obj.value
    to_wire = getattr(obj, "to_wire", None)
    if callable(to_wire):
        return to_wire()
    if isinstance(obj, Secret):
        raise ValidationError("a Secret cannot be sent in a payload")
    if isinstance(obj, set | frozenset | tuple):
        return list(obj)
    raise ValidationError(
        f"cannot send a {type(obj).__name__} in a payload (not JSON serialisable)"
    )


def dumps(obj: Any) -> str:
    """JSON exactly as the official client writes it (``", "``/``": "``, ASCII only)."""
    return json.dumps(obj, default=_json_default)


_OBJECT_ID_TAG = b"ObjectId:"


def _strip_object_ids(obj: Any) -> Any:
    """Remove the backend's ``ObjectId:`` tags from string values (protocol.md §2.3)."""
    if isinstance(obj, dict):
        return {k: _strip_object_ids(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_strip_object_ids(v) for v in obj]
    if isinstance(obj, str) and obj.startswith("ObjectId:"):
        return obj.replace("ObjectId:", "")
    return obj


def estimate_size(obj: Any) -> int:
    """The official client's payload size estimate (protocol.md §2.4)."""
    total = 0
    stack = [obj]
    while stack:
        o = stack.pop()
        if o is None:
            continue
        if isinstance(o, dict):
            for k, v in o.items():
                total += len(str(k))
                stack.append(v)
        elif isinstance(o, list):
            stack.extend(o)
        elif isinstance(o, str):
            total += len(o)
        else:
            total += 10
    return total


def compress(data: Any) -> str:
    """gzip + base64 a payload for ``gz_data``."""
    return base64.b64encode(gzip.compress(dumps(data).encode("ascii"), compresslevel=9)).decode(
        "ascii"
    )


def decompress(gz_data: str) -> Any:
    """Inverse of :func:`compress`."""
    return json.loads(gzip.decompress(base64.b64decode(gz_data)))


# --------------------------------------------------------------------------------------
# Endpoints and authentication
# --------------------------------------------------------------------------------------


def _route(config: Config, host: str, port: int) -> Endpoint:
    scheme = "https"
    if config.dev:
        # Dev mode talks plain http on 8181, whatever the port says (official behaviour).
        scheme, port = "http", const.DEV_PORT
    if config.proxy is not None and config.proxy.kind == "accsyn":
        # The accsyn relay speaks plain http and takes the place of the workspace host.
        scheme, host, port = "http", config.proxy.host, config.proxy.port
    return Endpoint.of(scheme, host, port)


def master_endpoint(config: Config) -> Endpoint:
    """Where the workspace lookup goes (a custom ``port`` applies here too, as officially)."""
    return _route(config, const.MASTER_HOSTNAME, config.port or const.DEFAULT_PORT)


def api_endpoint(
    config: Config, looked_up_host: str | None = None, looked_up_port: int | None = None
) -> Endpoint:
    """Where login and events go, given the master lookup's answer (if one was made)."""
    if config.base_url is not None:
        return Endpoint(config.base_url)
    host = config.hostname or (const.DEV_HOSTNAME if config.dev else looked_up_host)
    if host is None:
        # Only reachable when explaining offline: the official fallback host.
        host = f"{config.workspace}.{const.BACKEND_DOMAIN}"
    port = config.port or looked_up_port or (const.DEV_PORT if config.dev else const.DEFAULT_PORT)
    return _route(config, host, port)


def _b64(text: str) -> str:
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


def auth_header(username: str, api_key: Secret) -> str:
    """``basic <b64 user>:<b64 key>`` — each part encoded separately (not RFC 7617)."""
    return f"basic {_b64(username)}:{_b64(api_key.get_secret_value())}"


def _auth_headers(ctx: WireContext) -> tuple[tuple[str, str], ...]:
    return (
        ("Authorization", auth_header(ctx.username, ctx.api_key)),
        ("X-Accsyn-Workspace", ctx.workspace),
        ("X-Accsyn-Device", ctx.device),
    )


#: ``quote(c, safe="/")`` of every ASCII character, for one ``str.translate`` pass.
_QUOTE_ASCII = {i: quote(chr(i), safe="/") for i in range(128)}


def _quote_json(obj: Any) -> str:
    text = dumps(obj)
    # dumps() writes ASCII only; translate gives quote()'s bytes without its
    # per-character Python loop. Anything else goes through quote() itself.
    return text.translate(_QUOTE_ASCII) if text.isascii() else quote(text, safe="/")


def master_lookup_request(endpoint: Endpoint, workspace: str, device: str) -> HttpRequest:
    """``GET /api/v3/J3PKTtDvolDMBtTy6AFGA?<{"ident": workspace}>``, device header only."""
    url = f"{endpoint.url(const.MASTER_LOOKUP_URI)}?{_quote_json({'ident': workspace})}"
    return HttpRequest(
        "GET", url, (("X-Accsyn-Device", device),), None, const.MASTER_LOOKUP_URI, True
    )


def login_request(endpoint: Endpoint, ctx: WireContext) -> HttpRequest:
    """``PUT /api/v3/api/login`` with body ``{}`` and the credential headers."""
    return HttpRequest(
        "PUT", endpoint.url(const.LOGIN_URI), _auth_headers(ctx), b"{}", const.LOGIN_URI, True
    )


def parse_lookup(body: Mapping[str, Any], workspace: str) -> tuple[str, int | None]:
    """The workspace API host and port from a master lookup answer."""
    result = body.get("result")
    if not isinstance(result, dict) or not result.get("hostname"):
        raise ProtocolError(f"No API endpoint hostname was provided for workspace {workspace}!")
    port = result.get("port")
    return str(result["hostname"]), int(port) if isinstance(port, int | str) and port else None


def parse_login(body: Mapping[str, Any]) -> tuple[str, str, str]:
    """``(role, user id, session id)`` from a login answer."""
    result = body.get("result")
    if not isinstance(result, dict) or not result.get("id") or not result.get("session_id"):
        raise ProtocolError("The login answer holds no user id and session id")
    return str(result.get("role", "none")), str(result["id"]), str(result["session_id"])


# --------------------------------------------------------------------------------------
# Events
# --------------------------------------------------------------------------------------


def _nonempty(data: Any) -> bool:
    try:
        return data is not None and len(data) > 0
    except TypeError:
        return True


def build_envelope(
    req: EventRequest,
    ctx: WireContext,
    *,
    eid: str | None = None,
    created: _dt.datetime | None = None,
) -> dict[str, Any]:
    """The event envelope, fields in the official client's order (protocol.md §2.1)."""
    envelope: dict[str, Any] = {
        "audience": const.AUDIENCE,
        "workspace": ctx.workspace,
        "eid": eid or str(uuid.uuid4()),
        "session": ctx.session_id,
        "uri": req.uri,
        "ident": ctx.username,
        "created": encode_date(created or _dt.datetime.now(_dt.timezone.utc)),
        "hostname": ctx.client_hostname,
    }
    if _nonempty(req.data) and estimate_size(req.data) > const.COMPRESS_THRESHOLD:
        envelope["gz_data"] = compress(req.data)
    else:
        envelope["data"] = req.data
    if req.query:
        envelope["query"] = req.query
    if req.entityid:
        envelope["id"] = req.entityid
    return envelope


def encode_event(
    req: EventRequest,
    ctx: WireContext,
    endpoint: Endpoint,
    *,
    eid: str | None = None,
    created: _dt.datetime | None = None,
) -> HttpRequest:
    """Encode an event for its method: raw query string (GET/DELETE) or JSON body."""
    envelope = build_envelope(req, ctx, eid=eid, created=created)
    url = endpoint.url(const.EVENT_URI)
    headers = _auth_headers(ctx)
    content: bytes | None
    if req.method in ("GET", "DELETE"):
        url = f"{url}?{_quote_json(envelope)}"
        content = None
        if req.method == "DELETE":
            # requests sends an explicit empty body on DELETE; so do we.
            headers = (*headers, ("Content-Length", "0"))
    else:
        content = dumps(envelope).encode("ascii")
    return HttpRequest(req.method, url, headers, content, req.uri, req.is_read, envelope)


def decode_event(method: str, raw_query: str | bytes, body: bytes) -> dict[str, Any]:
    """Decode an envelope as a server sees it (used by tests and tooling)."""
    if method.upper() in ("GET", "DELETE"):
        text = raw_query.decode("ascii") if isinstance(raw_query, bytes) else raw_query
        envelope = json.loads(unquote(text))
    else:
        envelope = json.loads(body)
    if not isinstance(envelope, dict):
        raise ProtocolError("the envelope is not a JSON object")
    return envelope


# --------------------------------------------------------------------------------------
# Responses
# --------------------------------------------------------------------------------------


def parse_retry_after(value: object, *, now: _dt.datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (seconds or HTTP date) or body field."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return max(0.0, float(value))
    text = str(value).strip()
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=_dt.timezone.utc)
    return max(0.0, (when - (now or _dt.datetime.now(_dt.timezone.utc))).total_seconds())


_STATUS_ERRORS: dict[int, type[APIError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: BadRequestError,
    429: RateLimitError,
}
# Only unambiguous wording: a 200 with a message is inferred conservatively.
_TEXT_HINTS: tuple[tuple[re.Pattern[str], type[APIError]], ...] = (
    (re.compile(r"too many requests|rate limit", re.I), RateLimitError),
    (
        re.compile(
            r"(invalid|wrong|expired|unknown|bad) (api[ _-]?key|credentials)|not authenticated"
            r"|authentication failed",
            re.I,
        ),
        AuthenticationError,
    ),
    (re.compile(r"permission denied|access denied|not permitted", re.I), PermissionDeniedError),
)


def _error_class(status: int, body: Mapping[str, Any], text: str) -> type[APIError]:
    if status in _STATUS_ERRORS:
        return _STATUS_ERRORS[status]
    if status >= 500:
        return ServerError
    if "retry_after" in body:
        return RateLimitError
    if body.get("session_expired") is True:
        return AuthenticationError
    if status < 400:
        for pattern, cls in _TEXT_HINTS:
            if pattern.search(text):
                return cls
    return APIError


def header_value(headers: Mapping[str, str] | Iterable[tuple[str, str]], name: str) -> str | None:
    """A header's value, looked up case-insensitively (None when absent)."""
    items = headers.items() if isinstance(headers, Mapping) else headers
    for k, v in items:
        if k.lower() == name.lower():
            return v
    return None


class Body(dict[str, Any]):
    """A decoded answer; ``raw`` is its JSON text when decoding it changed nothing.

    Typed reads validate models straight from ``raw`` (one pass in pydantic-core)
    instead of from the decoded rows.
    """

    __slots__ = ("raw",)

    def __init__(self, body: Mapping[str, Any], raw: bytes | None = None) -> None:
        super().__init__(body)
        self.raw = raw


def interpret_response(
    status: int,
    headers: Mapping[str, str] | Iterable[tuple[str, str]],
    content: bytes,
    *,
    uri: str,
    workspace: str,
) -> dict[str, Any]:
    """Turn an HTTP answer into the decoded body, or raise the matching typed error.

    The order of checks follows the official client (non-JSON, ``exception``,
    ``message``) and adds the HTTP status, which the official client ignores.
    """
    retry_header = header_value(headers, "Retry-After")
    try:
        body: Any = json.loads(content)
    except (ValueError, UnicodeDecodeError):
        snippet = content[:200].decode("utf-8", "replace").strip()
        if status == 429:
            raise RateLimitError(
                "Too many requests, please try again later.",
                retry_after=parse_retry_after(retry_header),
                uri=uri,
            ) from None
        if status >= 500:
            raise ServerError(
                f"The server failed on {uri} (HTTP {status}): {snippet}",
                status_code=status,
                uri=uri,
            ) from None
        raise ProtocolError(
            f"The server answered {uri} with something that is not JSON (HTTP {status}): "
            f"{snippet!r}",
            status_code=status,
        ) from None
    if not isinstance(body, dict):
        raise ProtocolError(
            f"The server answered {uri} with a JSON {type(body).__name__}, not an object",
            status_code=status,
        )
    untouched = not (_OBJECT_ID_TAG in content or b"\\u" in content)
    if not untouched:
        # Only then can a decoded string start with the tag (raw or JSON-escaped);
        # otherwise the walk would change nothing, and it costs a quarter of paging.
        body = _strip_object_ids(body)
    if "exception" in body:
        raise ServerError(
            f"{uri} caused an exception! Please contact {workspace} admin for further support.",
            status_code=status,
            uri=uri,
            body=body,
        )
    if "message" in body or status >= 400:
        text = str(body.get("message_hr") or body.get("message") or f"HTTP {status} from {uri}")
        cls = _error_class(status, body, text)
        if cls is RateLimitError:
            retry_after = parse_retry_after(retry_header)
            if retry_after is None:
                retry_after = parse_retry_after(body.get("retry_after"))
            raise RateLimitError(
                text, retry_after=retry_after, status_code=status, uri=uri, body=body
            )
        raise cls(text, status_code=status, uri=uri, body=body)
    return Body(body, content if untouched else None)


# --------------------------------------------------------------------------------------
# Explain
# --------------------------------------------------------------------------------------


def redact_envelope(envelope: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of an envelope with the session id hidden."""
    out = dict(envelope)
    if out.get("session"):
        out["session"] = const.REDACTED
    return out


def redact_headers(headers: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Headers with the Authorization value hidden."""
    return {k: (const.REDACTED if k.lower() == "authorization" else v) for k, v in headers}


@dataclass(frozen=True)
class ExplainedRequest:
    """The exact HTTP request an :class:`EventRequest` becomes, secrets redacted."""

    method: str
    url: str
    headers: Mapping[str, str]
    envelope: Mapping[str, Any]
    query_string: str | None
    body: str | None

    def __str__(self) -> str:
        lines = [f"{self.method} {self.url}"]
        lines += [f"{k}: {v}" for k, v in self.headers.items()]
        if self.query_string is not None:
            lines += ["", f"raw query string: ?{self.query_string}"]
        if self.body is not None:
            lines += ["", self.body]
        lines += ["", "envelope:", json.dumps(dict(self.envelope), indent=2)]
        return "\n".join(lines)


def explain(req: EventRequest, ctx: WireContext, endpoint: Endpoint) -> ExplainedRequest:
    """Show the HTTP request ``req`` becomes, without sending it.

    The session id and the Authorization value are replaced by ``***``; ``eid`` and
    ``created`` are fresh, as they would be on a real call.
    """
    shown = WireContext(
        ctx.workspace,
        ctx.username,
        ctx.api_key,
        ctx.device,
        ctx.client_hostname,
        const.REDACTED if ctx.session_id else None,
    )
    http = encode_event(req, shown, endpoint)
    envelope = dict(http.envelope or {})
    query_string = http.url.split("?", 1)[1] if "?" in http.url else None
    body = http.content.decode("ascii") if http.content is not None else None
    return ExplainedRequest(
        http.method,
        http.url_without_query,
        redact_headers(http.headers),
        envelope,
        query_string,
        body,
    )


# --------------------------------------------------------------------------------------
# Builders: one per operation of the official client (protocol.md §4.3–§4.5)
# --------------------------------------------------------------------------------------


def entity_type(name: object, what: str = "entity type") -> str:
    """Validate and lowercase an entity-type name for a uri."""
    if not isinstance(name, str) or not name.strip():
        raise ValidationError(f"Invalid {what} supplied, must be a non-empty string!", field=what)
    return name.strip().lower()


def require_id(value: object, what: str = "entity ID") -> str:
    """A 24-hex entity id, or a :class:`ValidationError`."""
    if not isinstance(value, str) or not _ID.match(value):
        raise ValidationError(f"Invalid {what} supplied: {value!r} is not a 24-character id!")
    return value


def require_str(value: object, what: str) -> str:
    """A non-empty string, or a :class:`ValidationError`."""
    if not isinstance(value, str) or not value.strip():
        raise ValidationError(f"Invalid {what} supplied, must be a non-empty string!", field=what)
    return value


def split_query(query: str | Query) -> tuple[str | None, str | None]:
    """``(entity type, canonical expression)`` of a query string or :class:`Query`.

    The text is parsed and re-rendered canonically, never lowercased.
    """
    if isinstance(query, str):
        if not query.strip():
            raise ValidationError("Invalid query supplied, must be a non-empty string!")
        query = parse(query)
    elif not isinstance(query, Query):
        raise ValidationError(
            f"Invalid query supplied: expected a str or accsyn.query.Query, not "
            f"{type(query).__name__}"
        )
    expression = render(query.where) if query.where is not None else None
    return query.entitytype, expression


def _check_bool(name: str, value: object) -> None:
    if value is not None and not isinstance(value, bool):
        raise ValidationError(f"{name.capitalize()} must be a boolean!", field=name)


def _check_int(name: str, value: object) -> None:
    if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
        raise ValidationError(f"{name.capitalize()} must be an integer!", field=name)


def _attributes(attributes: Sequence[str] | None) -> list[str] | None:
    if not attributes:
        return None
    if isinstance(attributes, str) or not all(isinstance(a, str) for a in attributes):
        raise ValidationError("Attributes must be a list of strings!", field="attributes")
    if not all(a.strip() for a in attributes):
        raise ValidationError("Attributes must be a list of non-empty strings!", field="attributes")
    return [a.strip() for a in attributes]


def find_request(
    entitytype: str,
    query: str | Query | None = None,
    *,
    attributes: Sequence[str] | None = None,
    finished: bool | None = None,
    inactive: bool | None = None,
    archived: bool | None = None,
    limit: int | None = None,
    skip: int | None = None,
    parent: str | None = None,
    single_entity_query: bool = False,
) -> EventRequest:
    """``GET <entitytype>/find`` with the expression of ``query`` (protocol.md §4.3.1).

    ``query`` may be a bare expression, a full statement for the same entity type, or a
    :class:`Query`. Falsy ``limit``/``skip`` are not sent, as officially.
    """
    et = entity_type(entitytype)
    expression: str | None = None
    if query is not None:
        q_et, expression = split_query(query)
        if q_et is not None and q_et != et:
            raise ValidationError(
                f"The query is about {q_et!r} but the request is for {et!r}", field="query"
            )
    attrs = _attributes(attributes)
    for name, flag in (("finished", finished), ("inactive", inactive), ("archived", archived)):
        _check_bool(name, flag)
    _check_int("limit", limit)
    _check_int("skip", skip)
    data: dict[str, Any] = {}
    if parent is not None:
        data["parent"] = parent
    if finished is not None:
        data["finished"] = finished
    if inactive is not None:
        data["inactive"] = inactive
    if archived is not None:
        data["archived"] = archived
    if limit:
        data["limit"] = limit
    if skip:
        data["skip"] = skip
    if attrs:
        data["attributes"] = attrs
    if single_entity_query:
        data["single_entity_query"] = True
    return EventRequest("GET", f"{et}/find", data, query=expression)


def entitytypes_request() -> EventRequest:
    """``GET entitytypes``: the server's list of entity types."""
    return EventRequest("GET", "entitytypes", {})


def attributes_request(
    entitytype: str, *, create: bool = False, update: bool = False
) -> EventRequest:
    """``GET attributes``: the attribute names of an entity type."""
    _check_bool("create", create)
    _check_bool("update", update)
    et = entity_type(entitytype).replace("'", "").replace('"', "")
    return EventRequest("GET", "attributes", {"entitytype": et, "create": create, "update": update})


def get_entity_request(entitytype: str, entityid: str) -> EventRequest:
    """``GET <et>/find`` with an ``id``: one entity in any state."""
    return EventRequest("GET", f"{entity_type(entitytype)}/find", {}, entityid=require_id(entityid))


def report_request(entitytype: str, expression: str | None) -> EventRequest:
    """``GET <et>/report`` (support use)."""
    return EventRequest("GET", f"{entity_type(entitytype)}/report", {}, query=expression)


def metrics_request(
    entitytype: str,
    expression: str | None,
    attributes: Sequence[str] | None = None,
    time: str | None = None,
) -> EventRequest:
    """``GET <et>/metrics``; ``attributes`` is always sent (null when not given)."""
    data: dict[str, Any] = {"attributes": list(attributes) if attributes is not None else None}
    if time is not None:
        data["time"] = time
    return EventRequest("GET", f"{entity_type(entitytype)}/metrics", data, query=expression)


def _create_data(entitytype: str, data: object) -> dict[str, Any]:
    if isinstance(data, str):
        if not data.strip():
            raise ValidationError("You must provide the data to create!", field="data")
        try:
            parsed = json.loads(data)
        except ValueError:
            path = Path(data)
            if not path.is_file():
                raise ValidationError(
                    "Cannot build JSON payload data, not a valid JSON string or path to a "
                    "JSON file!",
                    field="data",
                ) from None
            try:
                parsed = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                raise ValidationError(
                    f"Cannot read JSON payload data from {data!r}: {exc}", field="data"
                ) from None
        data = parsed
    if isinstance(data, list):
        data = {"tasks": data}
    if not isinstance(data, dict) or not data:
        raise ValidationError("Empty create data submitted!", field="data")
    out = dict(data)
    if entitytype == "task" and "tasks" not in out:
        out = {"tasks": out}
    return out


def create_request(
    entitytype: str,
    data: str | Mapping[str, Any] | Sequence[Mapping[str, Any]],
    entityid: str | None = None,
    allow_duplicates: bool | None = None,
    replace_duplicates: bool | None = None,
) -> EventRequest:
    """``POST <et>/create`` (``file/add`` for files), payload normalised as officially."""
    et = entity_type(entitytype)
    payload = _create_data(et, data)
    if et in const.JOB_ENTITY_TYPES:
        if allow_duplicates is not None:
            payload["allow_duplicates"] = allow_duplicates
        if replace_duplicates is not None:
            payload["replace_duplicates"] = replace_duplicates
    uri = f"{et}/add" if et == "file" else f"{et}/create"
    return EventRequest("POST", uri, payload, entityid=entityid)


def update_request(entitytype: str, entityid: str, data: Mapping[str, Any]) -> EventRequest:
    """``PUT <et>/edit``."""
    et = entity_type(entitytype)
    if et == "acl":
        raise ValidationError("ACLs cannot be updated, use the grant function to grant access.")
    require_str(entityid, "entity ID")
    if not isinstance(data, Mapping) or not data:
        raise ValidationError("Invalid data supplied, must be dict and have content!", field="data")
    return EventRequest("PUT", f"{et}/edit", dict(data), entityid=entityid)


def update_many_request(
    entitytype: str, entityid: str, data: Sequence[Mapping[str, Any]]
) -> EventRequest:
    """``PUT task/edit`` with a list of task changes beneath a job."""
    et = entity_type(entitytype)
    if et != "task":
        raise ValidationError("Only multiple 'task' entities can be updated!")
    require_id(entityid, "parent entity ID")
    if isinstance(data, str | Mapping) or not data:
        raise ValidationError("Invalid data supplied, must be a non-empty list!", field="data")
    return EventRequest("PUT", f"{et}/edit", [dict(d) for d in data], entityid=entityid)


def delete_one_request(
    entitytype: str, entityid: str, data: Mapping[str, Any] | None = None
) -> EventRequest:
    """``DELETE <et>/delete`` (``data`` null unless given)."""
    et = entity_type(entitytype)
    if et == "acl":
        raise ValidationError("ACLs cannot be deleted, use the revoke function to revoke access.")
    require_str(entityid, "entity ID")
    return EventRequest(
        "DELETE", f"{et}/delete", dict(data) if data is not None else None, entityid=entityid
    )


def delete_many_request(entitytype: str, entityid: str, data: Mapping[str, Any]) -> EventRequest:
    """``DELETE collection/file/remove``."""
    et = entity_type(entitytype)
    require_id(entityid, "parent entity ID")
    if not isinstance(data, Mapping) or not data:
        raise ValidationError("Invalid data supplied, must be dict and have content!", field="data")
    if et != "collection":
        raise ValidationError(f"Unsupported entity type for deletion: {et}")
    return EventRequest("DELETE", f"{et}/file/remove", dict(data), entityid=entityid)


def deactivate_request(entitytype: str, entityid: str) -> EventRequest:
    """``DELETE <et>/deactivate``."""
    et = entity_type(entitytype)
    return EventRequest(
        "DELETE", f"{et}/deactivate", {}, entityid=require_str(entityid, "entity ID")
    )


def activate_request(entitytype: str, entityident: str) -> EventRequest:
    """``POST <et>/activate`` by id, or by bare (lowercased) code or email."""
    et = entity_type(entitytype)
    ident = require_str(entityident, "entity identification").lower().strip()
    if _ID.match(ident):
        return EventRequest("POST", f"{et}/activate", {}, entityid=ident)
    return EventRequest("POST", f"{et}/activate", {}, query=ident)


def assign_request(
    entitytype_parent: str, entitytype: str, data: Mapping[str, Any]
) -> EventRequest:
    """``PUT share/server``: assign a server to a volume or share."""
    parent = entity_type(entitytype_parent, "parent entity type")
    et = entity_type(entitytype)
    if not isinstance(data, Mapping) or not data:
        raise ValidationError("Invalid assignment data supplied, must be a dict with values!")
    if parent in ("volume", "share") and et in ("server", "client"):
        share_id = require_id(data.get("volume", data.get("share")), "volume/share ID")
        client_id = require_id(data.get("server", data.get("client")), "server ID")
        return EventRequest("PUT", "share/server", {"client": client_id}, entityid=share_id)
    raise ValidationError("Unsupported assignment operation!")


def assignments_request(entitytype: str, entityid: str) -> EventRequest:
    """``GET <volume|share>/servers``."""
    et = entity_type(entitytype)
    if et not in ("volume", "share"):
        raise ValidationError("Unsupported assignment operation!")
    return EventRequest("GET", f"{et}/servers", {}, entityid=require_str(entityid, "entity ID"))


def deassign_request(
    entitytype_parent: str, entitytype: str, data: Mapping[str, Any]
) -> EventRequest:
    """``DELETE <volume|share>/server``."""
    parent = entity_type(entitytype_parent, "parent entity type")
    et = entity_type(entitytype)
    if not isinstance(data, Mapping) or not data:
        raise ValidationError("Invalid de-assignment data supplied, must be a dict with values!")
    if parent in ("volume", "share") and et == "server":
        share_id = require_id(data.get("volume", data.get("share")), "volume/share ID")
        client_id = require_id(data.get("server", data.get("client")), "server ID")
        return EventRequest("DELETE", f"{parent}/server", {"client": client_id}, entityid=share_id)
    raise ValidationError("Unsupported de-assignment operation!")


def code_query(ident: str) -> str:
    """``code='<ident>'`` as the official client writes it, quoted safely otherwise."""
    if "'" not in ident:
        return f"code='{ident}'"
    return render(Comparison("code", Op.EQ, ident))


def code_lookup_request(entitytype: str, ident: str) -> EventRequest:
    """``GET <et>/find`` with ``data: null`` and ``code='<ident>'`` (grant/revoke lookups)."""
    return EventRequest("GET", f"{entity_type(entitytype)}/find", None, query=code_query(ident))


def recipient_add_request(job_id: str, recipient: str, invite: bool) -> EventRequest:
    """``PUT job/recipient/add``."""
    return EventRequest(
        "PUT", "job/recipient/add", {"recipient": recipient, "invite": invite}, entityid=job_id
    )


def recipients_request(job_id: str) -> EventRequest:
    """``GET job/recipients``."""
    return EventRequest("GET", "job/recipients", {}, entityid=job_id)


def recipient_remove_request(job_id: str, recipient: str) -> EventRequest:
    """``DELETE job/recipient``."""
    return EventRequest("DELETE", "job/recipient", {"recipient": recipient}, entityid=job_id)


def acl_create_request(user: str, share_id: str, data: Mapping[str, Any] | None) -> EventRequest:
    """``POST acl/create`` with the 3.4.0 payload (key order and defaults)."""
    if data is not None and not isinstance(data, Mapping):
        raise ValidationError("Invalid grant access data supplied, must be a dict!", field="data")
    d: Mapping[str, Any] = data or {"read": True, "write": True}
    payload = {
        "entity": f"user:{user}",
        "target": f"share:{share_id}",
        "invite": d.get("invite", True),
        "read": d.get("read", False),
        "write": d.get("write", False),
        "notify": d.get("notify", False),
        "message": d.get("message", ""),
        "path": d.get("path", "/"),
    }
    return EventRequest("POST", "acl/create", payload)


def acl_access_query(share_id: str, entitytype: str | None, entityid: str | None) -> str:
    """``acl WHERE target=share:<id> [AND entity=<et>:<id or *>]``."""
    expr: Any = Comparison("target", Op.EQ, f"share:{share_id}")
    if entitytype:
        et = entity_type(entitytype)
        expr = and_(expr, Comparison("entity", Op.EQ, f"{et}:{entityid or '*'}"))
    return render(Query("acl", expr))


def acl_find_request(query: str, data: Mapping[str, Any]) -> EventRequest:
    """``GET acl/find``."""
    return EventRequest("GET", "acl/find", dict(data), query=query)


def acl_delete_request(acl_id: str) -> EventRequest:
    """``DELETE acl/delete``."""
    return EventRequest("DELETE", "acl/delete", {}, entityid=acl_id)


_Path = str | Mapping[str, Any] | Sequence[str]


def _path(value: object, what: str = "path") -> Any:
    if not value or not isinstance(value, str | Mapping | list | tuple):
        raise ValidationError(f"No {what} supplied, or not a string/list/dict!", field=what)
    return list(value) if isinstance(value, tuple) else value


def ls_request(
    path: _Path,
    recursive: bool = False,
    maxdepth: int | None = None,
    getsize: bool = False,
    files_only: bool = False,
    directories_only: bool = False,
    include: str | Sequence[str] | None = None,
    exclude: str | Sequence[str] | None = None,
) -> EventRequest:
    """``GET workspace/file`` ``op=ls``."""
    data: dict[str, Any] = {
        "op": "ls",
        "path": _path(path),
        "download": True,
        "recursive": recursive,
        "getsize": getsize,
    }
    if maxdepth:
        data["maxdepth"] = maxdepth
    if directories_only:
        data["directories_only"] = directories_only
    if files_only:
        data["files_only"] = files_only
    if include:
        data["include"] = include
    if exclude:
        data["exclude"] = exclude
    return EventRequest("GET", "workspace/file", data)


def getsize_request(
    path: _Path,
    include: str | Sequence[str] | None = None,
    exclude: str | Sequence[str] | None = None,
) -> EventRequest:
    """``GET workspace/file`` ``op=getsize``."""
    data: dict[str, Any] = {"op": "getsize", "path": _path(path)}
    if include:
        data["include"] = include
    if exclude:
        data["exclude"] = exclude
    return EventRequest("GET", "workspace/file", data)


def exists_request(path: _Path) -> EventRequest:
    """``GET workspace/file`` ``op=exists``."""
    return EventRequest("GET", "workspace/file", {"op": "exists", "path": _path(path)})


def mkdir_request(path: _Path) -> EventRequest:
    """``POST workspace/file`` ``op=mkdir``."""
    return EventRequest("POST", "workspace/file", {"op": "mkdir", "path": _path(path)})


def rename_request(path: _Path, path_to: _Path) -> EventRequest:
    """``PUT workspace/file`` ``op=rename``."""
    return EventRequest(
        "PUT",
        "workspace/file",
        {"op": "rename", "path": _path(path), "path_to": _path(path_to, "destination path")},
    )


def mv_request(path_src: _Path, path_dst: _Path) -> EventRequest:
    """``PUT workspace/file`` ``op=move``."""
    return EventRequest(
        "PUT",
        "workspace/file",
        {
            "op": "move",
            "path": _path(path_src, "source path"),
            "path_to": _path(path_dst, "destination path"),
        },
    )


def delete_path_request(path: _Path, force: bool = False) -> EventRequest:
    """``POST workspace/file`` ``op=delete`` (POST, as officially)."""
    return EventRequest(
        "POST", "workspace/file", {"op": "delete", "path": _path(path), "force": force}
    )


def prepublish_request(data: Sequence[Mapping[str, Any]]) -> EventRequest:
    """``PUT workspace/publish/preprocess`` with sizes filled in recursively."""
    if data is None or isinstance(data, str | Mapping) or not isinstance(data, Sequence):
        raise ValidationError("None or empty data supplied!", field="data")
    files = json.loads(dumps(list(data)))  # a deep copy; the caller's entries stay untouched

    def fill(entries: list[dict[str, Any]]) -> int:
        total = 0
        for entry in entries:
            if "size" not in entry:
                children = entry.get("files")
                entry["size"] = fill(children) if entry.get("is_dir") is True and children else 0
            total += entry["size"]
        return total

    return EventRequest(
        "PUT", "workspace/publish/preprocess", {"files": files, "size": fill(files)}
    )


def get_setting_request(
    name: str | None = None,
    entitytype: str = "workspace",
    entityid: str | None = None,
    integration: str | None = None,
    data: Mapping[str, Any] | None = None,
) -> EventRequest:
    """``GET setting`` for one setting (the ``name`` key tells it from get_settings)."""
    payload: dict[str, Any] = {"entitytype": entity_type(entitytype), "name": name}
    if integration:
        payload["integration"] = integration
    payload["data"] = dict(data) if data is not None else None
    return EventRequest("GET", "setting", payload, entityid=entityid)


def get_settings_request(
    entitytype: str | None = None,
    entityid: str | None = None,
    recursive: bool = False,
    upstream: bool = False,
    omit_defaults: bool = True,
    share: str | None = None,
) -> EventRequest:
    """``GET setting`` for all settings of a scope."""
    payload: dict[str, Any] = {
        "entitytype": entity_type(entitytype) if entitytype else None,
        "recursive": recursive,
        "upstream": upstream,
        "omit_defaults": omit_defaults,
    }
    if share:
        payload["share"] = share
    return EventRequest("GET", "setting", payload, entityid=entityid)


def set_setting_request(
    entitytype: str, name: str, value: str, entityid: str | None = None
) -> EventRequest:
    """``PUT setting``; values are always strings."""
    et = entity_type(entitytype)
    require_str(name, "name")
    if not isinstance(value, str):
        raise ValidationError("Invalid value supplied, must be of string type!", field="value")
    return EventRequest(
        "PUT", "setting", {"entitytype": et, "name": name, "value": value}, entityid=entityid
    )


def delete_setting_request(entitytype: str, name: str, entityid: str | None = None) -> EventRequest:
    """``DELETE setting``."""
    et = entity_type(entitytype)
    require_str(name, "name")
    return EventRequest("DELETE", "setting", {"entitytype": et, "name": name}, entityid=entityid)


def logs_request(
    entitytype: str | None = None,
    entityid: str | None = None,
    search: str | None = None,
    sort: str = "date",
    sort_reverse: bool = False,
    pagination_page: int | None = None,
    pagination_limit: int | None = None,
    pagination_skip: int | None = None,
) -> EventRequest:
    """``GET log/find`` (3.4.0)."""
    payload: dict[str, Any] = {
        "entitytype": entity_type(entitytype) if entitytype else "workspace",
        "sort": sort or "date",
        "sort_reverse": sort_reverse,
    }
    if search:
        payload["search"] = search
    pagination: dict[str, int] = {}
    for key, value in (
        ("page", pagination_page),
        ("limit", pagination_limit),
        ("skip", pagination_skip),
    ):
        if value is not None:
            if isinstance(value, bool) or not isinstance(value, int):
                raise ValidationError(
                    f"pagination_{key} must be an integer!", field=f"pagination_{key}"
                )
            pagination[key] = value
    if pagination:
        payload["pagination"] = pagination
    return EventRequest("GET", "log/find", payload, entityid=entityid)


def api_key_request() -> EventRequest:
    """``GET user/api_key``."""
    return EventRequest("GET", "user/api_key", {})


def running_clients_request(user_id: str, hostname: str, *, daemon: bool) -> EventRequest:
    """``GET client/find`` for this machine's app (type 0) or daemons (types 1, 2)."""
    types: Any = (
        or_(
            Comparison("type", Op.EQ, str(const.CLIENT_TYPE_SERVER)),
            Comparison("type", Op.EQ, str(const.CLIENT_TYPE_USERSERVER)),
        )
        if daemon
        else Comparison("type", Op.EQ, str(const.CLIENT_TYPE_APP))
    )
    expr = and_(Comparison("user", Op.EQ, user_id), Comparison("code", Op.EQ, hostname), types)
    return EventRequest("GET", "client/find", {}, query=render(expr))


def integration_request(name: str, operation: str, data: Any) -> EventRequest:
    """``PUT workspace/integration/<name>/utility``."""
    require_str(name, "name")
    require_str(operation, "operation")
    return EventRequest(
        "PUT", f"workspace/integration/{name}/utility", {"operation": operation, "data": data}
    )


def is_id(value: str) -> bool:
    """Whether ``value`` looks like a 24-hex entity id."""
    return bool(_ID.match(value))


def client_hostname() -> str:
    """This machine's hostname, as the envelope's ``hostname`` field carries it."""
    return socket.gethostname()
