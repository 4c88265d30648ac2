"""Submission requests (begäran om underlag) and the submissions answering them."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import Column, Index, LargeBinary, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from arshjul.models.base import json_field, municipality_fk, timestamp_field


class RequestState(StrEnum):
    OPEN = "open"
    SUBMITTED = "submitted"
    CLOSED = "closed"


REQUEST_STATE_SV = {
    RequestState.OPEN: "väntar",
    RequestState.SUBMITTED: "inlämnad",
    RequestState.CLOSED: "stängd",
}


class SubmissionRequest(SQLModel, table=True):
    """What the engine asks one unit for in one stage instance; one per pair."""

    __tablename__ = "submission_request"
    __table_args__ = (UniqueConstraint("stage_instance_id", "unit_id"),)

    id: int | None = Field(default=None, primary_key=True)
    municipality_id: int = municipality_fk()
    stage_instance_id: int = Field(foreign_key="stage_instance.id", index=True)
    unit_id: int = Field(foreign_key="org_unit.id", index=True)
    deadline_at: dt.datetime = timestamp_field()
    grace_until: dt.datetime = timestamp_field()
    state: str = Field(default=RequestState.OPEN, max_length=20, index=True)
    token_salt: str = Field(default="", max_length=40, description="Salt of the link's HMAC token")
    token_hash: str | None = Field(
        default=None, max_length=64, unique=True, description="SHA-256 of the link token"
    )
    opened_at: dt.datetime = timestamp_field()
    submitted_at: dt.datetime | None = timestamp_field(nullable=True)
    late: bool = False


class Submission(SQLModel, table=True):
    """One version of a unit's answer; every version is kept, one is current."""

    __table_args__ = (
        UniqueConstraint("request_id", "version"),
        # One current version per request, kept by the database as well; storing
        # a version finds the one it retires here without reading the others.
        Index(
            "ux_submission_current",
            "request_id",
            unique=True,
            sqlite_where=text("is_current = 1"),
            postgresql_where=text("is_current"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    municipality_id: int = municipality_fk()
    request_id: int = Field(foreign_key="submission_request.id", index=True)
    version: int
    is_current: bool = True
    data: dict = json_field()
    submitted_at: dt.datetime = timestamp_field()
    submitted_by: str = Field(max_length=200, description="E-mail or the controller's name")
    channel: str = Field(default="portal", max_length=20, description="portal, cli, import")
    late: bool = False


class Attachment(SQLModel, table=True):
    """A file attached to a submission, kept in the database with its checksum."""

    id: int | None = Field(default=None, primary_key=True)
    municipality_id: int = municipality_fk()
    submission_id: int = Field(foreign_key="submission.id", index=True)
    filename: str = Field(max_length=255)
    content_type: str = Field(max_length=120)
    size: int
    sha256: str = Field(max_length=64)
    content: bytes = Field(sa_column=Column(LargeBinary(), nullable=False))
