"""The daily watch as Prefect tasks, one per municipality, and its artifacts."""

from __future__ import annotations

import datetime as dt

from prefect import get_run_logger, task
from prefect.artifacts import create_progress_artifact, create_table_artifact

from arshjul.formats import format_datetime
from arshjul.lifecycle.status import request_statuses
from arshjul.lifecycle.watch import run_watch
from arshjul.models.db import session_scope
from arshjul.queries.organisation import get_municipality
from arshjul.tasks.common import engine_and_settings
from arshjul.timezone import STOCKHOLM


@task(name="Bevaka kommun", task_run_name="bevaka-{municipality_code}")
def watch_municipality(municipality_code: str, as_of: dt.datetime) -> dict[str, int]:
    """Reminders, escalations and readiness for one municipality."""

    engine, _ = engine_and_settings()
    with session_scope(engine) as session:
        municipality = get_municipality(session, municipality_code)
        report = run_watch(session, municipality=municipality, as_of=as_of)
        ready = [f"{s.name} ({s.slug})" for s in report.ready]
    logger = get_run_logger()
    logger.info(
        "%s: %d påminnelser, %d eskaleringar, %d stängda begäranden",
        municipality.name,
        report.reminders,
        report.escalations,
        report.closed,
    )
    for name in ready:
        logger.info("Klart att sammanställa: %s", name)
    return {
        "reminders": report.reminders,
        "escalations": report.escalations,
        "closed": report.closed,
        "ready": len(ready),
    }


@task(name="Publicera läget", task_run_name="läget-{municipality_code}")
def publish_status(municipality_code: str, as_of: dt.datetime) -> int:
    """A table of every open request and a progress bar per stage instance."""
    from collections import defaultdict

    engine, _ = engine_and_settings()
    with session_scope(engine) as session:
        municipality = get_municipality(session, municipality_code)
        rows = request_statuses(session, as_of=as_of, municipality_id=municipality.id)
    open_rows = [r for r in rows if r.state == "open"]
    create_table_artifact(
        key=f"oppna-begaranden-{municipality_code}",
        table=[
            {
                "Enhet": r.unit,
                "Skede": f"{r.stage_name} {r.year}",
                "Sista dag": format_datetime(r.deadline.astimezone(STOCKHOLM)),
                "Status": r.state_sv,
                "Arbetsdagar sen": r.working_days_late,
            }
            for r in open_rows
        ]
        or [{"Enhet": "–", "Skede": "Inga öppna begäranden", "Sista dag": "", "Status": ""}],
        description=f"Öppna begäranden i {municipality.name} den {as_of:%Y-%m-%d}",
    )
    per_stage: dict[tuple[str, int], list[bool]] = defaultdict(list)
    names: dict[tuple[str, int], str] = {}
    for r in rows:
        per_stage[(r.stage, r.year)].append(r.state == "submitted")
        names[(r.stage, r.year)] = r.stage_name
    waiting = {(r.stage, r.year) for r in open_rows}
    for (slug, year), done in per_stage.items():
        if (slug, year) not in waiting:
            continue  # a stage with nothing outstanding needs no new progress version
        create_progress_artifact(
            progress=100.0 * sum(done) / len(done),
            key=f"{slug}-{year}-{municipality_code}-inlamnat",
            description=(
                f"{names[(slug, year)]} {year}: {sum(done)} av {len(done)} har lämnat underlag"
            ),
        )
    return len(open_rows)
