"""``accsyn query check|fmt|explain``: query strings without a workspace."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.text import Text

from accsyn.cli._base import PYTHON_BYPASS, command, fail, offline, query_app, stdout
from accsyn.cli._workspace import parse_statement, split_select, to_select

__all__ = ["query_check", "query_explain", "query_fmt"]


def _in_cli_terms(message: str) -> str:
    # The validator speaks Python (``validate(query, entitytype=...)``, ``validate=False``);
    # here the entity type is the --type option, and a check has nothing to bypass.
    message = PYTHON_BYPASS.sub("", message)
    return message.replace("pass entitytype=", "pass --type").replace("entitytype=", "--type ")


@command(query_app, "check")
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
        from accsyn._exceptions import QueryValidationError
        from accsyn.models import validate_query
        from accsyn.query import parse, render

        parsed = parse(query)
        try:
            validated = validate_query(
                parsed, entitytype=entitytype if parsed.entitytype is None else None
            )
        except QueryValidationError as exc:
            fail(_in_cli_terms(str(exc)))
        stdout().print(Text("ok: ", style="bold green") + Text(render(validated)))
    if file:
        from accsyn.lint import format_finding, lint_paths

        findings = lint_paths(file).findings
        for finding in findings:
            typer.echo(format_finding(finding))
        ok = not findings
        if ok:
            stdout().print(Text("ok: ", style="bold green") + Text(f"{len(file)} file(s)"))
    if not ok:
        raise typer.Exit(1)


@command(query_app, "fmt")
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


@command(query_app, "explain")
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
    page_size: Annotated[
        int, typer.Option(min=1, max=10000, help="Entities fetched per request, as for find.")
    ] = 100,
    no_validate: Annotated[
        bool,
        typer.Option("--no-validate", help="Explain names the models do not know as well."),
    ] = False,
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
    """Show the first HTTP request `accsyn find` would send (no network, secrets redacted).

    The query is checked against the models exactly as `accsyn find` checks it.
    """
    from accsyn import _constants as const
    from accsyn.cli._explain import explain_request
    from accsyn.session import Session

    endpoint = (
        base_url or f"https://{workspace.lower()}.{const.BACKEND_DOMAIN}:{const.DEFAULT_PORT}"
    )
    # A session that never logs in: the select is built and checked exactly as find
    # builds it, and nothing is sent.
    with Session(
        workspace=workspace, username=user, api_key=const.REDACTED, base_url=endpoint, lazy=True
    ) as session:
        selected = to_select(
            session,
            parse_statement(query),
            attributes=split_select(select),
            finished=finished,
            inactive=inactive,
            archived=archived,
            limit=limit,
            offset=offset,
            page_size=page_size,
            validate=not no_validate,
        )
        req = selected.explain().request
    typer.echo(explain_request(req, workspace=workspace, user=user, base_url=base_url))
