"""Ekonomirapport till KS (mars) as a Prefect flow."""

from __future__ import annotations

from typing import Any

from prefect import flow

from arshjul.flows.common import AsOf, MunicipalityCode, Year, run_stage
from arshjul.tasks.common import run_name


@flow(
    name="Ekonomirapport till KS (mars)",
    flow_run_name=run_name("ekonomirapport-mars"),
    description=("Följ upp ekonomin och åtgärdsplanerna i marsrapporten till kommunstyrelsen."),
)
def ekonomirapport_mars(
    year: Year = None, as_of: AsOf = None, municipality: MunicipalityCode = None
) -> dict[str, Any]:
    """Open what is due, collect, compile what is ready."""
    return run_stage("ekonomirapport-mars", year=year, as_of=as_of, municipality=municipality)
