"""The deviation rule of the governance model: threshold, beyond it, closing, in force."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from arshjul.config.apply import apply_config
from arshjul.config.loader import load_config
from arshjul.governance.deviations import (
    beyond_threshold,
    in_force,
    plan_has_done_its_work,
    threshold_kr,
)
from arshjul.lifecycle.cycle import ensure_stage_instance
from arshjul.models import (
    ActionPlan,
    ActionPlanState,
    Deviation,
    Municipality,
    OrgUnit,
)
from arshjul.stages.deviations import close_plan, plans_in_force


@dataclass
class Rule:
    amount_tkr: float = 1000
    share_percent: float = 0.5


def test_the_threshold_is_the_smaller_of_amount_and_share() -> None:
    assert threshold_kr(Rule(), 400_000_000) == 1_000_000  # 0.5 % would be 2 000 tkr
    assert threshold_kr(Rule(), 100_000_000) == 500_000  # 0.5 % is below 1 000 tkr
    assert threshold_kr(Rule(), -100_000_000) == 500_000  # a net income unit: its size
    assert threshold_kr(Rule(amount_tkr=250), 100_000_000) == 250_000


@pytest.mark.parametrize(
    ("deviation", "beyond"),
    [(-500_001, True), (-500_000, False), (0, False), (2_000_000, False), (None, False)],
)
def test_an_overspend_larger_than_the_threshold_is_beyond_it(
    deviation: int | None, beyond: bool
) -> None:
    assert beyond_threshold(deviation, 500_000) is beyond


def test_a_plan_closes_when_the_unit_is_back_within_the_threshold() -> None:
    """The same rule for the next follow-up's deviation and a reported remaining deviation
    (two copies used to decide this apart)."""
    assert plan_has_done_its_work(-500_000, 500_000)
    assert plan_has_done_its_work(300_000, 500_000)
    assert not plan_has_done_its_work(-500_001, 500_000)


def test_which_plans_are_in_force() -> None:
    """The case the copies disagreed on: last year's operating plan is not asked about
    again; a balance requirement plan runs over its three years."""
    assert in_force(closed=False, kind="operations", plan_cycle_year=2027, cycle_year=2027)
    assert not in_force(closed=False, kind="operations", plan_cycle_year=2027, cycle_year=2028)
    assert in_force(closed=False, kind="balance_requirement", plan_cycle_year=2027, cycle_year=2029)
    assert not in_force(
        closed=True, kind="balance_requirement", plan_cycle_year=2027, cycle_year=2027
    )


def _plan(session: Session, year: int, slug: str, unit: OrgUnit, kind: str) -> ActionPlan:
    municipality = session.exec(select(Municipality)).one()
    stage = ensure_stage_instance(session, municipality=municipality, year=year, slug=slug)
    deviation = Deviation(
        municipality_id=municipality.id,  # type: ignore[arg-type]
        stage_instance_id=stage.id,  # type: ignore[arg-type]
        unit_id=unit.id,  # type: ignore[arg-type]
        kind=kind,
        budget_kr=100_000_000,
        forecast_kr=103_000_000,
        deviation_kr=-3_000_000,
        threshold_kr=500_000,
        beyond_threshold=True,
        detected_on=dt.date(year, 5, 10),
    )
    session.add(deviation)
    session.flush()
    plan = ActionPlan(
        municipality_id=municipality.id,  # type: ignore[arg-type]
        deviation_id=deviation.id,  # type: ignore[arg-type]
        unit_id=unit.id,  # type: ignore[arg-type]
        state=ActionPlanState.IN_FORCE,
    )
    session.add(plan)
    session.flush()
    return plan


def test_the_next_year_asks_only_about_the_plans_still_in_force(engine: Engine) -> None:
    with Session(engine) as session:
        apply_config(session, load_config())
        units = {u.key: u for u in session.exec(select(OrgUnit))}
        sn_2027 = _plan(session, 2027, "tertial", units["sn"], "operations")
        restore = _plan(session, 2027, "arsredovisning", units["kf"], "balance_requirement")
        bun_2028 = _plan(session, 2028, "tertial", units["bun"], "operations")
        municipality = session.exec(select(Municipality)).one()
        cycle_2028 = ensure_stage_instance(
            session, municipality=municipality, year=2028, slug="ekonomirapport-juni"
        ).cycle_id
        assert [p.id for p in plans_in_force(session, cycle_id=cycle_2028)] == [
            restore.id,
            bun_2028.id,
        ]
        assert sn_2027.state == ActionPlanState.IN_FORCE  # not closed: its year's report tells

        close_plan(
            session,
            bun_2028,
            as_of=dt.datetime(2028, 6, 20, 9, tzinfo=ZoneInfo("Europe/Stockholm")),
        )
        deviation = session.get(Deviation, bun_2028.deviation_id)
        assert deviation is not None and deviation.closed_on == dt.date(2028, 6, 20)
        assert [p.id for p in plans_in_force(session, cycle_id=cycle_2028)] == [restore.id]
