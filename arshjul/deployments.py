"""Every flow as a deployment, for `arshjul serve` (prefect.yaml says the same for workers)."""

from __future__ import annotations

import importlib
from typing import Any

from arshjul.calendar.stages import STAGES
from arshjul.timezone import TIMEZONE_NAME

WATCH_CRON = "0 7 * * 1-5"
TIMEZONE = TIMEZONE_NAME


def flow_for(slug: str) -> Any:
    """The flow object of a stage (or of the watch, ``bevakning``)."""
    module = slug.replace("-", "_")
    return getattr(importlib.import_module(f"arshjul.flows.{module}"), module)


def runner_deployments() -> list[Any]:
    """One deployment per stage and the daily watch, each one run at a time."""
    from prefect.schedules import Cron

    watch = flow_for("bevakning").to_deployment(
        name="bevakning",
        schedules=[Cron(WATCH_CRON, timezone=TIMEZONE)],
        concurrency_limit=1,
        tags=["arshjul", "bevakning"],
        description="Den dagliga bevakningen, varje arbetsdag kl. 07.00.",
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
    return [watch, *stages]
