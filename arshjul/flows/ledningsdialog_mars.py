"""Ledningsdialog (vår) as a Prefect flow."""

from __future__ import annotations

from typing import Any

from prefect import flow

from arshjul.flows.common import AsOf, MunicipalityCode, Year, run_stage
from arshjul.tasks.common import run_name


@flow(
    name="Ledningsdialog (vår)",
    flow_run_name=run_name("ledningsdialog-mars"),
    description=(
        "Begär förvaltningarnas och bolagens bild av nuläge, framtid och utmaningar inför"
        " vårens ledningsdialog; sammanställ underlaget."
    ),
)
def ledningsdialog_mars(
    year: Year = None, as_of: AsOf = None, municipality: MunicipalityCode = None
) -> dict[str, Any]:
    """Open what is due, collect, compile what is ready."""
    return run_stage("ledningsdialog-mars", year=year, as_of=as_of, municipality=municipality)
