"""The follow-up stages: tertial, delår, årsredovisning, ekonomirapporter, åtgärdsplaner."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import select

from arshjul.calendar.stages import follow_up_period
from arshjul.governance.deviations import plan_has_done_its_work
from arshjul.models import (
    ActionPlan,
    ActionPlanFollowUp,
    ActionPlanState,
    Deviation,
    OrgUnit,
    UnitKind,
)
from arshjul.stages import followup_data as data
from arshjul.stages.base import StageContext, StageSpec, record_document
from arshjul.stages.deviations import (
    close_plan,
    close_recovered_plans,
    escalate_and_request_plan,
    plans_in_force,
    record_deviation,
    threshold_kr,
)
from arshjul.stages.economy import UnitFigures, submissions_by_unit, unit_figures
from arshjul.stages.financial_report import annual_report_parts, interim_report_parts


def _deviations(ctx: StageContext, figures: list[UnitFigures]) -> dict[int, Deviation]:
    """Record each unit's deviation; escalate overspends; close plans that recovered."""
    found: dict[int, Deviation] = {}
    for row in figures:
        if row.forecast_kr is None or row.budget_kr is None:
            continue
        deviation = record_deviation(
            ctx.session,
            municipality=ctx.municipality,
            stage=ctx.stage,
            unit=row.unit,
            budget_kr=row.budget_kr,
            forecast_kr=row.forecast_kr,
            as_of=ctx.as_of,
        )
        found[row.unit.id] = deviation  # type: ignore[index]
        if deviation.beyond_threshold:
            escalate_and_request_plan(
                ctx.session,
                municipality=ctx.municipality,
                deviation=deviation,
                as_of=ctx.as_of,
                key=ctx.key,
            )
    close_recovered_plans(
        ctx.session,
        cycle_id=ctx.cycle.id,
        deviations=list(found.values()),
        as_of=ctx.as_of,  # type: ignore[arg-type]
    )
    return found


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


def compile_tertial(ctx: StageContext) -> list[Path]:
    """Forecasts through April (on actuals through March), deviations, the report."""
    from arshjul.documents.tertial import build_tertial_document

    month, figures = _period_figures(ctx)
    _deviations(ctx, figures)
    report = data.follow_up(
        ctx,
        figures,
        kind="tertial",
        period=data.period_name(month),
        month=month,
        forecast_basis_month=follow_up_period(ctx.stage.slug).forecast_basis,
    )
    path = build_tertial_document(report, template=ctx.template, out_dir=ctx.out_dir)
    return _save(ctx, "tertial", path, f"Tertialuppföljning {ctx.year}")


def compile_delar(ctx: StageContext) -> list[Path]:
    """The statutory interim report through August."""
    from arshjul.documents.delar import build_delar_document

    month, figures = _period_figures(ctx)
    _deviations(ctx, figures)
    data.record_goal_answers(ctx)
    parts = interim_report_parts(ctx, month)
    report = data.follow_up(
        ctx, figures, kind="delar", period=data.period_name(month), month=month, parts=parts
    )
    path = build_delar_document(report, template=ctx.template, out_dir=ctx.out_dir)
    return _save(ctx, "delar", path, f"Delårsrapport {ctx.year}")


def compile_arsredovisning(ctx: StageContext) -> list[Path]:
    """The annual report: the year's actuals, goals, balance requirement, companies, control."""
    from arshjul.documents.arsredovisning import build_arsredovisning_document

    month, figures = _period_figures(ctx)
    data.record_goal_answers(ctx)
    data.record_control_outcomes(ctx)
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
    report = data.follow_up(
        ctx,
        figures,
        kind="arsredovisning",
        period=data.period_name(month),
        month=month,
        parts=parts,
    )
    if report.balance_requirement is not None and report.balance_requirement.negative:
        data.open_balance_plan(ctx, report.balance_requirement.balance_result_kr)
    path = build_arsredovisning_document(report, template=ctx.template, out_dir=ctx.out_dir)
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
            .order_by(OrgUnit.sort_order)
        )
        if u.id in units and u.kind in (UnitKind.COMMITTEE, UnitKind.EXECUTIVE_BOARD)
    ]


def compile_ekonomirapport(ctx: StageContext) -> list[Path]:
    """The economic overview to the executive board and every action plan's progress."""
    from arshjul.documents.ekonomirapport import build_ekonomirapport_document

    answers = submissions_by_unit(ctx.session, ctx.stage)
    for plan in plans_in_force(ctx.session, cycle_id=ctx.cycle.id):  # type: ignore[arg-type]
        answer = answers.get(plan.unit_id, {})
        latest = data.latest_deviation(ctx, plan.unit_id)
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
        remaining = answer.get("remaining_deviation_kr")
        follow_up.remaining_deviation_kr = int(
            remaining if remaining is not None else (latest.deviation_kr if latest else 0)
        )
        follow_up.progress = str(answer.get("progress", "")) or "Ingen rapport inlämnad."
        ctx.session.add(follow_up)
        limit = threshold_kr(ctx.municipality, latest.budget_kr if latest else 0)
        if answer and plan_has_done_its_work(follow_up.remaining_deviation_kr, limit):
            close_plan(ctx.session, plan, as_of=ctx.as_of)
    ctx.session.flush()
    month, figures = _period_figures(ctx)
    report = data.follow_up(
        ctx, figures, kind=ctx.stage.slug, period=data.period_name(month), month=month
    )
    path = build_ekonomirapport_document(report, template=ctx.template, out_dir=ctx.out_dir)
    return _save(ctx, ctx.stage.slug, path, f"Ekonomirapport {data.period_name(month)} {ctx.year}")


def compile_atgardsplan(ctx: StageContext) -> list[Path]:
    """A committee's action plan as submitted: its measures come into force."""
    from arshjul.documents.atgardsplan import build_atgardsplan_document

    plan = ctx.session.exec(
        select(ActionPlan).where(ActionPlan.stage_instance_id == ctx.stage.id)
    ).first()
    if plan is None:
        return []
    answers = submissions_by_unit(ctx.session, ctx.stage)
    answer = answers.get(plan.unit_id)
    if answer is not None:
        data.apply_action_plan_answer(plan, answer)
        plan.state = ActionPlanState.IN_FORCE
        ctx.session.add(plan)
        ctx.session.flush()
    report = data.follow_up(
        ctx,
        [],
        kind="atgardsplan",
        period=data.period_name(ctx.as_of.month),
        month=0,
        plans=[plan],
    )
    unit = ctx.session.get(OrgUnit, plan.unit_id)
    path = build_atgardsplan_document(report, template=ctx.template, out_dir=ctx.out_dir)
    return _save(ctx, "atgardsplan", path, f"Åtgärdsplan {unit.name if unit else ''}")


TERTIAL = StageSpec(slug="tertial", compile=compile_tertial)
DELAR = StageSpec(slug="delar", compile=compile_delar)
ARSREDOVISNING = StageSpec(slug="arsredovisning", compile=compile_arsredovisning)
EKONOMIRAPPORTER = tuple(
    StageSpec(slug=slug, units=_plan_units, compile=compile_ekonomirapport)
    for slug in ("ekonomirapport-mars", "ekonomirapport-juni", "ekonomirapport-november")
)
ATGARDSPLAN = StageSpec(slug="atgardsplan", units=lambda ctx: [], compile=compile_atgardsplan)
SPECS = (TERTIAL, DELAR, ARSREDOVISNING, *EKONOMIRAPPORTER, ATGARDSPLAN)
