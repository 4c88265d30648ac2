"""The daily watch (bevakning): close, remind, escalate and mark ready, four steps.

Each step is a plain function over one municipality in the caller's transaction;
the ``bevakning`` flow runs them in this order, each as a task of its own that
opens one transaction per municipality (``arshjul/tasks/watch.py``):

1. :func:`close_expired_requests`: an open request whose grace is over is closed
   (the committee can no longer submit; a controller still can on its behalf);
2. :func:`queue_reminders`: the reminder due today, to the unit's secretaries;
3. :func:`queue_escalations`: a request a working day late to its head of
   administration, later to the chief executive;
4. :func:`mark_ready_stages`: an open stage whose requests are all in, or whose
   last grace is over, is ready to compile (the rule is
   :mod:`arshjul.governance.readiness`'s).

Within one pass no step depends on another's result: a closed request is past
its deadline, so it gets no reminder whatever the order, and escalation and
readiness ask whether a request was submitted, not whether it was closed. The
order is yesterday's business first (what passed its grace), then today's mail,
then what is ready.

**Idempotent.** Every step acts on what the database says, so running it again
changes nothing: a closed request is no longer open, a ready stage no longer
open, and every e-mail is keyed in the outbox (``paminnelse:{request}:{n}``,
``eskalering:{request}:{level}``), so any number of watches on any number of
days send each reminder and escalation at most once.

**A step that fails halfway** rolls back its transaction: for the flow's tasks,
that municipality's part of that step (the municipalities before it, and the
steps before it, stay done; the flow run fails at that step, and the mail it
queued so far is delivered by the next run's ``skicka-e-post``). Nothing is
retried in the same run: the next watch (the next working day's, or a rerun by
hand) redoes the rest, since each step looks at the state, not at what a
previous run did. A request still open past its grace is closed then, the
latest reminder whose day has come is queued then (only the latest: a missed day
sends one reminder, not two; one whose deadline has passed meanwhile is not sent,
the escalation follows instead), an escalation goes whenever the request is late
enough and has not had it, and a stage is marked ready with that day's moment.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from arshjul.calendar.workdays import WORKING_DAYS
from arshjul.config.stored import municipality_config
from arshjul.governance import readiness
from arshjul.lifecycle.requests import request_context
from arshjul.lifecycle.reviews import queue_review_escalations, queue_review_requests
from arshjul.mail.outbox import enqueue
from arshjul.models import (
    Cycle,
    Municipality,
    OrgUnit,
    RequestState,
    StageInstance,
    StageState,
    SubmissionRequest,
)
from arshjul.queries.organisation import (
    controller_for,
    escalation_recipients,
    recipients_for_request,
)
from arshjul.timezone import STOCKHOLM

ESCALATION_HORIZON = dt.timedelta(days=60)


@dataclass
class WatchReport:
    """What one pass of the watch did, for the log and the artifacts."""

    reminders: int = 0
    escalations: int = 0
    closed: int = 0
    ready: list[StageInstance] = field(default_factory=list)
    # Governing documents (arshjul/lifecycle/reviews.py): owners asked, late reviews escalated.
    review_requests: int = 0
    review_escalations: int = 0


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
    """One pass over every open stage instance of a municipality: the four steps in order.

    In the caller's one transaction, for callers that watch a municipality in one
    go (the demo's quick path, tests); the flow runs each step as a task of its own.
    """
    report = WatchReport()
    report.closed = close_expired_requests(session, municipality=municipality, as_of=as_of)
    report.reminders = queue_reminders(session, municipality=municipality, as_of=as_of)
    report.escalations = queue_escalations(session, municipality=municipality, as_of=as_of)
    report.review_requests = queue_review_requests(session, municipality=municipality, as_of=as_of)
    report.review_escalations = queue_review_escalations(
        session, municipality=municipality, as_of=as_of
    )
    report.ready = mark_ready_stages(session, municipality=municipality, as_of=as_of)
    return report


# --------------------------------------------------------------------------- the steps
def close_expired_requests(
    session: Session, *, municipality: Municipality, as_of: dt.datetime
) -> int:
    """Close every open request whose grace is over; the number closed now."""
    closed = 0
    for _, _, request in _outstanding(session, municipality, as_of):
        if request.state == RequestState.OPEN and as_of > request.grace_until:
            request.state = RequestState.CLOSED
            session.add(request)
            closed += 1
    session.flush()
    return closed


def queue_reminders(session: Session, *, municipality: Municipality, as_of: dt.datetime) -> int:
    """Queue the reminder due today for every open request; the number queued now.

    Which reminder is due: :func:`due_reminder`. None after the deadline (the
    escalation's business), none for a request closed or submitted.
    """
    offsets = municipality_config(municipality).watch.reminder_working_days
    today = as_of.astimezone(STOCKHOLM).date()
    queued = 0
    for stage, cycle, request in _outstanding(session, municipality, as_of):
        n = due_reminder(request, today, offsets)
        if n is None or request.state != RequestState.OPEN or as_of > request.deadline_at:
            continue
        unit = _unit(session, request)
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
        if enqueue(
            session,
            municipality=municipality,
            dedup_key=f"paminnelse:{request.id}:{n}",
            purpose="reminder",
            template="reminder",
            context=context,
            to=_request_recipients(session, unit),
            reply_to=context["controller_email"],
            request_id=request.id,
        ):
            queued += 1
    session.flush()
    return queued


def queue_escalations(session: Session, *, municipality: Municipality, as_of: dt.datetime) -> int:
    """Queue the escalations due for every request not submitted; the number queued now.

    One working day late: to the unit's head of administration (its parent's when
    it has none), the controller in copy; ``chief_escalation_after_working_days``
    late: to the chief executive. Closed requests too: the chief's escalation
    comes after the grace.
    """
    chief_after = municipality_config(municipality).watch.chief_escalation_after_working_days
    today = as_of.astimezone(STOCKHOLM).date()
    queued = 0
    for stage, cycle, request in _outstanding(session, municipality, as_of):
        late = working_days_late(request, today)
        unit = _unit(session, request)
        for level, after in ((1, 1), (2, chief_after)):
            if late >= after and _escalate(
                session, municipality, stage, request, unit, cycle.year, level, late
            ):
                queued += 1
    session.flush()
    return queued


def mark_ready_stages(
    session: Session, *, municipality: Municipality, as_of: dt.datetime
) -> list[StageInstance]:
    """Mark ready every watched stage that :func:`readiness.mark_ready` finds ready now."""
    ready: list[StageInstance] = []
    for stage, _, requests in _watched(session, municipality, as_of):
        if readiness.mark_ready(stage, requests, as_of):
            session.add(stage)
            ready.append(stage)
    session.flush()
    return ready


# --------------------------------------------------------------------------- what is watched
def _watched(
    session: Session, municipality: Municipality, as_of: dt.datetime
) -> list[tuple[StageInstance, Cycle, list[SubmissionRequest]]]:
    """Each watched stage instance with its cycle and all its requests.

    Stages already past their grace stay watched for a while: the chief
    executive's escalation comes after the late requests were closed.
    """
    stages = session.exec(
        select(StageInstance)
        .where(
            StageInstance.municipality_id == municipality.id,
            StageInstance.state != StageState.PLANNED,
            StageInstance.deadline_at > as_of - ESCALATION_HORIZON,
        )
        .order_by(col(StageInstance.id))
    ).all()
    watched: list[tuple[StageInstance, Cycle, list[SubmissionRequest]]] = []
    for stage in stages:
        cycle = session.get(Cycle, stage.cycle_id)
        assert cycle is not None
        requests = session.exec(
            select(SubmissionRequest)
            .where(SubmissionRequest.stage_instance_id == stage.id)
            .order_by(col(SubmissionRequest.id))
        ).all()
        watched.append((stage, cycle, list(requests)))
    return watched


def _outstanding(
    session: Session, municipality: Municipality, as_of: dt.datetime
) -> Iterator[tuple[StageInstance, Cycle, SubmissionRequest]]:
    """Every request of a watched stage that is not submitted (open or closed)."""
    for stage, cycle, requests in _watched(session, municipality, as_of):
        for request in requests:
            if request.state != RequestState.SUBMITTED:
                yield stage, cycle, request


def _unit(session: Session, request: SubmissionRequest) -> OrgUnit:
    unit = session.get(OrgUnit, request.unit_id)
    assert unit is not None
    return unit


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
    controller = controller_for(session, unit)
    to, cc = escalation_recipients(session, unit, level)
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
