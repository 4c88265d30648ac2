"""The economy of each unit at a follow-up, read from the database."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from arshjul.forms.base import StageForm
from arshjul.forms.followup import ForecastForm
from arshjul.models import (
    FigureKind,
    FinancialFigure,
    OrgUnit,
    StageInstance,
    UnitKind,
    stored_id,
)
from arshjul.stages.answers import answers_by_unit
from arshjul.stages.deviations import actuals_through, operating_frame

# Units with an operating frame from the council.
FRAMED_KINDS = (UnitKind.EXECUTIVE_BOARD, UnitKind.COMMITTEE)


@dataclass(frozen=True)
class UnitFigures:
    """One unit's money and words at a follow-up; amounts in whole kronor."""

    unit: OrgUnit
    budget_kr: int | None
    actual_kr: int
    forecast_kr: int | None
    # The unit's current answer to the stage, as its form's model; None: no answer.
    submission: StageForm | None

    @property
    def deviation_kr(self) -> int | None:
        if self.forecast_kr is None or self.budget_kr is None:
            return None
        return self.budget_kr - self.forecast_kr


def imported_forecast(session: Session, *, unit_id: int, year: int, month: int) -> int | None:
    """The newest forecast entered centrally up to a month, if any."""
    row = session.exec(
        select(FinancialFigure)
        .where(
            FinancialFigure.unit_id == unit_id,
            FinancialFigure.year == year,
            FinancialFigure.kind == FigureKind.FORECAST,
            FinancialFigure.month <= month,
        )
        .order_by(FinancialFigure.month.desc())  # type: ignore[attr-defined]
    ).first()
    return row.amount_kr if row else None


def framed_units(session: Session, municipality_id: int) -> list[OrgUnit]:
    """The executive board and the committees, in the configuration's order."""
    return list(
        session.exec(
            select(OrgUnit)
            .where(
                OrgUnit.municipality_id == municipality_id,
                OrgUnit.active == True,  # noqa: E712
                OrgUnit.kind.in_(FRAMED_KINDS),  # type: ignore[attr-defined]
            )
            .order_by(col(OrgUnit.sort_order))
        ).all()
    )


def unit_figures(
    session: Session,
    *,
    stage: StageInstance,
    year: int,
    actuals_month: int,
    forecast_month: int,
) -> list[UnitFigures]:
    """Budget, actuals so far and the full-year forecast of every framed unit.

    The forecast is the unit's own (its current submission, when the stage's form
    asks for one) or else one entered centrally; none when neither exists.
    """
    answers = answers_by_unit(session, stage, StageForm)
    rows = []
    for unit in framed_units(session, stage.municipality_id):
        answer = answers.get(stored_id(unit))
        forecast = answer.forecast_kr if isinstance(answer, ForecastForm) else None
        if forecast is None:
            forecast = imported_forecast(
                session,
                unit_id=stored_id(unit),
                year=year,
                month=forecast_month,
            )
        rows.append(
            UnitFigures(
                unit=unit,
                budget_kr=operating_frame(session, unit_id=unit.id, budget_year=year),  # type: ignore[arg-type]
                actual_kr=actuals_through(session, unit_id=unit.id, year=year, month=actuals_month),  # type: ignore[arg-type]
                forecast_kr=forecast,
                submission=answer,
            )
        )
    return rows
