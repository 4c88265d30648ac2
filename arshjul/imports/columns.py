"""The columns an import declares, how headers are matched and how a cell is read.

A column has a Swedish name (the header in the templates), aliases, a type and
whether it is required. Headers are matched case-insensitively, trimmed, with
å, ä and ö optional and spaces, hyphens and brackets read as ``_``:
``Budgetar``, ``budgetår`` and ``Budget år`` all name ``budgetår``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any

from arshjul.formats import format_number, parse_tkr
from arshjul.imports.reader import Cell, PerCent
from arshjul.models import OrgUnit
from arshjul.swedish_numbers import PLAUSIBLE_MAX_TKR, NumberError, parse_number
from arshjul.timezone import STOCKHOLM

_FOLD = str.maketrans({"å": "a", "ä": "a", "ö": "o", "é": "e", "ü": "u"})


def fold(text: str) -> str:
    """Lower case, å ä ö as a a o, every run of other characters as one ``_``."""
    return re.sub(r"[^0-9a-z]+", "_", text.strip().casefold().translate(_FOLD)).strip("_")


class ColumnType(StrEnum):
    """What a column holds and how its cells are read."""

    UNIT = "unit"  # a unit's key or full name → OrgUnit
    YEAR = "year"  # a year not too far from the present → int
    MONTH = "month"  # 1–12 → int
    INT = "int"  # a whole number → int
    DECIMAL = "decimal"  # a number with decimal comma → Decimal
    TKR = "tkr"  # thousands of kronor → whole kronor (int)
    KR = "kr"  # kronor with at most two decimals (öre) → Decimal
    TEXT = "text"  # trimmed text → str
    CHOICE = "choice"  # one of a few words → the stored value


@dataclass(frozen=True)
class Column:
    """One declared column of an import kind.

    ``required``: the column must be in the file and every row must have a value.
    An optional column may be left out, and its cells may be empty (``""``/None).
    """

    name: str
    type: ColumnType
    field: str
    required: bool = True
    aliases: tuple[str, ...] = ()
    choices: Mapping[str, str] = dataclasses.field(default_factory=dict)
    max_length: int = 200
    minimum: int | None = None
    maximum: int | None = None
    years_ahead: int = 10
    years_back: int = 10
    clean: Callable[[str], str] | None = None

    def names(self) -> set[str]:
        """Every folded spelling that names this column."""
        return {fold(self.name), *(fold(a) for a in self.aliases)}

    def choice_words(self) -> str:
        """The choices as a message names them: the first word declared for each value."""
        first: dict[str, str] = {}
        for word, value in self.choices.items():
            first.setdefault(value, word)
        return ", ".join(first.values())


@dataclass(frozen=True)
class CellContext:
    """What reading a cell needs to know: the units and the present."""

    units: Mapping[str, OrgUnit]
    unit_keys: tuple[str, ...]
    as_of: dt.datetime
    max_tkr: int = PLAUSIBLE_MAX_TKR  # the municipality's [plausibility] cap


class CellError(ValueError):
    """A cell that cannot be read; ``str()`` is the Swedish reason."""


def unit_index(units: list[OrgUnit]) -> dict[str, OrgUnit]:
    """Units by folded key and by folded full name."""
    index: dict[str, OrgUnit] = {}
    for unit in units:
        index.setdefault(fold(unit.name), unit)
    for unit in units:
        index[fold(unit.key)] = unit
    return index


def blank(cell: Cell) -> bool:
    """An empty cell: nothing, or only spaces."""
    return cell is None or (isinstance(cell, str) and not cell.strip())


def shown(cell: Cell) -> str:
    """A cell as a message quotes it."""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, dt.datetime) and cell.time() == dt.time(0):
        return cell.date().isoformat()
    return str(cell).strip()


def read_cell(column: Column, cell: Cell, ctx: CellContext) -> Any:
    """The cell's value for ``column``; raise :class:`CellError` with the reason."""
    if blank(cell):
        if column.required:
            raise CellError("värde saknas")
        return None if column.type in _NUMERIC else ""
    if isinstance(cell, bool):
        raise CellError(f"”{shown(cell)}” är ett sanningsvärde, inget {_WHAT[column.type]}")
    if isinstance(cell, dt.date | dt.time) and column.type != ColumnType.TEXT:
        raise CellError(f"”{shown(cell)}” är ett datum, inget {_WHAT[column.type]}")
    return _READERS[column.type](column, cell, ctx)


_NUMERIC = {
    ColumnType.YEAR,
    ColumnType.MONTH,
    ColumnType.INT,
    ColumnType.DECIMAL,
    ColumnType.TKR,
    ColumnType.KR,
}
# No account of a Swedish municipality comes near ten thousand billion kronor; a larger
# figure is a unit or format mistake (a per-mille export, a pasted ID).
MAX_KRONOR = Decimal(10) ** 13

_WHAT = {
    ColumnType.UNIT: "enhet",
    ColumnType.YEAR: "år",
    ColumnType.MONTH: "månadsnummer",
    ColumnType.INT: "heltal",
    ColumnType.DECIMAL: "tal",
    ColumnType.TKR: "belopp i tkr",
    ColumnType.KR: "belopp i kronor",
    ColumnType.TEXT: "text",
    ColumnType.CHOICE: "giltigt värde",
}


def _decimal(cell: Cell, what: str) -> Decimal:
    """A number cell: Excel's number as it is, a text as a Swede writes it."""
    # A date, a time or None is read as its text, which is no number.
    value = cell if isinstance(cell, str | int | float | Decimal) else str(cell)
    try:
        return parse_number(value, what=what, suffixes=("%",))
    except NumberError as exc:
        raise CellError(str(exc)) from None


def _int(column: Column, cell: Cell, ctx: CellContext) -> int:
    number = _decimal(cell, _WHAT[column.type])
    if number != number.to_integral_value():
        raise CellError(f"”{shown(cell)}” är inget {_WHAT[column.type]}")
    value = int(number)
    if column.minimum is not None and value < column.minimum:
        raise CellError(f"{value} är mindre än {column.minimum}")
    if column.maximum is not None and value > column.maximum:
        raise CellError(f"{value} är större än {column.maximum}")
    return value


def _year(column: Column, cell: Cell, ctx: CellContext) -> int:
    year = _int(column, cell, ctx)
    now = ctx.as_of.astimezone(STOCKHOLM).year
    low, high = now - column.years_back, now + column.years_ahead
    if not low <= year <= high:
        raise CellError(f"{year} ligger för långt från {now}; här tas {low}–{high} emot")
    return year


def _month(column: Column, cell: Cell, ctx: CellContext) -> int:
    number = _decimal(cell, "månadsnummer")
    if number != number.to_integral_value() or not 1 <= number <= 12:
        raise CellError(f"”{shown(cell)}” är ingen månad (1–12)")
    return int(number)


def _decimal_value(column: Column, cell: Cell, ctx: CellContext) -> Decimal:
    number = _decimal(cell, "tal")
    if column.minimum is not None and number < column.minimum:
        raise CellError(f"{shown(cell)} är mindre än {column.minimum}")
    return number


def _not_per_cent(cell: Cell, what: str) -> None:
    if isinstance(cell, PerCent):
        raise CellError(
            f"cellen är formaterad som procent ({shown(cell)} %): ett {what} är inget "
            "procenttal; formatera cellen som tal"
        )


def _tkr(column: Column, cell: Cell, ctx: CellContext) -> int:
    _not_per_cent(cell, "belopp i tkr")
    if not isinstance(cell, str | int | float | Decimal) or isinstance(cell, bool):
        raise CellError(f"”{shown(cell)}” är inget belopp i tkr")
    try:
        kronor = parse_tkr(cell)
    except ValueError as exc:
        raise CellError(str(exc)) from None
    if abs(kronor) > ctx.max_tkr * 1000:
        raise CellError(
            f"”{shown(cell)}” tkr är orimligt stort: högst {format_number(ctx.max_tkr)} tkr"
        )
    return kronor


def _kr(column: Column, cell: Cell, ctx: CellContext) -> Decimal:
    """Kronor and öre as a finance system exports them (``−1 234 567,89``)."""
    _not_per_cent(cell, "belopp i kronor")
    number = _decimal(cell, "belopp i kronor")
    if number != number.quantize(Decimal("0.01")):
        raise CellError(f"”{shown(cell)}” har fler än två decimaler; belopp anges i kronor och öre")
    if abs(number) >= MAX_KRONOR:
        raise CellError(f"”{shown(cell)}” är orimligt stort för ett belopp i kronor")
    return number


def _text(column: Column, cell: Cell, ctx: CellContext) -> str:
    if isinstance(cell, dt.date | dt.time):
        raise CellError(
            f"”{shown(cell)}” är ett datum: Excel har gjort om texten; formatera "
            "kolumnen som text och skriv in värdet igen"
        )
    text = " ".join(shown(cell).split())
    if column.clean is not None:
        try:
            text = column.clean(text)
        except ValueError as exc:
            raise CellError(str(exc)) from None
    if len(text) > column.max_length:
        raise CellError(f"texten är längre än {column.max_length} tecken")
    return text


def _choice(column: Column, cell: Cell, ctx: CellContext) -> str:
    choices = {fold(word): value for word, value in column.choices.items()}
    value = choices.get(fold(shown(cell)))
    if value is None:
        raise CellError(f"”{shown(cell)}” är inget giltigt värde; giltiga: {column.choice_words()}")
    return value


def _unit(column: Column, cell: Cell, ctx: CellContext) -> OrgUnit:
    text = shown(cell)
    unit = ctx.units.get(fold(text))
    if unit is None:
        close = difflib.get_close_matches(fold(text), list(ctx.units), n=1, cutoff=0.85)
        hint = ""
        if close:
            hint = f" (menade du ”{ctx.units[close[0]].key}”?)"
        raise CellError(f"”{text}” är ingen känd enhet{hint}; kända: {', '.join(ctx.unit_keys)}")
    return unit


_READERS: dict[ColumnType, Callable[[Column, Cell, CellContext], Any]] = {
    ColumnType.UNIT: _unit,
    ColumnType.YEAR: _year,
    ColumnType.MONTH: _month,
    ColumnType.INT: _int,
    ColumnType.DECIMAL: _decimal_value,
    ColumnType.TKR: _tkr,
    ColumnType.KR: _kr,
    ColumnType.TEXT: _text,
    ColumnType.CHOICE: _choice,
}


@dataclass(frozen=True)
class HeaderMatch:
    """Which file column holds which declared column, and what is wrong with the header."""

    positions: dict[str, int]  # declared column name → index in the row
    problems: list[tuple[str | None, str]]  # (the file's column letter or None, Swedish text)


def column_letter(index: int) -> str:
    """Excel's letter for a 0-based column index: 0 → A, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def match_headers(columns: tuple[Column, ...], headers: tuple[str, ...]) -> HeaderMatch:
    """Map the file's headers onto the declared columns; name every missing or unknown one."""
    by_name = {name: column for column in columns for name in column.names()}
    positions: dict[str, int] = {}
    problems: list[tuple[str | None, str]] = []
    for index, header in enumerate(headers):
        if not header:
            continue  # a column without a header must stay empty (checked per row)
        column = by_name.get(fold(header))
        if column is None:
            close = difflib.get_close_matches(fold(header), list(by_name), n=1, cutoff=0.7)
            hint = f" (menade du ”{by_name[close[0]].name}”?)" if close else ""
            problems.append(
                (
                    column_letter(index),
                    f"kolumnen ”{header}” är okänd{hint}; "
                    f"kolumnerna här är: {', '.join(c.name for c in columns)}",
                )
            )
            continue
        if column.name in positions:
            first = positions[column.name]
            problems.append(
                (
                    column_letter(index),
                    f"kolumnen ”{column.name}” finns redan i kolumn {column_letter(first)} "
                    f"(”{headers[first]}”)",
                )
            )
            continue
        positions[column.name] = index
    present = ", ".join(h for h in headers if h) or "inga rubriker"
    for column in columns:
        if column.required and column.name not in positions:
            problems.append((None, f"kolumnen ”{column.name}” saknas; filen har: {present}"))
    return HeaderMatch(positions, problems)
