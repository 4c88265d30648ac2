"""Ekonomirapport till KS (november) as a Prefect flow: the economy and the action plans."""

from __future__ import annotations

from typing import Any

from prefect import flow

from arshjul.flows.common import AsOf, MunicipalityCode, Year
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

follow_up_action_plans = stage_step("Följ upp åtgärdsplanerna", followup.follow_up_action_plans)
write_report = document_step("Skriv ekonomirapporten", followup.write_ekonomirapport)


@flow(
    name="Ekonomirapport till KS (november)",
    flow_run_name=run_name("ekonomirapport-november"),
    description=("Följ upp ekonomin och åtgärdsplanerna i novemberrapporten till kommunstyrelsen."),
)
def ekonomirapport_november(
    year: Year = None, as_of: AsOf = None, municipality: MunicipalityCode = None
) -> dict[str, Any]:
    """The committees with a plan in force report on it; plans that did their work close."""
    run = begin_stage("ekonomirapport-november", year, as_of, municipality)
    open_requests(run)
    deliver_mail(run.as_of)
    ready = check_ready(run)
    follow_up_action_plans(run, ready)
    written = write_report(run, ready)
    deliver_mail(run.as_of)
    publish_stage(run)
    return written
