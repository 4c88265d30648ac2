"""Ekonomirapport till KS (mars) as a Prefect flow (the process: flows/ekonomirapport.py)."""

from __future__ import annotations

from typing import Any

from prefect import flow

from arshjul.flows.common import AsOf, MunicipalityCode, Year, fails_in_swedish
from arshjul.flows.ekonomirapport import economic_report
from arshjul.tasks.common import run_name


@flow(
    name="Ekonomirapport till KS (mars)",
    flow_run_name=run_name("ekonomirapport-mars"),
    description=("Följ upp ekonomin och åtgärdsplanerna i marsrapporten till kommunstyrelsen."),
)
@fails_in_swedish
def ekonomirapport_mars(
    year: Year = None, as_of: AsOf = None, municipality: MunicipalityCode = None
) -> dict[str, Any]:
    """The committees with a plan in force report on it; plans that did their work close."""
    return economic_report("ekonomirapport-mars", year, as_of, municipality)
