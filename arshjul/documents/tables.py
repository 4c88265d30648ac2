"""Tables: a repeating header row, right-aligned figures in tkr, a bold totals row."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Collection, Sequence
from functools import lru_cache

from docx.document import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Emu, Pt
from docx.styles.style import BaseStyle
from docx.table import Table, _Cell

from arshjul.documents import ooxml
from arshjul.documents.base import has_style, text_width
from arshjul.formats import format_tkr

Cell = str | int | None
"""A table cell: text as it is shown, or whole kronor (an ``int``) shown in tkr."""

TABLE_STYLES = ("Årshjul tabell", "Table Grid")
KEEP_TOGETHER_ROWS = 25  # a table this short is kept on one page
# Widths in ems of the characters in figures, bold (the totals row), from the fonts'
# advance widths. Calibri's metrics (Carlito has the same) when the table's font
# resolves to one of them on this machine, where LibreOffice writes the PDF; else
# DejaVu Sans Bold's, the widest font LibreOffice falls back to, so that
# "1 001 005,0" stays on one line on a server without Carlito too (there it broke
# into "1 001 00" over "5,0"). Calibri's are 5 % generous: Word and LibreOffice
# kern and round differently.
Metrics = tuple[dict[str, float], float]
_CALIBRI: Metrics = (
    {
        **dict.fromkeys("0123456789", 0.507 * 1.05),
        **dict.fromkeys(" \u00a0\u202f", 0.226 * 1.05),
        **dict.fromkeys(",.:", 0.258 * 1.05),
        "\u2212": 0.498 * 1.05,
        "-": 0.306 * 1.05,
        "%": 0.729 * 1.05,
    },
    0.50,  # any other character: a letter, on average, generously
)
_DEJAVU: Metrics = (
    {
        **dict.fromkeys("0123456789", 0.696),
        **dict.fromkeys(" \u00a0\u202f", 0.348),
        **dict.fromkeys(",.:", 0.380),
        "\u2212": 0.838,
        "-": 0.415,
        "%": 1.002,
    },
    0.66,
)
PT_PER_CM = 72 / 2.54
CELL_MARGINS_CM = 0.30 + 0.10  # the table style's left and right margins, and some air
MIN_NUMERIC_CM = 2.0
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
    return text_width(document)


@lru_cache(maxsize=16)
def _resolves_to_calibri(font: str, fontconfig_file: str | None) -> bool:
    """Whether fontconfig here draws ``font`` with Calibri or Carlito (fc-match)."""
    program = shutil.which("fc-match")
    if program is None:
        return False
    try:
        found = subprocess.run(
            [program, "-f", "%{family}", font], capture_output=True, text=True, timeout=10
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return False
    return any(name in found for name in ("Calibri", "Carlito"))


def metrics_for(font: str) -> Metrics:
    """Calibri's metrics when ``font`` is drawn with Calibri or Carlito here, else DejaVu's."""
    calibri = _resolves_to_calibri(font, os.environ.get("FONTCONFIG_FILE"))
    return _CALIBRI if calibri else _DEJAVU


def text_width_cm(text: str, font_pt: float = DEFAULT_FONT_PT, metrics: Metrics = _DEJAVU) -> float:
    """How wide ``text`` is at most on one line (DejaVu Sans Bold unless told)."""
    widths, other = metrics
    ems = sum(widths.get(char, other) for char in text)
    return ems * font_pt / PT_PER_CM


def needed_cm(
    texts: Sequence[str], font_pt: float = DEFAULT_FONT_PT, metrics: Metrics = _DEJAVU
) -> float:
    """The width a numeric column cannot do without: its longest figure on one line.
    Figures carry no-break spaces, so a narrower column splits them anywhere
    ("1 001 00" over "5,0"). ``texts`` is the column, the header first."""
    widest = max((text_width_cm(t, font_pt, metrics) for t in texts[1:] if t), default=0.0)
    return widest + CELL_MARGINS_CM


def _longest_word_cm(texts: Sequence[str], font_pt: float, metrics: Metrics) -> float:
    words = [w for t in texts for w in t.split()]
    widest = max((text_width_cm(w, font_pt, metrics) for w in words), default=0.0)
    return widest + CELL_MARGINS_CM


def column_widths(
    total: int,
    texts: Sequence[Sequence[str]],
    numeric: Collection[int],
    widths_cm: Sequence[float] | None = None,
    *,
    font_pt: float = DEFAULT_FONT_PT,
    metrics: Metrics = _DEJAVU,
) -> list[int]:
    """Widths in EMU that never break a figure, with the rest of the room by priority.

    First every figure column gets its longest figure (:func:`needed_cm`). Then, as far
    as the room goes: each column its longest word (a header word, a committee's name),
    so no word is split; then the text columns their longest line, so they wrap less.
    Given widths (a layout's proportions) replace the last two steps, but a figure
    column narrower than its figures is still widened, taking from the text columns.
    ``texts`` holds each column's texts, the header first.
    """
    count = len(texts)
    cm = int(Cm(1))
    need = [
        int(needed_cm(texts[i], font_pt, metrics) * cm) if i in numeric else 0 for i in range(count)
    ]
    text_columns = [i for i in range(count) if i not in numeric]
    if widths_cm is not None:
        if len(widths_cm) != count:
            raise ValueError(f"{len(widths_cm)} widths for {count} columns")
        given = [int(Cm(w)) for w in widths_cm]
        widths = [max(g, n) for g, n in zip(given, need, strict=True)]
        return _shrink(widths, need, text_columns, sum(given))
    word = [int(_longest_word_cm(texts[i], font_pt, metrics) * cm) for i in range(count)]
    longest = [max(text_width_cm(t, font_pt, metrics) for t in column) for column in texts]
    line = [  # a text column's longest line (up to 8 cm: beyond, it wraps anyway)
        int((min(longest[i], 8.0) + CELL_MARGINS_CM) * cm) if i in text_columns else 0
        for i in range(count)
    ]
    widths = need[:]
    for i in numeric:  # a figure column looks cramped below 2 cm, if there is room
        word[i] = max(word[i], need[i], int(Cm(MIN_NUMERIC_CM)))
    for want in (word, line):
        _grow(widths, want, total)
    spare = total - sum(widths)
    takers = text_columns or list(range(count))
    if spare > 0:
        for i in takers:
            widths[i] += spare // len(takers)
    return _shrink(widths, need, text_columns, total)


def _grow(widths: list[int], want: Sequence[int], total: int) -> None:
    """Raise each column towards ``want``, in proportion to what it lacks, within ``total``."""
    lack = [max(w - have, 0) for w, have in zip(want, widths, strict=True)]
    room = total - sum(widths)
    if room <= 0 or not sum(lack):
        return
    share = min(1.0, room / sum(lack))
    for i, missing in enumerate(lack):
        widths[i] += int(missing * share)


def _shrink(widths: list[int], need: list[int], text_columns: list[int], total: int) -> list[int]:
    """Bring the sum down to ``total``: text columns give way first (to a floor of 1 cm),
    then figure columns above their need; only figures wider than the page together
    squeeze the whole table."""
    floor = int(Cm(1.0))
    for pool in (
        {i: widths[i] - floor for i in text_columns},
        {i: widths[i] - need[i] for i in range(len(widths)) if i not in text_columns},
    ):
        excess = sum(widths) - total
        room = sum(max(v, 0) for v in pool.values())
        if excess <= 0 or room <= 0:
            continue
        take = min(excess, room)
        for i, spare in pool.items():
            widths[i] -= take * max(spare, 0) // room
    if sum(widths) > total:
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
        font = getattr(candidate, "font", None)  # paragraph and table styles have one
        size = font.size if font is not None else None
        if size is not None:
            return size.pt
    return 11.0


def _font_name(document: Document) -> str:
    """The body font: the Normal style's, else the document defaults', else the theme's
    minor font, which is Calibri in Word's own templates and in ours."""
    named = document.styles["Normal"].font.name
    if named:
        return named
    defaults = document.styles.element.find(qn("w:docDefaults"))
    fonts = defaults.find(".//" + qn("w:rFonts")) if defaults is not None else None
    ascii_font = fonts.get(qn("w:ascii")) if fonts is not None else None
    return ascii_font or "Calibri"


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
        usable_width(document),
        by_column,
        numeric,
        widths_cm,
        font_pt=_font_pt(document, style),
        metrics=metrics_for(_font_name(document)),
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
