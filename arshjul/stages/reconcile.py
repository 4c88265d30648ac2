"""A stage as a reconciler: open what is due, mark what is ready, compile it.

Running it twice does nothing more: requests are unique per stage and unit,
e-mails per purpose, documents per content. The flows call these steps as
tasks; benchmarks and tests call :func:`reconcile` directly.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from sqlmodel import select

from arshjul.governance import readiness
from arshjul.lifecycle.requests import open_requests, units_asked
from arshjul.models import (
    Municipality,
    OrgUnit,
    StageState,
    SubmissionRequest,
)
from arshjul.settings import Settings
from arshjul.stages.base import OpenExtras, StageContext, stage_context
from arshjul.stages.catalogue import get_spec
from arshjul.timezone import STOCKHOLM


@dataclass
class StageOutcome:
    """What one run of a stage did."""

    slug: str
    year: int
    state: str
    opened: list[str] = field(default_factory=list)
    documents: list[Path] = field(default_factory=list)
    waiting_until: dt.date | None = None


def is_due(ctx: StageContext) -> bool:
    """Has the stage's opening day come?"""
    return ctx.as_of.astimezone(STOCKHOLM).date() >= ctx.stage.opens_on


def units_to_ask(ctx: StageContext) -> list[OrgUnit]:
    """The units the stage asks this year that have no request yet."""
    spec = get_spec(ctx.stage.slug)
    units = (
        spec.units(ctx)
        if spec.units
        else units_asked(
            ctx.session,
            municipality_id=ctx.municipality.id,  # type: ignore[arg-type]
            slug=ctx.stage.slug,
        )
    )
    asked = set(
        ctx.session.exec(
            select(SubmissionRequest.unit_id).where(
                SubmissionRequest.stage_instance_id == ctx.stage.id
            )
        ).all()
    )
    return [u for u in units if u.id not in asked]


def prepare(ctx: StageContext) -> None:
    """The stage's own work before its requests go out (ramar writes its document)."""
    spec = get_spec(ctx.stage.slug)
    if spec.prepare:
        spec.prepare(ctx)


def open_for_units(ctx: StageContext, units: list[OrgUnit]) -> list[str]:
    """Open the requests of some units, each with its e-mail; the names of those opened."""
    from arshjul.forms.registry import asks_for

    if not units:
        return []
    spec = get_spec(ctx.stage.slug)
    extras = spec.extras(ctx) if spec.extras else OpenExtras()
    report = open_requests(
        ctx.session,
        municipality=ctx.municipality,
        stage=ctx.stage,
        as_of=ctx.as_of,
        key=ctx.key,
        units=units,
        asks=spec.asks or tuple(asks_for(ctx.stage.slug)),
        attachments=extras.attachments,
        document_name=extras.document_name,
    )
    return [u.name for u in units if any(r.unit_id == u.id for r in report.created)]


def mark_ready(ctx: StageContext) -> bool:
    """Open the stage when due and mark it ready (governance.readiness)."""
    stage = ctx.stage
    if not is_due(ctx):
        return False
    readiness.open_stage(stage, ctx.as_of)
    if stage.state != StageState.OPEN:
        return stage.state == StageState.READY
    requests = ctx.session.exec(
        select(SubmissionRequest).where(SubmissionRequest.stage_instance_id == stage.id)
    ).all()
    done = readiness.mark_ready(stage, requests, ctx.as_of)
    ctx.session.add(stage)
    ctx.session.flush()
    return done


def compile_stage(ctx: StageContext) -> list[Path]:
    """Write the stage's documents and do what follows from them; once per readiness."""
    spec = get_spec(ctx.stage.slug)
    paths = spec.compile(ctx) if spec.compile else []
    ctx.stage.state = StageState.COMPILED
    ctx.stage.compiled_at = ctx.as_of
    ctx.session.add(ctx.stage)
    ctx.session.flush()
    return paths


def reconcile(
    session_factory,  # type: ignore[no-untyped-def]
    *,
    municipality_code: str,
    year: int,
    slug: str,
    as_of: dt.datetime,
    settings: Settings,
    instance_key: str = "",
) -> StageOutcome:
    """One run of a stage without Prefect: each step in its own transaction."""
    from arshjul.queries.organisation import get_municipality

    def context(session) -> StageContext:  # type: ignore[no-untyped-def]
        municipality: Municipality = get_municipality(session, municipality_code)
        return stage_context(
            session,
            municipality=municipality,
            year=year,
            slug=slug,
            as_of=as_of,
            settings=settings,
            instance_key=instance_key,
        )

    with session_factory() as session:
        ctx = context(session)
        outcome = StageOutcome(slug=slug, year=year, state=ctx.stage.state)
        if not is_due(ctx):
            outcome.waiting_until = ctx.stage.opens_on
            return outcome
        prepare(ctx)
        outcome.opened = open_for_units(ctx, units_to_ask(ctx))
    with session_factory() as session:
        ctx = context(session)
        if mark_ready(ctx) and ctx.stage.state == StageState.READY:
            outcome.documents = compile_stage(ctx)
        outcome.state = ctx.stage.state
    return outcome
