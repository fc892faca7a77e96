"""Listings that never break a word: a table when it fits, fewer columns when not, one block per record at last.

A cell is never wrapped: an id cut into ``job_3f…`` / ``9a`` cannot be copied into the next command, and
``deag`` / ``e`` reads as two words. So a listing is laid out at the width it has (``COLUMNS``, or the
terminal's), in the first of these shapes that fits:

1. every column, each cell whole on its line;
2. the same without the columns the caller marked as optional, least important first (a note says which);
3. one block per record: the first column as its title, then one ``field  value`` line per other column.

In a pipe without ``COLUMNS`` there is no width to fit: every record is one line of the full table, for
``grep`` and ``cut``.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from rich.box import SIMPLE_HEAD
from rich.cells import cell_len
from rich.console import Console
from rich.table import Column, Table

from greenlight.cli.common import console

GAP = 2  # spaces between two columns


def print_listing(headers: Sequence[str], rows: Sequence[Sequence[str]], optional: Sequence[str] = ()) -> None:
    """Print ``rows`` under ``headers`` in the first shape that fits the output's width (see the module).

    Args:
        headers: column names; the first column names each record (an id, a code, a name).
        rows: one sequence of cell texts per record, in header order.
        optional: columns that may be left out to fit, least important first.
    """
    rows = [tuple(str(cell) for cell in row) for row in rows]
    width = available_width()
    shown = list(headers)
    dropped: list[str] = []
    for column in [None, *optional]:
        if column is not None:
            shown.remove(column)
            dropped.append(column)
        if width is None or table_width(shown, _cells(headers, rows, shown)) <= width:
            cells = _cells(headers, rows, shown)
            # Its own console: the shared one would cap a pipe's table at 80 columns.
            out = Console(width=width or table_width(shown, cells), highlight=False, markup=False,
                          force_terminal=console.is_terminal or None, no_color=console.no_color)
            out.print(_table(shown, cells))
            if dropped:
                console.print(f"(not shown at this width: {', '.join(dropped)}; widen the terminal or use --json)")
            return
    _print_blocks(headers, rows)


def available_width() -> int | None:
    """The width to fit: ``COLUMNS`` when set, else the terminal's; None in a pipe (no limit)."""
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    return console.width if console.is_terminal else None


def table_width(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> int:
    """Characters a table of these cells takes when no cell wraps."""
    widths = [max([cell_len(h), *(cell_len(r[i]) for r in rows)]) for i, h in enumerate(headers)]
    return sum(widths) + GAP * (len(widths) - 1)


def _cells(headers: Sequence[str], rows: Sequence[Sequence[str]], shown: Sequence[str]) -> list[tuple[str, ...]]:
    keep = [headers.index(h) for h in shown]
    return [tuple(row[i] for i in keep) for row in rows]


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> Table:
    table = Table(*(Column(h, no_wrap=True, overflow="ignore") for h in headers), box=SIMPLE_HEAD,
                  padding=(0, GAP // 2), collapse_padding=True, pad_edge=False, show_edge=False, expand=False)
    for row in rows:
        table.add_row(*row)
    return table


def _print_blocks(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    label = max(cell_len(h) for h in headers[1:]) if len(headers) > 1 else 0
    for n, row in enumerate(rows):
        if n:
            console.print()
        console.print(row[0], style="bold")
        for header, cell in zip(headers[1:], row[1:], strict=True):
            console.print(f"  {header:<{label}}  {cell}")
