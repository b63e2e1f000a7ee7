"""mypy --strict agrees that repositories return the model they are for."""

from __future__ import annotations

from pathlib import Path

from mypy import api

ROOT = Path(__file__).resolve().parents[2]
CHECK = ROOT / "tests" / "typing" / "check_repository.py"

# A deliberate mistake, checked in the same run: proves mypy really analysed the
# repository types (a result typed Any would pass assert_type nowhere and everywhere).
WRONG = """
from typing_extensions import assert_type
import accsyn
from accsyn.models import Transfer

def wrong(session: accsyn.Session) -> None:
    assert_type(session.transfers.where(Transfer.size > 0).first(), Transfer)
"""


def test_repository_types_check_under_mypy_strict(tmp_path: Path) -> None:
    wrong = tmp_path / "wrong_repository_types.py"
    wrong.write_text(WRONG)
    stdout, stderr, _status = api.run(
        [
            "--config-file",
            str(ROOT / "pyproject.toml"),
            "--strict",
            "--cache-dir",
            str(ROOT / ".mypy_cache"),
            "--no-error-summary",
            "--show-error-codes",
            str(CHECK),
            str(wrong),
        ]
    )
    lines = stdout.splitlines()
    ours = [line for line in lines if "check_repository.py" in line]
    assert ours == [], "\n".join(ours)
    caught = [line for line in lines if wrong.name in line and "assert-type" in line]
    assert len(caught) == 1, stdout + stderr
    assert '"Transfer | None"' in caught[0]
