"""The secretaries' part of the simulated year: each open request answered on its day.

Who answers when, and what they write, is :mod:`arshjul.demo.secretaries`; here
the answer goes in as a secretary's own would, through the submission form's
model (:func:`~arshjul.lifecycle.on_behalf.submit_on_behalf`, from the portal).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from arshjul.demo import secretaries
from arshjul.demo.clock import at
from arshjul.forms.figures import term_for_year
from arshjul.lifecycle.on_behalf import submit_on_behalf
from arshjul.models import (
    Goal,
    Indicator,
    OrgUnit,
    RequestState,
    StageInstance,
    SubmissionRequest,
)
from arshjul.stages.deviations import operating_frame
from arshjul.timezone import STOCKHOLM


def answer_due(engine: Engine, year: int, day: dt.date, never: frozenset[str]) -> None:
    """Every secretary whose day has come sends in (those of ``never`` never do)."""

    with Session(engine, expire_on_commit=False) as session:
        rows = session.exec(
            select(SubmissionRequest, StageInstance, OrgUnit)
            .join(StageInstance, col(StageInstance.id) == SubmissionRequest.stage_instance_id)
            .join(OrgUnit, col(OrgUnit.id) == SubmissionRequest.unit_id)
            .where(SubmissionRequest.state == RequestState.OPEN)
        ).all()
        for request, stage, unit in rows:
            opened = request.opened_at.astimezone(STOCKHOLM).date()
            deadline = request.deadline_at.astimezone(STOCKHOLM).date()
            if unit.key in never:
                continue
            if secretaries.answer_day(unit.key, opened, deadline) != day:
                continue
            # The goals of the term that holds the year; none outside every term.
            term = term_for_year(session, unit.municipality_id, year)
            goals: list[str] = []
            indicators: list[str] = []
            if term is not None:
                mine = (Goal.unit_id == unit.id, Goal.term_id == term.id)
                goals = [g.key for g in session.exec(select(Goal).where(*mine))]
                indicators = [
                    i.key for i in session.exec(select(Indicator).join(Goal).where(*mine))
                ]
            # Looked up on the module each time: a test replaces secretaries.answer.
            raw = secretaries.answer(
                unit.key,
                unit.kind,
                stage.slug,
                goals=goals,
                indicators=indicators,
                frame_kr=council_frame(session, unit.id, year),  # type: ignore[arg-type]
                year=year,
            )
            submit_on_behalf(
                session,
                request=request,
                data=raw,
                submitted_by=f"Nämndsekreterare {unit.name} (demo)",
                as_of=at(day, 10 + (unit.key in secretaries.LATE_AFTER_ESCALATION)),
                channel="portal",
                on_behalf=False,
            )
            session.commit()


def council_frame(session: Session, unit_id: int, year: int) -> int:
    """The unit's operating frame for next year, from its most decided status (0 if none)."""

    return operating_frame(session, unit_id=unit_id, budget_year=year + 1) or 0
