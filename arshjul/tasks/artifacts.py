"""What a manager sees of a stage in the Prefect UI: tables and links with stable keys.

Keys may hold lowercase letters, digits and dashes only (PREFECT.md), so they
are built from the slug, the year and the municipality code.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from prefect.artifacts import create_markdown_artifact, create_table_artifact
from sqlalchemy import Engine
from sqlmodel import select

from arshjul.formats import format_datetime, format_percent, format_tkr
from arshjul.tasks.common import STOCKHOLM


def publish_stage_artifacts(
    engine: Engine, *, code: str, year: int, slug: str, as_of: dt.datetime
) -> None:
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
            return
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
    if requests:
        create_table_artifact(
            key=f"{prefix}-begaranden",
            table=[
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
    if deviations:
        create_table_artifact(
            key=f"{prefix}-avvikelser",
            table=[
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
    if documents:
        lines = [f"# Dokument: {name} {year}", ""]
        for doc in documents:
            path = Path(doc.path)
            lines.append(
                f"- [{doc.title} (version {doc.version})]({path.resolve().as_uri()}) — `{path}`"
            )
        create_markdown_artifact(
            key=f"{prefix}-dokument",
            markdown="\n".join(lines),
            description=f"{name} {year}, {municipality.name}: skrivna dokument",
        )
