"""The in-process path (``LocalWorkspace.session()``, no httpx) is indistinguishable
from the httpx path (``Session(transport=ws.transport())``).

The same sequence of calls — reads, writes, server errors, injected 503/429/drops,
an exhausted retry budget, a lost answer after commit — runs on two identical fresh
workspaces, once per path. The answers, the typed errors (class, message, status,
``Retry-After``), the retry sleeps and the retry log lines must be identical, and
the backend must have received the same requests: method, path, raw query string,
headers (in order) and body, byte for byte once the per-call values (``eid``,
``created``, the session id) are masked.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import accsyn
from accsyn import _wire as wire
from accsyn._http._drivers import PLAIN_QUERY
from accsyn.emulator import EmulatorTransport, InProcessEmulator, LocalWorkspace, Reply
from accsyn.emulator._backend import ApiError

from .conftest import IN_PROCESS_URL, InstantClock

RETRY = accsyn.RetryPolicy(max_retries=2, jitter=False)
RATE = accsyn.RateLimit(rate=50, burst=3)

#: (faults scripted before the call, operation, args, kwargs)
STEPS: list[tuple[tuple[Any, ...], str, tuple[Any, ...], dict[str, Any]]] = [
    ((), "find", ("queue WHERE code=high",), {}),
    ((), "find", ("user WHERE code=lisa@example.com",), {"attributes": ["code", "name"]}),
    ((), "find", ("transfer WHERE status=failed",), {"limit": 3}),
    ((), "find", ("transfer WHERE status=failed",), {"limit": 2, "raw": True}),
    ((), "find_one", ("site",), {}),
    ((503,), "find", ("queue",), {}),  # retried
    ((429,), "find", ("queue WHERE code=high",), {}),  # retried after Retry-After
    (("drop",), "find", ("site",), {}),  # a read whose answer was lost: retried
    ((429, 429, 429), "find", ("queue",), {}),  # the retry budget runs out: RateLimitError
    ((), "find", ("transfer WHERE nosuch=1",), {"validate": False}),
    ((), "find", ("transfer WHERE nosuch=1",), {}),  # refused before sending
    ((), "create", ("queue", {"code": "diff"}), {}),
    ((), "create", ("queue", {"code": "diff"}), {}),  # ConflictError
    (("drop",), "create", ("queue", {"code": "diff2"}), {}),  # a write is never retried
    ((500,), "find_one", ("queue WHERE code=diff2",), {}),  # ServerError, not retried
    ((), "find_one", ("queue WHERE code=diff2",), {}),
    (("drop-after-commit",), "create", ("queue", {"code": "diff3"}), {}),
    ((), "find_one", ("queue WHERE code=diff3",), {}),
    ((), "get_entity", ("queue", "000000000000000000000000"), {}),
]


def _outcome(value: Any) -> Any:
    if isinstance(value, list):
        return [_outcome(v) for v in value]
    dump = getattr(value, "model_dump", None)
    return dump(mode="json") if callable(dump) else value


def _error(exc: Exception) -> tuple[Any, ...]:
    return (
        type(exc).__name__,
        str(exc),
        getattr(exc, "status_code", None),
        getattr(exc, "retry_after", None),
    )


def _mask(outcomes: list[Any], api_key: str) -> str:
    """The outcomes as JSON, the ids of created entities numbered in order of creation."""
    text = json.dumps(outcomes, sort_keys=True, default=str)
    assert api_key not in text  # redaction holds on both paths
    for n, step in enumerate(outcomes):
        if isinstance(step, dict) and step.get("code", "").startswith("diff"):
            text = text.replace(step["id"], f"<created {n}>")
    return text


def _spy(ws: LocalWorkspace) -> list[tuple[Any, ...]]:
    """Record every request the backend receives, per-call values masked."""
    seen: list[tuple[Any, ...]] = []
    handle = ws.backend.handle

    def spy(
        method: str,
        path: str,
        raw_query: str,
        headers: Any,
        body: bytes,
        client: str = "127.0.0.1",
    ) -> Reply:
        assert type(headers) is dict
        seen.append(_masked(method, path, raw_query, list(headers.items()), body, client))
        return handle(method, path, raw_query, headers, body, client)

    ws.backend.handle = spy  # type: ignore[method-assign]
    return seen


def _masked(
    method: str, path: str, raw_query: str, headers: list[Any], body: bytes, client: str
) -> tuple[Any, ...]:
    if path.endswith("/event"):
        envelope = wire.decode_event(method, raw_query, body)
        for key in ("eid", "created", "session"):
            value = json.dumps(envelope[key])
            raw_query = raw_query.replace(quote(value, safe="/"), f"<{key}>")
            body = body.replace(value.encode(), f"<{key}>".encode())
    return method, path, raw_query, headers, body, client


def _credentials(ws: LocalWorkspace) -> dict[str, Any]:
    workspace, username, api_key = ws.credentials("admin")
    return {"workspace": workspace, "username": username, "api_key": api_key}


@pytest.fixture
def pair() -> Iterator[tuple[LocalWorkspace, LocalWorkspace]]:
    with LocalWorkspace.fresh() as a, LocalWorkspace.fresh() as b:
        yield a, b


def _retry_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    lines = [r.getMessage() for r in caplog.records if r.name == "accsyn" and r.levelno >= 20]
    caplog.clear()
    return lines


def _run_sync(session: accsyn.Session, ws: LocalWorkspace) -> list[Any]:
    outcomes: list[Any] = []
    with session:
        for faults, op, args, kwargs in STEPS:
            ws.faults.script(*faults)
            try:
                outcomes.append(_outcome(getattr(session, op)(*args, **kwargs)))
            except accsyn.AccsynError as exc:
                outcomes.append(_error(exc))
    try:
        session.find("queue")
    except accsyn.AccsynError as exc:
        outcomes.append(_error(exc))
    return outcomes


async def _run_async(session: accsyn.AsyncSession, ws: LocalWorkspace) -> list[Any]:
    outcomes: list[Any] = []
    async with session:
        for faults, op, args, kwargs in STEPS:
            ws.faults.script(*faults)
            try:
                outcomes.append(_outcome(await getattr(session, op)(*args, **kwargs)))
            except accsyn.AccsynError as exc:
                outcomes.append(_error(exc))
    try:
        await session.find("queue")
    except accsyn.AccsynError as exc:
        outcomes.append(_error(exc))
    return outcomes


def _compare(
    run: Callable[[LocalWorkspace, bool, InstantClock], list[Any]],
    pair: tuple[LocalWorkspace, LocalWorkspace],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="accsyn")
    results = []
    for ws, direct in zip(pair, (False, True), strict=True):
        seen = _spy(ws)
        clock = InstantClock()
        outcomes = run(ws, direct, clock)
        key = ws.credentials("admin")[2]
        results.append((_mask(outcomes, key), clock.slept, _retry_lines(caplog), seen))
    (httpx_out, httpx_sleeps, httpx_log, httpx_seen), (ours, sleeps, log, seen) = results
    assert ours == httpx_out
    assert sleeps == httpx_sleeps and sleeps  # the limiter and the retries slept alike
    assert log == httpx_log and any("retry 1 of 2" in line for line in log)
    assert seen == httpx_seen
    # The scenario did reach the cases it is about.
    for name in ("RateLimitError", "TransportError", "ServerError", "ConflictError"):
        assert name in ours, name
    assert "SessionClosedError" in ours


def test_sync_in_process_and_httpx_paths_agree(
    pair: tuple[LocalWorkspace, LocalWorkspace], caplog: pytest.LogCaptureFixture
) -> None:
    def run(ws: LocalWorkspace, direct: bool, clock: InstantClock) -> list[Any]:
        options: dict[str, Any] = {"retry": RETRY, "rate_limit": RATE, "clock": clock}
        if direct:
            session = ws.session(**options)
            assert session._driver.__class__.__name__ == "InProcessDriver"
        else:
            session = accsyn.Session(
                **_credentials(ws), base_url=IN_PROCESS_URL, transport=ws.transport(), **options
            )
        return _run_sync(session, ws)

    _compare(run, pair, caplog)


def test_async_in_process_and_httpx_paths_agree(
    pair: tuple[LocalWorkspace, LocalWorkspace], caplog: pytest.LogCaptureFixture
) -> None:
    def run(ws: LocalWorkspace, direct: bool, clock: InstantClock) -> list[Any]:
        options: dict[str, Any] = {"retry": RETRY, "rate_limit": RATE, "clock": clock}
        if direct:
            session = ws.async_session(**options)
            assert session._driver.__class__.__name__ == "AsyncInProcessDriver"
        else:
            session = accsyn.AsyncSession(
                **_credentials(ws),
                base_url=IN_PROCESS_URL,
                transport=ws.async_transport(),
                **options,
            )
        return asyncio.run(_run_async(session, ws))

    _compare(run, pair, caplog)


def test_latency_past_the_timeout_is_the_same_on_both_paths(
    pair: tuple[LocalWorkspace, LocalWorkspace],
) -> None:
    """Async: the attempt's timeout cuts a slow answer (RequestTimeout after the
    retries); sync: the in-process answer arrives late, as through httpx."""

    async def run(ws: LocalWorkspace, direct: bool) -> tuple[Any, Any]:
        options: dict[str, Any] = {"retry": RETRY, "clock": InstantClock(), "timeout": 0.01}
        creds = _credentials(ws)
        if direct:
            asession = ws.async_session(**options)
            session = ws.session(**options)
        else:
            asession = accsyn.AsyncSession(
                **creds, base_url=IN_PROCESS_URL, transport=ws.async_transport(), **options
            )
            session = accsyn.Session(
                **creds, base_url=IN_PROCESS_URL, transport=ws.transport(), **options
            )
        outcomes: list[Any] = []
        async with asession:
            ws.faults.latency = 0.03
            try:
                outcomes.append(await asession.find("queue WHERE code=high"))
            except accsyn.AccsynError as exc:
                outcomes.append(_error(exc))
            with session:
                outcomes.append(_outcome(session.find("queue WHERE code=high")))
            ws.faults.latency = 0.0
        return outcomes[0], outcomes[1]

    (httpx_async, httpx_sync), (ours_async, ours_sync) = (
        asyncio.run(run(ws, direct)) for ws, direct in zip(pair, (False, True), strict=True)
    )
    assert ours_async == httpx_async
    assert ours_async[0] == "RequestTimeout"
    assert ours_sync == httpx_sync and ours_sync[0]["code"] == "high"


@pytest.mark.parametrize(
    "reply",
    [
        Reply(200, {"result": [{"id": "1"}]}),
        Reply(404, {"message": "Not found."}),
        ApiError(429, "Too many requests.", retry_after=2.4).reply(),
        Reply(500, {"message": "x"}, {"X-Extra": "1", "Content-Type": "text/plain"}),
        Reply(0, None, drop=True),
    ],
    ids=["ok", "404", "429", "extra-headers", "drop"],
)
def test_answers_are_the_httpx_transport_s(reply: Reply) -> None:
    """What transmit() is handed: the status, headers (as httpx lists them) and body."""

    class Fixed:
        def handle(self, *args: Any, **kwargs: Any) -> Reply:
            return reply

    backend: Any = Fixed()
    direct = InProcessEmulator(backend).exchange("GET", "/api/v3/event", "", {}, b"")
    client = httpx.Client(transport=EmulatorTransport(backend))
    try:
        answer = client.get("http://x/api/v3/event")
    except httpx.TransportError as exc:
        assert type(direct.error) is type(exc) and str(direct.error) == str(exc)
        return
    assert direct.error is None
    assert (direct.status, direct.headers, direct.content) == (
        answer.status_code,
        tuple(answer.headers.multi_items()),
        answer.content,
    )


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="abcXYZ019_.~/%-", max_size=40))
def test_plain_queries_reach_the_server_as_httpx_sends_them(query: str) -> None:
    """The in-process path passes such a query string through unchanged: so does httpx."""
    assert PLAIN_QUERY.fullmatch(query)
    assert httpx.URL(f"http://x/api/v3/event?{query}").query.decode("ascii") == query


@settings(max_examples=500, deadline=None)
@given(
    st.one_of(
        st.text(alphabet="%0123456789abcdefABCDEFxyz_.~/-= \n\r\té", max_size=30),
        st.text(max_size=30).map(lambda t: quote(t, safe="/")),
        st.binary(max_size=20).map(lambda b: quote(b, safe="/")),
    )
)
def test_the_backend_decodes_a_query_string_as_urllib_does(text: str) -> None:
    """The backend's C fast path for quoted envelopes changes nothing it decodes."""
    from urllib.parse import unquote

    from accsyn.emulator._protocol import _unquote

    assert _unquote(text) == unquote(text)
