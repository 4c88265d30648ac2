"""Tables: a repeating header row, right-aligned figures in tkr, a bold totals row."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from docx.document import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Emu, Pt
from docx.table import Table, _Cell

from arshjul.documents import ooxml
from arshjul.documents.base import has_style
from arshjul.formats import format_tkr

Cell = str | int | None
"""A table cell: text as it is shown, or whole kronor (an ``int``) shown in tkr."""

TABLE_STYLES = ("Årshjul tabell", "Table Grid")
KEEP_TOGETHER_ROWS = 25  # a table this short is kept on one page
CM_PER_CHAR = 0.25  # a bold digit at 11 pt is about 0.23 cm wide
PADDING_CM = 0.45  # cell margins
MIN_NUMERIC_CM, MAX_NUMERIC_CM = 2.0, 4.5
MIN_TEXT_WIDTH = Cm(3.5)
EMU_PER_TWIP = 635


def format_cell(value: Cell) -> str:
    """Kronor as tkr without unit (``1 234,5``), text cleaned, ``None`` empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        raise TypeError("a table cell cannot be a bool")
    if isinstance(value, int):
        return format_tkr(value, unit=False)
    return ooxml.clean_text(value)


def usable_width(document: Document) -> int:
    """The text width of the last section in EMU."""
    section = document.sections[-1]
    width, left, right = section.page_width, section.left_margin, section.right_margin
    if width is None or left is None or right is None:
        raise TypeError("the document's last section has no page width or margins")
    return int(width - left - right)


def column_widths(
    total: int,
    texts: Sequence[Sequence[str]],
    numeric: Collection[int],
    widths_cm: Sequence[float] | None = None,
) -> list[int]:
    """Widths in EMU: given ones, or numeric columns as wide as their longest figure (so
    figures never wrap) and the text columns sharing what is left.

    ``texts`` holds each column's texts, the header first.
    """
    count = len(texts)
    if widths_cm is not None:
        if len(widths_cm) != count:
            raise ValueError(f"{len(widths_cm)} widths for {count} columns")
        return [int(Cm(w)) for w in widths_cm]
    widths = [0] * count
    for i in numeric:
        header_word = max((len(w) for w in texts[i][0].split()), default=0)
        chars = max([header_word, *(len(t) for t in texts[i][1:])])
        cm = min(max(CM_PER_CHAR * chars + PADDING_CM, MIN_NUMERIC_CM), MAX_NUMERIC_CM)
        widths[i] = int(Cm(cm))
    text_columns = [i for i in range(count) if i not in numeric]
    used = sum(widths)
    if not text_columns:
        return [w * total // used for w in widths] if used else widths
    room = int(MIN_TEXT_WIDTH) * len(text_columns)
    if used and total - used < room:
        widths = [w * (total - room) // used for w in widths]
    share = (total - sum(widths)) // len(text_columns)
    return [share if i in text_columns else w for i, w in enumerate(widths)]


def _write(cell: _Cell, text: str, *, right: bool, bold: bool, width: int, keep: bool) -> None:
    cell.width = Emu(width)
    paragraph = cell.paragraphs[0]
    if keep:
        paragraph.paragraph_format.keep_with_next = True
    paragraph.paragraph_format.space_before = Pt(1)
    paragraph.paragraph_format.space_after = Pt(1)
    paragraph.paragraph_format.line_spacing = 1.0
    if right:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    if text:
        run = paragraph.add_run(text)
        if bold:
            run.bold = True


def add_table(
    document: Document,
    columns: Sequence[str],
    rows: Sequence[Sequence[Cell]],
    *,
    totals: Sequence[Cell] | None = None,
    numeric_columns: Collection[int] | None = None,
    widths_cm: Sequence[float] | None = None,
    caption: str = "",
) -> Table:
    """Append a table; numeric columns default to every column but the first."""
    count = len(columns)
    numeric = set(range(1, count)) if numeric_columns is None else set(numeric_columns)
    body = [list(r) for r in rows] + ([list(totals)] if totals is not None else [])
    for row in body:
        if len(row) != count:
            raise ValueError(f"row {row!r} has {len(row)} cells, the table {count} columns")
    texts = [[ooxml.clean_text(name) for name in columns]]
    texts += [[format_cell(value) for value in row] for row in body]
    by_column = [[row[i] for row in texts] for i in range(count)]
    widths = column_widths(usable_width(document), by_column, numeric, widths_cm)
    table = document.add_table(rows=1 + len(body), cols=count)
    for name in TABLE_STYLES:
        if has_style(document, name):
            table.style = document.styles[name]
            break
    table.alignment = WD_TABLE_ALIGNMENT.LEFT
    table.autofit = False
    for index, width in enumerate(widths):
        table.columns[index].width = Emu(width)
    all_rows = table.rows
    ooxml.mark_header_row(all_rows[0]._tr)
    for index, (cell, text) in enumerate(zip(all_rows[0].cells, texts[0], strict=True)):
        _write(cell, text, right=index in numeric, bold=True, width=widths[index], keep=True)
    last = len(body) - 1
    keep = len(body) <= KEEP_TOGETHER_ROWS
    for row_index in range(len(body)):
        row = all_rows[row_index + 1]
        ooxml.keep_row_together(row._tr)
        bold = totals is not None and row_index == last
        keep_row = keep and row_index != last
        for index, (cell, value) in enumerate(zip(row.cells, texts[row_index + 1], strict=True)):
            _write(
                cell,
                value,
                right=index in numeric,
                bold=bold,
                width=widths[index],
                keep=keep_row,
            )
    ooxml.set_table_properties(
        table._tbl,
        width_twips=sum(widths) // EMU_PER_TWIP,
        caption=caption,
        last_row=totals is not None,
    )
    return table
