"""The ``accsyn`` command: typer commands over the SDK.

Every command that talks to a workspace takes the same connection options (added by
:func:`connected`); errors become one clear line on stderr (plus the caret view for a
query) and a non-zero exit, never a traceback unless ``--debug``.
"""

from __future__ import annotations

import functools
import inspect
import json
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, NoReturn, TypeVar

import typer
from rich.console import Console
from rich.text import Text

from accsyn._exceptions import AccsynError, QueryError
from accsyn._version import __version__
from accsyn.cli import _lint
from accsyn.cli._connect import Connection, open_session
from accsyn.cli._output import (
    choose_columns,
    json_line,
    print_csv,
    print_record,
    print_table,
    to_row,
)

__all__ = ["app", "connected", "fail", "main"]

F = TypeVar("F", bound=Callable[..., Any])

app = typer.Typer(
    name="accsyn",
    help="Query, check and serve accsyn workspaces from the command line.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)
query_app = typer.Typer(
    help="Check, format and explain query strings (no workspace needed).",
    no_args_is_help=True,
)
app.add_typer(query_app, name="query")

_CONNECTION_PANEL = "Connection"


def _stdout() -> Console:
    return Console(soft_wrap=True)


def _stderr() -> Console:
    return Console(stderr=True, soft_wrap=True, highlight=False)


@dataclass
class _State:
    debug: bool = False


# Set by the root callback, which typer runs before every command of one invocation.
_STATE = _State()


def _state() -> _State:
    return _STATE


def _redact(text: str, secrets: Sequence[str]) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text


def fail(message: str, *, code: int = 1, secrets: Sequence[str] = ()) -> NoReturn:
    """Print ``error: message`` on stderr and exit with ``code``."""
    _stderr().print(Text("error: ", style="bold red") + Text(_redact(message, secrets)))
    raise typer.Exit(code)


@contextmanager
def _handle_errors(debug: bool, secrets: Sequence[str] = ()) -> Iterator[None]:
    try:
        yield
    except (typer.Exit, typer.Abort):
        raise
    except AccsynError as exc:
        if debug:
            raise
        fail(str(exc) or type(exc).__name__, secrets=secrets)
    except KeyboardInterrupt:
        fail("interrupted", code=130)
    except Exception as exc:
        # Usage errors raised by typer/click keep their own handling (exit status 2).
        if debug or type(exc).__module__.startswith(("typer", "click")):
            raise
        detail = f": {exc}" if str(exc) else ""
        fail(
            f"unexpected {type(exc).__name__}{detail} (run with --debug for the traceback)",
            secrets=secrets,
        )


_CONNECTION_PARAMS: list[tuple[str, Any, Any]] = [
    (
        "workspace",
        Annotated[
            str | None,
            typer.Option(
                "--workspace",
                help="Workspace code (else ACCSYN_WORKSPACE).",
                rich_help_panel=_CONNECTION_PANEL,
            ),
        ],
        None,
    ),
    (
        "user",
        Annotated[
            str | None,
            typer.Option(
                "--user",
                help="API user e-mail (else ACCSYN_API_USER).",
                rich_help_panel=_CONNECTION_PANEL,
            ),
        ],
        None,
    ),
    (
        "api_key",
        Annotated[
            str | None,
            typer.Option(
                "--api-key",
                help="API key (else ACCSYN_API_KEY). Never printed.",
                rich_help_panel=_CONNECTION_PANEL,
                show_default=False,
            ),
        ],
        None,
    ),
    (
        "hostname",
        Annotated[
            str | None,
            typer.Option(
                "--hostname",
                help="Workspace API host (skips the master lookup).",
                rich_help_panel=_CONNECTION_PANEL,
            ),
        ],
        None,
    ),
    (
        "port",
        Annotated[
            int | None,
            typer.Option("--port", help="Workspace API port.", rich_help_panel=_CONNECTION_PANEL),
        ],
        None,
    ),
    (
        "base_url",
        Annotated[
            str | None,
            typer.Option(
                "--base-url",
                help="Talk to this backend directly, e.g. http://127.0.0.1:8181.",
                rich_help_panel=_CONNECTION_PANEL,
            ),
        ],
        None,
    ),
    (
        "proxy",
        Annotated[
            str | None,
            typer.Option(
                "--proxy",
                help="Proxy, e.g. accsyn:host:port or socks5:host:port (else ACCSYN_PROXY).",
                rich_help_panel=_CONNECTION_PANEL,
            ),
        ],
        None,
    ),
    (
        "env_file",
        Annotated[
            str | None,
            typer.Option(
                "--env-file",
                help="A .env file with ACCSYN_* settings (else ACCSYN_CREDENTIALS_PATH or ./.env).",
                rich_help_panel=_CONNECTION_PANEL,
            ),
        ],
        None,
    ),
    (
        "local",
        Annotated[
            bool,
            typer.Option(
                "--local",
                help="Use an embedded local workspace seeded with demo data "
                "(also the default when no credentials are configured).",
                rich_help_panel=_CONNECTION_PANEL,
            ),
        ],
        False,
    ),
]
_DEBUG_PARAM = (
    "debug",
    Annotated[bool, typer.Option("--debug", help="Show tracebacks.", hidden=True)],
    False,
)


def connected(fn: F) -> F:
    """Add the connection options to a command; it receives ``conn: Connection``.

    The command also runs inside the CLI's error handling.
    """
    sig = inspect.signature(fn, eval_str=True)
    own = [p for p in sig.parameters.values() if p.name != "conn"]
    names = [name for name, _, _ in _CONNECTION_PARAMS]
    extra = [
        inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=ann)
        for name, ann, default in [*_CONNECTION_PARAMS, _DEBUG_PARAM]
    ]

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        conn = Connection(**{name: kwargs.pop(name) for name in names})
        debug = kwargs.pop("debug") or _state().debug
        with _handle_errors(debug, conn.secrets()):
            return fn(*args, conn=conn, **kwargs)

    wrapper.__signature__ = sig.replace(parameters=[*own, *extra])  # type: ignore[attr-defined]
    hints = {p.name: p.annotation for p in own}
    hints.update({name: ann for name, ann, _ in [*_CONNECTION_PARAMS, _DEBUG_PARAM]})
    wrapper.__annotations__ = hints
    return wrapper  # type: ignore[return-value]


def offline(fn: F) -> F:
    """Run a command that needs no workspace inside the CLI's error handling."""
    sig = inspect.signature(fn, eval_str=True)
    extra = inspect.Parameter(
        "debug", inspect.Parameter.KEYWORD_ONLY, default=False, annotation=_DEBUG_PARAM[1]
    )

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        debug = kwargs.pop("debug") or _state().debug
        with _handle_errors(debug):
            return fn(*args, **kwargs)

    wrapper.__signature__ = sig.replace(parameters=[*sig.parameters.values(), extra])  # type: ignore[attr-defined]
    hints = {p.name: p.annotation for p in sig.parameters.values()}
    hints["debug"] = _DEBUG_PARAM[1]
    wrapper.__annotations__ = hints
    return wrapper  # type: ignore[return-value]


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
    global _STATE
    _STATE = _State(debug=debug)
    ctx.obj = _STATE


# --- helpers -------------------------------------------------------------------------------


def _split_select(select: str | None) -> list[str] | None:
    if not select:
        return None
    names = [name.strip() for name in select.split(",") if name.strip()]
    return names or None


def _parse_statement(text: str) -> Any:
    """Parse a statement, insisting on an entity type (``transfer WHERE …``)."""
    from accsyn.query import parse

    query = parse(text)
    if query.entitytype is None:
        raise QueryError(
            "the query needs an entity type first, e.g. "
            f"'transfer WHERE {text.strip()}' (see 'accsyn entitytypes')"
        )
    return query


def _warn_unknown_names(query: Any) -> None:
    """Warn (on stderr) about names the models do not know, then send the query anyway.

    The server may know attributes this SDK's models do not (they keep unknown
    attributes), so this is a warning, not an error.
    """
    from accsyn._exceptions import QueryValidationError
    from accsyn.query import validate

    try:
        validate(query)
    except QueryValidationError as exc:
        for problem in exc.problems:
            where = f"column {problem.column}: " if problem.column is not None else ""
            _stderr().print(Text("warning: ", style="bold yellow") + Text(where + problem.message))


def _note_local(is_local: bool, conn: Connection) -> None:
    if is_local and not conn.local:
        _stderr().print(
            "[dim]note: no credentials configured; using the embedded local workspace "
            "(demo data). Pass --local to silence this, or --workspace/--user/--api-key.[/dim]"
        )


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


def _print_entity(entity: Any, as_json: bool, title: str | None = None) -> None:
    if isinstance(entity, list):
        for item in entity:
            _print_entity(item, as_json, title)
        return
    if not isinstance(entity, dict) and not hasattr(entity, "to_wire"):
        typer.echo(json.dumps(entity, default=str))
        return
    row = to_row(entity)
    if as_json:
        typer.echo(json.dumps(row, default=str, indent=2, ensure_ascii=False))
    else:
        print_record(_stdout(), row, title=title)


# --- workspace commands -----------------------------------------------------------------------


@app.command()
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
    page_size: Annotated[
        int, typer.Option(min=1, max=10000, help="Entities fetched per request.")
    ] = 100,
    *,
    conn: Connection,
) -> None:
    """Find entities; a table for people, --json or --csv for scripts."""
    if as_json and as_csv:
        fail("choose one of --json and --csv")
    _warn_unknown_names(_parse_statement(query))
    attributes = _split_select(select)
    from accsyn.cli._paging import fetch_pages

    with open_session(conn) as (session, is_local):
        _note_local(is_local, conn)
        pages = fetch_pages(
            session,
            query,
            limit=limit,
            offset=offset,
            page_size=page_size,
            attributes=attributes,
            finished=finished or None,
            inactive=inactive or None,
            archived=archived or None,
            console=_stderr(),
        )
        if as_json:
            out = sys.stdout
            for page in pages:
                for entity in page:
                    out.write(json_line(to_row(entity)) + "\n")
            out.flush()
            return
        rows = [to_row(entity) for page in pages for entity in page]
    columns = choose_columns(rows, attributes)
    if as_csv:
        print_csv(sys.stdout, rows, columns)
        return
    if not rows:
        _stderr().print("[dim]no results[/dim]")
        return
    print_table(_stdout(), rows, columns)
    _stderr().print(f"[dim]{len(rows)} result{'s' if len(rows) != 1 else ''}[/dim]")


@app.command()
@connected
def get(
    entitytype: Annotated[str, typer.Argument(metavar="TYPE", help="Entity type, e.g. transfer.")],
    entityid: Annotated[str, typer.Argument(metavar="ID", help="The entity's id.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    *,
    conn: Connection,
) -> None:
    """Show one entity by id, whatever its state."""
    with open_session(conn) as (session, is_local):
        _note_local(is_local, conn)
        entity = session.get_entity(entitytype, entityid, raw=True)
    if entity is None:
        fail(f"no {entitytype.lower()} with id {entityid}")
    _print_entity(entity, as_json, title=f"{entitytype.lower()} {entityid}")


@app.command()
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
    *,
    conn: Connection,
) -> None:
    """Create an entity from --data JSON or --file PATH."""
    payload = _load_json(data, file)
    with open_session(conn) as (session, is_local):
        _note_local(is_local, conn)
        created = session.create(entitytype, payload, raw=True)
    _print_entity(created, as_json, title=f"created {entitytype.lower()}")


@app.command()
@connected
def update(
    entitytype: Annotated[str, typer.Argument(metavar="TYPE", help="Entity type.")],
    entityid: Annotated[str, typer.Argument(metavar="ID", help="The entity's id.")],
    data: Annotated[str, typer.Option("--data", help="The changes as a JSON object.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    *,
    conn: Connection,
) -> None:
    """Update an entity with the attributes in --data JSON."""
    payload = _load_json(data, None)
    with open_session(conn) as (session, is_local):
        _note_local(is_local, conn)
        updated = session.update(entitytype, entityid, payload, raw=True)
    _print_entity(updated, as_json, title=f"updated {entitytype.lower()} {entityid}")


@app.command()
@connected
def delete(
    entitytype: Annotated[str, typer.Argument(metavar="TYPE", help="Entity type.")],
    entityid: Annotated[str, typer.Argument(metavar="ID", help="The entity's id.")],
    *,
    conn: Connection,
) -> None:
    """Delete an entity."""
    with open_session(conn) as (session, is_local):
        _note_local(is_local, conn)
        session.delete_one(entitytype, entityid)
    typer.echo(f"deleted {entitytype.lower()} {entityid}")


@app.command()
@connected
def entitytypes(
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON list.")] = False,
    *,
    conn: Connection,
) -> None:
    """List the entity types the workspace knows."""
    with open_session(conn) as (session, is_local):
        _note_local(is_local, conn)
        names = list(session.find("entitytypes"))
    if as_json:
        typer.echo(json.dumps(names))
    else:
        for name in names:
            typer.echo(str(name))


@app.command()
@connected
def attributes(
    entitytype: Annotated[str, typer.Argument(metavar="TYPE", help="Entity type.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON list.")] = False,
    *,
    conn: Connection,
) -> None:
    """List the attributes of an entity type, as the workspace reports them."""
    from accsyn.query import render_value

    with open_session(conn) as (session, is_local):
        _note_local(is_local, conn)
        names = list(session.find(f"attributes WHERE entitytype={render_value(entitytype)}"))
    if as_json:
        typer.echo(json.dumps(names, default=str))
    else:
        for name in names:
            typer.echo(name if isinstance(name, str) else json.dumps(name, default=str))


# --- query tools --------------------------------------------------------------------------------


@query_app.command("check")
@offline
def query_check(
    query: Annotated[
        str | None,
        typer.Argument(help="A query; or use --file."),
    ] = None,
    file: Annotated[
        list[Path] | None,
        typer.Option("--file", help=".accsyn or .py files to check (repeatable)."),
    ] = None,
    entitytype: Annotated[
        str | None,
        typer.Option("--type", help="Entity type for a bare expression (status=failed)."),
    ] = None,
) -> None:
    """Parse a query and validate it against the entity models."""
    if query is None and not file:
        fail("give a QUERY or --file PATH", code=2)
    ok = True
    if query is not None:
        from accsyn.query import parse, render, validate

        parsed = parse(query)
        validated = validate(parsed, entitytype=entitytype if parsed.entitytype is None else None)
        _stdout().print(Text("ok: ", style="bold green") + Text(render(validated)))
    if file:
        messages = _lint.lint_paths(file)
        for message in messages:
            typer.echo(_lint.format_message(message))
        ok = not messages
        if ok:
            _stdout().print(Text("ok: ", style="bold green") + Text(f"{len(file)} file(s)"))
    if not ok:
        raise typer.Exit(1)


@query_app.command("fmt")
@offline
def query_fmt(
    query: Annotated[str, typer.Argument(help="A query; '-' reads one query per line from stdin.")],
) -> None:
    """Print the canonical form of a query."""
    from accsyn.query import parse, render

    texts = sys.stdin.read().splitlines() if query == "-" else [query]
    for text in texts:
        if text.strip() and not text.lstrip().startswith("#"):
            typer.echo(render(parse(text)))
        else:
            typer.echo(text)


@query_app.command("explain")
@offline
def query_explain(
    query: Annotated[
        str, typer.Argument(help='A find query, e.g. "transfer WHERE status=failed".')
    ],
    limit: Annotated[int | None, typer.Option(min=1)] = None,
    offset: Annotated[int, typer.Option(min=0)] = 0,
    select: Annotated[str | None, typer.Option(help="Comma-separated attributes.")] = None,
    finished: Annotated[bool, typer.Option("--finished")] = False,
    inactive: Annotated[bool, typer.Option("--inactive")] = False,
    archived: Annotated[bool, typer.Option("--archived")] = False,
    workspace: Annotated[
        str, typer.Option("--workspace", help="Workspace code shown in the request.")
    ] = "acme",
    user: Annotated[str, typer.Option("--user", help="User shown in the request.")] = (
        "you@example.com"
    ),
    base_url: Annotated[
        str | None,
        typer.Option("--base-url", help="Backend URL (default: https://<workspace>.accsyn.com)."),
    ] = None,
) -> None:
    """Show the HTTP request `accsyn find` would send (no network, secrets redacted)."""
    from accsyn.cli._explain import explain_find

    parsed = _parse_statement(query)
    text = explain_find(
        parsed,
        attributes=_split_select(select),
        finished=finished or None,
        inactive=inactive or None,
        archived=archived or None,
        limit=limit,
        skip=offset or None,
        workspace=workspace,
        user=user,
        base_url=base_url,
    )
    typer.echo(text)


# --- lint ----------------------------------------------------------------------------------------


class LintFormat(str, Enum):
    """Output formats of ``accsyn lint``."""

    TEXT = "text"
    GITHUB = "github"


@app.command()
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
        _stderr().print(
            f"[red]{len(messages)} problem{'s' if len(messages) != 1 else ''} "
            f"in {files} file{'s' if files != 1 else ''}[/red]"
        )
        raise typer.Exit(1)


# --- local workspace ---------------------------------------------------------------------


@app.command()
@offline
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8181,
    db: Annotated[
        Path | None,
        typer.Option(help="SQLite file to keep the workspace in (default: in memory)."),
    ] = None,
    seed: Annotated[
        str, typer.Option(help="Seed data: 'demo', or 'none' for an empty workspace.")
    ] = "demo",
    write_env: Annotated[
        Path | None,
        typer.Option(
            "--write-env",
            help="Write .env files with working credentials for each role into this directory.",
        ),
    ] = None,
) -> None:
    """Run a local emulated accsyn workspace over HTTP (Ctrl-C to stop)."""
    from accsyn.emulator import serve as run_server

    run_server(
        host=host,
        port=port,
        db=str(db) if db is not None else None,
        seed=None if seed.lower() == "none" else seed,
        write_env=str(write_env) if write_env is not None else None,
    )


@app.command()
@offline
def demo() -> None:
    """A guided tour of the SDK on an embedded local workspace (no network needed)."""
    from accsyn.cli._demo import run_demo

    run_demo(Console())


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point of the ``accsyn`` script."""
    app(args=list(argv) if argv is not None else None, prog_name="accsyn")
