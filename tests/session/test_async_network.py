"""AsyncSession over real loopback sockets: its own asyncio network backend and pool.

``AsyncSession`` talks through :class:`accsyn._http.AsyncioBackend` (asyncio
transports under httpcore's pool, plugged in through httpcore's public
``network_backend=``); these tests hold it to the same wire bytes and the same
failure behaviour as the default httpx stack.
"""

from __future__ import annotations

import asyncio
import json
import logging
import socket
import ssl
import warnings
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

import accsyn
from accsyn import _wire as wire
from accsyn._http import async_transport
from accsyn._http._asyncio import _AsyncioStream
from accsyn.models import Transfer

from .conftest import (
    API_KEY,
    SESSION_ID,
    USER_ID,
    USERNAME,
    WORKSPACE,
    MockBackend,
    Recorder,
    Scripted,
)
from .test_parity import CALLS, _normalise, method


def _async_session(port: int, *, direct: bool = False, **kwargs: Any) -> accsyn.AsyncSession:
    where: dict[str, Any] = (
        {"base_url": f"http://127.0.0.1:{port}"}
        if direct
        else {"proxy": f"accsyn:127.0.0.1:{port}"}
    )
    return accsyn.AsyncSession(
        workspace=WORKSPACE,
        username=USERNAME,
        api_key=API_KEY,
        rate_limit=None,
        **where,
        **kwargs,
    )


async def test_the_default_async_transport_runs_on_the_asyncio_backend(
    recorder: Recorder,
) -> None:
    limits = httpx.Limits(max_connections=5, max_keepalive_connections=5)
    transport = async_transport(verify=True, limits=limits)
    assert transport is not None
    async with httpx.AsyncClient(transport=transport) as client:
        response = await client.get(f"http://127.0.0.1:{recorder.port}/J3PKTtDvolDMBtTy6AFGA")
    assert isinstance(response.extensions["network_stream"], _AsyncioStream)


def test_environment_proxies_keep_the_default_transport(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:9")
    limits = httpx.Limits(max_connections=5, max_keepalive_connections=5)
    assert async_transport(verify=True, limits=limits) is None


async def test_every_operation_sends_what_the_sync_session_sends(recorder: Recorder) -> None:
    with (
        accsyn.Session(
            workspace=WORKSPACE,
            username=USERNAME,
            api_key=API_KEY,
            proxy=f"accsyn:127.0.0.1:{recorder.port}",
            rate_limit=None,
        ) as sync,
        warnings.catch_warnings(),
    ):
        warnings.simplefilter("ignore")
        for name, args, kwargs in CALLS:
            method(sync, name)(*args, **kwargs)
    theirs = [_normalise(r) for r in recorder.events()]
    recorder.clear()
    async with _async_session(recorder.port) as session:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for name, args, kwargs in CALLS:
                await method(session, name)(*args, **kwargs)
    mine = [_normalise(r) for r in recorder.events()]
    assert mine == theirs


async def test_concurrent_finds_over_sockets(recorder: Recorder) -> None:
    async with _async_session(recorder.port) as session:
        results = await asyncio.gather(
            *(session.find(f"user WHERE code=u{i}@example.com") for i in range(60))
        )
    assert all(len(r) >= 1 for r in results)
    queries = sorted(r.envelope["query"] for r in recorder.events())
    assert queries == sorted(f"code=u{i}@example.com" for i in range(60))


async def test_a_large_answer_arrives_whole(recorder: Recorder) -> None:
    rows = [{"id": f"{i:024x}", "name": "x" * 200, "status": "done"} for i in range(12_000)]
    recorder.script = [Scripted(200, json.dumps({"result": rows}).encode())]
    async with _async_session(recorder.port) as session:
        found = await session.find("transfer", raw=True)
    assert found == rows


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_nothing_listening_is_a_connect_error() -> None:
    session = _async_session(_free_port(), retry=None)
    with pytest.raises(accsyn.ConnectError):
        await session.login()
    await session.aclose()


class _RawServer:
    """Answers login, then does what ``mode`` says with each event request."""

    def __init__(self, mode: str, tls: ssl.SSLContext | None = None) -> None:
        self.mode = mode
        self.tls = tls
        self.connections = 0
        self.server: asyncio.AbstractServer | None = None

    async def __aenter__(self) -> int:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", 0, ssl=self.tls)
        return int(self.server.sockets[0].getsockname()[1])

    async def __aexit__(self, *exc: object) -> None:
        assert self.server is not None
        self.server.close()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":", 1)[1])
                if length:
                    await reader.readexactly(length)
                is_login = b"/api/login" in head.split(b"\r\n", 1)[0]
                if is_login:
                    body: dict[str, Any] = {
                        "result": {"role": "admin", "id": USER_ID, "session_id": SESSION_ID}
                    }
                elif self.mode == "silent":
                    await asyncio.sleep(30)
                    return
                else:
                    body = {"result": [{"id": "a" * 24, "code": "x@example.com"}]}
                data = json.dumps(body).encode()
                writer.write(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                    + f"Content-Length: {len(data)}\r\n\r\n".encode()
                    + data
                )
                await writer.drain()
                if not is_login and self.mode == "close-after":
                    # Keep-alive was promised; the server hangs up anyway while idle.
                    break
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()


async def test_a_connection_the_server_closed_while_idle_is_not_reused() -> None:
    raw = _RawServer("close-after")
    async with raw as port, _async_session(port, direct=True, retry=None) as session:
        for _ in range(3):
            assert len(await session.find("user WHERE code=x@example.com")) == 1
            await asyncio.sleep(0.05)  # let the server's FIN arrive
    # Login's connection served the first find; each later find needed a new one.
    assert raw.connections == 3


async def test_a_silent_server_is_a_request_timeout() -> None:
    async with _RawServer("silent") as port:
        session = _async_session(port, direct=True, retry=None, timeout=0.3)
        try:
            with pytest.raises(accsyn.RequestTimeout):
                await session.find("user WHERE code=x@example.com")
        finally:
            await session.aclose()


_JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=12,
)


# -- the ObjectId: walk is skipped only when it could not change anything ------------------

_TAGGED = st.sampled_from(
    ["ObjectId:abc", "ObjectId:ObjectId:x", "xObjectId:", "J\u00f6rg", "plain"]
)
_BODIES = st.recursive(
    st.none() | st.integers() | _TAGGED | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner),
    max_leaves=10,
)


@given(result=_BODIES, ascii_only=st.booleans())
def test_answers_read_as_the_full_walk_reads_them(result: Any, ascii_only: bool) -> None:
    content = json.dumps({"result": result}, ensure_ascii=ascii_only).encode()
    body = wire.interpret_response(200, {}, content, uri="user/find", workspace="acme")
    assert body == wire._strip_object_ids(json.loads(content))


def test_an_escaped_tag_is_still_stripped() -> None:
    content = b'{"result": [{"id": "\\u004fbjectId:abc", "ref": "ObjectI\\u0064:x"}]}'
    body = wire.interpret_response(200, {}, content, uri="user/find", workspace="acme")
    assert body == {"result": [{"id": "abc", "ref": "x"}]}


# -- typed finds validate from the JSON text: same models, same errors -------------------

_ROWS = [
    {
        "id": f"{i:024x}",
        "code": f"t{i}",
        "status": "done" if i % 2 else "failed",
        "created": "2026-01-02T03:04:05",
        "user": "user:6676f3e9c7ef4e27da254e57",
        "metadata": {"shot": f"sh{i:03d}", "tags": ["a", "b"]},
        "extra_thing": [1, 2.5, None],
    }
    for i in range(40)
]


def _sync_session(backend: MockBackend) -> accsyn.Session:
    return accsyn.Session(
        workspace=WORKSPACE,
        username=USERNAME,
        api_key=API_KEY,
        base_url="https://acme.test",
        transport=backend.transport(),
        rate_limit=None,
    )


@pytest.mark.parametrize("tagged", [False, True])
@pytest.mark.parametrize("attributes", [None, ["id", "status"]])
def test_typed_finds_read_what_row_by_row_validation_reads(
    backend: MockBackend, tagged: bool, attributes: list[str] | None
) -> None:
    rows = [dict(r, id=f"ObjectId:{r['id']}") if tagged else r for r in _ROWS]
    backend.script = [httpx.Response(200, json={"result": rows})]
    with _sync_session(backend) as session:
        found = session.find("transfer", attributes=attributes)
    expected = [Transfer.from_wire(wire._strip_object_ids(r), attributes=attributes) for r in rows]
    assert found == expected
    assert [f.model_dump() for f in found] == [e.model_dump() for e in expected]
    assert [f.to_wire() for f in found] == [e.to_wire() for e in expected]


def test_a_bad_row_raises_the_row_by_row_error(backend: MockBackend) -> None:
    rows = [*_ROWS[:3], dict(_ROWS[3], created="not a date at all")]
    backend.script = [httpx.Response(200, json={"result": rows})]
    with pytest.raises(accsyn.ValidationError) as expected:
        Transfer.from_wire(rows[3])
    with _sync_session(backend) as session, pytest.raises(accsyn.ValidationError) as raised:
        session.find("transfer")
    # The model's own message, with the row's id and the way to read it anyway.
    assert str(expected.value) in str(raised.value)
    assert repr(rows[3]["id"]) in str(raised.value) and "raw=True" in str(raised.value)
    assert raised.value.field == expected.value.field


def test_an_accsyn_proxy_variable_is_not_an_http_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    # urllib reads every *_PROXY variable; ACCSYN_PROXY is ours, not an HTTP proxy.
    monkeypatch.setenv("ACCSYN_PROXY", "accsyn:127.0.0.1:9")
    limits = httpx.Limits(max_connections=5, max_keepalive_connections=5)
    assert async_transport(verify=True, limits=limits) is not None


@given(payload=_JSONISH, path=st.sampled_from(["/api/v3/event", "/a%3Fb/api/v3/event"]))
def test_the_httpx_log_filter_hides_event_envelopes(payload: Any, path: str) -> None:
    url = httpx.URL(f"http://127.0.0.1:8181{path}?{wire._quote_json({'data': payload})}")
    record = logging.LogRecord(
        "httpx", logging.INFO, "", 0, "HTTP Request: %s %s", ("GET", url), None
    )
    assert accsyn.HttpxLogFilter().filter(record)
    assert record.getMessage() == f"HTTP Request: GET {url.copy_with(query=None)}?***"
    assert "%7B" not in record.getMessage()


_DATA = Path(__file__).parent / "data"


async def test_https_over_the_asyncio_backend() -> None:
    # A self-signed certificate for 127.0.0.1, valid until 2125, made for this test.
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_tls.load_cert_chain(_DATA / "loopback-cert.pem", _DATA / "loopback-key.pem")
    trusting = ssl.create_default_context(cafile=str(_DATA / "loopback-cert.pem"))
    raw = _RawServer("keep-alive", tls=server_tls)
    async with raw as port:
        session = accsyn.AsyncSession(
            workspace=WORKSPACE,
            username=USERNAME,
            api_key=API_KEY,
            base_url=f"https://127.0.0.1:{port}",
            verify=trusting,
            rate_limit=None,
            retry=None,
        )
        async with session:
            found = await asyncio.gather(
                *(session.find("user WHERE code=x@example.com") for _ in range(5))
            )
            assert all(len(f) == 1 for f in found)
        # A client that does not trust the certificate never gets through.
        strict = accsyn.AsyncSession(
            workspace=WORKSPACE,
            username=USERNAME,
            api_key=API_KEY,
            base_url=f"https://127.0.0.1:{port}",
            rate_limit=None,
            retry=None,
        )
        with pytest.raises(accsyn.ConnectError):
            await strict.login()
        await strict.aclose()


async def test_a_full_pool_queues_requests_until_a_connection_is_free(recorder: Recorder) -> None:
    limits = httpx.Limits(max_connections=3, max_keepalive_connections=2)
    transport = async_transport(verify=True, limits=limits)
    assert transport is not None
    url = f"http://127.0.0.1:{recorder.port}/J3PKTtDvolDMBtTy6AFGA"
    peak = 0

    def open_connections() -> int:
        return sum(len(pool.connections) for pool in transport.pools)

    async with httpx.AsyncClient(transport=transport) as client:

        async def one() -> int:
            nonlocal peak
            response = await client.get(url)
            peak = max(peak, open_connections())
            return response.status_code

        statuses = await asyncio.gather(*(one() for _ in range(40)))
        assert statuses == [200] * 40
        assert 1 <= peak <= 3
        # Surplus idle connections beyond the keep-alive limit are let go.
        await client.get(url)
        assert open_connections() <= 2


async def test_a_large_pool_is_split_into_small_ones_within_the_same_limits(
    recorder: Recorder,
) -> None:
    limits = httpx.Limits(max_connections=50, max_keepalive_connections=20)
    transport = async_transport(verify=True, limits=limits)
    assert transport is not None
    assert len(transport.pools) > 1
    url = f"http://127.0.0.1:{recorder.port}/J3PKTtDvolDMBtTy6AFGA"
    async with httpx.AsyncClient(transport=transport) as client:
        # One request at a time keeps reusing one connection of the first pool.
        for _ in range(5):
            assert (await client.get(url)).status_code == 200
        assert [len(p.connections) for p in transport.pools][:2] == [1, 0]
        # A burst spreads over the pools and every answer arrives.
        statuses = await asyncio.gather(*(client.get(url) for _ in range(60)))
        assert [r.status_code for r in statuses] == [200] * 60
        assert sum(len(p.connections) for p in transport.pools) <= 50


@given(payload=_JSONISH)
def test_quoted_envelopes_are_what_urllib_quote_writes(payload: Any) -> None:
    from urllib.parse import quote

    envelope = {"data": payload, "query": "name=J\u00f6rg \u2603 & ?#%/"}
    assert wire._quote_json(envelope) == quote(wire.dumps(envelope), safe="/")
