"""The common course of every stage: open, collect, remind, compile.

Each stage's module declares its flow with its Swedish name and calls
:func:`run_stage`; what differs between stages lives in :mod:`arshjul.stages`.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from prefect import get_run_logger
from pydantic import Field

from arshjul.tasks.common import resolve_as_of
from arshjul.tasks.mail import deliver_mail
from arshjul.tasks.stage import (
    compile_stage,
    open_request,
    open_requests_for,
    prepare_stage,
    publish_stage,
)

Year = Annotated[
    int | None, Field(description="Årshjulets år (planeringen gäller året efter); standard: i år.")
]
AsOf = Annotated[
    dt.datetime | dt.date | None,
    Field(description="Kör som om det vore detta ögonblick; standard: nu (Europe/Stockholm)."),
]
MunicipalityCode = Annotated[
    str | None, Field(description="Kommunkod, t.ex. 1984; standard: alla kommuner i databasen.")
]


# Up to this many municipalities in a run, each unit's request gets a task of its own.
UNIT_TASKS_UP_TO = 1


def municipality_codes(code: str | None) -> list[str]:
    """The municipalities a run covers."""
    if code:
        return [code]
    from sqlmodel import select

    from arshjul.models import Municipality
    from arshjul.models.db import session_scope
    from arshjul.tasks.common import engine_and_settings

    engine, _ = engine_and_settings()
    with session_scope(engine) as session:
        return [m.code for m in session.exec(select(Municipality).order_by(Municipality.code))]


def tag_flow_run(*names: str) -> None:
    """Tags on this flow run, for the UI's filters (year, stage, municipality).

    Not ``with prefect.tags(...)``: Prefect copies those onto every task run, and a
    task run with tags asks the server for concurrency slots before it starts, one
    more round trip per task; with a tag per municipality on every task the
    server's work per task grew with the number of municipalities
    (bench/tertial_scale.md).
    """
    from prefect.client.orchestration import get_client
    from prefect.context import FlowRunContext

    context = FlowRunContext.get()
    if context is None or context.flow_run is None:
        return
    wanted = sorted(set(context.flow_run.tags or ()) | set(names))
    with get_client(sync_client=True) as client:
        client.update_flow_run(context.flow_run.id, tags=wanted)


def run_stage(
    slug: str,
    *,
    year: int | None,
    as_of: dt.datetime | dt.date | None,
    municipality: str | None,
    instance_keys: list[str] | None = None,
) -> dict[str, Any]:
    """Open what is due, send it, compile what is ready, show it.

    A run for one municipality opens each unit's request in a task of its own,
    named after the unit, so that the UI shows every committee. A run over
    several municipalities opens each municipality's requests in one task:
    a task run costs Prefect about as much as opening ten requests, and one per
    unit would make a run over fifty municipalities twice as slow as the work
    itself (bench/tertial_scale.md). The request table artifact lists every
    unit either way.
    """
    moment = resolve_as_of(as_of)
    year = year or moment.year
    codes = municipality_codes(municipality)
    instances = [(code, key) for code in codes for key in instance_keys or [""]]
    results: dict[str, Any] = {}
    tag_flow_run("arshjul", str(year), slug, *(f"kommun-{code}" for code in codes))
    for code, key in instances:
        if len(codes) > UNIT_TASKS_UP_TO:
            opening = open_requests_for(code, year, slug, moment, key)
            if not opening["due"]:
                _not_yet(slug, year, opening["opens_on"])
            continue
        plan = prepare_stage(code, year, slug, moment, key)
        if not plan["due"]:
            _not_yet(slug, year, plan["opens_on"])
            continue
        for unit_key, unit_name in plan["units"]:
            open_request(code, year, slug, moment, unit_key, unit_name, key)
    deliver_mail(moment)
    for code, key in instances:
        results[code + (f":{key}" if key else "")] = compile_stage(code, year, slug, moment, key)
    deliver_mail(moment)
    publish_stage(codes, year, slug, moment)
    return results


def _not_yet(slug: str, year: int, opens_on: str) -> None:
    get_run_logger().info("%s %d öppnar först %s", slug, year, opens_on)
