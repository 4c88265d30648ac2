"""Reading an import file (CSV or XLSX) into a header and numbered rows.

The format is decided by the file's content, never by its name: an XLSX is a
zip with ``xl/workbook.xml``, everything else must be text. Row numbers are the
ones Excel shows (the header is row 1), so that a message can point at a cell.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from arshjul.errors import ArshjulError

#: A cell as read: text from a CSV, or whatever openpyxl gives (number, date, bool, text).
Cell = str | int | float | Decimal | dt.datetime | dt.date | dt.time | bool | None

MAX_BYTES = 50 * 1024 * 1024
MAX_ROWS = 200_000

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP = b"PK\x03\x04"


@dataclass(frozen=True)
class Row:
    """One row of data: its number as Excel shows it, and its cells left to right."""

    number: int
    cells: tuple[Cell, ...]


@dataclass(frozen=True)
class Table:
    """A file's header row and its non-empty data rows."""

    file: str
    format: str  # "csv" or "xlsx"
    header_row: int
    headers: tuple[str, ...]
    rows: tuple[Row, ...]
    content: bytes

    @property
    def empty(self) -> bool:
        return not self.rows


def _refuse(file: str, message: str) -> ArshjulError:
    return ArshjulError(f"{file} kan inte importeras: {message}. Inget har ändrats.")


def read_table(path: Path) -> Table:
    """The header and the non-empty rows of a CSV or XLSX file; refuse anything else."""
    file = path.name
    try:
        if path.is_dir():
            raise _refuse(file, "det är en mapp, ingen fil")
        if path.stat().st_size > MAX_BYTES:
            raise _refuse(file, f"filen är större än {MAX_BYTES // (1024 * 1024)} MB")
        content = path.read_bytes()
    except FileNotFoundError:
        raise ArshjulError(f"Filen {path} finns inte.") from None
    except OSError as exc:
        raise ArshjulError(f"Filen {path} kunde inte läsas: {exc.strerror}.") from None
    return read_bytes(file, content)


def read_bytes(file: str, content: bytes) -> Table:
    """As :func:`read_table`, for content already in memory (``file`` names it in messages)."""
    if not content.strip(b" \t\r\n\x00\xef\xbb\xbf\xff\xfe"):
        raise _refuse(file, "filen är tom")
    if content.startswith(_ZIP):
        return _read_xlsx(file, content)
    if content.startswith(_OLE):
        raise _refuse(
            file,
            "filen är i Excels gamla format (.xls) eller en lösenordsskyddad arbetsbok; "
            "öppna den i Excel och spara som .xlsx (Excel-arbetsbok) utan lösenord",
        )
    if content.startswith(b"%PDF"):
        raise _refuse(file, "filen är en PDF, varken CSV eller Excel")
    text = _decode(file, content)
    return _read_csv(file, text, content)


def _decode(file: str, content: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM, else Windows-1252 as Excel saves it."""
    not_table = "filen är varken CSV eller Excel (den innehåller binära data)"
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = content.decode("utf-16")
        except UnicodeDecodeError:
            raise _refuse(file, not_table) from None
    else:
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                text = content.decode("cp1252")
            except UnicodeDecodeError:
                raise _refuse(file, not_table) from None
    if any(ord(ch) < 32 and ch not in "\t\r\n\x0c" for ch in text):
        raise _refuse(file, not_table)
    if text.lstrip().startswith("<"):
        raise _refuse(file, "filen är en webbsida eller XML, varken CSV eller Excel")
    return text


def _read_csv(file: str, text: str, content: bytes) -> Table:
    lines = text.splitlines()
    first = lines[0].strip() if lines else ""
    if first.lower().startswith("sep=") and len(first) == 5:
        # Excel's hint line; Excel does not show it, so the header is still row 1.
        delimiter = first[4]
        text = text.split("\n", 1)[1] if "\n" in text else ""
    else:
        delimiter = _sniff(next((line for line in lines if line.strip()), ""))
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        raise _refuse(file, f"filen är ingen läsbar CSV-fil ({exc})") from None
    return _table(file, "csv", [(n, tuple(r)) for n, r in enumerate(records, start=1)], content)


def _sniff(header_line: str) -> str:
    """Semicolon (Swedish Excel), tab or comma: whichever the header line holds most of."""
    counts = {sep: header_line.count(sep) for sep in (";", "\t", ",")}
    best = max(counts, key=lambda sep: counts[sep])
    return best if counts[best] else ";"


def _read_xlsx(file: str, content: bytes) -> Table:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = set(archive.namelist())
    except zipfile.BadZipFile:
        raise _refuse(file, "filen ser ut som en Excel-fil men är trasig") from None
    if "xl/workbook.xml" not in names:
        if "content.xml" in names:
            what = "ett OpenDocument-kalkylark (.ods); spara det som .xlsx"
        elif "word/document.xml" in names:
            what = "ett Word-dokument, varken CSV eller Excel"
        else:
            what = "en zip-fil utan Excel-arbetsbok, varken CSV eller Excel"
        raise _refuse(file, f"filen är {what}")
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on a damaged workbook
        raise _refuse(file, f"Excel-filen kunde inte läsas ({exc.__class__.__name__})") from None
    try:
        if not workbook.worksheets:
            raise _refuse(file, "arbetsboken har inget kalkylblad")
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()  # some exporters write a wrong <dimension>
        numbered: list[tuple[int, tuple[Cell, ...]]] = []
        counter = 0
        for cells in sheet.iter_rows():
            counter += 1
            # A read-only sheet's empty cells have no row; types-openpyxl says int | None.
            rows = (getattr(c, "row", None) for c in cells)
            number = next((row for row in rows if row), counter)
            counter = number
            numbered.append((number, tuple(_xlsx_value(c) for c in cells)))
            if len(numbered) > MAX_ROWS + 1:
                break
    finally:
        workbook.close()
    return _table(file, "xlsx", numbered, content)


class PerCent(Decimal):
    """A number Excel shows as per cent, given in per cent (``0,25`` formatted → ``25``);
    marked so that a column of amounts can refuse it instead of storing it ×100."""


def _xlsx_value(cell: Any) -> Cell:
    """A cell's value as Excel shows it: a number formatted as per cent is given in per cent."""
    value = cell.value
    percent = "%" in (getattr(cell, "number_format", "") or "")
    if percent and isinstance(value, int | float) and not isinstance(value, bool):
        return PerCent(Decimal(str(value)) * 100)
    return value


def _blank(cell: Cell) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _table(
    file: str, fmt: str, numbered: list[tuple[int, tuple[Cell, ...]]], content: bytes
) -> Table:
    data = [(n, cells) for n, cells in numbered if not all(_blank(c) for c in cells)]
    if not data:
        raise _refuse(file, "filen är tom")
    if len(data) > MAX_ROWS + 1:
        raise _refuse(file, f"filen har fler än {MAX_ROWS} rader; dela upp den")
    header_row, header_cells = data[0]
    headers = tuple("" if _blank(c) else str(c).strip() for c in header_cells)
    while headers and not headers[-1]:
        headers = headers[:-1]
    rows = tuple(Row(n, cells) for n, cells in data[1:])
    return Table(file, fmt, header_row, headers, rows, content)
