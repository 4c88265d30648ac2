""" "Nämndernas budget YEAR – sammanställning till kommunstyrelsen" (stage ``namndbudget``)."""

from __future__ import annotations

from pathlib import Path

from arshjul.documents.builder import DocumentBuilder
from arshjul.documents.ledningsdialog import write_text
from arshjul.documents.planning_data import (
    ActivityLine,
    CommitteeBudget,
    NamndbudgetData,
    PlanActivity,
    UnitGoalLine,
)
from arshjul.documents.sep import indicator_table

TITLE = "Nämndernas budget"
SUBTITLE = "Sammanställning till kommunstyrelsen"

__all__ = [
    "SUBTITLE",
    "TITLE",
    "ActivityLine",
    "CommitteeBudget",
    "NamndbudgetData",
    "PlanActivity",
    "UnitGoalLine",
    "build_namndbudget_document",
]


def _summary(doc: DocumentBuilder, data: NamndbudgetData) -> None:
    by = data.budget_year
    committees = data.committees
    doc.table(
        ["Nämnd", f"Ram {by}, tkr", "Fördelat på verksamheter, tkr", "Skillnad, tkr"],
        [[c.committee, c.frame, c.distributed, c.difference] for c in committees],
        totals=[
            "Summa",
            sum(c.frame for c in committees),
            sum(c.distributed for c in committees),
            sum(c.difference for c in committees),
        ],
        caption=f"Nämndernas ramar och budgetar {by}, tkr",
    )


def _committee(doc: DocumentBuilder, c: CommitteeBudget, data: NamndbudgetData) -> None:
    by = data.budget_year
    doc.heading(c.committee, 1)
    doc.heading("Budget per verksamhet", 2)
    doc.prose(
        "namndbudget/namnd.md.j2",
        namnd=c.committee,
        ram=c.frame,
        fordelat=c.distributed,
        skillnad=c.difference,
        budgetar=by,
        beslutsdag=c.decided_on,
        paragraf=c.paragraph,
    )
    doc.table(
        ["Verksamhet", f"Budget {by}, tkr"],
        [[a.activity, a.amount] for a in c.activities],
        totals=["Summa", c.distributed],
        caption=f"Budget {by} per verksamhet för {c.committee}, tkr",
        widths_cm=[12.0, 4.0],
    )
    doc.heading("Mål och indikatorer", 2)
    if c.goals_text:
        write_text(doc, c.goals_text)
    if not c.goals and not c.goals_text:
        doc.paragraph("Nämnden har inte redovisat några egna mål.", italic=True)
    for goal in c.goals:
        doc.heading(f"{goal.key}: {goal.title}", 3)
        link = doc.paragraph(
            f"Bidrar till kommunfullmäktiges mål: {goal.council_goal}", italic=True
        )
        link.paragraph_format.keep_with_next = True
        indicator_table(
            doc,
            goal.indicators,
            term=data.term,
            year=by,
            caption=f"Indikatorer för {c.committee}s mål {goal.key}",
        )
    doc.heading("Aktiviteter i verksamhetsplanen", 2)
    if not c.plan_activities:
        doc.paragraph("Nämnden har inte redovisat några aktiviteter.", italic=True)
        return
    doc.table(
        ["Aktivitet", "Mål", "Ansvarig"],
        [[a.title, a.goal or "–", a.responsible or "–"] for a in c.plan_activities],
        numeric_columns=(),
        caption=f"Aktiviteter {by} för {c.committee}",
        widths_cm=[9.0, 2.5, 4.5],
    )


def build_namndbudget_document(
    data: NamndbudgetData,
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
        SUBTITLE,
        by,
        data.body,
        data.meeting_date,
        data.diary_number,
        demo=data.demo,
        prose_dir=prose_dir,
        logo=logo,
    )
    context: dict[str, object] = {
        "arbetsar": data.cycle_year,
        "budgetar": by,
        "antal_namnder": len(data.committees),
        "antal_saknas": len(data.not_submitted),
        "summa_ramar": sum(c.frame for c in data.committees),
    }
    doc.prose("namndbudget/inledning.md.j2", **context)
    doc.prose("namndbudget/sammanstallning.md.j2", **context)
    _summary(doc, data)
    if data.not_submitted:
        doc.prose("namndbudget/saknas.md.j2", **context)
        doc.bullets(list(data.not_submitted))
    for committee in data.committees:
        _committee(doc, committee, data)
    return doc.save(out_dir, f"{TITLE} {by} – {SUBTITLE.lower()} – {data.municipality}")
