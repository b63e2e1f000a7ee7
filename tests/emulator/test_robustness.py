"""The server answers bad input with JSON 4xx errors and keeps working."""

from __future__ import annotations

import base64
import json
import random
from urllib.parse import quote

import httpx
import pytest


def _auth(user: str, key: str) -> dict[str, str]:
    u = base64.b64encode(user.encode()).decode()
    k = base64.b64encode(key.encode()).decode()
    return {"Authorization": f"basic {u}:{k}", "X-Accsyn-Workspace": "demo"}


def _envelope(uri: str, data: object = None, query: str | None = None) -> dict[str, object]:
    env: dict[str, object] = {"audience": "api", "workspace": "demo", "uri": uri, "data": data}
    if query is not None:
        env["query"] = query
    return env


def _bad_requests(
    rng: random.Random, good: dict[str, str]
) -> list[tuple[str, str, dict[str, str], bytes | None]]:
    """(method, url-suffix, headers, body) of 1,000 malformed requests."""
    garbage = [
        b"{",
        b"not json",
        b"\xff\xfe\x00",
        b"[]",
        b"null",
        b"42",
        b'"a string"',
        b'{"uri": 5}',
        b'{"uri": ""}',
        b'{"uri": "transfer/find", "data": "x"}',
        b'{"uri": "transfer/find", "data": 7}',
        b'{"uri": "transfer/find", "query": ["a"]}',
        b'{"uri": "transfer/find", "id": {"a": 1}}',
        b'{"data": {}}',
        b'{"uri": "transfer/create", "data": {}}',
        b'{"uri": "transfer/create", "data": []}',
        b'{"uri": "nosuch/find", "data": {}}',
        b'{"uri": "transfer/explode", "data": {}}',
        b'{"uri": "a/b/c/d", "data": {}}',
        b'{"uri": "transfer/find", "data": {"limit": "ten"}}',
        b'{"uri": "transfer/find", "data": {"limit": -1}}',
        b'{"uri": "transfer/find", "data": {"finished": "yes"}}',
        b'{"uri": "transfer/find", "data": {"attributes": [1, 2]}}',
        b'{"uri": "transfer/find", "query": "status=="}',
        b'{"uri": "transfer/find", "query": "((((a=1"}',
        b'{"uri": "transfer/find", "query": "name matches \\"(\\""}',
        b'{"uri": "transfer/find", "gz_data": "not base64!!"}',
        b'{"uri": "transfer/find", "gz_data": "H4sIAAAAAAAA"}',
        b'{"uri": "transfer/edit", "data": {"status": "done"}}',
        b'{"uri": "transfer/edit", "id": "nope", "data": {"status": "done"}}',
        b'{"uri": "transfer/delete", "id": "000000000000000000000000"}',
        b'{"uri": "user/create", "data": {"code": "not-an-email"}}',
        b'{"uri": "user/create", "data": {"code": "admin@example.com"}}',
        b'{"uri": "acl/create", "data": {"entity": "x", "target": "y"}}',
        b'{"uri": "workspace/file", "data": {"op": "ls", "path": "volume=projects/../../etc"}}',
        b'{"uri": "workspace/file", "data": {"op": "ls", "path": 5}}',
        b'{"uri": "workspace/file", "data": {"op": "explode", "path": "x"}}',
        b'{"uri": "workspace/file", "data": {"op": "delete", "path": "demo"}}',
        b'{"uri": "setting", "data": {"name": 5, "value": 5}}',
        b'{"uri": "attributes", "data": {"entitytype": "nosuch"}}',
        b'{"uri": "job/recipients", "id": "000000000000000000000000"}',
        b"[" * 5000 + b"]" * 5000,
    ]
    out: list[tuple[str, str, dict[str, str], bytes | None]] = []
    bad_auth = [
        {},
        {"Authorization": "basic"},
        {"Authorization": "Bearer abc", "X-Accsyn-Workspace": "demo"},
        {"Authorization": "basic !!!:???", "X-Accsyn-Workspace": "demo"},
        _auth("admin@example.com", "wrong-key"),
        _auth("nobody@example.com", "x"),
        {**good, "X-Accsyn-Workspace": "other"},
    ]
    huge = b'{"uri": "transfer/find", "data": {"x": "' + b"a" * (17 * 1024 * 1024) + b'"}}'
    for i in range(1000):
        kind = i % 10
        if kind < 5:
            method = rng.choice(["PUT", "POST"])
            out.append((method, "/api/v3/event", good, rng.choice(garbage)))
        elif kind < 7:
            body = rng.choice(garbage)
            out.append((rng.choice(["GET", "DELETE"]), "/api/v3/event?" + quote(body), good, None))
        elif kind == 7:
            env = json.dumps(_envelope("transfer/find", {})).encode()
            out.append(("PUT", "/api/v3/event", rng.choice(bad_auth), env))
        elif kind == 8:
            path = rng.choice(["/api/v3/nope", "/", "/api/v3/event/x", "/api/v3/api/login"])
            method = rng.choice(["GET", "PATCH", "OPTIONS"]) if "login" in path else "GET"
            out.append((method, path, good, None))
        else:
            out.append(("PUT", "/api/v3/event", good, huge if i % 100 == 9 else b""))
    return out


def test_thousand_malformed_requests(server) -> None:  # type: ignore[no-untyped-def]
    good = _auth(server.users["admin"], server.keys["admin"])
    base = f"http://{server.host}:{server.port}"
    rng = random.Random(5)
    with httpx.Client(base_url=base, timeout=30) as client:
        find = "/api/v3/event?" + quote(json.dumps(_envelope("transfer/find", {})))
        before = client.get(find, headers=good).json()["result"]
        statuses: set[int] = set()
        for method, url, headers, body in _bad_requests(rng, good):
            r = client.request(method, url, headers=headers, content=body)
            statuses.add(r.status_code)
            assert 400 <= r.status_code < 500, (method, url[:80], body and body[:80], r.text[:200])
            payload = r.json()
            assert isinstance(payload, dict) and isinstance(payload["message"], str)
            assert "Traceback" not in r.text and "result" not in payload
            assert server.keys["admin"] not in r.text
        assert {400, 401, 404, 405, 413} <= statuses
        after = client.get(find, headers=good)
        assert after.status_code == 200
        assert after.json()["result"] == before
        assert (server.backend.files_root / "projects" / "demo" / "README.txt").exists()


def test_injected_faults_over_http(server) -> None:  # type: ignore[no-untyped-def]
    good = _auth(server.users["admin"], server.keys["admin"])
    find = "/api/v3/event?" + quote(json.dumps(_envelope("queue/find", {})))
    with httpx.Client(base_url=f"http://{server.host}:{server.port}", timeout=30) as client:
        server.backend.faults.script(429, 503, "drop")
        throttled = client.get(find, headers=good)
        assert throttled.status_code == 429 and "Retry-After" in throttled.headers
        assert throttled.json()["retry_after"] == server.backend.faults.retry_after
        assert client.get(find, headers=good).status_code == 503
        with pytest.raises(httpx.TransportError):
            client.get(find, headers=good)
    with httpx.Client(base_url=f"http://{server.host}:{server.port}", timeout=30) as client:
        assert len(client.get(find, headers=good).json()["result"]) == 3
