"""Proxies: the accsyn relay (see test_parity) and SOCKS5 through httpx's own support."""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
from collections.abc import Iterator

import pytest

import accsyn

from .conftest import API_KEY, USERNAME, WORKSPACE, Recorder


def _recv_exact(conn: socket.socket, n: int) -> bytes:
    data = b""
    while len(data) < n:
        chunk = conn.recv(n - len(data))
        if not chunk:
            raise ConnectionError("closed")
        data += chunk
    return data


class Socks5Server:
    """A minimal no-auth SOCKS5 CONNECT proxy on 127.0.0.1 that records its targets."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        self.port = self.sock.getsockname()[1]
        self.targets: list[tuple[str, int]] = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn: socket.socket) -> None:
        try:
            _, n = _recv_exact(conn, 2)
            _recv_exact(conn, n)
            conn.sendall(b"\x05\x00")
            _, _, _, atyp = _recv_exact(conn, 4)
            if atyp == 1:
                host = socket.inet_ntoa(_recv_exact(conn, 4))
            else:
                host = _recv_exact(conn, _recv_exact(conn, 1)[0]).decode()
            (port,) = struct.unpack(">H", _recv_exact(conn, 2))
            self.targets.append((host, port))
            upstream = socket.create_connection((host, port))
            conn.sendall(b"\x05\x00\x00\x01" + socket.inet_aton("127.0.0.1") + b"\x00\x00")
        except (OSError, ConnectionError):
            conn.close()
            return

        def pipe(src: socket.socket, dst: socket.socket) -> None:
            try:
                while chunk := src.recv(65536):
                    dst.sendall(chunk)
            except OSError:
                pass
            finally:
                for s in (src, dst):
                    with contextlib.suppress(OSError):
                        s.shutdown(socket.SHUT_RDWR)

        threading.Thread(target=pipe, args=(conn, upstream), daemon=True).start()
        threading.Thread(target=pipe, args=(upstream, conn), daemon=True).start()

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def socks() -> Iterator[Socks5Server]:
    server = Socks5Server()
    try:
        yield server
    finally:
        server.close()


@pytest.mark.parametrize("kind", ["socks", "socks5"])
def test_requests_tunnel_through_a_socks5_proxy(
    recorder: Recorder, socks: Socks5Server, kind: str
) -> None:
    with accsyn.Session(
        workspace=WORKSPACE,
        username=USERNAME,
        api_key=API_KEY,
        base_url=f"http://127.0.0.1:{recorder.port}",
        proxy=f"{kind}:127.0.0.1:{socks.port}",
        rate_limit=None,
    ) as session:
        assert session.files.exists("share=x") is True
    assert ("127.0.0.1", recorder.port) in socks.targets
    assert [r.path for r in recorder.requests] == ["/api/v3/api/login", "/api/v3/event"]


def test_proxy_from_the_environment_file(recorder: Recorder, tmp_path: object) -> None:
    from pathlib import Path

    env = Path(str(tmp_path)) / "relay.env"
    env.write_text(
        f"ACCSYN_WORKSPACE={WORKSPACE}\nACCSYN_API_USER={USERNAME}\nACCSYN_API_KEY={API_KEY}\n"
        f"ACCSYN_PROXY=127.0.0.1:{recorder.port}\n"
    )
    with accsyn.Session(path_envfile=str(env), rate_limit=None) as session:
        session.files.exists("share=x")
    assert [r.path for r in recorder.requests] == [
        "/api/v3/J3PKTtDvolDMBtTy6AFGA",
        "/api/v3/api/login",
        "/api/v3/event",
    ]


def test_dev_mode_talks_to_localhost_8181(tmp_path: object) -> None:
    from pathlib import Path

    import httpx

    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(
            f"{request.url.scheme}://{request.url.host}:{request.url.port}{request.url.path}"
        )
        if request.url.path.endswith("/api/login"):
            return httpx.Response(
                200, json={"result": {"role": "admin", "id": "u", "session_id": "s"}}
            )
        return httpx.Response(200, json={"result": True})

    env = Path(str(tmp_path)) / "dev.env"
    env.write_text("AS_DEV=true\n")
    with accsyn.Session(
        workspace=WORKSPACE,
        username=USERNAME,
        api_key=API_KEY,
        port=443,
        path_envfile=str(env),
        transport=httpx.MockTransport(handler),
    ) as session:
        session.files.exists("share=x")
    assert seen == [
        "http://127.0.0.1:8181/api/v3/api/login",
        "http://127.0.0.1:8181/api/v3/event",
    ]
