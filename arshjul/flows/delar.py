"""Delårsrapport (t.o.m. augusti) as a Prefect flow."""

from __future__ import annotations

from typing import Any

from prefect import flow

from arshjul.flows.common import AsOf, MunicipalityCode, Year, run_stage
from arshjul.tasks.common import run_name


@flow(
    name="Delårsrapport (t.o.m. augusti)",
    flow_run_name=run_name("delar"),
    description=(
        "Begär prognos och målbedömningar efter augusti; skriv delårsrapporten till fullmäktige."
    ),
)
def delar(
    year: Year = None, as_of: AsOf = None, municipality: MunicipalityCode = None
) -> dict[str, Any]:
    """Open what is due, collect, compile what is ready."""
    return run_stage("delar", year=year, as_of=as_of, municipality=municipality)
