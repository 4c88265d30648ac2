"""Tertialuppföljning (t.o.m. april) as a Prefect flow."""

from __future__ import annotations

from typing import Any

from prefect import flow

from arshjul.flows.common import AsOf, MunicipalityCode, Year, run_stage
from arshjul.tasks.common import run_name


@flow(
    name="Tertialuppföljning (t.o.m. april)",
    flow_run_name=run_name("tertial"),
    description=(
        "Begär nämndernas helårsprognos efter april; beräkna avvikelser, eskalera, begär "
        "åtgärdsplaner, skriv tertialuppföljningen."
    ),
)
def tertial(
    year: Year = None, as_of: AsOf = None, municipality: MunicipalityCode = None
) -> dict[str, Any]:
    """Open what is due, collect, compile what is ready."""
    return run_stage("tertial", year=year, as_of=as_of, municipality=municipality)
