"""From the database to what the follow-up documents show (documents.followup_contents)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlmodel import col, select

from arshjul.documents import followup_contents as doc
from arshjul.formats import month_name
from arshjul.forms.base import StageForm
from arshjul.forms.figures import risk_value_text, term_for_year
from arshjul.forms.followup import (
    ArsredovisningForm,
    DelarForm,
    ForecastForm,
    TertialForm,
)
from arshjul.governance.terms import term_of
from arshjul.lifecycle.reviews import register_counts
from arshjul.models import (
    ActionPlan,
    ActionPlanFollowUp,
    ActionPlanState,
    Attainment,
    Control,
    Deviation,
    Goal,
    GoalAssessment,
    Indicator,
    IndicatorTarget,
    IndicatorValue,
    OrgUnit,
    Risk,
    StageInstance,
    StrategicArea,
    UnitKind,
    stored_id,
)
from arshjul.stages.answers import answers_by_unit
from arshjul.stages.base import StageContext
from arshjul.stages.comparisons import compared_group, indicator_comparison
from arshjul.stages.deviations import plan_in_force, threshold_kr
from arshjul.stages.economy import UnitFigures
from arshjul.stages.financial_report import ReportParts

PLAN_STATE_SV = {
    ActionPlanState.REQUESTED: "begärd",
    ActionPlanState.SUBMITTED: "inlämnad",
    ActionPlanState.IN_FORCE: "gäller",
    ActionPlanState.CLOSED: "avslutad",
}


def period_name(month: int) -> str:
    """``januari–april``."""
    return f"januari–{month_name(max(month, 1))}"


def _month_end(year: int, month: int) -> dt.date:
    if month == 12:
        return dt.date(year, 12, 31)
    return dt.date(year, month + 1, 1) - dt.timedelta(days=1)


def latest_deviation(ctx: StageContext, unit_id: int) -> Deviation | None:
    """A unit's most recent deviation."""
    return ctx.session.exec(
        select(Deviation)
        .where(Deviation.unit_id == unit_id, Deviation.kind == "operations")
        .order_by(Deviation.detected_on.desc(), col(Deviation.id).desc())  # type: ignore[attr-defined]
    ).first()


def _plan_summaries(ctx: StageContext, plans: list[ActionPlan] | None) -> tuple[Any, ...]:
    if plans is None:
        plans = list(
            ctx.session.exec(
                select(ActionPlan)
                .where(ActionPlan.municipality_id == ctx.municipality.id)
                .order_by(ActionPlan.id)  # type: ignore[arg-type]
            ).all()
        )
    summaries = []
    for plan in plans:
        unit = ctx.session.get(OrgUnit, plan.unit_id)
        deviation = ctx.session.get(Deviation, plan.deviation_id)
        follow_ups = ctx.session.exec(
            select(ActionPlanFollowUp, StageInstance)
            .join(StageInstance, col(StageInstance.id) == ActionPlanFollowUp.stage_instance_id)
            .where(ActionPlanFollowUp.action_plan_id == plan.id)
            .order_by(col(StageInstance.opens_on))
        ).all()
        summaries.append(
            doc.ActionPlanSummary(
                unit=unit.name if unit else "",
                deviation_kr=deviation.deviation_kr if deviation else 0,
                detected_on=deviation.detected_on if deviation else ctx.as_of.date(),
                state=PLAN_STATE_SV[ActionPlanState(plan.state)],
                measures=tuple(
                    doc.ActionPlanMeasure(
                        str(m.get("text", "")),
                        int(m.get("effect_kr", 0)),
                        str(m.get("decided_by", "")),
                        str(m.get("when", "")),
                    )
                    for m in plan.measures
                ),
                needs_executive_board=plan.needs_executive_board,
                follow_ups=tuple(
                    doc.ActionPlanFollowUp(
                        stage.name, f.remaining_deviation_kr, f.progress, stage.decision_on
                    )
                    for f, stage in follow_ups
                ),
                closed_on=plan.closed_on,
                decided_by=plan.decided_by or None,
                decided_on=plan.decided_on,
            )
        )
    return tuple(summaries)


def _explanation(answer: StageForm | None) -> str:
    """What a unit says about its figures: the forecast's deviation, or the year's result."""
    if isinstance(answer, ForecastForm):
        return answer.deviation_explanation
    if isinstance(answer, ArsredovisningForm):
        return answer.result_comment
    return ""


def _measures(answer: StageForm | None) -> str:
    """The measures a unit takes within its own delegation (the tertial and the interim report)."""
    return answer.measures if isinstance(answer, TertialForm | DelarForm) else ""


def _economies(ctx: StageContext, figures: list[UnitFigures]) -> tuple[doc.UnitEconomy, ...]:

    rows = []
    for f in figures:
        plan = plan_in_force(ctx.session, unit_id=f.unit.id, cycle_id=ctx.cycle.id)  # type: ignore[arg-type]
        rows.append(
            doc.UnitEconomy(
                name=f.unit.name,
                budget_kr=f.budget_kr or 0,
                actual_kr=f.actual_kr,
                forecast_kr=f.forecast_kr,
                threshold_kr=threshold_kr(ctx.municipality, f.budget_kr or 0),
                action_plan_state=PLAN_STATE_SV[ActionPlanState(plan.state)] if plan else None,
                explanation=_explanation(f.submission),
                measures=_measures(f.submission),
            )
        )
    return tuple(rows)


def _companies(ctx: StageContext, results: dict[str, int]) -> tuple[doc.CompanyReport, ...]:
    """The companies that answered, with their forecast or, from the books, their result."""
    answers = answers_by_unit(ctx.session, ctx.stage, StageForm)
    companies = ctx.session.exec(
        select(OrgUnit)
        .where(OrgUnit.municipality_id == ctx.municipality.id, OrgUnit.kind == UnitKind.COMPANY)
        .order_by(col(OrgUnit.sort_order))
    ).all()
    reports = []
    for company in companies:
        answer = answers.get(stored_id(company))
        if answer is None:
            continue
        text = " ".join(t for t in (_explanation(answer), _measures(answer)) if t)
        forecast = answer.forecast_kr if isinstance(answer, ForecastForm) else None
        reports.append(
            doc.CompanyReport(
                name=company.name,
                ownership_percent=company.ownership_percent or 0,
                text=text,
                result_forecast_kr=results.get(company.name, forecast),
            )
        )
    return tuple(reports)


def derive_council_attainment(levels: list[str]) -> str:
    """A council goal's attainment from the goals serving it.

    All met: met; none met and some not met: not met; a mix: partly met; none
    assessed: not assessed.
    """
    judged = [lv for lv in levels if lv != Attainment.NOT_ASSESSED]
    if not judged:
        return Attainment.NOT_ASSESSED
    if all(lv == Attainment.MET for lv in judged):
        return Attainment.MET
    if all(lv == Attainment.NOT_MET for lv in judged):
        return Attainment.NOT_MET
    return Attainment.PARTLY_MET


def _goals(ctx: StageContext) -> tuple[doc.GoalReport, ...]:
    """The goals of the term that holds the follow-up year, each with its assessment.

    A year outside every configured term has no goals: the report names what it lacks.
    """

    session = ctx.session
    term = term_for_year(session, ctx.municipality.id, ctx.year)  # type: ignore[arg-type]
    if term is None:
        ctx.missing.append(
            f"mål för {ctx.year}: konfigurationen har inga mål för mandatperioden "
            f"{term_of(ctx.year)} (lägg till en [[terms]] i kommunens TOML-fil)"
        )
        return ()
    goals = session.exec(
        select(Goal).where(col(Goal.term_id) == term.id).order_by(col(Goal.sort_order))
    ).all()
    areas = {a.id: a.name for a in session.exec(select(StrategicArea))}
    units = {u.id: u.name for u in session.exec(select(OrgUnit))}
    judged = {
        a.goal_id: a
        for a in session.exec(
            select(GoalAssessment).where(GoalAssessment.stage_instance_id == ctx.stage.id)
        )
    }
    keys = {g.id: g.key for g in goals}

    def indicators(goal: Goal) -> tuple[doc.IndicatorResult, ...]:
        results = []
        for ind in session.exec(select(Indicator).where(Indicator.goal_id == goal.id)):
            targets = {
                t.year: t.value
                for t in session.exec(
                    select(IndicatorTarget).where(IndicatorTarget.indicator_id == ind.id)
                )
            }
            value = session.exec(
                select(IndicatorValue).where(
                    IndicatorValue.indicator_id == ind.id,
                    IndicatorValue.stage_instance_id == ctx.stage.id,
                )
            ).first()
            results.append(
                doc.IndicatorResult(
                    ind.name,
                    ind.unit_of_measure,
                    targets.get(ctx.year, targets.get(None)),
                    value.value if value else None,
                    indicator_comparison(ctx, ind, group) if ind.kolada_kpi else None,
                )
            )
        return tuple(results)

    group = compared_group(ctx)

    unit_goals = [g for g in goals if g.level != "council"]
    reports = []
    for goal in goals:
        if goal.level == "council":
            serving = [
                judged[g.id].attainment if g.id in judged else Attainment.NOT_ASSESSED
                for g in unit_goals
                if g.council_goal_id == goal.id
            ]
            attainment = derive_council_attainment(serving)
            motivation = f"Bedömningen följer av {len(serving)} nämnd- och bolagsmål."
        else:
            assessment = judged.get(goal.id)  # type: ignore[arg-type]
            attainment = assessment.attainment if assessment else Attainment.NOT_ASSESSED
            motivation = assessment.motivation if assessment else ""
        reports.append(
            doc.GoalReport(
                key=goal.key,
                title=goal.title,
                level=goal.level,
                unit=units.get(goal.unit_id) if goal.unit_id else None,
                strategic_area=areas.get(goal.strategic_area_id, ""),
                attainment=str(attainment),
                motivation=motivation,
                indicators=indicators(goal),
                council_goal=keys.get(goal.council_goal_id) if goal.council_goal_id else None,
            )
        )
    return tuple(reports)


def _internal_control(ctx: StageContext) -> tuple[doc.InternalControl, ...]:
    """Per unit, its summary and its controls of the year, highest risk (probability ×
    consequence) first."""

    value = col(Risk.probability) * col(Risk.consequence)
    rows: dict[int, list[doc.ControlOutcome]] = {}
    for risk, control, unit in ctx.session.exec(
        select(Risk, Control, OrgUnit)
        .join(Control, col(Control.risk_id) == Risk.id)
        .join(OrgUnit, col(OrgUnit.id) == Risk.unit_id)
        .where(Risk.municipality_id == ctx.municipality.id, Risk.year == ctx.year)
        .order_by(
            col(OrgUnit.sort_order),
            col(OrgUnit.id),
            value.desc(),
            col(Risk.key),
            col(Control.key),
        )
    ):
        how = ", ".join(part for part in (control.frequency, control.owner) if part)
        rows.setdefault(unit.id, []).append(  # type: ignore[arg-type]
            doc.ControlOutcome(
                f"{risk.description} ({risk.category}, {risk_value_text(risk)})",
                f"{control.method} ({how})" if how else control.method,
                control.outcome or "Ej rapporterat",
                control.measure,
            )
        )
    summaries = {
        unit_id: answer.internal_control
        for unit_id, answer in answers_by_unit(ctx.session, ctx.stage, ArsredovisningForm).items()
    }
    units = ctx.session.exec(
        select(OrgUnit)
        .where(OrgUnit.municipality_id == ctx.municipality.id)
        .order_by(col(OrgUnit.sort_order), col(OrgUnit.id))
    ).all()
    return tuple(
        doc.InternalControl(u.name, tuple(rows.get(u.id, ())), summaries.get(u.id, ""))  # type: ignore[arg-type]
        for u in units
        if rows.get(u.id) or summaries.get(u.id)  # type: ignore[arg-type]
    )


def _company_assessments(ctx: StageContext) -> tuple[doc.CompanyAssessment, ...]:
    answers = answers_by_unit(ctx.session, ctx.stage, ArsredovisningForm)
    found = []
    for company in ctx.session.exec(
        select(OrgUnit)
        .where(OrgUnit.municipality_id == ctx.municipality.id, OrgUnit.kind == UnitKind.COMPANY)
        .order_by(col(OrgUnit.sort_order))
    ):
        if not company.wholly_owned:
            continue
        answer = answers.get(stored_id(company))
        found.append(
            doc.CompanyAssessment(
                company.name,
                company.municipal_purpose,
                (answer.purpose_assessment if answer is not None else "")
                or "Bolaget har inte lämnat underlag.",
                bool(answer is not None and answer.purpose_matched),
            )
        )
    return tuple(found)


def _governing_register(ctx: StageContext) -> doc.GoverningRegister:
    """The register of governing documents as the annual report is written."""
    counts = register_counts(
        ctx.session, municipality=ctx.municipality, year=ctx.year, as_of=ctx.as_of
    )
    if not counts.in_force:
        ctx.missing.append(
            "styrdokument: registret är tomt (arshjul import styrdokument, eller "
            "[[governing_documents.documents]] i kommunens TOML-fil)"
        )
    return doc.GoverningRegister(
        in_force=counts.in_force,
        reviewed=counts.reviewed_titles,
        due=counts.due_titles,
        overdue=counts.overdue_titles,
    )


def follow_up(
    ctx: StageContext,
    figures: list[UnitFigures],
    *,
    kind: str,
    period: str,
    month: int,
    forecast_basis_month: int | None = None,
    parts: ReportParts | None = None,
    plans: list[ActionPlan] | None = None,
) -> doc.FollowUpData:
    """Everything a follow-up document shows, from the database.

    ``parts``: the financial statements and the rest of the interim or annual report's
    financial parts (:mod:`arshjul.stages.financial_report`).
    """
    parts = parts or ReportParts()
    annual = kind == "arsredovisning"
    results = {m.name: m.result_kr for m in parts.group.members} if parts.group and annual else {}
    return doc.FollowUpData(
        municipality=ctx.municipality.name,
        year=ctx.year,
        kind=kind,  # type: ignore[arg-type]
        period=period,
        as_of=_month_end(ctx.year, month) if month else ctx.as_of.date(),
        units=_economies(ctx, figures),
        companies=_companies(ctx, results)
        if kind in ("tertial", "delar", "arsredovisning")
        else (),
        action_plans=_plan_summaries(ctx, plans),
        goals=_goals(ctx) if kind in ("delar", "arsredovisning") else (),
        statements=parts.statements,
        operating=parts.operating,
        investments=parts.investments,
        group=parts.group,
        management=parts.management,
        balance_requirement=parts.balance_requirement,
        sound_financial_management=parts.financial_goals,
        company_assessments=_company_assessments(ctx) if annual else (),
        internal_control=_internal_control(ctx) if annual else (),
        governing=_governing_register(ctx) if annual else None,
        forecast_basis=_month_end(ctx.year, forecast_basis_month) if forecast_basis_month else None,
        previous_report_on=_previous_report(ctx) if kind.startswith("ekonomirapport") else None,
        body="Kommunstyrelsen" if kind.startswith("ekonomirapport") else "Kommunfullmäktige",
        meeting_date=ctx.stage.decision_on,
        demo=ctx.demo,
        group_threshold_percent=ctx.config.group.material_percent,
    )


def _previous_report(ctx: StageContext) -> dt.date | None:
    """The meeting day of the financial report before this one, if there was one."""
    earlier = ctx.session.exec(
        select(StageInstance)
        .where(
            StageInstance.municipality_id == ctx.municipality.id,
            StageInstance.slug.startswith("ekonomirapport"),
            StageInstance.state.in_(("compiled", "decided")),  # type: ignore[attr-defined]
            StageInstance.opens_on < ctx.stage.opens_on,
        )
        .order_by(StageInstance.opens_on.desc())  # type: ignore[attr-defined]
    ).first()
    return earlier.decision_on if earlier else None
