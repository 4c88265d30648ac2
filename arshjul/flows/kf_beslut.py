"""KF beslut om Strategisk och ekonomisk plan as a Prefect flow."""

from __future__ import annotations

from typing import Any

from prefect import flow

from arshjul.flows.common import AsOf, MunicipalityCode, Year, run_stage
from arshjul.tasks.common import run_name


@flow(
    name="KF beslut om Strategisk och ekonomisk plan",
    flow_run_name=run_name("kf-beslut"),
    description=(
        "Skriv planen inför fullmäktiges beslut; efter beslutet meddelas nämnderna och "
        "deras budgetarbete öppnas."
    ),
)
def kf_beslut(
    year: Year = None, as_of: AsOf = None, municipality: MunicipalityCode = None
) -> dict[str, Any]:
    """Open what is due, collect, compile what is ready."""
    return run_stage("kf-beslut", year=year, as_of=as_of, municipality=municipality)
