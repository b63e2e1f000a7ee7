"""A fake backend for repository unit tests: an in-memory ``_send`` that records requests.

It answers ``<type>/find`` (scope flags, parent, query through ``accsyn.query.matches``,
skip/limit, projection), ``get_entity`` (``id`` in the envelope), create, edit and
delete — enough to observe exactly what the repository layer sends and how it reads
the answers, independently of the emulator.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import pytest

from accsyn._repository import AsyncRepositoryMixin, RepositoryMixin
from accsyn._wire import EventRequest
from accsyn.query import parse_expression
from accsyn.query._evaluate import matches

_ids = itertools.count(1)


def new_id() -> str:
    return f"{next(_ids):024x}"


class FakeBackend:
    """Tables of wire dicts; ``_scope`` marks a row finished/inactive/archived."""

    def __init__(self) -> None:
        self.tables: dict[str, list[dict[str, Any]]] = {}
        self.sent: list[EventRequest] = []
        #: Called before each find is answered (to change the data between pages).
        self.before_find: Callable[[EventRequest], None] | None = None

    def add(self, entitytype: str, scope: str = "active", **fields: Any) -> dict[str, Any]:
        row = {"id": new_id(), **fields, "_scope": scope}
        self.tables.setdefault(entitytype, []).append(row)
        return row

    def handle(self, req: EventRequest) -> dict[str, Any]:
        self.sent.append(req)
        entitytype, _, op = req.uri.partition("/")
        table = self.tables.setdefault(entitytype, [])
        data = req.data if isinstance(req.data, dict) else {}
        if op == "find":
            if self.before_find is not None:
                self.before_find(req)
            if req.entityid:
                rows = [r for r in table if r["id"] == req.entityid]
            else:
                scope = next(
                    (s for s in ("finished", "inactive", "archived") if data.get(s)), "active"
                )
                rows = [r for r in table if r["_scope"] == scope]
                if "parent" in data:
                    rows = [r for r in rows if r.get("parent") == data["parent"]]
                if req.query:
                    expr = parse_expression(req.query)
                    rows = [r for r in rows if matches(expr, _public(r), entitytype=entitytype)]
                skip = data.get("skip", 0)
                rows = rows[skip:]
                if "limit" in data:
                    rows = rows[: data["limit"]]
            out = [_public(r) for r in rows]
            if "attributes" in data:
                out = [{k: v for k, v in r.items() if k in data["attributes"]} for r in out]
            return {"result": out}
        if op == "create":
            row = self.add(entitytype, **data)
            return {"result": [_public(row)]}
        if op == "edit":
            for row in table:
                if row["id"] == req.entityid:
                    row.update(data)
                    return {"result": [_public(row)]}
            return {"result": []}
        if op == "delete":
            table[:] = [r for r in table if r["id"] != req.entityid]
            return {"result": True}
        raise AssertionError(f"unexpected request {req}")


def _public(row: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in row.items() if not k.startswith("_")}


class FakeSession(RepositoryMixin):
    def __init__(self, backend: FakeBackend) -> None:
        self.backend = backend

    def _send(self, req: EventRequest) -> dict[str, Any]:
        return self.backend.handle(req)


class FakeAsyncSession(AsyncRepositoryMixin):
    def __init__(self, backend: FakeBackend) -> None:
        self.backend = backend

    async def _send(self, req: EventRequest) -> dict[str, Any]:
        return self.backend.handle(req)


STATUSES = ("waiting", "running", "failed", "done", "paused")


@pytest.fixture
def backend() -> FakeBackend:
    b = FakeBackend()
    for i in range(30):
        b.add(
            "transfer",
            name=f"backup {i:02d}",
            status=STATUSES[i % len(STATUSES)],
            size=i * 100,
        )
    for i in range(4):
        b.add("transfer", scope="finished", name=f"old {i}", status="done", size=1)
    return b


@pytest.fixture
def session(backend: FakeBackend) -> FakeSession:
    return FakeSession(backend)


@pytest.fixture
def asession(backend: FakeBackend) -> FakeAsyncSession:
    return FakeAsyncSession(backend)
