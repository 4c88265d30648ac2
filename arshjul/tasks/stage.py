"""A stage's steps as Prefect tasks: prepare, one request per unit, compile, publish.

Each task opens its own transaction, so a crash loses at most the step it was
in, and a rerun of the flow picks up where the database says it stands.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from arshjul.stages.base import StageContext
from arshjul.tasks.common import engine_and_settings


@contextmanager
def _stage(code: str, year: int, slug: str, as_of: dt.datetime, key: str) -> Iterator[StageContext]:
    from arshjul.models.db import session_scope
    from arshjul.queries.organisation import get_municipality
    from arshjul.stages.base import stage_context

    engine, settings = engine_and_settings()
    with session_scope(engine) as session:
        municipality = get_municipality(session, code)
        yield stage_context(
            session,
            municipality=municipality,
            year=year,
            slug=slug,
            as_of=as_of,
            settings=settings,
            instance_key=key,
        )


@task(name="Förbered skedet", task_run_name="förbered-{slug}-{year}", cache_policy=NO_CACHE)
def prepare_stage(
    code: str, year: int, slug: str, as_of: dt.datetime, instance_key: str = ""
) -> dict[str, Any]:
    """Create the stage instance; when it is due, do its own preparation; list whom to ask."""
    from arshjul.stages import reconcile

    with _stage(code, year, slug, as_of, instance_key) as ctx:
        if not reconcile.is_due(ctx):
            return {"due": False, "opens_on": ctx.stage.opens_on.isoformat(), "units": []}
        reconcile.prepare(ctx)
        units = [(u.key, u.name) for u in reconcile.units_to_ask(ctx)]
        return {"due": True, "name": ctx.stage.name, "units": units}


@task(name="Begär underlag", task_run_name="begäran-{unit_name}", cache_policy=NO_CACHE)
def open_request(
    code: str,
    year: int,
    slug: str,
    as_of: dt.datetime,
    unit_key: str,
    unit_name: str,
    instance_key: str = "",
) -> bool:
    """One unit's request and its e-mail, in one transaction."""
    from sqlmodel import select

    from arshjul.models import OrgUnit
    from arshjul.stages import reconcile

    with _stage(code, year, slug, as_of, instance_key) as ctx:
        unit = ctx.session.exec(
            select(OrgUnit).where(
                OrgUnit.municipality_id == ctx.municipality.id, OrgUnit.key == unit_key
            )
        ).one()
        opened = reconcile.open_for_units(ctx, [unit])
    if opened:
        get_run_logger().info("Begäran om underlag till %s är köad för utskick", unit_name)
    return bool(opened)


@task(
    name="Begär underlag från kommunen",
    task_run_name="begäran-{slug}-{code}",
    cache_policy=NO_CACHE,
)
def open_requests_for(
    code: str, year: int, slug: str, as_of: dt.datetime, instance_key: str = ""
) -> dict[str, Any]:
    """A municipality's whole opening in one task: preparation and every unit's request.

    For runs over many municipalities, where a task per unit would cost Prefect
    more than the unit's own work (bench/tertial_scale.md). One transaction, as
    when called directly: a crash undoes this municipality's openings of this
    run, and the next run redoes them (a request is unique per stage and unit).
    """
    from arshjul.stages import reconcile

    with _stage(code, year, slug, as_of, instance_key) as ctx:
        if not reconcile.is_due(ctx):
            return {"due": False, "opens_on": ctx.stage.opens_on.isoformat(), "opened": []}
        reconcile.prepare(ctx)
        opened = reconcile.open_for_units(ctx, reconcile.units_to_ask(ctx))
        name = ctx.municipality.name
    if opened:
        get_run_logger().info(
            "%s: begäran om underlag köad för utskick till %s", name, ", ".join(opened)
        )
    return {"due": True, "opened": opened}


@task(name="Sammanställ skedet", task_run_name="sammanställ-{slug}-{year}", cache_policy=NO_CACHE)
def compile_stage(
    code: str, year: int, slug: str, as_of: dt.datetime, instance_key: str = ""
) -> dict[str, Any]:
    """Mark the stage ready when all is in or the grace is over, then write its documents."""
    from arshjul.stages import reconcile

    logger = get_run_logger()
    with _stage(code, year, slug, as_of, instance_key) as ctx:
        documents = []
        if reconcile.mark_ready(ctx) and ctx.stage.state == "ready":
            try:
                documents = [str(p) for p in reconcile.compile_stage(ctx)]
            except Exception:
                logger.exception(
                    "Sammanställningen av %s %d för %s misslyckades",
                    ctx.stage.name,
                    year,
                    ctx.municipality.name,
                )
                raise
        state = ctx.stage.state
        missing = list(dict.fromkeys(ctx.missing))
    for path in documents:
        logger.info("Dokument skrivet: %s", path)
    for what in missing:
        logger.warning("Saknas i underlaget: %s", what)
    return {"state": state, "documents": documents, "missing": missing}


@task(name="Publicera skedets läge", task_run_name="läget-{slug}-{year}", cache_policy=NO_CACHE)
def publish_stage(codes: list[str], year: int, slug: str, as_of: dt.datetime) -> int:
    """Artifacts with stable keys: requests, deviations and documents.

    Per municipality for a run over one; one set for all (``…-alla-…``) for a
    run over several, overwritten by the next such run whatever its
    municipalities.
    """
    from arshjul.tasks.artifacts import publish_stage_artifacts

    engine, _ = engine_and_settings()
    return publish_stage_artifacts(engine, codes=codes, year=year, slug=slug, as_of=as_of)


def action_plan_keys(
    year: int | None, as_of: dt.datetime | dt.date | None, municipality: str | None
) -> list[str]:
    """The action plans opened so far this year (one stage instance per unit)."""
    from sqlmodel import select

    from arshjul.models import Cycle, Municipality, StageInstance
    from arshjul.models.db import session_scope
    from arshjul.tasks.common import resolve_as_of

    engine, _ = engine_and_settings()
    year = year or resolve_as_of(as_of).year
    with session_scope(engine) as session:
        statement = (
            select(StageInstance.instance_key)
            .join(Cycle, Cycle.id == StageInstance.cycle_id)
            .join(Municipality, Municipality.id == Cycle.municipality_id)
            .where(StageInstance.slug == "atgardsplan", Cycle.year == year)
        )
        if municipality:
            statement = statement.where(Municipality.code == municipality)
        return sorted(set(session.exec(statement).all()))
