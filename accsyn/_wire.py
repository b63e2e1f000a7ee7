"""The accsyn v3 wire protocol, sans-IO: the envelope, its codecs, and answers → errors.

Pure functions and value objects over strings and dicts; nothing here does I/O,
parses a query or knows an entity type. The request builders (one per operation)
live in :mod:`accsyn._requests`; the sync and async drivers in :mod:`accsyn._http`.

* :class:`EventRequest` names one ``/api/v3/event`` operation (method, uri, data,
  the canonical query expression as a string, id).
* :func:`encode_event` wraps it in the envelope and encodes it for its method (GET and
  DELETE: the URL-quoted JSON as the raw query string; PUT and POST: the JSON body),
  compressing large payloads into ``gz_data``.
* :func:`interpret_response` (in :mod:`accsyn._answers`, re-exported here) maps
  status and body to a result dict or an error from :mod:`accsyn._exceptions`.
* :func:`explain` shows the exact HTTP request for an :class:`EventRequest`, secrets
  redacted, without sending it.
"""

from __future__ import annotations

import base64
import datetime as _dt
import enum
import gzip
import json
import re
import socket
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, unquote

from accsyn import _constants as const
from accsyn._answers import (
    _OBJECT_ID_TAG,  # noqa: F401 - re-exported for tests and tooling
    Body,
    _strip_object_ids,  # noqa: F401
    header_value,
    interpret_response,
)
from accsyn._codec import decode_datetime, encode_date, encode_now, new_uuid4, parse_retry_after
from accsyn._config import Secret
from accsyn._endpoints import Endpoint, api_endpoint, master_endpoint
from accsyn._exceptions import (
    ProtocolError,
    ValidationError,
)
from accsyn._finite import non_finite_error

__all__ = [
    "Body",
    "Endpoint",
    "EventRequest",
    "ExplainedRequest",
    "HttpRequest",
    "WireContext",
    "api_endpoint",
    "auth_header",
    "auth_headers",
    "build_envelope",
    "client_hostname",
    "decode_date",
    "dumps",
    "encode_date",
    "encode_event",
    "explain",
    "header_value",
    "interpret_response",
    "json_default",
    "login_request",
    "master_endpoint",
    "master_lookup_request",
    "parse_retry_after",
    "quote_text",
]


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
    #: The URL's query string is known to hold only characters httpx sends unchanged
    #: (what :func:`quote_text` writes), so transports need not check it.
    plain_query: bool = field(default=False, repr=False)

    @property
    def url_without_query(self) -> str:
        """The URL minus its raw query string (which holds the envelope)."""
        return self.url.split("?", 1)[0]


# --------------------------------------------------------------------------------------
# JSON (dates through accsyn._codec, the one date codec: naive datetimes are UTC)
# --------------------------------------------------------------------------------------


#: The server's date strings, exactly as the official client recognises them in answers.
_WIRE_DATE = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?\Z")


def decode_date(text: str) -> _dt.datetime | None:
    """A wire date string (``YYYY-MM-DDTHH:MM:SS[.mmm]``, UTC) as an aware datetime, or
    None for any other string (answers are decoded only where the server sent a date)."""
    if not _WIRE_DATE.match(text):
        return None
    try:
        return decode_datetime(text)
    except ValidationError:
        return None


def json_default(obj: object) -> Any:
    """``json.dumps`` ``default=``: dates, enums, models and sets as they are sent."""
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


#: What ``json.dumps(obj, default=json_default, allow_nan=False)`` builds per call.
_ENCODER = json.JSONEncoder(default=json_default, allow_nan=False)


def dumps(obj: Any) -> str:
    """JSON exactly as the official client writes it (``", "``/``": "``, ASCII only).

    NaN and Infinity are not JSON (RFC 8259): they raise ``ValidationError`` naming
    the field instead of being sent as Python's non-standard tokens.
    """
    try:
        return _ENCODER.encode(obj)
    except ValidationError:
        raise
    except ValueError:
        raise non_finite_error(obj) from None


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
    """gzip + base64 a payload for ``gz_data`` (the same payload, the same bytes)."""
    # mtime=0: the gzip header would otherwise stamp the current second, so one
    # request encoded twice (a retry, a cassette, a differential test) could differ.
    raw = gzip.compress(dumps(data).encode("ascii"), compresslevel=9, mtime=0)
    return base64.b64encode(raw).decode("ascii")


def decompress(gz_data: str) -> Any:
    """Inverse of :func:`compress`."""
    return json.loads(gzip.decompress(base64.b64decode(gz_data)))


# --------------------------------------------------------------------------------------
# Authentication (where requests go: accsyn._endpoints)
# --------------------------------------------------------------------------------------


def _b64(text: str) -> str:
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


def auth_header(username: str, api_key: Secret) -> str:
    """``basic <b64 user>:<b64 key>`` — each part encoded separately (not RFC 7617)."""
    return f"basic {_b64(username)}:{_b64(api_key.get_secret_value())}"


def auth_headers(ctx: WireContext) -> tuple[tuple[str, str], ...]:
    """The credential headers of every event and the login."""
    return (
        ("Authorization", auth_header(ctx.username, ctx.api_key)),
        ("X-Accsyn-Workspace", ctx.workspace),
        ("X-Accsyn-Device", ctx.device),
    )


#: ``quote(c, safe="/")`` of every ASCII character, for one ``str.translate`` pass.
_QUOTE_ASCII = {i: quote(chr(i), safe="/") for i in range(128)}


def quote_text(text: str) -> str:
    """``quote(text, safe="/")``, fast for the ASCII text :func:`dumps` writes."""
    # translate gives quote()'s bytes without its per-character Python loop.
    return text.translate(_QUOTE_ASCII) if text.isascii() else quote(text, safe="/")


def _quote_json(obj: Any) -> str:
    return quote_text(dumps(obj))


def master_lookup_request(endpoint: Endpoint, workspace: str, device: str) -> HttpRequest:
    """``GET /api/v3/J3PKTtDvolDMBtTy6AFGA?<{"ident": workspace}>``, device header only."""
    url = f"{endpoint.url(const.MASTER_LOOKUP_URI)}?{_quote_json({'ident': workspace})}"
    return HttpRequest(
        "GET", url, (("X-Accsyn-Device", device),), None, const.MASTER_LOOKUP_URI, True, None, True
    )


def login_request(endpoint: Endpoint, ctx: WireContext) -> HttpRequest:
    """``PUT /api/v3/api/login`` with body ``{}`` and the credential headers."""
    return HttpRequest(
        "PUT", endpoint.url(const.LOGIN_URI), auth_headers(ctx), b"{}", const.LOGIN_URI, True
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
        "eid": eid or new_uuid4(),
        "session": ctx.session_id,
        "uri": req.uri,
        "ident": ctx.username,
        "created": encode_date(created) if created else encode_now(),
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
    headers = auth_headers(ctx)
    content: bytes | None
    if req.method in ("GET", "DELETE"):
        url = f"{url}?{_quote_json(envelope)}"
        content = None
        if req.method == "DELETE":
            # requests sends an explicit empty body on DELETE; so do we.
            headers = (*headers, ("Content-Length", "0"))
    else:
        content = dumps(envelope).encode("ascii")
    return HttpRequest(
        req.method, url, headers, content, req.uri, req.is_read, envelope, content is None
    )


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


def client_hostname() -> str:
    """This machine's hostname, as the envelope's ``hostname`` field carries it."""
    return socket.gethostname()
