"""The daily watch's steps as tasks, and its artifacts.

One task per step, covering every municipality of the run: a task run costs
Prefect about 10 ms, more than a municipality's watch on most days, so a task
per municipality and step would make a run over many municipalities mostly
Prefect's (bench/tertial_scale.md). Each step opens one transaction per
municipality and calls the plain function of ``arshjul/lifecycle/watch.py``.

A step that fails for a municipality logs which, rolls that municipality's part
of the step back and fails the task, so the flow run fails there: the
municipalities before it and the steps before it stay done, and the next watch
redoes the rest (every step is idempotent; see ``arshjul/lifecycle/watch.py``).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from prefect.artifacts import create_progress_artifact, create_table_artifact
from sqlmodel import Session

from arshjul.formats import format_datetime
from arshjul.lifecycle.status import RequestStatus, request_statuses
from arshjul.lifecycle.watch import (
    close_expired_requests,
    mark_ready_stages,
    queue_escalations,
    queue_reminders,
    queue_review_escalations,
    queue_review_requests,
)
from arshjul.models import Municipality
from arshjul.models.db import session_scope
from arshjul.queries.organisation import get_municipality
from arshjul.tasks.common import engine_and_settings
from arshjul.tasks.overview import publish_overviews
from arshjul.tasks.stage import municipality_codes, tag_flow_run
from arshjul.tasks.step import step, step_logger, without_a_server
from arshjul.timezone import STOCKHOLM

R = TypeVar("R")


@dataclass(frozen=True)
class WatchRun:
    """One pass of the watch: the moment it acts as of and the municipalities it covers."""

    as_of: dt.datetime
    codes: tuple[str, ...]

    @property
    def day(self) -> str:
        """The day watched, ``2027-04-29``: what the task runs are named after."""
        return f"{self.as_of.astimezone(STOCKHOLM):%Y-%m-%d}"


def begin_watch(as_of: dt.datetime, municipality: str | None) -> WatchRun:
    """The municipalities to watch: the one named, else every one in the database.

    The run is tagged like a stage's (year, municipality), so that filtering the
    runs by year in the UI keeps the watch.
    """
    codes = tuple(municipality_codes(municipality))
    tag_flow_run("arshjul", "bevakning", str(as_of.year), *(f"kommun-{code}" for code in codes))
    return WatchRun(as_of, codes)


def _each_municipality(
    run: WatchRun,
    what: str,
    work: Callable[..., R],
) -> list[tuple[str, R]]:
    """``work(session, municipality=…, as_of=…)`` for each municipality, a transaction each.

    Returns each municipality's name and result, committed. The first failure is
    logged (naming the municipality and the step) and raised; that municipality's
    transaction is rolled back.
    """
    engine, _ = engine_and_settings()
    done: list[tuple[str, R]] = []
    for code in run.codes:
        name = code
        try:
            with session_scope(engine) as session:
                municipality = get_municipality(session, code)
                name = municipality.name
                result = work(session, municipality=municipality, as_of=run.as_of)
        except Exception:
            step_logger().exception(
                "%s: %s den %s misslyckades; nästa bevakning gör om det", name, what, run.day
            )
            raise
        done.append((name, result))
    return done


# --------------------------------------------------------------------------- the steps
def _counted(run: WatchRun, what: str, work: Callable[..., int], done: str) -> int:
    """``work`` for each municipality; its count logged (``done`` % count) and summed."""
    total = 0
    for name, count in _each_municipality(run, what, work):
        if count:
            step_logger().info("%s: " + done, name, count)
        total += count
    return total


@step("Stäng försenade begäranden", "stäng-försenade-{run.day}")
def close_requests(run: WatchRun) -> int:
    """Close every open request whose grace is over; the number closed."""
    return _counted(
        run, "stängningen", close_expired_requests, "%d begäranden stängda, fristen har gått ut"
    )


@step("Påminn om sista dag", "påminnelser-{run.day}")
def remind(run: WatchRun) -> int:
    """Queue the reminders due today, and the reviews of governing documents due; reminders.

    The review requests ride on this step (today's mail to the units) and are logged on
    their own; the count returned stays the reminders', which the flow reports as such.
    """
    reminders = _counted(run, "påminnelserna", queue_reminders, "%d påminnelser köade för utskick")
    _counted(
        run,
        "översynerna av styrdokument",
        queue_review_requests,
        "%d begäranden om översyn av styrdokument köade för utskick",
    )
    return reminders


@step("Eskalera försenade begäranden", "eskalera-{run.day}")
def escalate(run: WatchRun) -> int:
    """Queue the escalations due today, late reviews of governing documents too; the former.

    A late review is escalated as a late submission is, in this step, and logged on its
    own: the count returned stays the submissions', which the flow reports as such.
    """
    late = _counted(run, "eskaleringarna", queue_escalations, "%d eskaleringar köade för utskick")
    _counted(
        run,
        "eskaleringarna av översyner",
        queue_review_escalations,
        "%d eskaleringar av försenade översyner köade för utskick",
    )
    return late


@step("Markera klara skeden", "klara-skeden-{run.day}")
def mark_ready(run: WatchRun) -> int:
    """Mark ready the stages whose requests are all in or whose grace is over; how many."""

    def ready_stages(
        session: Session, *, municipality: Municipality, as_of: dt.datetime
    ) -> list[str]:
        stages = mark_ready_stages(session, municipality=municipality, as_of=as_of)
        return [f"{s.name} ({s.slug})" for s in stages]

    total = 0
    for name, stages in _each_municipality(run, "klarmarkeringen", ready_stages):
        for stage in stages:
            step_logger().info("%s: klart att sammanställa: %s", name, stage)
        total += len(stages)
    return total


# --------------------------------------------------------------------------- showing it
@step("Publicera läget", "läget-{run.day}")
def publish_status(run: WatchRun) -> int:
    """Per municipality: a table of every open request, a progress bar per stage instance,
    the year at a glance and what needs action today (``tasks/overview.py``).

    Returns the number of open requests (0 without a server: artifacts live in Prefect).
    """
    if without_a_server():
        return 0
    engine, settings = engine_and_settings()
    waiting = 0
    for code in run.codes:
        with session_scope(engine) as session:
            municipality = get_municipality(session, code)
            rows = request_statuses(session, as_of=run.as_of, municipality_id=municipality.id)
        waiting += _publish_municipality(code, municipality.name, rows, run.as_of)
    publish_overviews(engine, settings, codes=list(run.codes), as_of=run.as_of)
    return waiting


def _publish_municipality(
    code: str, name: str, rows: list[RequestStatus], as_of: dt.datetime
) -> int:
    """One municipality's table and progress bars; the number of its open requests."""
    open_rows = [r for r in rows if r.state == "open"]
    create_table_artifact(
        key=f"oppna-begaranden-{code}",
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
        description=f"Öppna begäranden i {name} den {as_of:%Y-%m-%d}",
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
            key=f"{slug}-{year}-{code}-inlamnat",
            description=(
                f"{names[(slug, year)]} {year}: {sum(done)} av {len(done)} har lämnat underlag"
            ),
        )
    return len(open_rows)
