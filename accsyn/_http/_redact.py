"""Keeping secrets out of messages and logs.

A :class:`Redactor` knows a session's secrets (API key, Authorization value, session
id) and hides them, and any piece of them 8 characters or longer, in any text: a
server's error snippet cut at 200 characters can end inside a base64 key, and an
exact-match redaction would miss what is left of it.

:class:`HttpxLogFilter` is the opt-in for httpx's own request log: the SDK never
touches another package's logger. On the sessions' default transports the envelope
never reaches the URL httpx logs; with a custom transport or an environment proxy
it does, and an application that logs httpx at INFO installs the filter
(``logging.getLogger("httpx").addFilter(accsyn.HttpxLogFilter())``).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from typing import Any

import httpx

from accsyn import _constants as const
from accsyn._exceptions import AccsynError, APIError

__all__ = ["FRAGMENT", "HttpxLogFilter", "Redactor", "mask_sensitive", "redact_error"]

#: The shortest piece of a secret that is hidden wherever it appears.
FRAGMENT = 8
#: Secrets shorter than this are not secrets worth matching (they would hide words).
_MIN_SECRET = 4


@dataclass
class Redactor:
    """Replaces secrets (API key, Authorization value, session id) by ``***``.

    A secret of 8 characters or more is also hidden when only a piece of it appears
    (any run of 8 or more of its characters, e.g. the head of a key at the end of a
    truncated snippet); shorter secrets are hidden when they appear whole.
    """

    secrets: set[str] = field(default_factory=set)
    _grams: frozenset[str] = field(default=frozenset(), init=False, repr=False)
    _short: tuple[str, ...] = field(default=(), init=False, repr=False)

    def __post_init__(self) -> None:
        self._index()

    def add(self, *values: str | None) -> None:
        """Register more secrets (empty and very short values are ignored)."""
        self.secrets.update(v for v in values if v and len(v) >= _MIN_SECRET)
        self._index()

    def _index(self) -> None:
        self._grams = frozenset(
            s[i : i + FRAGMENT]
            for s in self.secrets
            if len(s) >= FRAGMENT
            for i in range(len(s) - FRAGMENT + 1)
        )
        self._short = tuple(
            sorted((s for s in self.secrets if len(s) < FRAGMENT), key=len, reverse=True)
        )

    def __call__(self, text: str) -> str:
        if not text or not self.secrets:
            return text
        # Every run of 8+ secret characters is a chain of overlapping 8-grams, so
        # marking each 8-gram's occurrences marks exactly the runs to hide.
        spans: list[tuple[int, int]] = []
        for gram in self._grams:
            at = text.find(gram)
            while at != -1:
                spans.append((at, at + FRAGMENT))
                at = text.find(gram, at + 1)
        for secret in self._short:
            at = text.find(secret)
            while at != -1:
                spans.append((at, at + len(secret)))
                at = text.find(secret, at + 1)
        if not spans:
            return text
        spans.sort()
        out: list[str] = []
        done = 0
        start, end = spans[0]
        for s, e in spans[1:]:
            if s <= end:
                end = max(end, e)
                continue
            out += [text[done:start], const.REDACTED]
            done, (start, end) = end, (s, e)
        out += [text[done:start], const.REDACTED, text[end:]]
        return "".join(out)

    def __repr__(self) -> str:
        return f"Redactor({len(self.secrets)} secrets)"


def _redact_value(value: Any, redact: Redactor) -> Any:
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {k: _redact_value(v, redact) for k, v in value.items()}
    if isinstance(value, list):
        return [_redact_value(v, redact) for v in value]
    return value


def redact_error(exc: AccsynError, redact: Redactor) -> AccsynError:
    """Scrub secrets from an error's message and body (a server could echo what we sent)."""
    if exc.args and isinstance(exc.args[0], str):
        clean = redact(exc.args[0])
        if clean != exc.args[0]:
            exc.args = (clean, *exc.args[1:])
            if isinstance(exc, APIError):
                exc.message = clean
    if isinstance(exc, APIError) and exc.body:
        exc.body = _redact_value(exc.body, redact)
    return exc


_SENSITIVE = re.compile(r"pwd|password|passphrase|token|secret|_key$|^key$", re.I)


def mask_sensitive(value: Any) -> Any:
    """Hide payload values whose key names a credential (as the official client's logs do)."""
    if isinstance(value, dict):
        return {
            k: (
                const.REDACTED
                if isinstance(k, str) and _SENSITIVE.search(k) and v
                else mask_sensitive(v)
            )
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [mask_sensitive(v) for v in value]
    return value


class HttpxLogFilter(logging.Filter):
    """Hides the envelope (and with it the session id) in httpx's request log lines.

    httpx logs every request URL at INFO on the ``httpx`` logger; an accsyn GET or
    DELETE carries its whole envelope, session id included, in the query string
    (the sessions' default transports keep it out of the logged URL; a custom
    ``transport=`` or an environment proxy does not). The SDK does not change other
    packages' loggers; an application that shows httpx's INFO lines installs this
    filter once::

        logging.getLogger("httpx").addFilter(accsyn.HttpxLogFilter())

    Only ``/api/v3/event`` URLs are changed (``...event?***``); other records pass
    untouched. The ``accsyn`` logger itself never logs a secret and needs no filter.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record's URL arguments; never drops a record."""
        if isinstance(record.args, tuple) and any(isinstance(a, httpx.URL) for a in record.args):
            record.args = tuple(hide_event_query(a) for a in record.args)
        return True


def hide_event_query(arg: object) -> object:
    """An event URL with its query string replaced by ``***`` (anything else unchanged)."""
    if isinstance(arg, httpx.URL) and arg.query and arg.path.endswith(const.EVENT_URI):
        return f"{arg.copy_with(query=None, fragment=None)}?{const.REDACTED}"
    return arg
