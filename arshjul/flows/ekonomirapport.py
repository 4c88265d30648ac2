"""The economic report to the executive board: one process, run in March, June and November.

Each month's flow (``ekonomirapport_mars`` and the others) has its own name and
deployment and runs this body: the committees with an action plan in force
report on it, plans that did their work close, the report is written.
"""

from __future__ import annotations

from typing import Any

from arshjul.stages import followup
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


def economic_report(
    slug: str, year: int | None, as_of: Any, municipality: str | None
) -> dict[str, Any]:
    """Ask the plans' committees, collect, follow the plans up, write, show."""
    run = begin_stage(slug, year, as_of, municipality)
    open_requests(run)
    deliver_mail(run.as_of)
    ready = check_ready(run)
    follow_up_action_plans(run, ready)
    written = write_report(run, ready)
    deliver_mail(run.as_of)
    publish_stage(run)
    return written
