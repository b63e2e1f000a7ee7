"""The ``accsyn`` command: the root options, ``lint``, and the entry point.

The commands live with their family: :mod:`accsyn.cli._workspace` (find, get, create,
update, delete, entitytypes, attributes, whoami), :mod:`accsyn.cli._jobs` (watch, wait,
transfer pause/resume/abort/retry), :mod:`accsyn.cli._querytools`
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
from accsyn.cli import _contract, _jobs, _local, _querytools, _workspace
from accsyn.cli._base import (
    State,
    app,
    command,
    connected,
    fail,
    offline,
    set_state,
)

__all__ = ["app", "connected", "fail", "main"]

# Imported for their commands (registration order is the order in --help).
del _workspace, _jobs, _querytools, _local, _contract


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
    JSON = "json"
    SARIF = "sarif"


@command(app)
@offline
def lint(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(
            help="Python, .accsyn, Markdown or reST files, or directories "
            "(default: include= of \\[tool.accsyn.lint], else '.').",
            show_default=False,
        ),
    ] = None,
    output_format: Annotated[
        LintFormat,
        typer.Option("--format", help="text, github (annotations), json or sarif."),
    ] = LintFormat.TEXT,
    strict: Annotated[
        bool | None,
        typer.Option("--strict/--no-strict", help="Warnings fail the run too.", show_default=False),
    ] = None,
    statistics: Annotated[
        bool,
        typer.Option("--statistics", help="Count query sites checked and skipped, by reason."),
    ] = False,
    docs: Annotated[
        bool | None,
        typer.Option("--docs/--no-docs", help="Scan .md/.rst documents.", show_default=False),
    ] = None,
    config: Annotated[
        Path | None,
        typer.Option("--config", help="pyproject.toml to read \\[tool.accsyn.lint] from."),
    ] = None,
) -> None:
    """Check the accsyn queries in code and docs. Exit 0: clean or only warnings; 1: errors
    (or warnings with --strict); 2: bad usage or configuration."""
    from accsyn._exceptions import ConfigurationError
    from accsyn.lint import run

    try:
        code = run(
            paths or [],
            output_format=output_format.value,
            strict=strict,
            statistics=statistics,
            docs=docs,
            config_path=config,
        )
    except ConfigurationError as exc:
        fail(str(exc), code=2)
    if code:
        raise typer.Exit(code)


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point of the ``accsyn`` script."""
    app(args=list(argv) if argv is not None else None, prog_name="accsyn")
