"""Tertialuppföljning (stage ``tertial``): the follow-up through April, with forecasts."""

from __future__ import annotations

from pathlib import Path

from arshjul.documents.followup_common import (
    committee_comments,
    companies,
    economy_chart,
    economy_context,
    economy_table,
    new_builder,
)
from arshjul.documents.followup_contents import FollowUpData
from arshjul.documents.followup_plans import action_plans
from arshjul.formats import month_name

TITLE = "Tertialuppföljning"
FOLDER = "tertial"


def build_tertial_document(
    data: FollowUpData,
    *,
    template: Path | None = None,
    logo: Path | None = None,
    out_dir: Path,
) -> Path:
    """Write the Tertialuppföljning into ``out_dir``; returns the file."""
    doc = new_builder(data, TITLE, template, logo=logo)
    basis = data.forecast_basis.month if data.forecast_basis else 3
    context = {**economy_context(data), "prognos_grund": month_name(basis)}
    doc.prose(f"{FOLDER}/sammanfattning.md.j2", **context)
    doc.prose(f"{FOLDER}/ekonomi.md.j2", **context)
    economy_table(doc, data, caption=f"Driftredovisning per nämnd {data.year}, tkr")
    economy_chart(doc, data)
    doc.prose(f"{FOLDER}/namnder.md.j2", **context)
    committee_comments(doc, data, FOLDER, level=2)
    plans = [p for p in data.action_plans if p.in_force]
    doc.prose(f"{FOLDER}/atgardsplaner.md.j2", **context, planer=[p.unit for p in plans])
    action_plans(doc, plans, FOLDER, level=2)
    if data.companies:
        doc.prose(f"{FOLDER}/bolag.md.j2", **context)
        companies(doc, data, level=2)
    return doc.save(out_dir)
