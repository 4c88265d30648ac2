"""KS beslut om Strategisk och ekonomisk plan as a Prefect flow."""

from __future__ import annotations

from typing import Any

from prefect import flow

from arshjul.flows.common import AsOf, MunicipalityCode, Year, run_stage
from arshjul.tasks.common import run_name


@flow(
    name="KS beslut om Strategisk och ekonomisk plan",
    flow_run_name=run_name("ks-beslut"),
    description=(
        "Skriv förslaget till Strategisk och ekonomisk plan inför kommunstyrelsens beslut."
    ),
)
def ks_beslut(
    year: Year = None, as_of: AsOf = None, municipality: MunicipalityCode = None
) -> dict[str, Any]:
    """Open what is due, collect, compile what is ready."""
    return run_stage("ks-beslut", year=year, as_of=as_of, municipality=municipality)
