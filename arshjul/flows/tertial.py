"""Tertialuppföljning (t.o.m. april) as a Prefect flow: the follow-up process, step by step."""

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
)

write_report = document_step("Skriv tertialuppföljningen", followup.write_tertial)


@flow(
    name="Tertialuppföljning (t.o.m. april)",
    flow_run_name=run_name("tertial"),
    description=(
        "Begär nämndernas helårsprognos efter april; beräkna avvikelser, eskalera, begär "
        "åtgärdsplaner, skriv tertialuppföljningen."
    ),
)
@fails_in_swedish
def tertial(
    year: Year = None, as_of: AsOf = None, municipality: MunicipalityCode = None
) -> dict[str, Any]:
    """Forecasts in; deviations beyond the threshold escalated and answered by plans; report."""
    run = begin_stage("tertial", year, as_of, municipality)
    open_requests(run)
    deliver_mail(run.as_of)
    ready = check_ready(run)
    record_deviations(run, ready)
    escalate_deviations(run, ready)
    request_action_plans(run, ready)
    written = write_report(run, ready)
    deliver_mail(run.as_of)
    publish_stage(run)
    return written
