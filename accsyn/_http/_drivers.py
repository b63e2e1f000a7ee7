"""The sync and async drivers: they perform :func:`transmit`'s actions, nothing more.

Each attempt has a deadline: the session's ``timeout`` bounds the whole attempt
(connecting, sending, and receiving the complete answer), not each socket read, so a
server trickling bytes cannot keep a call alive. The async driver puts the attempt in
an asyncio timeout; the sync driver publishes the deadline to the sync transport's
network backend (:class:`~accsyn._http._transports.DeadlineBackend`), which cuts
every socket wait at it.
"""

from __future__ import annotations

import asyncio
import re
import sys
import time
from collections.abc import Generator
from typing import Any, TypeVar

import httpx

from accsyn._exceptions import ConnectError, RequestTimeout, SessionClosedError, TransportError
from accsyn._http._policy import Clock
from accsyn._http._redact import Redactor
from accsyn._http._transmit import Action, Failure, Outcome, Response, Sleep
from accsyn._http._transports import DEADLINE, RAW_QUERY, AsyncPoolTransport, PoolTransport
from accsyn._wire import HttpRequest

__all__ = ["CLOSED", "PLAIN_QUERY", "AsyncDriver", "SyncDriver", "failure", "timed_out"]

T = TypeVar("T")

CLOSED = (
    "This session is closed: close() (or leaving its `with` block) released its "
    "connections. Open a new session to send more requests."
)


#: What :func:`accsyn._wire._quote_json` writes: characters httpx would send unchanged.
PLAIN_QUERY = re.compile(r"[A-Za-z0-9_.~/%-]*")


class _Targets:
    """The URL and extensions to send a request with.

    On our own transports a plain query string (an event envelope) travels as the
    :data:`RAW_QUERY` extension beside its endpoint URL, parsed once per endpoint:
    the bytes on the wire are the same, httpx does not re-parse the envelope, and its
    request log shows the endpoint without the envelope (and its session id). Any
    other transport gets the whole URL, as always.
    """

    def __init__(self, transport: object) -> None:
        self.direct = isinstance(transport, PoolTransport | AsyncPoolTransport)
        self._bases: dict[str, httpx.URL] = {}

    def of(self, req: HttpRequest) -> tuple[httpx.URL | str, dict[str, Any] | None]:
        if not self.direct:
            return req.url, None
        base, sep, query = req.url.partition("?")
        if not sep or not (req.plain_query or PLAIN_QUERY.fullmatch(query)):
            return req.url, None
        parsed = self._bases.get(base)
        if parsed is None:
            parsed = httpx.URL(base)
            if parsed.query or parsed.fragment:
                return req.url, None
            if len(self._bases) < 16:
                self._bases[base] = parsed
        return parsed, {RAW_QUERY: query.encode("ascii")}


def _where(req: HttpRequest) -> str:
    return req.url_without_query.split("/api/", 1)[0]


def timed_out(req: HttpRequest, timeout: float | None) -> Failure:
    """The attempt got no complete answer within the session's ``timeout``."""
    return Failure(
        RequestTimeout(
            f"No complete answer from {_where(req)} ({req.uri}) within timeout={timeout:g}s; "
            "the timeout bounds the whole attempt (pass a larger timeout= to wait longer)"
        ),
        False,
        f"no complete answer within {timeout:g}s",
    )


def failure(exc: Exception, req: HttpRequest, redact: Redactor) -> Failure:
    """The :class:`Failure` an httpx transport error becomes (secrets redacted)."""
    where = _where(req)
    detail = redact(str(exc)) or type(exc).__name__
    if isinstance(exc, httpx.ConnectTimeout | httpx.PoolTimeout):
        # Never connected (or never got a pooled connection): the server saw nothing.
        return Failure(
            RequestTimeout(f"Timed out connecting to {where}: {detail}"), True, "connect timed out"
        )
    if isinstance(exc, httpx.TimeoutException):
        return Failure(
            RequestTimeout(f"Timed out waiting for {where} ({req.uri}): {detail}"),
            False,
            "timed out",
        )
    if isinstance(exc, httpx.ConnectError):
        refused = "refused" in detail.lower()
        return Failure(
            ConnectError(
                f"Could not reach {where}! Make sure the backend can be reached from your "
                f"location and no firewall blocks it. Details: {detail}"
            ),
            True,
            "connection refused" if refused else "could not connect",
        )
    if isinstance(exc, httpx.UnsupportedProtocol | httpx.ProxyError):
        return Failure(ConnectError(f"Cannot connect to {where}: {detail}"), True, "cannot connect")
    return Failure(
        TransportError(
            f"The request to {where} ({req.uri}) failed: {type(exc).__name__}: {detail}"
        ),
        False,
        type(exc).__name__,
    )


class SyncDriver:
    """Performs :func:`transmit` actions with a pooled :class:`httpx.Client`."""

    def __init__(
        self,
        client: httpx.Client,
        clock: Clock,
        redact: Redactor,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.client = client
        self.clock = clock
        self.redact = redact
        #: ``transport``: the one ``client`` was built with, when the caller knows it.
        self._targets = _Targets(transport)

    def perform(self, req: HttpRequest) -> Outcome:
        """Send one request; transport failures become a :class:`Failure`."""
        if self.client.is_closed:
            raise SessionClosedError(CLOSED)
        # The client's read timeout is the session's ``timeout``: the attempt's budget.
        timeout = self.client.timeout.read
        deadline = time.monotonic() + timeout if timeout is not None else None
        token = DEADLINE.set(deadline)
        try:
            url, extensions = self._targets.of(req)
            r = self.client.request(
                req.method, url, headers=req.headers, content=req.content, extensions=extensions
            )
            return Response(r.status_code, tuple(r.headers.multi_items()), r.content)
        except httpx.HTTPError as exc:
            if (
                isinstance(exc, httpx.TimeoutException)
                and deadline is not None
                and time.monotonic() >= deadline
            ):
                return timed_out(req, timeout)
            return failure(exc, req, self.redact)
        finally:
            DEADLINE.reset(token)

    def run(self, flow: Generator[Action, Outcome | None, T]) -> T:
        """Drive a transmit generator to its result."""
        if self.client.is_closed:
            flow.close()
            raise SessionClosedError(CLOSED)
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

    def close(self) -> None:
        """Close the client's connections; later requests raise SessionClosedError."""
        self.client.close()


class AsyncDriver:
    """Performs :func:`transmit` actions with a pooled :class:`httpx.AsyncClient`."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        clock: Clock,
        redact: Redactor,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.client = client
        self.clock = clock
        self.redact = redact
        #: ``transport``: the one ``client`` was built with, when the caller knows it.
        self._targets = _Targets(transport)

    async def _request(self, req: HttpRequest) -> Response:
        r = await self.client.request(req.method, req.url, headers=req.headers, content=req.content)
        return Response(r.status_code, tuple(r.headers.multi_items()), r.content)

    async def perform(self, req: HttpRequest) -> Outcome:
        """Send one request; transport failures become a :class:`Failure`."""
        if self.client.is_closed:
            raise SessionClosedError(CLOSED)
        timeout = self.client.timeout.read
        try:
            if timeout is None:
                return await self._request(req)
            if sys.version_info >= (3, 11):
                async with asyncio.timeout(timeout):
                    return await self._request(req)
            else:  # pragma: no cover - Python 3.10
                return await asyncio.wait_for(self._request(req), timeout)
        except httpx.HTTPError as exc:
            return failure(exc, req, self.redact)
        except asyncio.TimeoutError:
            return timed_out(req, timeout)

    async def run(self, flow: Generator[Action, Outcome | None, T]) -> T:
        """Drive a transmit generator to its result."""
        if self.client.is_closed:
            flow.close()
            raise SessionClosedError(CLOSED)
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

    async def aclose(self) -> None:
        """Close the client's connections; later requests raise SessionClosedError."""
        await self.client.aclose()
