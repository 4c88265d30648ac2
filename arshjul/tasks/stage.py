"""The steps every stage shares, as tasks: open, check readiness, do a stage's own step, publish.

A flow puts them in its stage's order, with the stage's own steps between them
(:func:`stage_step`, :func:`document_step`). Each step opens one transaction
per municipality, so a crash loses at most the step it was in, and a rerun of
the flow picks up where the database says it stands.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlmodel import col, select

from arshjul.errors import ArshjulError
from arshjul.models import Cycle, Municipality, OrgUnit, StageInstance, StageState
from arshjul.models.db import session_scope
from arshjul.queries.organisation import get_municipality
from arshjul.stages import reconcile
from arshjul.stages.base import StageContext, stage_context
from arshjul.tasks.artifacts import publish_stage_artifacts
from arshjul.tasks.common import engine_and_settings, resolve_as_of
from arshjul.tasks.overview import publish_overviews
from arshjul.tasks.step import Step, step, step_logger, without_a_server

# Up to this many municipalities in a run, each committee's request is a task of its own.
UNIT_TASKS_UP_TO_MUNICIPALITIES = 1


@dataclass(frozen=True)
class StageRun:
    """One run of a stage: which stage, the moment it acts as of, and whom it covers."""

    slug: str
    year: int
    as_of: dt.datetime
    codes: tuple[str, ...]
    # Several instances of one stage in a year: an action plan per committee.
    instance_keys: tuple[str, ...] = ("",)

    @property
    def instances(self) -> list[tuple[str, str]]:
        return [(code, key) for code in self.codes for key in self.instance_keys]


@dataclass
class Readiness:
    """Each instance's state after the readiness check, those ready to compile, and the
    opening day of those not yet due."""

    states: dict[tuple[str, str], str] = field(default_factory=dict)
    ready: list[tuple[str, str]] = field(default_factory=list)
    opens_on: dict[tuple[str, str], dt.date] = field(default_factory=dict)


def begin_stage(
    slug: str,
    year: int | None,
    as_of: dt.datetime | dt.date | None,
    municipality: str | None,
    instance_keys: list[str] | None = None,
) -> StageRun:
    """The run's moment, year and municipalities; the flow run tagged for the UI's filters."""
    moment = resolve_as_of(as_of)
    year = year or moment.year
    codes = tuple(municipality_codes(municipality))
    tag_flow_run("arshjul", str(year), slug, *(f"kommun-{code}" for code in codes))
    return StageRun(slug, year, moment, codes, tuple(instance_keys or [""]))


def municipality_codes(code: str | None) -> list[str]:
    """The municipalities a run covers: the one named, else every one in the database."""
    if code:
        return [code]
    engine, _ = engine_and_settings()
    with session_scope(engine) as session:
        return [m.code for m in session.exec(select(Municipality).order_by(Municipality.code))]


def tag_flow_run(*names: str) -> None:
    """Tags on this flow run, for the UI's filters (year, stage, municipality).

    Not ``with prefect.tags(...)``: Prefect copies those onto every task run, and a
    task run with tags asks the server for concurrency slots before it starts, one
    more round trip per task (bench/tertial_scale.md).
    """
    from prefect.client.orchestration import get_client
    from prefect.context import FlowRunContext

    context = FlowRunContext.get()
    if context is None or context.flow_run is None:
        return
    wanted = sorted(set(context.flow_run.tags or ()) | set(names))
    with get_client(sync_client=True) as client:
        client.update_flow_run(context.flow_run.id, tags=wanted)


@contextmanager
def _stage(code: str, year: int, slug: str, as_of: dt.datetime, key: str) -> Iterator[StageContext]:
    engine, settings = engine_and_settings()
    with session_scope(engine) as session:
        yield stage_context(
            session,
            municipality=get_municipality(session, code),
            year=year,
            slug=slug,
            as_of=as_of,
            settings=settings,
            instance_key=key,
        )


# --------------------------------------------------------------------------- opening
@step("Förbered skedet", "förbered-{slug}-{year}")
def prepare_stage(
    code: str, year: int, slug: str, as_of: dt.datetime, instance_key: str = ""
) -> dict[str, Any]:
    """Create the stage instance; when it is due, do its own preparation; list whom to ask."""
    with _stage(code, year, slug, as_of, instance_key) as ctx:
        if not reconcile.is_due(ctx):
            return {"due": False, "opens_on": ctx.stage.opens_on.isoformat(), "units": []}
        reconcile.prepare(ctx)
        units = [(u.key, u.name) for u in reconcile.units_to_ask(ctx)]
        return {"due": True, "name": ctx.stage.name, "units": units}


@step("Begär underlag", "begäran-{unit_name}")
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
    with _stage(code, year, slug, as_of, instance_key) as ctx:
        unit = ctx.session.exec(
            select(OrgUnit).where(
                OrgUnit.municipality_id == ctx.municipality.id, OrgUnit.key == unit_key
            )
        ).one()
        opened = reconcile.open_for_units(ctx, [unit])
    if opened:
        step_logger().info("Begäran om underlag till %s är köad för utskick", unit_name)
    return bool(opened)


@step("Begär underlag från kommunerna", "begäran-{run.slug}-{run.year}-alla")
def open_requests_for_all(run: StageRun) -> list[str]:
    """Every municipality's opening in one task: its preparation and every unit's request.

    For runs over many municipalities (a shared service hosting them all). A task
    run costs Prefect about as much as opening ten requests, and its cost grew with
    the run: one task per municipality made the opening of 290 municipalities four
    times the work itself (bench/tertial_scale.md). One transaction per municipality,
    as when called directly: a crash undoes that municipality's openings of this run,
    and the next run redoes them (a request is unique per stage and unit). Returns the
    dates the municipalities not yet due open on.
    """
    logger = step_logger()
    not_yet: list[str] = []
    for code, key in run.instances:
        with _stage(code, run.year, run.slug, run.as_of, key) as ctx:
            if not reconcile.is_due(ctx):
                not_yet.append(ctx.stage.opens_on.isoformat())
                continue
            reconcile.prepare(ctx)
            opened = reconcile.open_for_units(ctx, reconcile.units_to_ask(ctx))
            name = ctx.municipality.name
        if opened:
            logger.info("%s: begäran om underlag köad för utskick till %s", name, ", ".join(opened))
    return not_yet


def open_requests(run: StageRun) -> None:
    """Open what is due: for one municipality a task per committee, for more one task for all.

    One municipality's run shows each committee's request in the UI. A run over
    many would pay a task run per committee (about ten openings' worth each); its
    request table artifact lists every unit either way.
    """
    if len(run.codes) > UNIT_TASKS_UP_TO_MUNICIPALITIES:
        for opens_on in sorted(set(open_requests_for_all(run))):
            _not_yet(run, opens_on)
        return
    for code, key in run.instances:
        plan = prepare_stage(code, run.year, run.slug, run.as_of, key)
        if not plan["due"]:
            _not_yet(run, plan["opens_on"])
            continue
        for unit_key, unit_name in plan["units"]:
            open_request(code, run.year, run.slug, run.as_of, unit_key, unit_name, key)


def _not_yet(run: StageRun, opens_on: str) -> None:
    step_logger().info("%s %d öppnar först %s", run.slug, run.year, opens_on)


# --------------------------------------------------------------------------- readiness
@step("Pröva om underlaget är komplett", "komplett-{run.slug}-{run.year}")
def check_ready(run: StageRun) -> Readiness:
    """Open each instance when due and mark it ready when all is in or the grace is over."""
    found = Readiness()
    for code, key in run.instances:
        with _stage(code, run.year, run.slug, run.as_of, key) as ctx:
            if not reconcile.is_due(ctx):
                found.opens_on[(code, key)] = ctx.stage.opens_on
            if reconcile.mark_ready(ctx) and ctx.stage.state == StageState.READY:
                found.ready.append((code, key))
            found.states[(code, key)] = ctx.stage.state
    return found


# --------------------------------------------------------------------------- a stage's own steps
def stage_step(
    name: str, work: Callable[[StageContext], object]
) -> Step[[StageRun, Readiness], int]:
    """A stage's own step as a task: ``work`` for each ready instance, a transaction each."""

    def each_ready(run: StageRun, readiness: Readiness) -> int:
        for code, key in readiness.ready:
            with _stage(code, run.year, run.slug, run.as_of, key) as ctx:
                try:
                    work(ctx)
                except Exception as error:
                    _failed(error, f"{name} i {ctx.stage.name} {run.year}", ctx)
                    raise
        return len(readiness.ready)

    each_ready.__qualname__ = each_ready.__name__ = f"steg_{work.__name__}"
    return step(name, _run_name(name))(each_ready)


def document_step(
    name: str, write: Callable[[StageContext], list[Path]] | None
) -> Step[[StageRun, Readiness], dict[str, Any]]:
    """The stage's last step: write its documents and mark it compiled, or say what is missing.

    Returns each instance's state, documents and what the documents lacked, keyed
    ``code`` (``code:instance`` for the action plans), as ``arshjul run`` shows it.
    """

    def write_documents(run: StageRun, readiness: Readiness) -> dict[str, Any]:
        logger = step_logger()
        results: dict[str, Any] = {}
        for code, key in run.instances:
            documents: list[str] = []
            missing: list[str] = []
            state = readiness.states.get((code, key), StageState.PLANNED)
            if (code, key) in readiness.ready:
                with _stage(code, run.year, run.slug, run.as_of, key) as ctx:
                    try:
                        documents = [str(p) for p in reconcile.compile_stage(ctx, write)]
                    except Exception as error:
                        _failed(error, f"Sammanställningen av {ctx.stage.name} {run.year}", ctx)
                        raise
                    state = ctx.stage.state
                    missing = list(dict.fromkeys(ctx.missing))
            for path in documents:
                logger.info("Dokument skrivet: %s", path)
            for what in missing:
                logger.warning("Saknas i underlaget: %s", what)
            result: dict[str, Any] = {"state": state, "documents": documents, "missing": missing}
            if (code, key) in readiness.opens_on:
                result["opens_on"] = readiness.opens_on[(code, key)].isoformat()
            results[code + (f":{key}" if key else "")] = result
        return results

    label = write.__name__ if write else "avsluta"
    write_documents.__qualname__ = write_documents.__name__ = f"steg_{label}"
    return step(name, _run_name(name))(write_documents)


def _failed(error: Exception, what: str, ctx: StageContext) -> None:
    """A step's failure in the run's log: an expected error as its Swedish message, a fault
    with its traceback (the flow ends the run: ``flows/common.fails_in_swedish``)."""
    if isinstance(error, ArshjulError):
        step_logger().error("%s för %s misslyckades: %s", what, ctx.municipality.name, error)
    else:
        step_logger().exception("%s för %s misslyckades", what, ctx.municipality.name)


def _run_name(name: str) -> str:
    """``Beräkna avvikelser`` → ``beräkna-avvikelser-tertial-2027``, a template of the run."""
    words = "".join(c if c.isalnum() else " " for c in name.lower()).split()
    return "-".join(words) + "-{run.slug}-{run.year}"


# --------------------------------------------------------------------------- showing it
@step("Publicera skedets läge", "läget-{run.slug}-{run.year}")
def publish_stage(run: StageRun) -> int:
    """Artifacts with stable keys: requests, deviations and documents.

    Per municipality for a run over one; one set for all (``…-alla-…``) for a
    run over several, overwritten by the next such run whatever its
    municipalities.
    """

    if without_a_server():
        return 0  # artifacts live in Prefect; the database holds what they would show
    engine, settings = engine_and_settings()
    codes = list(run.codes)
    published = publish_stage_artifacts(
        engine, settings, codes=codes, year=run.year, slug=run.slug, as_of=run.as_of
    )
    return published + publish_overviews(
        engine, settings, codes=codes, as_of=run.as_of, year=run.year
    )


def action_plan_keys(
    year: int | None, as_of: dt.datetime | dt.date | None, municipality: str | None
) -> list[str]:
    """The action plans opened so far this year (one stage instance per unit)."""
    engine, _ = engine_and_settings()
    year = year or resolve_as_of(as_of).year
    with session_scope(engine) as session:
        statement = (
            select(StageInstance.instance_key)
            .join(Cycle, col(Cycle.id) == StageInstance.cycle_id)
            .join(Municipality, col(Municipality.id) == Cycle.municipality_id)
            .where(StageInstance.slug == "atgardsplan", Cycle.year == year)
        )
        if municipality:
            statement = statement.where(Municipality.code == municipality)
        return sorted(set(session.exec(statement).all()))
