"""What a manager sees of a stage in the Prefect UI: tables and links with stable keys.

Keys may hold lowercase letters, digits and dashes only (PREFECT.md), so they
are built from the slug, the year and the municipality code.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine
from sqlmodel import col, select

from arshjul.formats import format_datetime, format_percent, format_tkr
from arshjul.lifecycle.overview import DOCUMENT_PATH
from arshjul.lifecycle.status import request_statuses
from arshjul.mail.address import addresses
from arshjul.mail.outbox import waiting
from arshjul.models import Cycle, Deviation, GeneratedDocument, OrgUnit, StageInstance
from arshjul.models.cycle import STAGE_STATE_SV, StageState
from arshjul.models.db import session_scope
from arshjul.queries.organisation import get_municipality
from arshjul.settings import Settings, get_settings
from arshjul.timezone import STOCKHOLM

if TYPE_CHECKING:
    from arshjul.mail.outbox import Waiting

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


@dataclass(frozen=True)
class StageView:
    """What one municipality's stage shows: its requests, deviations and documents."""

    municipality: str
    code: str
    name: str
    states: frozenset[str]
    requests: list[dict[str, Any]]
    deviations: list[dict[str, Any]]
    documents: list[str]
    mail_failed: list[tuple[str, str]]
    waiting: Waiting


def mail_markdown(title: str, failed: list[tuple[str, str]], waiting: Waiting) -> str:
    """Requests whose e-mail was refused (who, why) and what still waits, as markdown."""
    lines = [f"# {title}", ""]
    if failed:
        lines += [f"**E-post misslyckades: {len(failed)}**", ""]
        lines += [f"- {who}: {why}" for who, why in failed]
        lines.append("")
    else:
        lines += ["Ingen begäran har e-post som inte kom fram.", ""]
    lines.append(f"**{waiting.line()}**" if waiting.count else waiting.line())
    return "\n".join(lines)


def stage_view(
    engine: Engine,
    *,
    code: str,
    year: int,
    slug: str,
    as_of: dt.datetime,
    settings: Settings | None = None,
) -> StageView | None:
    """One municipality's stage as rows for the UI; None before the stage exists.

    Document links go to the portal's staff page (``/personal/dokument/ID``) at
    the municipality's portal address: a manager's browser opens no ``file://``
    path on the server.
    """

    with session_scope(engine) as session:
        municipality = get_municipality(session, code)
        assert municipality.id is not None
        portal = addresses(session.connection(), settings or get_settings(), [municipality.id])
        base = portal[municipality.id].url.rstrip("/")
        stages = session.exec(
            select(StageInstance)
            .join(Cycle, col(Cycle.id) == StageInstance.cycle_id)
            .where(Cycle.municipality_id == municipality.id, Cycle.year == year)
            .where(StageInstance.slug == slug)
        ).all()
        if not stages:
            return None
        requests = [
            r
            for s in stages
            for r in request_statuses(session, as_of=as_of, stage_instance_id=s.id)
        ]
        deviations = session.exec(
            select(Deviation, OrgUnit)
            .join(OrgUnit, col(OrgUnit.id) == Deviation.unit_id)
            .where(col(Deviation.stage_instance_id).in_([s.id for s in stages]))
            .order_by(col(OrgUnit.sort_order))
        ).all()
        documents = session.exec(
            select(GeneratedDocument)
            .where(GeneratedDocument.stage_instance_id.in_([s.id for s in stages]))  # type: ignore[attr-defined]
            .order_by(col(GeneratedDocument.version))
        ).all()
        queued = waiting(session, as_of=as_of, municipality_id=municipality.id)
        return StageView(
            municipality=municipality.name,
            code=code,
            name=stages[0].name,
            states=frozenset(STAGE_STATE_SV[StageState(s.state)] for s in stages),
            requests=[
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
            deviations=[
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
            documents=[
                f"- [{doc.title} (version {doc.version})]"
                f"({base}{DOCUMENT_PATH.format(id=doc.id)}) — på servern: `{doc.path}`"
                + (f"\n  - saknas: {'; '.join(doc.missing)}" if doc.missing else "")
                for doc in documents
            ],
            mail_failed=[
                (r.unit, r.mail_error) for r in requests if r.mail_failed and r.state == "open"
            ],
            waiting=queued,
        )


def _artifacts(
    *,
    prefix: str,
    where: str,
    states: frozenset[str],
    requests: list[dict[str, Any]],
    deviations: list[dict[str, Any]],
    documents: list[str],
    mail: str = "",
) -> list[Artifact]:
    """The request table, the deviation table, the document list and the e-mail state."""
    found: list[Artifact] = []
    if requests:
        found.append(
            Artifact(
                "table",
                key=f"{prefix}-begaranden",
                content=requests,
                description=f"{where}: begäranden om underlag ({', '.join(sorted(states))})",
            )
        )
    if deviations:
        found.append(
            Artifact(
                "table",
                key=f"{prefix}-avvikelser",
                content=deviations,
                description=f"{where}: avvikelse = budget − prognos",
            )
        )
    if documents:
        found.append(
            Artifact(
                "markdown",
                key=f"{prefix}-dokument",
                content="\n".join(documents),
                description=f"{where}: skrivna dokument",
            )
        )
    if mail:
        # Published even when all is well: the key's latest version must not go on
        # showing a refusal or an outage that has since been put right.
        found.append(
            Artifact(
                "markdown",
                key=f"{prefix}-e-post",
                content=mail,
                description=f"{where}: e-post som inte kom fram eller väntar",
            )
        )
    return found


def stage_artifacts(view: StageView, *, year: int, slug: str) -> list[Artifact]:
    """One municipality's request table, deviation table and documents."""
    heading = [f"# Dokument: {view.name} {year}", ""]
    return _artifacts(
        prefix=f"{slug}-{year}-{view.code}",
        where=f"{view.name} {year}, {view.municipality}",
        states=view.states,
        requests=view.requests,
        deviations=view.deviations,
        documents=[*heading, *view.documents] if view.documents else [],
        mail=mail_markdown(f"E-post: {view.name} {year}", view.mail_failed, view.waiting),
    )


def combined_stage_artifacts(views: list[StageView], *, year: int, slug: str) -> list[Artifact]:
    """The same three for a run over several municipalities, each row naming its municipality.

    One table per kind instead of one per municipality: an artifact is a round
    trip the server answers in about 25 ms, and three per municipality made
    fifty municipalities wait 4–5 s (bench/tertial_scale.md).
    """
    if not views:
        return []
    documents: list[str] = []
    mail: list[str] = []
    for view in views:
        if view.documents:
            documents += ["", f"## {view.municipality}", "", *view.documents]
        # Each municipality a section under the one heading.
        mail += ["", "#" + mail_markdown(view.municipality, view.mail_failed, view.waiting)]
    return _artifacts(
        prefix=f"{slug}-{year}-alla",
        where=f"{views[0].name} {year}, {len(views)} {'kommun' if len(views) == 1 else 'kommuner'}",
        states=frozenset().union(*(v.states for v in views)),
        requests=[{"Kommun": v.municipality, **row} for v in views for row in v.requests],
        deviations=[{"Kommun": v.municipality, **row} for v in views for row in v.deviations],
        documents=[f"# Dokument: {views[0].name} {year}", *documents] if documents else [],
        mail="\n".join([f"# E-post: {views[0].name} {year}", *mail]),
    )


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


def publish(artifacts: list[Artifact]) -> None:
    """Publish them from a task or a flow, a few at a time."""
    from prefect.utilities.asyncutils import run_coro_as_sync

    # Prefect's own bridge: it copies the run context (so the artifacts belong
    # to this task run) and works whether or not a loop runs in this thread.
    run_coro_as_sync(_publish(artifacts))


def publish_stage_artifacts(
    engine: Engine,
    settings: Settings,
    *,
    codes: list[str],
    year: int,
    slug: str,
    as_of: dt.datetime,
) -> int:
    """Publish the stage's artifacts for the municipalities of a run; how many.

    A run over one municipality gets keys of its own (``tertial-2027-1984-…``);
    a run over several gets one set for all (``tertial-2027-alla-…``).
    """
    views = [
        view
        for code in codes
        if (
            view := stage_view(
                engine, code=code, year=year, slug=slug, as_of=as_of, settings=settings
            )
        )
    ]
    if len(codes) == 1:
        artifacts = [a for view in views for a in stage_artifacts(view, year=year, slug=slug)]
    else:
        artifacts = combined_stage_artifacts(views, year=year, slug=slug)
    publish(artifacts)
    return len(artifacts)


def publish_mail_artifacts(engine: Engine, *, codes: list[str], as_of: dt.datetime) -> int:
    """The watch's e-mail state per municipality (``e-post-1984``); how many were published."""

    artifacts = []
    with session_scope(engine) as session:
        for code in codes:
            municipality = get_municipality(session, code)
            rows = request_statuses(
                session, as_of=as_of, municipality_id=municipality.id, only_open=True
            )
            failed = [
                (f"{r.unit}, {r.stage_name} {r.year}", r.mail_error) for r in rows if r.mail_failed
            ]
            queued = waiting(session, as_of=as_of, municipality_id=municipality.id)
            artifacts.append(
                Artifact(
                    "markdown",
                    key=f"e-post-{code}",
                    content=mail_markdown(f"E-post: {municipality.name}", failed, queued),
                    description=f"E-post i {municipality.name} den {as_of:%Y-%m-%d}",
                )
            )
    publish(artifacts)
    return len(artifacts)
