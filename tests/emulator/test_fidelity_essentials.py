"""What a workspace cannot do without stays (protocol.md §6.4, and the choices beside it).

§6.4: "The main site and the default volume cannot be deleted", nor the default queue
(a deleted queue's jobs move to it). The emulator let them be *deactivated* (which for
the default volume archived every share on it) and let a user deactivate or delete
themselves, locked out mid-call. Where the spec is silent these are refused too
(docs/testing.md).
"""

from __future__ import annotations

import pytest

from ._raw import Raw


@pytest.mark.parametrize(
    ("et", "query"),
    [("volume", "default=true"), ("site", "main=true"), ("queue", "default=true")],
)
@pytest.mark.parametrize(("method", "op"), [("DELETE", "delete"), ("DELETE", "deactivate")])
def test_the_workspace_s_defaults_stay(raw: Raw, et: str, query: str, method: str, op: str) -> None:
    status, body = raw("GET", f"{et}/find", {}, query=query)
    row = body["result"][0]
    status, body = raw(method, f"{et}/{op}", {}, id=row["id"])
    assert status == 400 and "default" in body["message"], body
    status, body = raw("GET", f"{et}/find", {}, query=f"id={row['id']}")
    assert [r["id"] for r in body["result"]] == [row["id"]]  # still active


@pytest.mark.parametrize("op", ["deactivate", "delete"])
def test_nobody_locks_themselves_out(raw: Raw, op: str) -> None:
    me = raw("GET", "user/find", {}, query="code='admin@example.com'")[1]["result"][0]
    status, body = raw("DELETE", f"user/{op}", {}, id=me["id"])
    assert status == 400 and "yourself" in body["message"], body
    assert raw("GET", "user/find", {}, query=f"id={me['id']}")[1]["result"]
