"""``log/find`` ([3.4.0] ``logs()``, protocol.md §4.3.5) answered as the rest of the API.

Who reads logs follows the §6.5 table's ``log`` row like every other read (employees
used to read every event, admins' included); ``sort``, ``pagination`` (page, limit,
skip), the ``entitytype``/``id`` scope and ``search`` do what they say (``skip`` and
``page`` were ignored, any ``sort`` accepted); bad values are a 400 naming them.
"""

from __future__ import annotations

from typing import Any

import pytest

from ._raw import Raw


def _logs(raw: Raw, data: dict[str, Any], **fields: Any) -> list[dict[str, Any]]:
    status, body = raw("GET", "log/find", data, **fields)
    assert status == 200, body
    rows: list[dict[str, Any]] = body["result"]
    return rows


@pytest.mark.parametrize("role", ["employee", "standard"])
def test_only_admins_read_logs(raw_as: Any, role: str) -> None:
    assert _logs(raw_as("admin"), {})
    assert _logs(raw_as(role), {}) == []  # §6.5: empty, not an error


def test_pagination_pages_through_the_events(raw: Raw) -> None:
    for _ in range(6):
        raw("GET", "queue/find", {})
    every = _logs(raw, {"sort": "date"})
    assert len(every) >= 6
    assert _logs(raw, {"pagination": {"limit": 2}}) == every[:2]
    assert _logs(raw, {"pagination": {"limit": 2, "skip": 1}}) == every[1:3]
    assert _logs(raw, {"pagination": {"limit": 2, "page": 2}}) == every[2:4]
    newest_first = _logs(raw, {"sort_reverse": True, "pagination": {"limit": 1}})
    assert newest_first[0]["id"] != every[0]["id"]


def test_the_scope_and_search_narrow_the_events(raw: Raw) -> None:
    queue = raw("GET", "queue/find", {"limit": 1})[1]["result"][0]["id"]
    raw("GET", "queue/find", {}, id=queue)
    scoped = _logs(raw, {"entitytype": "queue"}, id=queue)
    assert scoped and all(r["entity"] == queue and r["entitytype"] == "queue" for r in scoped)
    found = _logs(raw, {"search": "QUEUE/FIND"})
    assert found and all(r["message"] == "queue/find" for r in found)


@pytest.mark.parametrize(
    ("data", "named"),
    [
        ({"sort": "colour"}, "colour"),
        ({"sort": 5}, "5"),
        ({"pagination": {"limit": "x"}}, "pagination_limit"),
        ({"pagination": {"skip": -1}}, "pagination_skip"),
        ({"pagination": {"page": 0}}, "pagination_page"),
        ({"pagination": [1]}, "pagination"),
        ({"sort_reverse": "yes"}, "sort_reverse"),
    ],
)
def test_bad_log_queries_are_a_400(raw: Raw, data: dict[str, Any], named: str) -> None:
    status, body = raw("GET", "log/find", data)
    assert status == 400 and named in body["message"], body
