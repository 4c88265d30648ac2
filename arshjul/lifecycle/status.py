"""Where every request stands: for `arshjul status`, the watch's artifacts and the portal."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import func
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import Select

from arshjul.lifecycle.watch import working_days_late
from arshjul.models import (
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
from arshjul.models.submissions import REQUEST_STATE_SV
from arshjul.timezone import STOCKHOLM

# What `arshjul status`, the stage's table and the watch's table show for a request
# whose e-mail a server refused (the words; a user looks for them).
MAIL_FAILED_SV = "e-post misslyckades"
# The messages that carry the request's link to the committee: once one of them
# arrives after a refusal (the address corrected), the committee has the link.
_LINK_PURPOSES = ("request", "reminder")


@dataclass(frozen=True)
class RequestStatus:
    """One request as a controller or manager sees it."""

    municipality: str
    year: int
    stage: str
    stage_name: str
    unit: str
    deadline: dt.datetime
    state: str
    state_sv: str
    late: bool
    working_days_late: int
    versions: int
    submitted_at: dt.datetime | None
    mail_failed: bool = False
    mail_error: str = ""
    stage_instance_id: int = 0

    def as_json(self) -> dict[str, object]:
        data = asdict(self)
        data["deadline"] = self.deadline.astimezone(STOCKHOLM).isoformat()
        data["submitted_at"] = (
            self.submitted_at.astimezone(STOCKHOLM).isoformat() if self.submitted_at else None
        )
        return data


def request_statuses(
    session: Session,
    *,
    as_of: dt.datetime,
    year: int | None = None,
    municipality_id: int | None = None,
    only_open: bool = False,
    stage_instance_id: int | None = None,
) -> list[RequestStatus]:
    """Every request (or every open one), oldest deadline first."""
    versions = (
        select(Submission.request_id, func.count().label("n"))
        .group_by(col(Submission.request_id))
        .subquery()
    )
    # The outbox is read for the requests asked about only: a stage's table over
    # fifty municipalities asks once per stage instance.
    scope = [OutboxMessage.request_id.is_not(None)]  # type: ignore[union-attr]
    if municipality_id is not None:
        scope.append(OutboxMessage.municipality_id == municipality_id)
    if stage_instance_id is not None:
        scope.append(
            OutboxMessage.request_id.in_(  # type: ignore[union-attr]
                select(SubmissionRequest.id).where(
                    SubmissionRequest.stage_instance_id == stage_instance_id
                )
            )
        )
    last_failed = (
        select(OutboxMessage.request_id, func.max(OutboxMessage.id).label("id"))
        .where(*scope, OutboxMessage.state == MessageState.FAILED)
        .group_by(col(OutboxMessage.request_id))
        .subquery()
    )
    last_arrived = (
        select(OutboxMessage.request_id, func.max(OutboxMessage.id).label("id"))
        .where(
            *scope,
            OutboxMessage.state == MessageState.SENT,
            OutboxMessage.purpose.in_(_LINK_PURPOSES),  # type: ignore[attr-defined]
        )
        .group_by(col(OutboxMessage.request_id))
        .subquery()
    )
    failed = aliased(OutboxMessage)
    statement: Select[*tuple[Any, ...]] = (
        Select(  # nine columns: select() is typed for four at most
            SubmissionRequest,
            StageInstance,
            Cycle,
            OrgUnit,
            Municipality,
            versions.c.n,
            col(failed.id),
            col(failed.last_error),
            last_arrived.c.id,
        )
        .join(StageInstance, col(StageInstance.id) == SubmissionRequest.stage_instance_id)
        .join(Cycle, col(Cycle.id) == StageInstance.cycle_id)
        .join(OrgUnit, col(OrgUnit.id) == SubmissionRequest.unit_id)
        .join(Municipality, col(Municipality.id) == SubmissionRequest.municipality_id)
        .outerjoin(versions, versions.c.request_id == SubmissionRequest.id)
        .outerjoin(last_failed, last_failed.c.request_id == SubmissionRequest.id)
        .outerjoin(failed, col(failed.id) == last_failed.c.id)
        .outerjoin(last_arrived, last_arrived.c.request_id == SubmissionRequest.id)
        .order_by(
            col(SubmissionRequest.deadline_at), col(StageInstance.slug), col(OrgUnit.sort_order)
        )
    )
    if year is not None:
        statement = statement.where(Cycle.year == year)
    if municipality_id is not None:
        statement = statement.where(SubmissionRequest.municipality_id == municipality_id)
    if only_open:
        statement = statement.where(SubmissionRequest.state == RequestState.OPEN)
    if stage_instance_id is not None:
        statement = statement.where(SubmissionRequest.stage_instance_id == stage_instance_id)
    today = as_of.astimezone(STOCKHOLM).date()
    rows = []
    for row in session.exec(statement).all():
        request, stage, cycle, unit, municipality, n, failed_id, reason, arrived_id = row
        # Refused, and no message with the link has arrived since.
        mail_failed = failed_id is not None and (arrived_id is None or failed_id > arrived_id)
        # A late submission keeps how late it was; an open request counts on.
        until = (
            request.submitted_at.astimezone(STOCKHOLM).date()
            if request.state == RequestState.SUBMITTED and request.submitted_at
            else today
        )
        late_days = working_days_late(request, until)
        state_sv = REQUEST_STATE_SV[RequestState(request.state)]
        if request.state == RequestState.SUBMITTED and request.late:
            state_sv = "inlämnad sent"
        elif request.state == RequestState.OPEN and mail_failed:
            state_sv = MAIL_FAILED_SV
        elif request.state == RequestState.OPEN and late_days:
            state_sv = "försenad"
        rows.append(
            RequestStatus(
                municipality=municipality.name,
                year=cycle.year,
                stage=stage.slug,
                stage_name=stage.name,
                unit=unit.name,
                deadline=request.deadline_at,
                state=request.state,
                state_sv=state_sv,
                late=request.late or late_days > 0,
                working_days_late=late_days,
                versions=n or 0,
                submitted_at=request.submitted_at,
                mail_failed=mail_failed,
                mail_error=reason if mail_failed else "",
                stage_instance_id=stage.id,
            )
        )
    return rows
