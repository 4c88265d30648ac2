"""The planning stages: from the preliminary frames to the committees' budgets."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlmodel import col, select

from arshjul.allocation import allocate
from arshjul.calendar.schedule import build_schedule
from arshjul.calendar.stages import election_day
from arshjul.documents import planning_data as pd
from arshjul.documents import ramar_data as rd
from arshjul.documents.budgetdag import build_budgetdag_document
from arshjul.documents.ledningsdialog import build_ledningsdialog_document
from arshjul.documents.namndbudget import build_namndbudget_document
from arshjul.documents.oversyn import build_oversyn_document
from arshjul.documents.ramar import build_ramar_document
from arshjul.documents.sep import build_sep_document
from arshjul.formats import format_date, format_tkr
from arshjul.forms.registry import asks_for
from arshjul.governance.frames import counting
from arshjul.lifecycle.requests import units_asked
from arshjul.models import (
    BudgetFrame,
    Decision,
    FrameKind,
    FrameStatus,
    GeneratedDocument,
    Goal,
    Indicator,
    IndicatorTarget,
    OrgUnit,
    StageInstance,
    StrategicArea,
    Term,
    UnitKind,
    stored_id,
)
from arshjul.stages import plan_basis as basis
from arshjul.stages.base import OpenExtras, StageContext, StageSpec, record_document
from arshjul.stages.economy import framed_units, submissions_by_unit
from arshjul.stages.plan_statements import plan_parts
from arshjul.stages.planning_inputs import allocation_inputs, has_index

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _text(answer: dict[str, Any], *keys: str) -> str:
    return next((str(answer[k]) for k in keys if answer.get(k)), "")


def _rows(answer: dict[str, Any], *keys: str) -> list[dict[str, Any]]:
    for key in keys:
        value = answer.get(key)
        if isinstance(value, list):
            return [v for v in value if isinstance(v, dict)]
    return []


def _meta(ctx: StageContext) -> dict[str, Any]:
    return {"meeting_date": ctx.stage.decision_on, "demo": ctx.demo}


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
        for f in _frames(ctx, FrameKind.OPERATIONS)
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


def _frames(ctx: StageContext, kind: str, year: int | None = None) -> list[BudgetFrame]:
    return list(
        ctx.session.exec(
            select(BudgetFrame).where(
                BudgetFrame.municipality_id == ctx.municipality.id,
                BudgetFrame.budget_year == (year or ctx.year + 1),
                BudgetFrame.kind == kind,
            )
        ).all()
    )


def _best_frames(ctx: StageContext, year: int | None = None) -> dict[int, int]:
    """Each unit's most decided operating frame for a year."""
    by_unit: dict[int, list[BudgetFrame]] = {}
    for frame in _frames(ctx, FrameKind.OPERATIONS, year):
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
        meeting_date=ctx.stage.decision_on,
        demo=ctx.demo,
        investments_known=bool(investments),
    )
    path = build_ramar_document(data, template=ctx.template, out_dir=ctx.out_dir)
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
def compile_ledningsdialog(ctx: StageContext) -> list[Path]:
    """The administrations' and companies' pictures of the present and the future."""

    answers = submissions_by_unit(ctx.session, ctx.stage)
    asked = units_asked(ctx.session, municipality_id=ctx.municipality.id, slug=ctx.stage.slug)  # type: ignore[arg-type]
    data = pd.LedningsdialogData(
        municipality=ctx.municipality.name,
        cycle_year=ctx.year,
        season=pd.Season.SPRING if ctx.stage.slug.endswith("mars") else pd.Season.AUTUMN,
        submissions=tuple(
            pd.DialogueSubmission(
                unit.name,
                _text(answers[unit.id], "present", "present_situation", "nulage"),
                _text(answers[unit.id], "future", "framtid"),
                _text(answers[unit.id], "challenges", "utmaningar"),
                is_company=unit.kind == UnitKind.COMPANY,
            )
            for unit in asked
            if unit.id in answers
        ),
        not_submitted=tuple(u.name for u in asked if u.id not in answers),
        dialogue_date=ctx.stage.decision_on,
        body=None,
        **_meta(ctx),
    )
    path = build_ledningsdialog_document(data, template=ctx.template, out_dir=ctx.out_dir)
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
    answers = submissions_by_unit(ctx.session, analysis) if analysis else {}
    units = {
        u.id: u
        for u in ctx.session.exec(
            select(OrgUnit).where(OrgUnit.municipality_id == ctx.municipality.id)
        )
    }
    preliminary = {
        f.unit_id: f.amount_kr
        for f in _frames(ctx, FrameKind.OPERATIONS)
        if f.status == FrameStatus.PRELIMINARY
    }
    proposed = [
        pd.CommitteeAmount(units[f.unit_id].name, f.amount_kr)
        for f in _frames(ctx, FrameKind.OPERATIONS)
        if f.status == FrameStatus.PROPOSED
    ]
    framed = {uid for uid in preliminary}
    funding, investments, premises, summaries = [], [], [], []
    for unit_id, answer in answers.items():
        unit = units[unit_id]
        if unit_id in framed:
            for row in _rows(answer, "funding_requests"):
                funding.append(
                    pd.FundingRequest(
                        unit.name,
                        str(row.get("title") or row.get("reason", ""))[:80],
                        int(row.get("amount_kr", row.get("amount", 0))),
                        str(row.get("reason", "")),
                        str(row.get("consequences", "")),
                    )
                )
            for row in _rows(answer, "investment_needs"):
                investments.append(
                    pd.InvestmentNeed(
                        unit.name,
                        str(row.get("project", "")),
                        int(row.get("amount_kr", row.get("amount", 0))),
                    )
                )
        need = _text(answer, "premises_needs")
        if need:
            premises.append(pd.PremisesNeed(unit.name, need))
        summaries.append(
            pd.AnalysisSummary(
                unit.name,
                " ".join(
                    t
                    for t in (
                        _text(answer, "present"),
                        _text(answer, "future"),
                        _text(answer, "economy"),
                    )
                    if t
                ),
                is_company=unit.kind == UnitKind.COMPANY,
                child_impact_needed=bool(answer.get("services_change")),
                child_impact=_text(answer, "child_impact"),
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
        **_meta(ctx),
    )
    path = build_budgetdag_document(data, template=ctx.template, out_dir=ctx.out_dir)
    record_document(ctx, kind="budgetdag", title=f"Budgetdag {ctx.year}", path=path)
    return [path]


# -------------------------------------------------------------------------- SEP
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
        **_meta(ctx),
    )
    if data.adopted is not None and parts.budget_income is not None:
        parts.record_adopted_budget(ctx, data.adopted)
    path = build_sep_document(data, template=ctx.template, out_dir=ctx.out_dir)
    record_document(
        ctx, kind=ctx.stage.slug, title=f"Strategisk och ekonomisk plan {ctx.year + 1}", path=path
    )
    return [path]


# ----------------------------------------------------------------- nämndbudget
def compile_namndbudget(ctx: StageContext) -> list[Path]:
    """The committees' budgets within the council's frames, for the executive board."""

    answers = submissions_by_unit(ctx.session, ctx.stage)
    frames = _best_frames(ctx)
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
                tuple(
                    pd.ActivityLine(
                        str(r.get("activity", "")), int(r.get("amount_kr", r.get("amount", 0)))
                    )
                    for r in _rows(answer, "distribution")
                ),
                plan_activities=tuple(
                    pd.PlanActivity(
                        str(r.get("title", "")),
                        str(r.get("goal") or ""),
                        str(r.get("responsible") or ""),
                    )
                    for r in _rows(answer, "activities")
                ),
                goals_text=_text(answer, "goals_text"),
            )
        )
    data = pd.NamndbudgetData(
        municipality=ctx.municipality.name,
        cycle_year=ctx.year,
        committees=tuple(committees),
        not_submitted=tuple(missing),
        **_meta(ctx),
    )
    path = build_namndbudget_document(data, template=ctx.template, out_dir=ctx.out_dir)
    record_document(ctx, kind="namndbudget", title=f"Nämndernas budget {ctx.year + 1}", path=path)
    return [path]


def council_frames(ctx: StageContext) -> dict[int, int]:
    """The frames the council adopted for the budget year (what namndbudget distributes)."""
    return {
        f.unit_id: f.amount_kr
        for f in _frames(ctx, FrameKind.OPERATIONS)
        if f.status == FrameStatus.COUNCIL
    }


# ------------------------------------------------------------ politisk översyn
def compile_oversyn(ctx: StageContext) -> list[Path]:
    """The review of the political organisation and programme before the new term."""

    answers = submissions_by_unit(ctx.session, ctx.stage)
    units = {u.id: u.name for u in ctx.session.exec(select(OrgUnit))}
    organisation, programme = [], []
    for unit_id, answer in answers.items():
        if text := _text(answer, "organisation", "comment"):
            organisation.append(pd.ReviewInput("Synpunkter", text, units[unit_id]))
        if text := _text(answer, "programme", "program"):
            programme.append(pd.ReviewInput("Politiskt program", text, units[unit_id]))
    data = pd.OversynData(
        municipality=ctx.municipality.name,
        cycle_year=ctx.year,
        organisation=tuple(organisation),
        programme=tuple(programme),
        election_day=election_day(ctx.year),
        **_meta(ctx),
    )
    path = build_oversyn_document(data, template=ctx.template, out_dir=ctx.out_dir)
    record_document(ctx, kind="politisk-oversyn", title=f"Politisk översyn {ctx.year}", path=path)
    return [path]


RAMAR = StageSpec(slug="ramar", write=compile_ramar)
NAMNDANALYS = StageSpec(slug="namndanalys", extras=ramar_attachment)
LEDNINGSDIALOG_MARS = StageSpec(slug="ledningsdialog-mars", write=compile_ledningsdialog)
LEDNINGSDIALOG_SEPTEMBER = StageSpec(slug="ledningsdialog-september", write=compile_ledningsdialog)
BUDGETDAG = StageSpec(slug="budgetdag", write=compile_budgetdag)
KS_BESLUT = StageSpec(slug="ks-beslut", write=compile_sep)
KF_BESLUT = StageSpec(slug="kf-beslut", write=compile_sep)
NAMNDBUDGET = StageSpec(slug="namndbudget", write=compile_namndbudget)
POLITISK_OVERSYN = StageSpec(slug="politisk-oversyn", write=compile_oversyn)
SPECS = (
    RAMAR,
    NAMNDANALYS,
    LEDNINGSDIALOG_MARS,
    LEDNINGSDIALOG_SEPTEMBER,
    BUDGETDAG,
    KS_BESLUT,
    KF_BESLUT,
    NAMNDBUDGET,
    POLITISK_OVERSYN,
)
