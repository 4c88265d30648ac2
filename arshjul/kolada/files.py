"""``arshjul import kolada FIL``: Kolada's values from a file, for networks that cannot
reach Kolada.

Two shapes, told apart by the content, never by the file's name:

- **JSON exactly as Kolada's v3 data API answers** (a saved answer): an object with a
  ``values`` list of ``{"kpi", "municipality", "period", "values": [{"gender",
  "value"}]}``. Other top-level keys (``count``, ``next_page``, a note) are ignored.
- **CSV**, one value a row (template: ``arshjul/templates/import/kolada.csv``):
  ``kpi; kommun; år; kön*; värde; uppdaterad*`` (* may be left out). ``kön`` is T, K
  or M (or totalt, kvinnor, män; left out: T); ``värde`` a number with decimal comma
  or point, empty when Kolada has none; ``uppdaterad`` Kolada's update date,
  ÅÅÅÅ-MM-DD. Kolada's own English names (municipality, period, gender, value) are
  understood as headers too. Separator ``;``, tab or ``,``; UTF-8 or Windows-1252.

The whole file is checked first; any problem refuses it with one message naming the
file and each row (CSV, as Excel numbers them) or entry (JSON), and nothing is written.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import re
from dataclasses import dataclass
from pathlib import Path

from sqlmodel import Session

from arshjul.errors import ArshjulError
from arshjul.kolada.store import StoreReport, store_values
from arshjul.kolada.values import (
    AREA_PATTERN,
    FIRST_YEAR,
    KPI_PATTERN,
    LAST_YEAR,
    KoladaRow,
    read_entries,
)
from arshjul.models import AuditEntry, Municipality, stored_id
from arshjul.swedish_numbers import NumberError, parse_number

MAX_BYTES = 50 * 1024 * 1024
MAX_SHOWN = 20  # problems listed in one message; the rest are counted

_FOLD = str.maketrans("åäöéü", "aaoeu")
# Folded header → field; Swedish names first, Kolada's own English ones beside them.
_COLUMNS = {
    "kpi": "kpi",
    "nyckeltal": "kpi",
    "kommun": "municipality",
    "kommunkod": "municipality",
    "municipality": "municipality",
    "ar": "year",
    "period": "year",
    "year": "year",
    "kon": "gender",
    "gender": "gender",
    "varde": "value",
    "value": "value",
    "uppdaterad": "updated",
    "publication_date": "updated",
}
_REQUIRED = ("kpi", "municipality", "year", "value")
_NAMES = {"kpi": "kpi", "municipality": "kommun", "year": "år", "value": "värde"}
_GENDERS = {"t": "T", "k": "K", "m": "M", "totalt": "T", "kvinnor": "K", "man": "M"}


@dataclass
class KoladaImportReport:
    """What an import read and changed; ``str()`` is a Swedish one-line summary."""

    file: str
    sha256: str
    rows: int
    stored: StoreReport
    dry_run: bool = False

    def __str__(self) -> str:
        prefix = "Provläsning, inget sparat: " if self.dry_run else ""
        read = f"{self.rows} {'värde läst' if self.rows == 1 else 'värden lästa'}"
        return f"{prefix}Kolada-värden från {self.file}: {read}; {self.stored}."


def read_kolada_file(path: Path) -> tuple[list[KoladaRow], str]:
    """The file's values and its sha256; any problem is one :class:`ArshjulError`."""
    file = path.name
    try:
        if path.is_dir():
            raise _refuse(file, ["det är en mapp, ingen fil"])
        if path.stat().st_size > MAX_BYTES:
            raise _refuse(file, [f"filen är större än {MAX_BYTES // (1024 * 1024)} MB"])
        content = path.read_bytes()
    except FileNotFoundError:
        raise ArshjulError(f"Filen {path} finns inte.") from None
    except OSError as exc:
        raise ArshjulError(f"Filen {path} kunde inte läsas: {exc.strerror}.") from None
    return read_kolada_bytes(file, content), hashlib.sha256(content).hexdigest()


def read_kolada_bytes(file: str, content: bytes) -> list[KoladaRow]:
    """As :func:`read_kolada_file`, for content in memory (``file`` names it in messages)."""
    text = _decode(file, content)
    if not text.strip():
        raise _refuse(file, ["filen är tom"])
    rows, problems = (_json_rows if text.lstrip().startswith("{") else _csv_rows)(text)
    if not problems and not rows:
        problems = ["filen har inga värden"]
    if not problems:
        problems = _duplicates(rows)
    if problems:
        raise _refuse(file, problems)
    return rows


def import_kolada_file(
    session: Session,
    *,
    municipality: Municipality,
    path: Path,
    as_of: dt.datetime,
    actor: str,
    dry_run: bool = False,
) -> KoladaImportReport:
    """Check the whole file, then store its values (or, ``dry_run``, only count them).

    A second import of the same file changes no value and writes no audit entry.
    """
    rows, sha256 = read_kolada_file(path)
    late = [r for r in rows if r.kolada_updated and r.kolada_updated > as_of.date()]
    if late:
        raise _refuse(
            path.name,
            [f"uppdaterad {r.kolada_updated} ligger efter i dag ({r.kpi} {r.year})" for r in late],
        )
    stored = store_values(session, rows, source=path.name, fetched_at=as_of, dry_run=dry_run)
    report = KoladaImportReport(path.name, sha256, len(rows), stored, dry_run)
    if report.stored.changed and not dry_run:
        session.add(
            AuditEntry(
                municipality_id=stored_id(municipality),
                actor=actor,
                origin="cli",
                action="import.kolada",
                entity="kolada_value",
                details={
                    "file": path.name,
                    "sha256": sha256,
                    "rows": len(rows),
                    "created": report.stored.created,
                    "updated": report.stored.updated,
                    "unchanged": report.stored.unchanged,
                    "missing": report.stored.missing,
                },
            )
        )
    return report


def _refuse(file: str, problems: list[str]) -> ArshjulError:
    shown = problems[:MAX_SHOWN]
    if len(problems) > MAX_SHOWN:
        shown.append(f"… och {len(problems) - MAX_SHOWN} fel till")
    if len(problems) == 1:
        return ArshjulError(f"{file} kan inte importeras: {problems[0]}. Inget har ändrats.")
    return ArshjulError(f"{file} kan inte importeras. Inget har ändrats.", details=shown)


def _decode(file: str, content: bytes) -> str:
    """UTF-8 (with or without BOM), else Windows-1252 as Swedish Excel saves a CSV."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = content.decode("cp1252", errors="replace")
    if any(ord(ch) < 32 and ch not in "\t\r\n\x0c" for ch in text) or "\ufffd" in text:
        raise _refuse(file, ["filen är varken JSON eller CSV (den innehåller binära data)"])
    return text


def _json_rows(text: str) -> tuple[list[KoladaRow], list[str]]:
    try:
        answer = json.loads(text)
    except json.JSONDecodeError as exc:
        return [], [f"rad {exc.lineno}, tecken {exc.colno}: ingen giltig JSON ({exc.msg})"]
    if not isinstance(answer, dict) or "values" not in answer:
        return [], [
            "JSON-filen är inget svar från Koladas data-API: en lista ”values” med kpi, "
            "municipality, period och values saknas"
        ]
    return read_entries(answer["values"])


def _csv_rows(text: str) -> tuple[list[KoladaRow], list[str]]:
    lines = text.splitlines()
    header_line = next((line for line in lines if line.strip()), "")
    counts = {sep: header_line.count(sep) for sep in (";", "\t", ",")}
    delimiter = max(counts, key=lambda sep: counts[sep]) if any(counts.values()) else ";"
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        return [], [f"filen är ingen läsbar CSV-fil ({exc})"]
    numbered = [(n, r) for n, r in enumerate(records, start=1) if any(c.strip() for c in r)]
    if not numbered:
        return [], ["filen är tom"]
    header_row, header = numbered[0]
    fields: list[str | None] = []
    problems: list[str] = []
    for index, name in enumerate(header, start=1):
        folded = re.sub(r"[^0-9a-z]+", "_", name.strip().casefold().translate(_FOLD)).strip("_")
        if not folded:
            fields.append(None)
            continue
        known = _COLUMNS.get(folded)
        if known is None:
            problems.append(
                f"rad {header_row}, kolumn {index}: okänd kolumn ”{name.strip()}” "
                "(kolumnerna är kpi, kommun, år, kön, värde och uppdaterad)"
            )
        elif known in fields:
            problems.append(f"rad {header_row}: kolumnen ”{name.strip()}” står två gånger")
        fields.append(known)
    missing = [_NAMES[f] for f in _REQUIRED if f not in fields]
    if missing:
        problems.append(f"rad {header_row}: kolumnen {', '.join(missing)} saknas")
    if problems:
        return [], problems
    if len(numbered) == 1:
        return [], ["filen har bara en rubrikrad, inga värden"]
    rows: list[KoladaRow] = []
    for number, record in numbered[1:]:
        cells: dict[str, str] = {}
        for index, cell in enumerate(record):
            column = fields[index] if index < len(fields) else None
            if column is None:
                if cell.strip():
                    problems.append(f"rad {number}: ett värde i en kolumn utan rubrik")
                continue
            cells[column] = cell.strip()
        row, wrong = _csv_row(cells)
        problems.extend(f"rad {number}, kolumn {w}" for w in wrong)
        if row is not None and not wrong:
            rows.append(row)
    return rows, problems


def _csv_row(cells: dict[str, str]) -> tuple[KoladaRow | None, list[str]]:
    wrong: list[str] = []
    kpi = cells.get("kpi", "").upper()
    if not KPI_PATTERN.match(kpi):
        wrong.append(f"kpi: ”{cells.get('kpi', '')}” är inget nyckeltals-id (t.ex. N15428)")
    code = cells.get("municipality", "")
    if not AREA_PATTERN.match(code):
        wrong.append(f"kommun: ”{code}” är ingen kommunkod (fyra siffror, 0000 för riket)")
    year_text = cells.get("year", "")
    year = int(year_text) if year_text.isdigit() else None
    if year is None:
        wrong.append(f"år: ”{year_text}” är inget årtal")
    elif not FIRST_YEAR <= year <= LAST_YEAR:
        wrong.append(f"år: {year} ligger utanför {FIRST_YEAR}–{LAST_YEAR}")
    gender_text = cells.get("gender", "") or "T"
    gender = _GENDERS.get(gender_text.casefold().translate(_FOLD))
    if gender is None:
        wrong.append(f"kön: ”{gender_text}” ska vara T, K eller M (totalt, kvinnor, män)")
    value: float | None = None
    if cells.get("value", ""):
        try:
            value = float(parse_number(cells["value"], what="tal"))
        except NumberError as exc:
            wrong.append(f"värde: {exc}")
    updated: dt.date | None = None
    if cells.get("updated", ""):
        try:
            updated = dt.date.fromisoformat(cells["updated"])
        except ValueError:
            wrong.append(f"uppdaterad: ”{cells['updated']}” är inget datum (ÅÅÅÅ-MM-DD)")
    if wrong or year is None or gender is None:
        return None, wrong
    return KoladaRow(kpi, code, year, gender, value, updated), []


def _duplicates(rows: list[KoladaRow]) -> list[str]:
    seen: set[tuple[str, str, int, str]] = set()
    twice: list[str] = []
    for row in rows:
        if row.key in seen:
            twice.append(
                f"{row.kpi} för {row.municipality_code} år {row.year}, kön {row.gender} "
                "står mer än en gång"
            )
        seen.add(row.key)
    return twice
