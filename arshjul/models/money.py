"""Budget frames, actuals and forecasts, planning inputs, deviations and action plans.

Every amount is in whole kronor (``*_kr``); documents and pages show tkr.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from arshjul.models.base import json_field, kronor_field, municipality_fk, timestamp_field


class FrameKind(StrEnum):
    OPERATIONS = "operations"
    INVESTMENT = "investment"


class FrameStatus(StrEnum):
    """How far a frame has come on its way to the council's decision."""

    PREVIOUS = "previous"
    PRELIMINARY = "preliminary"
    PROPOSED = "proposed"
    EXECUTIVE_BOARD = "executive_board"
    COUNCIL = "council"


class FigureKind(StrEnum):
    ACTUAL = "actual"
    FORECAST = "forecast"


class BudgetFrame(SQLModel, table=True):
    """A unit's operating frame, or an investment frame for an area or project."""

    __tablename__ = "budget_frame"
    __table_args__ = (
        UniqueConstraint("municipality_id", "unit_id", "budget_year", "kind", "area", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    municipality_id: int = municipality_fk()
    unit_id: int = Field(foreign_key="org_unit.id", index=True)
    budget_year: int = Field(index=True)
    kind: str = Field(max_length=20, description="A FrameKind value")
    area: str = Field(default="", max_length=200, description="Investment area or project")
    status: str = Field(max_length=20, description="A FrameStatus value")
    amount_kr: int = kronor_field()
    explanation: list = json_field(default_factory=list)
    decision_id: int | None = Field(default=None, foreign_key="decision.id")
    updated_at: dt.datetime = timestamp_field(default_now=True)


class FinancialFigure(SQLModel, table=True):
    """Actuals per unit and month, or a full-year forecast made at a month's end."""

    __tablename__ = "financial_figure"
    __table_args__ = (
        UniqueConstraint(
            "municipality_id", "unit_id", "year", "month", "kind", "account_group", "project"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    municipality_id: int = municipality_fk()
    unit_id: int = Field(foreign_key="org_unit.id", index=True)
    year: int = Field(index=True)
    month: int = Field(description="Actuals: that month; forecast: the month it was made")
    kind: str = Field(max_length=20, description="A FigureKind value")
    account_group: str = Field(default="", max_length=60)
    project: str = Field(default="", max_length=200, description="Investment project, or ''")
    amount_kr: int = kronor_field()
    source: str = Field(default="", max_length=300)
    recorded_at: dt.datetime = timestamp_field(default_now=True)


class PlanningFigure(SQLModel, table=True):
    """An input to the resource allocation model: population, volumes, indices, goals."""

    __tablename__ = "planning_figure"
    __table_args__ = (UniqueConstraint("municipality_id", "year", "kind", "key", "sub_key"),)

    id: int | None = Field(default=None, primary_key=True)
    municipality_id: int = municipality_fk()
    year: int
    kind: str = Field(max_length=40, description="population, volume, index, financial_goal …")
    key: str = Field(max_length=120)
    sub_key: str = Field(default="", max_length=120)
    value: float
    source: str = Field(default="", max_length=300)


class Deviation(SQLModel, table=True):
    """A forecast or actual off budget, or a goal judged not attained."""

    __table_args__ = (UniqueConstraint("stage_instance_id", "unit_id", "kind", "subject"),)

    id: int | None = Field(default=None, primary_key=True)
    municipality_id: int = municipality_fk()
    stage_instance_id: int = Field(foreign_key="stage_instance.id", index=True)
    unit_id: int = Field(foreign_key="org_unit.id", index=True)
    kind: str = Field(max_length=20, description="operations, investment or goal")
    subject: str = Field(default="", max_length=200, description="Project or goal key")
    budget_kr: int = kronor_field()
    forecast_kr: int = kronor_field()
    deviation_kr: int = kronor_field()
    threshold_kr: int = kronor_field()
    beyond_threshold: bool = False
    detected_on: dt.date
    closed_on: dt.date | None = None


class ActionPlanState(StrEnum):
    REQUESTED = "requested"
    SUBMITTED = "submitted"
    IN_FORCE = "in_force"
    CLOSED = "closed"


class ActionPlan(SQLModel, table=True):
    """Åtgärdsplan: what a committee does about a deviation beyond its delegation."""

    __tablename__ = "action_plan"

    id: int | None = Field(default=None, primary_key=True)
    municipality_id: int = municipality_fk()
    deviation_id: int = Field(foreign_key="deviation.id", unique=True)
    unit_id: int = Field(foreign_key="org_unit.id", index=True)
    stage_instance_id: int | None = Field(default=None, foreign_key="stage_instance.id")
    state: str = Field(default=ActionPlanState.REQUESTED, max_length=20)
    measures: list = json_field(default_factory=list)
    effect_kr: int = kronor_field()
    needs_executive_board: bool = False
    decided_by: str = ""
    decided_on: dt.date | None = None
    closed_on: dt.date | None = None


class ActionPlanFollowUp(SQLModel, table=True):
    """An action plan's progress as reported in one financial report."""

    __tablename__ = "action_plan_follow_up"
    __table_args__ = (UniqueConstraint("action_plan_id", "stage_instance_id"),)

    id: int | None = Field(default=None, primary_key=True)
    municipality_id: int = municipality_fk()
    action_plan_id: int = Field(foreign_key="action_plan.id", index=True)
    stage_instance_id: int = Field(foreign_key="stage_instance.id")
    remaining_deviation_kr: int = kronor_field()
    progress: str = ""
    recorded_at: dt.datetime = timestamp_field(default_now=True)
