"""Delårsrapport (stage ``delar``): the statutory interim report through August.

KL 11 kap. and LKBR 13 kap.: a simplified management report with the expected
development against the goals for sound financial management and the balanskravsresultat
assessed from the full-year forecast, an income statement and a balance sheet. Goal
attainment is followed up here and in the annual report.
"""

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
from arshjul.documents.followup_data import FollowUpData
from arshjul.documents.followup_plans import action_plans
from arshjul.documents.followup_sections import (
    balance_requirement,
    financial_goals,
    goals_section,
    statements,
)

TITLE = "Delårsrapport"
FOLDER = "delar"


def build_delar_document(
    data: FollowUpData, *, template: Path | None = None, out_dir: Path
) -> Path:
    """Write the Delårsrapport into ``out_dir``; returns the file."""
    doc = new_builder(data, TITLE, template)
    plans = [p for p in data.action_plans if p.in_force]
    context = {**economy_context(data), "planer": [p.unit for p in plans]}
    doc.prose(f"{FOLDER}/sammanfattning.md.j2", **context)
    doc.prose(f"{FOLDER}/forvaltningsberattelse.md.j2", **context)
    doc.prose(f"{FOLDER}/ekonomi.md.j2", **context)
    economy_table(doc, data, caption=f"Driftredovisning per nämnd {data.year}, tkr")
    economy_chart(doc, data)
    committee_comments(doc, data, FOLDER, level=3)
    goals_section(doc, data, FOLDER)
    financial_goals(doc, data, FOLDER, outcome="Prognos helår", forecast=True)
    balance_requirement(doc, data, FOLDER)
    statements(doc, data, FOLDER)
    doc.prose(f"{FOLDER}/atgardsplaner.md.j2", **context)
    action_plans(doc, plans, FOLDER, level=2)
    if data.companies:
        doc.prose(f"{FOLDER}/bolag.md.j2", **context)
        companies(doc, data, level=2)
    return doc.save(out_dir)
