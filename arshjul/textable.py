"""Plain-text tables for the terminal and for pipes, laid out by rich.

One place for how tables look, shared by ``arshjul calendar`` and ``arshjul status``:
no colours or escape codes, only a rule under the headers, every cell on one line
(a pipe or a file gets the whole table, a narrow terminal wraps the lines itself),
and cells taken literally (a name with ``[brackets]`` or ``:colons:`` is not markup).
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

# Wide enough that rich never wraps or shortens a cell: the table keeps its natural width.
_UNLIMITED = 10_000


def render(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """Columns as wide as their widest cell, two spaces apart, a rule under the headers."""
    table = Table(
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
        # One space on the right of each cell plus the one-space divider: two apart.
        padding=(0, 1, 0, 0),
        header_style="",
    )
    for header in headers:
        table.add_column(Text(str(header)), no_wrap=True)
    for row in rows:
        table.add_row(*(Text(str(cell)) for cell in row))
    out = io.StringIO()
    console = Console(
        file=out,
        width=_UNLIMITED,
        color_system=None,
        force_terminal=False,
        force_jupyter=False,
        no_color=True,
        markup=False,
        emoji=False,
        highlight=False,
    )
    console.print(table)
    return "\n".join(line.rstrip() for line in out.getvalue().splitlines())
