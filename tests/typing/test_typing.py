"""Run mypy --strict over the typing checks, so they run with the normal suite."""

from __future__ import annotations

from pathlib import Path

from mypy import api


def test_models_type_check_under_mypy_strict() -> None:
    here = Path(__file__).parent
    stdout, stderr, status = api.run(
        ["--strict", "--no-error-summary", "--hide-error-context", str(here / "check_models.py")]
    )
    assert status == 0, stdout + stderr
