"""Årsredovisning (t.o.m. december) as a Prefect flow."""

from __future__ import annotations

from typing import Any

from prefect import flow

from arshjul.flows.common import AsOf, MunicipalityCode, Year, run_stage
from arshjul.tasks.common import run_name


@flow(
    name="Årsredovisning (t.o.m. december)",
    flow_run_name=run_name("arsredovisning"),
    description=("Begär årets utfall och målbedömningar; skriv årsredovisningen."),
)
def arsredovisning(
    year: Year = None, as_of: AsOf = None, municipality: MunicipalityCode = None
) -> dict[str, Any]:
    """Open what is due, collect, compile what is ready."""
    return run_stage("arsredovisning", year=year, as_of=as_of, municipality=municipality)
