"""The management dialogues and budget day: the committees' analyses brought together."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import select

from arshjul.documents import planning_data as pd
from arshjul.documents.budgetdag import build_budgetdag_document
from arshjul.documents.ledningsdialog import build_ledningsdialog_document
from arshjul.forms.planning import LedningsdialogForm, NamndanalysForm
from arshjul.lifecycle.requests import units_asked
from arshjul.models import (
    FrameKind,
    FrameStatus,
    OrgUnit,
    StageInstance,
    UnitKind,
    stored_id,
)
from arshjul.stages.answers import answers_by_unit, meeting
from arshjul.stages.base import StageContext, StageSpec, record_document
from arshjul.stages.comparisons import term_comparisons
from arshjul.stages.ramar import financial_starting_points, frames_of_kind


def compile_ledningsdialog(ctx: StageContext) -> list[Path]:
    """The administrations' and companies' pictures of the present and the future."""

    answers = answers_by_unit(ctx.session, ctx.stage, LedningsdialogForm)
    asked = units_asked(ctx.session, municipality_id=ctx.municipality.id, slug=ctx.stage.slug)  # type: ignore[arg-type]
    data = pd.LedningsdialogData(
        municipality=ctx.municipality.name,
        cycle_year=ctx.year,
        season=pd.Season.SPRING if ctx.stage.slug.endswith("mars") else pd.Season.AUTUMN,
        submissions=tuple(
            pd.DialogueSubmission(
                unit.name,
                answer.present,
                answer.future,
                answer.challenges,
                is_company=unit.kind == UnitKind.COMPANY,
            )
            for unit in asked
            if (answer := answers.get(stored_id(unit))) is not None
        ),
        not_submitted=tuple(u.name for u in asked if u.id not in answers),
        dialogue_date=ctx.stage.decision_on,
        comparisons=term_comparisons(ctx),
        body=None,
        **meeting(ctx),
    )
    path = build_ledningsdialog_document(
        data, template=ctx.template, logo=ctx.logo, out_dir=ctx.out_dir
    )
    record_document(ctx, kind=ctx.stage.slug, title=f"{ctx.stage.name} {ctx.year}", path=path)
    return [path]


# -------------------------------------------------------------------- budgetdag


def _analysis_stage(ctx: StageContext) -> StageInstance | None:
    return ctx.session.exec(
        select(StageInstance).where(
            StageInstance.cycle_id == ctx.cycle.id, StageInstance.slug == "namndanalys"
        )
    ).first()


def compile_budgetdag(ctx: StageContext) -> list[Path]:
    """The economic starting points and every analysis, for the budget day."""

    analysis = _analysis_stage(ctx)
    answers = answers_by_unit(ctx.session, analysis, NamndanalysForm) if analysis else {}
    units = {
        u.id: u
        for u in ctx.session.exec(
            select(OrgUnit).where(OrgUnit.municipality_id == ctx.municipality.id)
        )
    }
    preliminary = {
        f.unit_id: f.amount_kr
        for f in frames_of_kind(ctx, FrameKind.OPERATIONS)
        if f.status == FrameStatus.PRELIMINARY
    }
    proposed = [
        pd.CommitteeAmount(units[f.unit_id].name, f.amount_kr)
        for f in frames_of_kind(ctx, FrameKind.OPERATIONS)
        if f.status == FrameStatus.PROPOSED
    ]
    framed = {uid for uid in preliminary}
    funding, investments, premises, summaries = [], [], [], []
    for unit_id, answer in answers.items():
        unit = units[unit_id]
        if unit_id in framed:
            for request in answer.funding_requests:
                funding.append(
                    pd.FundingRequest(
                        unit.name,
                        (request.title or request.reason)[:80],
                        request.amount_kr,
                        request.reason,
                        request.consequences,
                    )
                )
            for need in answer.investment_needs:
                investments.append(pd.InvestmentNeed(unit.name, need.project, need.amount_kr))
        if answer.premises_needs:
            premises.append(pd.PremisesNeed(unit.name, answer.premises_needs))
        summaries.append(
            pd.AnalysisSummary(
                unit.name,
                " ".join(t for t in (answer.present, answer.future, answer.economy) if t),
                is_company=unit.kind == UnitKind.COMPANY,
                child_impact_needed=answer.services_change,
                child_impact=answer.child_impact,
            )
        )
    data = pd.BudgetdagData(
        municipality=ctx.municipality.name,
        cycle_year=ctx.year,
        financial=financial_starting_points(ctx),
        frames=tuple(
            pd.CommitteeAmount(units[u].name, amount) for u, amount in preliminary.items()
        ),
        funding_requests=tuple(funding),
        investment_needs=tuple(investments),
        premises_needs=tuple(premises),
        analyses=tuple(summaries),
        proposed_frames=tuple(proposed) or None,
        budget_day=ctx.stage.decision_on,
        **meeting(ctx),
    )
    path = build_budgetdag_document(data, template=ctx.template, logo=ctx.logo, out_dir=ctx.out_dir)
    record_document(ctx, kind="budgetdag", title=f"Budgetdag {ctx.year}", path=path)
    return [path]


# -------------------------------------------------------------------------- SEP


LEDNINGSDIALOG_MARS = StageSpec(slug="ledningsdialog-mars", write=compile_ledningsdialog)
LEDNINGSDIALOG_SEPTEMBER = StageSpec(slug="ledningsdialog-september", write=compile_ledningsdialog)
BUDGETDAG = StageSpec(slug="budgetdag", write=compile_budgetdag)
SPECS = (LEDNINGSDIALOG_MARS, LEDNINGSDIALOG_SEPTEMBER, BUDGETDAG)
