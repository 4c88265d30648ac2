"""The steps every stage shares, called as the plain functions a flow run without Prefect calls."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from arshjul.models import StageInstance, StageState
from arshjul.stages.base import StageContext
from arshjul.tasks.stage import (
    Readiness,
    StageRun,
    begin_stage,
    check_ready,
    document_step,
    stage_step,
)
from arshjul.tasks.step import without_a_server, without_prefect
from arshjul.timezone import STOCKHOLM

ONE = ("1984", "")


def _stage(engine: Engine, slug: str = "tertial") -> StageInstance:
    with Session(engine) as session:
        return session.exec(select(StageInstance).where(StageInstance.slug == slug)).one()


def test_a_run_covers_the_named_municipality_as_of_seven_in_the_morning(arboga: Engine) -> None:
    with without_prefect():
        run = begin_stage("tertial", 2027, dt.date(2027, 4, 13), None)
    assert run == StageRun(
        "tertial", 2027, dt.datetime(2027, 4, 13, 7, tzinfo=STOCKHOLM), ("1984",)
    )
    assert run.instances == [ONE]


def test_a_stage_before_its_opening_day_is_planned_and_nothing_is_ready(arboga: Engine) -> None:
    run = StageRun("tertial", 2027, dt.datetime(2027, 4, 1, 8, tzinfo=STOCKHOLM), ("1984",))
    with without_prefect():
        readiness = check_ready.fn(run)
    assert readiness.ready == [] and readiness.states == {ONE: StageState.PLANNED}


def test_a_stage_step_works_on_each_ready_instance_in_its_own_transaction(arboga: Engine) -> None:
    seen: list[str] = []

    def note(ctx: StageContext) -> None:
        seen.append(f"{ctx.municipality.code} {ctx.stage.slug} {ctx.year}")
        ctx.stage.compiled_at = ctx.as_of  # committed with the step

    run = StageRun("tertial", 2027, dt.datetime(2027, 5, 12, 8, tzinfo=STOCKHOLM), ("1984",))
    noting = stage_step("Anteckna", note)
    assert noting.task.name == "Anteckna"
    assert noting.task.task_run_name == "anteckna-{run.slug}-{run.year}"
    with without_prefect():
        assert noting(run, Readiness()) == 0  # nothing ready: nothing done
        assert seen == []
        assert noting(run, Readiness(ready=[ONE])) == 1
    assert seen == ["1984 tertial 2027"]
    assert _stage(arboga).compiled_at is not None


def test_a_failing_step_changes_nothing_and_stops_the_run(arboga: Engine) -> None:
    def half_done(ctx: StageContext) -> None:
        ctx.stage.compiled_at = ctx.as_of
        ctx.session.flush()
        raise RuntimeError("avbrott mitt i steget")

    run = StageRun("tertial", 2027, dt.datetime(2027, 5, 12, 8, tzinfo=STOCKHOLM), ("1984",))
    with without_prefect():
        check_ready.fn(run)  # the stage instance exists from here on
        with pytest.raises(RuntimeError):
            stage_step("Avbryt", half_done)(run, Readiness(ready=[ONE]))
    assert _stage(arboga).compiled_at is None


def test_the_document_step_marks_the_stage_compiled_and_reports_it(arboga: Engine) -> None:
    written: list[str] = []

    def write(ctx: StageContext) -> list[Path]:
        ctx.missing.append("utfall för april")
        written.append(ctx.stage.slug)
        return [Path("/tmp/tertial.docx")]

    run = StageRun("tertial", 2027, dt.datetime(2027, 5, 12, 8, tzinfo=STOCKHOLM), ("1984",))
    step = document_step("Skriv provet", write)
    with without_prefect():
        assert without_a_server()
        waiting = step(run, Readiness(states={ONE: StageState.OPEN}))
        assert written == [] and waiting == {
            "1984": {"state": StageState.OPEN, "documents": [], "missing": []}
        }
        done = step(run, Readiness(states={ONE: StageState.READY}, ready=[ONE]))
    assert done == {
        "1984": {
            "state": StageState.COMPILED,
            "documents": ["/tmp/tertial.docx"],
            "missing": ["utfall för april"],
        }
    }
    assert _stage(arboga).state == StageState.COMPILED
