"""The action plans in the follow-up documents: each plan's text, measures and follow-ups.

Used by the tertial report, the interim report, the financial reports to the executive
board and the action plan document itself.
"""

from __future__ import annotations

from collections.abc import Sequence

from arshjul.documents.builder import DocumentBuilder
from arshjul.documents.followup_common import date_or_text, fitted
from arshjul.documents.followup_contents import ActionPlanSummary
from arshjul.formats import format_date


def plan_context(plan: ActionPlanSummary) -> dict[str, object]:
    """Variables for an action plan's text."""
    last = plan.follow_ups[-1] if plan.follow_ups else None
    return {
        "namnd": plan.unit,
        "avvikelse": plan.deviation_kr,
        "upptackt": plan.detected_on,
        "status": plan.state,
        "effekt": plan.total_effect_kr,
        "efter_atgarder": plan.deviation_after_measures_kr,
        "kommunstyrelsen": plan.needs_executive_board,
        "beslutad_av": plan.decided_by,
        "beslutad": plan.decided_on,
        "avslutad": plan.closed_on,
        "kvarstar": last.remaining_deviation_kr if last else None,
        "antal_uppfoljningar": len(plan.follow_ups),
    }


def measures_table(doc: DocumentBuilder, plan: ActionPlanSummary) -> None:
    """The measures with their effects in tkr, who decides and when; totals row."""
    if not plan.measures:
        doc.paragraph("Planen har inga åtgärder ännu.", italic=True)
        return
    doc.table(
        ["Åtgärd", "Effekt, tkr", "Beslutas av", "När"],
        [[m.text, m.effect_kr, m.decided_by, date_or_text(m.when)] for m in plan.measures],
        totals=["Summa effekt", plan.total_effect_kr, "", ""],
        numeric_columns={1},
        caption=f"Åtgärder i åtgärdsplanen för {plan.unit}",
        widths_cm=fitted(doc, (7.0, 2.4, 3.6, 3.0)),
    )


def follow_ups_table(doc: DocumentBuilder, plan: ActionPlanSummary) -> None:
    """The plan's follow-ups: remaining deviation and progress per report."""
    if not plan.follow_ups:
        return
    doc.table(
        ["Uppföljning", "Kvarstående avvikelse, tkr", "Läge"],
        [
            [
                f.report + (f", {format_date(f.date)}" if f.date else ""),
                f.remaining_deviation_kr,
                f.progress,
            ]
            for f in plan.follow_ups
        ],
        numeric_columns={1},
        caption=f"Uppföljning av åtgärdsplanen för {plan.unit}",
        widths_cm=fitted(doc, (4.2, 3.0, 8.8)),
    )


def action_plans(
    doc: DocumentBuilder, plans: Sequence[ActionPlanSummary], folder: str, level: int
) -> None:
    """Each plan under its own heading: its text, measures and follow-ups."""
    for plan in plans:
        doc.heading(plan.unit, level)
        doc.prose(f"{folder}/atgardsplan.md.j2", **plan_context(plan))
        measures_table(doc, plan)
        follow_ups_table(doc, plan)
