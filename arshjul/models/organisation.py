"""The municipality, its term of office, its organisational units and their contacts."""

from __future__ import annotations

import datetime as dt
import secrets
from enum import StrEnum

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from arshjul.models.base import json_field, municipality_fk, timestamp_field


class UnitKind(StrEnum):
    """The kinds of body in the governance model."""

    COUNCIL = "council"
    EXECUTIVE_BOARD = "executive_board"
    COMMITTEE = "committee"
    ADMINISTRATION = "administration"
    COMPANY = "company"
    FEDERATION = "federation"


UNIT_KIND_SV: dict[str, str] = {
    UnitKind.COUNCIL: "kommunfullmäktige",
    UnitKind.EXECUTIVE_BOARD: "kommunstyrelse",
    UnitKind.COMMITTEE: "nämnd",
    UnitKind.ADMINISTRATION: "förvaltning",
    UnitKind.COMPANY: "bolag",
    UnitKind.FEDERATION: "kommunalförbund",
}


class ContactRole(StrEnum):
    """Who a unit's messages go to."""

    SECRETARY = "secretary"
    HEAD = "head"
    CONTROLLER = "controller"
    CHIEF_EXECUTIVE = "chief_executive"
    FINANCE_DIRECTOR = "finance_director"


CONTACT_ROLE_SV = {
    ContactRole.SECRETARY: "nämndsekreterare",
    ContactRole.HEAD: "förvaltningschef",
    ContactRole.CONTROLLER: "controller",
    ContactRole.CHIEF_EXECUTIVE: "kommundirektör",
    ContactRole.FINANCE_DIRECTOR: "ekonomichef",
}


class Municipality(SQLModel, table=True):
    """One municipality served by this installation."""

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(unique=True, index=True, max_length=8, description="Kommunkod, e.g. 1984")
    name: str = Field(max_length=120, description="Arboga kommun")
    short_name: str = Field(max_length=80, description="Arboga")
    vision: str = ""
    mail_from_name: str = ""
    mail_from_address: str = ""
    # Random per installation and municipality, in every Message-ID: a rebuilt database or
    # a second installation never repeats an ID that a mail system may have seen.
    mail_token: str = Field(default_factory=lambda: secrets.token_hex(4), max_length=16)
    config_source: str = Field(default="", description="The TOML file it was loaded from")
    config_digest: str = Field(default="", max_length=64)
    config: dict = json_field()
    created_at: dt.datetime = timestamp_field(default_now=True)
    updated_at: dt.datetime = timestamp_field(default_now=True)


class Term(SQLModel, table=True):
    """A mandatperiod: four years from the year after an election."""

    __table_args__ = (UniqueConstraint("municipality_id", "start_year"),)

    id: int | None = Field(default=None, primary_key=True)
    municipality_id: int = municipality_fk()
    start_year: int
    end_year: int
    political_programme: str = ""


class OrgUnit(SQLModel, table=True):
    """A council, executive board, committee, administration, company or federation."""

    __tablename__ = "org_unit"
    __table_args__ = (UniqueConstraint("municipality_id", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    municipality_id: int = municipality_fk()
    key: str = Field(max_length=40, description="Short stable key from the config, e.g. bun")
    name: str = Field(max_length=200)
    kind: str = Field(max_length=20, index=True, description="A UnitKind value")
    parent_id: int | None = Field(default=None, foreign_key="org_unit.id")
    ownership_percent: float | None = Field(default=None, description="Companies, federations")
    municipal_purpose: str = Field(default="", description="Ändamål, for the yearly assessment")
    sort_order: int = 0
    active: bool = True

    @property
    def wholly_owned(self) -> bool:
        return self.kind == UnitKind.COMPANY and (self.ownership_percent or 0) >= 100

    @property
    def in_group(self) -> bool:
        """Part of the municipal group: ownership of at least 20 per cent."""
        return (self.ownership_percent or 0) >= 20


class Contact(SQLModel, table=True):
    """A person reached by e-mail in a role for a unit (or for the whole municipality)."""

    __table_args__ = (UniqueConstraint("municipality_id", "unit_id", "role", "email"),)

    id: int | None = Field(default=None, primary_key=True)
    municipality_id: int = municipality_fk()
    unit_id: int | None = Field(default=None, foreign_key="org_unit.id", index=True)
    role: str = Field(max_length=30, description="A ContactRole value")
    name: str = Field(max_length=200)
    email: str = Field(max_length=254)
