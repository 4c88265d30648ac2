"""A body's decision and what follows: frames adopted, committees told, the plan rewritten."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from sqlmodel import Session

from arshjul.errors import ArshjulError
from arshjul.lifecycle.cycle import ensure_stage_instance
from arshjul.lifecycle.decisions import (
    check_tax_rate,
    notify_council_decision,
    record_decision,
)
from arshjul.models import Decision, Municipality
from arshjul.settings import Settings
from arshjul.stages.base import stage_context
from arshjul.stages.sep import compile_sep


@dataclass
class Decided:
    """The recorded decision, the plan written again with it, and what that plan lacked."""

    decision: Decision
    documents: list[Path] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)


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
    tax_rate: Decimal | None = None,
) -> Decided:
    """Record the decision; after KS or KF the plan is written again with the decision in it
    (a correction too, so the new version names what it changed).

    The council's decision carries the tax rate (``tax_rate``, kronor per 100 kronor); a
    decision without one, or with one outside 15–40, is refused and nothing is written.
    """
    check_tax_rate(slug, tax_rate)
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
        details={"tax_rate": str(tax_rate)} if tax_rate is not None else None,
    )
    if slug == "kf-beslut":
        notify_council_decision(session, municipality=municipality, decision=decision, as_of=as_of)
    decided = Decided(decision)
    if slug in ("ks-beslut", "kf-beslut"):
        ctx = stage_context(
            session,
            municipality=municipality,
            year=year,
            slug=slug,
            as_of=as_of,
            settings=settings,
        )
        decided.documents = compile_sep(ctx)
        decided.missing = list(dict.fromkeys(ctx.missing))
    return decided
