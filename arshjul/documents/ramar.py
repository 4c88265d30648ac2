"""The first stage document: "Preliminära ramar och anvisningar" (stage ``ramar``)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar, overload

from arshjul.documents.builder import DocumentBuilder
from arshjul.documents.ramar_data import (
    AnalysisInstructions,
    ChangeKind,
    CommitteeFrame,
    Decision,
    FinancialStartingPoints,
    FrameChange,
    RamarDocumentData,
    TimetableRow,
)
from arshjul.formats import format_date, format_number, format_percent

TITLE = "Preliminära ramar och anvisningar"

__all__ = [
    "TITLE",
    "AnalysisInstructions",
    "ChangeKind",
    "CommitteeFrame",
    "Decision",
    "FinancialStartingPoints",
    "FrameChange",
    "RamarDocumentData",
    "TimetableRow",
    "build_ramar_document",
]


def _context(data: RamarDocumentData) -> dict[str, object]:
    """The variables the prose templates under ``ramar/`` may use."""
    f = data.financial
    return {
        "arbetsar": data.cycle_year,
        "budgetar": data.budget_year,
        "planar": list(data.plan_years),
        "skattesats": f.tax_rate,
        "skatteintakter": f.tax_revenue,
        "statsbidrag": f.state_grants,
        "skatter_och_bidrag": f.taxes_and_grants,
        "resultatmal_andel": f.result_goal_share,
        "resultatmal": f.result_goal,
        "total_ram": f.total_frame,
        "namnder": [c.name for c in data.committees],
        "summa_ramar": data.committee_total,
        "summa_forandring": sum(c.change for c in data.committees),
        "summa_investeringar": (
            sum(c.investment_frame for c in data.committees) if data.investments_known else None
        ),
        "valar": data.election_year,
        "valdag": data.election_day,
        "beslutsinstans": data.body,
        "sammantrade": data.meeting_date,
        "underlag": list(data.instructions.items),
        "sista_dag": data.instructions.deadline,
        "budgetberedning": data.preparation_on,
        "mottagare": data.instructions.submit_to,
    }


_V = TypeVar("_V")


@overload
def _or_missing(value: int | None) -> str | int: ...
@overload
def _or_missing(value: _V | None, shown: Callable[[_V], str]) -> str: ...
def _or_missing(value: Any, shown: Callable[[Any], str] | None = None) -> str | int:
    """A figure, formatted, or "uppgift saknas" when the database lacks it."""
    if value is None:
        return "uppgift saknas"
    return shown(value) if callable(shown) else value


def starting_point_rows(f: FinancialStartingPoints) -> list[list[str | int]]:
    """The key figures of the budget year, "uppgift saknas" where the database lacks one."""
    return [
        [
            "Skattesats, kronor per 100 kronor",
            _or_missing(f.tax_rate, lambda v: format_number(v, 2)),
        ],
        ["Skatteintäkter, prognos, tkr", _or_missing(f.tax_revenue)],
        ["Generella statsbidrag och utjämning, prognos, tkr", _or_missing(f.state_grants)],
        ["Summa skatteintäkter och generella statsbidrag, tkr", _or_missing(f.taxes_and_grants)],
        [
            "Resultatmål, andel av skatteintäkter och statsbidrag",
            _or_missing(f.result_goal_share, format_percent),
        ],
        ["Resultatmål, tkr", _or_missing(f.result_goal)],
        ["Total ram för driften, tkr", f.total_frame],
    ]


def _key_figures(doc: DocumentBuilder, data: RamarDocumentData) -> None:
    f = data.financial
    rows = starting_point_rows(f)
    if data.committee_total != f.total_frame:
        rows.append(["Varav fördelat på nämnderna, tkr", data.committee_total])
        rows.append(["Ej fördelat på nämnderna, tkr", f.total_frame - data.committee_total])
    doc.table(
        ["Förutsättning", f"Budget {data.budget_year}"],
        rows,
        caption=f"Ekonomiska förutsättningar {data.budget_year}",
        widths_cm=[12.0, 4.0],
    )
    if f.forecast:
        doc.paragraph(f"Skatteintäkterna och statsbidragen bygger på {f.forecast}.")


def _frames(doc: DocumentBuilder, data: RamarDocumentData, context: dict[str, object]) -> None:
    cy, by = data.cycle_year, data.budget_year
    committees = data.committees
    doc.table(
        ["Nämnd", f"Ram {cy}, tkr", "Förändring, tkr", f"Preliminär ram {by}, tkr"],
        [[c.name, c.previous_frame, c.change, c.preliminary_frame] for c in committees],
        totals=[
            "Summa",
            sum(c.previous_frame for c in committees),
            sum(c.change for c in committees),
            data.committee_total,
        ],
        caption=f"Preliminära driftramar per nämnd {by}, tkr",
    )
    doc.chart_bar(
        f"Driftram per nämnd {cy} och preliminär ram {by}",
        [c.name for c in committees],
        [
            (f"Ram {cy}", [c.previous_frame for c in committees]),
            (f"Preliminär ram {by}", [c.preliminary_frame for c in committees]),
        ],
    )
    doc.prose("ramar/forandringar.md.j2", **context)
    for committee in committees:
        _committee(doc, committee, cy, by)


def _committee(doc: DocumentBuilder, c: CommitteeFrame, cy: int, by: int) -> None:
    doc.heading(c.name, 3)
    doc.prose(
        "ramar/namnd.md.j2",
        namnd=c.name,
        arbetsar=cy,
        budgetar=by,
        ram_fg=c.previous_frame,
        forandring=c.change,
        preliminar_ram=c.preliminary_frame,
        antal_forandringar=len(c.changes),
    )
    if c.changes:
        doc.table(
            ["Förändring", "Typ", "tkr"],
            [[ch.reason, ch.kind.label, ch.amount] for ch in c.changes],
            totals=["Summa förändring", "", c.change],
            numeric_columns={2},
            caption=f"Förändringar av ramen för {c.name}, tkr",
            widths_cm=[10.0, 3.0, 3.0],
        )


def _investments(doc: DocumentBuilder, data: RamarDocumentData) -> None:
    if not data.investments_known:
        return  # the text says "uppgift saknas"; a table of zeros would say there are none
    by = data.budget_year
    doc.table(
        ["Nämnd", f"Investeringsram {by}, tkr"],
        [[c.name, c.investment_frame] for c in data.committees],
        totals=["Summa", sum(c.investment_frame for c in data.committees)],
        caption=f"Investeringsramar {by}, tkr",
        widths_cm=[12.0, 4.0],
    )


def _decisions(decisions: tuple[Decision, ...]) -> str:
    return "; ".join(f"{d.body} {format_date(d.date)}" for d in decisions)


def _timetable(doc: DocumentBuilder, data: RamarDocumentData) -> None:
    doc.table(
        ["Steg", "Öppnar", "Sista dag", "Beslut"],
        [
            [
                row.stage,
                format_date(row.opens) if row.opens else "–",
                format_date(row.deadline) if row.deadline else "–",
                _decisions(row.decisions) or "–",
            ]
            for row in data.timetable
        ],
        numeric_columns=(),
        caption=f"Tidplan {data.cycle_year}",
        widths_cm=[5.4, 3.2, 3.2, 4.2],
    )
    if data.waivers:
        # A decided exception from the law's frame, stated where the dates are read.
        doc.paragraph("Avsteg från lagens tidsramar, med skäl:", bold=True)
        doc.bullets(list(data.waivers))


def build_ramar_document(
    data: RamarDocumentData,
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
        f"Budget {by} med plan {by + 1}–{by + 2}",
        by,
        data.body,
        data.meeting_date,
        data.diary_number,
        demo=data.demo,
        prose_dir=prose_dir,
        logo=logo,
    )
    context = _context(data)
    doc.prose("ramar/inledning.md.j2", **context)
    doc.prose("ramar/ekonomiska_forutsattningar.md.j2", **context)
    _key_figures(doc, data)
    doc.prose("ramar/driftramar.md.j2", **context)
    _frames(doc, data, context)
    doc.prose("ramar/investeringsramar.md.j2", **context)
    _investments(doc, data)
    doc.prose("ramar/tidplan.md.j2", **context)
    if data.timetable:
        _timetable(doc, data)
    doc.prose("ramar/anvisningar.md.j2", **context)
    return doc.save(out_dir)
