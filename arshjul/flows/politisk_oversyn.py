"""Översyn av politisk organisation och politiskt program as a Prefect flow."""

from __future__ import annotations

from typing import Any

from prefect import flow

from arshjul.flows.common import AsOf, MunicipalityCode, Year, run_stage
from arshjul.tasks.common import run_name


@flow(
    name="Översyn av politisk organisation och politiskt program",
    flow_run_name=run_name("politisk-oversyn"),
    description=(
        "Sammanställ översynen av den politiska organisationen och programmet inför den "
        "nya mandatperioden (valår)."
    ),
)
def politisk_oversyn(
    year: Year = None, as_of: AsOf = None, municipality: MunicipalityCode = None
) -> dict[str, Any]:
    """Open what is due, collect, compile what is ready."""
    return run_stage("politisk-oversyn", year=year, as_of=as_of, municipality=municipality)
