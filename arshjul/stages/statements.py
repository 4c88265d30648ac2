"""The municipality's financial statements from imported figures.

The finance system's totals arrive as actuals on the executive board with an
account group named as in a Swedish resultaträkning or balansräkning (the
import's ``kontogrupp``). Committees' own actuals carry no such group.
Full-year figures for the budget come as financial goals (``finansiella-mal``),
kept in kronor under keys such as ``skatteintakter_kr``.
"""

from __future__ import annotations

from sqlmodel import Session, select

from arshjul.models import FigureKind, FinancialFigure, OrgUnit, PlanningFigure, UnitKind

INCOME_GROUPS = {
    "Verksamhetens intäkter": "operating_income_kr",
    "Avskrivningar": "depreciation_kr",
    "Skatteintäkter": "tax_revenue_kr",
    "Generella statsbidrag och utjämning": "general_grants_kr",
    "Finansiella intäkter": "financial_income_kr",
    "Finansiella kostnader": "financial_costs_kr",
}
BALANCE_GROUPS = {
    "Anläggningstillgångar": "fixed_assets_kr",
    "Omsättningstillgångar": "current_assets_kr",
    "Eget kapital": "equity_kr",
    "Avsättningar": "provisions_kr",
    "Skulder": "liabilities_kr",
}
STATEMENT_GROUPS = frozenset(INCOME_GROUPS) | frozenset(BALANCE_GROUPS)
# Imported as positive amounts; a resultaträkning shows them negative.
COST_FIELDS = frozenset({"depreciation_kr", "financial_costs_kr"})


def _board(session: Session, municipality_id: int) -> OrgUnit | None:
    return session.exec(
        select(OrgUnit).where(
            OrgUnit.municipality_id == municipality_id,
            OrgUnit.kind == UnitKind.EXECUTIVE_BOARD,
        )
    ).first()


def statement_figures(
    session: Session, *, municipality_id: int, year: int, month: int
) -> dict[str, int]:
    """Income lines summed January–month, balance lines as at the month's end."""
    board = _board(session, municipality_id)
    if board is None:
        return {}
    rows = session.exec(
        select(FinancialFigure).where(
            FinancialFigure.unit_id == board.id,
            FinancialFigure.year == year,
            FinancialFigure.kind == FigureKind.ACTUAL,
            FinancialFigure.month <= month,
            FinancialFigure.account_group.in_(STATEMENT_GROUPS),  # type: ignore[attr-defined]
        )
    ).all()
    figures: dict[str, int] = {}
    latest: dict[str, int] = {}
    for row in rows:
        if row.account_group in INCOME_GROUPS:
            field = INCOME_GROUPS[row.account_group]
            amount = -abs(row.amount_kr) if field in COST_FIELDS else row.amount_kr
            figures[field] = figures.get(field, 0) + amount
        elif row.month >= latest.get(row.account_group, 0):
            latest[row.account_group] = row.month
            figures[BALANCE_GROUPS[row.account_group]] = row.amount_kr
    return figures


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
