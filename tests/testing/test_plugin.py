"""The pytest plugin's fixtures, as a user's test suite sees them."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from accsyn._constants import ENV_SETTINGS


@pytest.fixture
def developer_machine(monkeypatch: pytest.MonkeyPatch) -> None:
    # Real credentials in the environment, as on a developer's laptop.
    for name in ENV_SETTINGS:
        monkeypatch.setenv(name, "real-value")


def test_clean_env_hides_real_settings(
    developer_machine: None, accsyn_clean_env: None, tmp_path: Path
) -> None:
    assert not [name for name in ENV_SETTINGS if name in os.environ]
    assert Path.cwd() == tmp_path
    assert "ACCSYN_API_KEY" in ENV_SETTINGS
    assert "AS_DEV" in ENV_SETTINGS


def test_session_fixture_is_logged_in(accsyn_session: object) -> None:
    assert getattr(accsyn_session, "role", None) == "admin"
