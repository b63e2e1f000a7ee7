"""In-process transports: the emulator without sockets.

* :class:`InProcessEmulator` — what ``LocalWorkspace.session()`` uses: the session
  hands each request to the backend without httpx (see
  :mod:`accsyn._http._inprocess`); the backend receives the same method, path, raw
  query, headers and body as through the httpx transports below.
* :class:`EmulatorTransport` / :class:`AsyncEmulatorTransport` — httpx transports,
  for an :class:`httpx.Client` of your own (or a transport wrapper such as
  ``accsyn.contract.RecordingTransport``).
"""

from __future__ import annotations

import asyncio
import time

import httpx

from accsyn._http import Answer, InProcessTransport
from accsyn.emulator._backend import Backend, Reply

__all__ = ["AsyncEmulatorTransport", "EmulatorTransport", "InProcessEmulator"]

#: What a client sees when a fault drops the connection (httpx's own wording).
_DROPPED = "Server disconnected without sending a response."
_JSON = ("content-type", "application/json")


def _call(backend: Backend, request: httpx.Request, body: bytes) -> Reply:
    return backend.handle(
        request.method,
        request.url.path,
        request.url.query.decode("ascii", "replace"),
        dict(request.headers),
        body,
        client="127.0.0.1",
    )


def _response(reply: Reply, request: httpx.Request) -> httpx.Response:
    if reply.drop:
        raise httpx.RemoteProtocolError(_DROPPED, request=request)
    headers = {"content-type": "application/json", **reply.headers}
    return httpx.Response(reply.status, headers=headers, content=reply.content(), request=request)


class EmulatorTransport(httpx.BaseTransport):
    """Sync httpx transport answering from a :class:`Backend` in this process."""

    def __init__(self, backend: Backend) -> None:
        self.backend = backend

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Answer one request (latency faults sleep in this thread)."""
        reply = _call(self.backend, request, request.read())
        if reply.latency:
            time.sleep(reply.latency)
        return _response(reply, request)


class AsyncEmulatorTransport(httpx.AsyncBaseTransport):
    """Async httpx transport answering from a :class:`Backend` in this process."""

    def __init__(self, backend: Backend) -> None:
        self.backend = backend

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Answer one request (latency faults ``await asyncio.sleep``)."""
        body = await request.aread()
        reply = _call(self.backend, request, body)
        if reply.latency:
            await asyncio.sleep(reply.latency)
        return _response(reply, request)


class InProcessEmulator(InProcessTransport):
    """A :class:`Backend` answering sync and async sessions directly, without httpx.

    Pass it as ``transport=`` to :class:`accsyn.Session` or :class:`accsyn.AsyncSession`.
    Answers, faults (dropped connections, latency, 429s) and errors are those of
    :class:`EmulatorTransport`; only the httpx objects in between are gone.
    """

    def __init__(self, backend: Backend) -> None:
        self.backend = backend

    def exchange(
        self, method: str, path: str, raw_query: str, headers: dict[str, str], body: bytes
    ) -> Answer:
        """Answer one request as :class:`EmulatorTransport` would."""
        reply = self.backend.handle(method, path, raw_query, headers, body, client="127.0.0.1")
        if reply.drop:
            return Answer(0, (), b"", reply.latency, httpx.RemoteProtocolError(_DROPPED))
        content = reply.content()
        if reply.headers:
            # Rare (429s): the headers exactly as httpx reports them on the other path.
            extra = httpx.Response(
                reply.status, headers={_JSON[0]: _JSON[1], **reply.headers}, content=content
            )
            items = tuple(extra.headers.multi_items())
        else:
            items = (_JSON, ("content-length", str(len(content))))
        return Answer(reply.status, items, content, reply.latency)
