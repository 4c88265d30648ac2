"""The follow-up stages: tertial, delår, årsredovisning, ekonomirapporter, åtgärdsplaner."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import col, select

from arshjul.calendar.stages import follow_up_period
from arshjul.documents.arsredovisning import build_arsredovisning_document
from arshjul.documents.atgardsplan import build_atgardsplan_document
from arshjul.documents.delar import build_delar_document
from arshjul.documents.ekonomirapport import build_ekonomirapport_document
from arshjul.documents.tertial import build_tertial_document
from arshjul.forms.followup import AtgardsplanForm, EkonomirapportForm, ForecastForm
from arshjul.governance.deviations import plan_has_done_its_work
from arshjul.models import (
    ActionPlan,
    ActionPlanFollowUp,
    ActionPlanState,
    Deviation,
    OrgUnit,
    UnitKind,
)
from arshjul.stages import followup_records, followup_report
from arshjul.stages.answers import answers_by_unit
from arshjul.stages.base import StageContext, StageSpec, record_document
from arshjul.stages.deviations import (
    close_plan,
    close_recovered_plans,
    escalate_deviation,
    plans_in_force,
    record_deviation,
    request_action_plan,
    threshold_kr,
)
from arshjul.stages.economy import UnitFigures, unit_figures
from arshjul.stages.financial_report import annual_report_parts, interim_report_parts


def record_deviations(ctx: StageContext) -> list[Deviation]:
    """Each unit's deviation from its frame at this follow-up; plans that recovered close."""
    _, figures = _period_figures(ctx)
    found = [
        record_deviation(
            ctx.session,
            municipality=ctx.municipality,
            stage=ctx.stage,
            unit=row.unit,
            budget_kr=row.budget_kr,
            forecast_kr=row.forecast_kr,
            as_of=ctx.as_of,
        )
        for row in figures
        if row.forecast_kr is not None and row.budget_kr is not None
    ]
    close_recovered_plans(
        ctx.session,
        cycle_id=ctx.cycle.id,  # type: ignore[arg-type]
        deviations=found,
        as_of=ctx.as_of,
    )
    return found


def _beyond_threshold(ctx: StageContext) -> list[Deviation]:
    return list(
        ctx.session.exec(
            select(Deviation)
            .where(
                Deviation.stage_instance_id == ctx.stage.id,
                Deviation.kind == "operations",
                Deviation.beyond_threshold == True,  # noqa: E712
            )
            .order_by(col(Deviation.id))
        )
    )


def escalate_deviations(ctx: StageContext) -> int:
    """Tell each overspending committee's head and controller, once per deviation,
    with the committee's own explanation of it when its answer gives one."""
    answers = answers_by_unit(ctx.session, ctx.stage, ForecastForm)
    return sum(
        escalate_deviation(
            ctx.session,
            municipality=ctx.municipality,
            deviation=d,
            explanation=answer.deviation_explanation if (answer := answers.get(d.unit_id)) else "",
        )
        for d in _beyond_threshold(ctx)
    )


def request_action_plans(ctx: StageContext) -> int:
    """Ask each overspending committee without a plan in force for an action plan."""
    plans = [
        request_action_plan(
            ctx.session,
            municipality=ctx.municipality,
            deviation=d,
            as_of=ctx.as_of,
            link_key=ctx.link_key,
        )
        for d in _beyond_threshold(ctx)
    ]
    return sum(plan is not None for plan in plans)


def record_goal_answers(ctx: StageContext) -> None:
    """The committees' judgements of their goals, as the report will show them."""
    followup_records.record_goal_answers(ctx)


def record_control_outcomes(ctx: StageContext) -> None:
    """The outcome of each internal-control point, from the committees' answers."""
    followup_records.record_control_outcomes(ctx)


def _save(ctx: StageContext, kind: str, path: Path, title: str) -> list[Path]:
    record_document(ctx, kind=kind, title=title, path=path)
    return [path]


def _period_figures(ctx: StageContext) -> tuple[int, list[UnitFigures]]:
    """The stage's last month (its period, from the stage catalogue) and each unit's
    budget, actuals through that month and full-year forecast made in it."""
    month = follow_up_period(ctx.stage.slug).through
    figures = unit_figures(
        ctx.session, stage=ctx.stage, year=ctx.year, actuals_month=month, forecast_month=month
    )
    return month, figures


def write_tertial(ctx: StageContext) -> list[Path]:
    """The report on forecasts through April (on actuals through March) and deviations."""

    month, figures = _period_figures(ctx)
    report = followup_report.follow_up(
        ctx,
        figures,
        kind="tertial",
        period=followup_report.period_name(month),
        month=month,
        forecast_basis_month=follow_up_period(ctx.stage.slug).forecast_basis,
    )
    path = build_tertial_document(report, template=ctx.template, logo=ctx.logo, out_dir=ctx.out_dir)
    return _save(ctx, "tertial", path, f"Tertialuppföljning {ctx.year}")


def write_delar(ctx: StageContext) -> list[Path]:
    """The statutory interim report through August."""

    month, figures = _period_figures(ctx)
    parts = interim_report_parts(ctx, month)
    report = followup_report.follow_up(
        ctx,
        figures,
        kind="delar",
        period=followup_report.period_name(month),
        month=month,
        parts=parts,
    )
    path = build_delar_document(report, template=ctx.template, logo=ctx.logo, out_dir=ctx.out_dir)
    return _save(ctx, "delar", path, f"Delårsrapport {ctx.year}")


def write_arsredovisning(ctx: StageContext) -> list[Path]:
    """The annual report: the year's actuals, goals, balance requirement, companies, control.

    A negative balance result opens the council's plan to restore it here, where the
    report's figures are computed, so the report shows the plan it opened.
    """

    month, figures = _period_figures(ctx)
    parts = annual_report_parts(ctx, figures)
    # The year is over: the outcome is the actuals, from the books where they are split by
    # responsibility (the operating accounts), else from the imported actuals.
    figures = [
        UnitFigures(
            f.unit,
            f.budget_kr,
            parts.unit_actuals.get(f.unit.id, f.actual_kr),  # type: ignore[arg-type]
            parts.unit_actuals.get(f.unit.id, f.actual_kr),  # type: ignore[arg-type]
            f.submission,
        )
        for f in figures
    ]
    report = followup_report.follow_up(
        ctx,
        figures,
        kind="arsredovisning",
        period=followup_report.period_name(month),
        month=month,
        parts=parts,
    )
    if report.balance_requirement is not None and report.balance_requirement.negative:
        followup_records.open_balance_plan(ctx, report.balance_requirement.balance_result_kr)
    path = build_arsredovisning_document(
        report, template=ctx.template, logo=ctx.logo, out_dir=ctx.out_dir
    )
    return _save(ctx, "arsredovisning", path, f"Årsredovisning {ctx.year}")


def _plan_units(ctx: StageContext) -> list[OrgUnit]:
    """The committees with an action plan in force (they report its progress)."""
    plans = plans_in_force(ctx.session, cycle_id=ctx.cycle.id)  # type: ignore[arg-type]
    units = {p.unit_id for p in plans}
    return [
        u
        for u in ctx.session.exec(
            select(OrgUnit)
            .where(OrgUnit.municipality_id == ctx.municipality.id)
            .order_by(col(OrgUnit.sort_order))
        )
        if u.id in units and u.kind in (UnitKind.COMMITTEE, UnitKind.EXECUTIVE_BOARD)
    ]


def follow_up_action_plans(ctx: StageContext) -> None:
    """Each action plan's progress as its committee reported it; a plan that did its work closes."""
    answers = answers_by_unit(ctx.session, ctx.stage, EkonomirapportForm)
    for plan in plans_in_force(ctx.session, cycle_id=ctx.cycle.id):  # type: ignore[arg-type]
        answer = answers.get(plan.unit_id)
        latest = followup_report.latest_deviation(ctx, plan.unit_id)
        follow_up = ctx.session.exec(
            select(ActionPlanFollowUp).where(
                ActionPlanFollowUp.action_plan_id == plan.id,
                ActionPlanFollowUp.stage_instance_id == ctx.stage.id,
            )
        ).first() or ActionPlanFollowUp(
            municipality_id=ctx.municipality.id,  # type: ignore[arg-type]
            action_plan_id=plan.id,  # type: ignore[arg-type]
            stage_instance_id=ctx.stage.id,  # type: ignore[arg-type]
        )
        remaining = answer.remaining_deviation_kr if answer is not None else None
        follow_up.remaining_deviation_kr = (
            remaining if remaining is not None else (latest.deviation_kr if latest else 0)
        )
        progress = answer.progress if answer is not None else ""
        follow_up.progress = progress or "Ingen rapport inlämnad."
        ctx.session.add(follow_up)
        limit = threshold_kr(ctx.municipality, latest.budget_kr if latest else 0)
        if answer is not None and plan_has_done_its_work(follow_up.remaining_deviation_kr, limit):
            close_plan(ctx.session, plan, as_of=ctx.as_of)
    ctx.session.flush()


def write_ekonomirapport(ctx: StageContext) -> list[Path]:
    """The economic overview to the executive board, with every action plan's progress."""

    month, figures = _period_figures(ctx)
    report = followup_report.follow_up(
        ctx, figures, kind=ctx.stage.slug, period=followup_report.period_name(month), month=month
    )
    path = build_ekonomirapport_document(
        report, template=ctx.template, logo=ctx.logo, out_dir=ctx.out_dir
    )
    return _save(
        ctx, ctx.stage.slug, path, f"Ekonomirapport {followup_report.period_name(month)} {ctx.year}"
    )


def _action_plan(ctx: StageContext) -> ActionPlan | None:
    return ctx.session.exec(
        select(ActionPlan).where(ActionPlan.stage_instance_id == ctx.stage.id)
    ).first()


def put_plan_in_force(ctx: StageContext) -> None:
    """A committee's action plan as submitted: its measures come into force."""
    plan = _action_plan(ctx)
    if plan is None:
        return
    answer = answers_by_unit(ctx.session, ctx.stage, AtgardsplanForm).get(plan.unit_id)
    if answer is not None:
        followup_records.apply_action_plan_answer(plan, answer)
        plan.state = ActionPlanState.IN_FORCE
        ctx.session.add(plan)
        ctx.session.flush()


def write_atgardsplan(ctx: StageContext) -> list[Path]:
    """The action plan as the committee submitted it."""

    plan = _action_plan(ctx)
    if plan is None:
        return []
    report = followup_report.follow_up(
        ctx,
        [],
        kind="atgardsplan",
        period=followup_report.period_name(ctx.as_of.month),
        month=0,
        plans=[plan],
    )
    unit = ctx.session.get(OrgUnit, plan.unit_id)
    path = build_atgardsplan_document(
        report, template=ctx.template, logo=ctx.logo, out_dir=ctx.out_dir
    )
    return _save(ctx, "atgardsplan", path, f"Åtgärdsplan {unit.name if unit else ''}")


TERTIAL = StageSpec(slug="tertial", write=write_tertial)
DELAR = StageSpec(slug="delar", write=write_delar)
ARSREDOVISNING = StageSpec(slug="arsredovisning", write=write_arsredovisning)
EKONOMIRAPPORTER = tuple(
    StageSpec(slug=slug, units=_plan_units, write=write_ekonomirapport)
    for slug in ("ekonomirapport-mars", "ekonomirapport-juni", "ekonomirapport-november")
)
ATGARDSPLAN = StageSpec(slug="atgardsplan", units=lambda ctx: [], write=write_atgardsplan)
SPECS = (TERTIAL, DELAR, ARSREDOVISNING, *EKONOMIRAPPORTER, ATGARDSPLAN)
