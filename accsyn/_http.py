"""httpx drivers around the sans-IO wire layer: retries, rate limiting, logging.

One generator, :func:`transmit`, holds the whole policy for sending one request:
wait for the rate limiter, send, interpret the answer, decide whether to retry and
how long to sleep. It yields :class:`Send` and :class:`Sleep` actions; the sync and
async drivers only perform them, so the policy is written once.
"""

from __future__ import annotations

import asyncio
import importlib.util
import logging
import random
import re
import ssl
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Generator, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar, cast

import httpcore
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
    "AsyncioBackend",
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
        if arg.fragment:
            return f"{arg.copy_with(query=None)}?{const.REDACTED}"
        # A normalised URL's first "?" starts its query (a "?" in a path is %3F), and
        # cutting there spares httpx re-parsing the whole envelope per log line.
        return f"{str(arg).partition('?')[0]}?{const.REDACTED}"
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


#: What :func:`accsyn._wire._quote_json` writes: httpx would leave every character as is.
_PLAIN_QUERY = re.compile(r"[A-Za-z0-9_.~/%-]*")


class _URLCache:
    """Builds the :class:`httpx.URL` of each request without re-parsing the envelope.

    An event GET carries its whole envelope in the query string; httpx validates and
    re-quotes every character of it in Python (about a tenth of an asyncio request's
    client time). The endpoint part is parsed once by httpx; a query made only of
    characters httpx keeps unchanged is then attached as it is. Anything else, or an
    httpx whose URL differs from what this expects, goes the ordinary way.
    """

    def __init__(self) -> None:
        self._bases: dict[str, httpx.URL] = {}
        self.enabled = self._self_check()

    def url(self, text: str) -> httpx.URL | str:
        if not self.enabled:
            return text
        base, sep, query = text.partition("?")
        if not sep or not _PLAIN_QUERY.fullmatch(query):
            return text
        parsed = self._bases.get(base)
        if parsed is None:
            parsed = httpx.URL(base)
            if parsed.query or parsed.fragment or len(self._bases) > 16:
                return text
            self._bases[base] = parsed
        return self._with_query(parsed, query)

    @staticmethod
    def _with_query(base: httpx.URL, query: str) -> httpx.URL:
        url = httpx.URL.__new__(httpx.URL)
        url._uri_reference = base._uri_reference._replace(query=query)
        return url

    def _self_check(self) -> bool:
        sample = "http://127.0.0.1:8181/api/v3/event?%7B%22a%22%3A%20%22b%2F~-_.%22%7D"
        try:
            fast = self._with_query(httpx.URL(sample.split("?")[0]), sample.split("?")[1])
            slow = httpx.URL(sample)
            return fast == slow and fast.raw_path == slow.raw_path and str(fast) == str(slow)
        except Exception:  # any surprise: use the ordinary path
            return False


class SyncDriver:
    """Performs :func:`transmit` actions with a pooled :class:`httpx.Client`."""

    def __init__(self, client: httpx.Client, clock: Clock, redact: Redactor) -> None:
        self.client = client
        self.clock = clock
        self.redact = redact
        self._urls = _URLCache()

    def perform(self, req: HttpRequest) -> Outcome:
        """Send one request; transport failures become a :class:`Failure`."""
        try:
            r = self.client.request(
                req.method,
                self._urls.url(req.url),
                headers=_headers(req.headers),
                content=req.content,
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
        self._urls = _URLCache()

    async def perform(self, req: HttpRequest) -> Outcome:
        """Send one request; transport failures become a :class:`Failure`."""
        try:
            r = await self.client.request(
                req.method,
                self._urls.url(req.url),
                headers=_headers(req.headers),
                content=req.content,
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


# --------------------------------------------------------------------------------------
# A lean asyncio transport for AsyncSession
# --------------------------------------------------------------------------------------

#: Stop reading from the socket while this much is buffered and not yet consumed.
_READ_HIGH_WATER = 256 * 1024


def _silence_sniffio_lookups() -> None:
    """Make httpcore's per-lock ``import sniffio`` cheap when sniffio is not installed.

    httpcore imports sniffio (inside a ``try``) every time it sets up an async lock,
    event or semaphore: several times per request. Recent anyio releases no longer
    depend on sniffio, and a failed import is not cached, so each one walks
    ``sys.path`` — the largest single cost of a request in an asyncio fan-out
    (about a quarter of the client's time). Recording the
    absence in ``sys.modules`` (the documented way to block an import) makes the
    same ``ImportError`` immediate; nothing changes when sniffio is installed.
    """
    if "sniffio" not in sys.modules and importlib.util.find_spec("sniffio") is None:
        sys.modules["sniffio"] = None  # type: ignore[assignment]


class _StreamProtocol(asyncio.Protocol):
    """Buffers what the socket delivers; one reader waits at a time (HTTP/1.1)."""

    def __init__(self) -> None:
        self.loop = asyncio.get_running_loop()
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.eof = False
        self.error: BaseException | None = None
        self.reading_paused = False
        self.writing_paused = False
        self._waiter: asyncio.Future[None] | None = None
        self._drain_waiter: asyncio.Future[None] | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # Duck-typed: other event loops' (uvloop's) transports need not subclass Transport.
        self.transport = cast(asyncio.Transport, transport)

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        if len(self.buffer) > _READ_HIGH_WATER and self.transport is not None:
            self.reading_paused = True
            self.transport.pause_reading()
        self._wake()

    def eof_received(self) -> bool | None:
        self.eof = True
        self._wake()
        return None  # close the transport

    def connection_lost(self, exc: Exception | None) -> None:
        self.eof = True
        self.error = exc
        self._wake()
        self._wake_drain()

    def pause_writing(self) -> None:
        self.writing_paused = True

    def resume_writing(self) -> None:
        self.writing_paused = False
        self._wake_drain()

    def _wake(self) -> None:
        waiter, self._waiter = self._waiter, None
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def _wake_drain(self) -> None:
        waiter, self._drain_waiter = self._drain_waiter, None
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    async def wait(self, drain: bool, timeout: float | None) -> bool:
        """Wait for data (or for the write buffer to drain); False when timed out."""
        waiter = self.loop.create_future()
        if drain:
            self._drain_waiter = waiter
        else:
            self._waiter = waiter
        timer = self.loop.call_later(timeout, _expire, waiter) if timeout is not None else None
        try:
            await waiter
        finally:
            if timer is not None:
                timer.cancel()
            if drain:
                self._drain_waiter = None
            else:
                self._waiter = None
        return not (timer is not None and waiter.result() is _EXPIRED)


_EXPIRED: Any = object()


def _expire(waiter: asyncio.Future[None]) -> None:
    if not waiter.done():
        waiter.set_result(_EXPIRED)


class _AsyncioStream(httpcore.AsyncNetworkStream):
    """An httpcore network stream on a plain asyncio transport.

    The default (anyio) stream costs a cancel scope per read and write and a
    ``poll()`` system call per idle pooled connection per request (httpcore asks
    whether each one became readable, i.e. was closed by the server); here the
    protocol already knows, as the event loop delivers EOF as soon as it happens.
    """

    def __init__(self, transport: asyncio.Transport, protocol: _StreamProtocol) -> None:
        self._transport = transport
        self._protocol = protocol

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        p = self._protocol
        while not p.buffer:
            if p.eof:
                if p.error is not None:
                    raise httpcore.ReadError(str(p.error) or type(p.error).__name__)
                return b""
            if not await p.wait(False, timeout):
                raise httpcore.ReadTimeout("timed out reading from the server")
        if len(p.buffer) <= max_bytes:
            data = bytes(p.buffer)
            p.buffer.clear()
        else:
            data = bytes(p.buffer[:max_bytes])
            del p.buffer[:max_bytes]
        if p.reading_paused and len(p.buffer) <= _READ_HIGH_WATER // 4:
            p.reading_paused = False
            self._transport.resume_reading()
        return data

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        if not buffer:
            return
        p = self._protocol
        if (p.eof and p.error is not None) or self._transport.is_closing():
            raise httpcore.WriteError(
                str(p.error) if p.error is not None else "the connection is closed"
            )
        self._transport.write(buffer)
        while p.writing_paused and not p.eof:
            if not await p.wait(True, timeout):
                raise httpcore.WriteTimeout("timed out writing to the server")
        if p.error is not None:
            raise httpcore.WriteError(str(p.error) or type(p.error).__name__)

    async def aclose(self) -> None:
        self._transport.close()

    async def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.AsyncNetworkStream:
        loop = asyncio.get_running_loop()
        try:
            transport = await asyncio.wait_for(
                loop.start_tls(
                    self._transport, self._protocol, ssl_context, server_hostname=server_hostname
                ),
                timeout,
            )
        except asyncio.TimeoutError:
            self._transport.abort()
            raise httpcore.ConnectTimeout("timed out during the TLS handshake") from None
        except (OSError, ssl.SSLError, ConnectionError) as exc:
            self._transport.abort()
            raise httpcore.ConnectError(str(exc) or type(exc).__name__) from exc
        if transport is None:  # pragma: no cover - the loop closed under us
            raise httpcore.ConnectError("the TLS handshake did not complete")
        self._protocol.transport = transport
        return _AsyncioStream(transport, self._protocol)

    def get_extra_info(self, info: str) -> Any:
        if info == "is_readable":
            p = self._protocol
            return p.eof or bool(p.buffer)
        if info == "ssl_object":
            return self._transport.get_extra_info("ssl_object")
        if info == "client_addr":
            return self._transport.get_extra_info("sockname")
        if info == "server_addr":
            return self._transport.get_extra_info("peername")
        if info == "socket":
            return self._transport.get_extra_info("socket")
        return None


class AsyncioBackend(httpcore.AsyncNetworkBackend):
    """httpcore's network backend on asyncio's own transports (no anyio per request)."""

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        loop = asyncio.get_running_loop()
        try:
            transport, protocol = await asyncio.wait_for(
                loop.create_connection(
                    _StreamProtocol,
                    host,
                    port,
                    local_addr=(local_address, 0) if local_address else None,
                    happy_eyeballs_delay=0.25,
                ),
                timeout,
            )
        except asyncio.TimeoutError:
            raise httpcore.ConnectTimeout(f"timed out connecting to {host}:{port}") from None
        except OSError as exc:
            raise httpcore.ConnectError(str(exc) or type(exc).__name__) from exc
        return self._stream(transport, protocol, socket_options)

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:  # pragma: no cover - sessions never use a socket path
        loop = asyncio.get_running_loop()
        try:
            transport, protocol = await asyncio.wait_for(
                loop.create_unix_connection(_StreamProtocol, path), timeout
            )
        except asyncio.TimeoutError:
            raise httpcore.ConnectTimeout(f"timed out connecting to {path}") from None
        except OSError as exc:
            raise httpcore.ConnectError(str(exc) or type(exc).__name__) from exc
        return self._stream(transport, protocol, socket_options)

    @staticmethod
    def _stream(
        transport: asyncio.BaseTransport,
        protocol: _StreamProtocol,
        socket_options: Iterable[Any] | None,
    ) -> _AsyncioStream:
        sock = transport.get_extra_info("socket")
        if sock is not None:
            for option in socket_options or ():
                sock.setsockopt(*option)
        return _AsyncioStream(cast(asyncio.Transport, transport), protocol)

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


class _LinearPool(httpcore.AsyncConnectionPool):
    """httpcore's HTTP/1.1 pool with a bookkeeping pass linear in the pool size.

    httpcore (1.0) rebuilds a list of every connection for each idle connection on
    every request start and end (``len([c.is_idle() for c in connections])``, which
    is simply the number of connections), and hands every request queued in one pass
    the same idle connection: all but one then fail with ``ConnectionNotAvailable``
    and go round again. A burst of N requests over N connections thus costs O(N²)
    passes of O(N) each. This pass never assigns a connection that a request in the
    pool already holds (HTTP/1.1 serves one request at a time), so each request
    gets a connection in one go, and it counts the connections once.
    """

    def _assign_requests_to_connections(self) -> list[httpcore.AsyncConnectionInterface]:
        closing: list[httpcore.AsyncConnectionInterface] = []
        connections = self._connections
        held = {id(r.connection) for r in self._requests if r.connection is not None}
        for connection in list(connections):
            if connection.is_closed():
                connections.remove(connection)
            elif connection.has_expired() or (
                connection.is_idle()
                and len(connections) > self._max_keepalive_connections
                and id(connection) not in held
            ):
                connections.remove(connection)
                closing.append(connection)

        for pool_request in [r for r in self._requests if r.is_queued()]:
            origin = pool_request.request.url.origin
            available = next(
                (
                    c
                    for c in connections
                    if id(c) not in held and c.can_handle_request(origin) and c.is_available()
                ),
                None,
            )
            if available is not None:
                connection = available
            elif len(connections) < self._max_connections:
                connection = self.create_connection(origin)
                connections.append(connection)
            else:
                idle = next((c for c in connections if c.is_idle() and id(c) not in held), None)
                if idle is None:
                    continue  # stays queued until a connection is released
                connections.remove(idle)
                closing.append(idle)
                connection = self.create_connection(origin)
                connections.append(connection)
            pool_request.assign_to_connection(connection)
            held.add(id(connection))
        return closing


def async_transport(
    *, verify: ssl.SSLContext | bool, limits: httpx.Limits
) -> httpx.AsyncBaseTransport | None:
    """The pooled transport :class:`accsyn.AsyncSession` uses by default.

    httpx's own transport with its connection pool, on :class:`AsyncioBackend`.
    None when httpx's transport no longer has the pool this relies on, or when
    environment proxies apply (an explicit transport would bypass them): the caller
    then lets httpx build its default transport.
    """
    _silence_sniffio_lookups()
    proxies = urllib.request.getproxies()
    if any(proxies.get(scheme) for scheme in ("http", "https", "all")):
        # The ones httpx would mount (it ignores other *_PROXY variables, like ours).
        return None
    transport = httpx.AsyncHTTPTransport(verify=verify, limits=limits)
    pool = getattr(transport, "_pool", None)
    if (
        type(pool) is not httpcore.AsyncConnectionPool
        or getattr(pool, "_http2", True)
        or not all(
            hasattr(pool, name)
            for name in (
                "_assign_requests_to_connections",
                "_connections",
                "_requests",
                "_max_connections",
                "_max_keepalive_connections",
                "_ssl_context",
            )
        )
    ):
        return None
    transport._pool = _LinearPool(
        # The context httpx made from ``verify`` (the same object when it is one).
        ssl_context=pool._ssl_context,
        max_connections=limits.max_connections,
        max_keepalive_connections=limits.max_keepalive_connections,
        keepalive_expiry=limits.keepalive_expiry,
        network_backend=AsyncioBackend(),
    )
    return transport
