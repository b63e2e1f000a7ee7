"""Job monitoring and control from the command line: ``watch``, ``wait``, ``transfer …``.

``accsyn watch QUERY`` follows a selection with :meth:`Select.watch`'s poller and
shows a live table (progress bar, speed, etr) until every followed job has finished
(or failed), or Ctrl-C; piped, it prints the table after each poll that changed
something. ``accsyn wait TYPE ID`` exits 0 when the job reaches an awaited status,
1 when it finishes otherwise (failed, aborted) and 124 on timeout, like
``timeout(1)``. ``accsyn transfer pause|resume|abort|retry ID-or-QUERY`` changes one
transfer, or every match of a query after a confirmation (``--yes`` skips it).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.live import Live
from rich.table import Table
from rich.text import Text

from accsyn import _constants as const
from accsyn._codec import OBJECT_ID_RE
from accsyn._exceptions import WaitTimeoutError
from accsyn.cli._base import Group, app, command, connected, fail, stderr, stdout
from accsyn.cli._connect import Connection, open_session
from accsyn.cli._workspace import parse_statement, to_select

if TYPE_CHECKING:
    from accsyn.session import Session

__all__ = ["EXIT_FAILED", "EXIT_TIMEOUT", "parse_duration", "progress_table", "transfer_app"]

#: ``accsyn wait``: the job finished, but not as awaited (failed, aborted).
EXIT_FAILED = 1
#: ``accsyn wait``: the timeout passed first (as ``timeout(1)`` exits).
EXIT_TIMEOUT = 124
#: Statuses after which ``watch`` stops following a job (``failed`` may retry later,
#: but a person watching wants to know now).
_SETTLED = frozenset({"done", "aborted", "failed"})
_UNITS = {"": 1.0, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*$", re.IGNORECASE)
_BAR = 20

transfer_app = typer.Typer(
    cls=Group,
    help="Pause, resume, abort or retry transfers (one by id, or every match of a query).",
    no_args_is_help=True,
)
app.add_typer(transfer_app, name="transfer")


def parse_duration(text: str) -> float:
    """``"10m"`` → 600.0; seconds, minutes, hours or days (``s``, ``m``, ``h``, ``d``)."""
    match = _DURATION.match(text)
    if match is None:
        raise typer.BadParameter(
            f"{text!r} is not a duration; write e.g. 90, 30s, 10m, 2h or 1d",
            param_hint="'--timeout'",
        )
    return float(match.group(1)) * _UNITS[match.group(2).lower()]


@contextmanager
def _session(conn: Connection) -> Iterator[Session]:
    # One seam for the commands here: tests replace it with a session on a workspace
    # whose clock they drive.
    with open_session(conn) as session:
        yield session


# --- the live table -----------------------------------------------------------------------------


def _bar(progress: object) -> Text:
    pct = progress if isinstance(progress, int) and not isinstance(progress, bool) else 0
    pct = max(0, min(100, pct))
    filled = round(_BAR * pct / 100)
    text = Text("━" * filled, style="green" if pct == 100 else "magenta")
    text.append("━" * (_BAR - filled), style="grey23")
    text.append(f" {pct:3d}%")
    return text


def _speed(value: object) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool) and value >= 0:
        return f"{value:.1f} MB/s"
    return ""


def _status_text(value: object) -> str:
    return str(getattr(value, "value", value) or "")


def progress_table(rows: Mapping[str, Any], title: str | None = None) -> Table:
    """The watch table: one row per followed entity (gone ones marked)."""
    table = Table(title=title, title_justify="left", expand=False)
    # In a narrow terminal the name gives way; ids, statuses and bars stay whole.
    table.add_column("id", no_wrap=True, min_width=24)
    table.add_column("name", no_wrap=True)
    table.add_column("status", no_wrap=True, min_width=7)
    table.add_column("progress", no_wrap=True, min_width=_BAR + 5)
    table.add_column("speed", justify="right", no_wrap=True)
    table.add_column("etr", justify="right", no_wrap=True)
    for ident, entity in rows.items():
        status = "gone" if entity is None else _status_text(entity.get("status"))
        get = (lambda key: None) if entity is None else entity.get
        style = {"done": "green", "failed": "red", "aborted": "yellow", "gone": "dim"}.get(status)
        table.add_row(
            ident,
            str(get("name") or ""),
            Text(status, style=style or ""),
            _bar(get("progress")),
            _speed(get("speed")),
            str(get("etr") or ""),
        )
    return table


@command(app)
@connected
def watch(
    query: Annotated[
        str, typer.Argument(help='What to follow, e.g. "transfer WHERE status=running".')
    ],
    interval: Annotated[
        float,
        typer.Option(min=0.1, help="Seconds between polls (the docs ask for several)."),
    ] = const.WATCH_INTERVAL,
    no_validate: Annotated[
        bool, typer.Option("--no-validate", help="Send names the models do not know.")
    ] = False,
    *,
    conn: Connection,
) -> None:
    """Follow jobs live (progress, speed, etr) until all finish, or Ctrl-C."""
    from accsyn._watch import Changed, Created, Finished, Gone, _Poller

    parsed = parse_statement(query)
    out = stdout()
    with _session(conn) as session:
        select = to_select(session, parsed, validate=not no_validate)
        poller = _Poller(select, const.WATCH_FULL_EVERY)
        clock = session._core.clock
        rows: dict[str, Any] = {}
        title = str(select.query)
        live = Live(console=out, auto_refresh=False) if out.is_terminal else None
        try:
            if live is not None:
                live.start()
            while True:
                events = session._run(poller.poll())
                for event in events:
                    if isinstance(event, Created | Changed | Finished):
                        rows[str(event.entity.id)] = event.entity
                    elif isinstance(event, Gone):
                        rows[str(event.entity.id)] = None
                if not rows:
                    stderr().print(f"[dim]nothing matches {title}: nothing to watch[/dim]")
                    return
                if live is not None:
                    live.update(progress_table(rows, title), refresh=True)
                elif events:
                    # Piped output is never shortened (as with find): as wide as it needs.
                    table = progress_table(rows, title)
                    wide = out.measure(table, options=out.options.update_width(1000)).maximum
                    if wide > out.width:
                        out = Console(file=out.file, width=wide, soft_wrap=True)
                    out.print(table)
                if all(
                    e is None or _status_text(e.get("status")) in _SETTLED for e in rows.values()
                ):
                    return
                clock.sleep(interval)
        except KeyboardInterrupt:
            if live is not None:
                live.stop()
                live = None
            stderr().print("[dim]stopped[/dim]")
            raise typer.Exit(130) from None
        finally:
            if live is not None:
                live.stop()


@command(app)
@connected
def wait(
    entitytype: Annotated[str, typer.Argument(metavar="TYPE", help="A job type, e.g. transfer.")],
    entityid: Annotated[str, typer.Argument(metavar="ID", help="The job's id.")],
    until: Annotated[
        list[str] | None,
        typer.Option(help="A status to wait for (repeatable or comma-separated; default done)."),
    ] = None,
    timeout: Annotated[
        str | None, typer.Option(help="Give up after this long, e.g. 90, 30s, 10m, 2h.")
    ] = None,
    interval: Annotated[
        float, typer.Option(min=0.1, help="Seconds before the second poll (then longer).")
    ] = const.POLL_INITIAL,
    *,
    conn: Connection,
) -> None:
    """Wait for a job: exit 0 when it reaches --until, 1 if it ends otherwise, 124 on timeout."""
    from accsyn.models import Job

    wanted = [s.strip() for item in (until or ["done"]) for s in item.split(",") if s.strip()]
    seconds = parse_duration(timeout) if timeout is not None else None
    with _session(conn) as session:
        found = session.repository(entitytype.lower()).get(entityid)
        if found is None:
            fail(f"no {entitytype.lower()} with id {entityid}")
        if not isinstance(found, Job):
            fail(f"a {entitytype.lower()} is not a job; wait works on transfers, deliveries, …")
        job: Job = found
        # Stop on any end, then tell reached (0) from ended otherwise (1).
        ends = [*wanted, *(s for s in ("done", "failed", "aborted") if s not in wanted)]
        max_interval = max(interval, const.POLL_MAX)
        try:
            job.wait(until=ends, timeout=seconds, interval=interval, max_interval=max_interval)
        except WaitTimeoutError:
            status = _status_text(job.get("status"))
            stderr().print(
                Text(
                    f"timeout: {entitytype.lower()} {entityid} is still {status} "
                    f"after {timeout} (waiting for {' or '.join(wanted)})",
                    style="yellow",
                )
            )
            raise typer.Exit(EXIT_TIMEOUT) from None
    status = _status_text(job.get("status"))
    typer.echo(f"{entitytype.lower()} {entityid} {status}")
    if status not in wanted:
        raise typer.Exit(EXIT_FAILED)


# --- transfer pause | resume | abort | retry -------------------------------------------------


def _act(conn: Connection, target: str, action: str, yes: bool) -> None:
    from accsyn._control import update_plan
    from accsyn.models import Transfer

    with _session(conn) as session:
        if OBJECT_ID_RE.match(target.strip()):
            entity = session.transfers.get(target.strip())
            if entity is None:
                fail(f"no transfer with id {target.strip()}")
            changed = [getattr(entity, action)()]
        else:
            text = target if target.lower().startswith(("transfer", "job")) else None
            parsed = parse_statement(text or f"transfer WHERE {target}")
            select = to_select(session, parsed)
            if not isinstance(select.model, type) or select.model is not Transfer:
                fail(f"'accsyn transfer {action}' works on transfers, not {parsed.entitytype}")
            matches = select.select("id", "name", "status").all()
            if not matches:
                fail(f"no transfer matches {select.query}")
            if len(matches) > 1 and not yes:
                names = ", ".join(str(m.get("name") or m.id) for m in matches[:5])
                more = f" and {len(matches) - 5} more" if len(matches) > 5 else ""
                typer.confirm(
                    f"{action} {len(matches)} transfers ({names}{more})?", abort=True, err=True
                )
            changed = session._run(update_plan(select, {}, action=action))
            skipped = len(matches) - len(changed)
            if skipped:
                stderr().print(f"[dim]{skipped} already {_past(action)}[/dim]")
    for entity in changed:
        typer.echo(f"{_past(action)} transfer {entity.id} {entity.get('name') or ''}".rstrip())


def _past(action: str) -> str:
    return {"pause": "paused", "resume": "resumed", "abort": "aborted", "retry": "retried"}[action]


_TARGET = Annotated[
    str,
    typer.Argument(
        metavar="ID|QUERY",
        help='A transfer id, or a query such as "transfer WHERE status=running".',
    ),
]
_YES = Annotated[bool, typer.Option("--yes", "-y", help="Do not ask when several match.")]


@command(transfer_app)
@connected
def pause(target: _TARGET, yes: _YES = False, *, conn: Connection) -> None:
    """Pause a transfer, or every transfer a query matches."""
    _act(conn, target, "pause", yes)


@command(transfer_app)
@connected
def resume(target: _TARGET, yes: _YES = False, *, conn: Connection) -> None:
    """Resume a paused transfer, or every paused one a query matches."""
    _act(conn, target, "resume", yes)


@command(transfer_app)
@connected
def abort(target: _TARGET, yes: _YES = False, *, conn: Connection) -> None:
    """Abort a transfer, or every transfer a query matches."""
    _act(conn, target, "abort", yes)


@command(transfer_app)
@connected
def retry(target: _TARGET, yes: _YES = False, *, conn: Connection) -> None:
    """Run a failed or aborted transfer again."""
    _act(conn, target, "retry", yes)
