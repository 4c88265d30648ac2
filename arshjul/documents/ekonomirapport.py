"""Ekonomirapport till kommunstyrelsen (stages ``ekonomirapport-mars|juni|november``).

An overview of the economic situation per committee and every action plan: those in
force with their progress, and those closed since the last report.
"""

from __future__ import annotations

from pathlib import Path

from arshjul.documents.followup_common import (
    actuals_table,
    committee_comments,
    economy_chart,
    economy_context,
    economy_table,
    fitted,
    new_builder,
)
from arshjul.documents.followup_contents import FollowUpData, ReportKind
from arshjul.documents.followup_plans import action_plans
from arshjul.documents.tables import Cell
from arshjul.formats import format_date

TITLE = "Ekonomirapport till kommunstyrelsen"
FOLDER = "ekonomirapport"
MONTH_OF_KIND = {
    ReportKind.FINANCIAL_MARCH: "mars",
    ReportKind.FINANCIAL_JUNE: "juni",
    ReportKind.FINANCIAL_NOVEMBER: "november",
}


def build_ekonomirapport_document(
    data: FollowUpData,
    *,
    template: Path | None = None,
    logo: Path | None = None,
    out_dir: Path,
) -> Path:
    """Write the Ekonomirapport into ``out_dir``; the file name says the report's month."""
    month = MONTH_OF_KIND.get(data.kind)
    subtitle = f"{month.capitalize()} {data.year}, utfall {data.period}" if month else None
    doc = new_builder(data, TITLE, template, subtitle, logo=logo)
    in_force = [p for p in data.action_plans if p.in_force]
    since = data.previous_report_on
    closed = [
        p
        for p in data.action_plans
        if p.closed_on is not None and (since is None or p.closed_on > since)
    ]
    context = {
        **economy_context(data),
        "manad": month,
        "prognoser": data.has_forecasts,
        "manader": data.months_elapsed,
        "planer": [p.unit for p in in_force],
        "avslutade": [p.unit for p in closed],
        "forra_rapporten": since,
    }
    doc.prose(f"{FOLDER}/ekonomiska_laget.md.j2", **context)
    if data.has_forecasts:
        economy_table(doc, data, caption=f"Ekonomin per nämnd {data.year}, tkr")
        economy_chart(doc, data)
    else:
        actuals_table(
            doc,
            data,
            caption=f"Utfall mot budget för {data.period} {data.year}, tkr",
            period_share=True,
        )
    doc.prose(f"{FOLDER}/namnder.md.j2", **context)
    committee_comments(doc, data, FOLDER, level=2)
    doc.prose(f"{FOLDER}/atgardsplaner.md.j2", **context)
    action_plans(doc, in_force, FOLDER, level=2)
    doc.prose(f"{FOLDER}/avslutade.md.j2", **context)
    if closed:
        rows: list[list[Cell]] = [
            [p.unit, p.deviation_kr, format_date(p.detected_on), format_date(p.closed_on)]
            for p in closed
            if p.closed_on is not None
        ]
        doc.table(
            ["Nämnd", "Avvikelse vid start, tkr", "Upptäckt", "Avslutad"],
            rows,
            numeric_columns={1},
            caption="Åtgärdsplaner som har avslutats sedan förra rapporten",
            widths_cm=fitted(doc, (6.0, 3.4, 3.3, 3.3)),
        )
        action_plans(doc, closed, FOLDER, level=2)
    name = f"{TITLE} {month} {data.year}" if month else None
    return doc.save(out_dir, f"{name} – {data.municipality}" if name else None)
