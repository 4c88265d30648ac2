""" "Strategisk och ekonomisk plan YEAR–YEAR+2" (stages ``ks-beslut`` and ``kf-beslut``).

Labelled "Förslag" until the data holds a final (council) decision.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from arshjul.documents.builder import DocumentBuilder
from arshjul.documents.filenames import safe_filename
from arshjul.documents.ledningsdialog import write_text
from arshjul.documents.planning_data import (
    DecisionRecord,
    FinancialGoal,
    FrameLine,
    GoalLine,
    IndicatorLine,
    InvestmentLine,
    SepData,
    StrategicAreaLine,
    format_target,
)
from arshjul.formats import format_date, format_number, format_percent

TITLE = "Strategisk och ekonomisk plan"

__all__ = [
    "TITLE",
    "DecisionRecord",
    "FinancialGoal",
    "FrameLine",
    "GoalLine",
    "IndicatorLine",
    "InvestmentLine",
    "SepData",
    "StrategicAreaLine",
    "build_sep_document",
    "indicator_table",
    "sep_title",
]


def sep_title(data: SepData) -> str:
    """``Strategisk och ekonomisk plan 2028–2030``."""
    first, _, last = data.plan_years
    return f"{TITLE} {first}–{last}"


def decision_text(decision: DecisionRecord) -> str:
    """``Kommunstyrelsen 8 juni 2027, § 85``."""
    paragraph = f", {decision.paragraph}" if decision.paragraph else ""
    return f"{decision.body} {format_date(decision.date)}{paragraph}"


def _break_title(doc: DocumentBuilder, title: str) -> None:
    """The years on a line of their own on the title page, never split at the dash."""
    for paragraph in doc.document.paragraphs:
        if paragraph.style is not None and paragraph.style.name == "Title":
            name, years = title.rsplit(" ", 1)
            for run in paragraph.runs[1:]:
                run._r.getparent().remove(run._r)
            run = paragraph.runs[0]
            run.text = name
            run.add_break()
            run.add_text(years)
            return


def _status(data: SepData) -> str:
    """The subtitle: a proposal, a proposal decided on by the board, or adopted."""
    if data.adopted:
        return f"Beslutad av {decision_text(data.adopted)}"
    if data.decisions:
        return f"Förslag, beslutat av {decision_text(data.decisions[-1])}"
    return "Förslag"


def indicator_table(
    doc: DocumentBuilder,
    indicators: Sequence[IndicatorLine],
    *,
    term: str,
    year: int,
    caption: str,
) -> None:
    """Indicators with their targets for the term and for the year."""
    if not indicators:
        doc.paragraph("Målet har inga indikatorer.", italic=True)
        return
    doc.table(
        ["Indikator", f"Målvärde {term or 'mandatperioden'}", f"Målvärde {year}"],
        [
            [i.name, format_target(i.term_target, i.unit), format_target(i.year_target, i.unit)]
            for i in indicators
        ],
        numeric_columns={1, 2},
        caption=caption,
        widths_cm=[10.0, 3.0, 3.0],
    )


def _goals(doc: DocumentBuilder, data: SepData) -> None:
    for area in data.areas:
        doc.heading(area.name, 2)
        write_text(doc, area.description, empty="")
        for goal in area.goals:
            doc.heading(f"Mål {goal.key}: {goal.title}", 3)
            write_text(doc, goal.description, empty="")
            indicator_table(
                doc,
                goal.indicators,
                term=data.term,
                year=data.budget_year,
                caption=f"Indikatorer för mål {goal.key}",
            )


def _financial(doc: DocumentBuilder, data: SepData) -> None:
    if data.financial_goals:
        doc.table(
            ["Finansiellt mål", f"Målvärde {data.budget_year}"],
            [[g.goal, g.target or "–"] for g in data.financial_goals],
            numeric_columns=(),
            caption=f"Finansiella mål {data.budget_year}",
            widths_cm=[12.0, 4.0],
        )
    f = data.financial
    if f is not None:
        rows: list[list[str | int]] = [
            ["Skattesats, kronor per 100 kronor", format_number(f.tax_rate, 2)],
            ["Skatteintäkter och generella statsbidrag, tkr", f.taxes_and_grants],
            ["Resultatmål, andel", format_percent(f.result_goal_share)],
            ["Budgeterat resultat, tkr", f.result_goal],
            ["Utrymme för driftramar, tkr", f.total_frame],
        ]
        frames = sum(line.budget for line in data.frames)
        if frames != f.total_frame:
            rows += [
                ["Varav fördelat på nämnderna, tkr", frames],
                ["Ej fördelat på nämnderna, tkr", f.total_frame - frames],
            ]
        doc.table(
            ["Förutsättning", f"Budget {data.budget_year}"],
            rows,
            caption=f"Ekonomiska förutsättningar {data.budget_year}",
            widths_cm=[12.0, 4.0],
        )


def _three_years(lines: Sequence[FrameLine | InvestmentLine]) -> list[int]:
    return [sum(line.amounts[i] for line in lines) for i in range(3)]


def _frames(doc: DocumentBuilder, data: SepData) -> None:
    by, p1, p2 = data.plan_years
    doc.table(
        ["Nämnd", f"Budget {by}, tkr", f"Plan {p1}, tkr", f"Plan {p2}, tkr"],
        [[f.committee, *f.amounts] for f in data.frames],
        totals=["Summa", *_three_years(data.frames)],
        caption=f"Driftramar per nämnd {by}–{p2}, tkr",
    )
    doc.chart_bar(
        f"Driftramar per nämnd {by}–{p2}",
        [f.committee for f in data.frames],
        [
            (str(year), [f.amounts[i] for f in data.frames])
            for i, year in enumerate(data.plan_years)
        ],
    )


def _investments(doc: DocumentBuilder, data: SepData) -> None:
    if not data.investments:
        return
    by, p1, p2 = data.plan_years
    doc.table(
        ["Nämnd", "Område eller projekt", f"{by}, tkr", f"{p1}, tkr", f"{p2}, tkr"],
        [[i.committee, i.area, *i.amounts] for i in data.investments],
        totals=["Summa", "", *_three_years(data.investments)],
        numeric_columns={2, 3, 4},
        caption=f"Investeringsramar {by}–{p2}, tkr",
    )


def _decisions(doc: DocumentBuilder, data: SepData) -> None:
    doc.prose("sep/beslut.md.j2", antal_beslut=len(data.decisions))
    for decision in data.decisions:
        doc.heading(decision_text(decision), 2)
        doc.heading("Ändringar i förhållande till förslaget", 3)
        if decision.changes:
            doc.bullets(list(decision.changes))
        else:
            doc.paragraph("Inga ändringar.")


def build_sep_document(
    data: SepData,
    *,
    template: Path | None = None,
    out_dir: Path,
    prose_dir: Path | None = None,
) -> Path:
    """Write the document into ``out_dir``; ``template`` is the municipality's base .docx.

    Until adopted, the file name says ``(förslag)`` so the proposal and the decided plan
    can lie side by side."""
    by, p1, p2 = data.plan_years
    title = sep_title(data)
    doc = DocumentBuilder(
        template,
        data.municipality,
        title,
        _status(data),
        None,
        data.body,
        data.meeting_date,
        data.diary_number,
        demo=data.demo,
        prose_dir=prose_dir,
    )
    _break_title(doc, title)
    last = data.decisions[-1] if data.decisions else None
    doc.prose(
        "sep/inledning.md.j2",
        arbetsar=data.cycle_year,
        budgetar=by,
        planar=[by, p1, p2],
        forslag=data.adopted is None,
        beslut=f"Beslutat av {decision_text(last)}" if last else None,
        beslutsinstans=data.body,
    )
    doc.heading("Vision och politisk inriktning", 1)
    doc.paragraph(f"Vision: {data.vision}", bold=True)
    write_text(doc, data.direction, empty="")
    doc.prose(
        "sep/mal.md.j2",
        mandatperiod=data.term,
        antal_omraden=len(data.areas),
        antal_mal=sum(len(a.goals) for a in data.areas),
        budgetar=by,
    )
    _goals(doc, data)
    doc.prose("sep/finansiella_mal.md.j2", budgetar=by)
    _financial(doc, data)
    summa = sum(f.budget for f in data.frames)
    doc.prose("sep/driftramar.md.j2", budgetar=by, planar=[by, p1, p2], summa_ramar=summa)
    _frames(doc, data)
    doc.prose(
        "sep/investeringsramar.md.j2",
        budgetar=by,
        antal_investeringar=len(data.investments),
        summa_investeringar=sum(i.budget for i in data.investments),
    )
    _investments(doc, data)
    doc.prose("sep/plan.md.j2", planar=[by, p1, p2], har_text=bool(data.plan_text.strip()))
    write_text(doc, data.plan_text, empty="")
    if data.decisions:
        _decisions(doc, data)
    name = title if data.adopted else f"{title} (förslag)"
    return doc.save(out_dir, safe_filename(f"{name} – {data.municipality}"))
