"""Preliminära ramar och anvisningar as a Prefect flow."""

from __future__ import annotations

from typing import Any

from prefect import flow

from arshjul.flows.common import AsOf, MunicipalityCode, Year, run_stage
from arshjul.tasks.common import run_name


@flow(
    name="Preliminära ramar och anvisningar",
    flow_run_name=run_name("ramar"),
    description=(
        "Räkna fram preliminära ramar, skriv anvisningarna och skicka dem med begäran om "
        "nämndernas analyser."
    ),
)
def ramar(
    year: Year = None, as_of: AsOf = None, municipality: MunicipalityCode = None
) -> dict[str, Any]:
    """Open what is due, collect, compile what is ready."""
    return run_stage("ramar", year=year, as_of=as_of, municipality=municipality)
