"""Åtgärdsplan as a Prefect flow."""

from __future__ import annotations

from typing import Any

from prefect import flow

from arshjul.flows.common import AsOf, MunicipalityCode, Year, run_stage
from arshjul.tasks.common import run_name
from arshjul.tasks.stage import action_plan_keys


@flow(
    name="Åtgärdsplan",
    flow_run_name=run_name("atgardsplan"),
    description=(
        "Samla in och följ upp nämndernas åtgärdsplaner för avvikelser över tröskelvärdet."
    ),
)
def atgardsplan(
    year: Year = None, as_of: AsOf = None, municipality: MunicipalityCode = None
) -> dict[str, Any]:
    """Open what is due, collect, compile what is ready."""
    return run_stage(
        "atgardsplan",
        year=year,
        as_of=as_of,
        municipality=municipality,
        instance_keys=action_plan_keys(year, as_of, municipality),
    )
