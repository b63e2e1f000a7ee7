"""httpx drivers around the sans-IO wire layer: retries, rate limiting, logging.

One generator, :func:`transmit`, holds the whole policy for sending one request:
wait for the rate limiter, send, interpret the answer, decide whether to retry and
how long to sleep. It yields :class:`Send` and :class:`Sleep` actions; the sync and
async drivers only perform them, so the policy is written once.
"""

from __future__ import annotations

import asyncio
import logging
import random
import re
import threading
import time
from collections.abc import Callable, Generator, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

import httpx

from accsyn import _constants as const
from accsyn._exceptions import (
    AccsynError,
    APIError,
    ConnectError,
    RateLimitError,
    RequestTimeout,
    TransportError,
)
from accsyn._wire import (
    HttpRequest,
    header_value,
    interpret_response,
    parse_retry_after,
    redact_envelope,
)

__all__ = [
    "AsyncDriver",
    "Clock",
    "RateLimit",
    "Redactor",
    "RetryPolicy",
    "SyncDriver",
    "SystemClock",
    "TokenBucket",
    "transmit",
]

logger = logging.getLogger(const.LOGGER_NAME)


class _HideEventQueries(logging.Filter):
    """Strip the raw query string from URLs httpx logs for ``/event`` requests.

    httpx logs every request URL at INFO; a GET or DELETE event carries the whole
    envelope, session id included, in its query string.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and any(isinstance(a, httpx.URL) for a in record.args):
            record.args = tuple(_hide_query(a) for a in record.args)
        return True


def _hide_query(arg: object) -> object:
    if isinstance(arg, httpx.URL) and arg.query and arg.path.endswith(const.EVENT_URI):
        return f"{arg.copy_with(query=None)}?{const.REDACTED}"
    return arg


_HIDE_EVENT_QUERIES = _HideEventQueries()
logging.getLogger("httpx").addFilter(_HIDE_EVENT_QUERIES)

T = TypeVar("T")


# --------------------------------------------------------------------------------------
# Time
# --------------------------------------------------------------------------------------


class Clock(Protocol):
    """Where the transport reads the time and sleeps; swap it to test without waiting."""

    def monotonic(self) -> float:
        """Seconds on a clock that never goes backwards."""

    def sleep(self, seconds: float) -> None:
        """Block for ``seconds``."""

    async def asleep(self, seconds: float) -> None:
        """Suspend the running task for ``seconds``."""


class SystemClock:
    """The real clock: :func:`time.monotonic`, :func:`time.sleep`, :func:`asyncio.sleep`."""

    def monotonic(self) -> float:
        """Seconds on the monotonic clock."""
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        """Block for ``seconds``."""
        time.sleep(seconds)

    async def asleep(self, seconds: float) -> None:
        """Suspend the running task for ``seconds``."""
        await asyncio.sleep(seconds)


# --------------------------------------------------------------------------------------
# Policies
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RetryPolicy:
    """When and how long to retry.

    Reads (GET) are retried on 429, 502, 503, 504 and on connection failures and
    timeouts. Writes are retried only when the connection could not be made (the
    server provably never saw them), so a create is never duplicated. Delays grow
    exponentially from ``backoff_initial`` up to ``backoff_max`` with full jitter; a
    ``Retry-After`` from the server wins when it is longer, up to ``retry_after_max``
    (a longer requested wait is raised as :class:`accsyn.RateLimitError` instead).
    ``RetryPolicy(max_retries=0)`` or ``Session(retry=None)`` disables retries.
    """

    max_retries: int = const.DEFAULT_MAX_RETRIES
    backoff_initial: float = const.DEFAULT_BACKOFF_INITIAL
    backoff_max: float = const.DEFAULT_BACKOFF_MAX
    retry_after_max: float = const.DEFAULT_RETRY_AFTER_MAX
    retry_statuses: frozenset[int] = const.RETRY_STATUSES
    jitter: bool = True

    def __post_init__(self) -> None:
        if isinstance(self.max_retries, bool) or self.max_retries < 0:
            raise ValueError("max_retries must be >= 0")
        if self.backoff_initial < 0 or self.backoff_max < 0 or self.retry_after_max < 0:
            raise ValueError("backoff and retry_after limits must be >= 0")

    def backoff(self, attempt: int, rng: Callable[[], float] = random.random) -> float:
        """The delay before retry number ``attempt`` (1-based), before any Retry-After."""
        ceiling = min(self.backoff_max, self.backoff_initial * 2.0 ** (attempt - 1))
        # Full jitter spreads a burst of clients; keep half so retries never stampede.
        return ceiling * (0.5 + rng() / 2) if self.jitter else ceiling

    def delay(
        self,
        attempt: int,
        *,
        idempotent: bool,
        status: int | None,
        connect_failed: bool,
        retry_after: float | None,
    ) -> float | None:
        """Seconds to sleep before retry ``attempt``, or None to give up and raise."""
        if attempt > self.max_retries:
            return None
        if connect_failed:
            retryable = True
        elif not idempotent:
            return None
        else:
            retryable = status is None or status in self.retry_statuses
        if not retryable:
            return None
        wait = self.backoff(attempt)
        if retry_after is not None:
            if retry_after > self.retry_after_max:
                return None
            # The server's own wait wins; our backoff only ever lengthens it.
            wait = max(wait, retry_after)
        return wait


@dataclass(frozen=True)
class RateLimit:
    """A client-side token bucket: ``rate`` requests per second, bursts of ``burst``.

    The defaults are the documented accsyn edge limits (30 r/s, burst 60); one bucket
    is shared by every request of a session, so a busy integration slows down instead
    of being answered 429. ``Session(rate_limit=None)`` turns it off.
    """

    rate: float = const.DEFAULT_RATE
    burst: int = const.DEFAULT_BURST

    def __post_init__(self) -> None:
        if self.rate <= 0 or self.burst < 1:
            raise ValueError("rate must be > 0 and burst >= 1")


class TokenBucket:
    """Thread-safe reservations on a :class:`RateLimit` (sans-IO: the caller sleeps)."""

    def __init__(self, limit: RateLimit, now: float) -> None:
        self.limit = limit
        self._tokens = float(limit.burst)
        self._last = now
        self._lock = threading.Lock()

    def reserve(self, now: float) -> float:
        """Take one token; return how long to wait before using it (0 if available)."""
        with self._lock:
            elapsed = max(0.0, now - self._last)
            self._last = max(self._last, now)
            self._tokens = min(float(self.limit.burst), self._tokens + elapsed * self.limit.rate)
            # Tokens may go negative: that is a queue of reservations, served in order.
            self._tokens -= 1.0
            return 0.0 if self._tokens >= 0 else -self._tokens / self.limit.rate


# --------------------------------------------------------------------------------------
# Secrets
# --------------------------------------------------------------------------------------


@dataclass
class Redactor:
    """Replaces known secret strings (API key, Authorization value, session id) by ``***``."""

    secrets: set[str] = field(default_factory=set)

    def add(self, *values: str | None) -> None:
        """Register more secrets (empty values are ignored)."""
        self.secrets.update(v for v in values if v and len(v) >= 4)

    def __call__(self, text: str) -> str:
        for secret in sorted(self.secrets, key=len, reverse=True):
            if secret in text:
                text = text.replace(secret, const.REDACTED)
        return text

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


# --------------------------------------------------------------------------------------
# The transmit state machine
# --------------------------------------------------------------------------------------


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
    """The request did not complete; ``connect`` is True when it never left the machine."""

    error: TransportError
    connect: bool


Outcome = Response | Failure
Action = Send | Sleep


def _log_request(req: HttpRequest, redact: Redactor, attempt: int) -> None:
    if not logger.isEnabledFor(logging.DEBUG):
        return
    envelope = _mask_sensitive(redact_envelope(req.envelope)) if req.envelope is not None else None
    logger.debug(
        "%s",
        redact(
            f"-> {req.method} {req.url_without_query} uri={req.uri}"
            + (f" attempt={attempt + 1}" if attempt else "")
            + (f" envelope={_short(envelope)}" if envelope is not None else "")
        ),
    )


_SENSITIVE = re.compile(r"pwd|password|passphrase|token|secret|_key$|^key$", re.I)


def _mask_sensitive(value: Any) -> Any:
    """Hide payload values whose key names a credential (as the official client's logs do)."""
    if isinstance(value, dict):
        return {
            k: (
                const.REDACTED
                if isinstance(k, str) and _SENSITIVE.search(k) and v
                else _mask_sensitive(v)
            )
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_mask_sensitive(v) for v in value]
    return value


def _short(obj: Mapping[str, Any]) -> str:
    text = repr(dict(obj))
    return text if len(text) <= 2000 else text[:2000] + "…"


def transmit(
    req: HttpRequest,
    *,
    workspace: str,
    retry: RetryPolicy | None,
    bucket: TokenBucket | None,
    clock: Clock,
    redact: Redactor,
) -> Generator[Action, Outcome | None, dict[str, Any]]:
    """Send ``req`` until it succeeds or the retry policy gives up; return the body."""
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
        error: AccsynError
        if isinstance(outcome, Response):
            status = outcome.status
            logger.debug(
                "%s",
                redact(f"<- {req.method} uri={req.uri} status={status} elapsed={elapsed_ms:.1f}ms"),
            )
            try:
                return interpret_response(
                    outcome.status,
                    outcome.headers,
                    outcome.content,
                    uri=req.uri,
                    workspace=workspace,
                )
            except AccsynError as exc:
                error = redact_error(exc, redact)
                if isinstance(exc, RateLimitError):
                    # Also when the server said so with a 200 and a message.
                    status = 429
                    retry_after = exc.retry_after
                else:
                    # e.g. a 503 during maintenance may say when to come back.
                    retry_after = parse_retry_after(header_value(outcome.headers, "Retry-After"))
        elif isinstance(outcome, Failure):
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
        logger.debug(
            "retrying %s %s in %.3fs (attempt %d): %s",
            req.method,
            req.uri,
            delay,
            attempt + 1,
            redact(str(error)),
        )
        yield Sleep(delay)


# --------------------------------------------------------------------------------------
# Drivers
# --------------------------------------------------------------------------------------


def _failure(exc: Exception, req: HttpRequest, redact: Redactor) -> Failure:
    where = req.url_without_query.split("/api/", 1)[0]
    detail = redact(str(exc)) or type(exc).__name__
    if isinstance(exc, httpx.ConnectTimeout | httpx.PoolTimeout):
        # Never connected (or never got a pooled connection): the server saw nothing.
        return Failure(RequestTimeout(f"Timed out connecting to {where}: {detail}"), True)
    if isinstance(exc, httpx.TimeoutException):
        return Failure(
            RequestTimeout(f"Timed out waiting for {where} ({req.uri}): {detail}"), False
        )
    if isinstance(exc, httpx.ConnectError):
        return Failure(
            ConnectError(
                f"Could not reach {where}! Make sure the backend can be reached from your "
                f"location and no firewall blocks it. Details: {detail}"
            ),
            True,
        )
    if isinstance(exc, httpx.UnsupportedProtocol | httpx.ProxyError):
        return Failure(ConnectError(f"Cannot connect to {where}: {detail}"), True)
    return Failure(
        TransportError(
            f"The request to {where} ({req.uri}) failed: {type(exc).__name__}: {detail}"
        ),
        False,
    )


def _headers(pairs: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    return list(pairs)


class SyncDriver:
    """Performs :func:`transmit` actions with a pooled :class:`httpx.Client`."""

    def __init__(self, client: httpx.Client, clock: Clock, redact: Redactor) -> None:
        self.client = client
        self.clock = clock
        self.redact = redact

    def perform(self, req: HttpRequest) -> Outcome:
        """Send one request; transport failures become a :class:`Failure`."""
        try:
            r = self.client.request(
                req.method, req.url, headers=_headers(req.headers), content=req.content
            )
            return Response(r.status_code, tuple(r.headers.multi_items()), r.content)
        except httpx.HTTPError as exc:
            return _failure(exc, req, self.redact)

    def run(self, flow: Generator[Action, Outcome | None, T]) -> T:
        """Drive a transmit generator to its result."""
        try:
            action = next(flow)
            while True:
                if isinstance(action, Sleep):
                    self.clock.sleep(action.seconds)
                    action = flow.send(None)
                else:
                    action = flow.send(self.perform(action.request))
        except StopIteration as stop:
            return stop.value  # type: ignore[no-any-return]


class AsyncDriver:
    """Performs :func:`transmit` actions with a pooled :class:`httpx.AsyncClient`."""

    def __init__(self, client: httpx.AsyncClient, clock: Clock, redact: Redactor) -> None:
        self.client = client
        self.clock = clock
        self.redact = redact

    async def perform(self, req: HttpRequest) -> Outcome:
        """Send one request; transport failures become a :class:`Failure`."""
        try:
            r = await self.client.request(
                req.method, req.url, headers=_headers(req.headers), content=req.content
            )
            return Response(r.status_code, tuple(r.headers.multi_items()), r.content)
        except httpx.HTTPError as exc:
            return _failure(exc, req, self.redact)

    async def run(self, flow: Generator[Action, Outcome | None, T]) -> T:
        """Drive a transmit generator to its result."""
        try:
            action = next(flow)
            while True:
                if isinstance(action, Sleep):
                    await self.clock.asleep(action.seconds)
                    action = flow.send(None)
                else:
                    action = flow.send(await self.perform(action.request))
        except StopIteration as stop:
            return stop.value  # type: ignore[no-any-return]
