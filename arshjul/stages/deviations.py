"""Deviations from budget and the action plans they call for.

A deviation is budget minus forecast: positive is a surplus, negative an
overspend (the sign the reports explain). An overspend beyond the threshold
(the smaller of the configured amount and share of the frame) escalates at
once and opens an action plan request to the committee.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlmodel import Session, col, select

from arshjul.config.stored import municipality_config
from arshjul.governance import deviations as rule
from arshjul.governance.frames import counting
from arshjul.lifecycle.cycle import ensure_stage_instance
from arshjul.lifecycle.requests import open_requests
from arshjul.mail.outbox import enqueue
from arshjul.models import (
    ActionPlan,
    ActionPlanState,
    BudgetFrame,
    ContactRole,
    Cycle,
    Deviation,
    FigureKind,
    FinancialFigure,
    FrameKind,
    Municipality,
    OrgUnit,
    StageInstance,
    stored_id,
)
from arshjul.queries.organisation import contacts, controller_for


@dataclass(frozen=True)
class UnitEconomy:
    """One unit's money at a follow-up: all in whole kronor."""

    unit: OrgUnit
    budget_kr: int
    actual_kr: int
    forecast_kr: int | None

    @property
    def deviation_kr(self) -> int | None:
        return None if self.forecast_kr is None else self.budget_kr - self.forecast_kr


def operating_frame(session: Session, *, unit_id: int, budget_year: int) -> int | None:
    """A unit's operating frame for a year, from the most decided status there is."""
    frames = session.exec(
        select(BudgetFrame).where(
            BudgetFrame.unit_id == unit_id,
            BudgetFrame.budget_year == budget_year,
            BudgetFrame.kind == FrameKind.OPERATIONS,
        )
    ).all()
    frame = counting(frames)
    return frame.amount_kr if frame else None


def actuals_through(session: Session, *, unit_id: int, year: int, month: int) -> int:
    """Actuals for January up to and including a month."""
    rows = session.exec(
        select(FinancialFigure.amount_kr).where(
            FinancialFigure.unit_id == unit_id,
            FinancialFigure.year == year,
            FinancialFigure.kind == FigureKind.ACTUAL,
            FinancialFigure.month <= month,
            FinancialFigure.project == "",
        )
    ).all()
    return sum(rows)


def threshold_kr(municipality: Municipality, budget_kr: int) -> int:
    """When an overspend needs an action plan (governance.deviations, the configured rule)."""
    return rule.threshold_kr(municipality_config(municipality).deviation, budget_kr)


def record_deviation(
    session: Session,
    *,
    municipality: Municipality,
    stage: StageInstance,
    unit: OrgUnit,
    budget_kr: int,
    forecast_kr: int,
    as_of: dt.datetime,
) -> Deviation:
    """The deviation of one unit at one follow-up (updated if the forecast is revised)."""
    deviation = session.exec(
        select(Deviation).where(
            Deviation.stage_instance_id == stage.id,
            Deviation.unit_id == unit.id,
            Deviation.kind == "operations",
            Deviation.subject == "",
        )
    ).first()
    if deviation is None:
        deviation = Deviation(
            municipality_id=stored_id(municipality),
            stage_instance_id=stored_id(stage),
            unit_id=stored_id(unit),
            kind="operations",
            detected_on=as_of.date(),
        )
    limit = threshold_kr(municipality, budget_kr)
    deviation.budget_kr = budget_kr
    deviation.forecast_kr = forecast_kr
    deviation.deviation_kr = budget_kr - forecast_kr
    deviation.threshold_kr = limit
    deviation.beyond_threshold = rule.beyond_threshold(budget_kr - forecast_kr, limit)
    session.add(deviation)
    session.flush()
    return deviation


def plans_in_force(
    session: Session, *, cycle_id: int, unit_id: int | None = None
) -> list[ActionPlan]:
    """The plans in force in a cycle (governance.deviations.in_force), oldest first."""
    cycle = session.get(Cycle, cycle_id)
    if cycle is None:
        return []
    query = (
        select(ActionPlan, Deviation.kind, Cycle.year)
        .join(Deviation, col(Deviation.id) == ActionPlan.deviation_id)
        .join(StageInstance, col(StageInstance.id) == Deviation.stage_instance_id)
        .join(Cycle, col(Cycle.id) == StageInstance.cycle_id)
        .where(
            ActionPlan.municipality_id == cycle.municipality_id,
            ActionPlan.state != ActionPlanState.CLOSED,
        )
        .order_by(col(ActionPlan.id))
    )
    if unit_id is not None:
        query = query.where(ActionPlan.unit_id == unit_id)
    return [
        plan
        for plan, kind, year in session.exec(query)
        if rule.in_force(closed=False, kind=kind, plan_cycle_year=year, cycle_year=cycle.year)
    ]


def plan_in_force(session: Session, *, unit_id: int, cycle_id: int) -> ActionPlan | None:
    """The unit's action plan in force in the cycle, if any."""
    found = plans_in_force(session, cycle_id=cycle_id, unit_id=unit_id)
    return found[0] if found else None


def close_plan(session: Session, plan: ActionPlan, *, as_of: dt.datetime) -> None:
    """The plan has done its work: it closes, and so does the deviation it was about."""
    plan.state = ActionPlanState.CLOSED
    plan.closed_on = as_of.date()
    session.add(plan)
    original = session.get(Deviation, plan.deviation_id)
    if original is not None and original.closed_on is None:
        original.closed_on = as_of.date()
        session.add(original)


def _subject(session: Session, deviation: Deviation) -> tuple[StageInstance, OrgUnit, Cycle]:
    stage = session.get(StageInstance, deviation.stage_instance_id)
    unit = session.get(OrgUnit, deviation.unit_id)
    assert stage is not None and unit is not None  # foreign keys
    cycle = session.get(Cycle, stage.cycle_id)
    assert cycle is not None
    return stage, unit, cycle


def escalate_deviation(
    session: Session, *, municipality: Municipality, deviation: Deviation, explanation: str = ""
) -> bool:
    """Tell the committee's head (and its controller) of an overspend beyond the threshold.

    Once per deviation (the e-mail's key), and not while the committee has a plan in
    force: that plan is already the answer, and its follow-up reports on it.
    """
    stage, unit, cycle = _subject(session, deviation)
    if plan_in_force(session, unit_id=unit.id, cycle_id=cycle.id) is not None:  # type: ignore[arg-type]
        return False
    controller = controller_for(session, unit)
    heads = contacts(
        session,
        municipality_id=municipality.id,  # type: ignore[arg-type]
        unit_id=unit.id,
        role=ContactRole.HEAD,
    )
    to = [(p.name, p.email) for p in heads] or (
        [(controller.name, controller.email)] if controller else []
    )
    cc = [(controller.name, controller.email)] if controller and heads else []
    queued = enqueue(
        session,
        municipality=municipality,
        dedup_key=f"avvikelse:{deviation.id}",
        purpose="deviation_escalation",
        template="deviation_escalation",
        context={
            "municipality_name": municipality.name,
            "unit_name": unit.name,
            "stage_name": stage.name,
            "year": cycle.year,
            "budget_kr": deviation.budget_kr,
            "forecast_kr": deviation.forecast_kr,
            "deviation_kr": deviation.deviation_kr,
            "threshold_kr": deviation.threshold_kr,
            "explanation": explanation,
        },
        to=to,
        cc=cc,
        reply_to=controller.email if controller else None,
    )
    return queued is not None


def request_action_plan(
    session: Session,
    *,
    municipality: Municipality,
    deviation: Deviation,
    as_of: dt.datetime,
    link_key: bytes,
) -> ActionPlan | None:
    """Ask the committee for an action plan for an overspend, unless it has one in force."""
    _, unit, cycle = _subject(session, deviation)
    if plan_in_force(session, unit_id=unit.id, cycle_id=cycle.id) is not None:  # type: ignore[arg-type]
        return None
    plan_stage = ensure_stage_instance(
        session,
        municipality=municipality,
        year=cycle.year,
        slug="atgardsplan",
        instance_key=unit.key,
        opened_on=as_of.date(),
    )
    plan = ActionPlan(
        municipality_id=municipality.id,  # type: ignore[arg-type]
        deviation_id=deviation.id,  # type: ignore[arg-type]
        unit_id=unit.id,  # type: ignore[arg-type]
        stage_instance_id=plan_stage.id,
        state=ActionPlanState.REQUESTED,
    )
    session.add(plan)
    session.flush()
    open_requests(
        session,
        municipality=municipality,
        stage=plan_stage,
        as_of=as_of,
        link_key=link_key,
        units=[unit],
        asks=["åtgärder med effekt i tkr", "vem som beslutar och när", "om KS behöver besluta"],
    )
    return plan


def close_recovered_plans(
    session: Session, *, cycle_id: int, deviations: list[Deviation], as_of: dt.datetime
) -> list[ActionPlan]:
    """Close the plans of units whose newest deviation is back within the threshold."""
    closed = []
    for deviation in deviations:
        if not rule.plan_has_done_its_work(deviation.deviation_kr, deviation.threshold_kr):
            continue
        plan = plan_in_force(session, unit_id=deviation.unit_id, cycle_id=cycle_id)
        if plan is None:
            continue
        close_plan(session, plan, as_of=as_of)
        closed.append(plan)
    session.flush()
    return closed


def plans_of_cycle(session: Session, *, cycle_id: int) -> list[ActionPlan]:
    """Every action plan of a cycle, oldest first."""
    return list(
        session.exec(
            select(ActionPlan)
            .join(Deviation, col(Deviation.id) == ActionPlan.deviation_id)
            .join(StageInstance, col(StageInstance.id) == Deviation.stage_instance_id)
            .where(StageInstance.cycle_id == cycle_id)
            .order_by(col(ActionPlan.id))
        ).all()
    )
