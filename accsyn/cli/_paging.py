"""Fetch a large result page by page, with a progress bar on stderr."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import nullcontext
from typing import Any

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

from accsyn._paging import Pager

__all__ = ["fetch_pages", "make_progress"]


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


def fetch_pages(
    session: Any,
    query: Any,
    *,
    limit: int | None = None,
    offset: int = 0,
    page_size: int = 100,
    attributes: Sequence[str] | None = None,
    finished: bool | None = None,
    inactive: bool | None = None,
    archived: bool | None = None,
    console: Console | None = None,
    progress: Progress | None = None,
) -> Iterator[list[Any]]:
    """Yield successive pages of ``session.find(query)`` (wire dicts) until done.

    ``limit`` caps the total (``None``: everything); ``offset`` skips that many first.
    Paging is driven by the SDK's :class:`accsyn._paging.Pager`, so an entity is never
    yielded twice even if the result set shifts while it is read.
    """
    own = progress is None
    if progress is None:
        progress = make_progress(console or Console(stderr=True), known_total=limit is not None)
    pager = Pager(offset=offset, limit=limit, page_size=page_size)
    with progress if own else nullcontext():
        task = progress.add_task("fetching", total=limit)
        while (req := pager.next_request()) is not None:
            rows = session.find(
                query,
                attributes=list(attributes) if attributes else None,
                finished=finished,
                inactive=inactive,
                archived=archived,
                limit=req.limit,
                # The official client drops a falsy skip; so do we.
                skip=req.skip or None,
                raw=True,
            )
            new = [dict(row) for row in pager.feed(list(rows))]
            progress.advance(task, len(new))
            if new:
                yield new
