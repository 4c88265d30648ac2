"""Delårsrapport (stage ``delar``): the statutory interim report through August.

KL 11 kap. and LKBR 13 kap., RKR R17: a simplified management report (significant events,
the committees' economy and forecasts, the expected development, the goals for sound
financial management and the balanskravsresultat assessed from the full-year forecast,
the municipal group), the goal attainment, an income statement with the same period last
year, the budget and the full-year forecast, a balance sheet against last year's end, and
the group's statements where the companies are material.
"""

from __future__ import annotations

from pathlib import Path

from arshjul.documents import financial_sections as fin
from arshjul.documents.followup_common import (
    committee_comments,
    companies,
    economy_chart,
    economy_context,
    economy_table,
    new_builder,
    text_block,
)
from arshjul.documents.followup_contents import FollowUpData
from arshjul.documents.followup_plans import action_plans
from arshjul.documents.followup_sections import (
    balance_requirement,
    financial_goals,
    goals_section,
)

TITLE = "Delårsrapport"
FOLDER = "delar"


def build_delar_document(
    data: FollowUpData,
    *,
    template: Path | None = None,
    logo: Path | None = None,
    out_dir: Path,
) -> Path:
    """Write the Delårsrapport into ``out_dir``; returns the file."""
    doc = new_builder(data, TITLE, template, logo=logo)
    plans = [p for p in data.action_plans if p.in_force]
    context = {**economy_context(data), "planer": [p.unit for p in plans]}
    report, statements, group = data.management, data.statements, data.group
    doc.prose(f"{FOLDER}/sammanfattning.md.j2", **context)
    doc.prose(f"{FOLDER}/forvaltningsberattelse.md.j2", **context)
    if report is not None:
        fin.board_text(doc, report, "handelser", "händelser av väsentlig betydelse")
        for unit, text in report.events:
            doc.paragraph(unit, bold=True)
            text_block(doc, text)
    doc.prose(f"{FOLDER}/ekonomi.md.j2", **context)
    economy_table(doc, data, caption=f"Driftredovisning per nämnd {data.year}, tkr")
    economy_chart(doc, data)
    committee_comments(doc, data, FOLDER, level=3)
    doc.prose(f"{FOLDER}/utveckling.md.j2")
    if report is not None:
        fin.board_text(doc, report, "utveckling", "den förväntade utvecklingen")
    financial_goals(doc, data, FOLDER, outcome="Prognos helår", forecast=True)
    balance_requirement(doc, data, FOLDER)
    doc.prose(
        f"{FOLDER}/koncern.md.j2",
        finns=group is not None,
        vasentlig=bool(group and group.material),
        troskel=f"{data.group_threshold_percent:g}".replace(".", ","),
    )
    if group is not None and group.share_text:
        doc.paragraph(group.share_text)
    goals_section(doc, data, FOLDER)
    doc.prose(f"{FOLDER}/resultatrakning.md.j2")
    if statements is None:
        fin.missing_list(doc, [f"resultaträkning {data.year}: saldobalansen för perioden saknas"])
    else:
        fin.statement(
            doc,
            statements.income,
            first_column="Resultaträkning, tkr",
            caption=f"Resultaträkning {data.period} {data.year}, tkr",
        )
    doc.prose(f"{FOLDER}/balansrakning.md.j2")
    if statements is not None:
        fin.statement(
            doc,
            statements.balance,
            first_column="Balansräkning, tkr",
            caption=f"Balansräkning {data.year}, tkr",
        )
    if group is not None and group.material:
        doc.prose(f"{FOLDER}/sammanstallda.md.j2")
        fin.statement(
            doc,
            group.income,
            first_column="Koncernens resultaträkning, tkr",
            caption=f"Kommunkoncernens resultaträkning {data.period} {data.year}, tkr",
        )
        fin.statement(
            doc,
            group.balance,
            first_column="Koncernens balansräkning, tkr",
            caption=f"Kommunkoncernens balansräkning {data.year}, tkr",
        )
    doc.prose(f"{FOLDER}/atgardsplaner.md.j2", **context)
    action_plans(doc, plans, FOLDER, level=2)
    if data.companies:
        doc.prose(f"{FOLDER}/bolag.md.j2", **context)
        companies(doc, data, level=2)
    return doc.save(out_dir)
