"""The ``[calendar]`` section of a municipality's TOML file, as pydantic models.

The shipped defaults are Arboga's timetable (the governance model, section 5).
A municipality overrides any subset of them: month-day rules for standard
years and for election years, and explicit ISO dates for one given year.
Validators raise ``ValueError`` with Swedish messages; the config loader shows
them with the field path. Checks that depend on how a rule lands in a given
year (rolling off a weekend) are made when the schedule is built.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Annotated, Any, Literal, Self

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

from arshjul.calendar.legal import CHECKS, council_decision_problem
from arshjul.calendar.stages import (
    COUNCIL_BUDGET_LATEST,
    NEW_COUNCIL_TAKES_OFFICE,
    SLUGS,
    get_stage,
    is_election_year,
)
from arshjul.calendar.workdays import WORKING_DAYS

FIELDS: tuple[str, ...] = ("opens", "deadline", "decision")
# How each date is called in a Swedish message.
FIELD_NAMES: dict[str, str] = {"opens": "öppnar", "deadline": "sista dag", "decision": "beslut"}
# Stages whose dates fall in the year after the cycle year by default.
NEXT_YEAR_STAGES: frozenset[str] = frozenset({"arsredovisning"})
# Stages whose deadline and decision may fall in January after the cycle year: the
# committees' own budgets for the budget year are often due after the council's decision.
MAY_END_NEXT_YEAR: frozenset[str] = frozenset({"namndbudget"})
DATED_SLUGS: tuple[str, ...] = tuple(s for s in SLUGS if not get_stage(s).event_driven)

_MONTH_DAY = re.compile(r"^(\d{1,2})-(\d{1,2})$")
_CLOCK = re.compile(r"^(\d{1,2})[:.](\d{2})(?:[:.]00)?$")


def default_year_offset(slug: str) -> int:
    """The year offset a rule for this stage has when it names none."""
    return 1 if slug in NEXT_YEAR_STAGES else 0


def _check_dated_slug(slug: str) -> str:
    """A stage slug that can carry dates; Swedish message otherwise."""
    if slug not in SLUGS:
        raise ValueError(f"okänt skede ”{slug}”; giltiga skeden: {', '.join(DATED_SLUGS)}")
    if get_stage(slug).event_driven:
        raise ValueError(
            f"”{slug}” öppnas vid behov och har inga fasta datum; "
            "ange i stället action_plan_working_days"
        )
    return slug


DatedSlug = Annotated[str, AfterValidator(_check_dated_slug)]


class DateRule(BaseModel):
    """A yearly date as month and day (``"05-08"``), optionally in the following year."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    month_day: str = Field(description="Månad och dag, MM-DD.")
    # None: the stage's usual year (the year after for arsredovisning, else the cycle year).
    year_offset: int | None = None

    @model_validator(mode="before")
    @classmethod
    def _from_string(cls, value: Any) -> Any:
        # "05-08" is the usual way to write a rule in TOML; the table form adds the offset.
        if isinstance(value, str):
            return {"month_day": value}
        return value

    @field_validator("month_day")
    @classmethod
    def _real_month_day(cls, value: str) -> str:
        match = _MONTH_DAY.match(value.strip())
        if not match:
            raise ValueError(f"”{value}” ska skrivas som månad-dag, MM-DD, t.ex. ”05-08”")
        month, day = int(match[1]), int(match[2])
        if (month, day) == (2, 29):
            raise ValueError("”02-29” finns inte varje år; välj ”02-28” eller ”03-01”")
        try:
            dt.date(2001, month, day)
        except ValueError:
            raise ValueError(
                f"”{value}” är inget datum (månad 01–12 och en dag som finns i månaden)"
            ) from None
        return f"{month:02d}-{day:02d}"

    @field_validator("year_offset")
    @classmethod
    def _small_offset(cls, value: int | None) -> int | None:
        if value is not None and not -1 <= value <= 1:
            raise ValueError(
                "year_offset ska vara −1, 0 eller 1 (året före, samma år eller året efter)"
            )
        return value

    @property
    def month(self) -> int:
        """The month, 1–12."""
        return int(self.month_day[:2])

    @property
    def day(self) -> int:
        """The day of the month."""
        return int(self.month_day[3:])

    def offset_for(self, slug: str) -> int:
        """The year offset, the stage's default when the rule names none."""
        return default_year_offset(slug) if self.year_offset is None else self.year_offset

    def order_key(self, slug: str) -> tuple[int, int, int]:
        """A key that orders rules of one stage the same way in every year."""
        return (self.offset_for(slug), self.month, self.day)

    def on(self, cycle_year: int, slug: str) -> dt.date:
        """The calendar date this rule names in the cycle year, before any rolling."""
        return dt.date(cycle_year + self.offset_for(slug), self.month, self.day)

    def describe(self, slug: str) -> str:
        """``05-08``, or ``05-08 året efter`` when the rule is not in the cycle year."""
        offset = self.offset_for(slug)
        if offset == 0:
            return self.month_day
        return f"{self.month_day} {'året efter' if offset > 0 else 'året före'}"


class StageRule(BaseModel):
    """Overrides for one stage; any subset of the three dates."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    opens: DateRule | None = None
    deadline: DateRule | None = None
    decision: DateRule | None = None

    def over(self, base: StageRule) -> StageRule:
        """This rule's dates, falling back on base's for those it does not set."""
        return StageRule(
            opens=self.opens or base.opens,
            deadline=self.deadline or base.deadline,
            decision=self.decision or base.decision,
        )


class ExplicitDates(BaseModel):
    """Explicit ISO dates for one stage in one year; any subset of the three."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    opens: dt.date | None = None
    deadline: dt.date | None = None
    decision: dt.date | None = None


def _rule(opens: str, deadline: str, decision: str, year_offset: int | None = None) -> StageRule:
    return StageRule(
        opens=DateRule(month_day=opens, year_offset=year_offset),
        deadline=DateRule(month_day=deadline, year_offset=year_offset),
        decision=DateRule(month_day=decision, year_offset=year_offset),
    )


# Arboga's standard year, from the governance model's timetable (section 5).
DEFAULT_STANDARD: dict[str, StageRule] = {
    "ramar": _rule("01-08", "02-27", "03-10"),
    "ledningsdialog-mars": _rule("03-01", "03-13", "03-25"),
    "ekonomirapport-mars": _rule("03-02", "03-10", "03-24"),
    "namndanalys": _rule("03-16", "04-20", "04-30"),
    # Forecasts on actuals through March, the report covers January–April.
    "tertial": _rule("04-13", "05-08", "06-09"),
    "budgetdag": _rule("05-04", "05-08", "05-13"),
    "ekonomirapport-juni": _rule("06-01", "06-05", "06-16"),
    "ks-beslut": _rule("06-01", "06-05", "06-16"),
    "kf-beslut": _rule("08-10", "08-14", "08-27"),
    "namndbudget": _rule("08-31", "11-27", "12-15"),
    "ledningsdialog-september": _rule("09-01", "09-11", "09-23"),
    # KF treats the August report within two months of 31 August (KL 11 kap. 16 §).
    "delar": _rule("09-07", "09-25", "10-29"),
    "ekonomirapport-november": _rule("11-02", "11-10", "11-24"),
    "arsredovisning": _rule("01-12", "02-13", "04-23", year_offset=1),
}

# In an election year the newly elected council (from 15 October) adopts the budget.
DEFAULT_ELECTION_YEAR: dict[str, StageRule] = {
    # KS proposes the budget before the end of October (KL 11 kap. 8 §).
    "ks-beslut": _rule("09-28", "10-09", "10-27"),
    "kf-beslut": _rule("10-16", "11-06", "11-26"),
    "namndbudget": _rule("11-27", "12-11", "12-18"),
    "politisk-oversyn": _rule("02-02", "06-12", "11-26"),
}


def _parse_clock(value: Any) -> Any:
    """``16:00``, ``16.00`` or a TOML time; Swedish message for anything else."""
    if isinstance(value, dt.time):
        return value
    if isinstance(value, str):
        match = _CLOCK.match(value.strip())
        if match and int(match[1]) < 24 and int(match[2]) < 60:
            return dt.time(int(match[1]), int(match[2]))
    raise ValueError(f"”{value}” är inget klockslag; skriv t.ex. ”16:00”")


def _date_problem(slug: str, field: str, value: dt.date, year: int) -> str | None:
    """What is wrong with one explicit date given for a year, or None."""
    allowed = year + default_year_offset(slug)
    what = FIELD_NAMES[field]
    later = slug in MAY_END_NEXT_YEAR and field != "opens" and value.year == allowed + 1
    if value.year != allowed and not later:
        where = "året efter" if allowed != year else "samma år"
        also = f" eller {allowed + 1}" if slug in MAY_END_NEXT_YEAR and field != "opens" else ""
        return (
            f"{what} {value.isoformat()} ligger inte i {allowed}{also} "
            f"({slug} för {year} ska ha sina datum {where})"
        )
    if field != "opens":
        why = WORKING_DAYS.why_not_working(value)
        if why is not None:
            return f"{what} {value.isoformat()} är {why}, ingen arbetsdag"
    return None


class Override(BaseModel):
    """A legal check the calendar may break, with the reason the municipality gives.

    ``[[calendar.override]]``: ``check`` is a key of :data:`arshjul.calendar.legal.CHECKS`,
    ``year`` limits it to one cycle year (every year when absent), ``reason`` is shown
    wherever the dates are.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    check: str
    reason: str
    year: int | None = None

    @field_validator("check")
    @classmethod
    def _known_check(cls, value: str) -> str:
        if value not in CHECKS:
            raise ValueError(f"okänd kontroll ”{value}”; giltiga: {', '.join(CHECKS)}")
        return value

    @field_validator("reason")
    @classmethod
    def _written_reason(cls, value: str) -> str:
        value = " ".join(value.split())
        if len(value) < 10:
            raise ValueError(
                "ett avsteg från lagen behöver ett skriftligt skäl (minst 10 tecken), "
                "t.ex. fullmäktiges beslut om särskilda skäl"
            )
        return value

    def covers(self, check: str, year: int) -> bool:
        return self.check == check and self.year in (None, year)


class CalendarConfig(BaseModel):
    """The ``[calendar]`` section: how the stages' dates are set for each year."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    roll: Literal["före", "efter"] = Field(
        default="före",
        description="A rule on a non-working day moves to the working day before or after.",
    )
    deadline_time: dt.time = dt.time(16, 0)
    half_day_deadline_time: dt.time = dt.time(12, 0)
    action_plan_working_days: int = 15
    standard: dict[DatedSlug, StageRule] = Field(default_factory=dict)
    election_year: dict[DatedSlug, StageRule] = Field(default_factory=dict)
    dates: dict[int, dict[DatedSlug, ExplicitDates]] = Field(default_factory=dict)
    allow_council_decision_after_november: bool = False
    override: list[Override] = Field(default_factory=list)

    def waiver(self, check: str, year: int) -> Override | None:
        """The override that accepts this check's breach in this year, if any."""
        return next((o for o in self.override if o.covers(check, year)), None)

    @field_validator("roll", mode="before")
    @classmethod
    def _roll_word(cls, value: Any) -> Any:
        if value not in ("före", "efter"):
            raise ValueError(f"roll ska vara ”före” eller ”efter”, inte ”{value}”")
        return value

    @field_validator("deadline_time", "half_day_deadline_time", mode="before")
    @classmethod
    def _clock(cls, value: Any) -> Any:
        return _parse_clock(value)

    @field_validator("action_plan_working_days")
    @classmethod
    def _positive_days(cls, value: int) -> int:
        if not 1 <= value <= 120:
            raise ValueError("action_plan_working_days ska vara mellan 1 och 120 arbetsdagar")
        return value

    @field_validator("dates")
    @classmethod
    def _explicit_dates(
        cls, value: dict[int, dict[str, ExplicitDates]]
    ) -> dict[int, dict[str, ExplicitDates]]:
        problems: list[str] = []
        for year, stages in sorted(value.items()):
            if not 2000 <= year <= 2100:
                problems.append(f"{year}: året ska vara mellan 2000 och 2100")
                continue
            for slug, explicit in stages.items():
                if get_stage(slug).election_only and not is_election_year(year):
                    problems.append(f"{year}.{slug}: {year} är inget valår")
                    continue
                given = {f: getattr(explicit, f) for f in FIELDS if getattr(explicit, f)}
                for field, day in given.items():
                    problem = _date_problem(slug, field, day, year)
                    if problem:
                        problems.append(f"{year}.{slug}: {problem}")
                iso = {f: d.isoformat() for f, d in given.items()}
                problems.extend(
                    f"{year}.{slug}: {p}" for p in _order_problems(given, iso.__getitem__)
                )
        if problems:
            raise ValueError("; ".join(problems))
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        problems: list[str] = []
        for slug in self.standard:
            if get_stage(slug).election_only:
                problems.append(
                    f"standard.{slug}: skedet finns bara i valår; ange det under election_year"
                )
        # Election years inherit the standard rules of the stages they do not change:
        # report each problem once, under the section that sets the stage's rule.
        election_slugs = set(DEFAULT_ELECTION_YEAR) | set(self.election_year)
        for section, election in (("standard", False), ("election_year", True)):
            rules = self.effective_rules(election=election)
            for slug, rule in rules.items():
                if election and slug not in election_slugs:
                    continue
                given = {f: getattr(rule, f) for f in FIELDS}
                keys = {f: r.order_key(slug) for f, r in given.items() if r is not None}
                texts = {f: r.describe(slug) for f, r in given.items() if r is not None}
                problems.extend(
                    f"{section}.{slug}: {p}" for p in _order_problems(keys, texts.__getitem__)
                )
            council = rules["kf-beslut"].decision
            if council is not None and not any(
                o.check == "budget-november" and o.year is None for o in self.override
            ):
                problems.extend(
                    f"{section}.kf-beslut: {p}"
                    for p in self._council_rule_problems(council, election=election)
                )
        for year, stages in self.dates.items():
            explicit = stages.get("kf-beslut")
            if explicit and explicit.decision and not self.waiver("budget-november", year):
                problem = council_decision_problem(
                    explicit.decision,
                    year,
                    allow_after_november=self.allow_council_decision_after_november,
                )
                if problem:
                    problems.append(f"dates.{year}.kf-beslut: {problem}; {_ALLOW_LATE}")
        if problems:
            raise ValueError("; ".join(dict.fromkeys(problems)))
        return self

    def _council_rule_problems(self, rule: DateRule, *, election: bool) -> list[str]:
        """Year-independent law checks on the KF decision rule."""
        key = rule.order_key("kf-beslut")
        problems: list[str] = []
        if key > (0, *COUNCIL_BUDGET_LATEST) and not self.allow_council_decision_after_november:
            problems.append(
                f"beslut {rule.describe('kf-beslut')} är efter 30 november: fullmäktige ska "
                f"fastställa budgeten före novembers utgång (KL 11 kap.); {_ALLOW_LATE}"
            )
        if election and key <= (0, *NEW_COUNCIL_TAKES_OFFICE):
            problems.append(
                f"beslut {rule.describe('kf-beslut')} är inte efter 15 oktober: i valår ska "
                "det nyvalda fullmäktige, som tillträder 15 oktober, fastställa budgeten"
            )
        return problems

    def effective_rules(self, *, election: bool) -> dict[str, StageRule]:
        """Every dated stage's complete rule: defaults, then this config's overrides."""
        rules = {
            slug: self.standard.get(slug, StageRule()).over(rule)
            for slug, rule in DEFAULT_STANDARD.items()
        }
        if election:
            for slug, rule in DEFAULT_ELECTION_YEAR.items():
                rules[slug] = rule
            for slug, rule in self.election_year.items():
                rules[slug] = rule.over(rules.get(slug, StageRule()))
        return rules


_ALLOW_LATE = (
    'finns särskilda skäl: [[calendar.override]] med check = "budget-november" och '
    "reason = skälet (eller allow_council_decision_after_november = true)"
)


def _order_problems(values: dict[str, Any], text: Callable[[str], str]) -> list[str]:
    """Swedish messages when opens > deadline or deadline > decision among the given dates."""
    problems: list[str] = []
    for first, second in (("opens", "deadline"), ("deadline", "decision"), ("opens", "decision")):
        if first in values and second in values and values[first] > values[second]:
            if first == "opens" and second == "decision" and "deadline" in values:
                continue  # already reported through the deadline
            problems.append(
                f"{FIELD_NAMES[first]} {text(first)} är efter {FIELD_NAMES[second]} {text(second)}"
            )
    return problems
