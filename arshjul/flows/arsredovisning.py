"""Årsredovisning (t.o.m. december) as a Prefect flow: the annual report, step by step."""

from __future__ import annotations

from typing import Any

from prefect import flow

from arshjul.flows.common import AsOf, MunicipalityCode, Year, fails_in_swedish
from arshjul.stages import followup
from arshjul.tasks.common import run_name
from arshjul.tasks.mail import deliver_mail
from arshjul.tasks.stage import (
    begin_stage,
    check_ready,
    document_step,
    open_requests,
    publish_stage,
    stage_step,
)

record_goal_answers = stage_step("Bedöm måluppfyllelsen", followup.record_goal_answers)
record_control_outcomes = stage_step("Följ upp internkontrollen", followup.record_control_outcomes)
write_report = document_step(
    "Pröva balanskravet och skriv årsredovisningen", followup.write_arsredovisning
)


@flow(
    name="Årsredovisning (t.o.m. december)",
    flow_run_name=run_name("arsredovisning"),
    description=("Begär årets utfall och målbedömningar; skriv årsredovisningen."),
)
@fails_in_swedish
def arsredovisning(
    year: Year = None, as_of: AsOf = None, municipality: MunicipalityCode = None
) -> dict[str, Any]:
    """The year's outcome, goals and internal control in; the balance requirement; the report."""
    run = begin_stage("arsredovisning", year, as_of, municipality)
    open_requests(run)
    deliver_mail(run.as_of)
    ready = check_ready(run)
    record_goal_answers(run, ready)
    record_control_outcomes(run, ready)
    written = write_report(run, ready)
    deliver_mail(run.as_of)
    publish_stage(run)
    return written
