"""The register of governing documents: storing a version, and what is in force.

Shared by the configuration (``arshjul init`` seeds the register) and the import
(``arshjul import styrdokument``), so that both keep versions the same way: a
document is found again by its key and decision date; a later decision on the same
key is a new version, and the version in force before it is kept, marked superseded,
and named by the new one's ``replaces_id``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from arshjul.models import DocumentReview, DocumentState, GoverningDocument
from arshjul.models.base import stored_id, utc_now

#: The fields a register sets on a version (the rest is the register's own life:
#: state, repeal, the reviews).
REGISTER_FIELDS = (
    "kind",
    "title",
    "owner_unit_id",
    "deciding_body",
    "deciding_unit_id",
    "paragraph",
    "review_interval_years",
    "next_review_on",
    "file",
    "replaces",
)


@dataclass(frozen=True)
class Stored:
    """What storing one version did: ``created``, ``updated`` or ``unchanged``."""

    document: GoverningDocument
    outcome: str


def find_version(
    session: Session, *, municipality_id: int, key: str, decided_on: dt.date
) -> GoverningDocument | None:
    """The version of ``key`` decided on ``decided_on``, if the register has it."""
    return session.exec(
        select(GoverningDocument).where(
            GoverningDocument.municipality_id == municipality_id,
            GoverningDocument.key == key,
            GoverningDocument.decided_on == decided_on,
        )
    ).first()


def store_version(
    session: Session,
    *,
    municipality_id: int,
    key: str,
    decided_on: dt.date,
    values: dict[str, Any],
    source: str,
) -> Stored:
    """Create or update one version; a newer decision supersedes the version in force.

    ``values`` holds :data:`REGISTER_FIELDS`. Once a version has been reviewed its next
    review date is the review's business: a second load of the same register does not
    move it back. Storing the same values twice changes nothing.
    """
    row = find_version(session, municipality_id=municipality_id, key=key, decided_on=decided_on)
    if row is None:
        row = GoverningDocument(
            municipality_id=municipality_id, key=key, decided_on=decided_on, source=source, **values
        )
        older = _in_force_before(session, municipality_id, key, decided_on)
        if older is not None:
            older.state = DocumentState.SUPERSEDED
            older.updated_at = utc_now()
            session.add(older)
            row.replaces_id = older.id
        if _decided_after(session, municipality_id, key, decided_on):
            # An older version read after its successor (a register's history): kept, not
            # in force.
            row.state = DocumentState.SUPERSEDED
        session.add(row)
        session.flush()
        return Stored(row, "created")
    fields = [
        name
        for name in REGISTER_FIELDS
        if not (name == "next_review_on" and row.last_reviewed_on is not None)
    ]
    changed = [name for name in fields if getattr(row, name) != values[name]]
    if not changed:
        return Stored(row, "unchanged")
    for name in changed:
        setattr(row, name, values[name])
    row.source = source
    row.updated_at = utc_now()
    session.add(row)
    session.flush()
    return Stored(row, "updated")


def _in_force_before(
    session: Session, municipality_id: int, key: str, decided_on: dt.date
) -> GoverningDocument | None:
    return session.exec(
        select(GoverningDocument)
        .where(
            GoverningDocument.municipality_id == municipality_id,
            GoverningDocument.key == key,
            GoverningDocument.state == DocumentState.IN_FORCE,
            col(GoverningDocument.decided_on) < decided_on,
        )
        .order_by(col(GoverningDocument.decided_on).desc())
    ).first()


def _decided_after(session: Session, municipality_id: int, key: str, decided_on: dt.date) -> bool:
    return (
        session.exec(
            select(GoverningDocument.id).where(
                GoverningDocument.municipality_id == municipality_id,
                GoverningDocument.key == key,
                col(GoverningDocument.decided_on) > decided_on,
            )
        ).first()
        is not None
    )


def documents_in_force(session: Session, *, municipality_id: int) -> list[GoverningDocument]:
    """Every version in force, by review date then title."""
    return list(
        session.exec(
            select(GoverningDocument)
            .where(
                GoverningDocument.municipality_id == municipality_id,
                GoverningDocument.state == DocumentState.IN_FORCE,
            )
            .order_by(col(GoverningDocument.next_review_on), col(GoverningDocument.title))
        ).all()
    )


def present_review(session: Session, document: GoverningDocument) -> DocumentReview | None:
    """The review asked for the document's present review date, if any."""
    return session.exec(
        select(DocumentReview).where(
            DocumentReview.document_id == document.id,
            DocumentReview.due_on == document.next_review_on,
        )
    ).first()


def last_answer(session: Session, document: GoverningDocument) -> DocumentReview | None:
    """The version's latest answered review, if any."""
    return session.exec(
        select(DocumentReview)
        .where(
            DocumentReview.document_id == document.id,
            col(DocumentReview.outcome).is_not(None),
        )
        .order_by(col(DocumentReview.answered_at).desc(), col(DocumentReview.id).desc())
    ).first()


def open_review(
    session: Session, document: GoverningDocument, *, as_of: dt.datetime
) -> DocumentReview:
    """The review for the document's present review date, made now if nobody asked yet
    (an owner may review before the watch asks)."""
    review = present_review(session, document)
    if review is None:
        review = DocumentReview(
            municipality_id=document.municipality_id,
            document_id=stored_id(document),
            due_on=document.next_review_on,
            requested_at=as_of,
        )
        session.add(review)
        session.flush()
    return review
