"""The year's cycle and its stage instances, made from the calendar."""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session, select

from arshjul.calendar.schedule import (
    ScheduledStage,
    action_plan_deadline,
    build_schedule,
    deadline_at,
)
from arshjul.calendar.stages import get_stage, is_election_year
from arshjul.config.stored import municipality_config
from arshjul.errors import ArshjulError
from arshjul.models import Cycle, Municipality, StageInstance, StageState


def ensure_cycle(session: Session, *, municipality: Municipality, year: int) -> Cycle:
    """The municipality's cycle for a year, created on first use."""
    cycle = session.exec(
        select(Cycle).where(Cycle.municipality_id == municipality.id, Cycle.year == year)
    ).first()
    if cycle is None:
        cycle = Cycle(
            municipality_id=municipality.id,  # type: ignore[arg-type]
            year=year,
            election_year=is_election_year(year),
        )
        session.add(cycle)
        session.flush()
    return cycle


def scheduled(municipality: Municipality, year: int, slug: str) -> ScheduledStage:
    """A stage's dates this year under the municipality's calendar."""
    schedule = build_schedule(year, municipality_config(municipality).calendar)
    found = schedule.get(slug)
    if found is None:
        raise ArshjulError(
            f"Skedet {get_stage(slug).name} ({slug}) ingår inte i årshjulet {year}"
            + (" (det gäller bara valår)." if get_stage(slug).election_only else ".")
        )
    return found


def ensure_stage_instance(
    session: Session,
    *,
    municipality: Municipality,
    year: int,
    slug: str,
    instance_key: str = "",
    opened_on: dt.date | None = None,
) -> StageInstance:
    """The stage instance of a cycle, created from the calendar on first use.

    An event-driven stage (an action plan) gets its dates from ``opened_on``.
    A stage not yet opened follows calendar changes; once open, its dates hold.
    """
    cycle = ensure_cycle(session, municipality=municipality, year=year)
    stage = session.exec(
        select(StageInstance).where(
            StageInstance.cycle_id == cycle.id,
            StageInstance.slug == slug,
            StageInstance.instance_key == instance_key,
        )
    ).first()
    definition = get_stage(slug)
    calendar = municipality_config(municipality).calendar
    dates: tuple[dt.date | None, dt.date, dt.date | None, dt.datetime]
    if definition.event_driven:
        if opened_on is None and stage is None:
            raise ArshjulError(f"{definition.name} öppnas vid behov och behöver ett startdatum.")
        opens = stage.opens_on if stage is not None else opened_on
        deadline = action_plan_deadline(opens, calendar)  # type: ignore[arg-type]
        dates = (opens, deadline, None, deadline_at(deadline, calendar))
    else:
        s = scheduled(municipality, year, slug)
        dates = (s.opens, s.deadline, s.decision, s.deadline_at)
    if stage is None:
        stage = StageInstance(
            municipality_id=municipality.id,  # type: ignore[arg-type]
            cycle_id=cycle.id,  # type: ignore[arg-type]
            slug=slug,
            instance_key=instance_key,
            name=definition.name,
            opens_on=dates[0],  # type: ignore[arg-type]
            deadline_on=dates[1],
            decision_on=dates[2],
            deadline_at=dates[3],
        )
        session.add(stage)
        session.flush()
    elif stage.state == StageState.PLANNED and (
        (stage.opens_on, stage.deadline_on, stage.decision_on, stage.deadline_at) != dates
    ):
        stage.opens_on, stage.deadline_on, stage.decision_on, stage.deadline_at = dates  # type: ignore[assignment]
        session.add(stage)
        session.flush()
    return stage
