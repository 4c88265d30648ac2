"""Årsredovisning (stage ``arsredovisning``): the annual report, LKBR 4 kap. 1 §.

Förvaltningsberättelse (with sound financial management, the balanskravsresultat, the
executive board's assessment of each wholly owned company and the outcome of the
internal control plan), goal attainment, resultaträkning, balansräkning,
kassaflödesanalys, noter and drift- och investeringsredovisning.
"""

from __future__ import annotations

from pathlib import Path

from arshjul.documents.builder import DocumentBuilder
from arshjul.documents.followup_common import (
    actuals_table,
    companies,
    economy_context,
    fitted,
    new_builder,
    text_block,
    unit_context,
)
from arshjul.documents.followup_data import FollowUpData
from arshjul.documents.followup_sections import (
    balance_requirement,
    financial_goals,
    goals_section,
    statement_table,
    statements,
)
from arshjul.documents.tables import Cell

TITLE = "Årsredovisning"
FOLDER = "arsredovisning"


def _oversight(doc: DocumentBuilder, data: FollowUpData) -> None:
    """The executive board's yearly assessment of each wholly owned company (KL 6 kap.)."""
    doc.prose(f"{FOLDER}/uppsikt.md.j2", antal=len(data.company_assessments))
    if data.company_assessments:
        doc.table(
            ["Bolag", "Förenligt med ändamålet"],
            [[a.name, "Ja" if a.matched else "Nej"] for a in data.company_assessments],
            numeric_columns=(),
            caption=f"Kommunstyrelsens prövning av de helägda bolagen {data.year}",
            widths_cm=fitted(doc, (11.0, 5.0)),
        )
    for assessment in data.company_assessments:
        doc.heading(assessment.name, 3)
        doc.paragraph("Kommunalt ändamål", bold=True)
        text_block(doc, assessment.purpose, empty="Ändamålet är inte angivet.")
        doc.paragraph("Kommunstyrelsens bedömning", bold=True)
        text_block(doc, assessment.assessment, empty="Bedömningen saknas.")


def _internal_control(doc: DocumentBuilder, data: FollowUpData) -> None:
    """Per unit, the internal control plan's controls and what they found."""
    doc.prose(f"{FOLDER}/intern_kontroll.md.j2", antal=len(data.internal_control))
    for unit in data.internal_control:
        doc.heading(unit.unit, 3)
        if not unit.controls:
            doc.paragraph("Inga kontroller har redovisats.", italic=True)
            continue
        doc.table(
            ["Risk", "Kontroll", "Resultat", "Åtgärd"],
            [[c.risk, c.control, c.outcome, c.measure or "–"] for c in unit.controls],
            numeric_columns=(),
            caption=f"Uppföljning av internkontrollplanen för {unit.unit} {data.year}",
        )


def _operations_and_investments(doc: DocumentBuilder, data: FollowUpData) -> None:
    doc.prose(f"{FOLDER}/drift.md.j2", **economy_context(data))
    actuals_table(
        doc, data, caption=f"Driftredovisning per nämnd {data.year}, tkr", period_share=False
    )
    for unit in data.units:
        doc.heading(unit.name, 3)
        doc.prose(f"{FOLDER}/namnd.md.j2", **unit_context(unit))
        text_block(doc, unit.explanation, empty="Nämnden har inte lämnat någon kommentar.")
    doc.prose(f"{FOLDER}/investering.md.j2", finns=bool(data.investments))
    if data.investments:
        rows: list[list[Cell]] = [
            [i.name, i.budget_kr, i.actual_kr, i.deviation_kr] for i in data.investments
        ]
        budget = sum(i.budget_kr for i in data.investments)
        actual = sum(i.actual_kr for i in data.investments)
        doc.table(
            ["Investering", "Budget", "Utfall", "Avvikelse"],
            rows,
            totals=["Summa", budget, actual, budget - actual],
            caption=f"Investeringsredovisning {data.year}, tkr",
        )


def build_arsredovisning_document(
    data: FollowUpData, *, template: Path | None = None, out_dir: Path
) -> Path:
    """Write the Årsredovisning into ``out_dir``; returns the file."""
    doc = new_builder(data, TITLE, template, f"Räkenskapsåret {data.year}")
    income, requirement = data.income_statement, data.balance_requirement
    context = {
        **economy_context(data),
        "resultat": income.result_kr if income else None,
        "balanskravsresultat": requirement.balance_result_kr if requirement else None,
    }
    doc.prose(f"{FOLDER}/forvaltningsberattelse.md.j2", **context)
    financial_goals(doc, data, FOLDER, outcome="Utfall", forecast=False)
    balance_requirement(doc, data, FOLDER)
    _oversight(doc, data)
    _internal_control(doc, data)
    if data.companies:
        doc.prose(f"{FOLDER}/bolag.md.j2", **context)
        companies(doc, data, level=3, forecast=False)
    goals_section(doc, data, FOLDER)
    statements(doc, data, FOLDER)
    doc.prose(f"{FOLDER}/kassaflode.md.j2", finns=data.cash_flow is not None)
    if data.cash_flow is not None:
        statement_table(
            doc,
            [(data.cash_flow.column, data.cash_flow.lines())],
            first_column="Kassaflödesanalys, tkr",
            caption=f"Kassaflödesanalys {data.year}, tkr",
        )
    doc.prose(f"{FOLDER}/noter.md.j2", **context)
    _operations_and_investments(doc, data)
    return doc.save(out_dir)
