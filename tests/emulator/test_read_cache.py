"""Kept find answers (``accsyn.emulator._reads``) are never answered where they do not apply.

The emulator keeps the answer bytes of a ``<type>/find`` until any stored row
changes. Each test here makes two requests that a too-coarse key or a missed
change would answer alike, and checks each gets its own answer: other callers,
other data (``1`` vs ``1.0`` vs ``true``), simulated time moving jobs on, the
request log, and an answer the caller changed.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest

from accsyn.emulator import LocalWorkspace


@pytest.fixture
def ws() -> Iterator[LocalWorkspace]:
    with LocalWorkspace.fresh() as workspace:
        yield workspace


def _raw(ws: LocalWorkspace, role: str, uri: str, data: Any, query: str | None) -> tuple[int, Any]:
    """One GET event straight to the backend (no client-side checks)."""
    workspace, user, key = ws.credentials(role)
    b64 = [base64.b64encode(s.encode()).decode() for s in (user, key)]
    headers = {"Authorization": f"basic {b64[0]}:{b64[1]}", "X-Accsyn-Workspace": workspace}
    env = {"workspace": workspace, "uri": uri, "data": data, "query": query}
    reply = ws.backend.handle("GET", "/api/v3/event", quote(json.dumps(env)), headers, b"")
    return reply.status, json.loads(reply.content())


def test_callers_with_other_rights_never_share_an_answer(ws: LocalWorkspace) -> None:
    admin, standard = ws.session("admin"), ws.session("standard")
    for _ in range(3):  # interleaved: each find right after the other caller's
        assert admin.find("volume WHERE code=projects")
        assert standard.find("volume WHERE code=projects") == []


@pytest.mark.parametrize("order", [(1, 1.0, True), (True, 1.0, 1), (1.0, True, 1)])
def test_data_that_compares_equal_in_python_is_answered_apart(
    ws: LocalWorkspace, order: tuple[Any, ...]
) -> None:
    # 1 == 1.0 == True in Python; on the wire they are three requests.
    answers = {json.dumps(v): _raw(ws, "admin", "queue/find", {"limit": v}, None) for v in order}
    status_int, body_int = answers["1"]
    assert status_int == 200 and len(body_int["result"]) == 1
    assert answers["true"][0] == 400
    assert answers["true"][1]["message"] != body_int.get("message")


def test_simulated_time_moving_a_job_on_is_seen_by_the_same_find(ws: LocalWorkspace) -> None:
    s = ws.session(clock=ws.clock)
    transfer = s.transfers.create(
        name="kept answer",
        tasks=[{"source": "demo/README.txt", "destination": "volume=projects/k/"}],
    )
    query = f"transfer WHERE id={transfer.id}"
    seen = [s.find(query)[0].status.value]
    assert s.find(query)[0].status.value == seen[0]  # the same answer, twice
    for _ in range(60):
        ws.clock.advance(1)
        rows = s.find(query) or s.find(query, finished=True)
        if rows[0].status.value != seen[-1]:
            seen.append(rows[0].status.value)
        if seen[-1] == "done":
            break
    assert seen[-1] == "done" and len(seen) >= 3, seen


def test_the_request_log_is_read_anew_each_time(ws: LocalWorkspace) -> None:
    admin = ws.session("admin")
    admin.find("queue")
    first = _raw(ws, "admin", "log/find", {}, None)[1]["result"]
    second = _raw(ws, "admin", "log/find", {}, None)[1]["result"]
    assert len(second) == len(first) + 1


def test_an_answer_changed_by_its_reader_is_not_the_next_answer(ws: LocalWorkspace) -> None:
    status, body = _raw(ws, "admin", "queue/find", {}, "code=high")
    body["result"][0]["name"] = "changed"
    status2, body2 = _raw(ws, "admin", "queue/find", {}, "code=high")
    assert (status, status2) == (200, 200)
    assert body2["result"][0]["name"] == "High"


def test_a_new_entity_type_clears_kept_answers(ws: LocalWorkspace) -> None:
    """Answers kept for the models as they were are not kept for other models."""
    from accsyn.emulator import _reads
    from accsyn.emulator._schema import facts

    assert _raw(ws, "admin", "queue/find", {}, "code=high")[0] == 200
    cache = ws.backend.reads
    key_count = len(cache._answers)
    assert key_count >= 1
    now = facts()
    import dataclasses

    other = dataclasses.replace(now)
    original = _reads.facts
    try:
        _reads.facts = lambda: other  # type: ignore[assignment]
        assert _raw(ws, "admin", "queue/find", {}, "code=high")[0] == 200
        assert all(k[2] == "code=high" for k in cache._answers)
        assert len(cache._answers) == 1  # kept anew for the new models only
    finally:
        _reads.facts = original  # type: ignore[assignment]
