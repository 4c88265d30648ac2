"""The register of governing documents (styrdokument) and their reviews.

A row is one adopted version of a document: a revised document gets a new row with
the new decision, and the version it replaces is kept with ``state`` ``superseded``
(an auditor asks what applied on a given day, not only what applies now). The rows
of one document share its ``key``.

The kind and the deciding body are stored as the words of
:mod:`arshjul.governance.documents` (``DocumentKind``, ``DecidingBody``), which holds
the rule of which body may decide which kind; the models sit below the governance
layer and so keep the values as text.

The file is a reference (a path or an address), not stored bytes: the adopted
document is archived and published by the municipality's records system (its
diarium and arboga.se), which is the original the law asks for. A second copy in
this database would drift from it, and the CSV/XLSX register has no way to carry
the bytes anyway.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from arshjul.models.base import municipality_fk, timestamp_field


class DocumentState(StrEnum):
    """Whether a version of a document applies."""

    IN_FORCE = "in_force"
    SUPERSEDED = "superseded"  # a newer decision replaced it (kept for the record)
    REPEALED = "repealed"  # upphävt: nothing replaces it


DOCUMENT_STATE_SV = {
    DocumentState.IN_FORCE: "gäller",
    DocumentState.SUPERSEDED: "ersatt",
    DocumentState.REPEALED: "upphävt",
}


class GoverningDocument(SQLModel, table=True):
    """One adopted version of a governing document in the municipality's register."""

    __tablename__ = "governing_document"
    __table_args__ = (UniqueConstraint("municipality_id", "key", "decided_on"),)

    id: int | None = Field(default=None, primary_key=True)
    municipality_id: int = municipality_fk()
    key: str = Field(max_length=80, index=True, description="Stable across versions")
    kind: str = Field(max_length=30, description="A DocumentKind value")
    title: str = Field(max_length=200)
    owner_unit_id: int = Field(foreign_key="org_unit.id", index=True)
    deciding_body: str = Field(max_length=30, description="A DecidingBody value")
    deciding_unit_id: int | None = Field(
        default=None,
        foreign_key="org_unit.id",
        description="The council, board or committee; the administration whose head decided",
    )
    decided_on: dt.date
    paragraph: str = Field(default="", max_length=60, description="KF § 87, or a case number")
    review_interval_years: int
    next_review_on: dt.date
    file: str = Field(default="", max_length=500, description="Path or address of the document")
    replaces: str = Field(default="", max_length=300, description="What it replaces, in words")
    replaces_id: int | None = Field(default=None, foreign_key="governing_document.id")
    state: str = Field(default=DocumentState.IN_FORCE, max_length=20, index=True)
    repealed_on: dt.date | None = None
    last_reviewed_on: dt.date | None = None
    source: str = Field(default="", max_length=300, description="config, or the imported file")
    created_at: dt.datetime = timestamp_field(default_now=True)
    updated_at: dt.datetime = timestamp_field(default_now=True)


class DocumentReview(SQLModel, table=True):
    """A review (översyn) asked of a document's owner: one per document version and due date.

    The unique key is what makes the daily watch ask exactly once, however often it runs.
    """

    __tablename__ = "document_review"
    __table_args__ = (UniqueConstraint("document_id", "due_on"),)

    id: int | None = Field(default=None, primary_key=True)
    municipality_id: int = municipality_fk()
    document_id: int = Field(foreign_key="governing_document.id", index=True)
    due_on: dt.date = Field(description="The review date it answers (next_review_on)")
    requested_at: dt.datetime = timestamp_field()
    outcome: str | None = Field(
        default=None, max_length=20, description="A governance.documents.ReviewOutcome"
    )
    revise_by: dt.date | None = Field(default=None, description="When a revision is to be ready")
    comment: str = Field(default="", max_length=2000)
    answered_at: dt.datetime | None = timestamp_field(nullable=True)
    answered_by: str = Field(default="", max_length=200)
    token_salt: str = Field(
        default="", max_length=40, description="Salt of the answer link's HMAC (arshjul/links.py)"
    )
