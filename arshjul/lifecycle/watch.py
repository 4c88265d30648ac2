"""The daily watch (bevakning): reminders, escalations, closing and readiness.

Every action is keyed in the outbox (``paminnelse:{request}:{n}``,
``eskalering:{request}:{level}``), so running the watch any number of times on
any number of days sends each reminder and escalation at most once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlmodel import Session, select

from arshjul.calendar.workdays import WORKING_DAYS
from arshjul.config.stored import municipality_config
from arshjul.governance import readiness
from arshjul.lifecycle.requests import request_context
from arshjul.mail.outbox import enqueue
from arshjul.models import (
    ContactRole,
    Cycle,
    Municipality,
    OrgUnit,
    RequestState,
    StageInstance,
    StageState,
    SubmissionRequest,
)
from arshjul.queries.organisation import contacts, controller_for, recipients_for_request
from arshjul.timezone import STOCKHOLM

ESCALATION_HORIZON = dt.timedelta(days=60)


@dataclass
class WatchReport:
    """What one pass of the watch did, for the log and the artifacts."""

    reminders: int = 0
    escalations: int = 0
    closed: int = 0
    ready: list[StageInstance] = field(default_factory=list)


def due_reminder(request: SubmissionRequest, today: dt.date, offsets: list[int]) -> int | None:
    """The reminder (working days before the deadline) due today, if any.

    Only the latest reminder whose day has come counts: a watch that missed a
    day sends one reminder, not two. A request opened after a reminder's day
    never gets that reminder.
    """
    deadline = request.deadline_at.astimezone(STOCKHOLM).date()
    if today > deadline:
        return None
    opened = request.opened_at.astimezone(STOCKHOLM).date()
    due = [n for n in sorted(offsets) if WORKING_DAYS.add_working_days(deadline, -n) <= today]
    if not due:
        return None
    n = due[0]
    return n if WORKING_DAYS.add_working_days(deadline, -n) > opened else None


def working_days_late(request: SubmissionRequest, today: dt.date) -> int:
    """Working days since the deadline (0 on or before it)."""
    deadline = request.deadline_at.astimezone(STOCKHOLM).date()
    return max(0, WORKING_DAYS.working_days_between(deadline, today))


def run_watch(session: Session, *, municipality: Municipality, as_of: dt.datetime) -> WatchReport:
    """One pass over every open stage instance of a municipality."""

    config = municipality_config(municipality)
    report = WatchReport()
    today = as_of.astimezone(STOCKHOLM).date()
    # Stages already past their grace stay watched for a while: the chief
    # executive's escalation comes after the late requests were closed.
    stages = session.exec(
        select(StageInstance).where(
            StageInstance.municipality_id == municipality.id,
            StageInstance.state != StageState.PLANNED,
            StageInstance.deadline_at > as_of - ESCALATION_HORIZON,
        )
    ).all()
    for stage in stages:
        cycle = session.get(Cycle, stage.cycle_id)
        requests = session.exec(
            select(SubmissionRequest).where(SubmissionRequest.stage_instance_id == stage.id)
        ).all()
        for request in requests:
            if request.state == RequestState.SUBMITTED:
                continue
            unit = session.get(OrgUnit, request.unit_id)
            assert unit is not None and cycle is not None
            if request.state == RequestState.OPEN and as_of > request.grace_until:
                request.state = RequestState.CLOSED
                session.add(request)
                report.closed += 1
            n = due_reminder(request, today, config.watch.reminder_working_days)
            if (
                n is not None
                and request.state == RequestState.OPEN
                and as_of <= request.deadline_at
            ):
                context = request_context(
                    municipality=municipality,
                    unit=unit,
                    stage=stage,
                    request=request,
                    year=cycle.year,
                    controller=controller_for(session, unit),
                )
                # The days left as of today, not the reminder's offset (a missed watch
                # sends the 5-day reminder later), counted on the Swedish working-day
                # calendar: pendulum's "om 3 dagar" counts calendar days, so the
                # templates word it ("om 3 arbetsdagar", "i dag") from this count.
                deadline = request.deadline_at.astimezone(STOCKHOLM).date()
                context["working_days_left"] = WORKING_DAYS.working_days_between(today, deadline)
                recipients = _request_recipients(session, unit)
                if enqueue(
                    session,
                    municipality=municipality,
                    dedup_key=f"paminnelse:{request.id}:{n}",
                    purpose="reminder",
                    template="reminder",
                    context=context,
                    to=recipients,
                    reply_to=context["controller_email"],
                    request_id=request.id,
                ):
                    report.reminders += 1
            late = working_days_late(request, today)
            for level, after in ((1, 1), (2, config.watch.chief_escalation_after_working_days)):
                if late >= after and _escalate(
                    session, municipality, stage, request, unit, cycle.year, level, late
                ):
                    report.escalations += 1
        if readiness.mark_ready(stage, requests, as_of):
            session.add(stage)
            report.ready.append(stage)
    session.flush()
    return report


def _request_recipients(session: Session, unit: OrgUnit) -> list[tuple[str, str]]:

    return [(c.name, c.email) for c in recipients_for_request(session, unit)]


def _escalate(
    session: Session,
    municipality: Municipality,
    stage: StageInstance,
    request: SubmissionRequest,
    unit: OrgUnit,
    year: int,
    level: int,
    days_late: int,
) -> bool:

    mid = municipality.id
    assert mid is not None
    controller = controller_for(session, unit)
    if level == 1:
        people = contacts(session, municipality_id=mid, unit_id=unit.id, role=ContactRole.HEAD)
        if unit.parent_id is not None and not people:
            people = contacts(
                session, municipality_id=mid, unit_id=unit.parent_id, role=ContactRole.HEAD
            )
        to = [(p.name, p.email) for p in people]
        cc = [(controller.name, controller.email)] if controller else []
    else:
        chiefs = contacts(
            session, municipality_id=mid, unit_id=None, role=ContactRole.CHIEF_EXECUTIVE
        )
        to = [(p.name, p.email) for p in chiefs]
        cc = [(controller.name, controller.email)] if controller else []
    if not to:
        to, cc = cc, []
    if not to:
        return False
    message = enqueue(
        session,
        municipality=municipality,
        dedup_key=f"eskalering:{request.id}:{level}",
        purpose="escalation",
        template="escalation",
        context={
            "municipality_name": municipality.name,
            "unit_name": unit.name,
            "stage_name": stage.name,
            "year": year,
            "deadline": request.deadline_at,
            # Working days on the Swedish calendar (working_days_late), worded by the
            # templates ("för 2 arbetsdagar sedan"): pendulum counts calendar days only.
            "days_late": days_late,
            "level": level,
            "contacts_reached": [name for name, _ in to + cc],
        },
        to=to,
        cc=cc,
        reply_to=controller.email if controller else None,
        request_id=request.id,
    )
    return message is not None
