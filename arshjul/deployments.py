"""Every flow as a deployment, for `arshjul serve` (prefect.yaml says the same for workers)."""

from __future__ import annotations

import importlib
from typing import Any

from arshjul.calendar.stages import STAGES
from arshjul.timezone import TIMEZONE_NAME

WATCH_CRON = "0 7 * * 1-5"
# Kolada publishes new figures a few times a year, on no fixed day; a monthly fetch at
# night keeps the reports at most a month behind without asking a public service daily.
KOLADA_CRON = "0 5 2 * *"
TIMEZONE = TIMEZONE_NAME


def flow_for(slug: str) -> Any:
    """The flow object of a stage (or of the watch, ``bevakning``)."""
    module = slug.replace("-", "_")
    return getattr(importlib.import_module(f"arshjul.flows.{module}"), module)


def import_flow(module: str, name: str) -> Any:
    """A flow that is no stage (its module and name differ from a slug)."""
    return getattr(importlib.import_module(module), name)


def runner_deployments() -> list[Any]:
    """One deployment per stage, the daily watch and the monthly Kolada fetch, each one run
    at a time."""
    from prefect.schedules import Cron

    watch = flow_for("bevakning").to_deployment(
        name="bevakning",
        schedules=[Cron(WATCH_CRON, timezone=TIMEZONE)],
        concurrency_limit=1,
        tags=["arshjul", "bevakning"],
        description="Den dagliga bevakningen, varje arbetsdag kl. 07.00.",
    )
    kolada = import_flow("arshjul.flows.kolada", "kolada").to_deployment(
        name="kolada-hamtning",
        schedules=[Cron(KOLADA_CRON, timezone=TIMEZONE)],
        concurrency_limit=1,
        tags=["arshjul", "kolada"],
        description="Nyckeltalen från Kolada, den 2:a varje månad kl. 05.00.",
    )
    stages = [
        flow_for(stage.slug).to_deployment(
            name=stage.slug,
            concurrency_limit=1,
            tags=["arshjul", stage.process, stage.slug],
            description=stage.name,
        )
        for stage in STAGES
    ]
    return [watch, kolada, *stages]
