"""Plain-text tables for the terminal."""

from __future__ import annotations

from collections.abc import Sequence

_GAP = "  "


def render(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """Columns padded to their widest cell, a rule under the headers."""
    widths = [max(len(str(row[i])) for row in (headers, *rows)) for i in range(len(headers))]

    def line(cells: Sequence[str]) -> str:
        return _GAP.join(str(c).ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()

    return "\n".join(
        [line(headers), _GAP.join("─" * w for w in widths), *(line(row) for row in rows)]
    )
