"""The e-mail outbox: a message is a row before it is a delivery."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import Column, LargeBinary, UniqueConstraint
from sqlmodel import Field, SQLModel

from arshjul.models.base import json_field, municipality_fk, timestamp_field


class MessageState(StrEnum):
    QUEUED = "queued"
    SENT = "sent"
    FAILED = "failed"
    # A queued receipt that a newer version's receipt replaced: never sent, kept as the
    # record of what was coalesced (the sender sends only queued rows).
    SUPERSEDED = "superseded"


class OutboxMessage(SQLModel, table=True):
    """One e-mail; ``dedup_key`` makes each purpose send at most once."""

    __tablename__ = "outbox_message"
    __table_args__ = (UniqueConstraint("municipality_id", "dedup_key"),)

    id: int | None = Field(default=None, primary_key=True)
    municipality_id: int = municipality_fk()
    dedup_key: str = Field(max_length=200, description="e.g. request:42:reminder-5")
    purpose: str = Field(max_length=30, index=True)
    request_id: int | None = Field(default=None, foreign_key="submission_request.id", index=True)
    message_id: str = Field(max_length=250, unique=True, description="RFC 5322 Message-ID")
    from_name: str
    from_address: str
    reply_to: str = ""
    to: list = json_field(default_factory=list)
    cc: list = json_field(default_factory=list)
    subject: str
    body_text: str
    body_html: str = ""
    state: str = Field(default=MessageState.QUEUED, max_length=20, index=True)
    attempts: int = 0
    last_error: str = ""
    next_attempt_at: dt.datetime | None = timestamp_field(nullable=True)
    created_at: dt.datetime = timestamp_field(default_now=True)
    sent_at: dt.datetime | None = timestamp_field(nullable=True)


class OutboxAttachment(SQLModel, table=True):
    """A file sent with a message (a document with a request, say)."""

    __tablename__ = "outbox_attachment"

    id: int | None = Field(default=None, primary_key=True)
    municipality_id: int = municipality_fk()
    message_id: int = Field(foreign_key="outbox_message.id", index=True)
    filename: str = Field(max_length=255)
    content_type: str = Field(max_length=120)
    content: bytes = Field(sa_column=Column(LargeBinary(), nullable=False))
