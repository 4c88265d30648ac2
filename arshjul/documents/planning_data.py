"""What the planning documents show: plain frozen data, validated when made.

One data class per document (a database adapter fills them): ``LedningsdialogData``,
``BudgetdagData``, ``SepData``, ``NamndbudgetData`` and ``OversynData``. Amounts are
whole kronor. Free text is shown as typed: a blank line starts a new paragraph.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, fields, is_dataclass
from decimal import Decimal
from enum import StrEnum
from typing import NamedTuple

from arshjul.accounts.statements import StatementTable, balance_problems, cash_flow_problems
from arshjul.calendar.stages import is_election_year
from arshjul.documents.comparison import GoalComparison
from arshjul.documents.ramar_data import FinancialStartingPoints
from arshjul.errors import ArshjulError
from arshjul.formats import format_number, format_tkr

Target = int | float | Decimal | str | None
"""A target value: a number (shown Swedish), a text such as "Öka", or none."""


def paragraphs(text: str) -> list[str]:
    """A typed text split into paragraphs at blank lines; the lines of one are joined."""
    blocks = re.split(r"\n\s*\n", text.replace("\r\n", "\n").strip())
    return [
        " ".join(line.strip() for line in b.splitlines() if line.strip())
        for b in blocks
        if b.strip()
    ]


def format_target(value: Target, unit: str = "") -> str:
    """``85`` → ``85 %`` with unit ``%``; ``Decimal("3.5")`` → ``3,5``; ``None`` → ``–``."""
    if value is None or value == "":
        return "–"
    if isinstance(value, str):
        return value
    number = Decimal(str(value))
    exponent = number.normalize().as_tuple().exponent  # a letter only for NaN and infinity
    decimals = 0 if number == number.to_integral_value() else -int(exponent)
    text = format_number(number, min(int(decimals), 2))
    return f"{text}\u00a0{unit}" if unit else text


def _freeze(obj: object) -> None:
    """Lists given for tuple fields become tuples (the data stays hashable and frozen)."""
    if not is_dataclass(obj):
        raise TypeError(f"{type(obj).__name__} is not a dataclass")
    for f in fields(obj):
        value = getattr(obj, f.name)
        if isinstance(value, list):
            object.__setattr__(obj, f.name, tuple(value))


def _duplicates(names: list[str], what: str) -> list[str]:
    return [f"{what} ”{n}” finns flera gånger" for n in sorted(set(names)) if names.count(n) > 1]


def _refuse(title: str, problems: list[str]) -> None:
    if problems:
        raise ArshjulError(f"Underlaget till {title} går inte ihop:", details=problems)


class _Data:
    """Lists given for tuple fields become tuples."""

    def __post_init__(self) -> None:
        _freeze(self)


@dataclass(frozen=True, kw_only=True)
class DocumentMeta(_Data):
    """What every document's title page shows besides its title."""

    body: str | None = "Kommunstyrelsen"
    meeting_date: dt.date | None = None
    diary_number: str | None = None
    demo: bool = False


# --------------------------------------------------------------------------- ledningsdialog
class Season(StrEnum):
    """Which of the year's two management dialogues."""

    SPRING = "vår"
    AUTUMN = "höst"


@dataclass(frozen=True)
class DialogueSubmission:
    """An administration's or company's texts for the dialogue, as submitted."""

    unit: str
    present: str
    future: str
    challenges: str
    is_company: bool = False
    submitted_on: dt.date | None = None


@dataclass(frozen=True)
class LedningsdialogData(DocumentMeta):
    """Underlag till ledningsdialog: every submission, and who has not submitted."""

    municipality: str
    cycle_year: int
    season: Season
    submissions: tuple[DialogueSubmission, ...]
    not_submitted: tuple[str, ...] = ()
    dialogue_date: dt.date | None = None
    comparisons: tuple[GoalComparison, ...] = ()  # the term's indicators with a key figure

    def __post_init__(self) -> None:
        super().__post_init__()
        try:
            object.__setattr__(self, "season", Season(self.season))
        except ValueError:
            raise ArshjulError(f"Okänd ledningsdialog ”{self.season}”: vår eller höst") from None
        names = [s.unit for s in self.submissions]
        problems = _duplicates(names, "underlaget från")
        problems += [
            f"”{n}” har både lämnat och inte lämnat underlag"
            for n in self.not_submitted
            if n in names
        ]
        _refuse(f"ledningsdialogen ({self.season}) {self.cycle_year}", problems)


# --------------------------------------------------------------------------- budgetdag
@dataclass(frozen=True)
class CommitteeAmount:
    """One committee's frame (preliminary, or as proposed)."""

    committee: str
    amount: int


@dataclass(frozen=True)
class FundingRequest:
    """Ett äskande: more money asked for, why, and what happens without it."""

    committee: str
    title: str
    amount: int
    reason: str
    consequences: str


@dataclass(frozen=True)
class InvestmentNeed:
    """An investment a committee needs, with the yearly operating cost it brings."""

    committee: str
    project: str
    amount: int
    operating_cost: int = 0
    description: str = ""


@dataclass(frozen=True)
class PremisesNeed:
    """A need for premises, for the revision of the premises plan."""

    committee: str
    need: str
    from_year: int | None = None


@dataclass(frozen=True)
class AnalysisSummary:
    """A committee's or company's analysis; ``child_impact_needed``: the analysis
    changes services for children, so a child impact assessment belongs to it."""

    unit: str
    summary: str
    is_company: bool = False
    child_impact_needed: bool = False
    child_impact: str = ""


@dataclass(frozen=True)
class BudgetdagData(DocumentMeta):
    """The budget day's material; ``proposed_frames`` once the budget drafting has met."""

    municipality: str
    cycle_year: int
    financial: FinancialStartingPoints
    frames: tuple[CommitteeAmount, ...]
    funding_requests: tuple[FundingRequest, ...] = ()
    investment_needs: tuple[InvestmentNeed, ...] = ()
    premises_needs: tuple[PremisesNeed, ...] = ()
    analyses: tuple[AnalysisSummary, ...] = ()
    proposed_frames: tuple[CommitteeAmount, ...] | None = None
    proposal_text: str = ""
    budget_day: dt.date | None = None

    def __post_init__(self) -> None:
        super().__post_init__()
        names = [f.committee for f in self.frames]
        problems = [] if names else ["det finns inga nämnder med ramar"]
        problems += _duplicates(names, "nämnden")
        problems += [
            f"äskandet ”{r.title}”: nämnden ”{r.committee}” har ingen ram"
            for r in self.funding_requests
            if r.committee not in names
        ]
        proposed = [f.committee for f in self.proposed_frames or ()]
        problems += _duplicates(proposed, "förslaget för nämnden")
        problems += [f"förslaget: nämnden ”{n}” har ingen ram" for n in proposed if n not in names]
        if self.proposed_frames is not None:
            problems += [f"förslaget saknar ram för ”{n}”" for n in names if n not in proposed]
        _refuse(f"budgetdagen {self.cycle_year}", problems)

    @property
    def budget_year(self) -> int:
        """The year the budget is for: the cycle year plus one."""
        return self.cycle_year + 1

    def requested(self, committee: str) -> int:
        """The sum of one committee's funding requests."""
        return sum(r.amount for r in self.funding_requests if r.committee == committee)


# --------------------------------------------------------------------------- SEP
@dataclass(frozen=True)
class IndicatorLine:
    """An indicator with its target for the term and for the budget year."""

    name: str
    unit: str = ""
    term_target: Target = None
    year_target: Target = None


@dataclass(frozen=True)
class GoalLine(_Data):
    """A council goal (``key`` such as ``1.1``) and its indicators."""

    key: str
    title: str
    indicators: tuple[IndicatorLine, ...] = ()
    description: str = ""


@dataclass(frozen=True)
class StrategicAreaLine(_Data):
    """A strategic area and the council goals under it."""

    name: str
    goals: tuple[GoalLine, ...]
    description: str = ""


@dataclass(frozen=True)
class FinancialGoal:
    """A goal for sound financial management: its target, and for each plan year the
    budgeted outcome and whether it meets the target (None: cannot be assessed)."""

    goal: str
    target: str = ""
    outcomes: tuple[str, ...] = ()
    met: tuple[bool | None, ...] = ()


Amount = int | None
"""A year's amount, or None when the year has no basis for it."""


@dataclass(frozen=True)
class FrameLine:
    """A committee's operating frame for the budget year and the two plan years.

    ``decision`` cites the decision that adopted the budget year's frame.
    """

    committee: str
    budget: Amount
    plan_1: Amount
    plan_2: Amount
    decision: str = ""

    @property
    def amounts(self) -> tuple[Amount, Amount, Amount]:
        """The three years' frames in order."""
        return (self.budget, self.plan_1, self.plan_2)


@dataclass(frozen=True)
class InvestmentLine:
    """An investment project, once: its frame each plan year (None: no frame that year),
    and for a project running over other years too, its whole budget and span."""

    committee: str
    area: str
    budget: Amount
    plan_1: Amount
    plan_2: Amount
    whole: int | None = None
    span: str = ""  # "2027–2030" when the project runs beyond the plan's years

    @property
    def amounts(self) -> tuple[Amount, Amount, Amount]:
        """The three years' frames in order."""
        return (self.budget, self.plan_1, self.plan_2)

    @property
    def total(self) -> int:
        """The plan years' frames together."""
        return sum(a or 0 for a in self.amounts)


@dataclass(frozen=True)
class TaxLine:
    """The tax rate and SKR's forecast of tax revenue and general grants for the plan."""

    rate: Decimal | None
    rate_source: str
    revenue: tuple[Amount, Amount, Amount]
    grants: tuple[Amount, Amount, Amount]
    forecast: str = ""  # "SKR:s skatteunderlagsprognos 24 april 2027"
    replaces: str = ""  # the forecast it replaced, if any


@dataclass(frozen=True)
class BudgetedStatements:
    """The budgeted income statement, balance sheet and financing budget of the plan.

    ``balance`` has a first column for the year before the budget year (the starting
    point); each year column of ``income`` and ``financing`` is a plan year that has a
    basis (``missing`` names what a year without one lacks).
    """

    income: StatementTable
    balance: StatementTable | None = None
    financing: StatementTable | None = None
    missing: tuple[str, ...] = ()
    basis: str = ""

    def problems(self) -> list[str]:
        found = self.income.problems()
        if self.balance is not None:
            found += self.balance.problems()
            for column in self.balance.columns:
                found += balance_problems(column.values, f"({column.heading})")
        if self.financing is not None and self.balance is not None:
            found += self.financing.problems()
            for index, column in enumerate(self.financing.columns):
                found += cash_flow_problems(
                    column.values, self.balance.columns[index + 1].values, f"({column.heading})"
                )
        return found


@dataclass(frozen=True)
class DecisionRecord(_Data):
    """A decision on the plan; ``final`` for the council's adoption."""

    body: str
    date: dt.date
    paragraph: str
    changes: tuple[str, ...] = ()
    final: bool = False


@dataclass(frozen=True)
class SepData(DocumentMeta):
    """Strategisk och ekonomisk plan: goals and resources for three years."""

    municipality: str
    cycle_year: int
    vision: str
    term: str
    areas: tuple[StrategicAreaLine, ...]
    financial_goals: tuple[FinancialGoal, ...]
    frames: tuple[FrameLine, ...]
    investments: tuple[InvestmentLine, ...] = ()
    plan_text: str = ""
    direction: str = ""
    financial: FinancialStartingPoints | None = None
    decisions: tuple[DecisionRecord, ...] = ()
    tax: TaxLine | None = None
    statements: BudgetedStatements | None = None
    missing: tuple[str, ...] = ()  # what the plan lacks, as the document names it
    term_note: str = ""  # when a plan year lies outside every configured term

    def __post_init__(self) -> None:
        super().__post_init__()
        problems = [] if self.frames else ["det finns inga driftramar"]
        if self.statements is not None:
            problems += self.statements.problems()
        problems += _duplicates([f.committee for f in self.frames], "driftramen för")
        problems += _duplicates([g.key for a in self.areas for g in a.goals], "målet")
        dates = [d.date for d in self.decisions]
        if dates != sorted(dates):
            problems.append("besluten ska stå i tidsordning")
        _refuse(f"Strategisk och ekonomisk plan {self.budget_year}", problems)

    @property
    def budget_year(self) -> int:
        """The first of the plan's three years: the cycle year plus one."""
        return self.cycle_year + 1

    @property
    def plan_years(self) -> tuple[int, int, int]:
        """The budget year and the two plan years."""
        return (self.budget_year, self.budget_year + 1, self.budget_year + 2)

    @property
    def adopted(self) -> DecisionRecord | None:
        """The final decision, if the plan has been adopted."""
        return next((d for d in reversed(self.decisions) if d.final), None)


# --------------------------------------------------------------------------- nämndbudget
@dataclass(frozen=True)
class ActivityLine:
    """A line of a committee's budget: an activity (verksamhet) and its amount."""

    activity: str
    amount: int


@dataclass(frozen=True)
class UnitGoalLine(_Data):
    """A committee's own goal, the council goal it serves, and its indicators."""

    key: str
    title: str
    council_goal: str
    indicators: tuple[IndicatorLine, ...] = ()


@dataclass(frozen=True)
class PlanActivity:
    """An activity in the operational plan (verksamhetsplan)."""

    title: str
    goal: str = ""
    responsible: str = ""


@dataclass(frozen=True)
class CommitteeBudget(_Data):
    """A committee's budget: its frame distributed on activities, goals, plan."""

    committee: str
    frame: int
    activities: tuple[ActivityLine, ...]
    goals: tuple[UnitGoalLine, ...] = ()
    plan_activities: tuple[PlanActivity, ...] = ()
    decided_on: dt.date | None = None
    paragraph: str = ""
    goals_text: str = ""  # the committee's own words on its goals

    @property
    def distributed(self) -> int:
        """The sum of the activities."""
        return sum(a.amount for a in self.activities)

    @property
    def difference(self) -> int:
        """Distributed minus frame: must be 0."""
        return self.distributed - self.frame


@dataclass(frozen=True)
class NamndbudgetData(DocumentMeta):
    """Nämndernas budget, compiled for the executive board."""

    municipality: str
    cycle_year: int
    committees: tuple[CommitteeBudget, ...]
    not_submitted: tuple[str, ...] = ()
    term: str = ""

    def __post_init__(self) -> None:
        super().__post_init__()
        problems = _duplicates([c.committee for c in self.committees], "nämnden")
        problems += [
            f"{c.committee}: verksamheterna summerar till {format_tkr(c.distributed)}, "
            f"inte ramen {format_tkr(c.frame)}"
            for c in self.committees
            if c.difference
        ]
        _refuse(f"Nämndernas budget {self.budget_year}", problems)

    @property
    def budget_year(self) -> int:
        """The year the budgets are for: the cycle year plus one."""
        return self.cycle_year + 1


# --------------------------------------------------------------------------- översyn
@dataclass(frozen=True)
class ReviewInput:
    """One input to the review: a heading, the text, and who gave it."""

    title: str
    text: str
    source: str = ""


class DueDocument(NamedTuple):
    """A political governing document due for review in the new term."""

    title: str
    kind: str  # Swedish: "policy", "program", …
    decided: str  # "KF § 14, 23 februari 2023"
    review_by: dt.date
    owner: str


@dataclass(frozen=True)
class OversynData(DocumentMeta):
    """Översyn av politisk organisation och politiskt program (election years)."""

    municipality: str
    cycle_year: int
    organisation: tuple[ReviewInput, ...]
    programme: tuple[ReviewInput, ...]
    background: str = ""
    next_steps: str = ""
    election_day: dt.date | None = None
    # The political governing documents the new council must review in its term.
    documents_due: tuple[DueDocument, ...] = ()

    def __post_init__(self) -> None:
        super().__post_init__()
        if not is_election_year(self.cycle_year):
            raise ArshjulError(
                f"Översynen av politisk organisation och politiskt program görs valår; "
                f"{self.cycle_year} är inget valår"
            )
