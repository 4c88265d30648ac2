"""A body's decision and what follows: frames adopted, committees told, the plan rewritten."""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session

from arshjul.errors import ArshjulError
from arshjul.lifecycle.cycle import ensure_stage_instance
from arshjul.lifecycle.decisions import notify_council_decision, record_decision
from arshjul.models import Decision, Municipality
from arshjul.settings import Settings
from arshjul.stages.base import stage_context


def decide(
    session: Session,
    *,
    municipality: Municipality,
    year: int,
    slug: str,
    decided_on: dt.date,
    paragraph: str,
    summary: str,
    actor: str,
    settings: Settings,
    as_of: dt.datetime,
    frame_changes: dict[str, int] | None = None,
    corrects_id: int | None = None,
) -> Decision:
    """Record the decision; after KS or KF the plan is written again with the decision in it."""
    stage = ensure_stage_instance(session, municipality=municipality, year=year, slug=slug)
    corrects = None
    if corrects_id is not None:
        corrects = session.get(Decision, corrects_id)
        if corrects is None or corrects.municipality_id != municipality.id:
            raise ArshjulError(f"Det finns inget beslut med nummer {corrects_id} att rätta.")
    decision = record_decision(
        session,
        municipality=municipality,
        stage=stage,
        budget_year=year + 1,
        decided_on=decided_on,
        paragraph=paragraph,
        summary=summary,
        actor=actor,
        frame_changes=frame_changes,
        corrects=corrects,
    )
    if slug == "kf-beslut":
        notify_council_decision(session, municipality=municipality, decision=decision, as_of=as_of)
    if slug in ("ks-beslut", "kf-beslut"):
        from arshjul.stages.planning import compile_sep

        compile_sep(
            stage_context(
                session,
                municipality=municipality,
                year=year,
                slug=slug,
                as_of=as_of,
                settings=settings,
            )
        )
    return decision
