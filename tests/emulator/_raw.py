"""Raw events to an emulated workspace, in-process or over HTTP, with no SDK in between.

The fidelity tests send what a hand-written client (or the official one, which
checks almost nothing) may send, and compare the answer with protocol.md. Both
ways reach the same backend, so a test parametrized over them also shows that the
in-process path and the served one answer alike.
"""

from __future__ import annotations

import base64
import json
from typing import Any
from urllib.parse import quote

import httpx

from accsyn.emulator import Backend


def auth_headers(user: str, key: str, workspace: str = "demo") -> dict[str, str]:
    """The official client's headers: user and key base64-encoded separately (§1.3)."""
    u, k = (base64.b64encode(s.encode()).decode() for s in (user, key))
    return {"Authorization": f"basic {u}:{k}", "X-Accsyn-Workspace": workspace}


class Raw:
    """``raw(method, uri, data, id=..., query=...) -> (status, body)`` as one user.

    With ``base_url`` the event goes over HTTP (GET/DELETE: the URL-quoted envelope
    as the whole query string, §2.2); without, straight to ``Backend.handle``.
    """

    def __init__(
        self,
        backend: Backend,
        user: str,
        key: str,
        base_url: str | None = None,
        workspace: str = "demo",
    ) -> None:
        self.backend = backend
        self.headers = auth_headers(user, key, workspace)
        self.workspace = workspace
        self.client = httpx.Client(base_url=base_url, timeout=60) if base_url else None

    def envelope(self, uri: str, data: Any = None, **fields: Any) -> dict[str, Any]:
        env = {"audience": "api", "workspace": self.workspace, "uri": uri, "data": data}
        env.update(fields)
        return env

    def __call__(self, method: str, uri: str, data: Any = None, **fields: Any) -> tuple[int, Any]:
        return self.send(method, json.dumps(self.envelope(uri, data, **fields)))

    def send(self, method: str, text: str) -> tuple[int, Any]:
        """One envelope already written as JSON text (for envelopes json.dumps won't write)."""
        query = quote(text, safe="/") if method in ("GET", "DELETE") else ""
        body = b"" if query else text.encode("utf-8", "surrogatepass")
        if self.client is None:
            reply = self.backend.handle(method, "/api/v3/event", query, self.headers, body)
            return reply.status, reply.body
        url = "/api/v3/event" + (f"?{query}" if query else "")
        r = self.client.request(method, url, headers=self.headers, content=body or None)
        return r.status_code, r.json()

    def close(self) -> None:
        if self.client is not None:
            self.client.close()
