"""The engine as the simulated year runs it: the daily watch and the stages' flows.

Through Prefect (``arshjul demo``: the same flows a real year runs, with their
runs in the UI) or, the quick path the tests and benches take, the same flows'
bodies without it (``run_directly``): one orchestration either way.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from arshjul.demo.clock import at
from arshjul.deployments import flow_for
from arshjul.flows.bevakning import bevakning
from arshjul.models import Cycle, Municipality, StageInstance, StageState
from arshjul.tasks.step import run_directly


def watch(
    engine: Engine, municipality: Municipality, day: dt.date, *, through_prefect: bool
) -> None:
    """The daily watch: the Prefect flow, or (the quick path) its body without it."""
    if through_prefect:
        bevakning(as_of=at(day), municipality=municipality.code)
        return
    run_directly(bevakning, engine=engine, as_of=at(day), municipality=municipality.code)


def run_stage(
    engine: Engine,
    municipality: Municipality,
    year: int,
    slug: str,
    day: dt.date,
    *,
    through_prefect: bool,
) -> Any:
    """The stage's flow, through Prefect or (the quick path) its body without it.

    Its results: one per stage instance, each with the ``state`` it reached.
    """
    flow = flow_for(slug)
    moment = at(day, 8)
    if through_prefect:
        return flow(year=year, as_of=moment, municipality=municipality.code)
    return run_directly(
        flow,
        engine=engine,
        year=year,
        as_of=moment,
        municipality=municipality.code,
    )


def ready_stages(engine: Engine, year: int) -> list[str]:
    """The year's stages the watch found ready to compile."""
    with Session(engine) as session:
        return list(
            session.exec(
                select(StageInstance.slug)
                .join(Cycle, col(Cycle.id) == StageInstance.cycle_id)
                .where(Cycle.year == year, StageInstance.state == StageState.READY)
            ).all()
        )
