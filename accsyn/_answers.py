"""Answers of the accsyn v3 wire protocol, sans-IO: status and body → result or typed error.

Split from :mod:`accsyn._wire` (which re-exports these names): the request side
stays there, the answer side is here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from accsyn._codec import parse_retry_after
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
)
from accsyn._json import loads

__all__ = ["Body", "header_value", "interpret_response"]

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
    try:
        body: Any = loads(content)
    except RecursionError:
        # Nesting no real answer has: refuse it as a protocol error, never a crash.
        raise ProtocolError(
            f"The server answered {uri} with JSON nested too deeply to read (HTTP {status})",
            status_code=status,
        ) from None
    except (ValueError, UnicodeDecodeError):
        snippet = content[:200].decode("utf-8", "replace").strip()
        if status == 429:
            raise RateLimitError(
                "Too many requests, please try again later.",
                retry_after=parse_retry_after(header_value(headers, "Retry-After")),
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
            retry_after = parse_retry_after(header_value(headers, "Retry-After"))
            if retry_after is None:
                retry_after = parse_retry_after(body.get("retry_after"))
            raise RateLimitError(
                text, retry_after=retry_after, status_code=status, uri=uri, body=body
            )
        raise cls(text, status_code=status, uri=uri, body=body)
    return Body(body, content if untouched else None)
