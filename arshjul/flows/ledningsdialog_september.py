"""Ledningsdialog (höst) as a Prefect flow."""

from __future__ import annotations

from typing import Any

from prefect import flow

from arshjul.flows.common import AsOf, MunicipalityCode, Year, run_stage
from arshjul.tasks.common import run_name


@flow(
    name="Ledningsdialog (höst)",
    flow_run_name=run_name("ledningsdialog-september"),
    description=(
        "Begär förvaltningarnas och bolagens bild av nuläge, framtid och utmaningar inför"
        " höstens ledningsdialog; sammanställ underlaget."
    ),
)
def ledningsdialog_september(
    year: Year = None, as_of: AsOf = None, municipality: MunicipalityCode = None
) -> dict[str, Any]:
    """Open what is due, collect, compile what is ready."""
    return run_stage("ledningsdialog-september", year=year, as_of=as_of, municipality=municipality)
