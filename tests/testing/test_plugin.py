"""The pytest plugin's fixtures, as a user's test suite sees them."""

from __future__ import annotations

import os
import subprocess
import sys
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


_ASYNC_TEST = """
import pytest


@pytest.mark.asyncio
async def test_marked(accsyn_async_session):
    users = await accsyn_async_session.find("user")
    assert any(u.code == "admin@example.com" for u in users)
    assert accsyn_async_session.role == "admin"
"""


@pytest.mark.parametrize("mode", ["strict", "auto"])
def test_async_session_fixture_in_both_pytest_asyncio_modes(tmp_path: Path, mode: str) -> None:
    # A user's project: its own rootdir and ini, pytest-asyncio in the given mode.
    (tmp_path / "pytest.ini").write_text(
        f"[pytest]\nasyncio_mode = {mode}\nasyncio_default_fixture_loop_scope = function\n"
    )
    (tmp_path / "test_user.py").write_text(_ASYNC_TEST)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ACCSYN_", "PYTEST_"))}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-W", "error"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed" in result.stdout
