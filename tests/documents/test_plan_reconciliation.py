"""The planning documents read back and checked against the database: the preliminary
frames (ramar), the budget day, the Strategic and financial plan the council adopts, and
the committees' budgets.

The planning half of the year runs through the stage functions for 2027 and for the
election year 2026 (and 2027 on PostgreSQL). Every figure is compared with the rows it
must come from, summed here with SQL; the plan years must stand on their own; nothing may
be a placeholder.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import docx
import pytest
from conftest import settings_in
from docx.document import Document
from pdf_off import _pdf_off_for_the_module  # noqa: F401  (autouse)
from sqlalchemy import Engine
from sqlmodel import Session, select

from arshjul.config.apply import apply_config
from arshjul.config.loader import load_config
from arshjul.demo.year import PLANNING, Year
from arshjul.formats import format_tkr, parse_tkr
from arshjul.governance.frames import counting
from arshjul.models import (
    BudgetFrame,
    Decision,
    GeneratedDocument,
    OrgUnit,
    PlanningFigure,
    StageInstance,
)

HALF = 50  # a figure shown in tkr with one decimal is rounded to 100 kronor


@dataclass
class Plan:
    year: int
    engine: Engine
    documents: dict[str, Document]

    def session(self) -> Session:
        return Session(self.engine)


def _run(year: int, folder: Path, url: str) -> Plan:
    from arshjul.models.db import get_engine, upgrade

    engine = get_engine(url)
    upgrade(engine)
    with Session(engine) as session:
        apply_config(session, load_config())
        session.commit()
    with settings_in(folder):  # its own documents: another worker's year writes the same names
        Year(engine, year, folder, lambda _: None, through_prefect=False, slugs=set(PLANNING)).run()
    with Session(engine) as session:
        found: dict[str, str] = {}
        for document, stage in session.exec(
            select(GeneratedDocument, StageInstance)
            .join(StageInstance, StageInstance.id == GeneratedDocument.stage_instance_id)
            .order_by(GeneratedDocument.version)
        ):
            found[stage.slug] = document.path
    return Plan(year, engine, {slug: docx.Document(path) for slug, path in found.items()})


@pytest.fixture(
    scope="module", params=[2027, 2026, pytest.param("postgres", marks=pytest.mark.postgres)]
)
def plan(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Plan]:
    folder = tmp_path_factory.mktemp(f"plan-{request.param}")
    if request.param == "postgres":
        from conftest import _postgres_url

        template = request.getfixturevalue("_migrated_postgres_template")
        for url in _postgres_url(template=template):
            yield _run(2027, folder, url)
        return
    yield _run(int(request.param), folder, f"sqlite:///{folder / 'arshjul.db'}")


# --------------------------------------------------------------------------- reading back
def cells(row: object) -> list[str]:
    return [c.text for c in row.cells]  # type: ignore[attr-defined]


def table(document: Document, *header: str) -> list[list[str]]:
    found = [t for t in document.tables if cells(t.rows[0])[: len(header)] == list(header)]
    assert len(found) == 1, [cells(t.rows[0]) for t in document.tables]
    return [cells(r) for r in found[0].rows]


def kr(text: str) -> int | None:
    try:
        return parse_tkr(text) if text.strip() else None
    except ValueError:
        return None


def near(shown: int | None, exact: int | float, terms: int = 1) -> bool:
    return shown is not None and abs(shown - exact) <= HALF * terms


def text_of(document: Document) -> str:
    parts = [p.text for p in document.paragraphs]
    parts += [c.text for t in document.tables for r in t.rows for c in r.cells]
    return "\n".join(parts)


def frames_by_year(session: Session, kind: str) -> dict[int, dict[tuple[int, str], BudgetFrame]]:
    """The frame that counts per (unit, area) and year."""
    grouped: dict[int, dict[tuple[int, str], list[BudgetFrame]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for frame in session.exec(select(BudgetFrame).where(BudgetFrame.kind == kind)):
        grouped[frame.budget_year][(frame.unit_id, frame.area)].append(frame)
    return {
        year: {key: f for key, frames in by.items() if (f := counting(frames)) is not None}
        for year, by in grouped.items()
    }


# --------------------------------------------------------------------------- the plan
def test_adopted_plan_shows_the_decided_frames(plan: Plan) -> None:
    sep = plan.documents["kf-beslut"]
    budget_year = plan.year + 1
    rows = table(sep, "Nämnd", f"Budget {budget_year}, tkr")
    body, total = rows[1:-1], rows[-1]
    with plan.session() as session:
        decision = session.exec(
            select(Decision)
            .join(StageInstance, StageInstance.id == Decision.stage_instance_id)
            .where(StageInstance.slug == "kf-beslut")
        ).one()
        adopted = {
            f.unit_id: f.amount_kr
            for f in session.exec(
                select(BudgetFrame).where(
                    BudgetFrame.decision_id == decision.id,
                    BudgetFrame.kind == "operations",
                    BudgetFrame.budget_year == budget_year,
                )
            )
        }
        names = {u.id: u.name for u in session.exec(select(OrgUnit))}
    shown = {r[0]: kr(r[1]) for r in body}
    assert set(shown) == {names[u] for u in adopted}
    for unit_id, amount in adopted.items():
        assert near(shown[names[unit_id]], amount), names[unit_id]
    assert near(kr(total[1]), sum(adopted.values()))
    cited = f"{decision.paragraph}"
    assert f"Driftramarna för {budget_year} är beslutade av kommunfullmäktige" in text_of(sep)
    assert cited in text_of(sep)


def test_three_years_stand_on_their_own(plan: Plan) -> None:
    sep = plan.documents["kf-beslut"]
    by, p1, p2 = plan.year + 1, plan.year + 2, plan.year + 3
    rows = table(sep, "Nämnd", f"Budget {by}, tkr", f"Plan {p1}, tkr", f"Plan {p2}, tkr")
    with plan.session() as session:
        frames = frames_by_year(session, "operations")
        names = {u.id: u.name for u in session.exec(select(OrgUnit))}
    for row in rows[1:-1]:
        amounts = [kr(c) for c in row[1:]]
        # The plan years follow their own index and volumes: no year is a copy of another.
        assert len(set(amounts)) == 3, row
        for year, amount in zip((by, p1, p2), amounts, strict=True):
            unit = next(
                u for (u, area), f in frames[year].items() if names[u] == row[0] and not area
            )
            assert near(amount, frames[year][(unit, "")].amount_kr), (row[0], year)
    for column in (1, 2, 3):
        assert near(kr(rows[-1][column]), sum(kr(r[column]) or 0 for r in rows[1:-1]), len(rows))


def test_each_investment_once_and_the_totals_are_the_frames(plan: Plan) -> None:
    sep = plan.documents["kf-beslut"]
    years = (plan.year + 1, plan.year + 2, plan.year + 3)
    rows = table(sep, "Nämnd", "Projekt", *map(str, years))
    body, total = rows[1:-1], rows[-1]
    projects = [r[1] for r in body]
    assert len(projects) == len(set(projects)), "ett projekt står flera gånger"
    with plan.session() as session:
        frames = frames_by_year(session, "investment")
    for index, year in enumerate(years):
        expected = sum(f.amount_kr for f in frames.get(year, {}).values())
        assert near(kr(total[2 + index]), expected), year
        for row in body:
            found = [f.amount_kr for (u, area), f in frames.get(year, {}).items() if area == row[1]]
            assert (kr(row[2 + index]) or 0) == (found[0] if found else 0) or near(
                kr(row[2 + index]), found[0] if found else 0
            )


def test_budgeted_statements_add_up_and_the_goals_follow_from_them(plan: Plan) -> None:
    sep = plan.documents["kf-beslut"]
    years = (plan.year + 1, plan.year + 2, plan.year + 3)
    headings = [f"Budget {years[0]}", f"Plan {years[1]}", f"Plan {years[2]}"]
    income = {r[0]: [kr(c) for c in r[1:]] for r in table(sep, "Resultaträkning, tkr")[1:]}
    balance_rows = table(sep, "Balansräkning, tkr")
    balance = {r[0]: [kr(c) for c in r[1:]] for r in balance_rows[1:]}
    assert balance_rows[0][1:] == [f"Prognos {plan.year}", *headings]
    with plan.session() as session:
        forecast = {
            (p.year, p.key): p.value
            for p in session.exec(
                select(PlanningFigure).where(PlanningFigure.kind == "tax_forecast")
            )
            if p.sub_key
            == max(
                q.sub_key
                for q in session.exec(
                    select(PlanningFigure).where(PlanningFigure.kind == "tax_forecast")
                )
            )
        }
    for index, year in enumerate(years):
        result = income["Årets resultat"][index]
        costs = (
            income["Verksamhetens intäkter"][index]
            + income["Verksamhetens kostnader"][index]
            + income["Avskrivningar"][index]
        )
        assert near(income["Verksamhetens nettokostnader"][index], costs, 3)
        taxes = (
            income["Skatteintäkter"][index] + income["Generella statsbidrag och utjämning"][index]
        )
        assert near(income["Skatteintäkter"][index], forecast[(year, "skatteintakter")])
        financial = income["Finansiella intäkter"][index] + income["Finansiella kostnader"][index]
        assert near(result, income["Verksamhetens nettokostnader"][index] + taxes + financial, 5)
        assets = balance["Summa tillgångar"][index + 1]
        assert assets == balance["Summa eget kapital, avsättningar och skulder"][index + 1]
        assert balance["Årets resultat"][index + 1] == result
        equity = balance["Summa eget kapital"][index + 1]
        assert near(equity - balance["Summa eget kapital"][index], result, 2)
        goals = table(sep, "Finansiellt mål", "Målvärde")
        share = next(r for r in goals if r[0].startswith("Resultatet som andel"))
        shown = share[2 + index].split(" – ")[0]
        expected = Decimal(result) * 100 / taxes
        percent = Decimal(shown.removesuffix("\u00a0%").replace("\u2212", "-").replace(",", "."))
        assert abs(percent - expected) <= Decimal("0.06")
        if abs(expected - 2) > Decimal("0.05"):  # the shown figures are rounded
            assert share[2 + index].endswith("uppfylls") == (expected >= 2)
    financing = {r[0]: [kr(c) for c in r[1:]] for r in table(sep, "Finansieringsbudget, tkr")[1:]}
    for index in range(3):
        cash_start, cash_end = (
            balance["Kassa och bank"][index],
            balance["Kassa och bank"][index + 1],
        )
        assert financing["Likvida medel vid årets slut"][index] == cash_end
        assert near(financing["Årets kassaflöde"][index], cash_end - cash_start, 2)


def test_the_plan_names_its_tax_rate_and_forecast(plan: Plan) -> None:
    sep = text_of(plan.documents["kf-beslut"])
    assert (
        "Skattesats" in sep and "22,41 kronor per 100 kronor (beslutad av kommunfullmäktige" in sep
    )
    assert "SKR:s skatteunderlagsprognos 24 april" in sep
    assert "som ersätter prognosen 15 december" in sep


def test_no_placeholder_in_the_planning_documents(plan: Plan) -> None:
    for slug in ("ramar", "budgetdag", "kf-beslut", "namndbudget"):
        text = text_of(plan.documents[slug])
        assert "uppgift saknas" not in text.lower(), slug
        assert "Mål 1.1: Mål 1.1" not in text, slug
    ramar = plan.documents["ramar"]
    rows = {r[0]: r[1] for r in table(ramar, "Förutsättning")}
    with plan.session() as session:
        december = {
            p.key: p.value
            for p in session.exec(
                select(PlanningFigure).where(
                    PlanningFigure.kind == "tax_forecast", PlanningFigure.year == plan.year + 1
                )
            )
            if p.sub_key.endswith("-12-15")
        }
    assert near(kr(rows["Skatteintäkter, prognos, tkr"]), december["skatteintakter"])


def test_the_adopted_budget_is_the_next_years_budget(plan: Plan) -> None:
    """The council's budget year income statement is stored as that year's result budget,
    where the next year's interim and annual reports read their budget column."""
    sep = plan.documents["kf-beslut"]
    income = {r[0]: kr(r[1]) for r in table(sep, "Resultaträkning, tkr")[1:]}
    with plan.session() as session:
        stored = {
            p.key: p.value
            for p in session.exec(
                select(PlanningFigure).where(
                    PlanningFigure.kind == "result_budget", PlanningFigure.year == plan.year + 1
                )
            )
        }
    assert near(income["Skatteintäkter"], stored["skatteintakter"])
    assert near(income["Verksamhetens kostnader"], stored["verksamhetens_kostnader"])


# --------------------------------------------------------------------------- the term
def test_the_plan_names_the_term_that_holds_its_years(plan: Plan) -> None:
    """2027 and the election year 2026 both plan years of 2027–2030, whose goals exist."""
    sep = plan.documents["kf-beslut"]
    text = text_of(sep)
    assert "Kommunfullmäktiges mål för mandatperioden 2027–2030" in text
    assert "ligger utanför de mandatperioder" not in text
    goals = [p.text for p in sep.paragraphs if p.style.name.startswith("Heading 3")]
    assert "Mål 1.1" in goals and "Mål 3.2" in goals


@pytest.fixture(scope="module")
def beyond(tmp_path_factory: pytest.TempPathFactory) -> Plan:
    """The 2034 plan covers 2035–2037, in the term 2035–2038 that the file has no goals for."""
    folder = tmp_path_factory.mktemp("plan-2034")
    return _run(2034, folder, f"sqlite:///{folder / 'arshjul.db'}")


def test_a_plan_beyond_every_configured_term_says_so(beyond: Plan) -> None:
    """The document says so where the goals would stand; the stage records what it lacks."""
    text = text_of(beyond.documents["kf-beslut"])
    assert "Observera: planåren 2035, 2036, 2037 ligger utanför de mandatperioder" in text
    assert "Planen har inga av kommunfullmäktiges mål för mandatperioden 2035–2038" in text
    assert "Mål 1.1" not in text
    with beyond.session() as session:
        written = session.exec(
            select(GeneratedDocument)
            .join(StageInstance, StageInstance.id == GeneratedDocument.stage_instance_id)
            .where(StageInstance.slug == "kf-beslut")
        ).all()
    assert written
    assert all(
        "mål för mandatperioden 2035–2038 (kommunens TOML-fil)" in d.missing for d in written
    )


def test_a_correction_writes_a_new_version_that_names_the_change(
    beyond: Plan, tmp_path: Path
) -> None:
    """The council corrects Socialnämnden's frame: the controller registers it with
    --rattar, and the plan is written again, citing the correction and the old frame."""
    with beyond.session() as session:
        council = session.exec(
            select(Decision)
            .join(StageInstance, StageInstance.id == Decision.stage_instance_id)
            .where(StageInstance.slug == "kf-beslut")
            .order_by(Decision.id)  # type: ignore[arg-type]
        ).first()
        assert council is not None
        sn = session.exec(select(OrgUnit).where(OrgUnit.key == "sn")).one()
        before = frames_by_year(session, "operations")[2035][(sn.id, "")].amount_kr
        versions = len(session.exec(select(GeneratedDocument)).all())
    corrected = (before + 3_000_000) // 1000 * 1000  # the council decides in whole tkr
    env = {k: v for k, v in os.environ.items() if not k.startswith("ARSHJUL_")}
    env["ARSHJUL_PDF"] = "0"  # no LibreOffice here: the PDF has its own tests
    env["ARSHJUL_DATABASE_URL"] = str(beyond.engine.url)
    env["ARSHJUL_OUTPUT_DIR"] = str(tmp_path)
    done = subprocess.run(
        [
            str(Path(sys.executable).with_name("arshjul")),
            *("decide", "kf-beslut", "--year", "2034", "--date", "2034-12-15"),
            *("--paragraph", "§ 80", "--rattar", str(council.id), "--skattesats", "22,41"),
            *("--ram", f"sn={corrected // 1000}"),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    written = [
        Path(line.removeprefix("Dokument skrivet: "))
        for line in done.stdout.splitlines()
        if line.startswith("Dokument skrivet: ")
    ]
    assert len(written) == 1 and written[0].is_file(), done.stdout
    sep = docx.Document(str(written[0]))
    text = text_of(sep)
    assert "Beslutad av Kommunfullmäktige 15 december 2034, § 80" in text
    assert "Rättar beslutet § 64 den 24 november 2034" in text
    old, new = format_tkr(before), format_tkr(corrected)
    changed = f"Socialnämnden: driftram 2035 ändrad från {old} till {new}"
    assert changed in text, text
    assert f"Socialnämnden: driftram {new}" not in text, "the change is told twice"
    rows = {r[0]: r[1] for r in table(sep, "Nämnd", "Budget 2035, tkr")[1:]}
    assert kr(rows["Socialnämnden"]) == corrected
    with beyond.session() as session:
        assert len(session.exec(select(GeneratedDocument)).all()) == versions + 1
