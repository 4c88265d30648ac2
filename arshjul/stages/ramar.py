"""Preliminära ramar: the frames computed from the municipality's inputs, and the
nämndanalys that sends them to the committees."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlmodel import col, select

from arshjul.allocation import allocate
from arshjul.calendar.schedule import build_schedule
from arshjul.documents import ramar_data as rd
from arshjul.documents.ramar import build_ramar_document
from arshjul.forms.registry import asks_for
from arshjul.governance.frames import counting
from arshjul.models import (
    BudgetFrame,
    FrameKind,
    FrameStatus,
    GeneratedDocument,
    OrgUnit,
    StageInstance,
    stored_id,
)
from arshjul.stages import plan_basis as basis
from arshjul.stages.base import OpenExtras, StageContext, StageSpec, record_document
from arshjul.stages.economy import framed_units
from arshjul.stages.planning_inputs import allocation_inputs, has_index

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def financial_starting_points(ctx: StageContext) -> rd.FinancialStartingPoints:
    """The budget year's tax rate, SKR's forecast, the result goal and the total frame.

    A figure the database lacks stays None, is named in the stage's log and shows as
    "uppgift saknas" in the document.
    """
    mid: int = ctx.municipality.id  # type: ignore[assignment]
    by = ctx.year + 1
    plan = basis.assumptions(ctx.session, municipality_id=mid, year=by)
    forecast = basis.tax_forecast(ctx.session, municipality_id=mid, by=ctx.as_of.date())
    tax, grants = (
        (forecast.amount(by, "skatteintakter"), forecast.amount(by, "generella_statsbidrag"))
        if forecast
        else (None, None)
    )
    if tax is None or grants is None:
        ctx.missing.append(
            f"skatteintäkter och generella statsbidrag {by} (arshjul import skatteprognos)"
        )
    rate = basis.tax_rate(
        ctx.session, municipality_id=mid, cycle_year=ctx.year, cycle_id=ctx.cycle.id
    )
    if rate is None:
        ctx.missing.append(f"skattesats {by} (finansiella-mal: skattesats)")
    share = plan.get("resultat_andel_skatter")
    if share is None:
        ctx.missing.append(f"resultatmål {by} (finansiella-mal: resultat_andel_skatter)")
    total = sum(
        f.amount_kr
        for f in frames_of_kind(ctx, FrameKind.OPERATIONS)
        if f.status == FrameStatus.PRELIMINARY
    )
    return rd.FinancialStartingPoints(
        rate.rate if rate else None,
        tax,
        grants,
        Decimal(str(share)) / 100 if share is not None else None,
        total,
        forecast.name if forecast else "",
    )


def frames_of_kind(ctx: StageContext, kind: str, year: int | None = None) -> list[BudgetFrame]:
    return list(
        ctx.session.exec(
            select(BudgetFrame).where(
                BudgetFrame.municipality_id == ctx.municipality.id,
                BudgetFrame.budget_year == (year or ctx.year + 1),
                BudgetFrame.kind == kind,
            )
        ).all()
    )


def best_frames(ctx: StageContext, year: int | None = None) -> dict[int, int]:
    """Each unit's most decided operating frame for a year."""
    by_unit: dict[int, list[BudgetFrame]] = {}
    for frame in frames_of_kind(ctx, FrameKind.OPERATIONS, year):
        by_unit.setdefault(frame.unit_id, []).append(frame)
    found = {unit: counting(frames) for unit, frames in by_unit.items()}
    return {unit: frame.amount_kr for unit, frame in found.items() if frame is not None}


# ----------------------------------------------------------------------------- ramar


def compile_ramar(ctx: StageContext) -> list[Path]:
    """The resource allocation model's preliminary frames and the instructions."""

    mid: int = ctx.municipality.id  # type: ignore[assignment]
    budget_year = ctx.year + 1
    if not has_index(ctx.session, municipality_id=mid, year=budget_year):
        ctx.missing.append(
            f"pris- och löneindex {budget_year} (arshjul import index): ramarna är inte "
            "uppräknade för pris och lön"
        )
    inputs = allocation_inputs(
        ctx.session, municipality_id=mid, config=ctx.config, cycle_year=ctx.year
    )
    allocations = allocate(inputs)
    units = {u.name: u for u in framed_units(ctx.session, mid)}
    for allocation in allocations:
        _store_preliminary(ctx, units[allocation.name], budget_year, allocation)
    ctx.session.flush()
    _plan_year_frames(ctx, allocations, units)
    investments: dict[int, int] = {}
    for (unit_id, _), frame in basis.counting_frames(
        ctx.session, municipality_id=mid, year=budget_year, kind=FrameKind.INVESTMENT
    ).items():
        investments[unit_id] = investments.get(unit_id, 0) + frame.amount_kr
    if not investments:
        ctx.missing.append(
            f"investeringsramar {budget_year} (arshjul import ramar, typ investering)"
        )
    schedule = build_schedule(ctx.year, ctx.config.calendar)
    analysis = schedule.get("namndanalys")
    data = rd.RamarDocumentData(
        municipality=ctx.municipality.name,
        cycle_year=ctx.year,
        financial=financial_starting_points(ctx),
        committees=tuple(
            a.as_frame(investments.get(stored_id(units[a.name]), 0)) for a in allocations
        ),
        timetable=tuple(
            rd.TimetableRow(s.name, s.opens, s.deadline, (rd.Decision("Beslut", s.decision),))
            for s in schedule
        ),
        instructions=rd.AnalysisInstructions(
            tuple(asks_for("namndanalys")),
            analysis.deadline if analysis else ctx.stage.deadline_on,
            ctx.config.mail.reply_to,
        ),
        election_year=schedule.election_year,
        election_day=schedule.election_day,
        waivers=tuple(w.sentence() for w in schedule.waived),
        preparation_on=preparation.decision if (preparation := schedule.get("budgetdag")) else None,
        meeting_date=ctx.stage.decision_on,
        demo=ctx.demo,
        investments_known=bool(investments),
    )
    path = build_ramar_document(data, template=ctx.template, logo=ctx.logo, out_dir=ctx.out_dir)
    record_document(
        ctx, kind="ramar", title=f"Preliminära ramar och anvisningar {ctx.year + 1}", path=path
    )
    return [path]


def _store_preliminary(ctx: StageContext, unit: OrgUnit, year: int, allocation: Any) -> None:
    """The model's preliminary frame for a unit and year, with its lines as explanation."""
    row = ctx.session.exec(
        select(BudgetFrame).where(
            BudgetFrame.unit_id == unit.id,
            BudgetFrame.budget_year == year,
            BudgetFrame.kind == FrameKind.OPERATIONS,
            BudgetFrame.status == FrameStatus.PRELIMINARY,
            BudgetFrame.area == "",
        )
    ).first() or BudgetFrame(
        municipality_id=ctx.municipality.id,  # type: ignore[arg-type]
        unit_id=unit.id,  # type: ignore[arg-type]
        budget_year=year,
        kind=FrameKind.OPERATIONS,
        status=FrameStatus.PRELIMINARY,
    )
    row.amount_kr = allocation.preliminary_frame
    row.explanation = [
        {"reason": c.reason, "kronor": c.amount, "kind": str(c.kind)} for c in allocation.changes
    ]
    ctx.session.add(row)


def _plan_year_frames(ctx: StageContext, allocations: list[Any], units: dict[str, OrgUnit]) -> None:
    """The two plan years' preliminary frames, each from the year before's frames and its
    own population, volumes and index. A year without its index has no basis: neither it
    nor a later year gets frames, and the log says so (never last year's frames again)."""

    mid: int = ctx.municipality.id  # type: ignore[assignment]
    base = {units[a.name].id: a.preliminary_frame for a in allocations}
    for year in (ctx.year + 2, ctx.year + 3):
        if not has_index(ctx.session, municipality_id=mid, year=year):
            ctx.missing.append(
                f"pris- och löneindex {year} (arshjul import index): planåret {year} och åren "
                "efter saknar underlag för ramar"
            )
            return
        inputs = allocation_inputs(
            ctx.session,
            municipality_id=mid,
            config=ctx.config,
            cycle_year=ctx.year,
            budget_year=year,
            base_frames=base,  # type: ignore[arg-type]
        )
        year_allocations = allocate(inputs)
        for allocation in year_allocations:
            _store_preliminary(ctx, units[allocation.name], year, allocation)
        base = {units[a.name].id: a.preliminary_frame for a in year_allocations}
    ctx.session.flush()


def ramar_attachment(ctx: StageContext) -> OpenExtras:
    """The preliminary frames and instructions go with the requests for analyses."""
    document = ctx.session.exec(
        select(GeneratedDocument)
        .join(StageInstance, col(StageInstance.id) == GeneratedDocument.stage_instance_id)
        .where(StageInstance.cycle_id == ctx.cycle.id, GeneratedDocument.kind == "ramar")
        .order_by(GeneratedDocument.version.desc())  # type: ignore[attr-defined]
    ).first()
    if document is None or not Path(document.path).is_file():
        return OpenExtras()
    path = Path(document.path)
    return OpenExtras(attachments=((path.name, DOCX, path.read_bytes()),), document_name=path.name)


# ----------------------------------------------------------------- ledningsdialog


RAMAR = StageSpec(slug="ramar", write=compile_ramar)
NAMNDANALYS = StageSpec(slug="namndanalys", extras=ramar_attachment)
SPECS = (RAMAR, NAMNDANALYS)
