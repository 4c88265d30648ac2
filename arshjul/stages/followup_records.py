"""What a follow-up records from the committees' answers: goals, controls, action plans."""

from __future__ import annotations

from sqlmodel import select

from arshjul.forms.base import StageForm
from arshjul.forms.figures import term_for_year, unit_controls
from arshjul.forms.followup import ArsredovisningForm, AtgardsplanForm, DelarForm
from arshjul.models import (
    ActionPlan,
    ActionPlanState,
    Attainment,
    Deviation,
    Goal,
    GoalAssessment,
    Indicator,
    IndicatorValue,
    OrgUnit,
    UnitKind,
)
from arshjul.stages.answers import answers_by_unit
from arshjul.stages.base import StageContext


def record_goal_answers(ctx: StageContext) -> None:
    """Turn the units' goal assessments and indicator values into rows.

    Only the goals of the term that holds the follow-up year count (a key such as
    "bun-1" may be used in several terms); a year outside every term records none.
    """

    answers = answers_by_unit(ctx.session, ctx.stage, StageForm)
    term = term_for_year(ctx.session, ctx.municipality.id, ctx.year)  # type: ignore[arg-type]
    in_term = ctx.session.exec(select(Goal).where(Goal.term_id == term.id)).all() if term else []
    goals = {g.key: g for g in in_term}
    owner = {g.id: g.unit_id for g in in_term}
    indicators = (
        {
            i.key: i
            for i in ctx.session.exec(select(Indicator).join(Goal).where(Goal.term_id == term.id))
        }
        if term
        else {}
    )
    for unit_id, answer in answers.items():
        if not isinstance(answer, DelarForm | ArsredovisningForm):
            continue  # a stage that asks for no goals
        for key, judged in answer.goals.items():
            goal = goals.get(key)
            if goal is None or goal.unit_id != unit_id:
                continue
            row = ctx.session.exec(
                select(GoalAssessment).where(
                    GoalAssessment.goal_id == goal.id,
                    GoalAssessment.stage_instance_id == ctx.stage.id,
                )
            ).first() or GoalAssessment(
                municipality_id=ctx.municipality.id,  # type: ignore[arg-type]
                goal_id=goal.id,  # type: ignore[arg-type]
                stage_instance_id=ctx.stage.id,  # type: ignore[arg-type]
                attainment=Attainment.NOT_ASSESSED,
                motivation="",
            )
            row.attainment = judged.attainment or Attainment.NOT_ASSESSED
            row.motivation = judged.motivation
            ctx.session.add(row)
        for key, value in answer.indicators.items():
            indicator = indicators.get(key)
            if indicator is None or owner.get(indicator.goal_id) != unit_id:
                continue
            measured = ctx.session.exec(
                select(IndicatorValue).where(
                    IndicatorValue.indicator_id == indicator.id,
                    IndicatorValue.year == ctx.year,
                    IndicatorValue.stage_instance_id == ctx.stage.id,
                )
            ).first() or IndicatorValue(
                municipality_id=ctx.municipality.id,  # type: ignore[arg-type]
                indicator_id=indicator.id,  # type: ignore[arg-type]
                year=ctx.year,
                stage_instance_id=ctx.stage.id,  # type: ignore[arg-type]
            )
            measured.value = value
            ctx.session.add(measured)
    ctx.session.flush()


def record_control_outcomes(ctx: StageContext) -> None:
    """Write each control's outcome and measure from the units' current answers.

    Idempotent: a control already holding its answer is left as it is; a control
    its unit did not answer keeps what it had.
    """

    for unit_id, answer in answers_by_unit(ctx.session, ctx.stage, ArsredovisningForm).items():
        if not answer.controls:
            continue
        for key, _, control in unit_controls(ctx.session, unit_id, ctx.year):
            reported = answer.controls.get(key)
            if reported is None:
                continue
            outcome, measure = reported.outcome, reported.measure
            if (control.outcome, control.measure) != (outcome, measure):
                control.outcome, control.measure = outcome, measure
                ctx.session.add(control)
    ctx.session.flush()


def apply_action_plan_answer(plan: ActionPlan, answer: AtgardsplanForm) -> None:
    """A committee's submitted action plan onto its row."""
    plan.measures = [
        {
            "text": m.text,
            "effect_kr": m.effect_kr,
            "decided_by": m.decided_by,
            "when": m.when.isoformat(),
        }
        for m in answer.measures
    ]
    plan.effect_kr = answer.total_effect_kr
    plan.needs_executive_board = answer.needs_executive_board


def open_balance_plan(ctx: StageContext, balance_result_kr: int) -> None:
    """A negative balanskravsresultat: a council-level plan to restore it within three years."""
    council = ctx.session.exec(
        select(OrgUnit).where(
            OrgUnit.municipality_id == ctx.municipality.id, OrgUnit.kind == UnitKind.COUNCIL
        )
    ).one()
    deviation = ctx.session.exec(
        select(Deviation).where(
            Deviation.stage_instance_id == ctx.stage.id, Deviation.kind == "balance_requirement"
        )
    ).first()
    if deviation is None:
        deviation = Deviation(
            municipality_id=ctx.municipality.id,  # type: ignore[arg-type]
            stage_instance_id=ctx.stage.id,  # type: ignore[arg-type]
            unit_id=council.id,  # type: ignore[arg-type]
            kind="balance_requirement",
            budget_kr=0,
            forecast_kr=-balance_result_kr,
            deviation_kr=balance_result_kr,
            threshold_kr=0,
            beyond_threshold=True,
            detected_on=ctx.as_of.date(),
        )
        ctx.session.add(deviation)
        ctx.session.flush()
        ctx.session.add(
            ActionPlan(
                municipality_id=ctx.municipality.id,  # type: ignore[arg-type]
                deviation_id=deviation.id,  # type: ignore[arg-type]
                unit_id=council.id,  # type: ignore[arg-type]
                state=ActionPlanState.REQUESTED,
                needs_executive_board=True,
                measures=[
                    {
                        "text": "Återställa det negativa balanskravsresultatet inom tre år "
                        "(KL 11 kap. 12 §)",
                        "effect_kr": -balance_result_kr,
                        "decided_by": "Kommunfullmäktige",
                        "when": str(ctx.year + 3),
                    }
                ],
            )
        )
        ctx.session.flush()
