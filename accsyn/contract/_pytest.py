"""pytest support for contract tests: the ``accsyn_cassette`` marker and its fixture.

Loaded by the ``accsyn`` pytest plugin; importing it costs nothing until a test
asks for :func:`accsyn_cassette_workspace`.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from accsyn.emulator import LocalWorkspace

__all__ = ["accsyn_cassette_workspace", "register_marker"]

MARKER = "accsyn_cassette"


def register_marker(config: pytest.Config) -> None:
    """Declare the marker, so ``--strict-markers`` accepts it."""
    config.addinivalue_line(
        "markers",
        f"{MARKER}(path): seed accsyn_cassette_workspace from this cassette "
        "(relative to the test file)",
    )


@pytest.fixture
def accsyn_cassette_workspace(request: pytest.FixtureRequest) -> Iterator[LocalWorkspace]:
    """A local workspace holding every entity of the cassette named by the marker.

    ::

        @pytest.mark.accsyn_cassette("cassettes/nightly.jsonl")
        def test_report(accsyn_cassette_workspace):
            session = accsyn_cassette_workspace.session(role="admin")
            ...

    Recorded reads answer as recorded; writes build on that state. Each test gets
    its own copy, closed after the test.
    """
    from accsyn._exceptions import ConfigurationError
    from accsyn.contract._replay import workspace_from_cassette

    marker = request.node.get_closest_marker(MARKER)
    if marker is None or not marker.args:
        raise ConfigurationError(
            f"accsyn_cassette_workspace needs @pytest.mark.{MARKER}('path/to/cassette.jsonl')"
        )
    path = Path(str(marker.args[0]))
    if not path.is_absolute():
        path = Path(str(request.node.path)).parent / path
    ws = workspace_from_cassette(path)
    try:
        yield ws
    finally:
        ws.close()
