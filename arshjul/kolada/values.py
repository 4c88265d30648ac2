"""A Kolada value as its v3 API gives it, read from the answer's ``values`` list.

The data endpoint answers ``{"values": [{"kpi", "municipality", "period", "values":
[{"gender", "value", "status", "count"}]}], "count", "next_page"}``: one entry per key
figure, area and year, holding one value per sex. The API client and the file import
read that shape here, so a saved answer imports exactly as a fetched one is stored.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass
from typing import Any

from arshjul.models.kolada import GENDERS

KPI_PATTERN = re.compile(r"^[A-Z][A-Z0-9]{1,19}$")
# A municipality (four digits, 0000 the country), a region (0001–0025 are four digits
# too) or a Kolada group (G and digits).
AREA_PATTERN = re.compile(r"^(\d{4}|G\d{1,18})$")
FIRST_YEAR, LAST_YEAR = 1970, 2100


@dataclass(frozen=True)
class KoladaRow:
    """One value: a key figure for an area, a year and a sex; ``value`` None is missing."""

    kpi: str
    municipality_code: str
    year: int
    gender: str
    value: float | None
    kolada_updated: dt.date | None = None

    @property
    def key(self) -> tuple[str, str, int, str]:
        return (self.kpi, self.municipality_code, self.year, self.gender)


def read_entries(
    entries: Any, *, kolada_updated: dt.date | None = None
) -> tuple[list[KoladaRow], list[str]]:
    """The rows of an answer's ``values`` list, and what is wrong with it (Swedish).

    Each problem names the entry as ``post N`` (counted from 1, as a person counts) and
    the field. The caller decides what a problem means: the file import refuses the
    file, the client the answer.
    """
    if not isinstance(entries, list):
        return [], ["”values” ska vara en lista"]
    rows: list[KoladaRow] = []
    problems: list[str] = []
    for number, entry in enumerate(entries, start=1):
        where = f"post {number}"
        if not isinstance(entry, dict):
            problems.append(f"{where}: ska vara ett objekt med kpi, municipality och period")
            continue
        kpi, code, year = entry.get("kpi"), entry.get("municipality"), entry.get("period")
        wrong: list[str] = []
        if not isinstance(kpi, str) or not KPI_PATTERN.match(kpi.strip()):
            wrong.append(f"kpi ”{_shown(kpi)}” är inget nyckeltals-id (t.ex. N15428)")
        if not isinstance(code, str) or not AREA_PATTERN.match(code.strip()):
            wrong.append(f"municipality ”{_shown(code)}” är ingen kommunkod (fyra siffror)")
        if isinstance(year, str) and year.strip().isdigit():
            year = int(year)
        if not isinstance(year, int) or isinstance(year, bool):
            wrong.append(f"period ”{_shown(year)}” är inget årtal")
        elif not FIRST_YEAR <= year <= LAST_YEAR:
            wrong.append(f"period {year} ligger utanför {FIRST_YEAR}–{LAST_YEAR}")
        values = entry.get("values")
        if not isinstance(values, list):
            wrong.append("values ska vara en lista med ett värde per kön")
            values = []
        if wrong:
            problems.extend(f"{where}: {w}" for w in wrong)
            continue
        assert isinstance(kpi, str) and isinstance(code, str) and isinstance(year, int)
        for index, item in enumerate(values, start=1):
            row, problem = _value(kpi.strip(), code.strip(), year, item, kolada_updated)
            if problem:
                problems.append(f"{where} ({kpi} {code} {year}), värde {index}: {problem}")
            elif row is not None:
                rows.append(row)
    return rows, problems


def _value(
    kpi: str, code: str, year: int, item: Any, updated: dt.date | None
) -> tuple[KoladaRow | None, str | None]:
    if not isinstance(item, dict):
        return None, "ska vara ett objekt med gender och value"
    gender = item.get("gender", "T")
    if gender not in GENDERS:
        return None, f"gender ”{_shown(gender)}” ska vara T, K eller M"
    value = item.get("value")
    if value is not None:
        if isinstance(value, bool) or not isinstance(value, int | float):
            return None, f"value ”{_shown(value)}” är inget tal"
        if not math.isfinite(value):
            return None, f"value ”{_shown(value)}” är inget tal"
    number = None if value is None else float(value)
    return KoladaRow(kpi, code, year, gender, number, updated), None


def _shown(value: Any) -> str:
    text = "" if value is None else str(value)
    return text if len(text) <= 24 else text[:23] + "…"
