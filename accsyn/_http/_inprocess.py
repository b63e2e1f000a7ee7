"""In-process transports: a server in this process answers a session without httpx.

httpx costs far more than an emulated backend answering a small ``find`` (building
and re-parsing the URL that holds the envelope, the header objects, the response
object). A session given an :class:`InProcessTransport` hands each request to it
directly; everything above the drivers (the envelope, :func:`transmit`'s retries
and rate limiter, redaction, the typed errors) is the same code as on the httpx path.

What stays identical, by construction:

* the server receives what an httpx transport's server would: the method, the URL's
  decoded path, its raw query string and the header dict httpx builds (the
  client's default headers, ``Host``, ``Content-Length``). The headers of each new
  request shape are taken from a real :class:`httpx.Request`, then reused;
* answers reach :func:`transmit` as the same :class:`Response` (lower-case header
  names, ``content-length`` as httpx adds it);
* a transport failure is the httpx exception an httpx transport would raise, turned
  into the same :class:`Failure`; an answer's latency is slept in real time (the
  async driver under the attempt's timeout, as the async httpx driver does).
"""

from __future__ import annotations

import abc
import asyncio
import functools
import sys
import time
from collections.abc import Generator, Mapping
from dataclasses import dataclass
from typing import TypeVar

import httpx

from accsyn._exceptions import SessionClosedError
from accsyn._http._drivers import CLOSED, PLAIN_QUERY, failure, timed_out
from accsyn._http._policy import Clock
from accsyn._http._redact import Redactor
from accsyn._http._transmit import Action, Outcome, Response, Sleep
from accsyn._wire import HttpRequest

__all__ = ["Answer", "AsyncInProcessDriver", "InProcessDriver", "InProcessTransport"]

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Answer:
    """What an in-process server answers.

    ``headers``: as httpx reports a response's headers (lower-case names, in order,
    ``content-length`` included). ``latency``: seconds the answer takes to arrive.
    ``error``: the answer never arrives; the httpx transport error an httpx
    transport would raise (after ``latency``).
    """

    status: int
    headers: tuple[tuple[str, str], ...]
    content: bytes
    latency: float = 0.0
    error: httpx.TransportError | None = None


class InProcessTransport(abc.ABC):
    """A server in this process that sessions send requests to without httpx.

    Pass one as ``transport=`` to :class:`accsyn.Session` or
    :class:`accsyn.AsyncSession` (``LocalWorkspace.session()`` does). The same
    object serves sync and async sessions: :meth:`exchange` never blocks on I/O.
    """

    @abc.abstractmethod
    def exchange(
        self, method: str, path: str, raw_query: str, headers: dict[str, str], body: bytes
    ) -> Answer:
        """Answer one request: ``headers`` is the dict httpx would hand a transport's
        server (lower-case names), ``path`` the decoded URL path, ``raw_query`` the
        query string as sent."""

    def close(self) -> None:  # noqa: B027 - most servers hold nothing to release
        """Release what the transport holds (called when a session using it closes)."""


# --------------------------------------------------------------------------------------
# The request as httpx would deliver it
# --------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=8)
def _probe(defaults: tuple[tuple[str, str], ...]) -> httpx.Client:
    # Only ever builds requests (never sends): a client with the session client's
    # headers gives each request shape the headers the session's client would send.
    return httpx.Client(
        headers=dict(defaults), transport=httpx.MockTransport(_never), trust_env=False
    )


def _never(request: httpx.Request) -> httpx.Response:  # pragma: no cover - never sent
    raise AssertionError("the header probe never sends")


@functools.lru_cache(maxsize=256)
def _shape(
    defaults: tuple[tuple[str, str], ...],
    method: str,
    base: str,
    headers: tuple[tuple[str, str], ...],
    has_body: bool,
) -> tuple[str, tuple[tuple[str, str], ...], bool]:
    """``(path, headers, sized)`` of requests of this shape, as a transport's server
    receives them; ``sized``: the body's ``content-length`` is set per request."""
    request = _probe(defaults).build_request(
        method, base, headers=headers, content=b"x" if has_body else None
    )
    sized = has_body and not any(k.lower() == "content-length" for k, _ in headers)
    return request.url.path, tuple(dict(request.headers).items()), sized


class _Incoming:
    """Turns an :class:`HttpRequest` into what an httpx transport's server receives."""

    def __init__(self, defaults: Mapping[str, str]) -> None:
        self._defaults = tuple(defaults.items())

    def of(self, req: HttpRequest) -> tuple[str, str, str, dict[str, str], bytes]:
        base, sep, query = req.url.partition("?")
        if sep and not req.plain_query and not PLAIN_QUERY.fullmatch(query):
            # Not a query httpx sends unchanged: let httpx normalise it.
            query = httpx.URL(req.url).query.decode("ascii", "replace")
        body = req.content or b""
        path, items, sized = _shape(self._defaults, req.method, base, req.headers, bool(body))
        headers = dict(items)
        if sized:
            headers["content-length"] = str(len(body))
        return req.method, path, query, headers, body


# --------------------------------------------------------------------------------------
# The drivers
# --------------------------------------------------------------------------------------


class InProcessDriver:
    """Performs :func:`transmit` actions with an :class:`InProcessTransport` (sync)."""

    def __init__(
        self,
        transport: InProcessTransport,
        clock: Clock,
        redact: Redactor,
        headers: Mapping[str, str],
    ) -> None:
        self.transport = transport
        self.clock = clock
        self.redact = redact
        self.closed = False
        self._incoming = _Incoming(headers)

    def perform(self, req: HttpRequest) -> Outcome:
        """Send one request; transport failures become a :class:`Failure`."""
        if self.closed:
            raise SessionClosedError(CLOSED)
        try:
            answer = self.transport.exchange(*self._incoming.of(req))
        except httpx.HTTPError as exc:
            return failure(exc, req, self.redact)
        if answer.latency:
            time.sleep(answer.latency)
        if answer.error is not None:
            return failure(answer.error, req, self.redact)
        return Response(answer.status, answer.headers, answer.content)

    def run(self, flow: Generator[Action, Outcome | None, T]) -> T:
        """Drive a transmit generator to its result."""
        if self.closed:
            flow.close()
            raise SessionClosedError(CLOSED)
        perform = self.perform
        try:
            action = next(flow)
            while True:
                if type(action) is Sleep:
                    self.clock.sleep(action.seconds)
                    action = flow.send(None)
                else:
                    action = flow.send(perform(action.request))  # type: ignore[union-attr]
        except StopIteration as stop:
            return stop.value  # type: ignore[no-any-return]

    def close(self) -> None:
        """Refuse further requests and close the transport."""
        if not self.closed:
            self.closed = True
            self.transport.close()


class AsyncInProcessDriver:
    """Performs :func:`transmit` actions with an :class:`InProcessTransport` (async).

    The server answers synchronously (as the async httpx emulator transport does);
    an answer's latency is awaited under the attempt's ``timeout``.
    """

    def __init__(
        self,
        transport: InProcessTransport,
        clock: Clock,
        redact: Redactor,
        headers: Mapping[str, str],
        timeout: float | None,
    ) -> None:
        self.transport = transport
        self.clock = clock
        self.redact = redact
        self.timeout = timeout
        self.closed = False
        self._incoming = _Incoming(headers)

    async def _wait(self, seconds: float) -> bool:
        """Sleep ``seconds``; False when the attempt's timeout came first."""
        timeout = self.timeout
        if timeout is None:
            await asyncio.sleep(seconds)
            return True
        try:
            if sys.version_info >= (3, 11):
                async with asyncio.timeout(timeout):
                    await asyncio.sleep(seconds)
            else:  # pragma: no cover - Python 3.10
                await asyncio.wait_for(asyncio.sleep(seconds), timeout)
        except asyncio.TimeoutError:
            return False
        return True

    async def perform(self, req: HttpRequest) -> Outcome:
        """Send one request; transport failures become a :class:`Failure`."""
        if self.closed:
            raise SessionClosedError(CLOSED)
        try:
            answer = self.transport.exchange(*self._incoming.of(req))
        except httpx.HTTPError as exc:
            return failure(exc, req, self.redact)
        if answer.latency and not await self._wait(answer.latency):
            assert self.timeout is not None
            return timed_out(req, self.timeout)
        if answer.error is not None:
            return failure(answer.error, req, self.redact)
        return Response(answer.status, answer.headers, answer.content)

    async def run(self, flow: Generator[Action, Outcome | None, T]) -> T:
        """Drive a transmit generator to its result."""
        if self.closed:
            flow.close()
            raise SessionClosedError(CLOSED)
        try:
            action = next(flow)
            while True:
                if type(action) is Sleep:
                    await self.clock.asleep(action.seconds)
                    action = flow.send(None)
                else:
                    action = flow.send(await self.perform(action.request))  # type: ignore[union-attr]
        except StopIteration as stop:
            return stop.value  # type: ignore[no-any-return]

    async def aclose(self) -> None:
        """Refuse further requests and close the transport."""
        if not self.closed:
            self.closed = True
            self.transport.close()
