"""Åtgärdsplan as a Prefect flow: each overspending committee's plan, one instance each."""

from __future__ import annotations

from typing import Any

from prefect import flow

from arshjul.flows.common import AsOf, MunicipalityCode, Year, fails_in_swedish
from arshjul.stages import followup
from arshjul.tasks.common import run_name
from arshjul.tasks.mail import deliver_mail
from arshjul.tasks.stage import (
    action_plan_keys,
    begin_stage,
    check_ready,
    document_step,
    open_requests,
    publish_stage,
    stage_step,
)

put_plans_in_force = stage_step("Sätt åtgärdsplanerna i kraft", followup.put_plan_in_force)
write_plans = document_step("Skriv åtgärdsplanerna", followup.write_atgardsplan)


@flow(
    name="Åtgärdsplan",
    flow_run_name=run_name("atgardsplan"),
    description=(
        "Samla in och följ upp nämndernas åtgärdsplaner för avvikelser över tröskelvärdet."
    ),
)
@fails_in_swedish
def atgardsplan(
    year: Year = None, as_of: AsOf = None, municipality: MunicipalityCode = None
) -> dict[str, Any]:
    """The plans asked for at a follow-up come in, take force and are written out."""
    keys = action_plan_keys(year, as_of, municipality)
    run = begin_stage("atgardsplan", year, as_of, municipality, instance_keys=keys)
    open_requests(run)
    deliver_mail(run.as_of)
    ready = check_ready(run)
    put_plans_in_force(run, ready)
    written = write_plans(run, ready)
    deliver_mail(run.as_of)
    publish_stage(run)
    return written
