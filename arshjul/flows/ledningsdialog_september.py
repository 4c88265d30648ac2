"""Ledningsdialog (höst) as a Prefect flow."""

from __future__ import annotations

from typing import Any

from prefect import flow

from arshjul.flows.common import AsOf, MunicipalityCode, Year, fails_in_swedish
from arshjul.stages import dialogue
from arshjul.tasks.common import run_name
from arshjul.tasks.mail import deliver_mail
from arshjul.tasks.stage import (
    begin_stage,
    check_ready,
    document_step,
    open_requests,
    publish_stage,
)

write_document = document_step(
    "Skriv underlaget till ledningsdialogen", dialogue.compile_ledningsdialog
)


@flow(
    name="Ledningsdialog (höst)",
    flow_run_name=run_name("ledningsdialog-september"),
    description=(
        "Begär förvaltningarnas och bolagens bild av nuläge, framtid och utmaningar inför"
        " höstens ledningsdialog; sammanställ underlaget."
    ),
)
@fails_in_swedish
def ledningsdialog_september(
    year: Year = None, as_of: AsOf = None, municipality: MunicipalityCode = None
) -> dict[str, Any]:
    """Ask the committees, collect, and when all is in: write, then show the stage."""
    run = begin_stage("ledningsdialog-september", year, as_of, municipality)
    open_requests(run)
    deliver_mail(run.as_of)
    ready = check_ready(run)
    written = write_document(run, ready)
    deliver_mail(run.as_of)
    publish_stage(run)
    return written
