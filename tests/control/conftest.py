"""Fixtures for job control: a fresh demo workspace whose clock the sessions share.

``Session(clock=ws.clock)`` makes every pause of ``wait`` and ``watch`` advance the
workspace clock instead of sleeping, so job lifecycles play out in simulated time and
no test ever really waits. ``recorded`` sessions write every exchange to a cassette
(:class:`accsyn.contract.RecordingTransport`) so tests can read the requests sent.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import accsyn
from accsyn.contract import AsyncRecordingTransport, RecordingTransport, read_cassette
from accsyn.contract._cassette import Interaction
from accsyn.emulator import LocalWorkspace
from accsyn.emulator._workspace import IN_PROCESS_URL

#: A file of the demo workspace, and where transfers deliver it.
SOURCE = "demo/README.txt"
DESTINATION = "volume=projects/out/"


def tasks(n: int) -> list[dict[str, str]]:
    """``n`` tasks copying the demo file to ``n`` folders: each takes a simulated second
    at least, so the transfer runs ``n`` seconds and its progress moves in steps."""
    return [{"source": SOURCE, "destination": f"{DESTINATION}run{i:03d}/"} for i in range(n)]


@pytest.fixture
def ws() -> Iterator[LocalWorkspace]:
    with LocalWorkspace.fresh() as workspace:
        yield workspace


@pytest.fixture
def session(ws: LocalWorkspace) -> accsyn.Session:
    return ws.session(clock=ws.clock)


class Recorder:
    """A session (sync or async) on ``ws`` whose exchanges land in a cassette."""

    def __init__(self, ws: LocalWorkspace, path: Path) -> None:
        self.ws = ws
        self.path = path

    def _kwargs(self) -> dict[str, Any]:
        workspace, username, api_key = self.ws.credentials("admin")
        return {
            "workspace": workspace,
            "username": username,
            "api_key": api_key,
            "base_url": IN_PROCESS_URL,
            "rate_limit": None,
            "clock": self.ws.clock,
        }

    def session(self) -> accsyn.Session:
        return accsyn.Session(
            transport=RecordingTransport(self.ws.transport(), self.path), **self._kwargs()
        )

    def async_session(self) -> accsyn.AsyncSession:
        return accsyn.AsyncSession(
            transport=AsyncRecordingTransport(self.ws.async_transport(), self.path),
            **self._kwargs(),
        )

    def events(self, uri: str | None = None) -> list[Interaction]:
        """The event requests so far (optionally only those to ``uri``)."""
        found = [i for i in read_cassette(self.path) if i.uri is not None]
        return [i for i in found if uri is None or i.uri == uri]


@pytest.fixture
def recorder(ws: LocalWorkspace, tmp_path: Path) -> Recorder:
    return Recorder(ws, tmp_path / "exchanges.jsonl")
