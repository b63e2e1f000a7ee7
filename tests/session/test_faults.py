"""Faults: retries that never duplicate a write, Retry-After, typed errors, last message."""

from __future__ import annotations

import socket
import time
from typing import Any

import httpx
import pytest

import accsyn
from accsyn.models import Transfer

from .conftest import API_KEY, USERNAME, WORKSPACE, FakeClock, MockBackend


def _session(backend: MockBackend, clock: FakeClock | None, **kwargs: Any) -> accsyn.Session:
    return accsyn.Session(
        workspace=WORKSPACE,
        username=USERNAME,
        api_key=API_KEY,
        base_url="https://acme.test",
        transport=backend.transport(),
        clock=clock,
        **kwargs,
    )


def _rate_limited(retry_after: str) -> httpx.Response:
    return httpx.Response(
        429,
        headers={"Retry-After": retry_after},
        json={"message": "Too many requests, please try again later.", "retry_after": 120},
    )


def test_429_with_retry_after_is_retried_once_after_that_long(
    backend: MockBackend, clock: FakeClock
) -> None:
    backend.script = [_rate_limited("1")]
    with _session(backend, clock) as session:
        rows = session.find("transfer WHERE status=running")
    assert [t.id for t in rows] == ["614d660de50d45bb027c9bdd"]
    assert len(backend.events()) == 2
    assert clock.sleeps == [1.0]


def test_retry_after_really_waits(backend: MockBackend) -> None:
    """The one real-time test: the second request arrives a second after the 429."""
    arrivals: list[float] = []

    def answer(response: httpx.Response) -> Any:
        def step(request: httpx.Request) -> httpx.Response:
            arrivals.append(time.monotonic())
            return response

        return step

    backend.script = [
        answer(_rate_limited("1")),
        answer(httpx.Response(200, json={"result": []})),
    ]
    with _session(backend, None) as session:
        assert session.find("transfer") == []
    assert len(arrivals) == 2
    assert arrivals[1] - arrivals[0] >= 0.95


def test_503_on_a_create_is_raised_not_retried(backend: MockBackend, clock: FakeClock) -> None:
    backend.script = [httpx.Response(503, json={"message": "Service unavailable"})]
    with _session(backend, clock) as session, pytest.raises(accsyn.ServerError) as info:
        session.create("transfer", {"name": "once"})
    assert info.value.status_code == 503
    assert len(backend.events()) == 1
    assert clock.sleeps == []


def test_429_on_a_create_is_raised_not_retried(backend: MockBackend, clock: FakeClock) -> None:
    backend.script = [_rate_limited("1")]
    with _session(backend, clock) as session, pytest.raises(accsyn.RateLimitError) as info:
        session.create("transfer", {"name": "once"})
    assert info.value.retry_after == 1.0
    assert len(backend.events()) == 1


def test_connection_refused_on_a_create_is_retried(backend: MockBackend, clock: FakeClock) -> None:
    backend.script = [httpx.ConnectError("[Errno 111] Connection refused")]
    with _session(backend, clock) as session:
        created = session.create("transfer", {"name": "once"})
    assert isinstance(created, Transfer)
    assert len(backend.events()) == 2
    assert len(clock.sleeps) == 1


def test_read_timeout_on_a_create_is_not_retried(backend: MockBackend, clock: FakeClock) -> None:
    backend.script = [httpx.ReadTimeout("timed out")]
    with _session(backend, clock) as session, pytest.raises(accsyn.RequestTimeout):
        session.create("transfer", {"name": "maybe"})
    assert len(backend.events()) == 1


@pytest.mark.parametrize(
    "fault",
    [
        httpx.Response(502, text="<html>Bad Gateway</html>"),
        httpx.Response(503, json={"message": "busy"}),
        httpx.Response(504, json={"message": "timeout"}),
        httpx.ReadTimeout("timed out"),
        httpx.ConnectError("refused"),
        httpx.RemoteProtocolError("peer closed connection"),
    ],
)
def test_reads_are_retried_on_transient_faults(
    backend: MockBackend, clock: FakeClock, fault: Any
) -> None:
    backend.script = [fault]
    with _session(backend, clock) as session:
        assert len(session.find("transfer")) == 1
    assert len(backend.events()) == 2
    (slept,) = clock.sleeps
    assert 0.25 <= slept <= 0.5  # jittered first backoff


def test_backoff_grows_and_gives_up(backend: MockBackend, clock: FakeClock) -> None:
    backend.script = [httpx.Response(503, json={"message": "busy"})] * 4
    policy = accsyn.RetryPolicy(max_retries=3, jitter=False, backoff_initial=0.5)
    with _session(backend, clock, retry=policy) as session, pytest.raises(accsyn.ServerError):
        session.find("transfer")
    assert clock.sleeps == [0.5, 1.0, 2.0]
    assert len(backend.events()) == 4


def test_retry_none_never_retries(backend: MockBackend, clock: FakeClock) -> None:
    backend.script = [httpx.Response(503, json={"message": "busy"})]
    with _session(backend, clock, retry=None) as session, pytest.raises(accsyn.ServerError):
        session.find("transfer")
    assert len(backend.events()) == 1


def test_a_retry_after_beyond_the_cap_is_raised(backend: MockBackend, clock: FakeClock) -> None:
    backend.script = [_rate_limited("120")]
    with _session(backend, clock) as session, pytest.raises(accsyn.RateLimitError) as info:
        session.find("transfer")
    assert info.value.retry_after == 120.0
    assert clock.sleeps == []


def test_4xx_reads_are_not_retried(backend: MockBackend, clock: FakeClock) -> None:
    backend.script = [httpx.Response(404, json={"message": "No such transfer"})]
    with _session(backend, clock) as session, pytest.raises(accsyn.NotFoundError):
        session.get_entity("transfer", "614d660de50d45bb027c9bdd")
    assert len(backend.events()) == 1


def test_wrong_key_is_an_authentication_error_with_the_servers_message(
    backend: MockBackend, clock: FakeClock
) -> None:
    backend.login = httpx.Response(
        401, json={"message": "invalid api key", "message_hr": "Your API key is wrong or expired"}
    )
    with pytest.raises(accsyn.AuthenticationError) as info:
        _session(backend, clock)
    assert str(info.value) == "Your API key is wrong or expired"
    assert info.value.status_code == 401
    assert len(backend.requests) == 1  # not retried


def test_expired_key_mid_session(backend: MockBackend, clock: FakeClock) -> None:
    backend.script = [
        httpx.Response(200, json={"message": "Authentication failed: expired API key"}),
    ]
    with _session(backend, clock) as session:
        assert session.get_last_message() is None
        with pytest.raises(accsyn.AuthenticationError, match="expired API key"):
            session.find("transfer")
        assert session.get_last_message() == "Authentication failed: expired API key"
        session.find("transfer")  # a success keeps the last error message
        assert session.get_last_message() == "Authentication failed: expired API key"


def test_html_answer_is_a_protocol_error(backend: MockBackend, clock: FakeClock) -> None:
    backend.script = [httpx.Response(200, text="<html>maintenance</html>")]
    with _session(backend, clock) as session, pytest.raises(accsyn.ProtocolError):
        session.find("transfer")


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_real_connection_refused_is_retried_then_a_connect_error(clock: FakeClock) -> None:
    port = _closed_port()
    with pytest.raises(accsyn.ConnectError, match=f"127.0.0.1:{port}"):
        accsyn.Session(
            workspace=WORKSPACE,
            username=USERNAME,
            api_key=API_KEY,
            base_url=f"http://127.0.0.1:{port}",
            retry=accsyn.RetryPolicy(max_retries=2),
            clock=clock,
        )
    assert len(clock.sleeps) == 2


def test_lazy_session_logs_in_on_first_call(backend: MockBackend, clock: FakeClock) -> None:
    with _session(backend, clock, lazy=True) as session:
        assert backend.requests == []
        assert "not logged in" in repr(session)
        session.files.exists("share=x")
        assert [r.url.path for r in backend.requests] == ["/api/v3/api/login", "/api/v3/event"]
        assert session.role == "admin"


def test_master_lookup_then_login(backend: MockBackend, clock: FakeClock) -> None:
    with accsyn.Session(
        workspace=WORKSPACE,
        username=USERNAME,
        api_key=API_KEY,
        transport=backend.transport(),
        clock=clock,
    ) as session:
        session.files.exists("share=x")
    # (httpx leaves the default port out of the URL and the Host header, as requests does.)
    urls = [(r.url.scheme, r.url.host, r.url.port, r.url.path) for r in backend.requests]
    assert urls == [
        ("https", "master.accsyn.com", None, "/api/v3/J3PKTtDvolDMBtTy6AFGA"),
        ("https", "ws.example", None, "/api/v3/api/login"),
        ("https", "ws.example", None, "/api/v3/event"),
    ]
    assert backend.requests[0].headers["Host"] == "master.accsyn.com"


def test_bad_arguments_never_reach_the_server(backend: MockBackend, clock: FakeClock) -> None:
    with _session(backend, clock) as session:
        backend.requests.clear()
        with pytest.raises(accsyn.ValidationError):
            session.find("transfer", limit="10")  # type: ignore[call-overload]
        with pytest.raises(accsyn.QuerySyntaxError):
            session.find("transfer WHERE (")
        with pytest.raises(accsyn.ValidationError, match="entity type"):
            session.find("status=failed")
        with pytest.raises(accsyn.ValidationError):
            session.acl.grant("group", "x" * 24, "folder", "f" * 24)
        with pytest.raises(accsyn.ValidationError):
            session.acl.access("transfer", "f" * 24)
        with pytest.raises(TypeError):  # 3.4.0 moved it: recursive is keyword-only
            session.acl.access("folder", "f" * 24, "user", "u" * 24, True)  # type: ignore[misc]
        with pytest.raises(accsyn.ValidationError):
            session.acl.revoke("user", "u" * 24, "site", "f" * 24)
    assert backend.requests == []


def test_grant_without_invite_for_an_unknown_user(backend: MockBackend, clock: FakeClock) -> None:
    backend.script = [httpx.Response(200, json={"result": []})]
    with _session(backend, clock) as session, pytest.raises(accsyn.NotFoundError, match="invite"):
        session.acl.grant("user", "nobody@x.com", "delivery", "d" * 24, {"invite": False})


def test_revoke_returns_false_without_access(backend: MockBackend, clock: FakeClock) -> None:
    backend.script = [httpx.Response(200, json={"result": []})]
    with _session(backend, clock) as session:
        assert session.acl.revoke("user", "u" * 24, "folder", "f" * 24) is False
    assert len(backend.events()) == 1


def test_a_503_retry_after_is_honoured_for_reads(backend: MockBackend, clock: FakeClock) -> None:
    backend.script = [
        httpx.Response(503, headers={"Retry-After": "3"}, json={"message": "maintenance"})
    ]
    with _session(backend, clock) as session:
        assert len(session.find("transfer")) == 1
    assert clock.sleeps == [3.0]


class _RefuseFirstEvent(httpx.BaseTransport):
    """Real sockets: the first event goes to a closed port (ECONNREFUSED), then to the server."""

    def __init__(self, closed_port: int) -> None:
        self.inner = httpx.HTTPTransport()
        self.closed_port = closed_port
        self.refused = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/event") and not self.refused:
            self.refused += 1
            request = httpx.Request(
                request.method,
                request.url.copy_with(port=self.closed_port),
                headers=request.headers,
                content=request.content,
            )
        return self.inner.handle_request(request)

    def close(self) -> None:
        self.inner.close()


def test_a_create_refused_by_a_real_socket_is_retried_and_sent_once(
    recorder: Any, clock: FakeClock
) -> None:
    transport = _RefuseFirstEvent(_closed_port())
    with accsyn.Session(
        workspace=WORKSPACE,
        username=USERNAME,
        api_key=API_KEY,
        base_url=f"http://127.0.0.1:{recorder.port}",
        transport=transport,
        clock=clock,
    ) as session:
        created = session.create("transfer", {"name": "exactly once"})
    assert transport.refused == 1
    assert isinstance(created, Transfer)
    creates = [r for r in recorder.events() if r.envelope["uri"] == "transfer/create"]
    assert len(creates) == 1
    assert len(clock.sleeps) == 1
