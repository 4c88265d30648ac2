""" "Strategisk och ekonomisk plan YEAR–YEAR+2" (stages ``ks-beslut`` and ``kf-beslut``).

Labelled "Förslag" until the data holds a final (council) decision.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from arshjul.documents.builder import DocumentBuilder
from arshjul.documents.filenames import safe_filename
from arshjul.documents.financial_sections import statement
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
from arshjul.formats import format_date, format_number

MISSING = "uppgift saknas"

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


def _goal_heading(key: str, title: str) -> str:
    """ "Mål 1.1: Trygg kommun", or just "Mål 1.1" when the goal has no wording of its own."""
    label = f"Mål {key}"
    return title if title == label else f"{label}: {title}"


def _goals(doc: DocumentBuilder, data: SepData) -> None:
    for area in data.areas:
        doc.heading(area.name, 2)
        write_text(doc, area.description, empty="")
        for goal in area.goals:
            doc.heading(_goal_heading(goal.key, goal.title), 3)
            write_text(doc, goal.description, empty="")
            indicator_table(
                doc,
                goal.indicators,
                term=data.term,
                year=data.budget_year,
                caption=f"Indikatorer för mål {goal.key}",
            )


def _year_headers(data: SepData) -> list[str]:
    by, p1, p2 = data.plan_years
    return [f"Budget {by}", f"Plan {p1}", f"Plan {p2}"]


def _amount(value: int | None) -> int | str:
    return MISSING if value is None else value


def _financial(doc: DocumentBuilder, data: SepData) -> None:
    """Each financial goal assessed against the budgeted figures of each year."""
    if not data.financial_goals:
        doc.paragraph(
            "Uppgift saknas: inga finansiella mål är inlästa för planens år "
            "(arshjul import finansiella-mal).",
            italic=True,
        )
        return
    rows = []
    for goal in data.financial_goals:
        cells: list[int | str] = [goal.goal, goal.target]
        for outcome, met in zip(goal.outcomes, goal.met, strict=True):
            verdict = "" if met is None else (" – uppfylls" if met else " – uppfylls inte")
            cells.append(f"{outcome}{verdict}")
        rows.append(cells)
    doc.table(
        ["Finansiellt mål", "Målvärde", *_year_headers(data)],
        rows,
        numeric_columns=(),
        caption=f"Finansiella mål bedömda mot budgeten {data.plan_years[0]}–{data.plan_years[2]}",
        widths_cm=[5.0, 2.2, 2.9, 2.9, 2.9],
    )
    unmet = []
    for goal in data.financial_goals:
        years = [str(y) for y, met in zip(data.plan_years, goal.met, strict=True) if met is False]
        if years:
            unmet.append(f"{goal.goal.lower()} ({_and(years)})")
    if unmet:
        noun = "målet" if len(unmet) == 1 else "målen"
        doc.paragraph(f"Budgeten uppfyller inte {noun} för {_and(unmet)}.", bold=True)


def _and(items: list[str]) -> str:
    """ "a", "a och b", "a, b och c"."""
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} och {items[-1]}"


def _tax(doc: DocumentBuilder, data: SepData) -> None:
    tax = data.tax
    if tax is None:
        return
    rate = (
        f"{format_number(tax.rate, 2)} kronor per 100 kronor ({tax.rate_source})"
        if tax.rate is not None
        else "uppgift saknas"
    )
    doc.paragraph(f"Skattesats {data.plan_years[0]}: {rate}.")
    doc.table(
        ["tkr", *_year_headers(data)],
        [
            ["Skatteintäkter", *(_amount(v) for v in tax.revenue)],
            ["Generella statsbidrag och utjämning", *(_amount(v) for v in tax.grants)],
        ],
        caption=f"Skatteintäkter och generella statsbidrag {data.plan_years[0]}–"
        f"{data.plan_years[2]}, tkr",
    )
    if tax.forecast:
        source = f"Beloppen bygger på {tax.forecast}"
        if tax.replaces:
            source += f", som ersätter {tax.replaces}"
        doc.paragraph(source + ".")
    else:
        doc.paragraph(
            "Uppgift saknas: ingen skatteunderlagsprognos är inläst "
            "(arshjul import skatteprognos).",
            italic=True,
        )


def _three_years(lines: Sequence[FrameLine | InvestmentLine]) -> list[int | str]:
    """The columns' sums; a year where a line has no basis has no sum."""
    sums: list[int | str] = []
    for i in range(3):
        values = [line.amounts[i] for line in lines]
        sums.append(MISSING if any(v is None for v in values) else sum(v or 0 for v in values))
    return sums


def _frames(doc: DocumentBuilder, data: SepData) -> None:
    by, p1, p2 = data.plan_years
    doc.table(
        ["Nämnd", f"Budget {by}, tkr", f"Plan {p1}, tkr", f"Plan {p2}, tkr"],
        [[f.committee, *(_amount(a) for a in f.amounts)] for f in data.frames],
        totals=["Summa", *_three_years(data.frames)],
        caption=f"Driftramar per nämnd {by}–{p2}, tkr",
    )
    decided = {f.decision for f in data.frames if f.decision}
    if decided:
        doc.paragraph(
            f"Driftramarna för {by} är beslutade av " + " och ".join(sorted(decided)) + "."
        )
    years = [
        y
        for i, y in enumerate(data.plan_years)
        if all(f.amounts[i] is not None for f in data.frames)
    ]
    if years:
        doc.chart_bar(
            f"Driftramar per nämnd {years[0]}–{years[-1]}",
            [f.committee for f in data.frames],
            [
                (str(year), [f.amounts[i] or 0 for f in data.frames])
                for i, year in enumerate(data.plan_years)
                if year in years
            ],
        )


def _investments(doc: DocumentBuilder, data: SepData) -> None:
    if not data.investments:
        return
    by, p1, p2 = data.plan_years
    rows = [
        [
            i.committee,
            i.area,
            *(("" if a is None else a) for a in i.amounts),
            i.total,
            i.whole if i.span else "",
        ]
        for i in data.investments
    ]
    doc.table(
        ["Nämnd", "Projekt", str(by), str(p1), str(p2), "Summa", "Hela projektet"],
        rows,
        totals=[
            "Summa",
            "",
            *(sum(i.amounts[n] or 0 for i in data.investments) for n in range(3)),
            sum(i.total for i in data.investments),
            "",
        ],
        numeric_columns={2, 3, 4, 5, 6},
        caption=f"Investeringsramar per projekt {by}–{p2}, tkr",
    )
    spans = [f"{i.area}: {i.span}" for i in data.investments if i.span]
    if spans:
        doc.paragraph(
            "En tom ruta betyder att projektet inte har någon ram det året. Projekt som "
            "pågår även utanför planens år, med hela projektets budget i sista kolumnen: "
            + "; ".join(spans)
            + "."
        )


def _statements(doc: DocumentBuilder, data: SepData) -> None:
    statements = data.statements
    doc.prose("sep/budgeterade_rakningar.md.j2", planar=list(data.plan_years))
    if statements is None:
        doc.paragraph("Uppgift saknas: de budgeterade räkningarna kan inte göras.", italic=True)
        return
    if statements.basis:
        doc.paragraph(statements.basis)
    statement(
        doc,
        statements.income,
        first_column="Resultaträkning, tkr",
        caption=f"Budgeterad resultaträkning {data.plan_years[0]}–{data.plan_years[2]}, tkr",
    )
    if statements.balance is not None:
        statement(
            doc,
            statements.balance,
            first_column="Balansräkning, tkr",
            caption=f"Budgeterad balansräkning {data.plan_years[0]}–{data.plan_years[2]}, tkr",
        )
    if statements.financing is not None:
        statement(
            doc,
            statements.financing,
            first_column="Finansieringsbudget, tkr",
            caption=f"Finansieringsbudget {data.plan_years[0]}–{data.plan_years[2]}, tkr",
        )
    if statements.missing:
        doc.paragraph("Uppgift saknas för:", italic=True)
        doc.bullets(list(statements.missing))


def _decisions(doc: DocumentBuilder, data: SepData) -> None:
    doc.prose("sep/beslut.md.j2", antal_beslut=len(data.decisions))
    for decision in data.decisions:
        doc.heading(decision_text(decision), 2)
        doc.heading("Beslutet och ändringar mot förslaget", 3)
        if decision.changes:
            doc.bullets(list(decision.changes))
        else:
            doc.paragraph("Inga ändringar mot förslaget.")


def build_sep_document(
    data: SepData,
    *,
    template: Path | None = None,
    logo: Path | None = None,
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
        logo=logo,
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
    if data.term_note:
        doc.paragraph(data.term_note, bold=True)
    _goals(doc, data)
    doc.prose("sep/finansiella_mal.md.j2", budgetar=by, planar=[by, p1, p2])
    _financial(doc, data)
    doc.prose("sep/skatter.md.j2", budgetar=by)
    _tax(doc, data)
    summa = data.frames and all(f.budget is not None for f in data.frames)
    doc.prose(
        "sep/driftramar.md.j2",
        budgetar=by,
        planar=[by, p1, p2],
        summa_ramar=sum(f.budget or 0 for f in data.frames) if summa else None,
    )
    _frames(doc, data)
    doc.prose(
        "sep/investeringsramar.md.j2",
        budgetar=by,
        antal_investeringar=len(data.investments),
        summa_investeringar=sum(i.budget or 0 for i in data.investments),
    )
    _investments(doc, data)
    _statements(doc, data)
    doc.prose("sep/plan.md.j2", planar=[by, p1, p2], har_text=bool(data.plan_text.strip()))
    write_text(doc, data.plan_text, empty="")
    if data.decisions:
        _decisions(doc, data)
    name = title if data.adopted else f"{title} (förslag)"
    return doc.save(out_dir, safe_filename(f"{name} – {data.municipality}"))
