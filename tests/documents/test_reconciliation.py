"""The reconciliation suite: the year's interim and annual reports read back and checked.

The whole year runs (without Prefect, through the same stage functions) for a standard
year (2027) and an election year (2026) on SQLite, and 2027 on PostgreSQL. Then every
financial table in the Delårsrapport and the Årsredovisning is read back with python-docx
and checked three ways: against itself (its rows add up to its sums), against the other
tables (the result is the change in equity, the start of the balanskrav reconciliation and
what the cash flow ends on), and against the database, summed here with SQL rather than
through the code that wrote the document. Nothing may be a placeholder: no "uppgift
saknas" where the database has the figure, no committee "has not commented" when it did.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import docx
import pytest
from conftest import settings_in
from docx.document import Document
from docx.table import Table
from pdf_off import _pdf_off_for_the_module  # noqa: F401  (autouse)
from sqlalchemy import Engine, func
from sqlmodel import Session, select

from arshjul.accounts.chart import shipped_chart
from arshjul.config.loader import load_config
from arshjul.demo.year import Year
from arshjul.formats import parse_tkr
from arshjul.models import (
    BudgetFrame,
    FinancialFigure,
    GeneratedDocument,
    GroupTransaction,
    OrgUnit,
    PlanningFigure,
    StageInstance,
    Submission,
    SubmissionRequest,
    TrialBalanceLine,
)

CONFIG = load_config().config
CHART = shipped_chart("kommunbas").with_overrides(CONFIG.accounts.lines, CONFIG.accounts.groups)
NET_COST = {"verksamhetens_intakter", "verksamhetens_kostnader", "avskrivningar"}


# --------------------------------------------------------------------------- the year
@dataclass
class Run:
    year: int
    engine: Engine
    annual: Document
    interim: Document

    def session(self) -> Session:
        return Session(self.engine)


def _run_year(year: int, folder: Path, database_url: str) -> Run:
    from arshjul.config.apply import apply_config
    from arshjul.models.db import get_engine, upgrade

    engine = get_engine(database_url)
    upgrade(engine)
    with Session(engine) as session:
        apply_config(session, load_config())
        session.commit()
    with settings_in(folder):  # its own documents: another worker's year writes the same names
        Year(engine, year, folder, lambda _: None, through_prefect=False).run()
    with Session(engine) as session:
        paths = {
            stage.slug: doc.path
            for doc, stage in session.exec(
                select(GeneratedDocument, StageInstance)
                .join(StageInstance, StageInstance.id == GeneratedDocument.stage_instance_id)
                .where(StageInstance.slug.in_(("delar", "arsredovisning")))  # type: ignore[attr-defined]
                .order_by(GeneratedDocument.version)
            )
        }
    return Run(year, engine, docx.Document(paths["arsredovisning"]), docx.Document(paths["delar"]))


@pytest.fixture(
    scope="module",
    params=[2027, 2026, pytest.param("postgres", marks=pytest.mark.postgres)],
)
def run(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Run]:
    """A whole simulated year, its database and its two reports."""
    folder = tmp_path_factory.mktemp(f"ar-{request.param}")
    if request.param == "postgres":
        from conftest import _postgres_url

        template = request.getfixturevalue("_migrated_postgres_template")
        for url in _postgres_url(template=template):
            yield _run_year(2027, folder, url)
        return
    yield _run_year(int(request.param), folder, f"sqlite:///{folder / 'arshjul.db'}")


# --------------------------------------------------------------------------- reading back
def cells(row: object) -> list[str]:
    return [c.text for c in row.cells]  # type: ignore[attr-defined]


def tables_starting(document: Document, first: str) -> list[Table]:
    return [t for t in document.tables if t.rows[0].cells[0].text == first]


def table(document: Document, first: str) -> Table:
    found = tables_starting(document, first)
    assert len(found) == 1, f"{first!r}: {len(found)} tabeller"
    return found[0]


def amount(text: str) -> int | None:
    """A figure in tkr back to kronor; None for an empty cell or one that is no amount."""
    try:
        return None if not text.strip() else parse_tkr(text)
    except ValueError:
        return None


# The documents show tkr with one decimal: each figure is rounded to 100 kronor. A sum
# read back may differ from the sum of its rounded rows by half a unit per row.
HALF = 50


def near(shown: int | None, exact: int, terms: int = 1) -> bool:
    """A figure as shown against the exact one (or a sum of ``terms`` shown figures)."""
    return shown is not None and abs(shown - exact) <= HALF * terms


@dataclass
class Figures:
    """A table's amounts by row label and column heading (the note column left out)."""

    columns: list[str]
    rows: dict[str, list[int | None]]
    notes: dict[str, str]

    def __getitem__(self, key: tuple[str, str]) -> int:
        label, column = key
        value = self.rows[label][self.columns.index(column)]
        assert value is not None, f"{label} / {column} är tom"
        return value

    def get(self, label: str, column: str) -> int:
        """A line the statement leaves out when it is zero reads as zero."""
        return self[label, column] if label in self.rows else 0

    def column(self, heading: str) -> dict[str, int | None]:
        index = self.columns.index(heading)
        return {label: values[index] for label, values in self.rows.items()}


def figures(document: Document, first: str, *, index: int = 0) -> Figures:
    found = tables_starting(document, first)[index]
    header = cells(found.rows[0])
    wanted = [i for i, name in enumerate(header) if i and name != "Not"]
    note = header.index("Not") if "Not" in header else None
    rows: dict[str, list[int | None]] = {}
    notes: dict[str, str] = {}
    for row in found.rows[1:]:
        texts = cells(row)
        rows[texts[0]] = [amount(texts[i]) for i in wanted]
        if note is not None and texts[note]:
            notes[texts[0]] = texts[note]
    return Figures([header[i] for i in wanted], rows, notes)


def text_of(document: Document) -> str:
    parts = [p.text for p in document.paragraphs]
    parts += [c.text for t in document.tables for r in t.rows for c in r.cells]
    return "\n".join(parts)


# --------------------------------------------------------------------------- the database
def ledger(session: Session, year: int, month: int, entity: str = "") -> dict[str, int]:
    """The trial balance summed per account with SQL (not through the report's code)."""
    rows = session.exec(
        select(TrialBalanceLine.account, func.sum(TrialBalanceLine.balance_kr))
        .where(
            TrialBalanceLine.entity == entity,
            TrialBalanceLine.year == year,
            TrialBalanceLine.month == month,
        )
        .group_by(TrialBalanceLine.account)
    ).all()
    return {account: int(total) for account, total in rows}


def by_line(balances: dict[str, int], chart=CHART) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """Each statement post as shown: income and liabilities credit-positive, assets debit."""
    from arshjul.accounts.layout import ASSET_POSTS

    found: dict[str, int] = defaultdict(int)
    for account, total in balances.items():
        line = chart.line_of(account)
        assert line is not None, account
        found[line] += total if line in ASSET_POSTS else -total
    return found


def result_of(balances: dict[str, int]) -> int:
    return -sum(v for a, v in balances.items() if a[0] in "345678")


def planning(session: Session, kind: str, year: int) -> dict[str, float]:
    return {
        (p.key + (f"/{p.sub_key}" if p.sub_key else "")): p.value
        for p in session.exec(
            select(PlanningFigure).where(PlanningFigure.kind == kind, PlanningFigure.year == year)
        )
    }


LABELS = {
    "verksamhetens_intakter": "Verksamhetens intäkter",
    "verksamhetens_kostnader": "Verksamhetens kostnader",
    "avskrivningar": "Avskrivningar",
    "skatteintakter": "Skatteintäkter",
    "generella_statsbidrag": "Generella statsbidrag och utjämning",
    "finansiella_intakter": "Finansiella intäkter",
    "finansiella_kostnader": "Finansiella kostnader",
    "skatt": "Skatt",
    "mark_byggnader": "Mark, byggnader och tekniska anläggningar",
    "maskiner_inventarier": "Maskiner och inventarier",
    "finansiella_anlaggningstillgangar": "Finansiella anläggningstillgångar",
    "fordringar": "Fordringar",
    "kassa_bank": "Kassa och bank",
    "resultatutjamningsreserv": "Resultatutjämningsreserv",
    "avsattning_pensioner": "Avsättningar för pensioner och liknande förpliktelser",
    "langfristiga_skulder": "Långfristiga skulder",
    "kortfristiga_skulder": "Kortfristiga skulder",
}


# --------------------------------------------------------------------------- statements
def check_income_sums(rr: Figures) -> None:
    """The income statement's sums are its lines added, in every column."""
    for column in rr.columns:
        net = sum(rr.get(LABELS[k], column) for k in NET_COST)
        assert near(rr["Verksamhetens nettokostnader", column], net, 3)
        operating = rr["Verksamhetens nettokostnader", column]
        operating += rr.get("Skatteintäkter", column)
        operating += rr.get("Generella statsbidrag och utjämning", column)
        assert near(rr["Verksamhetens resultat", column], operating, 3)
        after = rr["Verksamhetens resultat", column]
        after += rr.get("Finansiella intäkter", column) + rr.get("Finansiella kostnader", column)
        assert near(rr["Resultat efter finansiella poster", column], after, 3)
        result = rr["Resultat efter finansiella poster", column] + rr.get("Skatt", column)
        assert near(rr["Årets resultat", column], result, 2)


def check_balance_sums(br: Figures) -> None:
    for column in br.columns:
        fixed = sum(
            br.get(LABELS[k], column)
            for k in ("mark_byggnader", "maskiner_inventarier", "finansiella_anlaggningstillgangar")
        )
        assert near(br["Summa anläggningstillgångar", column], fixed, 3)
        current = br.get("Fordringar", column) + br.get("Kassa och bank", column)
        assert near(br["Summa omsättningstillgångar", column], current, 2)
        assets = (
            br["Summa anläggningstillgångar", column] + br["Summa omsättningstillgångar", column]
        )
        assert near(br["Summa tillgångar", column], assets, 2)
        equity = (
            br["Årets resultat", column]
            + br.get("Resultatutjämningsreserv", column)
            + br["Övrigt eget kapital", column]
        )
        assert near(br["Summa eget kapital", column], equity, 3)
        debts = br["Långfristiga skulder", column] + br["Kortfristiga skulder", column]
        assert near(br["Summa skulder", column], debts, 2)
        total = br["Summa eget kapital", column] + br["Summa avsättningar", column]
        total += br["Summa skulder", column]
        assert near(br["Summa eget kapital, avsättningar och skulder", column], total, 3)
        # Both sides are rounded from the same exact total: they print the same.
        assert (
            br["Summa eget kapital, avsättningar och skulder", column]
            == br["Summa tillgångar", column]
        )


def check_against_books(rr: Figures, column: str, balances: dict[str, int]) -> None:
    """Every income statement post equals the trial balance's accounts on that post."""
    posts = by_line(balances)
    for key, label in LABELS.items():
        if (
            label in rr.rows
            and key in posts
            and key
            in {
                "verksamhetens_intakter",
                "verksamhetens_kostnader",
                "avskrivningar",
                "skatteintakter",
                "generella_statsbidrag",
                "finansiella_intakter",
                "finansiella_kostnader",
            }
        ):
            assert near(rr[label, column], posts[key]), label
    assert near(rr["Årets resultat", column], result_of(balances))


def test_annual_statements_reconcile(run: Run) -> None:
    year, doc = run.year, run.annual
    this, last = str(year), str(year - 1)
    rr = figures(doc, "Resultaträkning, tkr")
    br = figures(doc, "Balansräkning, tkr")
    cf = figures(doc, "Kassaflödesanalys, tkr")
    assert rr.columns == [this, last, f"Budget {year}"]
    assert br.columns == [f"{year}-12-31", f"{year - 1}-12-31"]
    check_income_sums(rr)
    check_balance_sums(br)
    with run.session() as session:
        books, books_last = ledger(session, year, 12), ledger(session, year - 1, 12)
        check_against_books(rr, this, books)
        check_against_books(rr, last, books_last)
        budget = planning(session, "result_budget", year)
    for key, label in LABELS.items():
        if key in budget:
            assert near(rr[label, f"Budget {year}"], int(budget[key])), label
    # The balance sheet is the books at the year's end, and its year's result is the RR's.
    posts = by_line(books)
    for key in ("mark_byggnader", "kassa_bank", "langfristiga_skulder", "avsattning_pensioner"):
        assert near(br[LABELS[key], f"{year}-12-31"], posts[key])
    result = rr["Årets resultat", this]
    assert br["Årets resultat", f"{year}-12-31"] == result
    # Equity at the end is equity at the start plus the year's result.
    equity = br["Summa eget kapital", f"{year}-12-31"]
    assert near(equity - br["Summa eget kapital", f"{year - 1}-12-31"], result, 3)
    # The balanskrav reconciliation starts from the same result.
    requirement = figures(doc, "Balanskravsutredning")
    assert requirement["Årets resultat", "tkr"] == result
    # The cash flow ends on the balance sheet's cash, both years, and the year's flow is
    # the change in cash.
    for index, heading in enumerate((f"{year}-12-31", f"{year - 1}-12-31")):
        if index < len(cf.columns):
            assert (
                cf["Likvida medel vid årets slut", cf.columns[index]]
                == br["Kassa och bank", heading]
            )
    change = br["Kassa och bank", f"{year}-12-31"] - br["Kassa och bank", f"{year - 1}-12-31"]
    assert near(cf["Årets kassaflöde", this], change, 2)
    assert cf["Årets resultat", this] == result


def test_notes_specify_their_lines(run: Run) -> None:
    doc = run.annual
    rr, br = figures(doc, "Resultaträkning, tkr"), figures(doc, "Balansräkning, tkr")
    referenced = {**rr.notes, **br.notes}
    assert referenced, "inga notnummer i räkningarna"
    numbers = sorted(int(n) for n in referenced.values())
    assert numbers == list(range(2, 2 + len(numbers))), numbers  # note 1 is the principles
    headings = [p.text for p in doc.paragraphs if p.style.name == "Heading 2"]
    assert "Not 1. Redovisningsprinciper" in headings
    for label, number in referenced.items():
        note = figures(doc, "tkr", index=_note_index(doc, number))
        statement = rr if label in rr.rows else br
        if label == "Avsättningar för pensioner och liknande förpliktelser":
            assert note.rows[next(iter(note.rows))][0] == statement[label, statement.columns[0]]
            continue
        for column_index, heading in enumerate(note.columns):
            rows = [v[column_index] or 0 for k, v in note.rows.items() if k != "Summa"]
            assert near(note["Summa", heading], sum(rows), len(rows))
            assert note["Summa", heading] == statement[label, statement.columns[column_index]]
    for required in ("Not {}. Skatteintäkter", "Pensionsförpliktelser"):
        assert any(required.split(". ")[-1] in h for h in headings), required


def _note_index(doc: Document, number: str) -> int:
    """The position among tables starting "tkr" of note ``number``'s table."""
    found = tables_starting(doc, "tkr")
    for index, t in enumerate(found):
        caption = t._element.getprevious()
        text = "".join(caption.itertext()) if caption is not None else ""
        if f"Not {number}." in text:
            return index
    raise AssertionError(f"noten {number} saknar tabell")


def test_operating_accounts_sum_to_net_cost(run: Run) -> None:
    year, doc = run.year, run.annual
    rr = figures(doc, "Resultaträkning, tkr")
    drift = figures(doc, "Nämnd")
    rows = {k: v for k, v in drift.rows.items() if k != "Verksamhetens nettokostnader"}
    total = sum(v[1] or 0 for v in rows.values())
    assert near(drift["Verksamhetens nettokostnader", "Utfall"], total, len(rows))
    assert (
        drift["Verksamhetens nettokostnader", "Utfall"]
        == -rr["Verksamhetens nettokostnader", str(year)]
    )
    for label, (budget, actual, deviation) in drift.rows.items():
        assert near(deviation, (budget or 0) - (actual or 0), 2), label
    with run.session() as session:
        units = {
            u.key: u.name for u in session.exec(select(OrgUnit)) if u.key in ("ks", "bun", "sn")
        }
        lines = session.exec(
            select(TrialBalanceLine).where(
                TrialBalanceLine.entity == "",
                TrialBalanceLine.year == year,
                TrialBalanceLine.month == 12,
            )
        ).all()
        frames = {
            (f.unit_id, f.status): f.amount_kr
            for f in session.exec(
                select(BudgetFrame).where(
                    BudgetFrame.budget_year == year, BudgetFrame.kind == "operations"
                )
            )
        }
        ids = {u.key: u.id for u in session.exec(select(OrgUnit))}
    codes = {v: k for k, v in CONFIG.accounts.responsibility.items()}
    for key, name in units.items():
        own = sum(
            line.balance_kr
            for line in lines
            if line.responsibility.startswith(codes[key])
            and CHART.line_of(line.account) in NET_COST
        )
        assert near(drift[name, "Utfall"], own), name
        assert drift[name, "Budget"] == frames[(ids[key], "council")]


def test_investment_accounts_are_the_frames_and_the_actuals(run: Run) -> None:
    year, doc = run.year, run.annual
    found = table(doc, "Projekt")
    rows = [cells(r) for r in found.rows[1:]]
    with run.session() as session:
        frames = {
            f.area: f.amount_kr
            for f in session.exec(
                select(BudgetFrame).where(
                    BudgetFrame.budget_year == year,
                    BudgetFrame.kind == "investment",
                    BudgetFrame.status == "council",
                )
            )
        }
        actuals: dict[str, int] = defaultdict(int)
        for figure in session.exec(
            select(FinancialFigure).where(
                FinancialFigure.year == year, FinancialFigure.project != ""
            )
        ):
            actuals[figure.project] += figure.amount_kr
    body, total = rows[:-1], rows[-1]
    assert {r[0].split(" (")[0] for r in body} == set(frames)
    for row in body:
        project = row[0].split(" (")[0]
        assert near(amount(row[1]), frames[project])
        assert near(amount(row[2]), actuals[project])
        assert near(amount(row[3]), frames[project] - actuals[project])
    assert near(amount(total[1]), sum(frames.values()))
    assert near(amount(total[2]), sum(actuals[r[0].split(" (")[0]] for r in body))


def test_group_is_the_municipality_plus_the_members_less_the_eliminations(run: Run) -> None:
    year, doc = run.year, run.annual
    bridge = figures(doc, "Resultaträkning per del, tkr")
    group_rr = figures(doc, "Koncernens resultaträkning, tkr")
    group_br = figures(doc, "Koncernens balansräkning, tkr")
    rr = figures(doc, "Resultaträkning, tkr")
    check_income_sums(group_rr)
    check_balance_sums(group_br)
    for label, (own, members, eliminated, group) in bridge.rows.items():
        assert near(group, (own or 0) + (members or 0) + (eliminated or 0), 3), label
        assert group == group_rr[label, str(year)], label
        assert (own or 0) == rr.get(label, str(year)), label
    members = table(doc, "Bolag eller förbund")
    member_rows = [cells(r) for r in members.rows[1:]]
    # The members' results at the municipality's share (after a company's appropriation is
    # split into equity and deferred tax) are the members' part of the bridge.
    included = sum(amount(r[4]) or 0 for r in member_rows)
    assert near(bridge["Årets resultat", "Bolag och förbund"], included, len(member_rows))
    with run.session() as session:
        units = {u.name: u for u in session.exec(select(OrgUnit))}
        for row in member_rows:
            unit = units[row[0]]
            assert row[2] == f"{unit.ownership_percent:g}\u00a0%".replace(".", ",")
            assert near(amount(row[3]), result_of(ledger(session, year, 12, unit.key))), row[0]
        transactions = session.exec(
            select(GroupTransaction).where(GroupTransaction.year == year)
        ).all()
    eliminations = table(doc, "Transaktion")
    assert len(eliminations.rows) - 1 == len(transactions)
    imported = sorted(round(t.amount_kr, -2) for t in transactions)
    assert sorted(amount(cells(r)[3]) or 0 for r in eliminations.rows[1:]) == imported
    # The eliminations in the bridge are the eliminated amounts of the sales, interest and
    # dividends (the flows of the income statement).
    shown = {(cells(r)[0], amount(cells(r)[4])) for r in eliminations.rows[1:]}
    sales = sum(v or 0 for k, v in shown if k == "Försäljning")
    count = sum(1 for k, _ in shown if k == "Försäljning")
    assert near(bridge["Verksamhetens intäkter", "Elimineringar"], -sales, count)
    assert near(bridge["Verksamhetens kostnader", "Elimineringar"], sales, count)


def test_management_report_from_the_stored_figures(run: Run) -> None:
    year, doc = run.year, run.annual
    overview = figures(doc, "Nyckeltal")
    rr, br = figures(doc, "Resultaträkning, tkr"), figures(doc, "Balansräkning, tkr")
    assert overview.columns == [str(y) for y in range(year - 4, year + 1)]
    assert overview["Årets resultat (tkr)", str(year)] == rr["Årets resultat", str(year)]
    assert overview["Årets resultat (tkr)", str(year - 1)] == rr["Årets resultat", str(year - 1)]
    text = text_of(doc)
    with run.session() as session:
        history = planning(session, "key_figure", year - 4)
        sick = planning(session, "sick_leave", year)
        contingent = planning(session, "key_figure", year)["ansvarsforbindelse_pensioner"]
    assert near(overview["Årets resultat (tkr)", str(year - 4)], int(history["arets_resultat"]))
    leave = table(doc, "Sjukfrånvaro, procent av ordinarie arbetstid")
    shown = {cells(r)[0]: cells(r)[1] for r in leave.rows[1:]}
    assert shown["Total sjukfrånvaro"] == f"{sick['total']:.1f}\u00a0%".replace(".", ",")
    pensions = figures(doc, "Pensionsförpliktelser, tkr")
    assert (
        pensions["Avsättning i balansräkningen", str(year)]
        == br["Avsättningar för pensioner och liknande förpliktelser", f"{year}-12-31"]
    )
    assert (
        pensions["Ansvarsförbindelse (intjänat före 1998, inkl. löneskatt)", str(year)]
        == contingent
    )
    assert "Uppgift saknas" not in text and "uppgift saknas" not in text


def test_what_the_committees_wrote_is_in_the_annual_report(run: Run) -> None:
    doc = run.annual
    text = text_of(doc)
    with run.session() as session:
        answers = session.exec(
            select(Submission, OrgUnit)
            .join(SubmissionRequest, SubmissionRequest.id == Submission.request_id)
            .join(StageInstance, StageInstance.id == SubmissionRequest.stage_instance_id)
            .join(OrgUnit, OrgUnit.id == SubmissionRequest.unit_id)
            .where(StageInstance.slug == "arsredovisning", Submission.is_current == True)  # noqa: E712
        ).all()
    assert answers
    for submission, unit in answers:
        for key in (
            "result_comment",
            "internal_control",
            "significant_events",
            "overview",
            "important_circumstances",
            "personnel",
            "expected_development",
        ):
            value = submission.data.get(key)
            if value and (key != "result_comment" or unit.kind != "company"):
                assert value in text, f"{unit.name}: {key}"
        if unit.kind in ("committee", "executive_board"):
            assert "inte lämnat någon kommentar" not in _section(doc, unit.name)


def _section(doc: Document, heading: str) -> str:
    """The paragraphs under a heading, up to the next heading."""
    found, inside = [], False
    for p in doc.paragraphs:
        if p.style.name.startswith("Heading"):
            inside = p.text == heading
            continue
        if inside:
            found.append(p.text)
    return "\n".join(found)


def test_interim_report_reconciles(run: Run) -> None:
    year, doc = run.year, run.interim
    rr = figures(doc, "Resultaträkning, tkr")
    br = figures(doc, "Balansräkning, tkr")
    period, last = f"Jan–aug {year}", f"Jan–aug {year - 1}"
    assert rr.columns == [period, last, f"Budget {year}", f"Prognos {year}"]
    assert br.columns == [f"{year}-08-31", f"{year - 1}-12-31"]
    check_income_sums(rr)
    check_balance_sums(br)
    with run.session() as session:
        check_against_books(rr, period, ledger(session, year, 8))
        check_against_books(rr, last, ledger(session, year - 1, 8))
        forecast = planning(session, "result_forecast", year)
    for key, label in LABELS.items():
        if f"{key}/08" in forecast:
            assert rr[label, f"Prognos {year}"] == forecast[f"{key}/08"], label
    result = rr["Årets resultat", period]
    equity = (
        br["Summa eget kapital", f"{year}-08-31"] - br["Summa eget kapital", f"{year - 1}-12-31"]
    )
    assert equity == result
    requirement = figures(doc, "Balanskravsutredning")
    assert requirement["Årets resultat", "tkr"] == rr["Årets resultat", f"Prognos {year}"]
    group = figures(doc, "Koncernens resultaträkning, tkr")
    check_income_sums(group)
    check_balance_sums(figures(doc, "Koncernens balansräkning, tkr"))
    assert "Uppgift saknas" not in text_of(doc)


def test_no_empty_section_and_no_placeholder(run: Run) -> None:
    """Every heading has text or a table under it before the next heading of its level or
    above; no text says a figure is missing when the demo's database has every figure."""
    for doc in (run.annual, run.interim):
        blocks = [c for c in doc.element.body.iterchildren() if c.tag.endswith(("}p", "}tbl"))]

        def level(block: object) -> int | None:
            style = block.find(".//{*}pStyle")  # type: ignore[attr-defined]
            name = next(iter(style.attrib.values())) if style is not None else ""
            return int(name[-1]) if name.startswith("Heading") else None

        def content(block: object) -> bool:
            tag = block.tag  # type: ignore[attr-defined]
            return tag.endswith("}tbl") or bool("".join(block.itertext()).strip())  # type: ignore[attr-defined]

        for index, block in enumerate(blocks):
            own = level(block)
            if own is None:
                continue
            filled = False
            for later in blocks[index + 1 :]:
                other = level(later)
                if other is not None:
                    assert filled or other > own, f"tomt avsnitt: {''.join(block.itertext())}"
                    break
                filled = filled or content(later)
        text = text_of(doc)
        for placeholder in ("uppgift saknas", "Uppgift saknas", "inte lämnat någon kommentar"):
            assert placeholder not in text, placeholder


def test_missing_data_is_named_in_the_log_and_says_so_in_the_document(
    tmp_path: Path,
) -> None:
    """Without last year's books, the budget and the sick leave, the controller who writes
    the annual report again is told what is missing, and the document says so."""
    import os
    import subprocess
    import sys

    from sqlmodel import delete

    database = tmp_path / "arshjul.db"
    url = f"sqlite:///{database}"
    done = _run_year(2027, tmp_path, url)
    with done.session() as session:
        session.exec(delete(TrialBalanceLine).where(TrialBalanceLine.year == 2026))  # type: ignore[call-overload]
        session.exec(
            delete(PlanningFigure).where(  # type: ignore[call-overload]
                PlanningFigure.kind.in_(("result_budget", "sick_leave"))  # type: ignore[attr-defined]
            )
        )
        session.commit()
    done.engine.dispose()
    env = {k: v for k, v in os.environ.items() if not k.startswith("ARSHJUL_")}
    env["ARSHJUL_PDF"] = "0"  # no LibreOffice here: the PDF has its own tests
    env |= {
        "ARSHJUL_DATABASE_URL": url,
        "ARSHJUL_OUTPUT_DIR": str(tmp_path / "nytt"),
        "ARSHJUL_MAIL_DIR": str(tmp_path / "e-post"),
    }
    result = subprocess.run(
        [str(Path(sys.executable).with_name("arshjul")), "document", "arsredovisning"]
        + ["--year", "2027", "--as-of", "2028-03-01"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    said = result.stdout
    assert "Saknas i underlaget: resultatbudget 2027 (arshjul import resultatbudget)" in said
    assert "Saknas i underlaget: sjukfrånvaro 2027 (arshjul import sjukfranvaro)" in said
    assert "saldobalans för kommunen 2026-12" in said
    written = next((tmp_path / "nytt").rglob("Årsredovisning*.docx"))
    document = docx.Document(str(written))
    rr = figures(document, "Resultaträkning, tkr")
    assert rr.columns == ["2027"]  # no last year, no budget: no empty columns either
    text = text_of(document)
    assert "uppgift saknas" in text.lower()
    leave = table(document, "Sjukfrånvaro, procent av ordinarie arbetstid")
    assert cells(leave.rows[1])[1] == "uppgift saknas"
