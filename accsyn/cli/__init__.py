"""The ``accsyn`` command line: find, get, create, update, delete, query tools, lint, serve, demo.

Installed as the ``accsyn`` script (``accsyn = accsyn.cli:main``); it needs the ``cli``
extra (``pip install 'accsyn[cli]'``) for typer and rich.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> None:
    """Run the ``accsyn`` command (``argv`` defaults to ``sys.argv[1:]``)."""
    try:
        from accsyn.cli._app import main as run
    except ImportError as exc:  # typer or rich missing: say how to get them
        if exc.name in ("typer", "rich", "click"):
            sys.stderr.write(
                f"error: the accsyn command needs {exc.name}; "
                "install it with: pip install 'accsyn[cli]'\n"
            )
            raise SystemExit(1) from None
        raise
    run(argv)
