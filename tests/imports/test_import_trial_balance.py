"""`arshjul import saldobalans`: a trial balance lands whole, or nothing is written.

On SQLite and on PostgreSQL, with the shipped Arboga configuration. The files are real CSV
and XLSX files built from double-entry books (the demo's Journal), so a good file
balances by construction and a bad one is bad in exactly one way. Each refusal is
asserted by the words a controller would look for in the message (the account, the
period, the amount) and by counting the rows before and after.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from openpyxl import Workbook
from sqlalchemy import Engine, func
from sqlmodel import Session, select

from arshjul.config.apply import apply_config
from arshjul.config.loader import load_config, shipped_config_path
from arshjul.config.stored import municipality_config
from arshjul.demo.books import Journal
from arshjul.errors import ArshjulError
from arshjul.formats import format_tkr
from arshjul.imports import ImportReport, import_trial_balance
from arshjul.models import AuditEntry, Municipality, TrialBalanceLine

STOCKHOLM = ZoneInfo("Europe/Stockholm")
AS_OF = dt.datetime(2027, 4, 15, 9, 0, tzinfo=STOCKHOLM)  # January–March have ended
NBSP, MINUS = "\u00a0", "\u2212"
HEADER = ["konto", "ansvar", "period", "ackumulerat"]
Period = tuple[int, int]
Lines = dict[tuple[str, str], int]

# Opening balances (debit, credit, kronor) and a month's vouchers (debit, credit, kronor,
# responsibility of the debit, responsibility of the credit).
MUNICIPALITY_OPENING = (
    ("1110", "2010", 1_000_000),
    ("1930", "2010", 200_000),
    ("2010", "2440", 50_000),
    ("2010", "2311", 300_000),
    ("2010", "2050", 10_000),  # resultatutjämningsreserv (Arboga's own prefix 205)
)
MUNICIPALITY_MONTH = (
    ("1930", "8011", 50_000, "", "9000"),
    ("5011", "1930", 30_000, "1000", ""),
    ("4611", "2440", 5_000, "2000", ""),
    ("7810", "1119", 2_000, "9000", ""),
    ("1930", "3011", 4_000, "", "1000"),
)
COMPANY_OPENING = (
    ("1110", "2081", 500_000),
    ("1930", "2081", 50_000),
    ("2081", "2091", 100_000),
    ("2081", "2350", 300_000),
    ("2081", "2125", 20_000),  # periodiseringsfond (untaxed reserves)
)
COMPANY_MONTH = (
    ("1930", "3010", 40_000, "", ""),
    ("4010", "1930", 25_000, "", ""),
    ("7830", "1119", 3_000, "", ""),
    ("8410", "1930", 1_000, "", ""),
    ("8910", "2510", 2_000, "", ""),  # the company's tax (89 in BAS)
    ("8811", "2125", 500, "", ""),  # an appropriation to the reserve
)


def books(
    *,
    company: bool = False,
    years: tuple[int, ...] = (2027,),
    months: int = 3,
    extra: dict[Period, list[tuple[str, str, int]]] | None = None,
) -> dict[Period, Lines]:
    """Accumulated balances per period: the opening balance of the first year, every month
    of the earlier years (their result closed into equity), ``months`` of the last."""
    journal = Journal()
    for debit, credit, amount in COMPANY_OPENING if company else MUNICIPALITY_OPENING:
        journal.book(debit, credit, amount)
    vouchers = COMPANY_MONTH if company else MUNICIPALITY_MONTH
    periods: dict[Period, Lines] = {}
    for year in years:
        periods[(year, 0)] = journal.snapshot()
        for month in range(1, (months if year == years[-1] else 12) + 1):
            for debit, credit, amount, on, against in vouchers:
                journal.book(debit, credit, amount, on=on, against=against)
            for debit, credit, amount in (extra or {}).get((year, month), []):
                journal.book(debit, credit, amount)
            periods[(year, month)] = journal.snapshot()
        if year != years[-1]:
            journal.close_year("2091" if company else "2010")
    return periods


def label(period: Period) -> str:
    return f"{period[0]}-IB" if period[1] == 0 else f"{period[0]}-{period[1]:02d}"


def kr(amount: int | Decimal) -> str:
    """As a Swedish finance system exports it: ``-1 234 567,00``."""
    whole = f"{Decimal(amount):,.2f}"
    return whole.replace(",", " ").replace(".", ",")


def number(text: str) -> Decimal:
    """What :func:`kr` wrote, as a number again."""
    return Decimal(text.replace(" ", "").replace(",", "."))


def rows_of(periods: dict[Period, Lines], only: list[Period] | None = None) -> list[list[Any]]:
    return [
        [account, responsibility, label(period), kr(amount)]
        for period in (only if only is not None else sorted(periods))
        for (account, responsibility), amount in sorted(periods[period].items())
    ]


def movements(periods: dict[Period, Lines], only: list[Period]) -> list[list[Any]]:
    """Each month's change from the month before (the opening balance as it is)."""
    rows = []
    for period in only:
        before = periods.get((period[0], period[1] - 1), {}) if period[1] else {}
        now = periods[period]
        for key in sorted(set(now) | set(before)):
            change = now.get(key, 0) - before.get(key, 0)
            if change:
                rows.append([key[0], key[1], label(period), kr(change)])
    return rows


def write_csv(path: Path, rows: list[list[Any]], header: list[str] | None = None) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(header or HEADER)
        writer.writerows(rows)
    return path


def write_xlsx(path: Path, rows: list[list[Any]], header: list[str] | None = None) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(header or HEADER)
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


# ----------------------------------------------------------------------------- database
@dataclass
class Db:
    session: Session
    municipality: Municipality

    def run(
        self, path: Path, *, as_of: dt.datetime = AS_OF, entity: str = "", dry_run: bool = False
    ) -> ImportReport:
        """Import as the CLI does: commit on success, roll back on a refusal."""
        try:
            report = import_trial_balance(
                self.session,
                municipality=self.municipality,
                config=municipality_config(self.municipality),
                path=path,
                as_of=as_of,
                actor="test",
                entity=entity,
                dry_run=dry_run,
            )
        except ArshjulError:
            self.session.rollback()
            raise
        self.session.commit()
        return report

    def counts(self) -> tuple[int, int]:
        return (
            self.session.exec(select(func.count()).select_from(TrialBalanceLine)).one(),
            self.session.exec(select(func.count()).select_from(AuditEntry)).one(),
        )

    def stored(self, entity: str = "") -> dict[Period, Lines]:
        found: dict[Period, Lines] = {}
        for row in self.session.exec(
            select(TrialBalanceLine).where(TrialBalanceLine.entity == entity)
        ):
            found.setdefault((row.year, row.month), {})[(row.account, row.responsibility)] = (
                row.balance_kr
            )
        return found

    def audits(self, action: str) -> list[AuditEntry]:
        return list(
            self.session.exec(
                select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)  # type: ignore[arg-type]
            )
        )

    def refused(self, path: Path, *words: str, **kw: Any) -> str:
        """The import is refused with every word in its message, and nothing is written."""
        before = self.counts()
        with pytest.raises(ArshjulError) as caught:
            self.run(path, **kw)
        message = str(caught.value)
        for word in words:
            assert word in message, f"{word!r} saknas i:\n{message}"
        assert "Inget har ändrats" in message
        assert self.counts() == before
        return message


def make_db(engine: Engine, config: Path | None = None) -> Iterator[Db]:
    """A session on ``engine``; ``config`` applied first, else Arboga's already is."""
    with Session(engine, expire_on_commit=False) as session:
        if config is not None:
            municipality = apply_config(session, load_config(config)).municipality
            session.commit()
        else:
            municipality = session.exec(select(Municipality)).one()
        yield Db(session, municipality)


@pytest.fixture
def db(arboga_engine: Engine) -> Iterator[Db]:
    """A database with the shipped Arboga configuration."""
    yield from make_db(arboga_engine)


# ----------------------------------------------------------------------------- landing
def test_a_good_accumulated_file_lands_and_a_reimport_changes_nothing(
    db: Db, tmp_path: Path
) -> None:
    periods = books()
    path = write_csv(tmp_path / "saldobalans-2027.csv", rows_of(periods))
    report = db.run(path)
    assert db.stored() == periods
    lines = sum(len(p) for p in periods.values())
    assert (report.rows, report.created, report.updated, report.removed) == (lines, lines, 0, 0)
    assert report.replaced_periods == []
    assert report.title == "Saldobalans för Arboga kommun"
    [audit] = db.audits("import.saldobalans")
    assert audit.details["periods"] == ["2027-IB", "2027-01", "2027-02", "2027-03"]
    assert audit.details["accumulated"] is True and audit.details["entity"] == ""
    counts = db.counts()

    again = db.run(path)
    assert not again.changed and again.unchanged == lines
    assert "inget ändrat (allt stämde redan)" in str(again)
    assert db.counts() == counts
    assert db.stored() == periods


def test_the_same_books_as_an_excel_file_land_the_same(db: Db, tmp_path: Path) -> None:
    periods = books(months=2)
    rows = [
        [int(account), responsibility or None, period, float(number(amount))]
        for account, responsibility, period, amount in rows_of(periods)
    ]
    db.run(write_xlsx(tmp_path / "saldobalans.xlsx", rows, ["Konto", "Ansvar", "Period", "Saldo"]))
    assert db.stored() == periods


def test_year_and_month_columns_instead_of_a_period(db: Db, tmp_path: Path) -> None:
    periods = books(months=1)
    rows = [
        [account, responsibility, period[:4], "IB" if period.endswith("IB") else period[5:], a]
        for account, responsibility, period, a in rows_of(periods)
    ]
    db.run(write_csv(tmp_path / "sb.csv", rows, ["konto", "ansvar", "år", "månad", "UB"]))
    assert db.stored() == periods


def test_a_changed_period_is_replaced_whole_and_the_old_lines_are_kept(
    db: Db, tmp_path: Path
) -> None:
    first = books(months=2)
    db.run(write_csv(tmp_path / "sb-1.csv", rows_of(first)))
    # February again: a late voucher on a new account, and the supplier paid in full.
    second = books(
        months=2,
        extra={(2027, 2): [("1510", "3011", 7_500), ("2440", "1930", 60_000)]},
    )
    assert ("2440", "") not in second[(2027, 2)]  # the account is gone from February
    report = db.run(write_csv(tmp_path / "sb-2.csv", rows_of(second, [(2027, 2)])))
    assert report.replaced_periods == ["2027-02"]
    old, new = first[(2027, 2)], second[(2027, 2)]
    assert report.created == len(new.keys() - old.keys()) == 2  # 1510 and 3011 without ansvar
    assert report.removed == len(old.keys() - new.keys()) == 1  # 2440
    assert report.updated == sum(1 for k in new.keys() & old.keys() if new[k] != old[k]) == 1
    assert "1 period ersatt (2027-02)" in str(report)
    stored = db.stored()
    assert stored[(2027, 2)] == second[(2027, 2)]
    assert stored[(2027, 1)] == first[(2027, 1)] and stored[(2027, 0)] == first[(2027, 0)]
    [replaced] = db.audits("import.replace")
    assert replaced.details["period"] == "2027-02"
    assert replaced.details["old"] == [
        [account, responsibility, amount]
        for (account, responsibility), amount in sorted(first[(2027, 2)].items())
    ]
    assert replaced.details["lines"] == len(second[(2027, 2)])
    assert replaced.entity == "trial_balance_line" and replaced.actor == "test"


def test_a_dry_run_writes_nothing(db: Db, tmp_path: Path) -> None:
    before = db.counts()
    report = db.run(write_csv(tmp_path / "sb.csv", rows_of(books())), dry_run=True)
    assert report.created == sum(len(p) for p in books().values())
    assert str(report).startswith("Provläsning, inget sparat: ")
    assert db.counts() == before


# ----------------------------------------------------------------------------- per period
def test_a_per_period_file_is_accumulated_onto_the_month_before(db: Db, tmp_path: Path) -> None:
    periods = books()
    header = ["konto", "ansvar", "period", "belopp"]
    report = db.run(
        write_csv(tmp_path / "sb.csv", movements(periods, sorted(periods)), header=header)
    )
    assert db.stored() == periods
    [audit] = db.audits("import.saldobalans")
    assert audit.details["accumulated"] is False
    assert report.created == sum(len(p) for p in periods.values())


def test_a_per_period_month_builds_on_the_month_already_imported(db: Db, tmp_path: Path) -> None:
    periods = books()
    db.run(write_csv(tmp_path / "jan.csv", rows_of(periods, [(2027, 0), (2027, 1)])))
    header = ["konto", "ansvar", "period", "periodens belopp"]
    db.run(write_csv(tmp_path / "feb.csv", movements(periods, [(2027, 2)]), header=header))
    db.run(write_csv(tmp_path / "mar.csv", movements(periods, [(2027, 3)]), header=header))
    assert db.stored() == periods


def test_a_per_period_january_without_an_opening_balance_is_refused(db: Db, tmp_path: Path) -> None:
    periods = books()
    header = ["konto", "ansvar", "period", "belopp"]
    db.refused(
        write_csv(tmp_path / "jan.csv", movements(periods, [(2027, 1)]), header=header),
        "perioden 2027-01 har periodens belopp",
        "ingående balans (IB) finns varken i filen eller sedan tidigare",
    )


def test_a_per_period_month_without_the_month_before_is_refused(db: Db, tmp_path: Path) -> None:
    periods = books()
    db.run(write_csv(tmp_path / "jan.csv", rows_of(periods, [(2027, 0), (2027, 1)])))
    header = ["konto", "ansvar", "period", "belopp"]
    db.refused(
        write_csv(tmp_path / "mar.csv", movements(periods, [(2027, 3)]), header=header),
        "perioden 2027-03 har periodens belopp, men perioden 2027-02 finns varken i filen",
    )


# ----------------------------------------------------------------------------- amounts
def test_swedish_amounts_and_ore_rounded_so_the_period_still_balances(
    db: Db, tmp_path: Path
) -> None:
    exact = {
        "1110": Decimal("1234567.89"),
        "1930": Decimal("12345.37"),
        "1510": Decimal("100.37"),
        "2440": Decimal("-1234.50"),
    }
    exact["2010"] = -sum(exact.values())
    rows = [
        ["1110", "", "2027-IB", "1 234 567,89"],
        ["1930", "", "2027-IB", f"12{NBSP}345,37"],
        ["1510", "", "2027-IB", "100,37"],
        ["2440", "", "2027-IB", f"{MINUS}1 234,50"],
        ["2010", "", "2027-IB", f"-1\u202f245{NBSP}779,13"],
    ]
    assert exact["2010"] == Decimal("-1245779.13")
    db.run(write_csv(tmp_path / "ib.csv", rows))
    stored = db.stored()[(2027, 0)]
    assert sum(stored.values()) == 0
    for account, amount in exact.items():
        assert abs(stored[(account, "")] - amount) < 1, account
    assert stored[("1110", "")] == 1_234_568
    assert stored[("1930", "")] == 12_345
    assert stored[("2010", "")] == -1_245_779


def test_ore_that_add_up_to_kronor_are_given_to_the_largest_remainders(
    db: Db, tmp_path: Path
) -> None:
    # Three debits of 0,40 and one credit of 1,20: whole kronor 0 + 0 + 0 − 1 do not
    # balance; the largest remainders get the krona.
    rows = [
        ["1510", "1000", "2027-IB", "0,40"],
        ["1510", "2000", "2027-IB", "0,40"],
        ["1510", "3000", "2027-IB", "0,40"],
        ["2440", "", "2027-IB", "-1,20"],
    ]
    db.run(write_csv(tmp_path / "ib.csv", rows))
    stored = db.stored()[(2027, 0)]
    assert sum(stored.values()) == 0
    assert stored[("2440", "")] == -1
    assert sorted(v for (a, _), v in stored.items() if a == "1510") == [0, 0, 1]


def test_billions_land_to_the_krona_without_a_responsibility_column(db: Db, tmp_path: Path) -> None:
    # Beyond 2**31 kronor: the column must hold it on PostgreSQL too.
    rows = [
        ["1110", "2027-IB", "12 345 678 901,23"],
        ["2010", "2027-IB", "-12 345 678 901,23"],
    ]
    db.run(write_csv(tmp_path / "ib.csv", rows, ["kontonr", "period", "saldo"]))
    assert db.stored() == {(2027, 0): {("1110", ""): 12_345_678_901, ("2010", ""): -12_345_678_901}}


def test_an_absurd_amount_and_a_short_account_are_refused(db: Db, tmp_path: Path) -> None:
    rows = [
        ["1930", "", "2027-IB", "10 000 000 000 000,00"],
        ["19", "", "2027-IB", "-10,00"],
    ]
    db.refused(
        write_csv(tmp_path / "sb.csv", rows),
        "rad 2, kolumn ackumulerat: ”10 000 000 000 000,00” är orimligt stort",
        "rad 3, kolumn konto: ”19” är inget kontonummer (3–10 siffror)",
    )


def test_exponent_notation_is_refused(db: Db, tmp_path: Path) -> None:
    rows = [["1930", "", "2027-IB", "1e6"], ["2010", "", "2027-IB", "-1000000,00"]]
    db.refused(
        write_csv(tmp_path / "sb.csv", rows),
        "rad 2, kolumn ackumulerat",
        "”1e6” är inget belopp i kronor: skriv siffrorna ut",
    )


def test_dots_as_thousands_and_three_decimals_are_refused(db: Db, tmp_path: Path) -> None:
    rows = [
        ["1930", "", "2027-IB", "1.234.567"],
        ["1510", "", "2027-IB", "10,125"],
        ["2010", "", "2027-IB", "-1234577,13"],
    ]
    db.refused(
        write_csv(tmp_path / "sb.csv", rows),
        "rad 2, kolumn ackumulerat: ”1.234.567” är tvetydigt",
        "rad 3, kolumn ackumulerat: ”10,125” har fler än två decimaler",
    )


# ----------------------------------------------------------------------------- refusals
def test_an_unbalanced_period_is_refused_naming_the_period_and_the_difference(
    db: Db, tmp_path: Path
) -> None:
    periods = books()
    rows = rows_of(periods)
    index = next(
        i for i, r in enumerate(rows) if r[2] == "2027-02" and r[0] == "1930"
    )  # the bank in February
    rows[index][3] = kr(periods[(2027, 2)][("1930", "")] + Decimal("1234.56"))
    message = db.refused(
        write_csv(tmp_path / "sb.csv", rows),
        "perioden 2027-02 balanserar inte",
        f"saldona summerar till 1{NBSP}234,56{NBSP}kr",
    )
    # Only February: the other periods balance.
    assert "2027-01" not in message and "2027-03" not in message
    assert "1 fel" in message


def test_an_unbalanced_per_period_month_speaks_of_the_periods_amounts(
    db: Db, tmp_path: Path
) -> None:
    periods = books()
    rows = movements(periods, sorted(periods))
    rows.append(["4611", "3000", "2027-03", "-99,50"])
    db.refused(
        write_csv(tmp_path / "sb.csv", rows, ["konto", "ansvar", "period", "belopp"]),
        f"perioden 2027-03 balanserar inte: periodens belopp summerar till {MINUS}99,50{NBSP}kr",
    )


def test_unknown_accounts_are_refused_each_with_its_amount(db: Db, tmp_path: Path) -> None:
    periods = books(months=1)
    rows = rows_of(periods) + [
        ["9110", "", "2027-01", "2 500,00"],
        ["0123", "", "2027-01", "-2 500,00"],
    ]
    message = db.refused(
        write_csv(tmp_path / "sb.csv", rows),
        "konto 9110: kontoklass 9 (interna och kalkylmässiga poster) hör inte till den "
        "externa redovisningen",
        f"(i filen 2027-01: 2{NBSP}500,00{NBSP}kr)",
        "konto 0123 finns inte i kontoplanen Kommun-Bas med kommunens ändringar",
        f"(i filen 2027-01: {MINUS}2{NBSP}500,00{NBSP}kr)",
        "2 fel",
    )
    assert "balanserar inte" not in message


def test_an_unknown_account_in_several_periods_is_shown_with_amounts_from_the_file(
    db: Db, tmp_path: Path
) -> None:
    """The amount a message quotes is one the controller can find in the file."""
    periods = books(months=2)
    rows = rows_of(periods) + [
        ["9110", "", "2027-01", "100,00"],
        ["2440", "", "2027-01", "-100,00"],
        ["9110", "", "2027-02", "150,00"],
        ["2440", "", "2027-02", "-150,00"],
    ]
    # Keep each period free of duplicates: move the supplier lines onto another
    # responsibility.
    rows[-3][1] = rows[-1][1] = "9999"
    message = db.refused(write_csv(tmp_path / "sb.csv", rows), "konto 9110")
    assert "250,00" not in message, message  # no sum of two months' accumulated balances
    assert "150,00" in message


@pytest.mark.parametrize(
    ("account", "reason"),
    [
        ("8911", "kontogrupp 89 (årets resultat) bokas vid bokslutet"),
        ("8999", "kontogrupp 89 (årets resultat) bokas vid bokslutet"),
        ("9999", "kontoklass 9"),
        ("2125", "finns inte i kontoplanen Kommun-Bas"),  # untaxed reserves: companies only
    ],
)
def test_accounts_outside_the_chart_are_refused(
    db: Db, tmp_path: Path, account: str, reason: str
) -> None:
    periods = books(months=1)
    rows = rows_of(periods) + [
        [account, "", "2027-01", "4 321,00"],
        ["1930", "7777", "2027-01", "-4 321,00"],
    ]
    db.refused(
        write_csv(tmp_path / "sb.csv", rows),
        f"konto {account}",
        reason,
        f"4{NBSP}321,00{NBSP}kr",
    )


def test_a_municipal_override_lets_an_account_in(db: Db, tmp_path: Path) -> None:
    # Arboga's [accounts] lines put 205 on the result equalisation reserve.
    periods = books(months=1)
    db.run(write_csv(tmp_path / "sb.csv", rows_of(periods)))
    assert ("2050", "") in db.stored()[(2027, 0)]


def test_a_result_account_in_the_opening_balance_is_refused(db: Db, tmp_path: Path) -> None:
    rows = [
        ["1930", "", "2027-IB", "500,00"],
        ["3011", "1000", "2027-IB", "-500,00"],
    ]
    db.refused(
        write_csv(tmp_path / "sb.csv", rows),
        "rad 3, kolumn period",
        "konto 3011 är ett resultatkonto: ingående balans (IB) finns bara för balanskonton",
    )


@pytest.mark.parametrize(
    ("as_of", "period", "words"),
    [
        (
            dt.datetime(2027, 3, 31, 23, 59, tzinfo=STOCKHOLM),
            "2027-03",
            "månaden 2027-03 är inte slut den 2027-03-31",
        ),
        (
            dt.datetime(2027, 1, 15, 9, 0, tzinfo=STOCKHOLM),
            "2027-03",
            "månaden 2027-03 är inte slut den 2027-01-15",
        ),
        (
            dt.datetime(2027, 12, 31, 12, 0, tzinfo=STOCKHOLM),
            "2028-IB",
            "räkenskapsåret 2028 har inte börjat",
        ),
    ],
)
def test_a_period_that_has_not_ended_is_refused(
    db: Db, tmp_path: Path, as_of: dt.datetime, period: str, words: str
) -> None:
    rows = [["1930", "", period, "100,00"], ["2010", "", period, "-100,00"]]
    db.refused(write_csv(tmp_path / "sb.csv", rows), words, "rad 2", "rad 3", as_of=as_of)


def test_a_month_has_ended_at_midnight_stockholm_time(db: Db, tmp_path: Path) -> None:
    periods = books()
    midnight = dt.datetime(2027, 4, 1, 0, 0, tzinfo=STOCKHOLM)
    db.run(write_csv(tmp_path / "sb.csv", rows_of(periods)), as_of=midnight)
    assert db.stored() == periods


def test_a_duplicate_account_line_is_refused(db: Db, tmp_path: Path) -> None:
    periods = books(months=1)
    rows = rows_of(periods)
    duplicate = next(r for r in rows if r[0] == "5011" and r[2] == "2027-01")
    rows.append(list(duplicate))
    db.refused(
        write_csv(tmp_path / "sb.csv", rows),
        f"rad {len(rows) + 1}: konto 5011, ansvar 1000 finns redan för perioden 2027-01",
    )


def test_two_amount_columns_are_refused(db: Db, tmp_path: Path) -> None:
    db.refused(
        write_csv(
            tmp_path / "sb.csv",
            [["1930", "2027-01", "1,00", "1,00"]],
            ["konto", "period", "ackumulerat", "belopp"],
        ),
        "rad 1: filen ska ha en beloppskolumn",
        "”ackumulerat” (saldo vid periodens slut) eller ”belopp” (periodens förändring), inte båda",
    )


def test_no_amount_column_is_refused(db: Db, tmp_path: Path) -> None:
    db.refused(
        write_csv(tmp_path / "sb.csv", [["1930", "2027-01"]], ["konto", "period"]),
        "filen ska ha en beloppskolumn",
    )


def test_no_period_columns_are_refused(db: Db, tmp_path: Path) -> None:
    message = db.refused(
        write_csv(tmp_path / "sb.csv", [["1930", "1,00"]], ["konto", "ackumulerat"]),
        "filen ska ange perioden: en kolumn ”period” (ÅÅÅÅ-MM) eller kolumnerna ”år” och ”månad”",
    )
    assert "beloppskolumn" not in message
    db.refused(
        write_csv(tmp_path / "sb2.csv", [["1930", "2027", "1,00"]], ["konto", "år", "saldo"]),
        "filen ska ange perioden",
    )


def test_bad_periods_and_accounts_are_refused_by_row(db: Db, tmp_path: Path) -> None:
    rows = [
        ["1930", "", "2027-13", "1,00"],
        ["19A0", "", "2027-01", "1,00"],
        ["1930", "", "juli", "1,00"],
        ["1930", "", "2027-01", ""],
    ]
    db.refused(
        write_csv(tmp_path / "sb.csv", rows),
        "rad 2, kolumn period: ”13” är ingen månad",
        "rad 3, kolumn konto: ”19A0” är inget kontonummer",
        "rad 4, kolumn period: ”juli” är ingen period",
        "rad 5, kolumn ackumulerat: värde saknas",
    )


def test_a_file_with_only_a_header_is_refused(db: Db, tmp_path: Path) -> None:
    db.refused(write_csv(tmp_path / "tom.csv", []), "filen har rubrikraden men inga rader")


# ----------------------------------------------------------------------------- continuity
def test_last_year_and_this_years_opening_balance_land_together(db: Db, tmp_path: Path) -> None:
    periods = books(years=(2026, 2027), months=2)
    db.run(write_csv(tmp_path / "sb.csv", rows_of(periods)))
    assert db.stored() == periods


def test_an_opening_balance_that_does_not_follow_from_last_december_is_refused(
    db: Db, tmp_path: Path
) -> None:
    periods = books(years=(2026, 2027), months=1)
    # The IB of 2027 with 12 345 kr taken from equity to the bank.
    opening = dict(periods[(2027, 0)])
    opening[("2010", "")] += 12_345
    opening[("1930", "")] -= 12_345
    periods[(2027, 0)] = opening
    # Without January: January's equity does not follow from last December either.
    rows = rows_of(periods, [(2026, 12), (2027, 0)])
    message = db.refused(
        write_csv(tmp_path / "sb.csv", rows),
        "eget kapital 2027-IB",
        "är inte eget kapital 2026-12",
        "ingående balans 2027 stämmer inte med utgående balans 2026",
        f"(skillnad {format_tkr(-12_345)})",
    )
    assert "(skillnad \u221212,3\u00a0tkr)" in message


def test_an_opening_balance_checked_against_last_december_already_imported(
    db: Db, tmp_path: Path
) -> None:
    periods = books(years=(2026, 2027), months=1)
    db.run(write_csv(tmp_path / "2026.csv", rows_of(periods, [(2026, m) for m in range(13)])))
    # Last year's result forgotten: the IB's equity is December's before its result.
    result = -sum(v for (a, _), v in periods[(2026, 12)].items() if a[0] in "345678")
    assert result > 0
    opening = dict(periods[(2027, 0)])
    opening[("2010", "")] += result
    opening[("1930", "")] -= result
    periods[(2027, 0)] = opening
    db.refused(
        write_csv(tmp_path / "2027.csv", rows_of(periods, [(2027, 0)])),
        "eget kapital 2027-IB",
        f"plus det årets resultat ({format_tkr(result)})",
        f"(skillnad {format_tkr(-result)})",
    )


def test_a_new_december_is_checked_against_next_years_opening_already_imported(
    db: Db, tmp_path: Path
) -> None:
    periods = books(years=(2026, 2027), months=1)
    db.run(write_csv(tmp_path / "all.csv", rows_of(periods)))
    # December again, with a late cost of 3 000 kr: next year's IB no longer follows.
    late = books(years=(2026, 2027), months=1, extra={(2026, 12): [("4611", "2440", 3_000)]})
    db.refused(
        write_csv(tmp_path / "dec.csv", rows_of(late, [(2026, 12)])),
        "eget kapital 2027-IB",
        "ingående balans 2027 stämmer inte med utgående balans 2026",
        f"(skillnad {format_tkr(3_000)})",
    )


def test_the_municipality_may_not_book_straight_to_equity_during_the_year(
    db: Db, tmp_path: Path
) -> None:
    periods = books(years=(2026, 2027), months=3, extra={(2027, 2): [("2010", "1930", 40_000)]})
    db.run(write_csv(tmp_path / "2026.csv", rows_of(periods, [(2026, m) for m in range(13)])))
    message = db.refused(
        write_csv(tmp_path / "2027.csv", rows_of(periods, [(2027, m) for m in range(4)])),
        "eget kapital 2027-02",
        "eget kapital 2027-03",
        f"(skillnad {format_tkr(-40_000)})",
    )
    assert "eget kapital 2027-01" not in message and "eget kapital 2027-IB" not in message


def test_the_municipality_may_not_book_straight_to_equity_given_only_the_opening_balance(
    db: Db, tmp_path: Path
) -> None:
    """The year's IB is last year's closing: a month's equity must follow from it too."""
    periods = books(months=3, extra={(2027, 2): [("2010", "1930", 40_000)]})
    db.refused(
        write_csv(tmp_path / "2027.csv", rows_of(periods)),
        "eget kapital 2027-02",
        f"{format_tkr(-40_000)}",
    )


# ----------------------------------------------------------------------------- companies
def test_a_companys_file_is_read_with_the_bas_chart(db: Db, tmp_path: Path) -> None:
    periods = books(company=True)
    path = write_csv(tmp_path / "bostader.csv", rows_of(periods))
    # On Kommun-Bas the company's tax (89) and untaxed reserves (21) have no place.
    db.refused(path, "konto 8910: kontogrupp 89", "konto 2125 finns inte i kontoplanen Kommun-Bas")
    report = db.run(path, entity="arbogabostader")
    assert report.title == "Saldobalans för Arbogabostäder AB"
    assert db.stored("arbogabostader") == periods
    assert db.stored("") == {}
    [audit] = db.audits("import.saldobalans")
    assert audit.details["entity"] == "arbogabostader"


def test_a_company_is_found_by_its_key_in_any_case(db: Db, tmp_path: Path) -> None:
    periods = books(company=True, months=1)
    db.run(write_csv(tmp_path / "sb.csv", rows_of(periods)), entity=" ArbogaBostader ")
    assert db.stored("arbogabostader") == periods


def test_a_company_is_found_by_its_name_as_in_the_group_transactions_file(
    db: Db, tmp_path: Path
) -> None:
    """`koncerninternt` takes "Arbogabostäder AB" for the company; so should --bolag."""
    periods = books(company=True, months=1)
    db.run(write_csv(tmp_path / "sb.csv", rows_of(periods)), entity="Arbogabostäder AB")
    assert db.stored("arbogabostader") == periods


def test_a_companys_refused_accounts(db: Db, tmp_path: Path) -> None:
    rows = [
        ["1930", "", "2027-01", "10,00"],
        ["2099", "", "2027-01", "-10,00"],
    ]
    db.refused(
        write_csv(tmp_path / "sb.csv", rows),
        "konto 2099: konto 2099 (årets resultat) bokas vid bokslutet",
        entity="vatten",
    )


def test_a_company_may_pay_a_dividend_straight_from_equity(db: Db, tmp_path: Path) -> None:
    periods = books(
        company=True,
        years=(2026, 2027),
        months=5,
        extra={(2027, 5): [("2091", "1930", 25_000)]},  # the dividend to the owner
    )
    june = dt.datetime(2027, 6, 15, 9, 0, tzinfo=STOCKHOLM)
    db.run(write_csv(tmp_path / "sb.csv", rows_of(periods)), entity="radhuset", as_of=june)
    assert db.stored("radhuset") == periods


def test_a_companys_opening_balance_must_still_follow_from_last_december(
    db: Db, tmp_path: Path
) -> None:
    periods = books(company=True, years=(2026, 2027), months=1)
    opening = dict(periods[(2027, 0)])
    opening[("2091", "")] -= 9_000
    opening[("1930", "")] += 9_000
    periods[(2027, 0)] = opening
    db.refused(
        write_csv(tmp_path / "sb.csv", rows_of(periods)),
        "eget kapital 2027-IB",
        f"(skillnad {format_tkr(9_000)})",
        entity="radhuset",
    )


def test_the_federation_keeps_its_books_on_kommun_bas(db: Db, tmp_path: Path) -> None:
    periods = books(months=1)  # the municipality's accounts
    db.run(write_csv(tmp_path / "sb.csv", rows_of(periods)), entity="vmmf")
    assert db.stored("vmmf") == periods


def test_an_unknown_entity_is_refused(db: Db, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "sb.csv", rows_of(books(company=True, months=1)))
    db.refused(
        path,
        "”bostadsbolaget” är inget bolag eller kommunalförbund i kommunens konfiguration",
        "kända: radhuset, vatten, kommunalteknik, arbogabostader, kommunfastigheter, vmmf",
        entity="bostadsbolaget",
    )
    db.refused(path, "”bun” är inget bolag eller kommunalförbund", entity="bun")


@pytest.fixture
def db_without_share(engine: Engine, tmp_path: Path) -> Iterator[Db]:
    """Arboga's configuration with the federation's ownership share left out."""
    text = shipped_config_path().read_text(encoding="utf-8")
    line = next(x for x in text.splitlines() if x.startswith("ownership_percent = 26"))
    copy = tmp_path / "arboga-utan-andel.toml"
    copy.write_text(text.replace(line + "\n", ""), encoding="utf-8")
    assert "ownership_percent = 26" not in copy.read_text(encoding="utf-8")
    yield from make_db(engine, copy)


def test_a_member_without_an_ownership_share_is_refused(
    db_without_share: Db, tmp_path: Path
) -> None:
    db = db_without_share
    db.refused(
        write_csv(tmp_path / "sb.csv", rows_of(books(months=1))),
        "Västra Mälardalens Myndighetsförbund saknar ägarandel (ownership_percent i kommunens "
        "TOML-fil)",
        "sammanställda redovisningen",
        entity="vmmf",
    )


# ----------------------------------------------------------------------------- command line
def test_the_command_line_refuses_a_bad_file_with_exit_code_2(tmp_path: Path) -> None:
    arshjul = Path(sys.executable).with_name("arshjul")
    environment = {k: v for k, v in os.environ.items() if not k.startswith("ARSHJUL_")}
    environment["ARSHJUL_PDF"] = "0"  # LibreOffice's PDFs are tested in tests/documents

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(arshjul), *args],
            cwd=tmp_path,
            env=environment,
            capture_output=True,
            text=True,
            timeout=120,
        )

    assert cli("init").returncode == 0
    periods = books(company=True, months=1)
    rows = rows_of(periods)
    rows[-1][3] = kr(number(rows[-1][3]) + 10)
    bad = write_csv(tmp_path / "bostader-fel.csv", rows)
    as_of = ("--as-of", "2027-04-15")
    result = cli("import", "saldobalans", str(bad), "--bolag", "arbogabostader", *as_of)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert "Fel: bostader-fel.csv importerades inte: 1 fel. Inget har ändrats." in result.stderr
    assert f"perioden 2027-01 balanserar inte: saldona summerar till 10,00{NBSP}kr" in (
        result.stderr
    )
    good = write_csv(tmp_path / "bostader.csv", rows_of(periods))
    result = cli("import", "saldobalans", str(good), "--bolag", "arbogabostader", *as_of)
    assert result.returncode == 0, result.stderr
    lines = sum(len(p) for p in periods.values())
    assert f"Saldobalans för Arbogabostäder AB från bostader.csv: {lines} rader lästa" in (
        result.stdout
    )
    result = cli("import", "saldobalans", str(good), "--bolag", "okänt", *as_of)
    assert result.returncode == 2
    assert "”okänt” är inget bolag eller kommunalförbund" in result.stderr
