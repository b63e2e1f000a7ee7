"""The emulator's request paths: streamed and large bodies, cached credentials, latency."""

from __future__ import annotations

import asyncio
import base64
import json
import threading
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from accsyn.emulator import Faults, LocalWorkspace, create_app
from accsyn.emulator._asgi import INLINE_BODY


def _auth(user: str, key: str, workspace: str = "demo") -> dict[str, str]:
    u = base64.b64encode(user.encode()).decode()
    k = base64.b64encode(key.encode()).decode()
    return {"Authorization": f"basic {u}:{k}", "X-Accsyn-Workspace": workspace}


def _find(uri: str, query: str | None = None) -> str:
    env: dict[str, Any] = {"uri": uri, "data": {}}
    if query is not None:
        env["query"] = query
    return "/api/v3/event?" + quote(json.dumps(env))


def test_streamed_and_large_bodies_answer_like_small_ones(server) -> None:  # type: ignore[no-untyped-def]
    good = _auth(server.users["admin"], server.keys["admin"])
    env = json.dumps({"uri": "user/find", "query": "code=admin@example.com", "data": {}})
    with httpx.Client(base_url=f"http://{server.host}:{server.port}", timeout=30) as client:
        small = client.request("GET", "/api/v3/event", headers=good, content=env.encode())
        assert small.status_code == 200 and len(small.json()["result"]) == 1

        def chunks() -> Iterator[bytes]:
            data = env.encode()
            for i in range(0, len(data), 7):
                yield data[i : i + 7]

        streamed = client.request("GET", "/api/v3/event", headers=good, content=chunks())
        # JSON allows any amount of whitespace: a body past the inline limit.
        padded = (env[:-1] + " " * (INLINE_BODY + 10) + "}").encode()
        large = client.request("GET", "/api/v3/event", headers=good, content=padded)
    for r in (streamed, large):
        assert r.status_code == 200
        assert r.headers["content-type"] == "application/json"
        assert r.json() == small.json()


def test_credentials_stop_working_as_soon_as_they_change() -> None:
    with LocalWorkspace(seed=None) as ws:
        b = ws.backend
        code, user, key = ws.credentials("standard")
        _, admin, admin_key = ws.credentials("admin")
        find = _find("user/find")

        def status(u: str, k: str) -> int:
            path, _, query = find.partition("?")
            return b.handle("GET", path, query, _auth(u, k, code), b"").status

        assert status(user, key) == 200
        assert status(user, key) == 200  # repeated: the same answer
        assert status(user, "wrong") == 401
        b.store.set_account(user, "new-key")
        assert status(user, key) == 401
        assert status(user, "new-key") == 200
        me = next(
            u
            for u in json.loads(
                b.handle(
                    "GET",
                    "/api/v3/event",
                    find.partition("?")[2],
                    _auth(admin, admin_key, code),
                    b"",
                ).content()
            )["result"]
            if u["code"] == user
        )
        env = json.dumps({"uri": "user/deactivate", "id": me["id"]})
        r = b.handle("DELETE", "/api/v3/event", quote(env), _auth(admin, admin_key, code), b"")
        assert r.status == 200, r.body
        assert status(user, "new-key") == 401
        # Writes straight to the database are seen too.
        assert status(admin, admin_key) == 200
        b.store.conn.execute("DELETE FROM account WHERE email = ?", (admin.casefold(),))
        assert status(admin, admin_key) == 401


async def _asgi_call(app: Any, path: str, headers: dict[str, str]) -> list[dict[str, Any]]:
    route, _, query = path.partition("?")
    scope = {
        "type": "http",
        "method": "GET",
        "path": route,
        "query_string": query.encode(),
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
        "client": ("127.0.0.1", 1),
    }
    messages = [{"type": "http.request", "body": b"", "more_body": False}]
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await app(scope, receive, send)
    return sent


async def test_injected_latency_overlaps_and_frees_the_backend(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    n = 4
    with LocalWorkspace(seed=None, faults=Faults(latency=5.0)) as ws:
        code, user, key = ws.credentials("admin")
        app = create_app(ws.backend)
        waiting = 0
        all_waiting = asyncio.Event()
        lock_free: list[bool] = []
        real_sleep = asyncio.sleep

        async def fake_sleep(delay: float, result: Any = None) -> Any:
            nonlocal waiting
            if delay != 5.0:
                return await real_sleep(delay, result)

            def try_lock() -> None:
                got = ws.backend.lock.acquire(blocking=False)
                if got:
                    ws.backend.lock.release()
                lock_free.append(got)

            t = threading.Thread(target=try_lock)
            t.start()
            t.join()
            waiting += 1
            if waiting == n:
                all_waiting.set()
            # Every request must reach its latency wait while the others wait too.
            await all_waiting.wait()
            return result

        monkeypatch.setattr(asyncio, "sleep", fake_sleep)
        calls = [_asgi_call(app, _find("user/find"), _auth(user, key, code)) for _ in range(n)]
        results = await asyncio.wait_for(asyncio.gather(*calls), timeout=30)
    assert lock_free == [True] * n
    for sent in results:
        assert sent[0]["status"] == 200
        assert json.loads(sent[1]["body"])["result"]
