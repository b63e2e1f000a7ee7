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
#: Between two ``key: value`` texts: as JSON, and URL-quoted (GET and DELETE).
_SEPARATOR = {False: ", ", True: "%2C%20"}


def _key(name: str) -> str:
    text = _KEYS.get(name)
    if text is None:
        text = _KEYS[name] = f"{wire.dumps(name)}: "
    return text


class EventEncoder:
    """Encodes events for one caller (``ctx``) and ``endpoint``, as ``encode_event`` does."""

    __slots__ = (
        "_delete_headers",
        "_fixed",
        "_headers",
        "_strings",
        "_templates",
        "_url",
        "ctx",
        "endpoint",
    )

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
        # (method, uri, query, id, data is None) -> the text around eid and created,
        # for events whose data is empty.
        self._templates: dict[tuple[object, ...], tuple[str, str, str]] = {}

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
        data = envelope.get("data", envelope)  # compressed: no "data"
        if data is None or (type(data) is dict and not data):
            # A find, a get, a delete: everything but eid and created repeats from one
            # such event to the next, so the text around those two is made once.
            key = (req.method, req.uri, req.query, req.entityid, data is None)
            template = self._templates.get(key)
            if template is None:
                template = self._template(key, envelope, quoted)
            if template is not None:
                head, middle, tail = template
                eid_text = self._field("eid", envelope["eid"], quoted)
                created_text = self._field("created", envelope["created"], quoted)
                body = f"{head}{eid_text}{middle}{created_text}{tail}"
                return self._request(req, envelope, quoted, body)
        sep = _SEPARATOR[quoted]
        text = sep.join([self._field(k, v, quoted, envelope) for k, v in envelope.items()])
        return self._request(req, envelope, quoted, text)

    def _template(
        self, key: tuple[object, ...], envelope: dict[str, object], quoted: bool
    ) -> tuple[str, str, str] | None:
        """The envelope's text before eid, between eid and created, and after created."""
        keys = list(envelope)
        if keys[2] != "eid" or keys[6] != "created":  # pragma: no cover - the wire order
            return None
        sep = _SEPARATOR[quoted]
        parts = [self._field(k, v, quoted, envelope) for k, v in envelope.items()]
        template = (
            sep.join(parts[:2]) + sep,
            sep + sep.join(parts[3:6]) + sep,
            sep + sep.join(parts[7:]),
        )
        if len(self._templates) >= _STRINGS:
            self._templates.clear()
        self._templates[key] = template
        return template

    def _request(
        self, req: EventRequest, envelope: dict[str, object], quoted: bool, text: str
    ) -> HttpRequest:
        if quoted:
            url = f"{self._url}?%7B{text}%7D"
            headers = self._delete_headers if req.method == "DELETE" else self._headers
            return HttpRequest(req.method, url, headers, None, req.uri, req.is_read, envelope, True)
        content = f"{{{text}}}".encode("ascii")
        return HttpRequest(
            req.method, self._url, self._headers, content, req.uri, req.is_read, envelope
        )

    def _field(
        self, key: str, value: object, quoted: bool, envelope: dict[str, object] | None = None
    ) -> str:
        """``"key": value`` as JSON (URL-quoted when ``quoted``)."""
        known = self._fixed.get(key)
        if known is not None and known[0] == value:
            return known[2] if quoted else known[1]
        if type(value) is str:
            if key == "eid" and _SAFE_EID.fullmatch(value):
                # A fresh uuid every time: nothing in it to escape or remember.
                return f"%22eid%22%3A%20%22{value}%22" if quoted else f'"eid": "{value}"'
            known_text = self._strings.get((key, value))
            if known_text is None:
                # What dumps() writes for a string, without building an encoder per call.
                text = f"{_key(key)}{_string(value)}"
                if len(self._strings) >= _STRINGS:
                    self._strings.clear()
                known_text = self._strings[(key, value)] = (text, wire.quote_text(text))
            return known_text[1] if quoted else known_text[0]
        if value is None or (type(value) is dict and not value):
            text = f"{_key(key)}{'null' if value is None else '{}'}"
        else:
            try:
                text = f"{_key(key)}{wire.dumps(value)}"
            except ValidationError:
                # The error names the field as seen from the envelope, as it always has.
                if envelope is not None:
                    wire.dumps(envelope)
                raise
        return wire.quote_text(text) if quoted else text
