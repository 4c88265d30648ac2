"""Målstyrning: strategic areas, goals at every level, indicators, targets and follow-up."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from arshjul.models.base import municipality_fk, timestamp_field


class GoalLevel(StrEnum):
    COUNCIL = "council"
    COMMITTEE = "committee"
    COMPANY = "company"


class Attainment(StrEnum):
    """The three levels in common use, plus "not assessed"."""

    MET = "uppfyllt"
    PARTLY_MET = "delvis uppfyllt"
    NOT_MET = "ej uppfyllt"
    NOT_ASSESSED = "ej bedömd"


class StrategicArea(SQLModel, table=True):
    __tablename__ = "strategic_area"
    __table_args__ = (UniqueConstraint("term_id", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    municipality_id: int = municipality_fk()
    term_id: int = Field(foreign_key="term.id", index=True)
    key: str = Field(max_length=20)
    name: str = Field(max_length=200)
    sort_order: int = 0


class Goal(SQLModel, table=True):
    """A council goal, or a committee's or company's goal serving a council goal."""

    __table_args__ = (UniqueConstraint("term_id", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    municipality_id: int = municipality_fk()
    term_id: int = Field(foreign_key="term.id", index=True)
    key: str = Field(max_length=40, description="e.g. 1.1 or bun-1")
    level: str = Field(max_length=20, description="A GoalLevel value")
    title: str
    description: str = ""
    strategic_area_id: int | None = Field(default=None, foreign_key="strategic_area.id")
    unit_id: int | None = Field(default=None, foreign_key="org_unit.id", index=True)
    council_goal_id: int | None = Field(default=None, foreign_key="goal.id")
    sort_order: int = 0


class Indicator(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("goal_id", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    municipality_id: int = municipality_fk()
    goal_id: int = Field(foreign_key="goal.id", index=True)
    key: str = Field(max_length=40)
    name: str
    unit_of_measure: str = Field(default="", max_length=40, description="procent, antal, kr …")
    higher_is_better: bool = True
    kolada_kpi: str | None = Field(default=None, max_length=20)


class IndicatorTarget(SQLModel, table=True):
    """A target for the whole term (year is None) or for one calendar year."""

    __tablename__ = "indicator_target"
    __table_args__ = (UniqueConstraint("indicator_id", "year"),)

    id: int | None = Field(default=None, primary_key=True)
    municipality_id: int = municipality_fk()
    indicator_id: int = Field(foreign_key="indicator.id", index=True)
    year: int | None = None
    value: float


class IndicatorValue(SQLModel, table=True):
    """An indicator's reported value for a year as of a report (delår, årsredovisning)."""

    __tablename__ = "indicator_value"
    __table_args__ = (UniqueConstraint("indicator_id", "year", "stage_instance_id"),)

    id: int | None = Field(default=None, primary_key=True)
    municipality_id: int = municipality_fk()
    indicator_id: int = Field(foreign_key="indicator.id", index=True)
    year: int
    stage_instance_id: int = Field(foreign_key="stage_instance.id")
    value: float | None = None
    comment: str = ""
    reported_at: dt.datetime = timestamp_field(default_now=True)


class GoalAssessment(SQLModel, table=True):
    """A unit's judgement of one goal at a report, with its motivation."""

    __tablename__ = "goal_assessment"
    __table_args__ = (UniqueConstraint("goal_id", "stage_instance_id"),)

    id: int | None = Field(default=None, primary_key=True)
    municipality_id: int = municipality_fk()
    goal_id: int = Field(foreign_key="goal.id", index=True)
    stage_instance_id: int = Field(foreign_key="stage_instance.id")
    attainment: str = Field(max_length=20, description="An Attainment value")
    motivation: str
    assessed_at: dt.datetime = timestamp_field(default_now=True)


class Activity(SQLModel, table=True):
    """An activity in an administration's operational plan (verksamhetsplan)."""

    __table_args__ = (UniqueConstraint("unit_id", "year", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    municipality_id: int = municipality_fk()
    unit_id: int = Field(foreign_key="org_unit.id", index=True)
    year: int
    key: str = Field(max_length=40)
    title: str
    goal_id: int | None = Field(default=None, foreign_key="goal.id")
    responsible: str = ""
