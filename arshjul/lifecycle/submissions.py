"""Taking in a submission: a new version, a receipt, an audit entry."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from functools import cache
from typing import Any

from sqlalchemy import bindparam, update
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key
from sqlmodel import Session, select

from arshjul.errors import ArshjulError
from arshjul.formats import format_datetime
from arshjul.lifecycle import tokens
from arshjul.models import (
    Attachment,
    AuditEntry,
    Municipality,
    OrgUnit,
    RequestState,
    StageInstance,
    Submission,
    SubmissionRequest,
)
from arshjul.timezone import STOCKHOLM


class SubmissionClosed(ArshjulError):
    """The request no longer takes submissions."""


def check_open(request: SubmissionRequest, as_of: dt.datetime) -> None:
    """Raise when a request takes no submission at this moment."""
    if request.state == RequestState.CLOSED or as_of > request.grace_until:
        raise SubmissionClosed(
            "Tiden för att lämna underlag har gått ut: sista dag var "
            f"{format_datetime(request.deadline_at.astimezone(STOCKHOLM))}. "
            "Kontakta controllern om underlaget ändå behövs."
        )


@cache
def _mark_submitted_statement() -> Any:
    """Built once (as the next one): the portal runs both on every post."""
    return (
        update(SubmissionRequest)
        .where(SubmissionRequest.id == bindparam("b_request"))
        .values(
            state=RequestState.SUBMITTED,
            submitted_at=bindparam("b_submitted_at"),
            late=bindparam("b_late"),
        )
    )


@cache
def _retire_current_statement() -> Any:
    return (
        update(Submission)
        .where(
            Submission.request_id == bindparam("b_request"),
            Submission.is_current == True,  # noqa: E712
        )
        .values(is_current=False)
        .returning(Submission.id, Submission.version)
    )


def store_submission(
    session: Session,
    *,
    request: SubmissionRequest,
    data: dict[str, Any],
    submitted_by: str,
    as_of: dt.datetime,
    channel: str = "portal",
    origin: str = "",
    attachments: Sequence[tuple[str, str, bytes]] = (),
    summary: Sequence[tuple[str, str]] = (),
    on_behalf: bool = False,
) -> Submission:
    """Store a new current version of a unit's submission and queue its receipt.

    The request row is updated first: that takes the row lock on PostgreSQL and
    the write lock on SQLite, so two posts of the same form at once become two
    versions one after the other instead of a clash. A controller acting on a
    committee's behalf (``on_behalf``) may store after the grace period.
    """
    if not on_behalf:
        check_open(request, as_of)
    late = as_of > request.deadline_at
    # Both updates go to the connection, past the ORM's bookkeeping of what
    # they change (a third of their cost); the loaded rows are told below.
    session.flush()  # what the caller added goes first, as autoflush would do
    connection = session.connection()
    connection.execute(
        _mark_submitted_statement(),
        {"b_request": request.id, "b_submitted_at": as_of, "b_late": late},
    )
    # Only this function sets is_current, always on the newest version: the
    # version it takes from the old current one is the highest so far.
    retired = connection.execute(_retire_current_statement(), {"b_request": request.id}).first()
    version = (retired.version if retired else 0) + 1
    if retired is not None:
        loaded = session.identity_map.get(identity_key(Submission, retired.id))
        if loaded is not None:
            set_committed_value(loaded, "is_current", False)
    submission = Submission(
        municipality_id=request.municipality_id,
        request_id=request.id,  # type: ignore[arg-type]
        version=version,
        is_current=True,
        data=data,
        submitted_at=as_of,
        submitted_by=submitted_by,
        channel=channel,
        late=late,
    )
    session.add(submission)
    session.flush()
    for filename, content_type, content in attachments:
        session.add(
            Attachment(
                municipality_id=request.municipality_id,
                submission_id=submission.id,  # type: ignore[arg-type]
                filename=filename,
                content_type=content_type,
                size=len(content),
                sha256=hashlib.sha256(content).hexdigest(),
                content=content,
            )
        )
    # The row was updated in SQL above; tell the loaded object without a reload.
    for name, value in (
        ("state", RequestState.SUBMITTED),
        ("submitted_at", as_of),
        ("late", late),
    ):
        set_committed_value(request, name, value)
    _queue_receipt(session, request=request, submission=submission, summary=summary)
    session.add(
        AuditEntry(
            municipality_id=request.municipality_id,
            actor=submitted_by,
            origin=origin or channel,
            action="submission.store",
            entity="submission",
            entity_id=submission.id,
            details={
                "request_id": request.id,
                "version": version,
                "late": late,
                "on_behalf": on_behalf,
                "attachments": [a[0] for a in attachments],
            },
        )
    )
    session.flush()
    return submission


def _queue_receipt(
    session: Session,
    *,
    request: SubmissionRequest,
    submission: Submission,
    summary: Sequence[tuple[str, str]],
) -> None:
    from arshjul.lifecycle.context import controller_among, recipients_among, unit_contacts
    from arshjul.mail.outbox import enqueue
    from arshjul.models import Cycle

    municipality = session.get(Municipality, request.municipality_id)
    unit = session.get(OrgUnit, request.unit_id)
    stage = session.get(StageInstance, request.stage_instance_id)
    assert municipality and unit and stage
    cycle = session.get(Cycle, stage.cycle_id)
    people = unit_contacts(session, unit)
    controller = controller_among(people, unit)
    recipients = recipients_among(people, unit)
    enqueue(
        session,
        municipality=municipality,
        dedup_key=f"kvitto:{submission.id}",
        purpose="receipt",
        template="receipt",
        context={
            "municipality_name": municipality.name,
            "unit_name": unit.name,
            "stage_name": stage.name,
            "year": cycle.year if cycle else None,
            "version": submission.version,
            "submitted_at": submission.submitted_at,
            "submitted_by": submission.submitted_by,
            "late": submission.late,
            "link": tokens.LINK_PLACEHOLDER,
            "summary": list(summary),
        },
        to=[(c.name, c.email) for c in recipients],
        reply_to=controller.email if controller else None,
        request_id=request.id,
        new_key=True,  # the submission's id was given out in this transaction
    )


def current_submission(session: Session, request_id: int) -> Submission | None:
    """The version that counts."""
    return session.exec(
        select(Submission).where(Submission.request_id == request_id, Submission.is_current == True)  # noqa: E712
    ).first()
