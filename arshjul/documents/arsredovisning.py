"""Årsredovisning (stage ``arsredovisning``): the annual report, LKBR 4 kap. 1 §.

In the law's order: the management report (LKBR 11 kap., RKR R15) with its parts, the
goal attainment, the income statement, balance sheet and cash-flow statement with their
notes, the operating and investment accounts (RKR R14), and the consolidated accounts of
the municipal group (LKBR 12 kap.).
"""

from __future__ import annotations

from pathlib import Path

from arshjul.documents import financial_sections as fin
from arshjul.documents.builder import DocumentBuilder
from arshjul.documents.followup_common import (
    economy_context,
    fitted,
    new_builder,
    text_block,
    unit_context,
)
from arshjul.documents.followup_contents import FollowUpData
from arshjul.documents.followup_sections import (
    balance_requirement,
    financial_goals,
    goals_section,
)

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
        doc.paragraph(assessment.name, bold=True)
        doc.paragraph("Kommunalt ändamål: " + (assessment.purpose or "ändamålet är inte angivet."))
        text_block(doc, assessment.assessment, empty="Bedömningen saknas.")


def _governing_documents(doc: DocumentBuilder, data: FollowUpData) -> None:
    """The register of governing documents: reviewed in the year, due, overdue (seed 6)."""
    register = data.governing
    doc.prose(
        f"{FOLDER}/styrdokument.md.j2",
        finns=register is not None and register.in_force > 0,
        ar=data.year,
        i_kraft=register.in_force if register else 0,
        oversedda=len(register.reviewed) if register else 0,
        ska_ses_over=len(register.due) if register else 0,
        forsenade=len(register.overdue) if register else 0,
    )
    if register is None:
        return
    for label, titles in (
        (f"Översedda {data.year}", register.reviewed),
        ("Försenade översyner", register.overdue),
        ("Översyner som närmar sig", register.due),
    ):
        if titles:
            doc.paragraph(label, bold=True).paragraph_format.keep_with_next = True
            doc.bullets(list(titles))


def _internal_control(doc: DocumentBuilder, data: FollowUpData) -> None:
    """Per unit, its own summary and the internal control plan's controls and findings."""
    doc.prose(f"{FOLDER}/intern_kontroll.md.j2", antal=len(data.internal_control))
    for unit in data.internal_control:
        doc.paragraph(unit.unit, bold=True)
        if not unit.summary and not unit.controls:
            doc.paragraph(
                "Uppgift saknas: inga kontroller eller sammanfattning har redovisats.", italic=True
            )
        if unit.summary:
            text_block(doc, unit.summary)
        if unit.controls:
            doc.table(
                ["Risk", "Kontroll", "Resultat", "Åtgärd"],
                [
                    [c.risk, c.control, c.outcome, c.measure or "Ingen åtgärd behövs"]
                    for c in unit.controls
                ],
                numeric_columns=(),
                caption=f"Uppföljning av internkontrollplanen för {unit.unit} {data.year}",
            )


def _management_report(doc: DocumentBuilder, data: FollowUpData) -> None:
    report, statements, group = data.management, data.statements, data.group
    income = statements.income if statements else None
    budget = (
        next((c for c in income.columns if c.heading.startswith("Budget")), None)
        if income
        else None
    )
    doc.prose(
        f"{FOLDER}/forvaltningsberattelse.md.j2",
        resultat=statements.result_kr if statements else None,
        budgeterat=budget.values["arets_resultat"] if budget else None,
        nettokostnader=income.value("verksamhetens_nettokostnader") if income else None,
        skatter=(
            income.value("skatteintakter") + income.value("generella_statsbidrag")
            if income
            else None
        ),
    )
    if report is not None:
        fin.board_text(doc, report, "oversikt", "årets utveckling")
        if report.overview:
            fin.overview(doc, report)
    doc.prose(
        f"{FOLDER}/koncern.md.j2",
        finns=group is not None,
        antal=len(group.members) if group else 0,
        resultat=group.income.value("arets_resultat") if group else None,
    )
    if group is not None and group.share_text:
        doc.paragraph(group.share_text)
    doc.prose(f"{FOLDER}/forhallanden.md.j2")
    if report is not None:
        fin.board_text(
            doc, report, "forhallanden", "viktiga förhållanden för resultat och ställning"
        )
    doc.prose(f"{FOLDER}/handelser.md.j2")
    if report is not None:
        fin.board_text(doc, report, "handelser", "händelser av väsentlig betydelse")
        for unit, text in report.events:
            doc.paragraph(unit, bold=True)
            text_block(doc, text)
    doc.prose(f"{FOLDER}/styrning.md.j2")
    _internal_control(doc, data)
    _oversight(doc, data)
    _governing_documents(doc, data)
    financial_goals(doc, data, FOLDER, outcome="Utfall", forecast=False)
    balance_requirement(doc, data, FOLDER)
    doc.prose(f"{FOLDER}/personal.md.j2")
    if report is not None:
        fin.board_text(doc, report, "personal", "personalförhållanden")
        doc.prose(f"{FOLDER}/sjukfranvaro.md.j2")
        fin.sick_leave(doc, report, data.year)
    doc.prose(f"{FOLDER}/utveckling.md.j2")
    if report is not None:
        fin.board_text(doc, report, "utveckling", "den förväntade utvecklingen")
        if report.pensions is not None:
            doc.prose(f"{FOLDER}/pensioner.md.j2")
            fin.pensions(doc, report, data.year)


def _statements(doc: DocumentBuilder, data: FollowUpData) -> None:
    """Each statement on a page of its own, as a reader turns to it."""
    statements = data.statements
    doc.page_break()
    doc.prose(f"{FOLDER}/resultatrakning.md.j2")
    if statements is None:
        fin.missing_list(doc, [f"resultaträkning {data.year}: saldobalansen saknas"])
    else:
        fin.statement(
            doc,
            statements.income,
            first_column="Resultaträkning, tkr",
            caption=f"Resultaträkning {data.year}, tkr",
        )
    doc.page_break()
    doc.prose(f"{FOLDER}/balansrakning.md.j2")
    if statements is not None:
        fin.statement(
            doc,
            statements.balance,
            first_column="Balansräkning, tkr",
            caption=f"Balansräkning {data.year}, tkr",
        )
    cash_flow = statements.cash_flow if statements else None
    doc.page_break()
    doc.prose(f"{FOLDER}/kassaflode.md.j2", finns=cash_flow is not None)
    if cash_flow is not None:
        fin.statement(
            doc,
            cash_flow,
            first_column="Kassaflödesanalys, tkr",
            caption=f"Kassaflödesanalys {data.year}, tkr",
        )
    doc.page_break()
    doc.prose(f"{FOLDER}/noter.md.j2")
    if statements is not None:
        fin.notes(doc, statements.notes)


def _operations_and_investments(doc: DocumentBuilder, data: FollowUpData) -> None:
    doc.page_break()
    doc.prose(f"{FOLDER}/drift.md.j2", **economy_context(data))
    if data.operating is not None:
        fin.operating_accounts(doc, data.operating, data.year)
    for unit in data.units:
        doc.heading(unit.name, 2)
        doc.prose(f"{FOLDER}/namnd.md.j2", **unit_context(unit))
        text_block(doc, unit.explanation, empty="Nämnden har inte lämnat någon kommentar.")
    doc.prose(f"{FOLDER}/investering.md.j2", finns=bool(data.investments))
    if data.investments:
        fin.investment_accounts(doc, data.investments, data.year)


def build_arsredovisning_document(
    data: FollowUpData,
    *,
    template: Path | None = None,
    logo: Path | None = None,
    out_dir: Path,
) -> Path:
    """Write the Årsredovisning into ``out_dir``; returns the file."""
    doc = new_builder(data, TITLE, template, f"Räkenskapsåret {data.year}", logo=logo)
    _management_report(doc, data)
    goals_section(doc, data, FOLDER)
    _statements(doc, data)
    _operations_and_investments(doc, data)
    doc.page_break()
    doc.prose(f"{FOLDER}/sammanstallda.md.j2", finns=data.group is not None)
    if data.group is not None:
        fin.group(doc, data.group, data.year, annual=True)
        for company in data.companies:
            doc.heading(company.name, 2)
            text_block(doc, company.text, empty="Bolaget har inte lämnat någon kommentar.")
    return doc.save(out_dir)
