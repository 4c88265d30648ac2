"""The whole year on embedded defaults: every stage in calendar order, the watch between.

Time is simulated: the run jumps from one day that matters to the next (a
stage opens, a reminder or escalation is due, a secretary answers, a grace
period ends, a body decides, a month's actuals arrive) and runs the same
Prefect flows a real year would, with ``as_of`` set to that day.
"""

from __future__ import annotations

import datetime as dt
import heapq
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from sqlalchemy import Engine, func
from sqlmodel import Session, col, select

from arshjul.calendar.schedule import build_schedule
from arshjul.calendar.stages import STAGES, is_election_year
from arshjul.calendar.workdays import WORKING_DAYS
from arshjul.config.stored import municipality_config
from arshjul.demo import books, figures, secretaries
from arshjul.deployments import flow_for
from arshjul.flows.bevakning import bevakning
from arshjul.forms.figures import term_for_year
from arshjul.imports import import_file, import_trial_balance
from arshjul.lifecycle.on_behalf import submit_on_behalf
from arshjul.lifecycle.tokens import ensure_link_key
from arshjul.lifecycle.watch import run_watch
from arshjul.mail.sender import deliver_queued
from arshjul.models import (
    ActionPlan,
    Cycle,
    Decision,
    Deviation,
    GeneratedDocument,
    Goal,
    Indicator,
    OrgUnit,
    OutboxMessage,
    RequestState,
    StageInstance,
    StageState,
    Submission,
    SubmissionRequest,
)
from arshjul.models.db import session_scope
from arshjul.queries.organisation import get_municipality
from arshjul.settings import get_settings
from arshjul.stages.decide import decide
from arshjul.stages.deviations import operating_frame
from arshjul.tasks.step import run_directly
from arshjul.timezone import STOCKHOLM

PLANNING = frozenset(s.slug for s in STAGES if s.is_planning)


@dataclass
class DemoSummary:
    """What the simulated year did, counted in the database and on disk."""

    year: int
    election_year: bool
    stages: list[str] = field(default_factory=list)
    requests: int = 0
    submissions: int = 0
    late_submissions: int = 0
    emails: int = 0
    reminders: int = 0
    escalations: int = 0
    deviations: int = 0
    action_plans: int = 0
    decisions: int = 0
    documents: list[Path] = field(default_factory=list)
    mail_dir: Path | None = None
    database: str = ""


def at(day: dt.date, hour: int = 7, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), STOCKHOLM)


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
        self.books = books.DemoBooks.build(year)
        self.queue: list[tuple[dt.date, int, str, str]] = []
        self._seq = 0
        self.done: set[str] = set()

    # ------------------------------------------------------------------ events
    def add(self, day: dt.date, kind: str, what: str = "") -> None:
        self._seq += 1
        heapq.heappush(self.queue, (day, self._seq, kind, what))

    def plan(self) -> None:
        """The calendar's fixed days: openings, decisions, monthly actuals."""
        for stage in self.schedule:
            if self.slugs is not None and stage.slug not in self.slugs:
                continue
            self.add(stage.opens, "open", stage.slug)
            if stage.slug in ("budgetdag", "ks-beslut", "kf-beslut"):
                self.add(stage.decision, "decide", stage.slug)
        # SKR's April forecast arrives before the budget drafting, in every kind of year.
        self.add(WORKING_DAYS.next_working_day(dt.date(self.year, 4, 27)), "forecast")
        for month in range(1, 13):
            if self.slugs is not None and not self.slugs - PLANNING:
                break  # the planning half needs no actuals
            first = dt.date(self.year + (month == 12), month % 12 + 1, 1)
            self.add(WORKING_DAYS.next_working_day(first), "actuals", str(month))

    def run(self) -> None:
        self.import_planning_inputs()
        self.plan()
        last: dt.date | None = None
        while self.queue:
            day = self.queue[0][0]
            events = []
            while self.queue and self.queue[0][0] == day:
                events.append(heapq.heappop(self.queue))
            self.day(day, [(kind, what) for _, _, kind, what in events], first=last != day)
            last = day

    def day(self, day: dt.date, events: list[tuple[str, str]], first: bool) -> None:
        for kind, what in events:
            if kind == "actuals":
                self.import_actuals(day, int(what))
            elif kind == "forecast":
                folder = self.folder / "indata"
                path = figures.tax_forecast_file(folder, self.year, (4, 24))
                self._import("skatteprognos", path, day)
        watch_day = any(kind in ("watch", "open") for kind, _ in events)
        if watch_day and WORKING_DAYS.is_working_day(day):
            self.watch(day)
        self.answer(day)
        for slug in self.ready_or_opening(day, events):
            self.run_stage(slug, day)
        for kind, what in events:
            if kind == "decide":
                self.decide(what, day)
        self.schedule_followups(day)

    # ------------------------------------------------------------------ actions
    def _import(self, kind: str, path: Path, day: dt.date, entity: str | None = None) -> None:
        """One file through the same import a controller uses (a trial balance by entity)."""

        with Session(self.engine) as session:
            if entity is not None:
                import_trial_balance(
                    session,
                    municipality=self.municipality,
                    config=municipality_config(self.municipality),
                    path=path,
                    as_of=at(day),
                    actor="controller (demo)",
                    entity=entity,
                )
            else:
                import_file(
                    session,
                    municipality=self.municipality,
                    kind=kind,
                    path=path,
                    as_of=at(day),
                    actor="controller (demo)",
                )
            session.commit()

    def import_planning_inputs(self) -> None:
        """January: the planning inputs, last year's books and the year's budget."""
        folder, year = self.folder / "indata", self.year
        day = dt.date(year, 1, 4)
        for kind, path in figures.planning_files(folder, year):
            self._import(kind, path, day)
        last = [(year - 1, m) for m in range(13)]
        for entity in self.books.entities():
            name = f"saldobalans-{entity or 'kommunen'}-{year - 1}.csv"
            self._import(
                "saldobalans", self.books.trial_balance(folder, entity, last, name), day, entity
            )
        header = ["enhet", "år", "månad", "projekt", "belopp_tkr"]
        rows = [r for m in range(1, 13) for r in books.actuals_rows(self.books, year - 1, m)]
        self._import(
            "utfall", books.write_rows(folder / f"utfall-{year - 1}.csv", header, rows), day
        )
        for kind, name, columns, rows in (
            (
                "koncerninternt",
                f"koncerninternt-{year - 1}.csv",
                ["år", "från", "till", "slag", "belopp_tkr"],
                books.group_rows(year - 1, 12),
            ),
            (
                "resultatbudget",
                f"resultatbudget-{year}.csv",
                ["år", "post", "belopp_tkr"],
                books.result_budget_rows(year),
            ),
            (
                "nyckeltal",
                f"nyckeltal-{year}.csv",
                ["år", "nyckeltal", "värde"],
                books.key_figure_rows(year, closing=False),
            ),
            (
                "sjukfranvaro",
                f"sjukfranvaro-{year - 1}.csv",
                ["år", "grupp", "procent"],
                books.sick_leave_rows(year - 1),
            ),
        ):
            self._import(kind, books.write_rows(folder / name, columns, rows), day)

    def import_actuals(self, day: dt.date, month: int) -> None:
        """A month is closed: the committees' actuals and the trial balance; the companies'
        books and the group's transactions at the interim and the year's end."""
        folder, year = self.folder / "indata", self.year
        header = ["enhet", "år", "månad", "projekt", "belopp_tkr"]
        path = books.write_rows(
            folder / f"utfall-{year}-{month:02d}.csv",
            header,
            books.actuals_rows(self.books, year, month),
        )
        self._import("utfall", path, day)
        entities = list(self.books.entities()) if month in (8, 12) else [""]
        for entity in entities:
            name = f"saldobalans-{entity or 'kommunen'}-{year}-{month:02d}.csv"
            path = self.books.trial_balance(folder, entity, [(year, month)], name)
            self._import("saldobalans", path, day, entity)
        if month in (8, 12):
            path = books.write_rows(
                folder / f"koncerninternt-{year}-{month:02d}.csv",
                ["år", "från", "till", "slag", "belopp_tkr"],
                books.group_rows(year, month),
            )
            self._import("koncerninternt", path, day)
        if month == 8:
            path = books.write_rows(
                folder / f"resultatprognos-{year}-08.csv",
                ["år", "månad", "post", "belopp_tkr"],
                books.result_forecast_rows(year, month),
            )
            self._import("resultatprognos", path, day)
            path = books.write_rows(
                folder / f"balanskravsjusteringar-{year}-08.csv",
                ["år", "nyckeltal", "värde"],
                books.balance_adjustment_rows(year),
            )
            self._import("nyckeltal", path, day)
        if month == 12:
            for kind, name, columns, rows in (
                (
                    "nyckeltal",
                    f"nyckeltal-{year}-bokslut.csv",
                    ["år", "nyckeltal", "värde"],
                    books.key_figure_rows(year, closing=True),
                ),
                (
                    "sjukfranvaro",
                    f"sjukfranvaro-{year}.csv",
                    ["år", "grupp", "procent"],
                    books.sick_leave_rows(year),
                ),
            ):
                self._import(kind, books.write_rows(folder / name, columns, rows), day)

    def ready_or_opening(self, day: dt.date, events: list[tuple[str, str]]) -> list[str]:
        """The stages to run today: those opening, and those the watch found ready."""

        slugs = [what for kind, what in events if kind == "open"]
        with Session(self.engine) as session:
            ready = session.exec(
                select(StageInstance.slug)
                .join(Cycle, col(Cycle.id) == StageInstance.cycle_id)
                .where(Cycle.year == self.year, StageInstance.state == StageState.READY)
            ).all()
        return list(dict.fromkeys([*slugs, *ready]))

    def watch(self, day: dt.date) -> None:
        """The daily watch: the Prefect flow, or its functions directly."""
        if self.through_prefect:
            bevakning(as_of=at(day))
            return

        with session_scope(self.engine) as session:
            run_watch(session, municipality=self.municipality, as_of=at(day))
        deliver_queued(self.engine, settings=get_settings(), as_of=at(day))

    def run_stage(self, slug: str, day: dt.date) -> None:
        """The stage's flow, through Prefect or (the quick path) its body without it."""
        if self.slugs is not None and slug not in self.slugs:
            return

        flow = flow_for(slug)
        moment = at(day, 8)
        if self.through_prefect:
            results = flow(year=self.year, as_of=moment, municipality=self.municipality.code)
        else:
            results = run_directly(
                flow,
                engine=self.engine,
                year=self.year,
                as_of=moment,
                municipality=self.municipality.code,
            )
        for result in results.values():
            if result["state"] in ("compiled", "decided") and slug not in self.done:
                self.done.add(slug)
                self.report(slug)

    def answer(self, day: dt.date) -> None:
        """Every secretary whose day has come sends in, through the form's own model."""

        with Session(self.engine, expire_on_commit=False) as session:
            rows = session.exec(
                select(SubmissionRequest, StageInstance, OrgUnit)
                .join(StageInstance, col(StageInstance.id) == SubmissionRequest.stage_instance_id)
                .join(OrgUnit, col(OrgUnit.id) == SubmissionRequest.unit_id)
                .where(SubmissionRequest.state == RequestState.OPEN)
            ).all()
            for request, stage, unit in rows:
                opened = request.opened_at.astimezone(STOCKHOLM).date()
                deadline = request.deadline_at.astimezone(STOCKHOLM).date()
                if unit.key in self.never:
                    continue
                if secretaries.answer_day(unit.key, opened, deadline) != day:
                    continue
                # The goals of the term that holds the year; none outside every term.
                term = term_for_year(session, unit.municipality_id, self.year)
                goals: list[str] = []
                indicators: list[str] = []
                if term is not None:
                    mine = (Goal.unit_id == unit.id, Goal.term_id == term.id)
                    goals = [g.key for g in session.exec(select(Goal).where(*mine))]
                    indicators = [
                        i.key for i in session.exec(select(Indicator).join(Goal).where(*mine))
                    ]
                raw = secretaries.answer(
                    unit.key,
                    unit.kind,
                    stage.slug,
                    goals=goals,
                    indicators=indicators,
                    frame_kr=self.council_frame(session, unit.id),  # type: ignore[arg-type]
                    year=self.year,
                )
                submit_on_behalf(
                    session,
                    request=request,
                    data=raw,
                    submitted_by=f"Nämndsekreterare {unit.name} (demo)",
                    as_of=at(day, 10 + (unit.key in secretaries.LATE_AFTER_ESCALATION)),
                    channel="portal",
                    on_behalf=False,
                )
                session.commit()

    def council_frame(self, session: Session, unit_id: int) -> int:

        return operating_frame(session, unit_id=unit_id, budget_year=self.year + 1) or 0

    def decide(self, slug: str, day: dt.date) -> None:
        """The bodies decide on their meeting day; the budget preparation adds 2 000 tkr."""

        with session_scope(self.engine) as session:
            changes = {}
            if slug == "budgetdag":
                bun = session.exec(select(OrgUnit).where(OrgUnit.key == "bun")).one()
                frame = operating_frame(session, unit_id=bun.id, budget_year=self.year + 1)  # type: ignore[arg-type]
                changes = {"bun": (frame or 0) + 2_000_000}
            decide(
                session,
                municipality=self.municipality,
                year=self.year,
                slug=slug,
                decided_on=day,
                paragraph={"budgetdag": "§ 12", "ks-beslut": "§ 87", "kf-beslut": "§ 64"}[slug],
                summary=f"Strategisk och ekonomisk plan {self.year + 1}–{self.year + 3}",
                actor="controller (demo)",
                settings=get_settings(),
                as_of=at(day, 9),
                frame_changes=changes,
                tax_rate=Decimal("22.41") if slug in ("ks-beslut", "kf-beslut") else None,
            )
        self.report(f"beslut:{slug}")

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
            self._plan_once(day, watch_days, "watch")
            self._plan_once(day, {secretaries.answer_day(unit.key, opened, deadline)}, "answer")

    def _plan_once(self, today: dt.date, days: set[dt.date], kind: str) -> None:
        for later in sorted(d for d in days if d > today):
            if not any(q[0] == later and q[2] == kind for q in self.queue):
                self.add(later, kind)


def summarize(engine: Engine, year: int, folder: Path, mail_dir: Path) -> DemoSummary:
    """Count what the year left behind."""

    def count(session: Session, model, *where) -> int:  # type: ignore[no-untyped-def]
        return session.exec(select(func.count()).select_from(model).where(*where)).one()

    with Session(engine) as session:
        documents = session.exec(
            select(GeneratedDocument).order_by(col(GeneratedDocument.id))
        ).all()
        return DemoSummary(
            year=year,
            election_year=is_election_year(year),
            requests=count(session, SubmissionRequest),
            submissions=count(session, Submission),
            late_submissions=count(session, Submission, Submission.late == True),  # noqa: E712
            emails=count(session, OutboxMessage, OutboxMessage.state == "sent"),
            reminders=count(session, OutboxMessage, OutboxMessage.purpose == "reminder"),
            escalations=count(
                session,
                OutboxMessage,
                col(OutboxMessage.purpose).in_(("escalation", "deviation_escalation")),
            ),
            deviations=count(session, Deviation, Deviation.beyond_threshold == True),  # noqa: E712
            action_plans=count(session, ActionPlan),
            decisions=count(session, Decision),
            documents=list(dict.fromkeys(Path(d.path) for d in documents)),
            mail_dir=mail_dir,
            database=str(engine.url),
        )
