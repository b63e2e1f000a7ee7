"""Scripts written for accsyn_api run unchanged through ``accsyn.compat``."""

from __future__ import annotations

import datetime as dt
import json

from .conftest import FastCompatSession, Served


def _session(server: Served, role: str = "admin") -> FastCompatSession:
    return FastCompatSession(
        workspace="demo",
        username=server.users[role],
        api_key=server.keys[role],
        proxy=server.proxy,
    )


def test_smoke(compat_server: Served) -> None:
    s = _session(compat_server)
    rows = s.find("Transfer WHERE status!=failed", limit=3)
    print(json.dumps(rows, default=str)[:500])
    assert isinstance(rows, list) and all(isinstance(r, dict) for r in rows)
    assert any(isinstance(v, dt.datetime) for v in rows[0].values())
