"""The basis of the Strategic and financial plan, year by year, from the database.

For each of the plan's three years: the committees' frames that count for that year, the
investment frames per project, SKR's tax-base forecast, the planned depreciation and other
items (``finansiella-mal``), and the tax rate with where it comes from. A figure the
database lacks is None and is named in the stage's ``missing`` list; nothing is copied from
another year.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from sqlmodel import Session, col, select

from arshjul.accounts.budget import PlanYear
from arshjul.formats import format_date
from arshjul.governance.frames import counting
from arshjul.models import (
    BudgetFrame,
    Decision,
    FrameKind,
    OrgUnit,
    PlanningFigure,
    StageInstance,
    UnitKind,
)

TAX_POSTS = ("skatteintakter", "generella_statsbidrag")


@dataclass(frozen=True)
class TaxForecast:
    """The newest tax-base forecast by a day, and the one it replaced."""

    made_on: dt.date
    by_year: dict[int, dict[str, int]]
    replaces: dt.date | None = None

    @property
    def name(self) -> str:
        """``SKR:s skatteunderlagsprognos 24 april 2027``."""
        return f"SKR:s skatteunderlagsprognos {format_date(self.made_on)}"

    def amount(self, year: int, post: str) -> int | None:
        return self.by_year.get(year, {}).get(post)


def tax_forecast(session: Session, *, municipality_id: int, by: dt.date) -> TaxForecast | None:
    """The newest forecast made on or before ``by``."""
    rows = session.exec(
        select(PlanningFigure).where(
            PlanningFigure.municipality_id == municipality_id,
            PlanningFigure.kind == "tax_forecast",
        )
    ).all()
    made = sorted({dt.date.fromisoformat(r.sub_key) for r in rows if r.sub_key <= by.isoformat()})
    if not made:
        return None
    newest = made[-1]
    by_year: dict[int, dict[str, int]] = defaultdict(dict)
    for row in rows:
        if row.sub_key == newest.isoformat():
            by_year[row.year][row.key] = int(row.value)
    return TaxForecast(newest, dict(by_year), made[-2] if len(made) > 1 else None)


def assumptions(session: Session, *, municipality_id: int, year: int) -> dict[str, float]:
    """The year's financial goals and planning assumptions (``arshjul import finansiella-mal``)."""
    rows = session.exec(
        select(PlanningFigure).where(
            PlanningFigure.municipality_id == municipality_id,
            PlanningFigure.year == year,
            PlanningFigure.kind == "financial_goal",
        )
    ).all()
    return {row.key: row.value for row in rows}


def counting_frames(
    session: Session, *, municipality_id: int, year: int, kind: str = FrameKind.OPERATIONS
) -> dict[tuple[int, str], BudgetFrame]:
    """The frame that counts per (unit, area) for a year (governance.frames)."""
    by_key: dict[tuple[int, str], list[BudgetFrame]] = defaultdict(list)
    for frame in session.exec(
        select(BudgetFrame).where(
            BudgetFrame.municipality_id == municipality_id,
            BudgetFrame.budget_year == year,
            BudgetFrame.kind == kind,
        )
    ):
        by_key[(frame.unit_id, frame.area)].append(frame)
    found = {key: counting(frames) for key, frames in by_key.items()}
    return {key: frame for key, frame in found.items() if frame is not None}


@dataclass(frozen=True)
class ProjectPlan:
    """An investment project: its frame each plan year (None: no frame that year), and
    over every year it has a frame."""

    unit: str
    project: str
    amounts: tuple[int | None, ...]
    whole_kr: int
    years: tuple[int, ...]

    @property
    def total_kr(self) -> int:
        """The plan years' frames together."""
        return sum(a or 0 for a in self.amounts)


def projects(
    session: Session, *, municipality_id: int, years: tuple[int, ...]
) -> tuple[ProjectPlan, ...]:
    """Each investment project once, with its frame in each plan year and its whole span."""
    units = {
        u.id: u
        for u in session.exec(select(OrgUnit).where(OrgUnit.municipality_id == municipality_id))
    }
    every_year: dict[tuple[int, str], dict[int, int]] = defaultdict(dict)
    all_years = session.exec(
        select(BudgetFrame.budget_year)
        .where(
            BudgetFrame.municipality_id == municipality_id,
            BudgetFrame.kind == FrameKind.INVESTMENT,
        )
        .distinct()
    ).all()
    for year in all_years:
        for (unit_id, area), frame in counting_frames(
            session, municipality_id=municipality_id, year=year, kind=FrameKind.INVESTMENT
        ).items():
            every_year[(unit_id, area)][year] = frame.amount_kr
    found = []
    for (unit_id, area), by_year in every_year.items():
        if not any(y in by_year for y in years):
            continue
        unit = units[unit_id]
        found.append(
            (
                unit.sort_order,
                area,
                ProjectPlan(
                    unit.name,
                    area,
                    tuple(by_year.get(y) for y in years),
                    sum(by_year.values()),
                    tuple(sorted(by_year)),
                ),
            )
        )
    return tuple(p for *_, p in sorted(found, key=lambda item: (item[0], item[1])))


def _kr(value: float | None) -> int | None:
    return None if value is None else int(round(value))


def plan_year(
    session: Session,
    *,
    municipality_id: int,
    year: int,
    forecast: TaxForecast | None,
    frames_kr: int | None,
) -> PlanYear:
    """One year's basis for the budgeted statements."""
    planned = assumptions(session, municipality_id=municipality_id, year=year)
    investments = counting_frames(
        session, municipality_id=municipality_id, year=year, kind=FrameKind.INVESTMENT
    )
    return PlanYear(
        year=year,
        frames_kr=frames_kr,
        other_kr=_kr(planned.get("ovriga_nettokostnader_kr")),
        depreciation_kr=_kr(planned.get("avskrivningar_kr")),
        tax_kr=forecast.amount(year, "skatteintakter") if forecast else None,
        grants_kr=forecast.amount(year, "generella_statsbidrag") if forecast else None,
        financial_income_kr=_kr(planned.get("finansiella_intakter_kr")),
        financial_costs_kr=_kr(planned.get("finansiella_kostnader_kr")),
        investments_kr=sum(f.amount_kr for f in investments.values()) if investments else None,
        income_kr=_kr(planned.get("verksamhetens_intakter_kr")),
    )


@dataclass(frozen=True)
class TaxRate:
    """A tax rate and where it comes from, as the document says it."""

    rate: Decimal
    source: str
    decided: bool = False


def tax_rate(
    session: Session, *, municipality_id: int, cycle_year: int, cycle_id: int | None = None
) -> TaxRate | None:
    """The budget year's tax rate: the council's decision of this cycle, else the board's
    proposal, else the planning assumption, else the rate the council last decided."""
    bodies = {
        u.id: u
        for u in session.exec(select(OrgUnit).where(OrgUnit.municipality_id == municipality_id))
    }
    decisions = session.exec(
        select(Decision, StageInstance)
        .join(StageInstance, col(StageInstance.id) == Decision.stage_instance_id)
        .where(Decision.municipality_id == municipality_id)
        .order_by(col(Decision.decided_on), col(Decision.id))
    ).all()
    with_rate = [(d, s) for d, s in decisions if d.details.get("tax_rate")]
    this_cycle = [(d, s) for d, s in with_rate if cycle_id is None or s.cycle_id == cycle_id]
    for d, _ in reversed(this_cycle):
        body = bodies[d.body_unit_id]
        council = body.kind == UnitKind.COUNCIL
        verb = "beslutad" if council else "föreslagen"
        return TaxRate(
            Decimal(d.details["tax_rate"]),
            f"{verb} av {body.name.lower()} {format_date(d.decided_on)}, {d.paragraph}",
            council,
        )
    planned = assumptions(session, municipality_id=municipality_id, year=cycle_year + 1)
    if "skattesats" in planned:
        return TaxRate(Decimal(str(planned["skattesats"])), "planeringsförutsättning")
    earlier = [(d, s) for d, s in with_rate if bodies[d.body_unit_id].kind == UnitKind.COUNCIL]
    if earlier:
        d, _ = earlier[-1]
        return TaxRate(
            Decimal(d.details["tax_rate"]),
            f"gällande skattesats, beslutad av kommunfullmäktige {format_date(d.decided_on)}",
            True,
        )
    return None
