"""The policy for sending one request, written once for sync and async.

:func:`transmit` is a generator: it waits for the rate limiter, sends, interprets
the answer, and decides whether to retry and how long to sleep. It yields
:class:`Send` and :class:`Sleep` actions; the drivers only perform them.
"""

from __future__ import annotations

import logging
from collections.abc import Generator, Mapping
from dataclasses import dataclass
from typing import Any

from accsyn import _constants as const
from accsyn._exceptions import AccsynError, APIError, RateLimitError, TransportError
from accsyn._http._policy import Clock, RetryPolicy, TokenBucket
from accsyn._http._redact import Redactor, mask_sensitive, redact_error
from accsyn._wire import (
    HttpRequest,
    header_value,
    interpret_response,
    parse_retry_after,
    redact_envelope,
)

__all__ = ["Action", "Failure", "Outcome", "Response", "Send", "Sleep", "transmit"]

logger = logging.getLogger(const.LOGGER_NAME)


@dataclass(frozen=True)
class Send:
    """Action: send this request and resume with its :data:`Outcome`."""

    request: HttpRequest


@dataclass(frozen=True)
class Sleep:
    """Action: wait this many seconds, then resume with None."""

    seconds: float


@dataclass(frozen=True)
class Response:
    """A complete HTTP answer."""

    status: int
    headers: tuple[tuple[str, str], ...]
    content: bytes


@dataclass(frozen=True)
class Failure:
    """The request did not complete; ``connect`` is True when it never left the machine.

    ``reason`` is a short phrase for the retry log ("connection refused", "timed out").
    """

    error: TransportError
    connect: bool
    reason: str = "transport error"


Outcome = Response | Failure
Action = Send | Sleep


def _log_request(req: HttpRequest, redact: Redactor, attempt: int) -> None:
    if not logger.isEnabledFor(logging.DEBUG):
        return
    envelope = mask_sensitive(redact_envelope(req.envelope)) if req.envelope is not None else None
    logger.debug(
        "%s",
        redact(
            f"-> {req.method} {req.url_without_query} uri={req.uri}"
            + (f" attempt={attempt + 1}" if attempt else "")
            + (f" envelope={_short(envelope)}" if envelope is not None else "")
        ),
    )


def _short(obj: Mapping[str, Any]) -> str:
    text = repr(dict(obj))
    return text if len(text) <= 2000 else text[:2000] + "…"


def _error_of(
    status: int, headers: tuple[tuple[str, str], ...], content: bytes, uri: str, workspace: str
) -> tuple[dict[str, Any] | None, AccsynError | None]:
    try:
        return interpret_response(status, headers, content, uri=uri, workspace=workspace), None
    except AccsynError as exc:
        return None, exc


def _interpret(
    outcome: Response, req: HttpRequest, workspace: str, redact: Redactor
) -> dict[str, Any]:
    """The decoded body, or the typed error with every secret hidden."""
    args = (outcome.status, outcome.headers)
    body, error = _error_of(*args, outcome.content, req.uri, workspace)
    if error is None:
        assert body is not None
        return body
    if not (isinstance(error, APIError) and error.body):
        # Built from a snippet of the raw answer: redact the answer first and cut the
        # snippet from that, so a cut never lands inside a secret.
        clean = redact(outcome.content.decode("utf-8", "replace")).encode("utf-8")
        _, again = _error_of(*args, clean, req.uri, workspace)
        if type(again) is type(error):
            error = again
    raise redact_error(error, redact)


def _reason(status: int | None, error: AccsynError, failure: Failure | None) -> str:
    if failure is not None:
        return failure.reason
    # ``error`` is already redacted, so cutting its text cannot expose a secret.
    text = str(error)
    text = text if len(text) <= 160 else text[:160] + "…"
    if isinstance(error, RateLimitError):
        return f"rate limited (HTTP 429): {text}"
    return f"HTTP {status}: {text}"


def transmit(
    req: HttpRequest,
    *,
    workspace: str,
    retry: RetryPolicy | None,
    bucket: TokenBucket | None,
    clock: Clock,
    redact: Redactor,
) -> Generator[Action, Outcome | None, dict[str, Any]]:
    """Send ``req`` until it succeeds or the retry policy gives up; return the body.

    Each retry is logged at INFO on the ``accsyn`` logger (what failed, why, and how
    long until the next attempt), so a backend that cannot be reached is never
    seconds of silence.
    """
    attempt = 0
    while True:
        if bucket is not None:
            wait = bucket.reserve(clock.monotonic())
            if wait > 0:
                logger.debug("rate limiter: waiting %.3fs before %s", wait, req.uri)
                yield Sleep(wait)
        _log_request(req, redact, attempt)
        started = clock.monotonic()
        outcome = yield Send(req)
        elapsed_ms = (clock.monotonic() - started) * 1000
        status: int | None = None
        retry_after: float | None = None
        connect_failed = False
        failure: Failure | None = None
        error: AccsynError
        if isinstance(outcome, Response):
            status = outcome.status
            logger.debug(
                "<- %s uri=%s status=%d elapsed=%.1fms", req.method, req.uri, status, elapsed_ms
            )
            try:
                return _interpret(outcome, req, workspace, redact)
            except AccsynError as exc:
                error = exc
                if isinstance(exc, RateLimitError):
                    # Also when the server said so with a 200 and a message.
                    status = 429
                    retry_after = exc.retry_after
                else:
                    # e.g. a 503 during maintenance may say when to come back.
                    retry_after = parse_retry_after(header_value(outcome.headers, "Retry-After"))
        elif isinstance(outcome, Failure):
            failure = outcome
            error = redact_error(outcome.error, redact)
            connect_failed = outcome.connect
            logger.debug(
                "%s",
                redact(f"<- {req.method} uri={req.uri} failed: {error} elapsed={elapsed_ms:.1f}ms"),
            )
        else:  # pragma: no cover - a driver bug
            raise TypeError(f"unexpected outcome {outcome!r}")
        attempt += 1
        delay = (
            retry.delay(
                attempt,
                idempotent=req.idempotent,
                status=status,
                connect_failed=connect_failed,
                retry_after=retry_after,
            )
            if retry is not None
            else None
        )
        if delay is None:
            raise error
        assert retry is not None
        logger.info(
            "%s %s (uri %s): %s; retry %d of %d in %.2fs",
            req.method,
            req.url_without_query,
            req.uri,
            _reason(status, error, failure),
            attempt,
            retry.max_retries,
            delay,
        )
        yield Sleep(delay)
