"""Parts several follow-up documents share: the economy table and chart, the committees'
comments, the companies; the small formatting helpers the other follow-up modules use.

Each part takes the folder of the document's prose templates (``tertial``, ``delar``, …):
the fixed text is per document, so that a controller can word each report on its own.
Free text from the committees (explanations, measures, motivations) is written literally,
never through the markup.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

from docx.shared import Cm

from arshjul.documents.builder import DocumentBuilder
from arshjul.documents.followup_contents import FollowUpData, UnitEconomy
from arshjul.documents.tables import Cell, usable_width
from arshjul.formats import format_date, format_number, format_percent

MISSING = "–"
# The economy table: Nämnd, Budget, Utfall, Prognos, Avvikelse, Andel, Åtgärdsplan (cm on 16).
ECONOMY_WIDTHS = (3.9, 2.1, 2.1, 2.1, 1.9, 1.7, 2.2)
SIGN = "Avvikelse = budget − prognos; ett negativt tal är ett underskott."


def short_period(period: str) -> str:
    """``januari–april`` → ``jan–apr`` (maj stays maj)."""
    return "–".join(part.strip()[:3] for part in period.split("–"))


def fitted(doc: DocumentBuilder, widths_cm: Sequence[float]) -> list[float]:
    """Column widths scaled to the template's text width."""
    room = usable_width(doc.document) / Cm(1)
    total = sum(widths_cm)
    return [w * room / total for w in widths_cm]


def text_block(doc: DocumentBuilder, text: str, *, empty: str | None = None) -> None:
    """Free text as paragraphs (a blank line separates them), taken literally."""
    pieces = [" ".join(p.split()) for p in text.replace("\r\n", "\n").split("\n\n")]
    pieces = [p for p in pieces if p]
    if not pieces and empty:
        doc.paragraph(empty, italic=True)
    for piece in pieces:
        doc.paragraph(piece)


def share(deviation: int | None, budget: int) -> str:
    """The deviation as a share of the budget, ``−2,3 %``; a dash when it cannot be said."""
    if deviation is None or budget == 0:
        return MISSING
    text = format_percent(Decimal(deviation) / Decimal(abs(budget)))
    return text.removeprefix("\u2212") if text.strip("\u22120,\u00a0%") == "" else text


def or_missing(value: int | None) -> Cell:
    """An amount, or a dash when it is missing."""
    return MISSING if value is None else value


def number(value: float | None) -> str:
    """An indicator figure: no decimals when whole, else up to two."""
    if value is None:
        return MISSING
    for decimals in (0, 1, 2):
        if round(value, decimals) == value:
            return format_number(value, decimals)
    return format_number(value, 2)


def date_or_text(value: dt.date | str) -> str:
    """A date in Swedish (also an ISO date given as text), or the text as it is."""
    if isinstance(value, str):
        try:
            day = dt.date.fromisoformat(value.strip())
        except ValueError:
            return value
        return format_date(day)
    return format_date(value)


def join_sv(names: Sequence[str]) -> str:
    """``A, B och C``."""
    names = list(names)
    return (
        names[0]
        if len(names) == 1
        else ", ".join(names[:-1]) + " och " + names[-1]
        if names
        else ""
    )


def new_builder(
    data: FollowUpData,
    title: str,
    template: Path | None,
    subtitle: str | None = None,
    *,
    toc: bool = True,
    logo: Path | None = None,
) -> DocumentBuilder:
    """The builder with the title page every follow-up report has."""
    return DocumentBuilder(
        template,
        data.municipality,
        title,
        subtitle or f"{data.period.capitalize()} {data.year}",
        data.year,
        data.body,
        data.meeting_date,
        data.diary_number,
        demo=data.demo,
        toc=toc,
        logo=logo,
    )


# ----------------------------------------------------------------- economy per committee
def economy_context(data: FollowUpData) -> dict[str, object]:
    """Variables for the economy texts."""
    return {
        "period": data.period,
        "period_kort": short_period(data.period),
        "per_datum": data.as_of,
        "budget": data.budget_kr,
        "utfall": data.actual_kr,
        "prognos": data.forecast_kr,
        "avvikelse": data.deviation_kr,
        "prognos_saknas": join_sv([u.name for u in data.units if u.forecast_kr is None]),
        "underskott": join_sv([u.name for u in data.units if (u.deviation_kr or 0) < 0]),
        "over_troskeln": [
            {
                "namnd": u.name,
                "avvikelse": u.deviation_kr,
                "troskel": u.threshold_kr,
                "atgardsplan": u.action_plan_state,
            }
            for u in data.units
            if u.beyond_threshold
        ],
        "antal_namnder": len(data.units),
        "antal_atgardsplaner": sum(1 for p in data.action_plans if p.in_force),
        "tecken": SIGN,
        "beslutsinstans": data.body,
        "sammantrade": data.meeting_date,
    }


def economy_table(doc: DocumentBuilder, data: FollowUpData, *, caption: str) -> None:
    """Budget, actuals, forecast and deviation per committee; the totals are the sums."""
    columns = [
        "Nämnd",
        "Budget",
        f"Utfall {short_period(data.period)}",
        "Prognos helår",
        "Avvikelse",
        "Andel av budget",
        "Åtgärdsplan",
    ]
    rows: list[list[Cell]] = [
        [
            u.name,
            u.budget_kr,
            u.actual_kr,
            or_missing(u.forecast_kr),
            or_missing(u.deviation_kr),
            share(u.deviation_kr, u.budget_kr),
            u.action_plan_state or MISSING,
        ]
        for u in data.units
    ]
    totals: list[Cell] = [
        "Summa",
        data.budget_kr,
        data.actual_kr,
        or_missing(data.forecast_kr),
        or_missing(data.deviation_kr),
        share(data.deviation_kr, data.budget_kr),
        "",
    ]
    doc.table(
        columns,
        rows,
        totals=totals,
        numeric_columns={1, 2, 3, 4, 5},
        caption=caption,
        widths_cm=fitted(doc, ECONOMY_WIDTHS),
    )


def actuals_table(
    doc: DocumentBuilder, data: FollowUpData, *, caption: str, period_share: bool
) -> None:
    """Actuals against budget: the year's (annual accounts) or the period's share of it."""
    months = data.months_elapsed if period_share else 12
    budget_label = f"Budget {short_period(data.period)}" if period_share else "Budget"
    rows: list[list[Cell]] = []
    for u in data.units:
        budget = round(u.budget_kr * months / 12)
        rows.append(
            [u.name, budget, u.actual_kr, budget - u.actual_kr, share(budget - u.actual_kr, budget)]
        )
    budget_total = sum(int(r[1] or 0) for r in rows)
    deviation_total = budget_total - data.actual_kr
    doc.table(
        ["Nämnd", budget_label, "Utfall", "Avvikelse", "Andel av budget"],
        rows,
        totals=[
            "Summa",
            budget_total,
            data.actual_kr,
            deviation_total,
            share(deviation_total, budget_total),
        ],
        caption=caption,
        widths_cm=fitted(doc, (5.6, 2.8, 2.8, 2.6, 2.2)),
    )


def economy_chart(doc: DocumentBuilder, data: FollowUpData) -> None:
    """Budget against full-year forecast per committee (those with a forecast)."""
    units = [u for u in data.units if u.forecast_kr is not None]
    if not units:
        return
    doc.chart_bar(
        f"Budget och helårsprognos per nämnd {data.year}",
        [u.name for u in units],
        [
            ("Budget", [u.budget_kr for u in units]),
            ("Prognos helår", [u.forecast_kr or 0 for u in units]),
        ],
    )


def committee_comments(doc: DocumentBuilder, data: FollowUpData, folder: str, level: int) -> None:
    """Each committee under its own heading: its figures, its explanation and measures."""
    for unit in data.units:
        doc.heading(unit.name, level)
        doc.prose(f"{folder}/namnd.md.j2", **unit_context(unit))
        text_block(doc, unit.explanation, empty="Nämnden har inte lämnat någon kommentar.")
        if unit.measures.strip():
            doc.paragraph("Åtgärder inom egen delegation", bold=True)
            text_block(doc, unit.measures)


def unit_context(unit: UnitEconomy) -> dict[str, object]:
    """Variables for one committee's text."""
    return {
        "namnd": unit.name,
        "budget": unit.budget_kr,
        "utfall": unit.actual_kr,
        "prognos": unit.forecast_kr,
        "avvikelse": unit.deviation_kr,
        "avvikelse_utfall": unit.actual_deviation_kr,
        "troskel": unit.threshold_kr,
        "over_troskeln": unit.beyond_threshold,
        "atgardsplan": unit.action_plan_state,
    }


# ----------------------------------------------------------------- companies
def missing(doc: DocumentBuilder, what: str) -> None:
    """A visible note that a part of the document lacks its data."""
    doc.paragraph(f"Underlag saknas: {what} har inte kommit in än.", bold=True)


def companies(
    doc: DocumentBuilder, data: FollowUpData, level: int, *, forecast: bool = True
) -> None:
    """The companies' result (forecast) in a table, then each company's own report."""
    if not data.companies:
        return
    rows: list[list[Cell]] = [
        [
            c.name,
            f"{number(float(c.ownership_percent))}\u00a0%",
            or_missing(c.result_forecast_kr),
        ]
        for c in data.companies
    ]
    doc.table(
        ["Bolag", "Ägarandel", "Resultatprognos, tkr" if forecast else "Resultat, tkr"],
        rows,
        caption=f"Bolagens {'resultatprognoser' if forecast else 'resultat'} {data.year}",
        widths_cm=fitted(doc, (9.6, 2.6, 3.8)),
    )
    for company in data.companies:
        doc.heading(company.name, level)
        text_block(doc, company.text, empty="Bolaget har inte lämnat någon rapport.")
