"""Contract-testing commands: ``accsyn record``, ``accsyn doctor``, ``accsyn schema``.

Importing this module registers them on the root app. Exit codes are for CI: 0 when
all is well, 1 when drift (doctor) or a breaking change (schema diff) was
found, 2 when the check could not run (bad file, unreachable workspace).
"""

from __future__ import annotations

import json
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from accsyn._exceptions import AccsynError
from accsyn.cli._base import Group, app, command, connected, fail, offline
from accsyn.cli._connect import Connection, open_session

__all__ = ["ReportFormat", "doctor", "record", "schema_app", "schema_diff", "schema_export"]


class ReportFormat(str, Enum):
    """Output formats of ``accsyn doctor`` and ``accsyn schema diff``."""

    TEXT = "text"
    JSON = "json"
    MARKDOWN = "markdown"


@command(app)
@offline
def record(
    upstream: Annotated[
        str,
        typer.Option(help="The workspace to record, e.g. https://acme.accsyn.com:443."),
    ],
    out: Annotated[Path, typer.Option(help="The cassette to write (JSON lines).")],
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8182,
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    insecure: Annotated[
        bool, typer.Option("--insecure", help="Do not verify the upstream's TLS certificate.")
    ] = False,
) -> None:
    """Record traffic to a workspace through a local proxy (Ctrl-C to stop).

    Point any client at http://HOST:PORT (the official client:
    ACCSYN_PROXY=accsyn:HOST:PORT). API keys, Authorization headers and session
    ids are scrubbed from the cassette; entity data is kept.
    """
    from accsyn.contract import record as run_proxy

    run_proxy(upstream, out, host=host, port=port, verify=not insecure)


@command(app)
@connected
def doctor(
    conn: Connection,
    cassette: Annotated[
        Path | None,
        typer.Option(help="Check the entities in this cassette instead of a workspace."),
    ] = None,
    output_format: Annotated[
        ReportFormat, typer.Option("--format", help="text, json or markdown.")
    ] = ReportFormat.TEXT,
    entitytype: Annotated[
        list[str] | None,
        typer.Option("--type", help="Only these entity types (repeatable)."),
    ] = None,
    limit: Annotated[
        int, typer.Option(min=1, help="At most this many entities per type and pool.")
    ] = 500,
    unseen: Annotated[
        bool,
        typer.Option("--unseen", help="Also list declared attributes never seen."),
    ] = False,
    strict: Annotated[
        bool, typer.Option("--strict", help="Unseen declared attributes fail too.")
    ] = False,
) -> None:
    """Report where a workspace's data drifts from the SDK's models.

    Per entity type: attributes the models do not declare, values they reject
    (unknown enum values, wrong kinds) and, with --unseen, declared attributes
    never seen. Exit 0 no drift, 1 drift, 2 could not check.
    """
    from accsyn.contract import (
        diagnose,
        entities_from_cassette,
        entities_from_session,
        read_cassette,
    )

    try:
        if cassette is not None:
            entities = entities_from_cassette(read_cassette(cassette))
            notes: list[str] = []
            source = f"cassette {cassette.name}"
        else:
            with open_session(conn) as session:
                entities, notes = entities_from_session(
                    session, limit=limit, types=entitytype or None
                )
                source = "local workspace" if conn.local else f"workspace {session.workspace}"
        if entitytype:
            wanted = {t.lower() for t in entitytype}
            entities = [(et, d) for et, d in entities if et.lower() in wanted]
        report = diagnose(entities, source)
        report.notes += notes
    except AccsynError as exc:
        fail(str(exc), code=2, secrets=conn.secrets())
    if output_format is ReportFormat.JSON:
        typer.echo(json.dumps(report.to_json(), indent=2, default=str))
    elif output_format is ReportFormat.MARKDOWN:
        typer.echo(report.to_markdown(unseen=unseen or strict))
    else:
        typer.echo(report.to_text(unseen=unseen or strict))
    raise typer.Exit(report.exit_code(strict=strict))


schema_app = typer.Typer(
    cls=Group,
    help="JSON Schema of the models, and breaking-change checks between versions.",
    no_args_is_help=True,
)
app.add_typer(schema_app, name="schema")


@command(schema_app, "export")
@offline
def schema_export(
    out: Annotated[
        Path | None, typer.Option(help="Write to this file (default: standard output).")
    ] = None,
) -> None:
    """JSON Schema of every entity model and input model."""
    from accsyn.contract import export_schema

    text = json.dumps(export_schema(), indent=2, sort_keys=True)
    if out is None:
        typer.echo(text)
    else:
        out.write_text(text + "\n", encoding="utf-8")


@command(schema_app, "diff")
@offline
def schema_diff(
    old: Annotated[Path, typer.Argument(help="The earlier `accsyn schema export`.")],
    new: Annotated[
        Path | None,
        typer.Argument(help="The later export (default: this SDK's models)."),
    ] = None,
    output_format: Annotated[
        ReportFormat, typer.Option("--format", help="text or json.")
    ] = ReportFormat.TEXT,
) -> None:
    """Breaking and compatible changes between two schema exports (exit 1 if breaking)."""
    from accsyn.contract import diff_schema, export_schema, load_schema

    try:
        before = load_schema(old)
        after = export_schema() if new is None else load_schema(new)
    except AccsynError as exc:
        fail(str(exc), code=2)
    diff = diff_schema(before, after)
    if output_format is ReportFormat.JSON:
        typer.echo(json.dumps(diff.to_json(), indent=2))
    else:
        typer.echo(diff.to_text())
    raise typer.Exit(diff.exit_code())
