"""``accsyn demo``: a guided tour of the SDK on an embedded, seeded local workspace.

Each screen shows a snippet and what it printed. The snippet text is exactly the code
that runs (it is executed, not paraphrased), in one namespace shared by the screens, so
the tour cannot drift from the SDK. A screen whose piece of the SDK fails is replaced by
a one-line note and the tour goes on; the command always exits 0 unless interrupted.
"""

from __future__ import annotations

import io
import time
from collections.abc import Callable
from contextlib import ExitStack, redirect_stdout, suppress
from dataclasses import dataclass
from typing import Any

from rich.console import Console, Group, RenderableType
from rich.panel import Panel
from rich.rule import Rule
from rich.syntax import Syntax
from rich.text import Text

__all__ = ["SCREENS", "Screen", "run_demo"]


@dataclass(frozen=True)
class Screen:
    """One step of the tour: a title, what it shows, and the code it runs."""

    title: str
    intro: str
    code: str


SCREENS: tuple[Screen, ...] = (
    Screen(
        "1 · A workspace on your laptop",
        "An emulated accsyn backend, seeded with demo data, running in-process: "
        "no server, no network, no credentials.",
        """\
from accsyn.emulator import LocalWorkspace

workspace = LocalWorkspace(seed="demo")  # SQLite, in memory
session = workspace.session(role="admin")
users, transfers = session.find("user"), session.find("transfer")
print(len(users), "users and", len(transfers), "active transfers, e.g.")
first = transfers[0]
print(" ", first.name, "from", first.source_hr, "is", first.status)
""",
    ),
    Screen(
        "2 · Typed queries with the builder",
        "Model attributes are expressions: your type checker knows them, and values "
        "are always quoted safely.",
        """\
from accsyn.models import Transfer

query = Transfer.where(
    (Transfer.status != "failed") & (Transfer.progress < 100)
)
print(query)
for t in session.find(query, limit=4):
    print(t.id, f"{t.status!s:8}", f"{t.progress:3}%", t.name)
""",
    ),
    Screen(
        "3 · The same query as a string",
        "Strings and builders meet in one AST; the renderer writes one canonical form.",
        """\
from accsyn.query import parse

text = "Transfer where status<>failed and progress<100"
print(parse(text) == query, "->", parse(text))
by_text = [t.id for t in session.find(text, limit=4)]
by_builder = [t.id for t in session.find(query, limit=4)]
print("same results:", by_text == by_builder)
""",
    ),
    Screen(
        "4 · Syntax errors point at the problem",
        "A query that does not parse raises QuerySyntaxError with the line, the column, "
        "what was expected, and a caret.",
        """\
import accsyn

try:
    session.find("transfer WHERE status= AND name contains backup")
except accsyn.QuerySyntaxError as exc:
    print(exc)
""",
    ),
    Screen(
        "5 · Creating a delivery",
        "Writes go through the same typed models; the server's answer comes back as one.",
        """\
lisa = session.find_one("user WHERE code=lisa@example.com")
delivery = session.create(
    "delivery", {"name": "Dailies 2026-01-31", "recipients": [lisa.code]}
)
print(type(delivery).__name__, delivery.id, repr(delivery.name))
""",
    ),
    Screen(
        "6 · Paging through large results",
        "Repositories page lazily (skip + limit); the pager never yields an entity "
        "twice, even when the result set shifts while it is read.",
        """\
from rich.progress import Progress

workspace.faults.latency = 0.02  # pretend there is a network (20 ms)
ids, pages = [], 0
with Progress(console=console) as progress:  # the bar goes to stderr
    task = progress.add_task("paging", total=len(transfers))
    for page in session.transfers.page_size(10).pages():
        ids, pages = ids + [t.id for t in page], pages + 1
        progress.advance(task, len(page))
workspace.faults.latency = 0
print(len(ids), "transfers,", len(set(ids)), "unique, in", pages, "pages")
""",
    ),
    Screen(
        "7 · Async fan-out",
        "AsyncSession is the twin of Session; asyncio.gather sends requests "
        "concurrently, under the client-side rate limiter.",
        """\
import asyncio

import accsyn

async def count_by_status(statuses):
    limit = accsyn.RateLimit(rate=30, burst=60)  # accsyn's edge limits
    async with workspace.async_session(rate_limit=limit) as s:
        found = await asyncio.gather(
            *(s.find(f"transfer WHERE status={x}") for x in statuses)
        )
    return {x: len(f) for x, f in zip(statuses, found)}

print(asyncio.run(count_by_status(["waiting", "paused", "failed"])))
""",
    ),
)


def _run_screen(screen: Screen, namespace: dict[str, Any]) -> tuple[str, BaseException | None]:
    out = io.StringIO()
    try:
        with redirect_stdout(out):
            exec(compile(screen.code, f"<demo: {screen.title}>", "exec"), namespace)
    except KeyboardInterrupt:
        raise
    except BaseException as exc:
        return out.getvalue(), exc
    return out.getvalue(), None


def _panel(screen: Screen, output: str, error: BaseException | None) -> Panel:
    parts: list[RenderableType] = [
        Text(screen.intro, style="italic"),
        Text(""),
        Syntax(
            screen.code.rstrip(),
            "python",
            theme="ansi_dark",
            background_color="default",
            word_wrap=True,
        ),
        Rule(style="dim"),
    ]
    if output.strip():
        parts.append(Text(output.rstrip()))
    if error is not None:
        reason = str(error).splitlines()[0] if str(error) else ""
        parts.append(
            Text(
                f"(this screen is not available in this build: {type(error).__name__}"
                + (f": {reason}" if reason else "")
                + ")",
                style="yellow",
            )
        )
    return Panel(Group(*parts), title=f"[bold]{screen.title}[/bold]", title_align="left")


def run_demo(console: Console, *, screens: tuple[Screen, ...] = SCREENS) -> list[str]:
    """Play the tour on ``console``; return the titles of screens that could not run."""
    console.print(
        Panel(
            Text.assemble(
                ("accsyn", "bold cyan"),
                " — the typed Python SDK for accsyn\n",
                "A tour on an embedded local workspace: everything below really runs.",
            ),
            border_style="cyan",
        )
    )
    stderr = Console(stderr=True)
    namespace: dict[str, Any] = {"__name__": "accsyn_demo", "console": stderr}
    failed: list[str] = []
    started = time.perf_counter()
    with ExitStack() as stack:
        # Screens open the workspace and session; close them whatever happens.
        stack.callback(_close_namespace, namespace)
        for screen in screens:
            output, error = _run_screen(screen, namespace)
            if error is not None:
                failed.append(screen.title)
            console.print(_panel(screen, output, error))
    elapsed = time.perf_counter() - started
    console.print(
        Text(
            f'Done in {elapsed:.1f}s. Next: `accsyn find "transfer WHERE status=failed" --local`, '
            "`accsyn query check`, `accsyn serve`.",
            style="dim",
        )
    )
    return failed


def _close_namespace(namespace: dict[str, Any]) -> None:
    closers: list[Callable[[], object]] = []
    session = namespace.get("session")
    if session is not None and callable(getattr(session, "close", None)):
        closers.append(session.close)
    workspace = namespace.get("workspace")
    if workspace is not None and callable(getattr(workspace, "__exit__", None)):
        closers.append(lambda: workspace.__exit__(None, None, None))
    for close in closers:
        # Best-effort cleanup at the end of a demo: a failing close must not hide the tour.
        with suppress(Exception):
            close()
