"""Taking in a submission: a new version, a receipt, an audit entry.

The submission page's limits per link (versions a minute, versions in all,
attachment bytes in all) are checked here, under the request's lock, so that
posts to one link through several portal processes at once are counted
exactly. Receipts are coalesced here too: a request has at most one queued
receipt, naming its newest version, and it goes out no sooner than
``[portal] receipt_minutes`` after the request's previous receipt.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from collections.abc import Sequence
from functools import cache
from typing import Any

from sqlalchemy import bindparam, func, update
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key
from sqlmodel import Session, col, select

from arshjul import links
from arshjul.config.schema import PortalConfig
from arshjul.config.stored import municipality_config
from arshjul.errors import ArshjulError
from arshjul.formats import format_datetime
from arshjul.mail.outbox import enqueue
from arshjul.models import (
    Attachment,
    AuditEntry,
    Cycle,
    MessageState,
    Municipality,
    OrgUnit,
    OutboxMessage,
    RequestState,
    StageInstance,
    Submission,
    SubmissionRequest,
)
from arshjul.queries.organisation import controller_among, recipients_among, unit_contacts
from arshjul.timezone import STOCKHOLM

RATE_WINDOW = dt.timedelta(minutes=1)


class SubmissionClosed(ArshjulError):
    """The request no longer takes submissions."""


class SubmissionLimited(ArshjulError):
    """A post over one of the submission page's limits; nothing may be stored.

    ``kind`` is ``"rate"`` (too many versions in the last minute; ``retry_after``
    seconds until one more fits), ``"versions"`` (the request has its most
    versions: ``used`` of them) or ``"quota"`` (the attachments would pass the
    request's quota; ``used`` and ``adding`` bytes). The portal words the page
    from these.
    """

    def __init__(
        self,
        kind: str,
        message: str,
        *,
        limit: int,
        retry_after: int | None = None,
        used: int = 0,
        adding: int = 0,
    ) -> None:
        super().__init__(message)
        self.kind, self.limit, self.retry_after = kind, limit, retry_after
        self.used, self.adding = used, adding


def portal_limits(municipality: Municipality) -> PortalConfig:
    """The municipality's ``[portal]`` limits (the defaults for a row loaded without a file)."""
    if not municipality.config:
        return PortalConfig()

    return municipality_config(municipality).portal


def check_limits(
    session: Session,
    request: SubmissionRequest,
    limits: PortalConfig,
    *,
    version: int,
    as_of: dt.datetime,
    adding_bytes: int,
) -> None:
    """Raise :class:`SubmissionLimited` if storing ``version`` would pass a limit.

    Counted from the stored versions, so every portal process sees the same
    count; exact only under the request's lock (:func:`store_submission`).
    """
    if version > limits.max_versions:
        raise SubmissionLimited(
            "versions",
            f"Begäran har redan {version - 1} versioner; högst {limits.max_versions} tas emot.",
            limit=limits.max_versions,
            used=version - 1,  # more than the limit if the limit was lowered since
        )
    recent = session.exec(
        select(Submission.submitted_at)
        .where(
            Submission.request_id == request.id,
            Submission.submitted_at > as_of - RATE_WINDOW,
        )
        .order_by(Submission.submitted_at.desc())  # type: ignore[attr-defined]
        .limit(limits.posts_per_minute)
    ).all()
    if len(recent) >= limits.posts_per_minute:
        # One more fits when the oldest of the newest allowance is a minute old.
        wait = (recent[-1] + RATE_WINDOW - as_of).total_seconds()
        raise SubmissionLimited(
            "rate",
            f"Högst {limits.posts_per_minute} versioner i minuten tas emot.",
            limit=limits.posts_per_minute,
            retry_after=max(1, math.ceil(wait)),
        )
    if adding_bytes <= 0:
        return  # a version without a file never grows the attachments
    used = session.exec(
        select(func.coalesce(func.sum(Attachment.size), 0))
        .select_from(Attachment)
        .join(Submission, Submission.id == Attachment.submission_id)  # type: ignore[arg-type]
        .where(Submission.request_id == request.id)
    ).one()
    if used + adding_bytes > limits.upload_quota_bytes:
        raise SubmissionLimited(
            "quota",
            f"Bilagorna till begäran får tillsammans vara högst {limits.upload_quota_mb} MB.",
            limit=limits.upload_quota_bytes,
            used=int(used),
            adding=adding_bytes,
        )


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
        .where(col(SubmissionRequest.id) == bindparam("b_request"))
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
            col(Submission.request_id) == bindparam("b_request"),
            col(Submission.is_current) == True,  # noqa: E712
        )
        .values(is_current=False)
        .returning(col(Submission.id), col(Submission.version))
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
    limits: PortalConfig | None = None,
) -> Submission:
    """Store a new current version of a unit's submission and queue its receipt.

    The request row is updated first: that takes the row lock on PostgreSQL and
    the write lock on SQLite, so two posts of the same form at once become two
    versions one after the other instead of a clash. A controller acting on a
    committee's behalf (``on_behalf``) may store after the grace period.

    With ``limits`` (the portal's) a post over one of them raises
    :class:`SubmissionLimited` after the request was locked and counted, and
    the caller rolls back: nothing is stored.
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
    if limits is not None:
        adding = sum(len(content) for _, _, content in attachments)
        check_limits(session, request, limits, version=version, as_of=as_of, adding_bytes=adding)
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

    municipality = session.get(Municipality, request.municipality_id)
    unit = session.get(OrgUnit, request.unit_id)
    stage = session.get(StageInstance, request.stage_instance_id)
    assert municipality and unit and stage
    cycle = session.get(Cycle, stage.cycle_id)
    people = unit_contacts(session, unit)
    controller = controller_among(people, unit)
    recipients = recipients_among(people, unit)
    window = dt.timedelta(minutes=portal_limits(municipality).receipt_minutes)
    not_before = _coalesce_receipts(session, request, submission, window) if window else None
    message = enqueue(
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
            "link": links.LINK_PLACEHOLDER,
            "summary": list(summary),
        },
        to=[(c.name, c.email) for c in recipients],
        reply_to=controller.email if controller else None,
        request_id=request.id,
        new_key=True,  # the submission's id was given out in this transaction
    )
    if message is not None and not_before is not None:
        message.next_attempt_at = not_before


def _coalesce_receipts(
    session: Session, request: SubmissionRequest, submission: Submission, window: dt.timedelta
) -> dt.datetime | None:
    """Replace the request's queued receipts by this version's; when it may go out.

    A queued receipt names an older version, so this one replaces it (and takes
    its place in the queue: a receipt waiting out a window or an SMTP outage
    keeps waiting). It goes out no sooner than ``window`` after the request's
    last receipt that was sent; None: at the next delivery.

    Runs under the request's lock, so two posts never both keep a receipt. A
    sender already sending a receipt replaced here sends it (its final update
    finds it no longer queued and changes nothing): one extra e-mail, the newer
    one still follows. Nothing is lost either way.
    """
    connection = session.connection()
    replaced = connection.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.request_id == request.id,  # type: ignore[arg-type]
            OutboxMessage.purpose == "receipt",  # type: ignore[arg-type]
            OutboxMessage.state == MessageState.QUEUED,  # type: ignore[arg-type]
        )
        .values(
            state=MessageState.SUPERSEDED,
            last_error=f"Ersatt av kvittot för version {submission.version}",
        )
        .returning(col(OutboxMessage.id), col(OutboxMessage.next_attempt_at))
    ).all()
    for row in replaced:  # rows this session holds are told, as for the versions above
        loaded = session.identity_map.get(identity_key(OutboxMessage, row.id))
        if loaded is not None:
            set_committed_value(loaded, "state", MessageState.SUPERSEDED)
    # The newest by ORDER BY, not MAX(): SQLite's MAX() gives the stored text back.
    last_sent = connection.execute(
        select(OutboxMessage.sent_at)
        .where(
            OutboxMessage.request_id == request.id,
            OutboxMessage.purpose == "receipt",
            OutboxMessage.state == MessageState.SENT,
            OutboxMessage.sent_at.is_not(None),  # type: ignore[union-attr]
        )
        .order_by(OutboxMessage.sent_at.desc())  # type: ignore[union-attr]
        .limit(1)
    ).scalar()
    waits = [row.next_attempt_at for row in replaced if row.next_attempt_at is not None]
    if last_sent is not None:
        waits.append(last_sent + window)
    after = max(waits, default=None)
    return after if after is not None and after > submission.submitted_at else None


def current_submission(session: Session, request_id: int) -> Submission | None:
    """The version that counts."""
    return session.exec(
        select(Submission).where(Submission.request_id == request_id, Submission.is_current == True)  # noqa: E712
    ).first()
