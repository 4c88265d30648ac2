"""The interim and annual reports' own parts: the financial statements with their notes, the
operating and investment accounts, the municipal group, the management report, the
financial goals and the assessments of the companies and internal control.

Plain frozen data: the statements are computed from the accounts
(:mod:`arshjul.accounts`), and each part says what is wrong with it (``problems()``, in
Swedish) so that no document can show a table that does not add up. Amounts are whole
kronor; in the statements costs are negative, as a Swedish resultaträkning shows them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple

from arshjul.accounts.balance_requirement import BalanceRequirement as BalanceRequirement
from arshjul.accounts.balance_requirement import StatementLine as StatementLine
from arshjul.accounts.statements import (
    Note,
    StatementTable,
    balance_problems,
    cash_flow_problems,
)
from arshjul.formats import format_tkr


def _tuples(owner: object, name: str, kind: type) -> None:
    values = tuple(v if isinstance(v, kind) else kind(*v) for v in getattr(owner, name))
    object.__setattr__(owner, name, values)


@dataclass(frozen=True)
class FinancialStatements:
    """The statements of a report, each with its comparison columns, and their notes.

    Interim report: income statement for the period, the same period last year, the budget
    and the full-year forecast; balance sheet at the period's end and at last year's end.
    Annual report: the year, last year and the budget; balance sheet and cash flow at the
    year's end and last year's. ``missing`` names what could not be shown.
    """

    income: StatementTable
    balance: StatementTable
    cash_flow: StatementTable | None = None
    notes: tuple[Note, ...] = ()
    missing: tuple[str, ...] = ()
    principles: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "notes", tuple(self.notes))
        object.__setattr__(self, "missing", tuple(self.missing))

    @property
    def result_kr(self) -> int:
        """Årets (periodens) resultat."""
        return self.income.value("arets_resultat")

    def problems(self) -> list[str]:
        found: list[str] = []
        for table in (self.income, self.balance, self.cash_flow):
            if table is not None:
                found += table.problems()
        for column in self.balance.columns:
            found += balance_problems(column.values, f"({column.heading})")
        if self.balance.value("arets_resultat_ek") != self.result_kr:
            found.append("balansräkningens årets resultat är inte resultaträkningens")
        if self.cash_flow is not None:
            for index, column in enumerate(self.cash_flow.columns):
                found += cash_flow_problems(
                    column.values, self.balance.columns[index].values, f"({column.heading})"
                )
        for note in self.notes:
            found += note.problems()
        return found


class OperatingRow(NamedTuple):
    """A committee's (or the rest's) net cost: budget and actual, both positive as costs."""

    name: str
    budget_kr: int | None
    actual_kr: int
    committee: bool = True

    @property
    def deviation_kr(self) -> int | None:
        """Budget minus actual: negative is an overspend."""
        return None if self.budget_kr is None else self.budget_kr - self.actual_kr


@dataclass(frozen=True)
class OperatingAccounts:
    """Driftredovisning (RKR R14): the committees' net costs, summing to the income
    statement's net cost of operations."""

    rows: tuple[OperatingRow, ...]
    net_cost_kr: int  # the income statement's verksamhetens nettokostnader, as a cost

    def __post_init__(self) -> None:
        _tuples(self, "rows", OperatingRow)

    @property
    def actual_kr(self) -> int:
        return sum(r.actual_kr for r in self.rows)

    @property
    def budget_kr(self) -> int | None:
        if any(r.budget_kr is None for r in self.rows):
            return None
        return sum(r.budget_kr or 0 for r in self.rows)

    def problems(self) -> list[str]:
        if self.actual_kr == self.net_cost_kr:
            return []
        return [
            f"driftredovisningen summerar till {format_tkr(self.actual_kr)}, resultaträkningens "
            f"nettokostnader är {format_tkr(self.net_cost_kr)}"
        ]


class InvestmentRow(NamedTuple):
    """A project's budget and actual for the year, and for a project over several years its
    whole budget and outcome so far."""

    name: str
    unit: str
    budget_kr: int
    actual_kr: int
    project_budget_kr: int | None = None
    project_actual_kr: int | None = None
    years: str = ""  # "2026–2028" for a project over several years

    @property
    def deviation_kr(self) -> int:
        return self.budget_kr - self.actual_kr


class GroupMemberRow(NamedTuple):
    """A company or federation: the municipality's share and the result it brings."""

    name: str
    kind: str  # "bolag" or "kommunalförbund"
    percent: Decimal
    result_kr: int  # the member's own result
    included_result_kr: int  # at the municipality's share


class EliminationRow(NamedTuple):
    """A transaction between members and what of it the group eliminates."""

    kind: str  # Swedish
    source: str
    target: str
    amount_kr: int
    eliminated_kr: int


@dataclass(frozen=True)
class GroupAccounts:
    """Sammanställda räkenskaper: the group's statements and the bridge from the
    municipality's own (the municipality, the members at their shares, the eliminations).

    ``bridge_income``/``bridge_balance`` have the columns Kommunen, Bolag och förbund,
    Elimineringar, Kommunkoncernen; the first three add up to the last.
    """

    members: tuple[GroupMemberRow, ...]
    eliminations: tuple[EliminationRow, ...]
    income: StatementTable
    balance: StatementTable
    bridge_income: StatementTable
    bridge_balance: StatementTable
    cash_flow: StatementTable | None = None
    material: bool = True
    share_text: str = ""
    missing: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        _tuples(self, "members", GroupMemberRow)
        _tuples(self, "eliminations", EliminationRow)
        object.__setattr__(self, "missing", tuple(self.missing))

    def problems(self) -> list[str]:
        found: list[str] = []
        for table in (self.income, self.balance, self.bridge_income, self.bridge_balance):
            found += table.problems()
        for bridge, statement in (
            (self.bridge_income, self.income),
            (self.bridge_balance, self.balance),
        ):
            own, members, eliminated, group = (c.values for c in bridge.columns)
            for key, value in group.items():
                if own.get(key, 0) + members.get(key, 0) + eliminated.get(key, 0) != value:
                    found.append(
                        f"koncernens {key}: kommunen, bolagen och elimineringarna summerar inte "
                        f"till koncernens {format_tkr(value)}"
                    )
                if statement.columns[0].values.get(key, 0) != value:
                    found.append(f"koncernens {key} skiljer sig mellan tabellerna")
        for column in self.balance.columns:
            found += balance_problems(column.values, f"för kommunkoncernen ({column.heading})")
        if self.cash_flow is not None:
            for index, column in enumerate(self.cash_flow.columns):
                found += cash_flow_problems(
                    column.values, self.balance.columns[index].values, "för kommunkoncernen"
                )
        return found


class OverviewRow(NamedTuple):
    """A row of the five-year overview: a key figure's value each year (None: missing)."""

    label: str
    unit: str  # "tkr", "%", "kr", "st"
    values: tuple[int | Decimal | None, ...]


class SickLeaveRow(NamedTuple):
    """Sick leave in per cent of working time, this year and last."""

    label: str
    this_year: Decimal | None
    last_year: Decimal | None


@dataclass(frozen=True)
class Pensions:
    """The pension obligations: the provision in the balance sheet and the liability outside
    it (ansvarsförbindelse), this year and last; None when not reported."""

    provision_kr: int
    provision_last_kr: int | None
    contingent_kr: int | None
    contingent_last_kr: int | None

    @property
    def total_kr(self) -> int | None:
        return None if self.contingent_kr is None else self.provision_kr + self.contingent_kr


@dataclass(frozen=True)
class ManagementReport:
    """Förvaltningsberättelsen's parts that are not statements (LKBR 11 kap., RKR R15/R17).

    ``texts`` holds the executive board's own words by part (``oversikt``, ``handelser``,
    ``forhallanden``, ``personal``, ``utveckling``); ``events`` each committee's significant
    events.
    """

    years: tuple[int, ...]
    overview: tuple[OverviewRow, ...] = ()
    texts: Mapping[str, str] = field(default_factory=dict)
    events: tuple[tuple[str, str], ...] = ()
    sick_leave: tuple[SickLeaveRow, ...] = ()
    pensions: Pensions | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "years", tuple(self.years))
        _tuples(self, "overview", OverviewRow)
        _tuples(self, "sick_leave", SickLeaveRow)
        object.__setattr__(self, "events", tuple(tuple(e) for e in self.events))


class FinancialGoal(NamedTuple):
    """A financial goal for sound financial management, and how it goes."""

    goal: str
    target: str
    outcome: str  # outcome (annual report) or full-year forecast (interim)
    met: bool | None = None


class CompanyAssessment(NamedTuple):
    """The executive board's yearly assessment of a wholly owned company (KL 6 kap.)."""

    name: str
    purpose: str
    assessment: str
    matched: bool


class ControlOutcome(NamedTuple):
    """One control of the internal control plan and what it found."""

    risk: str
    control: str
    outcome: str
    measure: str = ""


@dataclass(frozen=True)
class InternalControl:
    """One unit's internal control outcome for the year."""

    unit: str
    controls: tuple[ControlOutcome, ...]
    summary: str = ""  # the unit's own words on the year's internal control

    def __post_init__(self) -> None:
        controls = tuple(
            c if isinstance(c, ControlOutcome) else ControlOutcome(*c) for c in self.controls
        )
        object.__setattr__(self, "controls", controls)
