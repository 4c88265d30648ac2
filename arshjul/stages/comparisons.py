"""The Kolada comparisons a stage's document shows, read for the stage's municipality.

The follow-up reports compare each goal's indicators where they stand; the management
dialogue material gathers every compared indicator of the term in one section.
Whatever a comparison lacks goes to the stage's log (``ctx.missing``).
"""

from __future__ import annotations

from sqlmodel import col, select

from arshjul.documents.comparison import GoalComparison, KeyFigureComparison
from arshjul.forms.figures import term_for_year
from arshjul.kolada.comparison import comparison_group, key_figure_comparison, what_is_missing
from arshjul.models import Goal, Indicator, stored_id
from arshjul.stages.base import StageContext


def compared_group(ctx: StageContext) -> tuple[str, ...]:
    """The municipality's comparison group, as configured (or as Kolada last named it)."""
    return comparison_group(ctx.session, ctx.config.kolada, ctx.municipality.code)


def indicator_comparison(
    ctx: StageContext, indicator: Indicator, group: tuple[str, ...]
) -> KeyFigureComparison:
    """The indicator's key figure compared up to the stage's year."""
    assert indicator.kolada_kpi, "only an indicator with a key figure is compared"
    comparison = key_figure_comparison(
        ctx.session,
        kpi=indicator.kolada_kpi,
        own_code=ctx.municipality.code,
        municipality=ctx.municipality.name,
        unit_of_measure=indicator.unit_of_measure,
        group=group,
        up_to_year=ctx.year,
    )
    ctx.missing.extend(what_is_missing(comparison, indicator.key))
    return comparison


def term_comparisons(ctx: StageContext) -> tuple[GoalComparison, ...]:
    """Every indicator with a key figure in the term that holds the stage's year, in goal order."""
    term = term_for_year(ctx.session, stored_id(ctx.municipality), ctx.year)
    if term is None:
        return ()
    rows = ctx.session.exec(
        select(Goal, Indicator)
        .join(Indicator, col(Indicator.goal_id) == Goal.id)
        .where(Goal.term_id == stored_id(term), col(Indicator.kolada_kpi).is_not(None))
        .order_by(col(Goal.sort_order), col(Goal.id), col(Indicator.key))
    ).all()
    # The council's goals first; a key figure that several goals measure is shown once,
    # under the first, naming the others.
    rows = sorted(rows, key=lambda row: row[0].level != "council")
    by_kpi: dict[str, list[tuple[Goal, Indicator]]] = {}
    for goal, indicator in rows:
        by_kpi.setdefault((indicator.kolada_kpi or "").strip().upper(), []).append(
            (goal, indicator)
        )
    group = compared_group(ctx) if rows else ()
    shown = []
    for (goal, indicator), *others in by_kpi.values():
        also = sorted({g.key for g, _ in others} - {goal.key})
        name = indicator.name + (f" (även mål {', '.join(also)})" if also else "")
        shown.append(
            GoalComparison(
                f"{goal.key} {goal.title}", name, indicator_comparison(ctx, indicator, group)
            )
        )
    return tuple(shown)
