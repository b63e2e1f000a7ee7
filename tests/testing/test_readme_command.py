"""The README's test command: what CI runs, verbatim, and a lean chromium install."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _readme_test_command() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```bash\n(.*?)```", text, flags=re.S)
    [command] = [b.strip() for b in blocks if "pytest" in b]
    return command


def test_ci_runs_the_readme_test_command_verbatim() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert _readme_test_command() in ci


def test_chromium_is_installed_without_recommended_packages() -> None:
    command = _readme_test_command()
    installs = re.findall(r"apt-get install [^)&;]*", command)
    assert installs
    assert all("--no-install-recommends" in line for line in installs)
