"""The sessions' default httpx transports: httpcore pools on network backends we choose.

httpx's own transports do not take a network backend, so these are the same thin
adapter (an httpx request becomes an httpcore request, the answer an httpx
response, httpcore errors httpx errors), written against httpcore's public API:

* async: ``httpcore.AsyncConnectionPool(network_backend=AsyncioBackend())``, the
  lean asyncio streams that make a fan-out cheap;
* sync: ``httpcore.ConnectionPool(network_backend=DeadlineBackend())``, whose
  streams never wait past the deadline of the attempt in progress, so a server
  trickling bytes cannot stretch a call beyond its ``timeout``.
"""

from __future__ import annotations

import contextvars
import ssl
import time
import urllib.request
from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Sequence
from typing import Any

import httpcore
import httpx

from accsyn._http._asyncio import AsyncioBackend

__all__ = [
    "DEADLINE",
    "RAW_QUERY",
    "AsyncPoolTransport",
    "DeadlineBackend",
    "PoolTransport",
    "async_transport",
    "sync_transport",
]

#: Request extension: a raw query string these transports append to the request target.
#: The drivers use it for event envelopes, so httpx neither re-parses the envelope
#: (the largest client cost of a small request) nor shows it in its request log.
RAW_QUERY = "accsyn.raw_query"

#: The monotonic time by which the attempt in progress must be complete (sync driver).
DEADLINE: contextvars.ContextVar[float | None] = contextvars.ContextVar(
    "accsyn_attempt_deadline", default=None
)

# Most specific first: the httpx class each httpcore error becomes.
_ERRORS: tuple[tuple[type[Exception], type[httpx.TransportError]], ...] = (
    (httpcore.PoolTimeout, httpx.PoolTimeout),
    (httpcore.ConnectTimeout, httpx.ConnectTimeout),
    (httpcore.ReadTimeout, httpx.ReadTimeout),
    (httpcore.WriteTimeout, httpx.WriteTimeout),
    (httpcore.TimeoutException, httpx.TimeoutException),
    (httpcore.ConnectError, httpx.ConnectError),
    (httpcore.ReadError, httpx.ReadError),
    (httpcore.WriteError, httpx.WriteError),
    (httpcore.NetworkError, httpx.NetworkError),
    (httpcore.ProxyError, httpx.ProxyError),
    (httpcore.UnsupportedProtocol, httpx.UnsupportedProtocol),
    (httpcore.RemoteProtocolError, httpx.RemoteProtocolError),
    (httpcore.LocalProtocolError, httpx.LocalProtocolError),
    (httpcore.ProtocolError, httpx.ProtocolError),
)
_CORE_ERRORS = tuple(core for core, _ in _ERRORS)


def _as_httpx(exc: Exception, request: httpx.Request) -> Exception:
    for core, ours in _ERRORS:
        if isinstance(exc, core):
            return ours(str(exc), request=request)
    return exc


def _core_request(request: httpx.Request) -> httpcore.Request:
    url = request.url
    target = url.raw_path
    query = request.extensions.get(RAW_QUERY)
    if query:
        target = b"%s?%s" % (target, query)
    return httpcore.Request(
        method=request.method,
        url=httpcore.URL(scheme=url.raw_scheme, host=url.raw_host, port=url.port, target=target),
        headers=request.headers.raw,
        content=request.stream,
        extensions=request.extensions,
    )


class _SyncBody(httpx.SyncByteStream):
    def __init__(self, stream: Iterable[bytes], request: httpx.Request) -> None:
        self._stream = stream
        self._request = request

    def __iter__(self) -> Iterator[bytes]:
        try:
            yield from self._stream
        except _CORE_ERRORS as exc:
            raise _as_httpx(exc, self._request) from exc

    def close(self) -> None:
        close = getattr(self._stream, "close", None)
        if close is not None:
            close()


class _AsyncBody(httpx.AsyncByteStream):
    def __init__(self, stream: Any, request: httpx.Request, release: Callable[[], None]) -> None:
        self._stream = stream
        self._request = request
        self._release: Callable[[], None] | None = release

    async def __aiter__(self) -> AsyncIterator[bytes]:
        try:
            async for chunk in self._stream:
                yield chunk
        except _CORE_ERRORS as exc:
            raise _as_httpx(exc, self._request) from exc

    async def aclose(self) -> None:
        try:
            aclose = getattr(self._stream, "aclose", None)
            if aclose is not None:
                await aclose()
        finally:
            release, self._release = self._release, None
            if release is not None:
                release()


class PoolTransport(httpx.BaseTransport):
    """An httpx transport over an :class:`httpcore.ConnectionPool`."""

    def __init__(self, pool: httpcore.ConnectionPool) -> None:
        self.pool = pool

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Send ``request`` through the pool."""
        try:
            answer = self.pool.handle_request(_core_request(request))
        except _CORE_ERRORS as exc:
            raise _as_httpx(exc, request) from exc
        return httpx.Response(
            status_code=answer.status,
            headers=answer.headers,
            stream=_SyncBody(answer.stream, request),  # type: ignore[arg-type]
            extensions=answer.extensions,
        )

    def close(self) -> None:
        """Close every pooled connection."""
        self.pool.close()


class AsyncPoolTransport(httpx.AsyncBaseTransport):
    """An httpx transport over one or more :class:`httpcore.AsyncConnectionPool`.

    httpcore's pool does bookkeeping quadratic in its size on every request start
    and end (it rescans every connection for each idle one, and a burst of queued
    requests all pick the same free connection and go round again), which makes a
    large pool the main client cost of a fan-out. Several small pools keep each
    pass short: a request goes to the pool with the fewest requests in flight (the
    first such, so sequential traffic keeps reusing one connection). The pools'
    limits add up to the configured ones; what it costs is that a connection idle in
    one pool does not serve a request sent to another, and a request queued in a
    full pool waits for that pool's connections only.
    """

    def __init__(self, pools: Sequence[httpcore.AsyncConnectionPool]) -> None:
        if not pools:
            raise ValueError("at least one pool is needed")
        self.pools = tuple(pools)
        self._busy = [0] * len(self.pools)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send ``request`` through the least busy pool."""
        busy = self._busy
        index = busy.index(min(busy))
        busy[index] += 1

        def release() -> None:
            busy[index] -= 1

        try:
            answer = await self.pools[index].handle_async_request(_core_request(request))
        except BaseException as exc:
            release()
            if isinstance(exc, _CORE_ERRORS):
                raise _as_httpx(exc, request) from exc
            raise
        return httpx.Response(
            status_code=answer.status,
            headers=answer.headers,
            stream=_AsyncBody(answer.stream, request, release),
            extensions=answer.extensions,
        )

    async def aclose(self) -> None:
        """Close every pooled connection."""
        for pool in self.pools:
            await pool.aclose()


# --------------------------------------------------------------------------------------
# The attempt deadline, for blocking sockets
# --------------------------------------------------------------------------------------


def _left(timeout: float | None, expired: type[httpcore.TimeoutException]) -> float | None:
    """``timeout``, shortened to what is left before the deadline (raise when none is)."""
    deadline = DEADLINE.get()
    if deadline is None:
        return timeout
    left = deadline - time.monotonic()
    if left <= 0:
        raise expired("the request did not complete before its deadline")
    return left if timeout is None else min(timeout, left)


class _DeadlineStream(httpcore.NetworkStream):
    def __init__(self, stream: httpcore.NetworkStream) -> None:
        self._stream = stream

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, _left(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, _left(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        left = _left(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(self._stream.start_tls(ssl_context, server_hostname, left))

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class DeadlineBackend(httpcore.NetworkBackend):
    """httpcore's blocking socket backend, with every wait cut at :data:`DEADLINE`.

    httpcore applies a timeout to each socket operation; a server that sends one
    byte just before each would run out keeps a request alive indefinitely. Here
    each operation waits at most until the attempt's deadline.
    """

    def __init__(self, backend: httpcore.NetworkBackend | None = None) -> None:
        self._backend = backend or httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        """Connect, within the deadline."""
        left = _left(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(
            self._backend.connect_tcp(host, port, left, local_address, socket_options)
        )

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:  # pragma: no cover - sessions never use a socket path
        """Connect to a Unix socket, within the deadline."""
        left = _left(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(self._backend.connect_unix_socket(path, left, socket_options))

    def sleep(self, seconds: float) -> None:
        """Block for ``seconds``."""
        self._backend.sleep(seconds)


# --------------------------------------------------------------------------------------
# What the sessions use
# --------------------------------------------------------------------------------------


def _environment_proxies() -> bool:
    proxies = urllib.request.getproxies()
    # The ones httpx would mount (it ignores other *_PROXY variables, like ACCSYN_PROXY).
    return any(proxies.get(scheme) for scheme in ("http", "https", "all"))


def _ssl_context(verify: ssl.SSLContext | bool) -> ssl.SSLContext:
    return verify if isinstance(verify, ssl.SSLContext) else httpx.create_ssl_context(verify=verify)


def sync_transport(*, verify: ssl.SSLContext | bool, limits: httpx.Limits) -> PoolTransport | None:
    """The pooled transport :class:`accsyn.Session` uses by default.

    None when environment proxies apply (an explicit transport would bypass them):
    the caller then lets httpx build its default transport, where ``timeout``
    bounds each socket operation rather than the whole attempt.
    """
    if _environment_proxies():
        return None
    return PoolTransport(
        httpcore.ConnectionPool(
            ssl_context=_ssl_context(verify),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=DeadlineBackend(),
        )
    )


#: Connections per pool of the async transport (see :class:`AsyncPoolTransport`).
POOL_SHARD = 8


def _shares(total: int | None, parts: int) -> list[int | None]:
    if total is None:
        return [None] * parts
    return [total // parts + (1 if i < total % parts else 0) for i in range(parts)]


def async_transport(
    *, verify: ssl.SSLContext | bool, limits: httpx.Limits
) -> AsyncPoolTransport | None:
    """The pooled transport :class:`accsyn.AsyncSession` uses by default.

    None when environment proxies apply (an explicit transport would bypass them):
    the caller then lets httpx build its default transport.
    """
    if _environment_proxies():
        return None
    context = _ssl_context(verify)
    total = limits.max_connections
    parts = max(1, -(-total // POOL_SHARD)) if total is not None else 1
    keepalive = limits.max_keepalive_connections
    return AsyncPoolTransport(
        [
            httpcore.AsyncConnectionPool(
                ssl_context=context,
                max_connections=connections,
                max_keepalive_connections=idle,
                keepalive_expiry=limits.keepalive_expiry,
                network_backend=AsyncioBackend(),
            )
            for connections, idle in zip(
                _shares(total, parts), _shares(keepalive, parts), strict=True
            )
        ]
    )
