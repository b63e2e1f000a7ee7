"""A 1,000-operation workload through a faulty network: nothing lost, nothing twice.

The session talks to an in-process workspace that injects 429s (with
``Retry-After``), 5xx answers, dropped connections and latency, through a transport
that also refuses connections and loses answers *after* the server handled the
request. Afterwards the workspace itself (read directly, without faults) must hold
exactly what the workload was told happened.
"""

from __future__ import annotations

import json
import random
from collections import Counter
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

import httpx

import accsyn
from accsyn.emulator import LocalWorkspace
from accsyn.models import Transfer

from .conftest import IN_PROCESS_URL, FlakyTransport, InstantClock

OPERATIONS = 1000
PREFIX = "rel-"


class RecordingFlaky(FlakyTransport):
    """Remembers the names in creates whose answer was lost after the server handled them."""

    def __init__(self, inner: httpx.BaseTransport, **kw: Any) -> None:
        super().__init__(inner, **kw)
        self.lost_creates: set[str] = set()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        lost_before = self.lost
        try:
            return super().handle_request(request)
        finally:
            if self.lost != lost_before:
                envelope = _envelope(request)
                if envelope.get("uri") == "transfer/create":
                    self.lost_creates.add(envelope["data"]["name"])


def _envelope(request: httpx.Request) -> dict[str, Any]:
    if request.method in ("GET", "DELETE"):
        return dict(json.loads(unquote(request.url.query.decode())))
    return dict(json.loads(request.content))


@dataclass
class Ledger:
    """What the workload was told: the only thing it may rely on afterwards."""

    live: dict[str, str] = field(default_factory=dict)  # name -> id, acknowledged
    deleted: dict[str, str] = field(default_factory=dict)
    unsure_creates: set[str] = field(default_factory=set)
    unsure_deletes: dict[str, str] = field(default_factory=dict)
    descriptions: dict[str, set[str]] = field(default_factory=dict)  # id -> possible values
    errors: Counter[str] = field(default_factory=Counter)
    read_retries: int = 0


def _read(fn: Any, ledger: Ledger) -> Any:
    """A read either succeeds or raises a typed error; retried, it eventually succeeds."""
    for _ in range(25):
        try:
            return fn()
        except accsyn.AccsynError as exc:
            ledger.errors[type(exc).__name__] += 1
            ledger.read_retries += 1
    raise AssertionError("a read kept failing")


def test_workload_under_faults_loses_and_duplicates_nothing() -> None:
    rng = random.Random(20261123)
    clock = InstantClock()
    with LocalWorkspace(seed="demo", transfers=30) as ws:
        ws.faults.throttle_rate = 0.04
        ws.faults.retry_after = 2.0
        ws.faults.error_rate = 0.03
        ws.faults.drop_rate = 0.03
        ws.faults.latency = 0.0002
        flaky = RecordingFlaky(ws.transport(), connect_rate=0.02, lost_rate=0.04, seed=7)
        workspace, username, api_key = ws.credentials("admin")
        session = accsyn.Session(
            workspace=workspace,
            username=username,
            api_key=api_key,
            base_url=IN_PROCESS_URL,
            transport=flaky,
            rate_limit=None,
            retry=accsyn.RetryPolicy(
                max_retries=6, backoff_initial=0.05, backoff_max=1.0, retry_after_max=10.0
            ),
            clock=clock,
        )
        ledger = Ledger()
        with session:
            for i in range(OPERATIONS):
                roll = rng.random()
                if not ledger.live or roll < 0.3:
                    _create(session, ledger, f"{PREFIX}{i:04d}")
                elif roll < 0.55:
                    _update(session, ledger, rng, i)
                elif roll < 0.85:
                    _find(session, ledger, rng)
                else:
                    _delete(session, ledger, rng)
        ws.faults.clear()
        rows = ws.backend.store.select(["transfer"], states=None)

    # The faults really happened, and the retries honoured Retry-After.
    assert flaky.lost > 5 and flaky.refused > 5
    assert ledger.errors, "some operations must have failed with typed errors"
    assert any(s >= 2.0 for s in clock.slept), "a 429's Retry-After was not honoured"

    by_name: dict[str, list[Any]] = {}
    for row in rows:
        name = str(row.data.get("name", ""))
        if name.startswith(PREFIX):
            by_name.setdefault(name, []).append(row)
    # Never twice: not one name is stored more than once.
    assert [n for n, r in by_name.items() if len(r) > 1] == []
    for name, id_ in ledger.live.items():
        (row,) = by_name.pop(name)
        assert row.id == id_ and row.state == "active", name
        assert row.data.get("description", "") in ledger.descriptions[id_], name
    for name, id_ in ledger.deleted.items():
        (row,) = by_name.pop(name)
        assert row.id == id_ and row.state == "archived", name
    for name, id_ in ledger.unsure_deletes.items():
        (row,) = by_name.pop(name)
        assert row.id == id_ and row.state in ("active", "archived"), name
    # A create whose answer was lost after the server handled it exists exactly once;
    # any other failed create exists once or not at all.
    handled = ledger.unsure_creates & flaky.lost_creates
    assert handled, "the workload never lost a create's answer"
    for name in handled:
        assert len(by_name.pop(name)) == 1, name
    for name in ledger.unsure_creates - handled:
        by_name.pop(name, None)
    # Nothing exists that the workload was not told about.
    assert by_name == {}


def _create(session: accsyn.Session, ledger: Ledger, name: str) -> None:
    try:
        job = session.create(
            "transfer",
            {
                "name": name,
                "source": "demo/README.txt",
                "destination": "standard@example.com:/tmp/",
            },
        )
    except accsyn.AccsynError as exc:
        ledger.errors[type(exc).__name__] += 1
        ledger.unsure_creates.add(name)
        return
    assert isinstance(job, Transfer) and job.name == name and job.id
    ledger.live[name] = job.id
    ledger.descriptions[job.id] = {job.description or ""}


def _update(session: accsyn.Session, ledger: Ledger, rng: random.Random, i: int) -> None:
    name = rng.choice(sorted(ledger.live))
    id_ = ledger.live[name]
    value = f"v{i}"
    try:
        job = session.update("transfer", id_, {"description": value})
    except accsyn.AccsynError as exc:
        ledger.errors[type(exc).__name__] += 1
        ledger.descriptions[id_].add(value)  # it may or may not have been applied
        return
    assert job.id == id_ and job.description == value
    ledger.descriptions[id_] = {value}


def _find(session: accsyn.Session, ledger: Ledger, rng: random.Random) -> None:
    pool = sorted(ledger.live) + sorted(ledger.unsure_creates)
    name = rng.choice(pool)
    found = _read(lambda: session.find(Transfer.where(Transfer.name == name)), ledger)
    assert all(isinstance(t, Transfer) and t.name == name for t in found)
    if name in ledger.live:
        assert [t.id for t in found] == [ledger.live[name]]
        assert (found[0].description or "") in ledger.descriptions[ledger.live[name]]
    else:
        assert len(found) <= 1


def _delete(session: accsyn.Session, ledger: Ledger, rng: random.Random) -> None:
    name = rng.choice(sorted(ledger.live))
    id_ = ledger.live.pop(name)
    try:
        assert session.delete_one("transfer", id_) is True
    except accsyn.AccsynError as exc:
        ledger.errors[type(exc).__name__] += 1
        ledger.unsure_deletes[name] = id_
        return
    ledger.deleted[name] = id_
