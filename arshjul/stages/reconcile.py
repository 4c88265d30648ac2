"""A stage as a reconciler: open what is due, mark what is ready, compile it.

Running it twice does nothing more: requests are unique per stage and unit,
e-mails per purpose, documents per content. The steps of :mod:`arshjul.tasks.stage`
call these, and each stage's flow puts those steps in order.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from sqlmodel import select

from arshjul.forms.registry import asks_for
from arshjul.governance import readiness
from arshjul.lifecycle.requests import open_requests, units_asked
from arshjul.models import (
    OrgUnit,
    StageState,
    SubmissionRequest,
)
from arshjul.stages.base import OpenExtras, StageContext
from arshjul.stages.catalogue import get_spec
from arshjul.timezone import STOCKHOLM


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

    if not units:
        return []
    spec = get_spec(ctx.stage.slug)
    extras = spec.extras(ctx) if spec.extras else OpenExtras()
    report = open_requests(
        ctx.session,
        municipality=ctx.municipality,
        stage=ctx.stage,
        as_of=ctx.as_of,
        link_key=ctx.link_key,
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


def compile_stage(
    ctx: StageContext, write: Callable[[StageContext], list[Path]] | None
) -> list[Path]:
    """Write the stage's documents and mark it compiled; once per readiness."""
    paths = write(ctx) if write else []
    ctx.stage.state = StageState.COMPILED
    ctx.stage.compiled_at = ctx.as_of
    ctx.session.add(ctx.stage)
    ctx.session.flush()
    return paths
