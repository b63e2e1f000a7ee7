"""The ``accsyn`` command: the root options, ``lint``, and the entry point.

The commands live with their family: :mod:`accsyn.cli._workspace` (find, get, create,
update, delete, entitytypes, attributes, whoami), :mod:`accsyn.cli._querytools`
(query check/fmt/explain) and :mod:`accsyn.cli._local` (serve, demo); importing them
registers them on :data:`app`.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from accsyn._version import __version__
from accsyn.cli import _lint, _local, _querytools, _workspace
from accsyn.cli._base import (
    State,
    app,
    command,
    connected,
    fail,
    offline,
    set_state,
    stderr,
)

__all__ = ["app", "connected", "fail", "main"]

# Imported for their commands (registration order is the order in --help).
del _workspace, _querytools, _local


def _version_callback(value: bool) -> None:
    if value:
        typer.echo(f"accsyn {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    ctx: typer.Context,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks on errors.")] = False,
    version: Annotated[
        bool | None,
        typer.Option(
            "--version", callback=_version_callback, is_eager=True, help="Print the version."
        ),
    ] = None,
) -> None:
    """Query, check and serve accsyn workspaces from the command line."""
    state = State(debug=debug)
    set_state(state)
    ctx.obj = state


# --- lint ----------------------------------------------------------------------------------------


class LintFormat(str, Enum):
    """Output formats of ``accsyn lint``."""

    TEXT = "text"
    GITHUB = "github"


@command(app)
@offline
def lint(
    paths: Annotated[
        list[Path], typer.Argument(help="Python files, .accsyn files or directories.")
    ],
    output_format: Annotated[
        LintFormat,
        typer.Option(
            "--format",
            help="text (file:line:col: message) or github (workflow annotations).",
        ),
    ] = LintFormat.TEXT,
) -> None:
    """Check the query strings in Python code and .accsyn files; exit 1 on any problem."""
    messages = _lint.lint_paths(paths)
    for message in messages:
        typer.echo(_lint.format_message(message, output_format.value))
    if messages:
        files = len({m.path for m in messages})
        stderr().print(
            f"[red]{len(messages)} problem{'s' if len(messages) != 1 else ''} "
            f"in {files} file{'s' if files != 1 else ''}[/red]"
        )
        raise typer.Exit(1)


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point of the ``accsyn`` script."""
    app(args=list(argv) if argv is not None else None, prog_name="accsyn")
