"""Tables: a repeating header row, right-aligned figures in tkr, a bold totals row."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from docx.document import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Emu, Pt
from docx.styles.style import BaseStyle
from docx.table import Table, _Cell

from arshjul.documents import ooxml
from arshjul.documents.base import has_style
from arshjul.formats import format_tkr

Cell = str | int | None
"""A table cell: text as it is shown, or whole kronor (an ``int``) shown in tkr."""

TABLE_STYLES = ("Årshjul tabell", "Table Grid")
KEEP_TOGETHER_ROWS = 25  # a table this short is kept on one page
# A figure's width, in ems, in the widest font LibreOffice may fall back to when the
# template's font is missing: DejaVu Sans Bold (Carlito, Calibri's stand-in, is about
# 25 % narrower). Measured from the font's advance widths; measuring against the widest
# font is what keeps "1 001 005,0" on one line on a server without Carlito.
_EM_WIDTHS = {
    **dict.fromkeys("0123456789", 0.70),
    **dict.fromkeys(" \u00a0\u202f", 0.35),
    **dict.fromkeys(",.:", 0.38),
    "\u2212": 0.84,
    "-": 0.42,
    "%": 1.00,
}
_EM_OTHER = 0.78  # a letter in a header word, generously
PT_PER_CM = 72 / 2.54
CELL_MARGINS_CM = 0.30 + 0.10  # the table style's left and right margins, and some air
MIN_NUMERIC_CM, MAX_NUMERIC_CM = 2.0, 4.5
MIN_TEXT_WIDTH = Cm(3.5)
DEFAULT_FONT_PT = 10.0  # "Årshjul tabell"
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


def text_width_cm(text: str, font_pt: float = DEFAULT_FONT_PT) -> float:
    """How wide ``text`` is at most, on one line, in the widest fallback font."""
    ems = sum(_EM_WIDTHS.get(char, _EM_OTHER) for char in text)
    return ems * font_pt / PT_PER_CM


def needed_cm(texts: Sequence[str], font_pt: float = DEFAULT_FONT_PT) -> float:
    """The width a numeric column needs so that no figure, and no word of its header,
    breaks: figures carry no-break spaces, so a narrower column would split them
    anywhere ("1 001 00" over "5,0")."""
    header_words = texts[0].split() if texts else []
    widest = max(
        (text_width_cm(t, font_pt) for t in [*header_words, *texts[1:]] if t),
        default=0.0,
    )
    return widest + CELL_MARGINS_CM


def column_widths(
    total: int,
    texts: Sequence[Sequence[str]],
    numeric: Collection[int],
    widths_cm: Sequence[float] | None = None,
    *,
    font_pt: float = DEFAULT_FONT_PT,
) -> list[int]:
    """Widths in EMU: numeric columns at least as wide as their longest figure, text
    columns (which may wrap) sharing what is left.

    Given widths are a layout's proportions: a numeric column narrower than its
    figures is widened, and the width is taken from the text columns.
    ``texts`` holds each column's texts, the header first.
    """
    count = len(texts)
    need = [int(Cm(needed_cm(texts[i], font_pt))) if i in numeric else 0 for i in range(count)]
    text_columns = [i for i in range(count) if i not in numeric]
    if widths_cm is not None:
        if len(widths_cm) != count:
            raise ValueError(f"{len(widths_cm)} widths for {count} columns")
        widths = [max(int(Cm(w)), need[i]) for i, w in enumerate(widths_cm)]
        return _fit(widths, need, text_columns, int(Cm(sum(widths_cm))))
    widths = [0] * count
    for i in numeric:
        nice = min(max(need[i], int(Cm(MIN_NUMERIC_CM))), int(Cm(MAX_NUMERIC_CM)))
        widths[i] = max(nice, need[i])
    if not text_columns:
        used = sum(widths)
        spare = max(total - used, 0) // max(len(widths), 1)
        return _fit([w + spare for w in widths], need, [], total)
    share = max(total - sum(widths), 0) // len(text_columns)
    widths = [share if i in text_columns else w for i, w in enumerate(widths)]
    for i in text_columns:
        widths[i] = max(widths[i], min(int(MIN_TEXT_WIDTH), share))
    return _fit(widths, need, text_columns, total)


def _fit(widths: list[int], need: list[int], text_columns: list[int], total: int) -> list[int]:
    """Bring the widths' sum to ``total``: text columns give way first (down to a third of
    their minimum), then numeric columns above what they need; only a table whose
    figures alone are wider than the page is squeezed as a whole."""
    excess = sum(widths) - total
    if excess <= 0:
        if text_columns:  # room left: the text columns take it
            extra = -excess // len(text_columns)
            return [w + extra if i in text_columns else w for i, w in enumerate(widths)]
        return widths
    floor = int(MIN_TEXT_WIDTH) // 3
    for pool in (
        {i: widths[i] - floor for i in text_columns},
        {i: widths[i] - need[i] for i in range(len(widths)) if i not in text_columns},
    ):
        room = sum(max(v, 0) for v in pool.values())
        if room <= 0 or excess <= 0:
            continue
        take = min(excess, room)
        for i, spare in pool.items():
            widths[i] -= take * max(spare, 0) // room
        excess = sum(widths) - total
    if excess > 0:
        scale = total / sum(widths)
        widths = [int(w * scale) for w in widths]
    return widths


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


def _font_pt(document: Document, style: BaseStyle | None) -> float:
    """The table's text size: its style's, else the Normal style's, else Word's 11 pt."""
    for candidate in (style, document.styles["Normal"]):
        size = candidate.font.size if candidate is not None else None  # type: ignore[attr-defined]
        if size is not None:
            return size.pt
    return 11.0


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
    style = next((document.styles[n] for n in TABLE_STYLES if has_style(document, n)), None)
    widths = column_widths(
        usable_width(document), by_column, numeric, widths_cm, font_pt=_font_pt(document, style)
    )
    table = document.add_table(rows=1 + len(body), cols=count)
    if style is not None:
        table.style = style
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
