"""The audit log: who did what, when and from where."""

from __future__ import annotations

import datetime as dt

from sqlmodel import Field, SQLModel

from arshjul.models.base import json_field, municipality_fk, timestamp_field


class AuditEntry(SQLModel, table=True):
    __tablename__ = "audit_entry"

    id: int | None = Field(default=None, primary_key=True)
    municipality_id: int = municipality_fk()
    at: dt.datetime = timestamp_field(default_now=True)
    actor: str = Field(max_length=200, description="A person's e-mail or name, or a flow")
    origin: str = Field(default="", max_length=200, description="cli, portal 10.0.0.5, flow …")
    action: str = Field(max_length=60, index=True)
    entity: str = Field(default="", max_length=60)
    entity_id: int | None = None
    details: dict = json_field()
