"""The sections the interim report and the annual report share: goal attainment, sound
financial management, the balanskravsresultat and the income statement and balance sheet.

Goal attainment is shown as given: the council goals' attainment is judged from the
committees' and companies' goals upstream; these functions only count and show it.
"""

from __future__ import annotations

from collections.abc import Sequence

from arshjul.documents.builder import DocumentBuilder
from arshjul.documents.comparison import comparison_block
from arshjul.documents.followup_common import (
    MISSING,
    fitted,
    missing,
    number,
    text_block,
)
from arshjul.documents.followup_contents import (
    ATTAINMENT_LEVELS,
    FinancialGoal,
    FollowUpData,
    GoalReport,
    IndicatorResult,
)
from arshjul.documents.followup_statements import StatementLine
from arshjul.documents.tables import Cell

LEVEL_LABELS = {level: level.capitalize() for level in ATTAINMENT_LEVELS}
NO_AREA = "Utan strategiskt område"
OWNER_LABELS = {"committee": "Nämndmål", "company": "Bolagsmål", "council": "KF:s mål"}


def counted_goals(data: FollowUpData) -> tuple[GoalReport, ...]:
    """The goals the summary counts: the council's, or all goals when it has none."""
    return data.council_goals or data.goals


def attainment_counts(data: FollowUpData) -> dict[str, list[int]]:
    """Per strategic area, the number of goals at each attainment level (in level order)."""
    goals = counted_goals(data)
    areas = dict.fromkeys(g.strategic_area for g in goals)
    return {
        area or NO_AREA: [
            sum(1 for g in goals if g.strategic_area == area and g.attainment == level)
            for level in ATTAINMENT_LEVELS
        ]
        for area in areas
    }


def _measure(value: float | None, unit: str) -> str:
    shown = number(value)
    return f"{shown}\u00a0{unit}" if unit and value is not None else shown


def _indicator_line(indicator: IndicatorResult) -> str:
    target = _measure(indicator.target, indicator.unit_of_measure)
    value = _measure(indicator.value, indicator.unit_of_measure)
    return f"{indicator.name}: målvärde {target}, utfall {value}"


def _goal(doc: DocumentBuilder, goal: GoalReport, shown: dict[str, str]) -> None:
    """A council goal's attainment, motivation and indicators (as a table)."""
    paragraph = doc.paragraph("Måluppfyllelse: ")
    paragraph.add_run(LEVEL_LABELS[goal.attainment]).bold = True
    text_block(doc, goal.motivation, empty="Bedömningen saknar motivering.")
    if goal.indicators:
        doc.table(
            ["Indikator", "Enhet", "Målvärde", "Utfall"],
            [
                [i.name, i.unit_of_measure or MISSING, number(i.target), number(i.value)]
                for i in goal.indicators
            ],
            numeric_columns={2, 3},
            caption=f"Indikatorer för mål {goal.key}",
            widths_cm=fitted(doc, (8.4, 2.4, 2.6, 2.6)),
        )
    _comparisons(doc, goal, shown)


def _comparisons(doc: DocumentBuilder, goal: GoalReport, shown: dict[str, str]) -> None:
    """Each indicator's comparison with other municipalities, where it has a key figure.

    A committee goal often measures what its council goal does: a key figure already
    compared in the document is referred to, not drawn twice (``shown``: kpi → goal key).
    """
    for indicator in goal.indicators:
        comparison = indicator.comparison
        if comparison is None:
            continue
        if (first := shown.get(comparison.kpi)) is not None:
            doc.paragraph(
                f"Jämförelse med andra kommuner för {indicator.name}: se mål {first} ovan "
                f"(Kolada, nyckeltal {comparison.kpi})."
            )
            continue
        shown[comparison.kpi] = goal.key
        comparison_block(doc, indicator.name, comparison)


def _serving(
    doc: DocumentBuilder, goal: GoalReport, serving: tuple[GoalReport, ...], shown: dict[str, str]
) -> None:
    """The committees' and companies' goals under a council goal: a table, then each goal."""
    doc.table(
        ["Mål", "Nämnd eller bolag", "Måluppfyllelse"],
        [[f"{g.key} {g.title}", g.unit or MISSING, LEVEL_LABELS[g.attainment]] for g in serving],
        numeric_columns=(),
        caption=f"Nämndernas och bolagens mål som bidrar till mål {goal.key}",
        widths_cm=fitted(doc, (8.0, 5.0, 3.0)),
    )
    _goal_paragraphs(doc, serving, shown)


def _goal_paragraphs(
    doc: DocumentBuilder, goals: tuple[GoalReport, ...], shown: dict[str, str]
) -> None:
    """Committee and company goals: a bold line, the motivation, indicators as bullets."""
    for g in goals:
        owner = OWNER_LABELS.get(g.level, "Mål")
        unit = f" ({g.unit})" if g.unit else ""
        doc.paragraph(f"{owner} {g.key} {g.title}{unit}: {g.attainment}", bold=True)
        text_block(doc, g.motivation)
        if g.indicators:
            doc.bullets([_indicator_line(i) for i in g.indicators])
        _comparisons(doc, g, shown)


def goals_section(doc: DocumentBuilder, data: FollowUpData, folder: str) -> None:
    """Heading 1 from the template; per strategic area a Heading 2, per council goal a 3."""
    counts = attainment_counts(data)
    doc.prose(
        f"{folder}/maluppfyllelse.md.j2",
        antal_mal=len(counted_goals(data)),
        kf_mal=bool(data.council_goals),
    )
    if not data.goals:
        missing(doc, "målens uppföljning")
        return
    labels = [LEVEL_LABELS[level] for level in ATTAINMENT_LEVELS]
    rows: list[list[Cell]] = [
        [area, *(str(c) for c in values), str(sum(values))] for area, values in counts.items()
    ]
    totals = [sum(values[i] for values in counts.values()) for i in range(len(labels))]
    whose = "Kommunfullmäktiges mål" if data.council_goals else "Mål"
    doc.table(
        ["Strategiskt område", *labels, "Summa"],
        rows,
        totals=["Summa", *(str(t) for t in totals), str(sum(totals))],
        caption=f"{whose} per strategiskt område efter måluppfyllelse {data.year}",
        widths_cm=fitted(doc, (5.0, 2.2, 2.2, 2.2, 2.2, 2.2)),
    )
    doc.chart_stacked(
        f"{whose} per strategiskt område efter måluppfyllelse {data.year}",
        list(counts),
        [(label, [values[i] for values in counts.values()]) for i, label in enumerate(labels)],
    )
    council_keys = {g.key for g in data.council_goals}
    shown: dict[str, str] = {}
    for area in data.strategic_areas:
        doc.heading(area or NO_AREA, 2)
        for goal in data.council_goals:
            if goal.strategic_area != area:
                continue
            doc.heading(f"{goal.key} {goal.title}", 3)
            _goal(doc, goal, shown)
            if serving := data.goals_serving(goal.key):
                _serving(doc, goal, serving, shown)
        others = tuple(
            g
            for g in data.goals
            if g.strategic_area == area
            and g.level != "council"
            and g.council_goal not in council_keys
        )
        if others:
            doc.heading(f"Övriga mål inom {area}" if area else "Övriga mål", 3)
            _goal_paragraphs(doc, others, shown)


# ----------------------------------------------------------------- sound financial management
def financial_goals(
    doc: DocumentBuilder, data: FollowUpData, folder: str, *, outcome: str, forecast: bool
) -> None:
    """The financial goals: target, outcome or forecast and whether it is (expected to be) met."""
    doc.prose(
        f"{folder}/god_ekonomisk_hushallning.md.j2", antal=len(data.sound_financial_management)
    )
    goals = data.sound_financial_management
    if not goals:
        missing(doc, "de finansiella målens uppföljning")
        return

    def verdict(goal: FinancialGoal) -> str:
        if goal.met is None:
            return "Ej bedömd"
        if forecast:
            return "Bedöms uppfyllas" if goal.met else "Bedöms inte uppfyllas"
        return "Uppfyllt" if goal.met else "Ej uppfyllt"

    doc.table(
        ["Finansiellt mål", "Målvärde", outcome, "Bedömning"],
        [[g.goal, g.target, g.outcome, verdict(g)] for g in goals],
        numeric_columns=(),
        caption=f"Finansiella mål för god ekonomisk hushållning {data.year}",
        widths_cm=fitted(doc, (7.0, 2.6, 2.8, 3.6)),
    )


def balance_requirement(doc: DocumentBuilder, data: FollowUpData, folder: str) -> None:
    """The balanskravsutredning as a table, what a negative result requires, and what is
    left to restore from earlier years."""
    requirement = data.balance_requirement
    doc.prose(
        f"{folder}/balanskrav.md.j2",
        finns=requirement is not None,
        resultat=requirement.balance_result_kr if requirement else None,
        negativt=bool(requirement and requirement.negative),
        aterstallas_senast=data.year + 3,
        rapporterat=bool(requirement and requirement.reported),
        reserv=requirement.reserve_balance_kr if requirement else None,
    )
    if requirement is None:
        missing(doc, "balanskravsutredningen")
        return
    statement_table(
        doc,
        [("tkr", requirement.lines())],
        first_column="Balanskravsutredning",
        caption=f"Balanskravsresultat {data.year}, tkr",
    )
    if requirement.restoration_lines():
        statement_table(
            doc,
            [("tkr", requirement.restoration_lines())],
            first_column="Återställning av underskott",
            caption=f"Balanskravsunderskott att återställa {data.year}, tkr",
        )


def statement_table(
    doc: DocumentBuilder,
    statements: Sequence[tuple[str, Sequence[StatementLine]]],
    *,
    first_column: str,
    caption: str,
) -> None:
    """Statements side by side (``(column, lines)``); the last line is the totals row."""
    labels: list[str] = []
    for _, lines in statements:  # merged in the conventional order, extra lines in place
        for index, line in enumerate(lines):
            if line.label not in labels:
                after = labels.index(lines[index - 1].label) + 1 if index else 0
                labels.insert(after, line.label)
    by_column = [{line.label: line.amount_kr for line in lines} for _, lines in statements]
    rows: list[list[Cell]] = [
        [label, *(values.get(label) for values in by_column)] for label in labels
    ]
    *body, totals = rows
    table = doc.table(
        [first_column, *(column for column, _ in statements)],
        body,
        totals=totals,
        caption=caption,
    )
    emphasised = {
        line.label
        for _, lines in statements
        for line in lines
        if line.is_sum or line.amount_kr is None
    }
    for label, row in zip(labels, table.rows[1:], strict=True):
        if label in emphasised:  # subtotals and the group headings in bold
            for cell in row.cells:
                for run in cell.paragraphs[0].runs:
                    run.bold = True
