"""Commands that talk to a workspace: find, get, create, update, delete, whoami, …

Reads go through the session's own read path: ``find`` builds a repository select
from the query (parsed once, here) and iterates its pages, so the CLI decodes rows
exactly as ``session.transfers.where(...)`` does. Names are checked against the models
before anything is sent; ``--no-validate`` sends them anyway.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)

from accsyn import _constants as const
from accsyn._exceptions import QueryError
from accsyn.cli._base import app, command, connected, fail, stderr, stdout, validating
from accsyn.cli._connect import Connection, key_source, open_session
from accsyn.cli._output import (
    choose_columns,
    display_row,
    json_line,
    print_csv,
    print_record,
    print_table,
    to_row,
)

if TYPE_CHECKING:
    from accsyn.query import Query
    from accsyn.repository import Select
    from accsyn.session import Session

__all__ = ["make_progress", "parse_statement", "split_select", "to_select"]

_NO_VALIDATE = Annotated[
    bool,
    typer.Option(
        "--no-validate",
        help="Send names the models do not know (a newer server may know them).",
    ),
]
_RAW = Annotated[
    bool, typer.Option("--raw", help="Wire values: sizes in bytes, dates as sent, no rounding.")
]


# --- helpers -------------------------------------------------------------------------------


def split_select(select: str | None) -> list[str] | None:
    """``"id, status"`` → ``["id", "status"]`` (``None`` when nothing is selected)."""
    if not select:
        return None
    names = [name.strip() for name in select.split(",") if name.strip()]
    return names or None


def parse_statement(text: str) -> Query:
    """Parse a statement, insisting on an entity type (``transfer WHERE …``)."""
    from accsyn.query import parse
    from accsyn.query._validate import SPECIAL_STATEMENTS, missing_entitytype, names_not_entities

    query = parse(text)
    if query.entitytype is None:
        from accsyn.models import SCHEMA

        # The session's own refusal (and message), so the CLI and Python agree.
        raise missing_entitytype(query, SCHEMA)
    if query.entitytype in SPECIAL_STATEMENTS:
        # They list names, not entities: the commands that show those.
        raise QueryError(names_not_entities(text.strip(), cli=True))
    return query


def to_select(
    session: Any,
    query: Query,
    *,
    attributes: list[str] | None = None,
    finished: bool = False,
    inactive: bool = False,
    archived: bool = False,
    limit: int | None = None,
    offset: int = 0,
    page_size: int | None = None,
    validate: bool = True,
) -> Select[Any]:
    """The repository select ``accsyn find`` runs and ``query explain`` shows.

    With ``validate`` the session checks the type, the condition and the selected
    attributes against the models (raising with a suggestion); without it the parsed
    query is sent as is, on the base model for types the models do not know. Nothing
    is sent until the select is iterated.
    """
    # The session's read path: the query is checked once (by its policy, or not at all
    # with validate=False) and pages decode like every repository's.
    select: Select[Any] = session.query(query, validate=None if validate else False)
    if attributes:
        with validating():
            select = select.select(*attributes)
    if finished:
        select = select.finished()
    if inactive:
        select = select.inactive()
    if archived:
        select = select.archived()
    select = select.limit(limit).offset(offset)
    return select.page_size(page_size) if page_size is not None else select


def make_progress(console: Console, *, known_total: bool) -> Progress:
    """A transient progress bar; silent when ``console`` is not a terminal."""
    columns: list[ProgressColumn] = [
        SpinnerColumn(),
        TextColumn("[bold]{task.description}"),
        BarColumn(),
    ]
    columns.append(MofNCompleteColumn() if known_total else TextColumn("{task.completed} entities"))
    columns.append(TimeElapsedColumn())
    return Progress(*columns, console=console, transient=True, disable=not console.is_terminal)


def _load_json(data: str | None, file: Path | None) -> dict[str, Any]:
    if (data is None) == (file is None):
        fail("give exactly one of --data JSON or --file PATH")
    try:
        text = data if data is not None else file.read_text(encoding="utf-8")  # type: ignore[union-attr]
    except OSError as exc:
        fail(f"cannot read {file}: {exc.strerror}")
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        fail(f"invalid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})")
    if not isinstance(value, dict) or not value:
        fail("the data must be a non-empty JSON object")
    return value


def _print_entity(entity: Any, as_json: bool, title: str | None = None, raw: bool = False) -> None:
    if isinstance(entity, list):
        for item in entity:
            _print_entity(item, as_json, title, raw)
        return
    if not isinstance(entity, dict) and not hasattr(entity, "to_wire"):
        typer.echo(json.dumps(entity, default=str))
        return
    if as_json:
        typer.echo(json.dumps(to_row(entity), default=str, indent=2, ensure_ascii=False))
    else:
        print_record(stdout(), display_row(entity, raw=raw), title=title)


# --- commands -------------------------------------------------------------------------------


@command(app)
@connected
def find(
    query: Annotated[str, typer.Argument(help='A query, e.g. "transfer WHERE status=failed".')],
    limit: Annotated[
        int | None,
        typer.Option(min=1, help="At most this many results (default: all)."),
    ] = None,
    offset: Annotated[int, typer.Option(min=0, help="Skip this many results first.")] = 0,
    select: Annotated[
        str | None,
        typer.Option(help="Comma-separated attributes to fetch and show, e.g. id,status."),
    ] = None,
    finished: Annotated[bool, typer.Option("--finished", help="Finished entities.")] = False,
    inactive: Annotated[bool, typer.Option("--inactive", help="Inactive entities.")] = False,
    archived: Annotated[bool, typer.Option("--archived", help="Archived entities.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="JSON lines, one entity each.")] = False,
    as_csv: Annotated[bool, typer.Option("--csv", help="CSV with a header line.")] = False,
    wide: Annotated[
        bool, typer.Option("--wide", help="Never shorten cells (piped output never is).")
    ] = False,
    raw: _RAW = False,
    no_validate: _NO_VALIDATE = False,
    page_size: Annotated[
        int, typer.Option(min=1, max=10000, help="Entities fetched per request.")
    ] = 100,
    *,
    conn: Connection,
) -> None:
    """Find entities; a table for people, --json or --csv for scripts."""
    if as_json and as_csv:
        fail("choose one of --json and --csv")
    parsed = parse_statement(query)
    attributes = split_select(select)
    with open_session(conn) as session:
        selected = to_select(
            session,
            parsed,
            attributes=attributes,
            finished=finished,
            inactive=inactive,
            archived=archived,
            limit=limit,
            offset=offset,
            page_size=page_size,
            validate=not no_validate,
        )
        progress = make_progress(stderr(), known_total=limit is not None)
        with progress:
            task = progress.add_task("fetching", total=limit)
            rows: list[dict[str, Any]] = []
            for page in selected.pages():
                progress.advance(task, len(page))
                if as_json:
                    for entity in page:
                        row = to_row(entity)
                        if attributes:
                            row = {k: row[k] for k in attributes if k in row}
                        sys.stdout.write(json_line(row) + "\n")
                else:
                    rows += [display_row(e, raw=raw or as_csv) for e in page]
    if as_json:
        sys.stdout.flush()
        return
    columns = choose_columns(rows, attributes)
    if as_csv:
        print_csv(sys.stdout, rows, columns)
        return
    if not rows:
        stderr().print("[dim]no results[/dim]")
        return
    print_table(stdout(), rows, columns, wide=True if wide else None)
    stderr().print(f"[dim]{len(rows)} result{'s' if len(rows) != 1 else ''}[/dim]")


@command(app)
@connected
def get(
    entitytype: Annotated[str, typer.Argument(metavar="TYPE", help="Entity type, e.g. transfer.")],
    entityid: Annotated[str, typer.Argument(metavar="ID", help="The entity's id.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    raw: _RAW = False,
    no_validate: _NO_VALIDATE = False,
    *,
    conn: Connection,
) -> None:
    """Show one entity by id, whatever its state."""
    with open_session(conn) as session:
        entity = session.get_entity(entitytype, entityid, validate=not no_validate)
    if entity is None:
        fail(f"no {entitytype.lower()} with id {entityid}")
    _print_entity(entity, as_json, title=f"{entitytype.lower()} {entityid}", raw=raw)


@command(app)
@connected
def create(
    entitytype: Annotated[str, typer.Argument(metavar="TYPE", help="Entity type to create.")],
    data: Annotated[
        str | None,
        typer.Option("--data", help="The entity as a JSON object."),
    ] = None,
    file: Annotated[
        Path | None,
        typer.Option("--file", help="A file holding the JSON object.", dir_okay=False),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    no_validate: _NO_VALIDATE = False,
    *,
    conn: Connection,
) -> None:
    """Create an entity from --data JSON or --file PATH."""
    payload = _load_json(data, file)
    with open_session(conn) as session:
        created = session.create(entitytype, payload, validate=not no_validate)
    _print_entity(created, as_json, title=f"created {entitytype.lower()}")


@command(app)
@connected
def update(
    entitytype: Annotated[str, typer.Argument(metavar="TYPE", help="Entity type.")],
    entityid: Annotated[str, typer.Argument(metavar="ID", help="The entity's id.")],
    data: Annotated[str, typer.Option("--data", help="The changes as a JSON object.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    no_validate: _NO_VALIDATE = False,
    *,
    conn: Connection,
) -> None:
    """Update an entity with the attributes in --data JSON."""
    payload = _load_json(data, None)
    with open_session(conn) as session:
        updated = session.update(entitytype, entityid, payload, validate=not no_validate)
    _print_entity(updated, as_json, title=f"updated {entitytype.lower()} {entityid}")


@command(app)
@connected
def delete(
    entitytype: Annotated[str, typer.Argument(metavar="TYPE", help="Entity type.")],
    entityid: Annotated[str, typer.Argument(metavar="ID", help="The entity's id.")],
    *,
    conn: Connection,
) -> None:
    """Delete an entity."""
    with open_session(conn) as session:
        session.delete_one(entitytype, entityid)
    typer.echo(f"deleted {entitytype.lower()} {entityid}")


@command(app)
@connected
def entitytypes(
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON list.")] = False,
    *,
    conn: Connection,
) -> None:
    """List the entity types the workspace knows."""
    with open_session(conn) as session:
        names = list(session.find("entitytypes"))
    if as_json:
        typer.echo(json.dumps(names))
    else:
        for name in names:
            typer.echo(str(name))


@command(app)
@connected
def attributes(
    entitytype: Annotated[str, typer.Argument(metavar="TYPE", help="Entity type.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON list.")] = False,
    *,
    conn: Connection,
) -> None:
    """List the attributes of an entity type, as the workspace reports them."""
    from accsyn.query import render_value

    with open_session(conn) as session:
        names = list(session.find(f"attributes WHERE entitytype={render_value(entitytype)}"))
    if as_json:
        typer.echo(json.dumps(names, default=str))
    else:
        for name in names:
            typer.echo(name if isinstance(name, str) else json.dumps(name, default=str))


def _endpoint(session: Session) -> str:
    from accsyn._requests import entitytypes_request

    # The URL every event is sent to, as the session resolved it at login.
    return session.explain(entitytypes_request()).url.split("?", 1)[0]


@command(app)
@connected
def whoami(
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON object.")] = False,
    *,
    conn: Connection,
) -> None:
    """Log in and show who you are: workspace, user, role and endpoint (key redacted)."""
    with open_session(conn, lazy=False) as session:
        info: dict[str, Any] = {
            "workspace": session.workspace,
            "user": session.username,
            "role": session.role,
            "user_id": session.user_id,
            "endpoint": "in-process (--local)" if conn.local else _endpoint(session),
            "api_key": f"{const.REDACTED} (from {key_source(conn) or 'the session settings'})",
        }
    if as_json:
        typer.echo(json.dumps(info))
        return
    print_record(stdout(), info)
