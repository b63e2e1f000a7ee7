"""In-process httpx transports: the emulator without sockets."""

from __future__ import annotations

import asyncio
import time

import httpx

from accsyn.emulator._backend import Backend, Reply

__all__ = ["AsyncEmulatorTransport", "EmulatorTransport"]


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
        raise httpx.RemoteProtocolError(
            "Server disconnected without sending a response.", request=request
        )
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
