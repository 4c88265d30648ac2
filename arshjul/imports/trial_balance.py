"""Importing a trial balance (saldobalans) from the finance system, all of it or nothing.

A file holds one entity's books (the municipality's, or with ``entity`` a company's or a
federation's) for one or more months: account, responsibility (ansvar, optional), period
and amount, debit positive and credit negative, as Visma, Unit4 and Raindance export it.
The amount is either the accumulated balance at the month's end (column ``ackumulerat``,
also ``saldo`` or ``UB``) or the month's movement (column ``belopp``); movements are
added to the month before, which must be in the file or already imported (month 0, the
opening balance, written ``IB``, starts the year).

The file is refused whole, with every problem listed, when a period does not balance,
when an account is one the chart cannot place, when a month has not ended, when a period's
equity does not follow from the year before, or when the entity is a company without an
ownership share. A period in the file replaces the same period in the database whole,
and the old lines are kept in an audit entry.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal
from pathlib import Path

from sqlmodel import Session, select

from arshjul.accounts.books import chart_for
from arshjul.accounts.chart import Chart, is_balance_account
from arshjul.accounts.statements import balance_values, income_values, post, unknown_accounts
from arshjul.config.schema import MunicipalityConfig
from arshjul.errors import ArshjulError
from arshjul.formats import format_number, format_tkr
from arshjul.imports.apply import ImportReport, Problems
from arshjul.imports.columns import (
    CellContext,
    CellError,
    Column,
    ColumnType,
    fold,
    match_headers,
    read_cell,
    unit_index,
)
from arshjul.imports.reader import read_table
from arshjul.models import AuditEntry, Municipality, OrgUnit, TrialBalanceLine, UnitKind
from arshjul.models.accounts import MUNICIPALITY_ENTITY
from arshjul.models.base import utc_now
from arshjul.timezone import STOCKHOLM

Period = tuple[int, int]  # (year, month); month 0 is the opening balance


def _account(text: str) -> str:
    digits = text.replace(" ", "")
    if not re.fullmatch(r"\d{3,10}", digits):
        raise ValueError(f"”{text}” är inget kontonummer (3–10 siffror)")
    return digits


def _month(text: str) -> str:
    folded = text.strip().upper()
    if folded in ("IB", "0", "00", "INGÅENDE BALANS"):
        return "0"
    if re.fullmatch(r"\d{1,2}", folded) and 1 <= int(folded) <= 12:
        return str(int(folded))
    raise ValueError(f"”{text}” är ingen månad: skriv 1–12, eller IB för ingående balans")


def _period(text: str) -> str:
    """``2027-08``, ``202708``, ``2027-8`` or ``2027-IB`` → ``2027-8`` / ``2027-0``."""
    match = re.fullmatch(r"(\d{4})\s*[-/.]?\s*(IB|ib|\d{1,2})", text.strip())
    if not match:
        raise ValueError(f"”{text}” är ingen period; skriv ÅÅÅÅ-MM, t.ex. 2027-08, eller 2027-IB")
    return f"{match[1]}-{_month(match[2])}"


COLUMNS = (
    Column(
        "konto",
        ColumnType.TEXT,
        "account",
        aliases=("kontonummer", "kontonr", "konto_nr"),
        max_length=20,
        clean=_account,
    ),
    Column(
        "ansvar",
        ColumnType.TEXT,
        "responsibility",
        required=False,
        aliases=("ansvarskod", "ansvar_kod", "kostnadsställe", "resultatenhet"),
        max_length=40,
    ),
    Column("år", ColumnType.YEAR, "year", required=False, aliases=("räkenskapsår",)),
    Column("månad", ColumnType.TEXT, "month", required=False, aliases=("mån",), clean=_month),
    Column("period", ColumnType.TEXT, "period", required=False, clean=_period),
    Column(
        "ackumulerat",
        ColumnType.KR,
        "accumulated",
        required=False,
        aliases=("saldo", "utgående_balans", "ub", "ackumulerat_belopp"),
    ),
    Column(
        "belopp",
        ColumnType.KR,
        "movement",
        required=False,
        aliases=("periodens_belopp", "period_belopp", "förändring", "rörelse"),
    ),
)


@dataclass(frozen=True)
class _Line:
    number: int  # the row in the file
    period: Period
    account: str
    responsibility: str
    amount: Decimal


def _label(period: Period) -> str:
    year, month = period
    return f"{year}-IB" if month == 0 else f"{year}-{month:02d}"


def _kr(amount: Decimal | int) -> str:
    return f"{format_number(Decimal(amount), 2)}\u00a0kr"


def _entity_unit(session: Session, municipality: Municipality, entity: str) -> OrgUnit | None:
    if entity == MUNICIPALITY_ENTITY:
        return None
    units = list(session.exec(select(OrgUnit).where(OrgUnit.municipality_id == municipality.id)))
    unit = unit_index(units).get(fold(entity))
    if unit is None or unit.kind not in (UnitKind.COMPANY, UnitKind.FEDERATION):
        known = ", ".join(u.key for u in units if u.kind in (UnitKind.COMPANY, UnitKind.FEDERATION))
        raise ArshjulError(
            f"”{entity}” är inget bolag eller kommunalförbund i kommunens konfiguration; "
            f"kända: {known or 'inga'}. Inget har ändrats."
        )
    if not unit.ownership_percent:
        raise ArshjulError(
            f"{unit.name} saknar ägarandel (ownership_percent i kommunens TOML-fil): utan den "
            "kan bolagets siffror inte tas med i den sammanställda redovisningen. "
            "Inget har ändrats."
        )
    return unit


def _read(path: Path, as_of: dt.datetime) -> tuple[str, bytes, list[_Line], bool]:
    """The file's lines, each checked; whether its amounts are accumulated balances."""
    table = read_table(path)
    problems = Problems(table.file)
    header = match_headers(COLUMNS, table.headers)
    for letter, message in header.problems:
        problems.add(table.header_row, message, letter)
    present = set(header.positions)
    amounts = present & {"ackumulerat", "belopp"}
    if len(amounts) != 1:
        problems.add(
            table.header_row,
            "filen ska ha en beloppskolumn: ”ackumulerat” (saldo vid periodens slut) "
            "eller ”belopp” (periodens förändring)" + (", inte båda" if len(amounts) == 2 else ""),
        )
    if "period" not in present and not {"år", "månad"} <= present:
        problems.add(
            table.header_row,
            "filen ska ange perioden: en kolumn ”period” (ÅÅÅÅ-MM) eller kolumnerna "
            "”år” och ”månad”",
        )
    problems.raise_if_any()
    if table.empty:
        raise ArshjulError(
            f"{table.file} importerades inte: filen har rubrikraden men inga rader med data. "
            "Inget har ändrats."
        )
    accumulated = "ackumulerat" in amounts
    ctx = CellContext(units={}, unit_keys=(), as_of=as_of.astimezone(STOCKHOLM))
    lines: list[_Line] = []
    for row in table.rows:
        values: dict[str, object] = {}
        before = len(problems.items)
        for column in COLUMNS:
            position = header.positions.get(column.name)
            if position is None:
                continue
            cell = row.cells[position] if position < len(row.cells) else None
            try:
                values[column.field] = read_cell(column, cell, ctx)
            except CellError as exc:
                problems.add(row.number, str(exc), column.name)
        amount_field = "accumulated" if accumulated else "movement"
        if values.get(amount_field) is None and len(problems.items) == before:
            problems.add(row.number, "värde saknas", "ackumulerat" if accumulated else "belopp")
        if len(problems.items) > before:
            continue
        period_text = str(values.get("period") or "")
        year, month = values.get("year"), str(values.get("month") or "")
        if period_text:
            year_text, month_text = period_text.split("-")
            period = (int(year_text), int(month_text))
        elif isinstance(year, int) and month:
            period = (year, int(month))
        else:
            problems.add(row.number, "perioden saknas (år och månad, eller period)")
            continue
        amount = values[amount_field]
        assert isinstance(amount, Decimal)  # read as kronor, and not missing (checked above)
        line = _Line(
            row.number,
            period,
            str(values["account"]),
            str(values.get("responsibility") or ""),
            amount,
        )
        problem = _period_problem(line, as_of)
        if problem:
            problems.add(row.number, problem, "period" if "period" in present else "månad")
            continue
        lines.append(line)
    problems.raise_if_any()
    return table.file, table.content, lines, accumulated


def _period_problem(line: _Line, as_of: dt.datetime) -> str | None:
    year, month = line.period
    today = as_of.astimezone(STOCKHOLM)
    if month == 0:
        if not is_balance_account(line.account):
            return (
                f"konto {line.account} är ett resultatkonto: ingående balans (IB) finns bara "
                "för balanskonton (kontoklass 1 och 2)"
            )
        return None if year <= today.year else f"räkenskapsåret {year} har inte börjat"
    ends = dt.datetime(year + month // 12, month % 12 + 1, 1, tzinfo=STOCKHOLM)
    if today < ends:
        return f"månaden {_label(line.period)} är inte slut den {today.date().isoformat()}"
    return None


def _whole_kronor(amounts: dict[tuple[str, str], Decimal]) -> dict[tuple[str, str], int]:
    """Öre rounded away so that a balanced period still sums to zero: each line is floored,
    and the kronor the floors lost go to the lines that lost the most (largest remainder)."""
    keys = sorted(amounts)
    floors = {k: int(amounts[k].to_integral_value(rounding=ROUND_FLOOR)) for k in keys}
    missing = int(sum(amounts.values(), Decimal(0)).to_integral_value()) - sum(floors.values())
    by_remainder = sorted(keys, key=lambda k: amounts[k] - floors[k], reverse=True)
    for key in by_remainder[: max(missing, 0)]:
        floors[key] += 1
    return floors


def _stored(
    session: Session, municipality_id: int, entity: str, period: Period
) -> dict[tuple[str, str], TrialBalanceLine]:
    year, month = period
    return {
        (row.account, row.responsibility): row
        for row in session.exec(
            select(TrialBalanceLine).where(
                TrialBalanceLine.municipality_id == municipality_id,
                TrialBalanceLine.entity == entity,
                TrialBalanceLine.year == year,
                TrialBalanceLine.month == month,
            )
        )
    }


def _equity_and_result(chart: Chart, lines: dict[tuple[str, str], int]) -> tuple[int, int]:
    """Equity before the year's result, and the result so far, of one period."""
    totals: dict[str, int] = defaultdict(int)
    for (account, _), amount in lines.items():
        totals[account] += amount
    posted = post(chart, totals)
    result = income_values(posted.income)["arets_resultat"]
    return balance_values(posted.balance, 0)["summa_eget_kapital"], result


def import_trial_balance(
    session: Session,
    *,
    municipality: Municipality,
    config: MunicipalityConfig,
    path: Path,
    as_of: dt.datetime,
    actor: str,
    entity: str = MUNICIPALITY_ENTITY,
    origin: str = "cli",
    dry_run: bool = False,
) -> ImportReport:
    """Import a trial balance file for the municipality or, with ``entity``, a company.

    Raises :class:`ArshjulError` listing every problem; nothing is written then. A file
    imported twice changes nothing the second time.
    """
    if as_of.tzinfo is None:
        raise ValueError("as_of must carry a time zone")
    mid = municipality.id
    assert mid is not None
    unit = _entity_unit(session, municipality, entity)
    entity = unit.key if unit else MUNICIPALITY_ENTITY
    who = unit.name if unit else municipality.name
    chart = chart_for(config, entity)
    file, content, lines, accumulated = _read(path, as_of)
    problems = Problems(file)

    unknown = unknown_accounts(chart, [line.account for line in lines])
    if unknown:
        amounts: dict[str, dict[Period, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
        for line in lines:
            amounts[line.account][line.period] += line.amount
        for message in unknown:
            account = message.split()[1].rstrip(":")
            shown = ", ".join(
                f"{_label(period)}: {_kr(total)}"
                for period, total in sorted(amounts[account].items())
            )
            problems.add_text(f"{message} (i filen {shown})")
    by_period: dict[Period, dict[tuple[str, str], Decimal]] = defaultdict(dict)
    for line in lines:
        key = (line.account, line.responsibility)
        if key in by_period[line.period]:
            problems.add(
                line.number,
                f"konto {line.account}"
                + (f", ansvar {line.responsibility}" if line.responsibility else "")
                + f" finns redan för perioden {_label(line.period)}",
            )
            continue
        by_period[line.period][key] = line.amount
    for period, amounts_of in sorted(by_period.items()):
        total = sum(amounts_of.values(), Decimal(0))
        if total != 0:
            debit = sum((a for a in amounts_of.values() if a > 0), Decimal(0))
            credit = sum((a for a in amounts_of.values() if a < 0), Decimal(0))
            what = "saldona" if accumulated or period[1] == 0 else "periodens belopp"
            problems.add_text(
                f"perioden {_label(period)} balanserar inte: {what} summerar till {_kr(total)} "
                f"(debet {_kr(debit)}, kredit {_kr(-credit)})"
            )
    problems.raise_if_any()

    balances = _accumulate(session, mid, entity, by_period, accumulated, problems)
    problems.raise_if_any()
    for period in sorted(balances):
        for message in _continuity(session, mid, entity, chart, period, balances):
            problems.add_text(message)
    problems.raise_if_any()

    report = ImportReport(
        kind="saldobalans",
        title=f"Saldobalans för {who}",
        file=file,
        sha256=hashlib.sha256(content).hexdigest(),
        rows=len(lines),
        dry_run=dry_run,
    )
    changes = []
    for period in sorted(balances):
        stored = _stored(session, mid, entity, period)
        new = balances[period]
        old = {key: row.balance_kr for key, row in stored.items()}
        if old == new:
            report.unchanged += len(new)
            continue
        report.created += len(new.keys() - old.keys())
        report.removed += len(old.keys() - new.keys())
        report.updated += sum(1 for k in new.keys() & old.keys() if new[k] != old[k])
        report.unchanged += sum(1 for k in new.keys() & old.keys() if new[k] == old[k])
        if old:
            report.replaced_periods.append(_label(period))
        changes.append((period, stored, old, new))
    if dry_run or not changes:
        return report
    source = file[:300]
    now = utc_now()
    for period, stored, old, new in changes:
        for key, row in stored.items():
            if key not in new:
                session.delete(row)
            elif row.balance_kr != new[key]:
                row.balance_kr, row.source, row.recorded_at = new[key], source, now
                session.add(row)
        for key, amount in new.items():
            if key not in stored:
                session.add(
                    TrialBalanceLine(
                        municipality_id=mid,
                        entity=entity,
                        year=period[0],
                        month=period[1],
                        account=key[0],
                        responsibility=key[1],
                        balance_kr=amount,
                        source=source,
                    )
                )
        if old:
            session.add(
                AuditEntry(
                    municipality_id=mid,
                    actor=actor,
                    origin=origin,
                    action="import.replace",
                    entity="trial_balance_line",
                    details={
                        "kind": "saldobalans",
                        "entity": entity,
                        "period": _label(period),
                        "file": file,
                        "sha256": report.sha256,
                        "old": [[a, r, v] for (a, r), v in sorted(old.items())],
                        "lines": len(new),
                    },
                )
            )
    session.add(
        AuditEntry(
            municipality_id=mid,
            actor=actor,
            origin=origin,
            action="import.saldobalans",
            entity="trial_balance_line",
            details={
                "file": file,
                "sha256": report.sha256,
                "entity": entity,
                "accumulated": accumulated,
                "periods": [_label(p) for p, *_ in changes],
                "rows": report.rows,
                "created": report.created,
                "updated": report.updated,
                "removed": report.removed,
            },
        )
    )
    session.flush()
    return report


def _accumulate(
    session: Session,
    mid: int,
    entity: str,
    by_period: dict[Period, dict[tuple[str, str], Decimal]],
    accumulated: bool,
    problems: Problems,
) -> dict[Period, dict[tuple[str, str], int]]:
    """Each period's balances at its end, in whole kronor.

    Movements are added to the month before (month 0 starts the year: balance accounts
    only). The month before must be in the file or in the database.
    """
    exact: dict[Period, dict[tuple[str, str], Decimal]] = {}
    for period in sorted(by_period):
        amounts = by_period[period]
        year, month = period
        if accumulated or month == 0:
            exact[period] = dict(amounts)
            continue
        previous = (year, month - 1)
        if previous in exact:
            base = dict(exact[previous])
        else:
            stored = _stored(session, mid, entity, previous)
            if not stored:
                what = "ingående balans (IB)" if month == 1 else f"perioden {_label(previous)}"
                problems.add_text(
                    f"perioden {_label(period)} har periodens belopp, men {what} finns varken i "
                    "filen eller sedan tidigare; lägg till den eller importera ackumulerade saldon"
                )
                continue
            base = {key: Decimal(row.balance_kr) for key, row in stored.items()}
        for key, amount in amounts.items():
            base[key] = base.get(key, Decimal(0)) + amount
        exact[period] = {key: amount for key, amount in base.items() if amount != 0}
    return {period: _whole_kronor(amounts) for period, amounts in exact.items()}


def _continuity(
    session: Session,
    mid: int,
    entity: str,
    chart: Chart,
    period: Period,
    balances: dict[Period, dict[tuple[str, str], int]],
) -> list[str]:
    """A period's equity must be last year's closing equity plus last year's result.

    Checked against last December (in the file or stored) and, for a December in the
    file, against next year's periods already stored. A company may change its equity
    during the year (a dividend, a shareholder's contribution), so for a company only the
    opening balance (month 0) is held to last year's closing.
    """

    def lines_of(p: Period) -> dict[tuple[str, str], int] | None:
        if p in balances:
            return balances[p]
        stored = _stored(session, mid, entity, p)
        return {k: r.balance_kr for k, r in stored.items()} or None

    company = entity != MUNICIPALITY_ENTITY
    pairs = [] if company and period[1] != 0 else [((period[0] - 1, 12), period)]
    if not company and period[1] != 0:
        # Without last December, the year's own opening balance holds the equity to keep.
        pairs.append(((period[0], 0), period))
    if period[1] == 12:
        later = session.exec(
            select(TrialBalanceLine.month)
            .where(
                TrialBalanceLine.municipality_id == mid,
                TrialBalanceLine.entity == entity,
                TrialBalanceLine.year == period[0] + 1,
            )
            .distinct()
        ).all()
        pairs += [
            (period, (period[0] + 1, m))
            for m in later
            if (period[0] + 1, m) not in balances and not (company and m != 0)
        ]
    found = []
    for before, after in pairs:
        closing, opening = lines_of(before), lines_of(after)
        if closing is None or opening is None:
            continue
        if before[1] == 0 and lines_of((before[0] - 1, 12)) is not None:
            continue  # checked against last December already
        equity_before, result_before = _equity_and_result(chart, closing)
        equity_after, _ = _equity_and_result(chart, opening)
        difference = equity_after - equity_before - result_before
        if difference and before[1] == 0:
            found.append(
                f"eget kapital {_label(after)} ({format_tkr(equity_after)}, före årets resultat) "
                f"är inte den ingående balansens ({format_tkr(equity_before)}): "
                f"{format_tkr(difference)} har bokförts direkt mot eget kapital under året"
            )
        elif difference:
            found.append(
                f"eget kapital {_label(after)} ({format_tkr(equity_after)}, före årets resultat) "
                f"är inte eget kapital {_label(before)} ({format_tkr(equity_before)}) plus det "
                f"årets resultat ({format_tkr(result_before)}): ingående balans {after[0]} "
                f"stämmer inte med utgående balans {before[0]} (skillnad {format_tkr(difference)})"
            )
    return found
