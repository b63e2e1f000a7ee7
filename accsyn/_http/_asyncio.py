"""httpcore's network backend on asyncio's own transports, for :class:`accsyn.AsyncSession`.

httpcore takes a network backend through its public ``network_backend=`` argument;
this one replaces the default (anyio) streams, which cost a cancel scope per read
and write and a ``poll()`` system call per idle pooled connection per request
(httpcore asks whether each became readable, i.e. was closed by the server); here
the protocol already knows, as the event loop delivers EOF as soon as it happens.
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Iterable
from typing import Any, cast

import httpcore

__all__ = ["AsyncioBackend"]

#: Stop reading from the socket while this much is buffered and not yet consumed.
_READ_HIGH_WATER = 256 * 1024


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
