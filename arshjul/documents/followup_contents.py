"""What the follow-up documents show: plain frozen data, validated, all amounts whole kronor.

Signs: a deviation is budget minus forecast (positive a surplus, negative an overspend);
in the financial statements costs are negative, as in a Swedish resultaträkning. Every sum
a document prints is a property here, so that no table can show a sum that does not add up.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import NamedTuple

from arshjul.documents.comparison import KeyFigureComparison as KeyFigureComparison
from arshjul.documents.followup_statements import BalanceRequirement as BalanceRequirement
from arshjul.documents.followup_statements import CompanyAssessment as CompanyAssessment
from arshjul.documents.followup_statements import ControlOutcome as ControlOutcome
from arshjul.documents.followup_statements import FinancialGoal as FinancialGoal
from arshjul.documents.followup_statements import FinancialStatements as FinancialStatements
from arshjul.documents.followup_statements import GroupAccounts as GroupAccounts
from arshjul.documents.followup_statements import InternalControl as InternalControl
from arshjul.documents.followup_statements import InvestmentRow as InvestmentRow
from arshjul.documents.followup_statements import ManagementReport as ManagementReport
from arshjul.documents.followup_statements import OperatingAccounts as OperatingAccounts
from arshjul.errors import ArshjulError
from arshjul.governance.deviations import beyond_threshold

ATTAINMENT_LEVELS = ("uppfyllt", "delvis uppfyllt", "ej uppfyllt", "ej bedömd")
GOAL_LEVELS = ("council", "committee", "company")


class ReportKind(StrEnum):
    """Which follow-up document; the values are the stage slugs."""

    TERTIAL = "tertial"
    INTERIM = "delar"
    ANNUAL = "arsredovisning"
    FINANCIAL_MARCH = "ekonomirapport-mars"
    FINANCIAL_JUNE = "ekonomirapport-juni"
    FINANCIAL_NOVEMBER = "ekonomirapport-november"
    ACTION_PLAN = "atgardsplan"


def _repeated(what: str, names: list[str]) -> list[str]:
    return [f"{what} ”{n}” finns flera gånger" for n in sorted(set(names)) if names.count(n) > 1]


def _tuple(owner: object, name: str, kind: type | None = None) -> None:
    """Store a sequence field as a tuple, turning plain tuples into ``kind``."""
    values = tuple(getattr(owner, name))
    if kind is not None:
        values = tuple(v if isinstance(v, kind) else kind(*v) for v in values)
    object.__setattr__(owner, name, values)


@dataclass(frozen=True)
class UnitEconomy:
    """A committee's operating budget, actuals so far and full-year forecast."""

    name: str
    budget_kr: int
    actual_kr: int
    forecast_kr: int | None
    threshold_kr: int = 0  # an overspend larger than this needs an action plan
    action_plan_state: str | None = None  # Swedish, e.g. "gäller", "avslutad"
    explanation: str = ""
    measures: str = ""  # within the administration's own delegation

    @property
    def deviation_kr(self) -> int | None:
        """Budget minus forecast: positive a surplus, negative an overspend."""
        return None if self.forecast_kr is None else self.budget_kr - self.forecast_kr

    @property
    def actual_deviation_kr(self) -> int:
        """Budget minus actuals (the annual accounts' deviation)."""
        return self.budget_kr - self.actual_kr

    @property
    def beyond_threshold(self) -> bool:
        """An overspend larger than the threshold (the rule the stages apply)."""
        return beyond_threshold(self.deviation_kr, self.threshold_kr)


@dataclass(frozen=True)
class CompanyReport:
    """A municipal company's own report at a follow-up."""

    name: str
    ownership_percent: Decimal | float
    text: str = ""
    result_forecast_kr: int | None = None


class ActionPlanMeasure(NamedTuple):
    """One measure: its effect on the result (positive improves it), who decides, when."""

    text: str
    effect_kr: int
    decided_by: str
    when: dt.date | str


class ActionPlanFollowUp(NamedTuple):
    """The plan's progress as told in one report."""

    report: str  # e.g. "Ekonomirapport juni"
    remaining_deviation_kr: int
    progress: str = ""
    date: dt.date | None = None


@dataclass(frozen=True)
class ActionPlanSummary:
    """A committee's action plan for a deviation beyond its delegation."""

    unit: str
    deviation_kr: int  # at detection, budget minus forecast (negative)
    detected_on: dt.date
    state: str  # Swedish, e.g. "gäller"
    measures: tuple[ActionPlanMeasure, ...] = ()
    needs_executive_board: bool = False
    follow_ups: tuple[ActionPlanFollowUp, ...] = ()
    closed_on: dt.date | None = None
    decided_by: str | None = None
    decided_on: dt.date | None = None

    def __post_init__(self) -> None:
        _tuple(self, "measures", ActionPlanMeasure)
        _tuple(self, "follow_ups", ActionPlanFollowUp)

    @property
    def total_effect_kr(self) -> int:
        """The measures' effects together."""
        return sum(m.effect_kr for m in self.measures)

    @property
    def deviation_after_measures_kr(self) -> int:
        """The deviation at detection plus the measures' effects."""
        return self.deviation_kr + self.total_effect_kr

    @property
    def in_force(self) -> bool:
        """Not closed."""
        return self.closed_on is None


class IndicatorResult(NamedTuple):
    """An indicator with its target and value for the period (either may be missing).

    ``comparison`` is its Kolada key figure compared with other municipalities, for an
    indicator that names one (``kolada_kpi``) in a report that shows comparisons.
    """

    name: str
    unit_of_measure: str = ""
    target: float | None = None
    value: float | None = None
    comparison: KeyFigureComparison | None = None


@dataclass(frozen=True)
class GoalReport:
    """A goal's attainment as judged for the period."""

    key: str
    title: str
    level: str  # council, committee or company
    unit: str | None  # None for council goals
    strategic_area: str
    attainment: str  # one of ATTAINMENT_LEVELS
    motivation: str = ""
    indicators: tuple[IndicatorResult, ...] = ()
    council_goal: str | None = None  # the key of the council goal it serves

    def __post_init__(self) -> None:
        _tuple(self, "indicators", IndicatorResult)


@dataclass(frozen=True)
class GoverningRegister:
    """The register of governing documents in the annual report's section on governance:
    the documents reviewed in the year (with the answer), and those due and overdue."""

    in_force: int
    reviewed: tuple[str, ...] = ()
    due: tuple[str, ...] = ()
    overdue: tuple[str, ...] = ()


@dataclass(frozen=True)
class FollowUpData:
    """Everything a follow-up document shows (tertial, delår, årsredovisning, …)."""

    municipality: str
    year: int
    kind: ReportKind
    period: str  # "januari–april"
    as_of: dt.date
    units: tuple[UnitEconomy, ...]
    companies: tuple[CompanyReport, ...] = ()
    action_plans: tuple[ActionPlanSummary, ...] = ()
    goals: tuple[GoalReport, ...] = ()
    statements: FinancialStatements | None = None
    operating: OperatingAccounts | None = None
    investments: tuple[InvestmentRow, ...] = ()
    group: GroupAccounts | None = None
    management: ManagementReport | None = None
    balance_requirement: BalanceRequirement | None = None
    sound_financial_management: tuple[FinancialGoal, ...] = ()
    company_assessments: tuple[CompanyAssessment, ...] = ()
    internal_control: tuple[InternalControl, ...] = ()
    governing: GoverningRegister | None = None  # the annual report's register section
    forecast_basis: dt.date | None = None  # forecasts made on actuals through this day
    previous_report_on: dt.date | None = None  # the last financial report to the board
    body: str | None = None
    meeting_date: dt.date | None = None
    diary_number: str | None = None
    demo: bool = False
    group_threshold_percent: float = 10.0  # from which the interim report shows the group

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", ReportKind(self.kind))
        _tuple(self, "units")
        _tuple(self, "companies")
        _tuple(self, "action_plans")
        _tuple(self, "goals")
        _tuple(self, "investments", InvestmentRow)
        _tuple(self, "sound_financial_management", FinancialGoal)
        _tuple(self, "company_assessments", CompanyAssessment)
        _tuple(self, "internal_control", InternalControl)
        if problems := self._problems():
            raise ArshjulError(
                f"Underlaget till uppföljningen {self.period} {self.year} går inte ihop:",
                details=problems,
            )

    def _problems(self) -> list[str]:
        problems = _repeated("nämnden", [u.name for u in self.units])
        problems += _repeated("målet", [g.key for g in self.goals])
        for goal in self.goals:
            if goal.attainment not in ATTAINMENT_LEVELS:
                known = ", ".join(ATTAINMENT_LEVELS)
                problems.append(
                    f"mål {goal.key}: okänd måluppfyllelse ”{goal.attainment}” ({known})"
                )
            if goal.level not in GOAL_LEVELS:
                problems.append(f"mål {goal.key}: okänd nivå ”{goal.level}”")
        for part in (self.statements, self.operating, self.group, self.balance_requirement):
            if part is not None:
                problems += part.problems()
        statements, requirement = self.statements, self.balance_requirement
        annual = self.kind is ReportKind.ANNUAL
        if annual and statements and requirement and statements.result_kr != requirement.result_kr:
            problems.append("balanskravsutredningens årets resultat är inte resultaträkningens")
        if statements and self.operating:
            net_cost = -statements.income.value("verksamhetens_nettokostnader")
            if net_cost != self.operating.net_cost_kr:
                problems.append(
                    "driftredovisningen utgår inte från resultaträkningens nettokostnader"
                )
        return problems

    @property
    def budget_kr(self) -> int:
        """The committees' budgets together."""
        return sum(u.budget_kr for u in self.units)

    @property
    def actual_kr(self) -> int:
        """The committees' actuals together."""
        return sum(u.actual_kr for u in self.units)

    @property
    def forecast_kr(self) -> int | None:
        """The municipality's forecast: the committees' forecasts summed (None if one lacks)."""
        if any(u.forecast_kr is None for u in self.units):
            return None
        return sum(u.forecast_kr or 0 for u in self.units)

    @property
    def deviation_kr(self) -> int | None:
        """Budget minus forecast for the whole municipality."""
        forecast = self.forecast_kr
        return None if forecast is None else self.budget_kr - forecast

    @property
    def has_forecasts(self) -> bool:
        """Whether any committee has given a forecast."""
        return any(u.forecast_kr is not None for u in self.units)

    @property
    def months_elapsed(self) -> int:
        """Whole months from 1 January to ``as_of``."""
        next_day = self.as_of + dt.timedelta(days=1)
        return self.as_of.month if next_day.month != self.as_of.month else self.as_of.month - 1

    @property
    def council_goals(self) -> tuple[GoalReport, ...]:
        """The council's goals, in the given order."""
        return tuple(g for g in self.goals if g.level == "council")

    def goals_serving(self, council_key: str) -> tuple[GoalReport, ...]:
        """The committees' and companies' goals that serve a council goal."""
        return tuple(
            g for g in self.goals if g.level != "council" and g.council_goal == council_key
        )

    @property
    def strategic_areas(self) -> tuple[str, ...]:
        """The strategic areas in the order their goals come."""
        return tuple(dict.fromkeys(g.strategic_area for g in self.goals))
