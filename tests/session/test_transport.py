"""The driver layer as a user meets it: deadlines, reported retries, use after close.

The deadline tests run against a tiny server on 127.0.0.1 that answers login at once
and then trickles each event answer one byte at a time: without a deadline for the
whole attempt, every byte arriving within the read timeout keeps the call alive.
"""

from __future__ import annotations

import asyncio
import json
import logging
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

import accsyn

from .conftest import API_KEY, SESSION_ID, USER_ID, USERNAME, WORKSPACE, FakeClock, Recorder

#: Seconds between two trickled bytes: well under the 1 s timeout.
_DRIP = 0.25


class Trickle:
    """Serves login at once; trickles every other answer (``phase``: body or headers)."""

    def __init__(self, phase: str) -> None:
        self.phase = phase
        self.sent = 0
        self.total = 0
        self.cut = threading.Event()
        self._sock = socket.create_server(("127.0.0.1", 0))
        self.port = int(self._sock.getsockname()[1])
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)

    def __enter__(self) -> Trickle:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._sock.close()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        with conn:
            buffer = b""
            while True:
                while b"\r\n\r\n" not in buffer:
                    chunk = conn.recv(65536)
                    if not chunk:
                        return
                    buffer += chunk
                head, _, buffer = buffer.partition(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":", 1)[1])
                while len(buffer) < length:
                    buffer += conn.recv(65536)
                buffer = buffer[length:]
                if b"/api/login" in head.split(b"\r\n", 1)[0]:
                    login = {"result": {"role": "admin", "id": USER_ID, "session_id": SESSION_ID}}
                    conn.sendall(_answer(json.dumps(login).encode()))
                    continue
                rows = [{"id": f"{i:024x}", "code": "x@example.com"} for i in range(3)]
                data = _answer(json.dumps({"result": rows}).encode())
                if self.phase == "body":
                    split = data.index(b"\r\n\r\n") + 4
                    conn.sendall(data[:split])
                    data = data[split:]
                self.total = len(data)
                for i in range(len(data)):
                    try:
                        conn.sendall(data[i : i + 1])
                    except OSError:
                        self.cut.set()
                        return
                    self.sent = i + 1
                    time.sleep(_DRIP)
                return


def _answer(body: bytes) -> bytes:
    return (
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
        + f"Content-Length: {len(body)}\r\n\r\n".encode()
        + body
    )


def _options(port: int, **kwargs: Any) -> dict[str, Any]:
    return {
        "workspace": WORKSPACE,
        "username": USERNAME,
        "api_key": API_KEY,
        "base_url": f"http://127.0.0.1:{port}",
        "rate_limit": None,
        **kwargs,
    }


@pytest.fixture(params=["body", "headers"])
def trickle(request: pytest.FixtureRequest) -> Iterator[Trickle]:
    with Trickle(request.param) as server:
        yield server


def test_a_trickling_server_cannot_stretch_a_sync_call(trickle: Trickle) -> None:
    # A per-read timeout never fires here (each byte arrives within 0.25 s), so the
    # error itself shows the deadline covers the whole attempt.
    with (
        accsyn.Session(**_options(trickle.port, timeout=1, retry=None)) as session,
        pytest.raises(accsyn.RequestTimeout) as info,
    ):
        session.find("user")
    assert "timeout=1s" in str(info.value)
    # The client hung up long before the answer was complete: the trickle was cut.
    assert trickle.cut.wait(5)
    assert trickle.sent < trickle.total


async def test_a_trickling_server_cannot_stretch_an_async_call(trickle: Trickle) -> None:
    async with accsyn.AsyncSession(**_options(trickle.port, timeout=1, retry=None)) as session:
        with pytest.raises(accsyn.RequestTimeout) as info:
            await session.find("user")
    assert "timeout=1s" in str(info.value)
    # Wait off the loop, so the loop can finish closing the socket.
    assert await asyncio.to_thread(trickle.cut.wait, 5)
    assert trickle.sent < trickle.total


def test_a_deadline_leaves_a_fast_answer_alone(recorder: Recorder) -> None:
    with accsyn.Session(**_options(recorder.port, timeout=1, retry=None)) as session:
        assert len(session.find("transfer")) == 1


# -- retries are reported ---------------------------------------------------------------


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_each_retry_is_reported_at_info_with_reason_and_delay(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="accsyn")
    policy = accsyn.RetryPolicy(max_retries=2, backoff_initial=0.25, jitter=False)
    clock = FakeClock()
    with pytest.raises(accsyn.ConnectError):
        accsyn.Session(**_options(_closed_port(), retry=policy, clock=clock))
    retries = [r for r in caplog.records if r.levelno == logging.INFO and "retry" in r.message]
    assert [r.name for r in retries] == ["accsyn", "accsyn"]
    assert "connection refused" in retries[0].message
    assert "retry 1 of 2 in 0.25s" in retries[0].message
    assert "retry 2 of 2 in 0.50s" in retries[1].message
    assert clock.sleeps == [0.25, 0.5]


def test_a_retried_server_error_names_the_status(
    recorder: Recorder, caplog: pytest.LogCaptureFixture
) -> None:
    from .conftest import Scripted

    caplog.set_level(logging.INFO, logger="accsyn")
    recorder.script = [Scripted(503, b'{"message": "down for maintenance"}')]
    policy = accsyn.RetryPolicy(max_retries=1, backoff_initial=0.01)
    with accsyn.Session(**_options(recorder.port, retry=policy, clock=FakeClock())) as session:
        session.find("transfer")
    (retry,) = [r for r in caplog.records if "retry 1 of 1" in r.message]
    assert retry.levelno == logging.INFO
    assert "HTTP 503" in retry.message and "down for maintenance" in retry.message


# -- use after close --------------------------------------------------------------------


def test_a_closed_session_raises_a_typed_error(recorder: Recorder) -> None:
    session = accsyn.Session(**_options(recorder.port))
    session.close()
    with pytest.raises(accsyn.SessionClosedError, match="closed"):
        session.find("transfer")
    assert issubclass(accsyn.SessionClosedError, accsyn.AccsynError)


async def test_a_closed_async_session_raises_a_typed_error(recorder: Recorder) -> None:
    async with accsyn.AsyncSession(**_options(recorder.port)) as session:
        assert await session.find("transfer")
    with pytest.raises(accsyn.SessionClosedError, match="closed"):
        await session.find("transfer")
