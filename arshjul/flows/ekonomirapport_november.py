"""Ekonomirapport till KS (november) as a Prefect flow (the process: flows/ekonomirapport.py)."""

from __future__ import annotations

from typing import Any

from prefect import flow

from arshjul.flows.common import AsOf, MunicipalityCode, Year, fails_in_swedish
from arshjul.flows.ekonomirapport import economic_report
from arshjul.tasks.common import run_name


@flow(
    name="Ekonomirapport till KS (november)",
    flow_run_name=run_name("ekonomirapport-november"),
    description=("Följ upp ekonomin och åtgärdsplanerna i novemberrapporten till kommunstyrelsen."),
)
@fails_in_swedish
def ekonomirapport_november(
    year: Year = None, as_of: AsOf = None, municipality: MunicipalityCode = None
) -> dict[str, Any]:
    """The committees with a plan in force report on it; plans that did their work close."""
    return economic_report("ekonomirapport-november", year, as_of, municipality)
