"""The cassette: recorded request/response pairs as JSON lines, secrets scrubbed.

One JSON object per line. The first line is a header
(``{"accsyn_cassette": 1, ...}``); every further line is one interaction::

    {"request": {"method": "GET", "path": "/api/v3/event", "headers": {...},
                 "json": {<envelope, gz_data expanded>}, "compressed": false},
     "response": {"status": 200, "headers": {...}, "json": {"result": [...]}}}

Requests are stored decoded (a GET envelope arrives URL-quoted in the raw query
string, a large payload gzip+base64 in ``gz_data``), so the cassette is readable,
diffable and scrubbable, and replay never has to parse the wire again.

Scrubbing happens before anything is written: secret headers, secret keys
anywhere in a JSON body (``api_key``, ``session``, ``session_id``, ``password``,
…), and every *value* learnt to be secret (the API key inside an Authorization
header, a session id a login answered) wherever else it turns up — in strings,
in query strings, in text bodies. Entity data is kept as it is.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import json
import os
import threading
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any
from urllib.parse import quote, unquote

from accsyn import _wire
from accsyn._exceptions import ValidationError

__all__ = [
    "SCRUBBED",
    "Cassette",
    "CassetteWriter",
    "Interaction",
    "Scrubber",
    "is_secret_key",
    "read_cassette",
]

#: What a scrubbed value is replaced by.
SCRUBBED = "<scrubbed>"
FORMAT_VERSION = 1

_SECRET_HEADERS = frozenset(
    {"authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key"}
)
# JSON keys whose value is a credential wherever they appear (case-insensitive).
# ``token`` is an ACL's share-link token: a credential too.
_SECRET_KEYS = frozenset(
    {
        *("api_key", "apikey", "session", "session_id", "session_key", "sessionid"),
        *("password", "pwd", "secret", "token", "access_token", "refresh_token"),
        "authorization",
    }
)
# Values shorter than this are not hunted for inside other strings: replacing
# "1" everywhere would destroy data and hide nothing.
_MIN_SECRET = 6


def is_secret_key(name: str) -> bool:
    """Whether a JSON key or attribute name holds a credential (its value is never shown)."""
    return name.lower() in _SECRET_KEYS


class Scrubber:
    """Removes credentials from headers, JSON values and text; learns secrets as it goes.

    Thread-safe: a recording proxy scrubs from several requests at once.
    """

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._lock = threading.Lock()
        self._secrets: set[str] = set()
        for s in secrets:
            self.learn(s)

    def learn(self, secret: str) -> None:
        """Hide ``secret`` (and its base64 and URL-quoted forms) wherever it appears."""
        if not isinstance(secret, str) or len(secret) < _MIN_SECRET or secret == SCRUBBED:
            return
        forms = {secret, base64.b64encode(secret.encode()).decode("ascii")}
        forms.add(quote(secret, safe=""))
        with self._lock:
            self._secrets |= forms

    def learn_authorization(self, value: str) -> None:
        """Learn the credential inside an Authorization header value.

        accsyn's scheme is ``basic <b64(user)>:<b64(key)>`` (protocol.md §1.3); the
        username stays visible (replay needs to know who called), the key does not.
        """
        self.learn(value)
        scheme, _, rest = value.strip().partition(" ")
        rest = rest.strip() or scheme
        self.learn(rest)
        parts = rest.split(":")
        for part in parts[1:] if len(parts) > 1 else parts:
            self.learn(part)
            with contextlib.suppress(binascii.Error, ValueError):
                self.learn(base64.b64decode(part, validate=True).decode("utf-8"))

    def text(self, text: str) -> str:
        """``text`` with every known secret replaced."""
        with self._lock:
            secrets = sorted(self._secrets, key=len, reverse=True)
        for s in secrets:
            if s in text:
                text = text.replace(s, SCRUBBED)
        return text

    def headers(self, headers: Iterable[tuple[str, str]]) -> dict[str, str]:
        """Headers with secret ones scrubbed (and the secrets in them learnt)."""
        out: dict[str, str] = {}
        for name, value in headers:
            key = name.lower()
            if key in _SECRET_HEADERS:
                if key in ("authorization", "proxy-authorization"):
                    self.learn_authorization(value)
                else:
                    self.learn(value)
                out[key] = SCRUBBED
            else:
                out[key] = value
        return {k: self.text(v) for k, v in out.items()}

    def learn_from(self, value: Any) -> None:
        """Learn every value held under a secret key in a JSON value."""
        if isinstance(value, Mapping):
            for k, v in value.items():
                if isinstance(k, str) and is_secret_key(k) and isinstance(v, str):
                    self.learn(v)
                else:
                    self.learn_from(v)
        elif isinstance(value, list):
            for v in value:
                self.learn_from(v)

    def json(self, value: Any) -> Any:
        """A copy of a JSON value with secret keys' values and known secrets scrubbed."""
        if isinstance(value, Mapping):
            return {
                k: (
                    SCRUBBED
                    if isinstance(k, str) and is_secret_key(k) and v not in (None, "")
                    else self.json(v)
                )
                for k, v in value.items()
            }
        if isinstance(value, list):
            return [self.json(v) for v in value]
        if isinstance(value, str):
            return self.text(value)
        return value


@dataclass
class Interaction:
    """One recorded request/response pair (already scrubbed)."""

    method: str
    path: str
    request_headers: dict[str, str] = field(default_factory=dict)
    #: The decoded request JSON (an event envelope, gz_data expanded into ``data``).
    request_json: Any = None
    #: The raw query string or body, only when it was not JSON.
    request_text: str | None = None
    #: Whether the payload travelled as ``gz_data``.
    compressed: bool = False
    status: int = 0
    response_headers: dict[str, str] = field(default_factory=dict)
    response_json: Any = None
    response_text: str | None = None

    @property
    def uri(self) -> str | None:
        """The event uri (``transfer/find``), lowercased; None for non-event requests."""
        env = self.request_json
        if isinstance(env, Mapping) and isinstance(env.get("uri"), str):
            return str(env["uri"]).strip().strip("/").lower()
        return None

    @property
    def envelope(self) -> Mapping[str, Any]:
        """The request envelope (empty when the request had none)."""
        env = self.request_json
        return env if isinstance(env, Mapping) else {}

    @property
    def result(self) -> Any:
        """The response's ``result`` (None when absent or not JSON)."""
        body = self.response_json
        return body.get("result") if isinstance(body, Mapping) else None

    @property
    def ok(self) -> bool:
        """A 2xx answer without an error ``message``."""
        body = self.response_json
        return 200 <= self.status < 300 and not (isinstance(body, Mapping) and "message" in body)

    def to_json(self) -> dict[str, Any]:
        """The cassette line of this interaction."""
        req: dict[str, Any] = {"method": self.method, "path": self.path}
        req["headers"] = self.request_headers
        if self.request_json is not None:
            req["json"] = self.request_json
        if self.request_text is not None:
            req["text"] = self.request_text
        if self.compressed:
            req["compressed"] = True
        resp: dict[str, Any] = {"status": self.status, "headers": self.response_headers}
        if self.response_json is not None:
            resp["json"] = self.response_json
        if self.response_text is not None:
            resp["text"] = self.response_text
        return {"request": req, "response": resp}

    @classmethod
    def from_json(cls, line: Mapping[str, Any]) -> Interaction:
        """Read one cassette line (see :meth:`to_json`)."""
        req = line.get("request")
        resp = line.get("response")
        if not isinstance(req, Mapping) or not isinstance(resp, Mapping):
            raise ValueError("an interaction has a 'request' and a 'response' object")
        return cls(
            method=str(req.get("method", "GET")).upper(),
            path=str(req.get("path", "")),
            request_headers=dict(req.get("headers") or {}),
            request_json=req.get("json"),
            request_text=req.get("text"),
            compressed=bool(req.get("compressed", False)),
            status=int(resp.get("status", 0)),
            response_headers=dict(resp.get("headers") or {}),
            response_json=resp.get("json"),
            response_text=resp.get("text"),
        )

    @classmethod
    def capture(
        cls,
        scrubber: Scrubber,
        *,
        method: str,
        path: str,
        raw_query: str,
        request_headers: Iterable[tuple[str, str]],
        body: bytes,
        status: int,
        response_headers: Iterable[tuple[str, str]],
        response_body: bytes,
    ) -> Interaction:
        """Decode and scrub one exchange as it crossed the wire."""
        req_headers = scrubber.headers(request_headers)
        req_json, req_text, compressed = _decode_request(method, raw_query, body)
        resp_json, resp_text = _decode_json(response_body)
        # Learn first (a login answers the session id the request could not show),
        # then scrub both sides with everything known.
        scrubber.learn_from(req_json)
        scrubber.learn_from(resp_json)
        resp_hdrs = scrubber.headers(
            (k, v) for k, v in response_headers if k.lower() not in _HOP_HEADERS
        )
        return cls(
            method=method.upper(),
            path=path,
            request_headers={k: v for k, v in req_headers.items() if k not in _HOP_HEADERS},
            request_json=scrubber.json(req_json),
            request_text=None if req_text is None else scrubber.text(req_text),
            compressed=compressed,
            status=status,
            response_headers=resp_hdrs,
            response_json=scrubber.json(resp_json),
            response_text=None if resp_text is None else scrubber.text(resp_text),
        )


# Connection-level headers say nothing about the contract and change per run.
_HOP_HEADERS = frozenset(
    {"content-length", "connection", "date", "server", "keep-alive", "transfer-encoding", "host"}
)


def _decode_json(raw: bytes) -> tuple[Any, str | None]:
    if not raw:
        return None, None
    try:
        return json.loads(raw), None
    except (ValueError, RecursionError):
        return None, raw.decode("utf-8", "replace")


def _decode_request(method: str, raw_query: str, body: bytes) -> tuple[Any, str | None, bool]:
    text: str | None
    if method.upper() in ("GET", "DELETE") and raw_query:
        text = unquote(raw_query)
    elif body:
        text = body.decode("utf-8", "replace")
    elif raw_query:
        text = unquote(raw_query)
    else:
        return None, None, False
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        return None, text, False
    compressed = False
    if isinstance(value, dict) and isinstance(value.get("gz_data"), str):
        try:
            data = _wire.decompress(value["gz_data"])
        except (ValueError, OSError, EOFError, binascii.Error):
            pass  # not ours to repair: keep it as sent (scrubbed like any string)
        else:
            value = {k: v for k, v in value.items() if k != "gz_data"}
            value["data"] = data
            compressed = True
    return value, None, compressed


@dataclass
class Cassette:
    """A read cassette: its header and interactions, in recording order."""

    header: dict[str, Any]
    interactions: list[Interaction]

    def __iter__(self) -> Iterator[Interaction]:
        return iter(self.interactions)

    def __len__(self) -> int:
        return len(self.interactions)

    def events(self, verb: str | None = None) -> list[Interaction]:
        """Successful event interactions, optionally only those whose uri ends ``/verb``."""
        out = []
        for i in self.interactions:
            uri = i.uri
            if uri is None or not i.ok:
                continue
            if verb is None or uri == verb or uri.endswith("/" + verb):
                out.append(i)
        return out


def read_cassette(path: str | os.PathLike[str]) -> Cassette:
    """Read a cassette file.

    Raises:
        accsyn.ValidationError: the file is missing, or a line is not a cassette line
            (the message names the line).
    """
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ValidationError(f"no cassette at {str(p)!r}", field="cassette") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ValidationError(f"cannot read cassette {str(p)!r}: {exc}", field="cassette") from None
    header: dict[str, Any] = {}
    interactions: list[Interaction] = []
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
            if not isinstance(obj, dict):
                raise ValueError("not a JSON object")
            if "accsyn_cassette" in obj:
                header = obj
                continue
            interactions.append(Interaction.from_json(obj))
        except (ValueError, TypeError, RecursionError) as exc:
            raise ValidationError(
                f"{p.name} line {n} is not a cassette line ({exc}); a cassette is JSON lines "
                "written by `accsyn record` or accsyn.contract.RecordingTransport",
                field="cassette",
            ) from None
    if not header and not interactions:
        raise ValidationError(f"{p.name} is empty: no interactions recorded", field="cassette")
    return Cassette(header, interactions)


class CassetteWriter:
    """Appends scrubbed interactions to a JSON-lines file, one flushed line each.

    Flushing per line means a recording stopped with Ctrl-C keeps everything so far.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        upstream: str | None = None,
        scrubber: Scrubber | None = None,
    ) -> None:
        self.path = Path(path)
        self.scrubber = scrubber or Scrubber()
        self._lock = threading.Lock()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._file: IO[str] | None = self.path.open("w", encoding="utf-8")
        header: dict[str, Any] = {"accsyn_cassette": FORMAT_VERSION}
        if upstream:
            header["upstream"] = self.scrubber.text(upstream)
        self._write(header)
        self.count = 0

    def _write(self, obj: Mapping[str, Any]) -> None:
        line = json.dumps(obj, separators=(",", ":"), ensure_ascii=False, sort_keys=False)
        with self._lock:
            if self._file is None:
                raise ValidationError(f"the cassette {self.path.name} is closed")
            self._file.write(line + "\n")
            self._file.flush()

    def write(self, interaction: Interaction) -> None:
        """Append one interaction."""
        # A secret learnt late (a session id first seen in a login answer) is
        # scrubbed here too, in case the interaction was captured before.
        self._write(self.scrubber.json(interaction.to_json()))
        self.count += 1

    def close(self) -> None:
        """Close the file (idempotent)."""
        with self._lock:
            if self._file is not None:
                self._file.close()
                self._file = None

    def __enter__(self) -> CassetteWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
