"""The financial plan figures imported for a year (``finansiella-mal``).

The financial statements themselves come from the trial balances
(:mod:`arshjul.accounts`, :mod:`arshjul.stages.financial_report`).
"""

from __future__ import annotations

from sqlmodel import Session, select

from arshjul.models import PlanningFigure


def financial_plan(session: Session, *, municipality_id: int, year: int) -> dict[str, float]:
    """The financial goals and full-year figures imported for a year (``finansiella-mal``)."""
    rows = session.exec(
        select(PlanningFigure).where(
            PlanningFigure.municipality_id == municipality_id,
            PlanningFigure.year == year,
            PlanningFigure.kind == "financial_goal",
        )
    ).all()
    return {row.key: row.value for row in rows}
