"""Delårsrapport (t.o.m. augusti) as a Prefect flow: the statutory interim report, step by step."""

from __future__ import annotations

from typing import Any

from prefect import flow

from arshjul.flows.common import AsOf, MunicipalityCode, Year, fails_in_swedish
from arshjul.flows.deviation_steps import (
    escalate_deviations,
    record_deviations,
    request_action_plans,
)
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
write_report = document_step("Skriv delårsrapporten", followup.write_delar)


@flow(
    name="Delårsrapport (t.o.m. augusti)",
    flow_run_name=run_name("delar"),
    description=(
        "Begär prognos och målbedömningar efter augusti; skriv delårsrapporten till fullmäktige."
    ),
)
@fails_in_swedish
def delar(
    year: Year = None, as_of: AsOf = None, municipality: MunicipalityCode = None
) -> dict[str, Any]:
    """Forecasts and goals in; deviations escalated and answered by plans; the interim report."""
    run = begin_stage("delar", year, as_of, municipality)
    open_requests(run)
    deliver_mail(run.as_of)
    ready = check_ready(run)
    record_deviations(run, ready)
    escalate_deviations(run, ready)
    request_action_plans(run, ready)
    record_goal_answers(run, ready)
    written = write_report(run, ready)
    deliver_mail(run.as_of)
    publish_stage(run)
    return written
