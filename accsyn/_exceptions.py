"""The accsyn error tree.

Every error the SDK raises on purpose derives from :class:`AccsynError`, so one
``except accsyn.AccsynError`` catches them all; the leaves say what went wrong::

    AccsynError
    ├── ConfigurationError           missing or inconsistent settings (workspace, user, key, proxy)
    ├── SessionClosedError (RuntimeError)
    │                                the session was used after close() / aclose()
    ├── QueryError (ValueError)      anything wrong with a query, found before sending it
    │   ├── QuerySyntaxError         the text does not parse (position, line, column, expected)
    │   ├── QueryRenderError         an AST value cannot be written safely (e.g. both quotes)
    │   └── QueryValidationError     parses, but names an unknown type/attribute or a bad value
    ├── ValidationError (ValueError) a create/update payload or argument rejected client-side
    │   └── TransitionError          a status change the job lifecycle does not allow
    ├── TransportError               the request did not complete
    │   ├── ConnectError             could not connect (the server never saw the request)
    │   ├── RequestTimeout           connect or read timed out
    │   └── ProtocolError            the server answered something that is not the accsyn protocol
    ├── APIError                     the server answered with an error ``message``
    │   ├── BadRequestError          400 / 422: the server rejected the request
    │   ├── AuthenticationError      401: wrong or expired credentials
    │   ├── PermissionDeniedError    403: authenticated, but not allowed
    │   ├── NotFoundError            404: no such entity, route or path
    │   ├── ConflictError            409: duplicate or state conflict
    │   ├── RateLimitError           429: carries ``retry_after`` seconds
    │   └── ServerError              5xx, or an ``exception`` report from the backend
    ├── WaitError                    ``wait()`` ended without reaching the wanted status
    │   └── WaitTimeoutError (TimeoutError)
    │                                ``wait(timeout=...)`` ran out of time
    ├── NoResultFound                ``one()`` found nothing
    ├── MultipleResultsFound         ``one()`` found more than one
    └── UnselectedAttributeError (AttributeError)
                                     reading a field left out by ``select(...)``

No message produced here ever contains an API key, an Authorization header or a
session id: errors are built from the server's message text and request metadata
that has already been redacted.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

__all__ = [
    "APIError",
    "AccsynError",
    "AuthenticationError",
    "BadRequestError",
    "ConfigurationError",
    "ConflictError",
    "ConnectError",
    "MultipleResultsFound",
    "NoResultFound",
    "NotFoundError",
    "PermissionDeniedError",
    "ProtocolError",
    "QueryError",
    "QueryRenderError",
    "QuerySyntaxError",
    "QueryValidationError",
    "RateLimitError",
    "RequestTimeout",
    "ServerError",
    "SessionClosedError",
    "TransitionError",
    "TransportError",
    "UnselectedAttributeError",
    "ValidationError",
    "WaitError",
    "WaitTimeoutError",
]


class AccsynError(Exception):
    """Root of every error raised by the accsyn SDK."""


class ConfigurationError(AccsynError):
    """Settings are missing or inconsistent (workspace, user, API key, proxy, …)."""


class SessionClosedError(AccsynError, RuntimeError):
    """The session was used after ``close()`` / ``aclose()``; open a new one."""


def _caret_view(text: str, position: int) -> str:
    """Return the line of ``text`` holding ``position`` with a caret under it."""
    start = text.rfind("\n", 0, position) + 1
    end = text.find("\n", position)
    if end == -1:
        end = len(text)
    line = text[start:end]
    # Tabs keep their width so the caret lines up in a terminal.
    pad = "".join("\t" if ch == "\t" else " " for ch in line[: position - start])
    return f"    {line}\n    {pad}^"


class QueryError(AccsynError, ValueError):
    """Base class of errors about a query, raised before anything is sent."""


class QuerySyntaxError(QueryError):
    """The query text does not parse.

    Attributes:
        text: the query as given.
        position: 0-based offset of the first character that cannot be accepted
            (``len(text)`` when the query ends too early).
        line, column: 1-based line and column of ``position``.
        expected: what would have been valid there, in words.
        reason: the short description, without the caret view.
    """

    def __init__(
        self,
        reason: str,
        text: str,
        position: int,
        expected: Sequence[str] = (),
    ) -> None:
        self.reason = reason
        self.text = text
        self.position = position
        self.line = text.count("\n", 0, position) + 1
        self.column = position - (text.rfind("\n", 0, position) + 1) + 1
        self.expected: tuple[str, ...] = tuple(expected)
        message = f"invalid query at line {self.line}, column {self.column}: {reason}"
        if self.expected:
            message += f"; expected {_join_or(self.expected)}"
        message += "\n" + _caret_view(text, position)
        super().__init__(message)

    def __reduce__(self) -> tuple[object, ...]:
        return (type(self), (self.reason, self.text, self.position, self.expected))


def _join_or(items: Sequence[str]) -> str:
    if len(items) == 1:
        return items[0]
    return ", ".join(items[:-1]) + ", or " + items[-1]


class QueryRenderError(QueryError):
    """An AST cannot be written as a query string without changing its meaning."""


class QueryValidationError(QueryError):
    """A query parses but does not fit the entity models.

    Attributes:
        problems: every problem found, each with its position in the text.
    """

    def __init__(self, problems: Sequence[QueryProblem], text: str | None = None) -> None:
        self.problems: tuple[QueryProblem, ...] = tuple(problems)
        self.text = text
        lines = []
        for p in self.problems:
            where = f"column {p.column}: " if p.column is not None else ""
            lines.append(where + p.message)
            if text is not None and p.position is not None:
                lines.append(_caret_view(text, p.position))
        super().__init__("\n".join(lines) if lines else "invalid query")


class QueryProblem:
    """One problem found by query validation."""

    __slots__ = ("column", "message", "position", "suggestion")

    def __init__(
        self,
        message: str,
        position: int | None = None,
        column: int | None = None,
        suggestion: str | None = None,
    ) -> None:
        self.message = message
        self.position = position
        self.column = column
        self.suggestion = suggestion

    def __repr__(self) -> str:
        return f"QueryProblem({self.message!r}, column={self.column!r})"


class ValidationError(AccsynError, ValueError):
    """A payload or argument was rejected before any request left the machine.

    Attributes:
        field: dotted name of the offending field, when there is one.
    """

    def __init__(self, message: str, field: str | None = None) -> None:
        self.field = field
        super().__init__(message)


class TransitionError(ValidationError):
    """A status change the lifecycle does not allow from the entity's current status.

    Raised before anything is sent (``transfer.resume()`` on a running transfer).

    Attributes:
        entitytype: the entity type, e.g. ``transfer``.
        status: the entity's current status (None when unknown).
        target: the status that was asked for.
        allowed: the statuses ``target`` may be set from.
    """

    def __init__(
        self,
        message: str,
        *,
        entitytype: str,
        status: str | None,
        target: str,
        allowed: Sequence[str] = (),
    ) -> None:
        self.entitytype = entitytype
        self.status = status
        self.target = target
        self.allowed: tuple[str, ...] = tuple(allowed)
        super().__init__(message, field="status")


class TransportError(AccsynError):
    """The request did not complete: the network or the peer failed."""


class ConnectError(TransportError):
    """Could not connect; the server never received the request."""


class RequestTimeout(TransportError):
    """Connecting timed out, or the answer was not complete within ``timeout``."""


class ProtocolError(TransportError):
    """The server answered something that is not the accsyn protocol (e.g. HTML)."""

    def __init__(self, message: str, status_code: int | None = None) -> None:
        self.status_code = status_code
        super().__init__(message)


class APIError(AccsynError):
    """The server answered with an error ``message``.

    Attributes:
        message: the text shown to users (``message_hr`` when the server sent one).
        status_code: the HTTP status (the real backend may answer errors with 200).
        uri: the operation route, e.g. ``transfer/find``.
        body: the decoded error body.
    """

    def __init__(
        self,
        message: str,
        *,
        status_code: int | None = None,
        uri: str | None = None,
        body: dict[str, object] | None = None,
    ) -> None:
        self.message = message
        self.status_code = status_code
        self.uri = uri
        self.body = body if body is not None else {}
        super().__init__(message)


class BadRequestError(APIError):
    """The server rejected the request (400/422)."""


class AuthenticationError(APIError):
    """Wrong, unknown or expired credentials (401)."""


class PermissionDeniedError(APIError):
    """Authenticated, but not allowed to do this (403)."""


class NotFoundError(APIError):
    """No such entity, route or path (404)."""


class ConflictError(APIError):
    """A duplicate or a state conflict (409)."""


class RateLimitError(APIError):
    """Too many requests (429).

    Attributes:
        retry_after: seconds the server asked us to wait, if it said.
    """

    def __init__(
        self,
        message: str,
        *,
        retry_after: float | None = None,
        status_code: int | None = 429,
        uri: str | None = None,
        body: dict[str, object] | None = None,
    ) -> None:
        self.retry_after = retry_after
        super().__init__(message, status_code=status_code, uri=uri, body=body)


class ServerError(APIError):
    """The backend failed (5xx, or an ``exception`` report)."""


class WaitError(AccsynError):
    """``wait()`` stopped without the entity reaching a wanted status.

    For instance the job finished as ``aborted`` while ``done`` was awaited: it will
    not get there by itself.

    Attributes:
        entity: the entity as last read (its ``status`` says where it is).
        until: the statuses that were awaited.
    """

    def __init__(self, message: str, *, entity: Any = None, until: Sequence[str] = ()) -> None:
        # Any, not object: the entity is a model whose type the raiser knows
        # (``exc.entity.status`` must type-check in user code).
        self.entity: Any = entity
        self.until: tuple[str, ...] = tuple(until)
        super().__init__(message)


class WaitTimeoutError(WaitError, TimeoutError):
    """``wait(timeout=...)`` ran out of time; ``entity`` is the last state read.

    Attributes:
        timeout: the timeout in seconds.
    """

    def __init__(
        self,
        message: str,
        *,
        entity: Any = None,
        until: Sequence[str] = (),
        timeout: float | None = None,
    ) -> None:
        self.timeout = timeout
        super().__init__(message, entity=entity, until=until)


class NoResultFound(AccsynError):
    """``one()`` expected exactly one result and found none."""


class MultipleResultsFound(AccsynError):
    """``one()`` expected exactly one result and found several."""


class UnselectedAttributeError(AccsynError, AttributeError):
    """An attribute was read that the query's ``select(...)`` left out."""
