"""The Strategic and financial plan's figures, year by year: frames, investments, tax, the
budgeted statements and the financial goals assessed against them.

Each of the three years stands on its own basis (:mod:`arshjul.stages.plan_basis`); a
year without one is named in ``ctx.missing`` and shows empty, never as a copy of another
year. When the council has adopted the plan, its budget year's income statement becomes
the year's result budget (the budget column of that year's interim and annual reports).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlmodel import col, delete, select

from arshjul.accounts import books
from arshjul.accounts.budget import PlanYear, budgeted_balance, budgeted_income, financing
from arshjul.accounts.key_figures import GOAL_MEASURES, computed, goal_met
from arshjul.accounts.layout import INCOME_POSTS, INCOME_STATEMENT, with_sums
from arshjul.accounts.statements import Column, StatementTable, balance_values, income_values, post
from arshjul.documents import planning_data as pd
from arshjul.formats import format_date, format_percent
from arshjul.governance.terms import (
    TermYears,
    configured_term,
    plan_years,
    plan_years_phrase,
    term_of,
    uncovered_years,
)
from arshjul.models import Decision, FrameKind, OrgUnit, PlanningFigure, Term, stored_id
from arshjul.models.accounts import MUNICIPALITY_ENTITY
from arshjul.stages import plan_basis as basis
from arshjul.stages.base import StageContext
from arshjul.stages.economy import framed_units


@dataclass
class PlanParts:
    """What the plan's document shows besides the goals and the decisions."""

    term: str
    term_note: str
    frames: tuple[pd.FrameLine, ...]
    investments: tuple[pd.InvestmentLine, ...]
    tax: pd.TaxLine
    statements: pd.BudgetedStatements
    goals: tuple[pd.FinancialGoal, ...]
    budget_income: dict[str, int] | None

    def record_adopted_budget(self, ctx: StageContext, adopted: pd.DecisionRecord) -> None:
        """The adopted budget year's income statement as that year's result budget."""
        income = self.budget_income
        if income is None:
            return
        year = ctx.year + 1
        mid = ctx.municipality.id
        ctx.session.exec(
            delete(PlanningFigure).where(
                col(PlanningFigure.municipality_id) == mid,
                col(PlanningFigure.year) == year,
                col(PlanningFigure.kind) == "result_budget",
            )
        )
        source = f"{adopted.body} {adopted.date.isoformat()} {adopted.paragraph}"[:300]
        for key, value in income.items():
            shown = key in INCOME_POSTS or key == "verksamhetens_nettokostnader"
            if shown and (value or key in ("verksamhetens_intakter", "verksamhetens_kostnader")):
                if key == "verksamhetens_nettokostnader" and "verksamhetens_kostnader" in income:
                    continue
                ctx.session.add(
                    PlanningFigure(
                        municipality_id=mid,  # type: ignore[arg-type]
                        year=year,
                        kind="result_budget",
                        key=key,
                        value=float(value),
                        source=source,
                    )
                )
        ctx.session.flush()


def _term_texts(ctx: StageContext, years: tuple[int, int, int]) -> tuple[str, str]:
    """The term the budget year belongs to, and a note when a plan year has no configured
    term (its goals are then not in the configuration)."""
    configured = [
        TermYears(t.start_year, t.end_year)
        for t in ctx.session.exec(select(Term).where(Term.municipality_id == ctx.municipality.id))
    ]
    term = configured_term(years[0], configured) or term_of(years[0])
    missing = uncovered_years(years, configured)
    if not missing:
        return str(term), ""
    needed = sorted({str(term_of(y)) for y in missing})
    note = (
        f"Observera: {plan_years_phrase(missing)} ligger utanför de mandatperioder "
        f"som kommunens konfiguration har mål för. Målen för mandatperioden "
        f"{' och '.join(needed)} är inte inlästa, så planen visar inga mål för de åren."
    )
    ctx.missing.append(f"mål för mandatperioden {' och '.join(needed)} (kommunens TOML-fil)")
    return str(term), note


def _decision_text(decision: Decision, bodies: Mapping[int, OrgUnit]) -> str:
    body = bodies[decision.body_unit_id]
    return f"{body.name.lower()} {format_date(decision.decided_on)}, {decision.paragraph}"


def _frames(
    ctx: StageContext, years: tuple[int, int, int]
) -> tuple[tuple[pd.FrameLine, ...], list[int | None]]:
    """Each committee's frame per year and the years' totals (None: the year has no basis)."""
    mid: int = ctx.municipality.id  # type: ignore[assignment]
    units = framed_units(ctx.session, mid)
    bodies = {
        stored_id(u): u
        for u in ctx.session.exec(select(OrgUnit).where(OrgUnit.municipality_id == mid))
    }
    by_year = [basis.counting_frames(ctx.session, municipality_id=mid, year=y) for y in years]
    lines = []
    for unit in units:
        amounts = [
            frames[(unit.id, "")].amount_kr if (unit.id, "") in frames else None  # type: ignore[index]
            for frames in by_year
        ]
        decided = by_year[0].get((unit.id, ""))  # type: ignore[arg-type]
        decision = (
            ctx.session.get(Decision, decided.decision_id)
            if decided and decided.decision_id
            else None
        )
        lines.append(
            pd.FrameLine(
                unit.name,
                amounts[0],
                amounts[1],
                amounts[2],
                decision=_decision_text(decision, bodies) if decision else "",
            )
        )
    totals: list[int | None] = []
    for index, year in enumerate(years):
        amounts = [line.amounts[index] for line in lines]
        if any(a is None for a in amounts):
            lacking = [line.committee for line in lines if line.amounts[index] is None]
            ctx.missing.append(f"driftramar {year} för {', '.join(lacking)}")
            totals.append(None)
        else:
            totals.append(sum(a or 0 for a in amounts))
    return tuple(lines), totals


def _investments(ctx: StageContext, years: tuple[int, int, int]) -> tuple[pd.InvestmentLine, ...]:
    found = basis.projects(ctx.session, municipality_id=ctx.municipality.id, years=years)  # type: ignore[arg-type]
    lines = []
    for project in found:
        beyond = project.years[0] < years[0] or project.years[-1] > years[-1]
        lines.append(
            pd.InvestmentLine(
                project.unit,
                project.project or "Investeringar",
                project.amounts[0],
                project.amounts[1],
                project.amounts[2],
                whole=project.whole_kr,
                span=f"{project.years[0]}–{project.years[-1]}" if beyond else "",
            )
        )
    for index, year in enumerate(years):
        if not any(line.amounts[index] is not None for line in lines):
            ctx.missing.append(f"investeringsramar {year} (arshjul import ramar, typ investering)")
    return tuple(lines)


def _year_before(ctx: StageContext) -> tuple[dict[str, int], str] | None:
    """The balance sheet at the end of the cycle year: last year's books rolled forward
    with this year's full-year forecast (else its budget) and its investment frames."""
    mid: int = ctx.municipality.id  # type: ignore[assignment]
    year = ctx.year
    chart = books.chart_for(ctx.config, MUNICIPALITY_ENTITY)
    closing = books.balances(ctx.session, municipality_id=mid, entity="", year=year - 1, month=12)
    if closing is None:
        ctx.missing.append(
            f"saldobalans för kommunen {year - 1}-12 (den budgeterade balansräkningen utgår "
            "från bokslutet)"
        )
        return None
    posted = post(chart, closing)
    start = balance_values(posted.balance, income_values(posted.income)["arets_resultat"])
    figures: dict[str, float] = {}
    label = ""
    for kind in ("result_forecast", "result_budget"):
        rows = ctx.session.exec(
            select(PlanningFigure).where(
                PlanningFigure.municipality_id == mid,
                PlanningFigure.year == year,
                PlanningFigure.kind == kind,
            )
        ).all()
        if rows:
            newest = max(r.sub_key for r in rows)
            figures = {r.key: r.value for r in rows if r.sub_key == newest}
            label = f"helårsprognosen {year}" if kind == "result_forecast" else f"budgeten {year}"
            break
    if not figures:
        ctx.missing.append(
            f"resultatbudget eller helårsprognos {year} (arshjul import resultatbudget)"
        )
        return None
    income = with_sums(INCOME_STATEMENT, {k: int(v) for k, v in figures.items()})
    investments = basis.counting_frames(
        ctx.session, municipality_id=mid, year=year, kind=FrameKind.INVESTMENT
    )
    this_year = PlanYear(
        year,
        None,
        None,
        -income.get("avskrivningar", 0),
        None,
        None,
        None,
        None,
        investments_kr=sum(f.amount_kr for f in investments.values()),
    )
    end = budgeted_balance(start, income, this_year)
    return end, (
        f"Balansräkningen utgår från bokslutet {year - 1} och {label} med årets investeringsramar."
    )


def _statements(
    ctx: StageContext, years: tuple[int, int, int], plan: list[PlanYear]
) -> tuple[pd.BudgetedStatements, list[dict[str, int] | None], list[dict[str, int] | None]]:
    headings = [f"Budget {years[0]}", f"Plan {years[1]}", f"Plan {years[2]}"]
    incomes = [budgeted_income(year) for year in plan]
    missing: list[str] = []
    for year, income in zip(plan, incomes, strict=True):
        if income is None:
            missing += year.missing()
            ctx.missing += year.missing()
    income_table = StatementTable(
        "income", tuple(Column(h, i or {}) for h, i in zip(headings, incomes, strict=True))
    )
    balances: list[dict[str, int] | None] = [None, None, None]
    flows: list[dict[str, int]] = []
    before = _year_before(ctx)
    balance_table = financing_table = None
    basis_text = ""
    if before is not None:
        previous, basis_text = before
        columns = [Column(f"Prognos {ctx.year}", previous)]
        for index, (year, income) in enumerate(zip(plan, incomes, strict=True)):
            if income is None:
                break
            end = budgeted_balance(previous, income, year)
            balances[index] = end
            flows.append(financing(income, previous, end, year))
            columns.append(Column(headings[index], end))
            previous = end
        balance_table = StatementTable("balance", tuple(columns))
        financing_table = StatementTable(
            "cash_flow",
            tuple(Column(headings[i], flow) for i, flow in enumerate(flows)),
        )
    return (
        pd.BudgetedStatements(
            income_table, balance_table, financing_table, tuple(missing), basis_text
        ),
        list(incomes),
        balances,
    )


def _goals(
    ctx: StageContext,
    years: tuple[int, int, int],
    plan: list[PlanYear],
    incomes: list[dict[str, int] | None],
    balances: list[dict[str, int] | None],
) -> tuple[pd.FinancialGoal, ...]:
    """Each financial goal of the budget year, assessed against each year's budget."""
    mid: int = ctx.municipality.id  # type: ignore[assignment]
    targets = [basis.assumptions(ctx.session, municipality_id=mid, year=y) for y in years]
    found = []
    for measure in GOAL_MEASURES:
        if measure.key not in targets[0]:
            continue
        outcomes: list[str] = []
        met: list[bool | None] = []
        for index, (year, income, balance) in enumerate(zip(plan, incomes, balances, strict=True)):
            target = Decimal(str(targets[index].get(measure.key, targets[0][measure.key])))
            value: Any = None
            if income is not None and balance is not None:
                figures = computed(
                    income,
                    balance,
                    investments_kr=year.investments_kr,
                    contingent_pensions_kr=None,
                    balance_result_kr=None,
                )
                value = figures.get(measure.figure)
            elif income is not None and measure.figure == "resultatandel":
                taxes = income["skatteintakter"] + income["generella_statsbidrag"]
                value = Decimal(income["arets_resultat"]) * 100 / taxes if taxes else None
            if value is None:
                outcomes.append("kan inte bedömas")
                met.append(None)
                continue
            outcomes.append(format_percent(Decimal(value) / 100))
            met.append(goal_met(measure, target, Decimal(value)))
        first = Decimal(str(targets[0][measure.key]))
        found.append(
            pd.FinancialGoal(
                measure.label,
                f"{'minst' if measure.at_least else 'högst'} {format_percent(first / 100)}",
                tuple(outcomes),
                tuple(met),
            )
        )
    return tuple(found)


def plan_parts(ctx: StageContext) -> PlanParts:
    """Everything the plan shows for its three years, from the database."""
    years = plan_years(ctx.year)
    mid: int = ctx.municipality.id  # type: ignore[assignment]
    term, note = _term_texts(ctx, years)
    frames, totals = _frames(ctx, years)
    investments = _investments(ctx, years)
    forecast = basis.tax_forecast(ctx.session, municipality_id=mid, by=ctx.as_of.date())
    if forecast is None:
        ctx.missing.append("skatteunderlagsprognos (arshjul import skatteprognos)")
    rate = basis.tax_rate(
        ctx.session, municipality_id=mid, cycle_year=ctx.year, cycle_id=ctx.cycle.id
    )
    if rate is None:
        ctx.missing.append(f"skattesats {years[0]} (arshjul decide kf-beslut --skattesats)")
    plan = [
        basis.plan_year(
            ctx.session, municipality_id=mid, year=year, forecast=forecast, frames_kr=total
        )
        for year, total in zip(years, totals, strict=True)
    ]
    tax = pd.TaxLine(
        rate.rate if rate else None,
        rate.source if rate else "",
        tuple(p.tax_kr for p in plan),  # type: ignore[arg-type]
        tuple(p.grants_kr for p in plan),  # type: ignore[arg-type]
        forecast.name if forecast else "",
        f"prognosen {format_date(forecast.replaces)}" if forecast and forecast.replaces else "",
    )
    statements, incomes, balances = _statements(ctx, years, plan)
    goals = _goals(ctx, years, plan, incomes, balances)
    return PlanParts(term, note, frames, investments, tax, statements, goals, incomes[0])
