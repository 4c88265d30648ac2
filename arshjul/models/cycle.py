"""The year's cycle, its stage instances, decisions and the documents written."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from arshjul.models.base import json_field, municipality_fk, timestamp_field


class StageState(StrEnum):
    PLANNED = "planned"
    OPEN = "open"
    READY = "ready"
    COMPILED = "compiled"
    DECIDED = "decided"


# The one Swedish label of each state: the CLI, the artifacts and the status say these.
STAGE_STATE_SV = {
    StageState.PLANNED: "planerat",
    StageState.OPEN: "öppet, väntar på underlag",
    StageState.READY: "klart att sammanställa",
    StageState.COMPILED: "sammanställt",
    StageState.DECIDED: "beslutat",
}


class Cycle(SQLModel, table=True):
    """One municipality's årshjul for one year."""

    __table_args__ = (UniqueConstraint("municipality_id", "year"),)

    id: int | None = Field(default=None, primary_key=True)
    municipality_id: int = municipality_fk()
    year: int
    election_year: bool = False
    created_at: dt.datetime = timestamp_field(default_now=True)


class StageInstance(SQLModel, table=True):
    """A stage in one cycle, with its dates; an action plan has one per deviation."""

    __tablename__ = "stage_instance"
    __table_args__ = (UniqueConstraint("cycle_id", "slug", "instance_key"),)

    id: int | None = Field(default=None, primary_key=True)
    municipality_id: int = municipality_fk()
    cycle_id: int = Field(foreign_key="cycle.id", index=True)
    slug: str = Field(max_length=40, index=True)
    instance_key: str = Field(default="", max_length=40)
    name: str = Field(max_length=200)
    opens_on: dt.date
    deadline_on: dt.date
    decision_on: dt.date | None = None
    deadline_at: dt.datetime = timestamp_field()
    state: str = Field(default=StageState.PLANNED, max_length=20)
    opened_at: dt.datetime | None = timestamp_field(nullable=True)
    ready_at: dt.datetime | None = timestamp_field(nullable=True)
    compiled_at: dt.datetime | None = timestamp_field(nullable=True)


class Decision(SQLModel, table=True):
    """A decision by a body (KF, KS, a committee), cited by date and minute paragraph.

    Immutable once written: a correction is a new decision whose ``corrects_id``
    points at the one it changes.
    """

    __table_args__ = (
        UniqueConstraint("municipality_id", "body_unit_id", "decided_on", "paragraph"),
    )

    id: int | None = Field(default=None, primary_key=True)
    municipality_id: int = municipality_fk()
    stage_instance_id: int | None = Field(default=None, foreign_key="stage_instance.id")
    body_unit_id: int = Field(foreign_key="org_unit.id")
    decided_on: dt.date
    paragraph: str = Field(max_length=20, description="Minute paragraph, e.g. § 45")
    diary_number: str = Field(default="", max_length=40)
    summary: str = ""
    details: dict = json_field()
    corrects_id: int | None = Field(default=None, foreign_key="decision.id")
    recorded_by: str = Field(default="", max_length=120)
    recorded_at: dt.datetime = timestamp_field(default_now=True)


class GeneratedDocument(SQLModel, table=True):
    """A Word document the engine wrote; a new version for every rebuild that differs."""

    __tablename__ = "generated_document"
    __table_args__ = (UniqueConstraint("stage_instance_id", "kind", "version"),)

    id: int | None = Field(default=None, primary_key=True)
    municipality_id: int = municipality_fk()
    stage_instance_id: int = Field(foreign_key="stage_instance.id", index=True)
    kind: str = Field(max_length=40)
    version: int = 1
    title: str
    path: str
    sha256: str = Field(max_length=64)
    # What the document needed and the database lacked ("saldobalans … 2027-12").
    missing: list = json_field(default_factory=list)
    created_at: dt.datetime = timestamp_field(default_now=True)
