"""What a manager sees of a stage in the Prefect UI: tables and links with stable keys.

Keys may hold lowercase letters, digits and dashes only (PREFECT.md), so they
are built from the slug, the year and the municipality code.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlmodel import select

from arshjul.formats import format_datetime, format_percent, format_tkr
from arshjul.tasks.common import STOCKHOLM

# Artifacts in flight at once: enough to overlap the round trips, few enough
# not to queue at a server on SQLite.
CONCURRENT_ARTIFACTS = 8


@dataclass(frozen=True)
class Artifact:
    """One artifact to publish: a table (rows) or markdown (text)."""

    kind: str
    key: str
    content: Any
    description: str


def stage_artifacts(
    engine: Engine, *, code: str, year: int, slug: str, as_of: dt.datetime
) -> list[Artifact]:
    """The request table, the deviation table and the documents of one stage."""
    from arshjul.lifecycle.context import get_municipality
    from arshjul.lifecycle.status import request_statuses
    from arshjul.models import Cycle, Deviation, GeneratedDocument, OrgUnit, StageInstance
    from arshjul.models.cycle import STAGE_STATE_SV, StageState
    from arshjul.models.db import session_scope

    with session_scope(engine) as session:
        municipality = get_municipality(session, code)
        stages = session.exec(
            select(StageInstance)
            .join(Cycle, Cycle.id == StageInstance.cycle_id)
            .where(Cycle.municipality_id == municipality.id, Cycle.year == year)
            .where(StageInstance.slug == slug)
        ).all()
        if not stages:
            return []
        name = stages[0].name
        requests = [
            r
            for s in stages
            for r in request_statuses(session, as_of=as_of, stage_instance_id=s.id)
        ]
        deviations = session.exec(
            select(Deviation, OrgUnit)
            .join(OrgUnit, OrgUnit.id == Deviation.unit_id)
            .where(Deviation.stage_instance_id.in_([s.id for s in stages]))  # type: ignore[union-attr]
            .order_by(OrgUnit.sort_order)
        ).all()
        documents = session.exec(
            select(GeneratedDocument)
            .where(GeneratedDocument.stage_instance_id.in_([s.id for s in stages]))  # type: ignore[attr-defined]
            .order_by(GeneratedDocument.version)
        ).all()
        state = ", ".join(sorted({STAGE_STATE_SV[StageState(s.state)] for s in stages}))
    prefix = f"{slug}-{year}-{code}"
    found: list[Artifact] = []
    if requests:
        found.append(
            Artifact(
                "table",
                key=f"{prefix}-begaranden",
                content=[
                    {
                        "Enhet": r.unit,
                        "Sista dag": format_datetime(r.deadline.astimezone(STOCKHOLM)),
                        "Status": r.state_sv,
                        "Versioner": r.versions,
                        "Inlämnad": format_datetime(r.submitted_at.astimezone(STOCKHOLM))
                        if r.submitted_at
                        else "",
                        "Arbetsdagar sen": r.working_days_late,
                    }
                    for r in requests
                ],
                description=f"{name} {year}, {municipality.name}: begäranden om underlag ({state})",
            )
        )
    if deviations:
        found.append(
            Artifact(
                "table",
                key=f"{prefix}-avvikelser",
                content=[
                    {
                        "Nämnd": unit.name,
                        "Budget (tkr)": format_tkr(d.budget_kr, unit=False),
                        "Prognos (tkr)": format_tkr(d.forecast_kr, unit=False),
                        "Avvikelse (tkr)": format_tkr(d.deviation_kr, unit=False),
                        "Avvikelse (%)": format_percent(d.deviation_kr / d.budget_kr)
                        if d.budget_kr
                        else "",
                        "Över tröskeln": "ja" if d.beyond_threshold else "nej",
                    }
                    for d, unit in deviations
                ],
                description=f"{name} {year}, {municipality.name}: avvikelse = budget − prognos",
            )
        )
    if documents:
        lines = [f"# Dokument: {name} {year}", ""]
        for doc in documents:
            path = Path(doc.path)
            lines.append(
                f"- [{doc.title} (version {doc.version})]({path.resolve().as_uri()}) — `{path}`"
            )
        found.append(
            Artifact(
                "markdown",
                key=f"{prefix}-dokument",
                content="\n".join(lines),
                description=f"{name} {year}, {municipality.name}: skrivna dokument",
            )
        )
    return found


async def _publish(artifacts: list[Artifact]) -> None:
    """Send them a few at a time: each is a round trip the server may answer late."""
    from prefect.artifacts import acreate_markdown_artifact, acreate_table_artifact

    gate = asyncio.Semaphore(CONCURRENT_ARTIFACTS)

    async def one(artifact: Artifact) -> None:
        async with gate:
            if artifact.kind == "table":
                await acreate_table_artifact(
                    key=artifact.key, table=artifact.content, description=artifact.description
                )
            else:
                await acreate_markdown_artifact(
                    key=artifact.key, markdown=artifact.content, description=artifact.description
                )

    await asyncio.gather(*(one(a) for a in artifacts))


def publish_stage_artifacts(
    engine: Engine, *, codes: list[str], year: int, slug: str, as_of: dt.datetime
) -> int:
    """Publish the stage's artifacts for every municipality of a run; how many."""
    artifacts = [
        a
        for code in codes
        for a in stage_artifacts(engine, code=code, year=year, slug=slug, as_of=as_of)
    ]
    from prefect.utilities.asyncutils import run_coro_as_sync

    # Prefect's own bridge: it copies the run context (so the artifacts belong
    # to this task run) and works whether or not a loop runs in this thread.
    run_coro_as_sync(_publish(artifacts))
    return len(artifacts)
