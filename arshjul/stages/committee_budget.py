"""The committees' own budgets within the council's frames, and the political review."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import select

from arshjul.calendar.stages import election_day
from arshjul.documents import planning_data as pd
from arshjul.documents.namndbudget import build_namndbudget_document
from arshjul.documents.oversyn import build_oversyn_document
from arshjul.formats import format_date
from arshjul.forms.planning import NamndbudgetForm, OversynForm
from arshjul.governance.documents import KIND_SV, DocumentKind
from arshjul.lifecycle.reviews import political_documents_due_in_term
from arshjul.models import (
    FrameKind,
    FrameStatus,
    OrgUnit,
)
from arshjul.stages.answers import answers_by_unit, meeting
from arshjul.stages.base import StageContext, StageSpec, record_document
from arshjul.stages.economy import framed_units
from arshjul.stages.ramar import best_frames, frames_of_kind


def compile_namndbudget(ctx: StageContext) -> list[Path]:
    """The committees' budgets within the council's frames, for the executive board."""

    answers = answers_by_unit(ctx.session, ctx.stage, NamndbudgetForm)
    frames = best_frames(ctx)
    committees, missing = [], []
    for unit in framed_units(ctx.session, ctx.municipality.id):  # type: ignore[arg-type]
        answer = answers.get(unit.id)  # type: ignore[arg-type]
        if answer is None:
            missing.append(unit.name)
            continue
        committees.append(
            pd.CommitteeBudget(
                unit.name,
                frames.get(unit.id, 0),  # type: ignore[arg-type]
                tuple(pd.ActivityLine(r.activity, r.amount_kr) for r in answer.distribution),
                plan_activities=tuple(
                    pd.PlanActivity(r.title, r.goal, r.responsible) for r in answer.activities
                ),
                goals_text=answer.goals_text,
            )
        )
    data = pd.NamndbudgetData(
        municipality=ctx.municipality.name,
        cycle_year=ctx.year,
        committees=tuple(committees),
        not_submitted=tuple(missing),
        **meeting(ctx),
    )
    path = build_namndbudget_document(
        data, template=ctx.template, logo=ctx.logo, out_dir=ctx.out_dir
    )
    record_document(ctx, kind="namndbudget", title=f"Nämndernas budget {ctx.year + 1}", path=path)
    return [path]


def council_frames(ctx: StageContext) -> dict[int, int]:
    """The frames the council adopted for the budget year (what namndbudget distributes)."""
    return {
        f.unit_id: f.amount_kr
        for f in frames_of_kind(ctx, FrameKind.OPERATIONS)
        if f.status == FrameStatus.COUNCIL
    }


# ------------------------------------------------------------ politisk översyn


def compile_oversyn(ctx: StageContext) -> list[Path]:
    """The review of the political organisation and programme before the new term."""

    answers = answers_by_unit(ctx.session, ctx.stage, OversynForm)
    units = {u.id: u.name for u in ctx.session.exec(select(OrgUnit))}
    organisation, programme = [], []
    for unit_id, answer in answers.items():
        if answer.comment:
            organisation.append(pd.ReviewInput("Synpunkter", answer.comment, units[unit_id]))
            programme.append(pd.ReviewInput("Politiskt program", answer.comment, units[unit_id]))
    data = pd.OversynData(
        municipality=ctx.municipality.name,
        cycle_year=ctx.year,
        organisation=tuple(organisation),
        programme=tuple(programme),
        election_day=election_day(ctx.year),
        documents_due=_documents_due(ctx),
        **meeting(ctx),
    )
    path = build_oversyn_document(data, template=ctx.template, logo=ctx.logo, out_dir=ctx.out_dir)
    record_document(ctx, kind="politisk-oversyn", title=f"Politisk översyn {ctx.year}", path=path)
    return [path]


def _documents_due(ctx: StageContext) -> tuple[pd.DueDocument, ...]:
    """The political documents in force that the new council must review in its term."""
    due = political_documents_due_in_term(
        ctx.session, municipality=ctx.municipality, election_year=ctx.year
    )
    units = {u.id: u.name for u in ctx.session.exec(select(OrgUnit))}
    return tuple(
        pd.DueDocument(
            title=d.title,
            kind=KIND_SV[DocumentKind(d.kind)],
            decided=", ".join(p for p in (d.paragraph, format_date(d.decided_on)) if p),
            review_by=d.next_review_on,
            owner=units.get(d.owner_unit_id, ""),
        )
        for d in due
    )


NAMNDBUDGET = StageSpec(slug="namndbudget", write=compile_namndbudget)
POLITISK_OVERSYN = StageSpec(slug="politisk-oversyn", write=compile_oversyn)
SPECS = (NAMNDBUDGET, POLITISK_OVERSYN)
