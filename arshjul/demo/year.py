"""The whole year on embedded defaults: every stage in calendar order, the watch between.

Time is simulated: the run jumps from one day that matters to the next (a
stage opens, a reminder or escalation is due, a secretary answers, a grace
period ends, a body decides, a month's actuals arrive) and runs the same
Prefect flows a real year would, with ``as_of`` set to that day.

:class:`Year` keeps the calendar of those days and, on each, has everyone act
in turn: the office imports the day's files (:mod:`~arshjul.demo.office`), the
watch runs, the secretaries answer (:mod:`~arshjul.demo.answering`), the stages
due run (:mod:`~arshjul.demo.engine_runs`), and the bodies decide. What the
year left behind is counted by :func:`~arshjul.demo.summary.summarize`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from arshjul.calendar.schedule import build_schedule
from arshjul.calendar.stages import STAGES
from arshjul.calendar.workdays import WORKING_DAYS
from arshjul.config.stored import municipality_config
from arshjul.demo import answering, engine_runs, secretaries
from arshjul.demo.clock import Events, at
from arshjul.demo.office import Office
from arshjul.demo.summary import DemoSummary, summarize
from arshjul.governance.decisions import RECORDED_DECISIONS
from arshjul.lifecycle.tokens import ensure_link_key
from arshjul.models import OrgUnit, RequestState, SubmissionRequest
from arshjul.queries.organisation import get_municipality
from arshjul.settings import get_settings
from arshjul.timezone import STOCKHOLM

__all__ = ["PLANNING", "DemoSummary", "Year", "at", "summarize"]

PLANNING = frozenset(s.slug for s in STAGES if s.is_planning)


class Year:
    """One simulated year of one municipality."""

    def __init__(
        self,
        engine: Engine,
        year: int,
        folder: Path,
        report: Callable[[str], None],
        *,
        through_prefect: bool = True,
        slugs: set[str] | None = None,
        never: frozenset[str] = frozenset(),
    ):

        self.engine = engine
        self.year = year
        self.folder = folder
        self.report = report
        # What init does: the key for the links is made (a new database) or checked.
        ensure_link_key(engine, get_settings())
        with Session(engine) as session:
            self.municipality = get_municipality(session)
        config = municipality_config(self.municipality)
        self.schedule = build_schedule(year, config.calendar)
        self.watch_rules = config.watch
        self.through_prefect = through_prefect
        self.slugs = slugs  # None: every stage of the year
        self.never = never  # units whose secretaries never answer
        self.office = Office(engine, self.municipality, year, folder)
        self.events = Events()
        self.done: set[str] = set()

    # ------------------------------------------------------------------ the calendar
    def plan(self) -> None:
        """The calendar's fixed days: openings, decisions, monthly actuals."""
        for stage in self.schedule:
            if self.slugs is not None and stage.slug not in self.slugs:
                continue
            self.events.add(stage.opens, "open", stage.slug)
            if stage.slug in RECORDED_DECISIONS:
                self.events.add(stage.decision, "decide", stage.slug)
        # SKR's April forecast arrives before the budget drafting, in every kind of year.
        self.events.add(WORKING_DAYS.next_working_day(dt.date(self.year, 4, 27)), "forecast")
        for month in range(1, 13):
            if self.slugs is not None and not self.slugs - PLANNING:
                break  # the planning half needs no actuals
            first = dt.date(self.year + (month == 12), month % 12 + 1, 1)
            self.events.add(WORKING_DAYS.next_working_day(first), "actuals", str(month))

    def run(self) -> None:
        self.office.import_planning_inputs()
        self.office.import_kolada_sample(dt.date(self.year, 1, 4))
        self.plan()
        last: dt.date | None = None
        while self.events:
            day, events = self.events.next_day()
            self.day(day, events, first=last != day)
            last = day

    def day(self, day: dt.date, events: list[tuple[str, str]], first: bool) -> None:
        """Everyone's part, in turn: the office's files, the watch, the secretaries'
        answers, the stages due, the bodies' decisions; then the days this one leads to."""
        for kind, what in events:
            if kind == "actuals":
                self.office.import_actuals(day, int(what))
            elif kind == "forecast":
                self.office.import_tax_forecast(day)
        watch_day = any(kind in ("watch", "open") for kind, _ in events)
        if watch_day and WORKING_DAYS.is_working_day(day):
            engine_runs.watch(
                self.engine, self.municipality, day, through_prefect=self.through_prefect
            )
        answering.answer_due(self.engine, self.year, day, self.never)
        for slug in self.ready_or_opening(day, events):
            self.run_stage(slug, day)
        for kind, what in events:
            if kind == "decide":
                self.office.decide(what, day)
                self.report(f"beslut:{what}")
        self.schedule_followups(day)

    def schedule_followups(self, day: dt.date) -> None:
        """The days that matter for every request now open: reminders, answers, escalations."""

        with Session(self.engine) as session:
            rows = session.exec(
                select(SubmissionRequest, OrgUnit)
                .join(OrgUnit, col(OrgUnit.id) == SubmissionRequest.unit_id)
                .where(SubmissionRequest.state == RequestState.OPEN)
            ).all()
        for request, unit in rows:
            opened = request.opened_at.astimezone(STOCKHOLM).date()
            deadline = request.deadline_at.astimezone(STOCKHOLM).date()
            grace_end = request.grace_until.astimezone(STOCKHOLM).date()
            rules = self.watch_rules
            # The watch runs when it has something to do; on other days it would do nothing.
            watch_days = {
                *(WORKING_DAYS.add_working_days(deadline, -n) for n in rules.reminder_working_days),
                WORKING_DAYS.add_working_days(deadline, 1),
                WORKING_DAYS.add_working_days(deadline, rules.chief_escalation_after_working_days),
                WORKING_DAYS.add_working_days(grace_end, 1),
            }
            self.events.add_once(day, watch_days, "watch")
            self.events.add_once(
                day, {secretaries.answer_day(unit.key, opened, deadline)}, "answer"
            )

    # ------------------------------------------------------------------ the stages
    def ready_or_opening(self, day: dt.date, events: list[tuple[str, str]]) -> list[str]:
        """The stages to run today: those opening, and those the watch found ready."""

        slugs = [what for kind, what in events if kind == "open"]
        ready = engine_runs.ready_stages(self.engine, self.year)
        return list(dict.fromkeys([*slugs, *ready]))

    def run_stage(self, slug: str, day: dt.date) -> None:
        """The stage's flow (unless the year runs only some stages); a line when it is done."""
        if self.slugs is not None and slug not in self.slugs:
            return

        results = engine_runs.run_stage(
            self.engine,
            self.municipality,
            self.year,
            slug,
            day,
            through_prefect=self.through_prefect,
        )
        for result in results.values():
            if result["state"] in ("compiled", "decided") and slug not in self.done:
                self.done.add(slug)
                self.report(slug)
