"""Intern kontroll: each unit's risks, its control plan and each control's outcome."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from arshjul.models.base import municipality_fk


class Risk(SQLModel, table=True):
    """A risk valued as probability × consequence on the municipality's scale."""

    __table_args__ = (UniqueConstraint("unit_id", "year", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    municipality_id: int = municipality_fk()
    unit_id: int = Field(foreign_key="org_unit.id", index=True)
    year: int
    key: str = Field(max_length=40)
    description: str
    category: str = Field(max_length=40, description="omvärld, verksamhet, legal, IT …")
    probability: int
    consequence: int

    @property
    def value(self) -> int:
        return self.probability * self.consequence


class Control(SQLModel, table=True):
    """A control in the control plan, and its outcome once reported."""

    __table_args__ = (UniqueConstraint("risk_id", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    municipality_id: int = municipality_fk()
    risk_id: int = Field(foreign_key="risk.id", index=True)
    key: str = Field(max_length=40)
    method: str
    frequency: str = ""
    owner: str = ""
    report_on: dt.date | None = None
    outcome: str = ""
    measure: str = ""
