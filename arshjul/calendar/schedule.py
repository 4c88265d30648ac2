"""One cycle year's dated stages, built from the calendar rules and checked against the law.

The cycle year Y is the year the stages run in: planning stages prepare budget
year Y+1, follow-up stages follow up budget year Y (the annual report for Y
runs in January–April of Y+1).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from arshjul.calendar.legal import Waived, breaches, explain_override
from arshjul.calendar.rules import (
    FIELD_NAMES,
    FIELDS,
    CalendarConfig,
    DateRule,
    ExplicitDates,
    StageRule,
)
from arshjul.calendar.stages import (
    CATALOGUE_ORDER,
    NEW_COUNCIL_TAKES_OFFICE,
    STAGES,
    Process,
    StageDef,
    election_day,
    get_stage,
    is_election_year,
)
from arshjul.calendar.workdays import WORKING_DAYS
from arshjul.errors import ConfigError
from arshjul.formats import format_date
from arshjul.timezone import STOCKHOLM

__all__ = [
    "MovedDate",
    "ScheduledStage",
    "YearSchedule",
    "action_plan_deadline",
    "budget_year",
    "build_schedule",
    "deadline_at",
    "election_day",
    "is_election_year",
]

_DEFAULT_CONFIG = CalendarConfig()


@dataclass(frozen=True, slots=True)
class MovedDate:
    """A rule's day that was no working day, and the working day it moved to."""

    field: str
    rule_day: dt.date
    day: dt.date
    why: str

    def sentence(self) -> str:
        """``sista dag 8 maj 2027 (en lördag) flyttas till 7 maj 2027``."""
        return (
            f"{FIELD_NAMES[self.field]} {format_date(self.rule_day)} ({self.why}) "
            f"flyttas till {format_date(self.day)}"
        )


@dataclass(frozen=True, slots=True)
class ScheduledStage:
    """One stage with its dates in one cycle year."""

    slug: str
    name: str
    process: Process
    opens: dt.date
    deadline: dt.date
    decision: dt.date
    deadline_at: dt.datetime
    budget_year: int
    event_driven: bool = False
    # Dates a rule put on a non-working day, moved: (field, the rule's day, why).
    moved: tuple[MovedDate, ...] = ()

    @property
    def stage(self) -> StageDef:
        """The catalogue entry (asks, description, …)."""
        return get_stage(self.slug)


@dataclass(frozen=True, slots=True)
class YearSchedule:
    """The whole annual cycle of one year, dated stages in chronological order."""

    year: int
    election_year: bool
    election_day: dt.date | None
    stages: tuple[ScheduledStage, ...]
    # Stages without fixed dates (atgardsplan): the calendar shows them as "vid behov".
    event_driven: tuple[StageDef, ...]
    action_plan_working_days: int
    # Legal checks the year's dates break and the configuration accepts, with its reasons.
    waived: tuple[Waived, ...] = ()

    @property
    def new_council_from(self) -> dt.date | None:
        """The day the newly elected council takes office, in an election year."""
        return dt.date(self.year, *NEW_COUNCIL_TAKES_OFFICE) if self.election_year else None

    def get(self, slug: str) -> ScheduledStage | None:
        """The stage's dates this year; None when it has none (e.g. politisk-oversyn in 2027)."""
        # An unknown slug raises NotFoundError, so a typo does not pass as "not this year".
        get_stage(slug)
        return next((s for s in self.stages if s.slug == slug), None)

    def __iter__(self) -> Iterator[ScheduledStage]:
        return iter(self.stages)

    def __len__(self) -> int:
        return len(self.stages)


def budget_year(stage: StageDef, cycle_year: int) -> int:
    """The budget year a stage works on: Y+1 when planning, Y when following up."""
    return cycle_year + 1 if stage.is_planning else cycle_year


def deadline_at(day: dt.date, config: CalendarConfig | None = None) -> dt.datetime:
    """The deadline moment on a day in Stockholm time; at most the half-day time on a half day."""
    config = config or _DEFAULT_CONFIG
    clock = config.deadline_time
    if WORKING_DAYS.is_half_day(day) and clock > config.half_day_deadline_time:
        clock = config.half_day_deadline_time
    return dt.datetime.combine(day, clock, tzinfo=STOCKHOLM)


def action_plan_deadline(opened: dt.date, config: CalendarConfig | None = None) -> dt.date:
    """An action plan's deadline: the configured number of working days after it opened."""
    config = config or _DEFAULT_CONFIG
    return WORKING_DAYS.add_working_days(opened, config.action_plan_working_days)


def _roll(day: dt.date, roll: str) -> dt.date:
    if roll == "efter":
        return WORKING_DAYS.next_working_day(day)
    return WORKING_DAYS.previous_working_day(day)


def _stage_days(
    stage: StageDef,
    rule: StageRule,
    explicit: ExplicitDates | None,
    year: int,
    config: CalendarConfig,
) -> tuple[dict[str, dt.date], dict[str, str], list[MovedDate]]:
    """One stage's three dates in a year; for rolled dates a note saying why, and the move."""
    days: dict[str, dt.date] = {}
    notes = dict.fromkeys(FIELDS, "")
    moved: list[MovedDate] = []
    rule_days: dict[str, dt.date] = {}
    for field in FIELDS:
        given = getattr(explicit, field, None) if explicit else None
        if given is not None:
            # Explicit dates were checked (working day, right year) when the config loaded.
            days[field] = given
            continue
        date_rule: DateRule = getattr(rule, field)
        rule_days[field] = raw = date_rule.on(year, stage.slug)
        # A stage never opens before its day (its material may not exist yet, and
        # "September" stays September); deadlines and decisions roll as configured.
        direction = "efter" if field == "opens" else config.roll
        days[field] = _roll(raw, direction)
        if days[field] != raw:
            why = WORKING_DAYS.why_not_working(raw) or "ingen arbetsdag"
            notes[field] = (
                f" (regeln {date_rule.describe(stage.slug)} är "
                f"{why} och flyttas till arbetsdagen {direction})"
            )
            moved.append(MovedDate(field, raw, days[field], why))
    if "opens" in rule_days and rule_days["opens"] <= days["deadline"] < days["opens"]:
        # Rolling alone pushed the opening past the deadline (a weekend apart): clamp.
        days["opens"] = days["deadline"]
    return days, notes, moved


def build_schedule(year: int, config: CalendarConfig | None = None) -> YearSchedule:
    """The dated stages of cycle year ``year``; ConfigError when the result breaks the law."""
    config = config or _DEFAULT_CONFIG
    election = is_election_year(year)
    rules = config.effective_rules(election=election)
    explicit = config.dates.get(year, {})
    problems: list[str] = []
    scheduled: list[ScheduledStage] = []
    for stage in STAGES:
        if stage.event_driven or (stage.election_only and not election):
            continue
        days, notes, moved = _stage_days(
            stage, rules[stage.slug], explicit.get(stage.slug), year, config
        )
        label = f"{stage.slug} ({stage.name})"
        for first, second in (("opens", "deadline"), ("deadline", "decision")):
            if days[first] > days[second]:
                problems.append(
                    f"{label}: {FIELD_NAMES[first]} {days[first].isoformat()}{notes[first]} "
                    f"är efter {FIELD_NAMES[second]} {days[second].isoformat()}{notes[second]}"
                )
        scheduled.append(
            ScheduledStage(
                slug=stage.slug,
                name=stage.name,
                process=stage.process,
                opens=days["opens"],
                deadline=days["deadline"],
                decision=days["decision"],
                deadline_at=deadline_at(days["deadline"], config),
                budget_year=budget_year(stage, year),
                moved=tuple(moved),
            )
        )
    waived: list[Waived] = []
    if not problems:  # the law's checks read dates already in order
        decided = {s.slug: s.decision for s in scheduled}
        for breach in breaches(
            year, decided, allow_council_after_november=config.allow_council_decision_after_november
        ):
            waiver = config.waiver(breach.check, year)
            if waiver is None:
                # A decision day a rule rolled says so: the rule alone looked lawful.
                rolled = [
                    f"; {move.sentence()}"
                    for stage in scheduled
                    if stage.slug == breach.slug
                    for move in stage.moved
                    if move.field == "decision"
                ]
                problems.append(breach.sentence() + "".join(rolled))
            else:
                waived.append(Waived(breach, waiver.reason))
        if problems:
            problems.append(explain_override())
    if problems:
        raise ConfigError(
            f"Kalendern för {year} bryter mot reglerna; ändra [calendar] i konfigurationen:",
            details=problems,
        )
    scheduled.sort(key=lambda s: (s.opens, CATALOGUE_ORDER[s.slug]))
    return YearSchedule(
        year=year,
        election_year=election,
        election_day=election_day(year),
        stages=tuple(scheduled),
        event_driven=tuple(s for s in STAGES if s.event_driven),
        action_plan_working_days=config.action_plan_working_days,
        waived=tuple(waived),
    )
