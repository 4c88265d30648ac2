"""Importing a file: read, check every row, then write all of it or nothing.

Nothing is written until the whole file has been read and checked against the
database; any problem refuses the whole file with one
:class:`~arshjul.errors.ArshjulError` that lists each problem with file, row
and column. A file imported twice changes nothing the second time.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select

from arshjul.config.stored import municipality_config
from arshjul.errors import ArshjulError
from arshjul.imports.columns import (
    CellContext,
    CellError,
    blank,
    column_letter,
    match_headers,
    read_cell,
    shown,
    unit_index,
)
from arshjul.imports.kinds import ImportKind
from arshjul.imports.reader import Table, read_table
from arshjul.imports.registry import get_kind
from arshjul.models import AuditEntry, Municipality, OrgUnit
from arshjul.models.base import utc_now
from arshjul.timezone import STOCKHOLM

MAX_PROBLEMS = 20


@dataclass
class ImportReport:
    """What an import read and changed; ``str()`` is a Swedish one-line summary."""

    kind: str
    title: str
    file: str
    sha256: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    replaced_periods: list[str] = field(default_factory=list)
    dry_run: bool = False

    @property
    def replaced(self) -> int:
        """How many periods (a unit's month of actuals) were replaced."""
        return len(self.replaced_periods)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.removed)

    def __str__(self) -> str:
        read = f"{self.rows} {'rad läst' if self.rows == 1 else 'rader lästa'}"
        prefix = "Provläsning, inget sparat: " if self.dry_run else ""
        if not self.changed:
            return (
                f"{prefix}{self.title} från {self.file}: {read}, inget ändrat (allt stämde redan)."
            )
        parts = [
            read,
            f"{self.created} {'ny' if self.created == 1 else 'nya'}",
            f"{self.updated} {'ändrad' if self.updated == 1 else 'ändrade'}",
        ]
        if self.removed:
            parts.append(f"{self.removed} {'borttagen' if self.removed == 1 else 'borttagna'}")
        if self.replaced:
            what = "period ersatt" if self.replaced == 1 else "perioder ersatta"
            parts.append(f"{self.replaced} {what} ({', '.join(self.replaced_periods)})")
        return f"{prefix}{self.title} från {self.file}: {', '.join(parts)}."


class Problems:
    """Every problem of a file, each naming file, row and column."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.items: list[str] = []

    def add(self, row: int, message: str, column: str | None = None) -> None:
        where = f"rad {row}, kolumn {column}" if column else f"rad {row}"
        self.items.append(f"{self.file}, {where}: {message}")

    def add_text(self, text: str) -> None:
        self.items.append(f"{self.file}, {text}")

    def add_stray_cells(self, row: Any, used: set[int]) -> None:
        """A value in a column without a header: refused, named by its column letter."""
        for index, cell in enumerate(row.cells):
            if index not in used and not blank(cell):
                self.add(
                    row.number,
                    f"”{shown(cell)}” står i en kolumn utan rubrik",
                    column_letter(index),
                )

    def raise_if_any(self) -> None:
        if not self.items:
            return
        count = len(self.items)
        shown_note = f"; de första {MAX_PROBLEMS} visas" if count > MAX_PROBLEMS else ""
        raise ArshjulError(
            f"{self.file} importerades inte: {count} fel{shown_note}. Inget har ändrats.",
            details=self.items[:MAX_PROBLEMS],
        )


@dataclass
class _Change:
    """One row to write: a new one (``row`` None) or an existing one with other values."""

    number: int
    record: dict[str, Any]
    row: Any = None


@dataclass
class _Plan:
    creates: list[_Change] = field(default_factory=list)
    updates: list[_Change] = field(default_factory=list)
    deletes: list[Any] = field(default_factory=list)
    unchanged: int = 0
    # A replaced scope: its label, its values, the old lines and the file's lines for it.
    replaced: list[tuple[str, dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]] = field(
        default_factory=list
    )


def begin_import(
    session: Session,
    *,
    municipality: Municipality,
    path: Path,
    kind: str,
    title: str,
    as_of: dt.datetime,
    dry_run: bool,
) -> tuple[Table, ImportReport, list[OrgUnit], CellContext]:
    """What every import of a table starts with: the file read, its report, the units
    and the context its cells are read in."""
    if as_of.tzinfo is None:
        raise ValueError("as_of must carry a time zone")
    table = read_table(path)
    report = ImportReport(
        kind=kind,
        title=title,
        file=table.file,
        sha256=hashlib.sha256(table.content).hexdigest(),
        rows=len(table.rows),
        dry_run=dry_run,
    )
    units, ctx = cell_context(session, municipality=municipality, as_of=as_of)
    return table, report, units, ctx


def cell_context(
    session: Session, *, municipality: Municipality, as_of: dt.datetime
) -> tuple[list[OrgUnit], CellContext]:
    """The municipality's units, and the context a cell naming one is read in."""
    units = list(
        session.exec(
            select(OrgUnit)
            .where(OrgUnit.municipality_id == municipality.id)
            .order_by(col(OrgUnit.sort_order), col(OrgUnit.id))
        ).all()
    )
    ctx = CellContext(
        units=unit_index(units),
        unit_keys=tuple(u.key for u in units if u.active),
        as_of=as_of.astimezone(STOCKHOLM),
        max_tkr=municipality_config(municipality).plausibility.max_amount_tkr,
    )
    return units, ctx


def import_file(
    session: Session,
    *,
    municipality: Municipality,
    kind: str,
    path: Path,
    as_of: dt.datetime,
    actor: str,
    origin: str = "cli",
    dry_run: bool = False,
) -> ImportReport:
    """Import ``path`` as ``kind`` for ``municipality``, all rows or none.

    ``as_of`` (aware) decides which months have ended and which years are near.
    Raises :class:`ArshjulError` listing every problem; the session is then untouched.
    With ``dry_run`` everything is checked and counted but nothing is written.
    """
    spec = get_kind(kind)
    mid = municipality.id
    assert mid is not None
    table, report, units, ctx = begin_import(
        session,
        municipality=municipality,
        path=path,
        kind=spec.slug,
        title=spec.title,
        as_of=as_of,
        dry_run=dry_run,
    )
    records = _check_rows(spec, table, ctx)
    plan = _plan(session, spec, mid, records, {u.id: u for u in units}, table.file)
    report.created = len(plan.creates)
    report.updated = len(plan.updates)
    report.removed = len(plan.deletes)
    report.unchanged = plan.unchanged
    report.replaced_periods = [label for label, *_ in plan.replaced]
    if dry_run or not report.changed:
        return report
    _write(session, spec, mid, plan, report, actor=actor, origin=origin, units=units)
    return report


def _check_rows(
    spec: ImportKind, table: Table, ctx: CellContext
) -> list[tuple[int, dict[str, Any]]]:
    """Every row read and checked; the records to write, or one error with every problem."""
    problems = Problems(table.file)
    header = match_headers(spec.columns, table.headers)
    for letter, message in header.problems:
        problems.add(table.header_row, message, letter)
    problems.raise_if_any()
    if table.empty:
        raise ArshjulError(
            f"{table.file} importerades inte: filen har rubrikraden men inga rader med data. "
            "Inget har ändrats."
        )
    present = [c for c in spec.columns if c.name in header.positions]
    identity = [c.name for c in present if c.field not in spec.values]
    used = set(header.positions.values())  # every other column has no header
    records: list[tuple[int, dict[str, Any]]] = []
    seen: dict[tuple[Any, ...], int] = {}
    for row in table.rows:
        values: dict[str, Any] = {}
        before = len(problems.items)
        for column in spec.columns:
            position = header.positions.get(column.name)
            if position is None:
                values[column.field] = ""
                continue
            cell = row.cells[position] if position < len(row.cells) else None
            try:
                values[column.field] = read_cell(column, cell, ctx)
            except CellError as exc:
                problems.add(row.number, str(exc), column.name)
        problems.add_stray_cells(row, used)
        if len(problems.items) > before:
            continue
        for column_name, message in spec.check(values, ctx) if spec.check else []:
            problems.add(row.number, message, column_name)
        if len(problems.items) > before:
            continue
        record = {**spec.fixed, **spec.record(values)}
        key = tuple(record[name] for name in spec.key)
        if key in seen:
            problems.add_text(
                f"rad {row.number} upprepar rad {seen[key]} (samma {_words(identity)})"
            )
            continue
        seen[key] = row.number
        records.append((row.number, record))
    problems.raise_if_any()
    return records


def _words(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " och " + names[-1]


def _plan(
    session: Session,
    spec: ImportKind,
    mid: int,
    records: list[tuple[int, dict[str, Any]]],
    units: dict[int | None, OrgUnit],
    file: str,
) -> _Plan:
    """Compare the records with the database: what to create, update, remove, and what is locked."""
    model: Any = spec.model
    years = sorted({record[spec.year_field] for _, record in records})
    statement = select(model).where(
        model.municipality_id == mid, getattr(model, spec.year_field).in_(years)
    )
    for name, value in spec.fixed.items():
        statement = statement.where(getattr(model, name) == value)
    existing = {
        tuple(getattr(row, name) for name in spec.key): row
        for row in session.exec(statement.order_by(model.id)).all()
    }
    plan = _Plan()
    problems = Problems(file)
    touched: set[tuple[Any, ...]] = set()
    for number, record in records:
        key = tuple(record[name] for name in spec.key)
        row = existing.get(key)
        if row is None:
            plan.creates.append(_Change(number, record))
            continue
        touched.add(key)
        if all(getattr(row, name) == record[name] for name in spec.values):
            plan.unchanged += 1
            continue
        reason = spec.locked(row) if spec.locked else None
        if reason:
            column = next(c.name for c in spec.columns if c.field in spec.values)
            problems.add(number, reason, column)
            continue
        plan.updates.append(_Change(number, record, row))
    problems.raise_if_any()
    if spec.replace_scope:
        _plan_replacements(spec, plan, records, existing, touched, units)
    return plan


def _plan_replacements(
    spec: ImportKind,
    plan: _Plan,
    records: list[tuple[int, dict[str, Any]]],
    existing: dict[tuple[Any, ...], Any],
    touched: set[tuple[Any, ...]],
    units: dict[int | None, OrgUnit],
) -> None:
    """Each scope in the file replaces the same scope in the database whole."""

    def scope_of(values: dict[str, Any]) -> tuple[Any, ...]:
        return tuple(values[name] for name in spec.replace_scope)

    new_by_scope: dict[tuple[Any, ...], list[dict[str, Any]]] = defaultdict(list)
    for _, record in records:
        new_by_scope[scope_of(record)].append(record)
    old_by_scope: dict[tuple[Any, ...], list[Any]] = defaultdict(list)
    for key, row in existing.items():
        scope = scope_of({name: getattr(row, name) for name in spec.replace_scope})
        if scope in new_by_scope:
            old_by_scope[scope].append(row)
            if key not in touched:
                plan.deletes.append(row)
    changed = {scope_of(c.record) for c in plan.creates + plan.updates}
    changed |= {scope_of({n: getattr(r, n) for n in spec.replace_scope}) for r in plan.deletes}
    fields = _line_fields(spec)
    for scope, new in new_by_scope.items():
        old = old_by_scope.get(scope, [])
        if old and scope in changed:
            values = dict(zip(spec.replace_scope, scope, strict=True))
            # The old values as they are now, before the plan is written.
            old_lines = sorted(
                ({name: getattr(row, name) for name in fields} for row in old),
                key=lambda line: tuple(line.values()),
            )
            new_lines = [{name: record[name] for name in fields} for record in new]
            plan.replaced.append((_scope_label(values, units), values, old_lines, new_lines))


def _line_fields(spec: ImportKind) -> list[str]:
    """What an audit entry keeps of each replaced row: its key within the scope and its values."""
    inner = [n for n in spec.key if n not in spec.replace_scope and n not in spec.fixed]
    return inner + list(spec.values)


def _scope_label(values: dict[str, Any], units: dict[int | None, OrgUnit]) -> str:
    """``bun 2027-04`` for a unit's month: the scope's values in order, a month after its year."""
    parts: list[str] = []
    for name, value in values.items():
        if name == "unit_id":
            parts.append(units[value].key)
        elif name == "month" and parts:
            parts[-1] = f"{parts[-1]}-{value:02d}"
        else:
            parts.append(str(value))
    return " ".join(parts)


def _write(
    session: Session,
    spec: ImportKind,
    mid: int,
    plan: _Plan,
    report: ImportReport,
    *,
    actor: str,
    origin: str,
    units: list[OrgUnit],
) -> None:
    """Write the plan and its audit entries in the caller's transaction."""
    model: Any = spec.model
    source = report.file[:300]
    now = utc_now()
    for change in plan.creates:
        row = model(municipality_id=mid, **change.record)
        if hasattr(row, "source"):
            row.source = source
        session.add(row)
    for change in plan.updates:
        row = change.row
        for name in spec.values:
            setattr(row, name, change.record[name])
        for stamp in ("updated_at", "recorded_at"):
            if hasattr(row, stamp):
                setattr(row, stamp, now)
        if hasattr(row, "source"):
            row.source = source
        session.add(row)
    for row in plan.deletes:
        session.delete(row)
    session.flush()
    by_id = {u.id: u for u in units}
    table_name = model.__tablename__
    for label, values, old_lines, new_lines in plan.replaced:
        scope = {
            ("unit" if name == "unit_id" else name): (
                by_id[value].key if name == "unit_id" else value
            )
            for name, value in values.items()
        }
        session.add(
            AuditEntry(
                municipality_id=mid,
                actor=actor,
                origin=origin,
                action="import.replace",
                entity=table_name,
                details={
                    "kind": spec.slug,
                    "period": label,
                    **scope,
                    "file": report.file,
                    "sha256": report.sha256,
                    "old": old_lines,
                    "new": new_lines,
                    **_totals("old", old_lines, spec),
                    **_totals("new", new_lines, spec),
                },
            )
        )
    session.add(
        AuditEntry(
            municipality_id=mid,
            actor=actor,
            origin=origin,
            action=f"import.{spec.slug}",
            entity=table_name,
            details={
                "file": report.file,
                "sha256": report.sha256,
                "rows": report.rows,
                "created": report.created,
                "updated": report.updated,
                "removed": report.removed,
                "unchanged": report.unchanged,
                "replaced": report.replaced_periods,
            },
        )
    )
    session.flush()


def _totals(prefix: str, lines: list[dict[str, Any]], spec: ImportKind) -> dict[str, Any]:
    """The sum of the amount (``old_total_kr``) for an audit entry."""
    return {
        f"{prefix}_total_kr": sum(line[name] for line in lines)
        for name in spec.values
        if name.endswith("_kr")
    }
