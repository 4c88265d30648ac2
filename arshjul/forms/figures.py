"""What a stage already knows about a unit: figures shown beside the form, and its goals.

The figures are read from the database (the budget frame that counts, actuals so
far, a deviation); a figure the database does not have is shown as
"uppgift saknas" and checks nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import Any

from sqlalchemy import bindparam, case, func
from sqlmodel import Session, col, select

from arshjul.calendar.stages import get_stage
from arshjul.config.stored import municipality_config
from arshjul.formats import format_number, format_tkr, month_name
from arshjul.governance.frames import FRAME_PRECEDENCE
from arshjul.governance.terms import term_holding, term_of
from arshjul.models import (
    ActionPlan,
    BudgetFrame,
    Control,
    Cycle,
    Deviation,
    FigureKind,
    FinancialFigure,
    FrameKind,
    FrameStatus,
    Goal,
    Indicator,
    IndicatorTarget,
    Municipality,
    OrgUnit,
    Risk,
    StageInstance,
    SubmissionRequest,
    Term,
)

MISSING = "uppgift saknas"


@dataclass(frozen=True)
class KnownFigure:
    """A figure shown beside the form; ``kronor`` None when the database has none."""

    key: str
    label: str
    kronor: int | None

    @property
    def shown(self) -> str:
        return MISSING if self.kronor is None else format_tkr(self.kronor)


@dataclass
class StageFacts:
    """Everything a form needs besides what was typed."""

    unit: OrgUnit
    stage: StageInstance
    year: int
    figures: list[KnownFigure] = field(default_factory=list)
    goals: list[dict[str, Any]] = field(default_factory=list)
    indicators: list[dict[str, Any]] = field(default_factory=list)
    controls: list[dict[str, Any]] = field(default_factory=list)
    # Why the unit has no goals to assess, when the stage asks about goals and it has none.
    goals_note: str = ""
    max_tkr: int | None = None  # the municipality's [plausibility] cap

    def context(self) -> dict[str, Any]:
        """The validation context: known amounts, goals, indicators, controls, unit kind."""
        amounts = {f.key: f.kronor for f in self.figures if f.kronor is not None}
        return {
            **amounts,
            "unit_kind": self.unit.kind,
            "goals": self.goals,
            "indicators": self.indicators,
            "controls": self.controls,
            **({"max_tkr": self.max_tkr} if self.max_tkr is not None else {}),
        }


def _frame_query(unit_id: Any, year: Any, status: FrameStatus) -> Any:
    """The frame's scalar subquery; ids and year as values or as bind parameters."""
    return (
        select(BudgetFrame.amount_kr)
        .where(
            BudgetFrame.unit_id == unit_id,
            BudgetFrame.budget_year == year,
            BudgetFrame.kind == FrameKind.OPERATIONS,
            BudgetFrame.status == status,
            BudgetFrame.area == "",
        )
        .scalar_subquery()
    )


def _frame(session: Session, unit_id: int, year: int, status: FrameStatus) -> int | None:
    return session.exec(select(_frame_query(unit_id, year, status))).one()


def _counting_frame_query(unit_id: Any, year: Any) -> Any:
    """The frame that counts (governance.frames), as one scalar subquery: the same
    precedence, ranked in SQL so that the portal still asks one query per post."""
    precedence = case(
        {status.value: rank for rank, status in enumerate(FRAME_PRECEDENCE)},
        value=BudgetFrame.status,
    )
    return (
        select(BudgetFrame.amount_kr)
        .where(
            BudgetFrame.unit_id == unit_id,
            BudgetFrame.budget_year == year,
            BudgetFrame.kind == FrameKind.OPERATIONS,
            col(BudgetFrame.status).in_([s.value for s in FRAME_PRECEDENCE]),
            BudgetFrame.area == "",
        )
        .order_by(precedence)
        .limit(1)
        .scalar_subquery()
    )


@cache
def _frame_and_actuals_statement() -> Any:
    """Built once: the portal asks it on every post, and building costs more than asking."""
    actuals = (
        select(func.coalesce(func.sum(FinancialFigure.amount_kr), 0), func.count())
        .where(
            FinancialFigure.unit_id == bindparam("unit_id"),
            FinancialFigure.year == bindparam("year"),
            FinancialFigure.kind == FigureKind.ACTUAL,
            FinancialFigure.month <= bindparam("month"),
            FinancialFigure.project == "",
        )
        .subquery()
    )
    frame = _counting_frame_query(bindparam("unit_id"), bindparam("year"))
    return select(frame, actuals.c[0], actuals.c[1])


def _frame_and_actuals(
    session: Session, unit_id: int, year: int, month: int
) -> tuple[int | None, int | None]:
    """The frame that counts for a year and the actuals up to a month, in one query."""
    frame, total, count = session.exec(
        _frame_and_actuals_statement(),
        params={"unit_id": unit_id, "year": year, "month": month},
    ).one()
    return frame, (int(total) if count else None)


def _latest_deviation(session: Session, unit_id: int) -> int | None:
    row = session.exec(
        select(Deviation.deviation_kr)
        .where(Deviation.unit_id == unit_id, Deviation.kind == "operations")
        .order_by(col(Deviation.detected_on).desc(), col(Deviation.id).desc())
    ).first()
    return row


def _plan_deviation(session: Session, stage: StageInstance) -> int | None:
    row = session.exec(
        select(Deviation.deviation_kr)
        .join(ActionPlan, col(ActionPlan.deviation_id) == Deviation.id)
        .where(ActionPlan.stage_instance_id == stage.id)
    ).first()
    return row


def known_figures_for(
    session: Session, unit: OrgUnit, stage: StageInstance, year: int
) -> list[KnownFigure]:
    """The figures a stage shows beside its form."""
    slug, uid = stage.slug, unit.id
    assert uid is not None
    budget_label = f"Budgetram {year}"
    if (period := get_stage(slug).period) is not None:
        month = period.through
        frame, actual = _frame_and_actuals(session, uid, year, month)
        found = [
            KnownFigure("budget_kr", budget_label, frame),
            KnownFigure("actual_kr", f"Utfall januari–{month_name(month)} {year}", actual),
        ]
        if slug.startswith("ekonomirapport"):
            found.append(
                KnownFigure(
                    "deviation_kr",
                    "Avvikelse enligt senaste uppföljningen",
                    _latest_deviation(session, uid),
                )
            )
        return found
    budget = KnownFigure(
        "budget_kr", budget_label, session.exec(select(_counting_frame_query(uid, year))).one()
    )
    if slug == "atgardsplan":
        return [
            budget,
            KnownFigure(
                "deviation_kr", "Avvikelse som planen ska hantera", _plan_deviation(session, stage)
            ),
        ]
    if slug == "namndanalys":
        return [
            budget,
            KnownFigure(
                "frame_kr",
                f"Preliminär ram {year + 1}",
                _frame(session, uid, year + 1, FrameStatus.PRELIMINARY),
            ),
        ]
    if slug == "namndbudget":
        return [
            KnownFigure(
                "frame_kr",
                f"Ram {year + 1} enligt KF",
                _frame(session, uid, year + 1, FrameStatus.COUNCIL),
            )
        ]
    return []


def term_for_year(session: Session, municipality_id: int, year: int) -> Term | None:
    """The configured term that holds the year; None when none does (never another term)."""
    terms = session.exec(select(Term).where(Term.municipality_id == municipality_id)).all()
    return term_holding(year, terms)


def _term_id(session: Session, municipality_id: int, year: int) -> int | None:
    term = term_for_year(session, municipality_id, year)
    return term.id if term is not None else None


def no_goals_note(session: Session, unit: OrgUnit, year: int) -> str:
    """Why a unit has no goals to assess for a year, as the secretary reads it."""
    term = term_for_year(session, unit.municipality_id, year)
    if term is None:
        return (
            f"Det finns inga mål att bedöma för {year}: målen för mandatperioden "
            f"{term_of(year)} är inte inlagda i Årshjul. Hör av dig till controllern om "
            "ni har beslutade mål för året."
        )
    return (
        f"{unit.name} har inga egna mål för mandatperioden "
        f"{term.start_year}–{term.end_year}, så här finns inget att bedöma."
    )


def _target_text(value: float | None, unit: str) -> str:
    if value is None:
        return ""
    decimals = 0 if float(value).is_integer() else 1
    suffix = "\u00a0%" if unit.lower() in ("procent", "%") else (f" {unit}" if unit else "")
    return f"{format_number(value, decimals)}{suffix}"


def goals_for(
    session: Session, unit: OrgUnit, year: int
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The unit's goals and their indicators (with this year's target) in the year's term.

    The term is the configured one that holds the year; a year outside every term has
    no goals (never an earlier term's).
    """
    term_id = _term_id(session, unit.municipality_id, year)
    if term_id is None:
        return [], []
    goal_rows = session.exec(
        select(Goal)
        .where(Goal.unit_id == unit.id, Goal.term_id == term_id)
        .order_by(col(Goal.sort_order), col(Goal.key))
    ).all()
    goal_list = [{"key": g.key, "title": g.title} for g in goal_rows]
    found: list[dict[str, Any]] = []
    for goal in goal_rows:
        for ind in session.exec(
            select(Indicator).where(Indicator.goal_id == goal.id).order_by(Indicator.key)
        ):
            targets = {
                t.year: t.value
                for t in session.exec(
                    select(IndicatorTarget).where(IndicatorTarget.indicator_id == ind.id)
                )
            }
            target = targets.get(year, targets.get(None))
            found.append(
                {
                    "key": ind.key,
                    "name": ind.name,
                    "unit": ind.unit_of_measure,
                    "goal": goal.key,
                    "target": _target_text(target, ind.unit_of_measure),
                }
            )
    return goal_list, found


def unit_controls(session: Session, unit_id: int, year: int) -> list[tuple[str, Risk, Control]]:
    """The unit's controls of the year, highest risk first, each with its answer key.

    The answer key is the control's key; a key two of the unit's risks share
    is told apart by the risk's key: ``risk-key/control-key``.
    """
    found = list(
        session.exec(
            select(Risk, Control)
            .join(Control, col(Control.risk_id) == Risk.id)
            .where(Risk.unit_id == unit_id, Risk.year == year)
            .order_by(
                (col(Risk.probability) * col(Risk.consequence)).desc(),
                Risk.key,
                Control.key,
            )
        ).all()
    )
    counts: dict[str, int] = {}
    for _, control in found:
        counts[control.key] = counts.get(control.key, 0) + 1
    return [
        (control.key if counts[control.key] == 1 else f"{risk.key}/{control.key}", risk, control)
        for risk, control in found
    ]


def risk_value_text(risk: Risk) -> str:
    """A risk's value as the control plan shows it: ``3×4 = 12``."""
    return f"{risk.probability}×{risk.consequence} = {risk.value}"


def controls_for(session: Session, unit: OrgUnit, year: int) -> list[dict[str, Any]]:
    """The unit's controls of the year, for the annual report's form (highest risk first)."""
    assert unit.id is not None
    return [
        {
            "key": key,
            "control": control.key,
            "risk": risk.key,
            "risk_text": risk.description,
            "category": risk.category,
            "value": risk.value,
            "value_text": risk_value_text(risk),
            "method": control.method,
            "frequency": control.frequency,
            "owner": control.owner,
            "report_on": control.report_on.isoformat() if control.report_on else "",
        }
        for key, risk, control in unit_controls(session, unit.id, year)
    ]


def stage_facts(session: Session, request: SubmissionRequest) -> StageFacts:
    """What the form for a request shows and checks against."""
    unit = session.get(OrgUnit, request.unit_id)
    stage = session.get(StageInstance, request.stage_instance_id)
    assert unit is not None and stage is not None
    cycle = session.get(Cycle, stage.cycle_id)
    assert cycle is not None
    municipality = session.get(Municipality, unit.municipality_id)
    facts = StageFacts(unit=unit, stage=stage, year=cycle.year)
    if municipality is not None:
        facts.max_tkr = municipality_config(municipality).plausibility.max_amount_tkr
    facts.figures = known_figures_for(session, unit, stage, cycle.year)
    if stage.slug in ("delar", "arsredovisning"):
        facts.goals, facts.indicators = goals_for(session, unit, cycle.year)
        if not facts.goals:
            facts.goals_note = no_goals_note(session, unit, cycle.year)
    if stage.slug == "arsredovisning" and unit.kind in ("committee", "executive_board"):
        facts.controls = controls_for(session, unit, cycle.year)
    return facts
