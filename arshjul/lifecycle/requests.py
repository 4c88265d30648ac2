"""Opening a stage's submission requests: one per unit asked, each with its e-mail."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, col, select

from arshjul import links
from arshjul.calendar.stages import get_stage
from arshjul.calendar.workdays import WORKING_DAYS
from arshjul.config.stored import municipality_config
from arshjul.governance import readiness
from arshjul.mail.outbox import enqueue
from arshjul.models import (
    AuditEntry,
    Cycle,
    Municipality,
    OrgUnit,
    StageInstance,
    SubmissionRequest,
)
from arshjul.queries.organisation import controller_for, recipients_for_request


@dataclass
class OpenReport:
    """What opening a stage did."""

    created: list[SubmissionRequest] = field(default_factory=list)
    existing: list[SubmissionRequest] = field(default_factory=list)
    without_recipient: list[str] = field(default_factory=list)


def units_asked(session: Session, *, municipality_id: int, slug: str) -> list[OrgUnit]:
    """The active units whose kind the stage asks, in the configuration's order."""
    kinds = get_stage(slug).asks
    if not kinds:
        return []
    statement = select(OrgUnit).where(
        OrgUnit.municipality_id == municipality_id,
        OrgUnit.active == True,  # noqa: E712
        OrgUnit.kind.in_(kinds),  # type: ignore[attr-defined]
    )
    return list(session.exec(statement.order_by(col(OrgUnit.sort_order))).all())


def grace_until(deadline_at: dt.datetime, grace_working_days: int) -> dt.datetime:
    """The last moment a late submission is taken: the deadline's time, N working days on."""
    day = WORKING_DAYS.add_working_days(deadline_at.date(), grace_working_days)
    return deadline_at.replace(year=day.year, month=day.month, day=day.day)


def open_requests(
    session: Session,
    *,
    municipality: Municipality,
    stage: StageInstance,
    as_of: dt.datetime,
    link_key: bytes,
    units: Sequence[OrgUnit] | None = None,
    asks: Sequence[str] = (),
    attachments: Sequence[tuple[str, str, bytes]] = (),
    document_name: str | None = None,
    actor: str = "bevakning",
) -> OpenReport:
    """Create the requests that do not exist yet and queue their e-mails.

    Idempotent: a unit that already has a request for this stage instance gets
    nothing new. Each request and its e-mail are written in the caller's
    transaction, so both or neither exist.
    """

    config = municipality_config(municipality)
    report = OpenReport()
    if units is None:
        units = units_asked(session, municipality_id=municipality.id, slug=stage.slug)  # type: ignore[arg-type]
    existing = {
        r.unit_id: r
        for r in session.exec(
            select(SubmissionRequest).where(SubmissionRequest.stage_instance_id == stage.id)
        )
    }
    year = _cycle_year(session, stage)
    for unit in units:
        if unit.id in existing:
            report.existing.append(existing[unit.id])
            continue
        recipients = recipients_for_request(session, unit)
        if not recipients:
            report.without_recipient.append(unit.name)
            continue
        request = SubmissionRequest(
            municipality_id=municipality.id,  # type: ignore[arg-type]
            stage_instance_id=stage.id,  # type: ignore[arg-type]
            unit_id=unit.id,  # type: ignore[arg-type]
            deadline_at=stage.deadline_at,
            grace_until=grace_until(stage.deadline_at, config.watch.grace_working_days),
            opened_at=as_of,
            token_salt=links.new_salt(),
        )
        session.add(request)
        session.flush()
        request.token_hash = links.hash_token(
            links.derive_token(link_key, request.id, request.token_salt)  # type: ignore[arg-type]
        )
        session.add(request)
        controller = controller_for(session, unit)
        enqueue(
            session,
            municipality=municipality,
            dedup_key=f"begaran:{request.id}",
            purpose="request",
            template="request",
            context=request_context(
                municipality=municipality,
                unit=unit,
                stage=stage,
                request=request,
                year=year,
                asks=asks,
                controller=controller,
                document_name=document_name,
            ),
            to=[(c.name, c.email) for c in recipients],
            reply_to=controller.email if controller else config.mail.reply_to,
            request_id=request.id,
            attachments=attachments,
        )
        report.created.append(request)
    if readiness.open_stage(stage, as_of):
        session.add(stage)
    if report.created:
        session.add(
            AuditEntry(
                municipality_id=municipality.id,  # type: ignore[arg-type]
                actor=actor,
                origin="flow",
                action="requests.open",
                entity="stage_instance",
                entity_id=stage.id,
                details={"units": [r.unit_id for r in report.created], "as_of": as_of.isoformat()},
            )
        )
    session.flush()
    return report


def request_context(
    *,
    municipality: Municipality,
    unit: OrgUnit,
    stage: StageInstance,
    request: SubmissionRequest,
    year: int,
    asks: Sequence[str] = (),
    controller: Any = None,
    document_name: str | None = None,
) -> dict[str, Any]:
    """The template context shared by a request and its reminders."""
    config = municipality_config(municipality)
    return {
        "municipality_name": municipality.name,
        "unit_name": unit.name,
        "stage_name": stage.name,
        "year": year,
        "deadline": request.deadline_at,
        "grace_until": request.grace_until,
        "link": links.LINK_PLACEHOLDER,
        "asks": list(asks),
        "controller_name": controller.name if controller else config.central.controllers[0].name,
        "controller_email": controller.email if controller else config.mail.reply_to,
        "document_name": document_name,
    }


def _cycle_year(session: Session, stage: StageInstance) -> int:

    cycle = session.get(Cycle, stage.cycle_id)
    assert cycle is not None
    return cycle.year
