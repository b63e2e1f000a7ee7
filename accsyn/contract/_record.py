"""Recording: an httpx transport wrapper (in-process) and a recording proxy (any client).

Both write every request/response pair to a cassette as it completes, scrubbed
(see :mod:`accsyn.contract._cassette`). The proxy is a plain ASGI app that
forwards each request untouched (the raw query string carries GET envelopes, so
it must not be re-encoded) to the upstream workspace with httpx.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import httpx

from accsyn._exceptions import ConfigurationError
from accsyn.contract._cassette import CassetteWriter, Interaction

__all__ = ["AsyncRecordingTransport", "RecordingTransport", "create_proxy_app", "record"]

# Headers that describe one hop's framing, not the message: httpx decodes the body
# (gzip, chunking), so passing these on would make the other side decode it again.
_HOP = frozenset(
    {
        *("host", "content-length", "content-encoding", "transfer-encoding", "connection"),
        *("keep-alive", "proxy-connection", "te", "trailer", "upgrade"),
    }
)


def _writer(cassette: str | os.PathLike[str] | CassetteWriter, upstream: str) -> CassetteWriter:
    if isinstance(cassette, CassetteWriter):
        return cassette
    return CassetteWriter(cassette, upstream=upstream)


def _capture(
    writer: CassetteWriter, request: httpx.Request, body: bytes, response: httpx.Response
) -> None:
    writer.write(
        Interaction.capture(
            writer.scrubber,
            method=request.method,
            path=request.url.path,
            raw_query=request.url.query.decode("ascii", "replace"),
            request_headers=request.headers.multi_items(),
            body=body,
            status=response.status_code,
            response_headers=response.headers.multi_items(),
            response_body=response.content,
        )
    )


def _replayable(response: httpx.Response, request: httpx.Request) -> httpx.Response:
    # The inner response was read (and decoded) to record it: hand the caller a
    # fresh one with the same content, minus the framing headers of the read body.
    headers = [(k, v) for k, v in response.headers.multi_items() if k.lower() not in _HOP]
    return httpx.Response(
        response.status_code,
        headers=headers,
        content=response.content,
        request=request,
        extensions={k: v for k, v in response.extensions.items() if k != "network_stream"},
    )


class RecordingTransport(httpx.BaseTransport):
    """Wraps a sync httpx transport and records every exchange to a cassette.

    >>> from accsyn.contract import RecordingTransport      # doctest: +SKIP
    >>> session = accsyn.Session(..., transport=RecordingTransport(inner, "run.jsonl"))

    Args:
        inner: the transport that really answers (default: a plain
            ``httpx.HTTPTransport()``; a ``LocalWorkspace``'s ``transport()`` works too).
        cassette: a file path (truncated and written as a new cassette) or a
            :class:`CassetteWriter` shared with other recorders.
    """

    def __init__(
        self,
        inner: httpx.BaseTransport | None,
        cassette: str | os.PathLike[str] | CassetteWriter,
    ) -> None:
        self.inner = inner if inner is not None else httpx.HTTPTransport()
        self.cassette = _writer(cassette, "in-process")

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Forward one request and record the pair."""
        body = request.read()
        response = self.inner.handle_request(request)
        try:
            response.read()
        finally:
            response.close()
        _capture(self.cassette, request, body, response)
        return _replayable(response, request)

    def close(self) -> None:
        """Close the inner transport and the cassette."""
        self.inner.close()
        self.cassette.close()


class AsyncRecordingTransport(httpx.AsyncBaseTransport):
    """The async twin of :class:`RecordingTransport`."""

    def __init__(
        self,
        inner: httpx.AsyncBaseTransport | None,
        cassette: str | os.PathLike[str] | CassetteWriter,
    ) -> None:
        self.inner = inner if inner is not None else httpx.AsyncHTTPTransport()
        self.cassette = _writer(cassette, "in-process")

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Forward one request and record the pair."""
        body = await request.aread()
        response = await self.inner.handle_async_request(request)
        try:
            await response.aread()
        finally:
            await response.aclose()
        _capture(self.cassette, request, body, response)
        return _replayable(response, request)

    async def aclose(self) -> None:
        """Close the inner transport and the cassette."""
        await self.inner.aclose()
        self.cassette.close()


def _check_upstream(upstream: str) -> httpx.URL:
    try:
        url = httpx.URL(upstream)
    except (httpx.InvalidURL, TypeError) as exc:
        raise ConfigurationError(f"invalid --upstream URL {upstream!r}: {exc}") from None
    if url.scheme not in ("http", "https") or not url.host:
        raise ConfigurationError(
            f"--upstream must be an http(s) URL with a host, e.g. http://127.0.0.1:8181 "
            f"or https://acme.accsyn.com, not {upstream!r}"
        )
    return url


async def _read_body(receive: Any) -> bytes:
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def create_proxy_app(
    upstream: str,
    cassette: str | os.PathLike[str] | CassetteWriter,
    *,
    verify: bool = True,
    timeout: float = 120.0,
) -> Any:
    """An ASGI app that forwards every request to ``upstream`` and records the pairs.

    Point any client at it: the official client with
    ``ACCSYN_PROXY=accsyn:<host>:<port>``, ``accsyn.Session(base_url=...)``, curl.
    An unreachable upstream answers 502 with an accsyn-style ``message`` (and is
    not recorded: it is not the workspace's answer).
    """
    base = _check_upstream(upstream)
    writer = _writer(cassette, str(base))
    client = httpx.AsyncClient(verify=verify, timeout=timeout, trust_env=False)

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        body = await _read_body(receive)
        raw_path: bytes = scope.get("raw_path") or scope["path"].encode()
        query: bytes = scope.get("query_string", b"")
        prefix = base.raw_path.rstrip(b"/") if base.raw_path != b"/" else b""
        url = base.copy_with(raw_path=prefix + raw_path + (b"?" + query if query else b""))
        headers = [
            (k.decode("latin-1"), v.decode("latin-1"))
            for k, v in scope["headers"]
            if k.decode("latin-1").lower() not in _HOP
        ]
        request = client.build_request(scope["method"], url, headers=headers, content=body)
        try:
            response = await client.send(request)
            await response.aread()
        except httpx.HTTPError as exc:
            await _answer(
                send,
                502,
                [("content-type", "application/json")],
                (
                    '{"message": "The recording proxy could not reach the upstream '
                    f'workspace ({type(exc).__name__})."}}'
                ).encode(),
            )
            return
        _capture(writer, request, body, response)
        out = [(k, v) for k, v in response.headers.multi_items() if k.lower() not in _HOP]
        await _answer(send, response.status_code, out, response.content)

    app.cassette = writer  # type: ignore[attr-defined]
    app.client = client  # type: ignore[attr-defined]
    return app


async def _answer(send: Any, status: int, headers: Iterable[tuple[str, str]], body: bytes) -> None:
    raw = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in headers]
    raw.append((b"content-length", str(len(body)).encode()))
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})


def record(
    upstream: str,
    out: str | os.PathLike[str],
    *,
    host: str = "127.0.0.1",
    port: int = 8182,
    verify: bool = True,
    log_level: str = "warning",
) -> int:
    """Run the recording proxy under uvicorn until Ctrl-C; returns the interactions written."""
    import uvicorn

    app = create_proxy_app(upstream, out, verify=verify)
    writer: CassetteWriter = app.cassette
    print(
        f"accsyn record: http://{host}:{port} -> {upstream}, writing {Path(out)}\n"
        f"  official client: ACCSYN_PROXY=accsyn:{host}:{port}\n"
        f"  accsyn CLI/SDK:  --base-url http://{host}:{port}",
        file=sys.stderr,
    )
    try:
        uvicorn.run(app, host=host, port=port, log_level=log_level, lifespan="off")
    finally:
        writer.close()
    print(f"accsyn record: {writer.count} interactions in {Path(out)}", file=sys.stderr)
    return writer.count
