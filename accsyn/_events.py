"""Encoding the events of one login: what never changes between two events is built once.

:func:`accsyn._wire.encode_event` defines an event's HTTP request; a session sends
many small ones for the same caller and endpoint, and most of each request is the
same every time: the URL, the headers, and the JSON of the envelope's caller fields
(audience, workspace, session, ident, hostname), URL-quoted for GET and DELETE.
:class:`EventEncoder` builds those once and writes only the per-event fields, giving
the same request byte for byte (``tests/session/test_event_encoder.py`` holds them
equal): JSON of a dict is its items' ``key: value`` texts joined, and URL-quoting
works character by character, so both can be done piece by piece.
"""

from __future__ import annotations

import datetime as _dt
import re
from json.encoder import encode_basestring_ascii as _string

from accsyn import _constants as const
from accsyn import _wire as wire
from accsyn._exceptions import ValidationError
from accsyn._wire import Endpoint, EventRequest, HttpRequest, WireContext

__all__ = ["EventEncoder"]

_KEYS: dict[str, str] = {}
#: Most per-event string fields an encoder remembers (then it starts over).
_STRINGS = 256
#: An ``eid`` whose JSON and URL-quoted forms are the text itself (a uuid).
_SAFE_EID = re.compile(r"[0-9a-f-]{1,64}")


def _key(name: str) -> str:
    text = _KEYS.get(name)
    if text is None:
        text = _KEYS[name] = f"{wire.dumps(name)}: "
    return text


class EventEncoder:
    """Encodes events for one caller (``ctx``) and ``endpoint``, as ``encode_event`` does."""

    __slots__ = ("_delete_headers", "_fixed", "_headers", "_strings", "_url", "ctx", "endpoint")

    def __init__(self, ctx: WireContext, endpoint: Endpoint) -> None:
        self.ctx = ctx
        self.endpoint = endpoint
        self._url = endpoint.url(const.EVENT_URI)
        self._headers = wire.auth_headers(ctx)
        self._delete_headers = (*self._headers, ("Content-Length", "0"))
        caller = {
            "audience": const.AUDIENCE,
            "workspace": ctx.workspace,
            "session": ctx.session_id,
            "ident": ctx.username,
            "hostname": ctx.client_hostname,
        }
        # key -> (value, JSON "key: value", the same URL-quoted)
        self._fixed: dict[str, tuple[object, str, str]] = {}
        for key, value in caller.items():
            text = f"{_key(key)}{wire.dumps(value)}"
            self._fixed[key] = (value, text, wire.quote_text(text))
        # (key, string value) -> (JSON "key: value", the same URL-quoted): the uri,
        # the query, the stamp (one per second) repeat from event to event.
        self._strings: dict[tuple[str, str], tuple[str, str]] = {}

    def encode(
        self,
        req: EventRequest,
        *,
        eid: str | None = None,
        created: _dt.datetime | None = None,
    ) -> HttpRequest:
        """The HTTP request of ``req`` (``eid``/``created``: fixed values, for tests)."""
        envelope = wire.build_envelope(req, self.ctx, eid=eid, created=created)
        quoted = req.method in ("GET", "DELETE")
        fixed = self._fixed
        parts: list[str] = []
        for key, value in envelope.items():
            known = fixed.get(key)
            if known is not None and known[0] == value:
                parts.append(known[2] if quoted else known[1])
                continue
            if type(value) is str:
                if key == "eid" and _SAFE_EID.fullmatch(value):
                    # A fresh uuid every time: nothing in it to escape or remember.
                    text = f'"eid": "{value}"'
                    parts.append(f"%22eid%22%3A%20%22{value}%22" if quoted else text)
                    continue
                known_text = self._strings.get((key, value))
                if known_text is None:
                    # What dumps() writes for a string, without building an encoder per call.
                    text = f"{_key(key)}{_string(value)}"
                    if len(self._strings) >= _STRINGS:
                        self._strings.clear()
                    known_text = self._strings[(key, value)] = (text, wire.quote_text(text))
                parts.append(known_text[1] if quoted else known_text[0])
                continue
            elif value is None or (type(value) is dict and not value):
                text = f"{_key(key)}{'null' if value is None else '{}'}"
            else:
                try:
                    text = f"{_key(key)}{wire.dumps(value)}"
                except ValidationError:
                    # The error names the field as seen from the envelope, as it always has.
                    wire.dumps(envelope)
                    raise
            parts.append(wire.quote_text(text) if quoted else text)
        if quoted:
            url = f"{self._url}?%7B{'%2C%20'.join(parts)}%7D"
            headers = self._delete_headers if req.method == "DELETE" else self._headers
            return HttpRequest(req.method, url, headers, None, req.uri, req.is_read, envelope)
        content = f"{{{', '.join(parts)}}}".encode("ascii")
        return HttpRequest(
            req.method, self._url, self._headers, content, req.uri, req.is_read, envelope
        )
