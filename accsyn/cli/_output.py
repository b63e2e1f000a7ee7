"""Printing results: rich tables for people, JSON lines and CSV for scripts.

Tables show sizes and dates for people (``1.2 GB``, ``2026-01-31 14:02``) unless
``raw``; JSON and CSV always carry the wire values. Cells are shortened to fit a
terminal only when stdout is one and ``--wide`` was not given: piped output is never
truncated.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from enum import Enum
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

__all__ = [
    "PREFERRED_COLUMNS",
    "choose_columns",
    "display_row",
    "human_size",
    "json_line",
    "print_csv",
    "print_record",
    "print_table",
    "to_row",
]

#: Columns shown first in a table when the user did not ``--select``.
PREFERRED_COLUMNS = (
    "id",
    "name",
    "code",
    "status",
    "role",
    "progress",
    "size",
    "priority",
    "created",
)
_MAX_DEFAULT_COLUMNS = 6
_MAX_CELL = 60


def _default(value: object) -> object:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    return str(value)


def to_row(entity: object) -> dict[str, Any]:
    """The wire dict of an entity (a model or already a dict)."""
    if isinstance(entity, Mapping):
        return dict(entity)
    to_wire = getattr(entity, "to_wire", None)
    if callable(to_wire):
        row = to_wire()
        if isinstance(row, Mapping):
            return dict(row)
    raise TypeError(f"cannot print a {type(entity).__name__}")


_SIZE_UNITS = ("B", "kB", "MB", "GB", "TB", "PB")


def human_size(size: int) -> str:
    """Bytes in decimal units, e.g. ``1.2 GB`` (negative sizes mean "not measured yet")."""
    if size < 0:
        return ""
    value = float(size)
    for unit in _SIZE_UNITS:
        if value < 1000 or unit == _SIZE_UNITS[-1]:
            return f"{size} B" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1000
    raise AssertionError("unreachable")  # pragma: no cover


def _is_size(name: str) -> bool:
    return name == "size" or name.endswith("_size")


def display_row(entity: object, *, raw: bool = False) -> dict[str, Any]:
    """The row a person reads: the wire dict, with dates and sizes made readable.

    Dates are taken from the model (already decoded, in UTC), so no date format is
    parsed here; ``raw`` keeps the wire values.
    """
    row = to_row(entity)
    if raw:
        return row
    get = getattr(entity, "get", None) if not isinstance(entity, Mapping) else None
    for key, wire in row.items():
        value = get(key) if callable(get) else wire
        if isinstance(value, datetime):
            row[key] = value.strftime("%Y-%m-%d %H:%M")
        elif _is_size(key) and isinstance(wire, int) and not isinstance(wire, bool):
            row[key] = human_size(wire)
    return row


def json_line(row: Mapping[str, Any]) -> str:
    """One compact JSON object on one line."""
    return json.dumps(row, default=_default, ensure_ascii=False)


def choose_columns(rows: Sequence[Mapping[str, Any]], select: Sequence[str] | None) -> list[str]:
    """The selected attributes, or the most telling ones present in the rows."""
    if select:
        return list(select)
    seen: dict[str, None] = {}
    for row in rows:
        for key in row:
            seen.setdefault(key, None)
    preferred = [c for c in PREFERRED_COLUMNS if c in seen]
    if (
        "name" in preferred
        and "code" in preferred
        and all(row.get("name") == row.get("code") for row in rows)
    ):
        preferred.remove("code")  # transfers repeat their name as code
    rest = [c for c in seen if c not in preferred and not c.endswith("_hr")]
    return (preferred + rest)[:_MAX_DEFAULT_COLUMNS]


def _cell(value: object, limit: int | None = _MAX_CELL) -> str:
    if value is None:
        return ""
    if isinstance(value, Mapping | list | tuple):
        text = json.dumps(value, default=_default, ensure_ascii=False)
    elif isinstance(value, datetime | date | Enum):
        text = str(_default(value))
    else:
        text = str(value)
    return text if limit is None or len(text) <= limit else text[: limit - 1] + "…"


def print_table(
    console: Console,
    rows: Sequence[Mapping[str, Any]],
    columns: Sequence[str],
    *,
    title: str | None = None,
    wide: bool | None = None,
) -> None:
    """A rich table of ``rows`` restricted to ``columns``.

    ``wide`` shows every cell in full, however wide the table gets; by default it is
    on when ``console`` is not a terminal (piped output is never truncated).
    """
    if wide is None:
        wide = not console.is_terminal
    table = Table(title=title, header_style="bold cyan", show_lines=False)
    cells = [[_cell(row.get(c), None if wide else _MAX_CELL) for c in columns] for row in rows]
    widths = _natural_widths(columns, cells)
    if not wide:
        widths = _fit_widths(widths, columns, console.width)
    for column, width in zip(columns, widths, strict=True):
        table.add_column(column, no_wrap=True, overflow="ellipsis", width=width)
    for row_cells in cells:
        # Text, not str: values like "user:x[standard](id)" are data, not rich markup.
        table.add_row(*(Text(cell) for cell in row_cells))
    if wide:
        # Each column has one space of padding either side and a border after it.
        needed = sum(widths) + 3 * len(columns) + 1
        width = console.width
        console.width = max(needed, width)
        try:
            console.print(table, crop=False)
        finally:
            console.width = width
    else:
        console.print(table)


_MIN_COLUMN = 8


def _natural_widths(columns: Sequence[str], cells: Sequence[Sequence[str]]) -> list[int]:
    return [max([len(c), *(len(row[i]) for row in cells)]) for i, c in enumerate(columns)]


def _fit_widths(widths: list[int], columns: Sequence[str], total: int) -> list[int]:
    """Column widths that fit ``total`` characters, shrinking the widest columns first.

    Ids are copied into the next command, so an ``id`` column is never shrunk.
    """
    widths = list(widths)
    # Each column has one space of padding either side and a border after it.
    budget = total - (3 * len(columns) + 1)
    shrinkable = [i for i, c in enumerate(columns) if c != "id"]
    while sum(widths) > budget:
        widest = max(shrinkable, key=lambda i: widths[i], default=None)
        if widest is None or widths[widest] <= _MIN_COLUMN:
            break
        widths[widest] -= 1
    return widths


def print_record(console: Console, row: Mapping[str, Any], *, title: str | None = None) -> None:
    """One entity as a two-column attribute/value table."""
    table = Table(title=title, show_header=False, header_style="bold cyan")
    table.add_column("attribute", style="bold")
    table.add_column("value", overflow="fold")
    for key, value in row.items():
        table.add_row(Text(key), Text(_cell(value, None)))
    console.print(table)


def print_csv(
    out: io.TextIOBase | Any, rows: Iterable[Mapping[str, Any]], columns: Sequence[str]
) -> None:
    """CSV with a header line; nested values are written as JSON."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        values = []
        for column in columns:
            value = row.get(column)
            if value is None:
                values.append("")
            elif isinstance(value, Mapping | list | tuple):
                values.append(json.dumps(value, default=_default, ensure_ascii=False))
            else:
                values.append(str(_default(value)) if not isinstance(value, str) else value)
        writer.writerow(values)
