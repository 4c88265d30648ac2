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
from arshjul.tasks.stage import compile_stage, open_request, prepare_stage, publish_stage

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
    """Open what is due, send it, compile what is ready, show it."""
    moment = resolve_as_of(as_of)
    year = year or moment.year
    codes = municipality_codes(municipality)
    instances = [(code, key) for code in codes for key in instance_keys or [""]]
    results: dict[str, Any] = {}
    tag_flow_run("arshjul", str(year), slug, *(f"kommun-{code}" for code in codes))
    for code, key in instances:
        plan = prepare_stage(code, year, slug, moment, key)
        if not plan["due"]:
            get_run_logger().info("%s %d öppnar först %s", slug, year, plan["opens_on"])
            continue
        for unit_key, unit_name in plan["units"]:
            open_request(code, year, slug, moment, unit_key, unit_name, key)
    deliver_mail(moment)
    for code, key in instances:
        results[code + (f":{key}" if key else "")] = compile_stage(code, year, slug, moment, key)
    deliver_mail(moment)
    for code in codes:
        publish_stage(code, year, slug, moment)
    return results
