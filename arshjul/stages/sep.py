"""Strategisk och ekonomisk plan: the board's proposal and the council's decision."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import col, select

from arshjul.documents import planning_data as pd
from arshjul.documents.sep import build_sep_document
from arshjul.formats import format_date, format_tkr
from arshjul.models import (
    Decision,
    Goal,
    Indicator,
    IndicatorTarget,
    OrgUnit,
    StageInstance,
    StrategicArea,
    Term,
    UnitKind,
)
from arshjul.stages.answers import meeting
from arshjul.stages.base import StageContext, StageSpec, record_document
from arshjul.stages.plan_statements import plan_parts


def _goal_areas(ctx: StageContext) -> tuple[pd.StrategicAreaLine, ...]:
    """The council goals of the configured term that holds the budget year; none when no
    configured term does (the plan then says so, see plan_statements._term_texts)."""
    session = ctx.session
    budget_year = ctx.year + 1
    term = session.exec(
        select(Term).where(
            Term.municipality_id == ctx.municipality.id,
            Term.start_year <= budget_year,
            Term.end_year >= budget_year,
        )
    ).first()
    if term is None:
        return ()
    areas = []
    for area in session.exec(
        select(StrategicArea)
        .where(StrategicArea.term_id == term.id)
        .order_by(col(StrategicArea.sort_order))
    ):
        goals = []
        for goal in session.exec(
            select(Goal)
            .where(Goal.strategic_area_id == area.id, Goal.level == "council")
            .order_by(col(Goal.sort_order))
        ):
            lines = []
            for ind in session.exec(select(Indicator).where(Indicator.goal_id == goal.id)):
                targets = {
                    t.year: t.value
                    for t in session.exec(
                        select(IndicatorTarget).where(IndicatorTarget.indicator_id == ind.id)
                    )
                }
                lines.append(
                    pd.IndicatorLine(
                        ind.name, ind.unit_of_measure, targets.get(None), targets.get(ctx.year + 1)
                    )
                )
            goals.append(pd.GoalLine(goal.key, goal.title, tuple(lines), goal.description))
        areas.append(pd.StrategicAreaLine(area.name, tuple(goals)))
    return tuple(areas)


def _decision_records(ctx: StageContext) -> tuple[pd.DecisionRecord, ...]:
    records = []
    bodies = {
        u.id: u
        for u in ctx.session.exec(
            select(OrgUnit).where(OrgUnit.municipality_id == ctx.municipality.id)
        )
    }
    for decision in ctx.session.exec(
        select(Decision)
        .join(StageInstance, col(StageInstance.id) == Decision.stage_instance_id)
        .where(
            StageInstance.cycle_id == ctx.cycle.id,
            StageInstance.slug.in_(("ks-beslut", "kf-beslut")),  # type: ignore[attr-defined]
        )
        .order_by(col(Decision.decided_on))
    ):
        body = bodies[decision.body_unit_id]
        by_key = {u.key: u.name for u in bodies.values()}
        changed = decision.details.get("changed_frames") or {}
        # A frame whose change from the earlier decision is recorded is told once, as a change.
        told = {label.split("/")[0] for label in changed if label.count("/") == 1}
        changes = [
            f"{by_key.get(key, key)}: driftram {format_tkr(kronor)}"
            for key, kronor in (decision.details.get("frame_changes") or {}).items()
            if key not in told
        ]
        if decision.corrects_id is not None:
            corrected = ctx.session.get(Decision, decision.corrects_id)
            if corrected is not None:
                changes.insert(
                    0,
                    f"Rättar beslutet {corrected.paragraph} den "
                    f"{format_date(corrected.decided_on)}",
                )
        for label, (old, new) in sorted(changed.items()):
            key, _, year = label.rpartition("/")
            unit_key, _, project = key.partition("/")
            what = f"investeringsram {project}" if project else "driftram"
            changes.append(
                f"{by_key.get(unit_key, unit_key)}: {what} {year} ändrad från "
                f"{format_tkr(old)} till {format_tkr(new)}"
            )
        if decision.details.get("tax_rate"):
            rate = decision.details["tax_rate"].replace(".", ",")
            changes.append(f"Skattesats {rate} kronor per 100 kronor")
        records.append(
            pd.DecisionRecord(
                body.name,
                decision.decided_on,
                decision.paragraph,
                tuple(changes),
                body.kind == UnitKind.COUNCIL,
            )
        )
    return tuple(records)


def compile_sep(ctx: StageContext) -> list[Path]:
    """The strategic and financial plan: goals, financial goals assessed against the
    budget, tax, frames and investments for three years, the budgeted statements."""

    parts = plan_parts(ctx)
    data = pd.SepData(
        municipality=ctx.municipality.name,
        cycle_year=ctx.year,
        vision=ctx.municipality.vision,
        term=parts.term,
        term_note=parts.term_note,
        areas=_goal_areas(ctx),
        financial_goals=parts.goals,
        frames=parts.frames,
        investments=parts.investments,
        tax=parts.tax,
        statements=parts.statements,
        missing=tuple(dict.fromkeys(ctx.missing)),
        decisions=_decision_records(ctx),
        body="Kommunfullmäktige" if ctx.stage.slug == "kf-beslut" else "Kommunstyrelsen",
        **meeting(ctx),
    )
    if data.adopted is not None and parts.budget_income is not None:
        parts.record_adopted_budget(ctx, data.adopted)
    path = build_sep_document(data, template=ctx.template, logo=ctx.logo, out_dir=ctx.out_dir)
    record_document(
        ctx, kind=ctx.stage.slug, title=f"Strategisk och ekonomisk plan {ctx.year + 1}", path=path
    )
    return [path]


# ----------------------------------------------------------------- nämndbudget


KS_BESLUT = StageSpec(slug="ks-beslut", write=compile_sep)
KF_BESLUT = StageSpec(slug="kf-beslut", write=compile_sep)
SPECS = (KS_BESLUT, KF_BESLUT)
