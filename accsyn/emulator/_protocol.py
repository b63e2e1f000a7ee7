"""The wire protocol of the emulator: replies, errors, the event envelope, argument checks.

Nothing here knows about entities or storage: it turns request bytes into a
checked envelope (protocol.md §7) and describes the answer. Every front end (the
in-process transports, the ASGI app) and every operation share these types.
"""

from __future__ import annotations

import base64
import binascii
import functools
import gzip
import json
import math
import re
import zlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from pydantic_core import from_json, to_json

if TYPE_CHECKING:
    from accsyn.emulator._store import Row

__all__ = [
    "MASTER_LOOKUP",
    "MAX_BODY",
    "ApiError",
    "Call",
    "Ctx",
    "Reply",
    "as_bool",
    "as_dict",
    "as_int",
    "as_str",
    "check_method",
    "parse_envelope",
]

#: Largest request body or decompressed ``gz_data`` accepted (bytes).
MAX_BODY = 16 * 1024 * 1024
#: Most JSON objects and arrays one decompressed payload may hold (~10-20 MB parsed).
MAX_CONTAINERS = 100_000
#: The master server's workspace lookup route (answered with this host).
MASTER_LOOKUP = "/j3pkttdvoldmbtty6afga"


@dataclass
class Reply:
    """An HTTP answer: status, JSON body and headers; ``drop`` = close without answering."""

    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)
    drop: bool = False
    latency: float = 0.0
    #: The body's JSON when already written (a kept answer).
    raw: bytes | None = field(default=None, repr=False)

    def content(self) -> bytes:
        """The body as JSON bytes (UTF-8, compact)."""
        if self.raw is not None:
            return self.raw
        return to_json(self.body)


class ApiError(Exception):
    """An error answer: ``{"message": ..., "message_hr": ...}`` with an HTTP status."""

    def __init__(self, status: int, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.extra = extra

    def reply(self) -> Reply:
        """The JSON answer of this error (429s carry ``Retry-After``)."""
        body = {"message": self.message, "message_hr": self.message, **self.extra}
        headers = {}
        if self.status == 429 and "retry_after" in self.extra:
            headers["Retry-After"] = str(max(1, round(self.extra["retry_after"])))
        return Reply(self.status, body, headers)


@dataclass(slots=True)
class Ctx:
    """The authenticated caller of one request."""

    user: Row
    role: str
    envelope: dict[str, Any]

    @property
    def uid(self) -> str:
        """The caller's user id."""
        return self.user.id

    @property
    def email(self) -> str:
        """The caller's email (the user's code)."""
        return str(self.user.data.get("code", ""))


@dataclass(slots=True)
class Call:
    """One operation to answer: who calls, how, on which entity type, with what data.

    ``et`` is the canonical entity type of ``<entitytype>/<operation>`` uris (None
    for the others), ``name`` the type as the caller wrote it.
    """

    method: str
    ctx: Ctx
    uri: str
    data: Any
    et: str = ""
    name: str = ""

    @property
    def envelope(self) -> dict[str, Any]:
        """The request's event envelope."""
        return self.ctx.envelope


# --- argument checks (every message names the argument) ---------------------------------


def as_bool(value: Any, name: str) -> bool:
    """A boolean argument (absent = False)."""
    if value is None:
        return False
    if not isinstance(value, bool):
        raise ApiError(400, f"{name} must be a boolean!")
    return value


#: SQLite's largest integer; anything above would fail deep in the store.
_MAX_INT = 2**63 - 1


def as_int(value: Any, name: str, default: int | None = None) -> int | None:
    """A non-negative integer argument."""
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ApiError(400, f"{name} must be a non-negative integer!")
    if value > _MAX_INT:
        raise ApiError(400, f"{name} must be at most {_MAX_INT}!")
    return value


def as_str(value: Any, name: str) -> str:
    """A non-empty string argument, stripped."""
    if not isinstance(value, str) or not value.strip():
        raise ApiError(400, f"{name} must be a non-empty string!")
    return value.strip()


def as_dict(data: Any) -> dict[str, Any]:
    """An object payload (absent = empty)."""
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ApiError(400, "The payload must be a JSON object.")
    return data


def check_method(method: str, allowed: tuple[str, ...]) -> None:
    """405 unless ``method`` is one of ``allowed``."""
    if method not in allowed:
        raise ApiError(405, f"Method {method} not allowed for this operation.")


# --- the event envelope -------------------------------------------------------------------


@functools.lru_cache(maxsize=256)
def _unquote_cached(text: str) -> str:
    return unquote(text)


#: What a client leaves unescaped in a quoted envelope (``quote(..., safe="/")``).
_UNESCAPED = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.~/-"


def _unquote_plain(text: str) -> str | None:
    """``unquote(text)`` in C for what clients send: only unescaped characters and
    ``%XX`` escapes (None for anything else).

    ``binascii.a2b_qp`` decodes ``=XX``; with no ``=``, space or line break in the
    input, each ``%`` shortens the text by exactly 2 only when it starts a valid
    escape (a lone or doubled ``%`` by less), so the length proves every escape valid.
    """
    if not text.isascii():
        return None
    raw = text.encode("ascii")
    escapes = raw.count(b"%")
    if len(raw.translate(None, _UNESCAPED)) != escapes:
        return None
    decoded = binascii.a2b_qp(raw.replace(b"%", b"="))
    if len(decoded) != len(raw) - 2 * escapes:
        return None
    return decoded.decode("utf-8", "replace")


def _unquote(text: str) -> str:
    plain = _unquote_plain(text)
    if plain is not None:
        return plain
    # Clients poll with the same envelope over and over; decoding is pure.
    return _unquote_cached(text) if len(text) <= 4096 else unquote(text)


def _refuse_constant(name: str) -> Any:
    raise ApiError(400, f"{name} is not standard JSON; send null or a finite number.")


def _finite(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        # 1e999 is valid JSON that Python reads as inf: refused like "Infinity" is.
        raise ApiError(400, f"The number {text[:30]} is out of range; send finite numbers.")
    return value


#: ``json.loads(text, parse_constant=...)`` builds a decoder per call; one does.
_DECODER = json.JSONDecoder(parse_constant=_refuse_constant, parse_float=_finite)


def _json(text: str, what: str) -> Any:
    if text.count("{") + text.count("[") > MAX_CONTAINERS:
        # A few KiB of gzip inflate to millions of tiny objects (hundreds of MB once
        # parsed). Brackets inside strings count too: an upper bound, safe side only.
        raise ApiError(413, f"The {what} holds more than {MAX_CONTAINERS} JSON objects/arrays.")
    try:
        # pydantic-core parses faster and refuses NaN/Infinity here; anything it
        # refuses, the standard library decides (the same value, or the same error).
        value = from_json(text, allow_inf_nan=False)
    except ValueError:
        pass
    else:
        # 1e999 is valid JSON that parses as inf: refused like "Infinity" is. Written
        # back in C, an inf is the word Infinity: only then (or when a string holds the
        # word) is the value walked. (A regex over the text cost 4x the parse.)
        if b"Infinity" in to_json(value, inf_nan_mode="constants") and _has_inf(value):
            raise ApiError(400, f"The {what} holds a number out of range; send finite numbers.")
        return value
    try:
        # Python's json accepts NaN/Infinity; stored, they would poison every later
        # read of the row, so they are refused here.
        value = _DECODER.decode(text)
    except (ValueError, RecursionError):
        raise ApiError(400, f"The {what} is not valid JSON.") from None
    if "\\u" in text and _SURROGATE.search(text) and _lone_surrogate(value):
        # "\ud800" is valid JSON but no Unicode text: it could not be stored or sent.
        raise ApiError(400, f"The {what} holds a lone UTF-16 surrogate; send valid Unicode.")
    return value


def _has_inf(value: Any) -> bool:
    stack = [value]
    while stack:
        v = stack.pop()
        if isinstance(v, float) and math.isinf(v):
            return True
        if isinstance(v, dict):
            stack.extend(v.values())
        elif isinstance(v, list):
            stack.extend(v)
    return False


#: A JSON escape of a UTF-16 surrogate (a pair of them is fine, one alone is not).
_SURROGATE = re.compile(r"\\u[dD][89a-fA-F]")


def _lone_surrogate(value: Any) -> bool:
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _inflate(raw: bytes) -> bytes:
    """Gunzip in 64 KiB steps, stopping as soon as a limit is passed.

    A few KiB of gzip can inflate to 16 MB of ``{},{},…``: counting containers per
    step refuses it after the first few steps instead of holding it all.
    """
    d = zlib.decompressobj(16 + zlib.MAX_WBITS)
    chunks: list[bytes] = []
    size = containers = 0
    pending = raw
    while True:
        chunk = d.decompress(pending, 1 << 16)
        pending = d.unconsumed_tail
        if not chunk:
            break
        size += len(chunk)
        containers += chunk.count(b"{") + chunk.count(b"[")
        if size > MAX_BODY:
            raise ApiError(413, "The decompressed payload is too large.")
        if containers > MAX_CONTAINERS:
            raise ApiError(413, f"The payload holds over {MAX_CONTAINERS} JSON objects/arrays.")
        chunks.append(chunk)
    if not d.eof or d.unused_data.strip(b"\0"):
        # Cut short (no end-of-stream and CRC) or followed by more: Python's gzip
        # module, which the service's Python backend reads payloads with, refuses both.
        raise ApiError(400, "gz_data is truncated or followed by extra data.")
    return b"".join(chunks)


def _gunzip(gz: Any) -> Any:
    if not isinstance(gz, str):
        raise ApiError(400, "gz_data must be a base64 string.")
    try:
        out = _inflate(base64.b64decode(gz, validate=True))
    except (binascii.Error, zlib.error, ValueError, gzip.BadGzipFile):
        raise ApiError(400, "gz_data is not base64 gzip data.") from None
    try:
        text = out.decode("utf-8")
    except UnicodeDecodeError:
        raise ApiError(400, "gz_data is not UTF-8 JSON.") from None
    data = _json(text, "gz_data payload")
    if data is not None and not isinstance(data, dict | list):
        raise ApiError(400, "The payload must be an object, an array or null.")
    return data


def parse_envelope(method: str, raw_query: str, body: bytes) -> dict[str, Any]:
    """The checked event envelope of a ``/event`` request (``gz_data`` inflated)."""
    if method not in ("GET", "PUT", "POST", "DELETE"):
        raise ApiError(405, f"Method {method} not allowed.")
    text: str
    if method in ("GET", "DELETE") and raw_query:
        text = _unquote(raw_query)
    elif body:
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            raise ApiError(400, "The request body is not UTF-8 JSON.") from None
    elif raw_query:
        text = _unquote(raw_query)
    else:
        raise ApiError(400, "Missing event envelope.")
    env = _json(text, "envelope")
    if not isinstance(env, dict):
        raise ApiError(400, "The event envelope must be a JSON object.")
    if "gz_data" in env:
        env["data"] = _gunzip(env.pop("gz_data"))
    uri = env.get("uri")
    if not isinstance(uri, str) or not uri.strip():
        raise ApiError(400, "The envelope has no 'uri'.")
    env["uri"] = uri.strip().strip("/").lower()
    for key in ("query", "id"):
        if env.get(key) is not None and not isinstance(env[key], str):
            raise ApiError(400, f"The envelope '{key}' must be a string.")
    data = env.get("data")
    if data is not None and not isinstance(data, dict | list):
        raise ApiError(400, "The envelope 'data' must be an object, an array or null.")
    return env
