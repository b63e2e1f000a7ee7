"""Fixtures for the session tests: a recording HTTP server and fake clocks.

The recorder is a real HTTP/1.1 server on 127.0.0.1 (a thread running
``http.server``). It answers the master lookup, login and ``/api/v3/event`` with
canned JSON chosen by the envelope's ``uri`` and records every request exactly as it
arrived (method, path, raw query string, headers, body), so the official client
(``accsyn_api``, which uses ``requests``) and ours can be compared byte for byte.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote

import httpx
import pytest

from accsyn.emulator import LocalWorkspace

WORKSPACE = "acme"
USERNAME = "john@user.com"
API_KEY = "Sup3rS3cretK3y-0123456789abcdef"
SESSION_ID = "sess-7f3a9c1e5b2d4a6f8e0c"
USER_ID = "6676f3e9c7ef4e27da254e57"
FOLDER_ID = "6645fbca9f8c4d3e7a3b6780"
VOLUME_ID = "6645fbca9f8c4d3e7a3b6781"
SERVER_ID = "6645fbca9f8c4d3e7a3b6782"
DELIVERY_ID = "69732302fd379c8fff1089d0"
JOB_ID = "5a7325f8b7ef72f5f9d74bf4"
TRANSFER_ID = "614d660de50d45bb027c9bdd"
ACL_ID = "6645fbca9f8c4d3e7a3b6783"
COLLECTION_ID = "6645fbca9f8c4d3e7a3b6784"
QUEUE_ID = "6645fbca9f8c4d3e7a3b6785"
TASK_ID = "26468234-c9ee-48d6-8d28-e900b5957129"


@dataclass
class Recorded:
    """One request as the server saw it."""

    method: str
    path: str
    query: str | None
    headers: dict[str, str]
    body: bytes

    @property
    def envelope(self) -> dict[str, Any]:
        if self.method in ("GET", "DELETE"):
            return dict(json.loads(unquote(self.query or "")))
        return dict(json.loads(self.body))


def canned(uri: str, envelope: dict[str, Any]) -> dict[str, Any]:
    """A plausible answer for an event (enough for every client-side code path)."""
    uri = uri.lower()
    query = envelope.get("query") or ""
    if uri == "user/find" and query.startswith("code="):
        return {"result": [{"id": USER_ID, "code": "lisa@example.com"}]}
    if uri in ("folder/find", "volume/find") and query.startswith("code="):
        return {"result": [{"id": FOLDER_ID}]}
    if uri == "acl/find":
        return {
            "result": [
                {
                    "id": ACL_ID,
                    "entity": f"user:{USER_ID}",
                    "entity_hr": "lisa@example.com",
                    "target": f"share:{FOLDER_ID}",
                    "target_hr": "projects",
                    "read": True,
                    "write": False,
                }
            ]
        }
    if uri == "job/recipients":
        return {"result": [{"user": USER_ID, "user_hr": "lisa@example.com", "actioned": False}]}
    if uri == "acl/create":
        return {"result": [{"id": ACL_ID, "entity": f"user:{USER_ID}", "read": True}]}
    if uri == "client/find":
        return {"result": [{"id": SERVER_ID, "status": "online"}]}
    if uri == "user/api_key":
        return {"api_key": "server-issued-key"}
    if uri.endswith("/report"):
        return {"report": "a report"}
    if uri == "log/find":
        return {"result": [], "total": 0}
    if uri == "entitytypes":
        return {"result": ["user", "transfer", "delivery"]}
    if uri == "attributes":
        return {"result": ["id", "code", "name"]}
    if uri.endswith("/find"):
        return {
            "result": [
                {
                    "id": envelope.get("id") or TRANSFER_ID,
                    "name": "x",
                    "created": "2026-01-02T03:04:05",
                }
            ]
        }
    if uri.endswith(("/create", "/add")):
        return {"result": [{"id": TRANSFER_ID, "name": "created"}]}
    if uri.endswith("/edit"):
        return {"result": [{"id": TRANSFER_ID, "status": "paused"}]}
    return {"result": True}


@dataclass
class Scripted:
    """A forced answer for the next event request."""

    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


class Recorder:
    """A threaded recording server; ``port``, ``requests``, ``script`` (forced answers)."""

    def __init__(self) -> None:
        self.requests: list[Recorded] = []
        self.script: list[Scripted] = []
        self.login_answer: Scripted | None = None
        self._lock = threading.Lock()
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                path, _, query = self.path.partition("?")
                rec = Recorded(
                    self.command,
                    path,
                    query if "?" in self.path else None,
                    {k.lower(): v for k, v in self.headers.items()},
                    body,
                )
                with recorder._lock:
                    recorder.requests.append(rec)
                    forced = None
                    if path.endswith("/event") and recorder.script:
                        forced = recorder.script.pop(0)
                    elif path.endswith("/api/login") and recorder.login_answer is not None:
                        forced = recorder.login_answer
                if forced is not None:
                    self._reply(forced.status, forced.body, forced.headers)
                    return
                if path.endswith("/J3PKTtDvolDMBtTy6AFGA"):
                    answer: dict[str, Any] = {
                        "result": {"hostname": "ignored.example", "port": 443}
                    }
                elif path.endswith("/api/login"):
                    answer = {"result": {"role": "admin", "id": USER_ID, "session_id": SESSION_ID}}
                else:
                    envelope = rec.envelope
                    answer = canned(envelope["uri"], envelope)
                self._reply(200, json.dumps(answer).encode(), {})

            def _reply(self, status: int, body: bytes, headers: dict[str, str]) -> None:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                for k, v in headers.items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_PUT = do_POST = do_DELETE = _handle  # noqa: N815 - http.server's names

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self._thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    def start(self) -> Recorder:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def events(self) -> list[Recorded]:
        return [r for r in self.requests if r.path.endswith("/event")]

    def clear(self) -> None:
        with self._lock:
            self.requests.clear()


@pytest.fixture
def recorder() -> Iterator[Recorder]:
    rec = Recorder().start()
    try:
        yield rec
    finally:
        rec.stop()


@pytest.fixture(autouse=True)
def clean_env(accsyn_clean_env: None) -> None:
    """No ACCSYN_* settings leak in, and no stray ./.env is picked up."""


class FakeClock:
    """A clock that never really waits: sleeping advances it and is recorded."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    async def asleep(self, seconds: float) -> None:
        import asyncio

        self.sleeps.append(seconds)
        self.now += seconds
        await asyncio.sleep(0)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


class MockBackend:
    """An httpx MockTransport handler: canned answers, scripted faults, recorded requests.

    ``script`` holds what the next event requests get, in order: an
    ``httpx.Response``, an exception instance to raise (e.g. ``httpx.ConnectError``),
    or a callable taking the request. When it is empty, events get ``canned()``.
    """

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self.script: list[Any] = []
        self.login: httpx.Response | None = None

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        path = request.url.path
        if path.endswith("/J3PKTtDvolDMBtTy6AFGA"):
            return httpx.Response(200, json={"result": {"hostname": "ws.example", "port": 443}})
        if path.endswith("/api/login"):
            if self.login is not None:
                return self.login
            return httpx.Response(
                200, json={"result": {"role": "admin", "id": USER_ID, "session_id": SESSION_ID}}
            )
        if self.script:
            step = self.script.pop(0)
            if isinstance(step, BaseException):
                raise step
            if callable(step):
                return step(request)  # type: ignore[no-any-return]
            return step  # type: ignore[no-any-return]
        envelope = envelope_of(request)
        return httpx.Response(200, json=canned(envelope["uri"], envelope))

    def events(self) -> list[httpx.Request]:
        return [r for r in self.requests if r.url.path.endswith("/event")]

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self)

    def async_transport(self) -> httpx.MockTransport:
        async def handler(request: httpx.Request) -> httpx.Response:
            await request.aread()
            return self(request)

        return httpx.MockTransport(handler)


def envelope_of(request: httpx.Request) -> dict[str, Any]:
    """The envelope of an event request, as a server decodes it."""
    if request.method in ("GET", "DELETE"):
        return dict(json.loads(unquote(request.url.query.decode("ascii"))))
    return dict(json.loads(request.content))


@pytest.fixture
def backend() -> MockBackend:
    return MockBackend()


@pytest.fixture(scope="module")
def fresh_ws() -> Iterator[LocalWorkspace]:
    """A fresh copy of the demo workspace, shared by the tests of one module."""
    with LocalWorkspace.fresh() as workspace:
        yield workspace
