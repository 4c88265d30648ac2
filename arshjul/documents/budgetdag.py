"""The budget day's material, "Budgetdag YEAR" (stage ``budgetdag``)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from arshjul.documents.builder import DocumentBuilder
from arshjul.documents.ledningsdialog import write_text
from arshjul.documents.planning_data import (
    AnalysisSummary,
    BudgetdagData,
    CommitteeAmount,
    FundingRequest,
    InvestmentNeed,
    PremisesNeed,
)
from arshjul.documents.ramar import starting_point_rows

TITLE = "Budgetdag"

__all__ = [
    "TITLE",
    "AnalysisSummary",
    "BudgetdagData",
    "CommitteeAmount",
    "FundingRequest",
    "InvestmentNeed",
    "PremisesNeed",
    "build_budgetdag_document",
]


def summary_header(budget_year: int) -> list[str]:
    """The columns of the frames-and-requests table."""
    return [
        "Nämnd",
        f"Preliminär ram {budget_year}, tkr",
        "Äskanden (summa), tkr",
        "Ram inkl. äskanden, tkr",
    ]


def _committees(
    data: BudgetdagData, items: Sequence[FundingRequest | InvestmentNeed | PremisesNeed]
) -> list[str]:
    """The committees that have items, frames' order first, then any others."""
    order = [f.committee for f in data.frames]
    named = {item.committee for item in items}
    return [n for n in order if n in named] + sorted(named - set(order))


def _key_figures(doc: DocumentBuilder, data: BudgetdagData) -> None:
    f = data.financial
    doc.table(
        ["Förutsättning", f"Budget {data.budget_year}"],
        starting_point_rows(f),
        caption=f"Ekonomiska förutsättningar {data.budget_year}",
        widths_cm=[12.0, 4.0],
    )


def _summary(doc: DocumentBuilder, data: BudgetdagData) -> None:
    by = data.budget_year
    rows = [(f.committee, f.amount, data.requested(f.committee)) for f in data.frames]
    doc.table(
        summary_header(by),
        [[name, frame, asked, frame + asked] for name, frame, asked in rows],
        totals=[
            "Summa",
            sum(r[1] for r in rows),
            sum(r[2] for r in rows),
            sum(r[1] + r[2] for r in rows),
        ],
        caption=f"Preliminära ramar och äskanden per nämnd {by}, tkr",
    )
    asked = [r for r in rows if r[2]]
    if len(asked) > 1:
        doc.chart_bar(
            f"Äskanden per nämnd {by}",
            [r[0] for r in asked],
            [("Äskanden", [r[2] for r in asked])],
        )


def _requests(doc: DocumentBuilder, data: BudgetdagData) -> None:
    names = _committees(data, data.funding_requests)
    if not names:
        return
    per = {n: [r for r in data.funding_requests if r.committee == n] for n in names}
    doc.table(
        ["Nämnd", "Antal äskanden", "Äskanden, tkr"],
        [[n, str(len(per[n])), data.requested(n)] for n in names],
        totals=["Summa", str(len(data.funding_requests)), sum(data.requested(n) for n in names)],
        caption=f"Äskanden per nämnd {data.budget_year}, tkr",
        widths_cm=[9.0, 3.5, 3.5],
    )
    for name in names:
        doc.heading(name, 2)
        doc.table(
            ["Äskande", "Motivering", "Konsekvenser om äskandet inte beviljas", "tkr"],
            [[r.title, r.reason, r.consequences, r.amount] for r in per[name]],
            totals=["Summa", "", "", data.requested(name)],
            numeric_columns={3},
            caption=f"Äskanden från {name} {data.budget_year}, tkr",
            widths_cm=[3.4, 5.6, 5.0, 2.0],
        )


def _investments(doc: DocumentBuilder, data: BudgetdagData) -> None:
    names = _committees(data, data.investment_needs)
    per = {n: [i for i in data.investment_needs if i.committee == n] for n in names}
    for name in names:
        items = per[name]
        doc.heading(name, 2)
        doc.table(
            ["Projekt", "Beskrivning", "Investering, tkr", "Driftkostnad per år, tkr"],
            [[i.project, i.description, i.amount, i.operating_cost] for i in items],
            totals=[
                "Summa",
                "",
                sum(i.amount for i in items),
                sum(i.operating_cost for i in items),
            ],
            numeric_columns={2, 3},
            caption=f"Investeringsbehov för {name}, tkr",
        )


def _premises(doc: DocumentBuilder, data: BudgetdagData) -> None:
    needs: list[PremisesNeed] = [
        n
        for name in _committees(data, data.premises_needs)
        for n in data.premises_needs
        if n.committee == name
    ]
    if needs:
        doc.table(
            ["Nämnd eller bolag", "Lokalbehov", "Från år"],
            [[n.committee, n.need, str(n.from_year) if n.from_year else "–"] for n in needs],
            numeric_columns={2},
            caption="Lokalbehov inför revideringen av lokalförsörjningsplanen",
            widths_cm=[5.5, 8.5, 2.0],
        )


def _child_impact(doc: DocumentBuilder, items: list[AnalysisSummary]) -> None:
    for item in items:
        doc.heading(item.unit, 2)
        write_text(doc, item.child_impact, empty="Barnkonsekvensanalys saknas.")


def _analyses(doc: DocumentBuilder, heading: str, items: list[AnalysisSummary]) -> None:
    doc.heading(heading, 1)
    if not items:
        doc.paragraph("Inga analyser har lämnats.", italic=True)
    for item in items:
        doc.heading(item.unit, 2)
        write_text(doc, item.summary)


def _proposal(doc: DocumentBuilder, data: BudgetdagData, context: dict[str, object]) -> None:
    proposed = {p.committee: p.amount for p in data.proposed_frames or ()}
    by = data.budget_year
    doc.prose("budgetdag/forslag.md.j2", summa_forslag=sum(proposed.values()), **context)
    write_text(doc, data.proposal_text, empty="")
    rows = [
        (f.committee, f.amount, data.requested(f.committee), proposed[f.committee])
        for f in data.frames
    ]
    doc.table(
        ["Nämnd", "Preliminär ram, tkr", "Äskanden, tkr", f"Förslag {by}, tkr", "Förändring, tkr"],
        [[*r, r[3] - r[1]] for r in rows],
        totals=[
            "Summa",
            sum(r[1] for r in rows),
            sum(r[2] for r in rows),
            sum(r[3] for r in rows),
            sum(r[3] - r[1] for r in rows),
        ],
        caption=f"Budgetberedningens förslag till driftramar {by}, tkr",
    )


def build_budgetdag_document(
    data: BudgetdagData,
    *,
    template: Path | None = None,
    logo: Path | None = None,
    out_dir: Path,
    prose_dir: Path | None = None,
) -> Path:
    """Write the document into ``out_dir``; ``template`` is the municipality's base .docx."""
    by = data.budget_year
    doc = DocumentBuilder(
        template,
        data.municipality,
        TITLE,
        f"Underlag för budget {by} med plan {by + 1}–{by + 2}",
        data.cycle_year,
        data.body,
        data.meeting_date,
        data.diary_number,
        demo=data.demo,
        prose_dir=prose_dir,
        logo=logo,
    )
    f = data.financial
    frames = sum(x.amount for x in data.frames)
    context: dict[str, object] = {
        "arbetsar": data.cycle_year,
        "budgetar": by,
        "planar": [by, by + 1, by + 2],
        "budgetdag": data.budget_day,
        "beslutsinstans": data.body,
        "skattesats": f.tax_rate,
        "skatter_och_bidrag": f.taxes_and_grants,
        "resultatmal_andel": f.result_goal_share,
        "resultatmal": f.result_goal,
        "total_ram": f.total_frame,
        "summa_ramar": frames,
        "summa_askanden": sum(r.amount for r in data.funding_requests),
        "antal_askanden": len(data.funding_requests),
    }
    doc.prose("budgetdag/inledning.md.j2", **context)
    doc.prose("budgetdag/ekonomiska_forutsattningar.md.j2", **context)
    _key_figures(doc, data)
    doc.prose("budgetdag/ramar_och_askanden.md.j2", **context)
    _summary(doc, data)
    doc.prose("budgetdag/askanden.md.j2", **context)
    _requests(doc, data)
    doc.prose(
        "budgetdag/investeringsbehov.md.j2",
        antal_investeringar=len(data.investment_needs),
        summa_investeringar=sum(i.amount for i in data.investment_needs),
    )
    _investments(doc, data)
    doc.prose("budgetdag/lokalbehov.md.j2", antal_lokalbehov=len(data.premises_needs))
    _premises(doc, data)
    child = [a for a in data.analyses if a.child_impact_needed or a.child_impact]
    doc.prose("budgetdag/barnkonsekvenser.md.j2", antal_bka=len(child))
    _child_impact(doc, child)
    committees = [a for a in data.analyses if not a.is_company]
    if committees:
        _analyses(doc, "Nämndernas analyser", committees)
    _analyses(doc, "Bolagens analyser", [a for a in data.analyses if a.is_company])
    if data.proposed_frames is not None:
        _proposal(doc, data, context)
    return doc.save(out_dir)
