"""Goals by year: a follow-up asks about, records and reports the goals of the term that
holds its year, and a year outside every configured term gets none (never a fallback)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from arshjul.forms.figures import stage_facts, term_for_year
from arshjul.lifecycle.cycle import ensure_stage_instance
from arshjul.lifecycle.requests import open_requests
from arshjul.lifecycle.submissions import store_submission
from arshjul.models import (
    Cycle,
    Goal,
    GoalAssessment,
    IndicatorValue,
    Municipality,
    OrgUnit,
    SubmissionRequest,
    Term,
)
from arshjul.portal.access import Linked, load_page
from arshjul.portal.form import form_page
from arshjul.settings import get_settings
from arshjul.stages.base import StageContext
from arshjul.stages.followup_records import record_goal_answers
from arshjul.stages.followup_report import _goals

STOCKHOLM = ZoneInfo("Europe/Stockholm")
KEY = b"k" * 32
# The shipped example's committee goal bun-1, in each term (the same key in both).
BUN_1 = {
    2026: "Fler elever lämnar grundskolan behöriga till gymnasieskolan (exempel)",
    2027: "Fler elever lämnar grundskolan med godkända betyg i alla ämnen (exempel)",
}


def _requests(session: Session, year: int) -> tuple[StageContext, dict[str, SubmissionRequest]]:
    """The interim report of a year opened for every unit, and its stage context."""
    municipality = session.exec(select(Municipality)).one()
    stage = ensure_stage_instance(session, municipality=municipality, year=year, slug="delar")
    as_of = dt.datetime(year, 8, 20, 8, tzinfo=STOCKHOLM)
    opened = open_requests(
        session, municipality=municipality, stage=stage, as_of=as_of, link_key=KEY
    )
    units = {u.id: u.key for u in session.exec(select(OrgUnit))}
    cycle = session.get(Cycle, stage.cycle_id)
    assert cycle is not None
    ctx = StageContext(
        session=session,
        municipality=municipality,
        stage=stage,
        cycle=cycle,
        as_of=as_of,
        settings=get_settings(),
    )
    return ctx, {units[r.unit_id]: r for r in opened.created}


@pytest.fixture
def applied(arboga_engine: Engine) -> Engine:
    """Arboga's shipped configuration, applied once per session and copied."""
    return arboga_engine


@pytest.mark.parametrize("year", [2026, 2027])
def test_the_form_asks_about_the_goals_of_the_years_term(applied: Engine, year: int) -> None:
    with Session(applied) as session:
        _, requests = _requests(session, year)
        facts = stage_facts(session, requests["bun"])
        assert [g["title"] for g in facts.goals] == [BUN_1[year]]
        assert facts.goals_note == ""
        (indicator,) = facts.indicators
        # Each term's own target for the year.
        assert indicator["target"] == ("90\u00a0%" if year == 2026 else "74\u00a0%")
        term = term_for_year(session, facts.unit.municipality_id, year)
        assert term is not None and (term.start_year, term.end_year) == (
            (2023, 2026) if year == 2026 else (2027, 2030)
        )


def test_a_unit_without_goals_and_a_year_without_a_term_are_told_so(applied: Engine) -> None:
    with Session(applied) as session:
        _, requests = _requests(session, 2027)
        valnamnden = stage_facts(session, requests["vn"])
        assert valnamnden.goals == [] and valnamnden.indicators == []
        assert valnamnden.goals_note == (
            "Valnämnden har inga egna mål för mandatperioden 2027–2030, "
            "så här finns inget att bedöma."
        )
        _, requests = _requests(session, 2031)
        facts = stage_facts(session, requests["bun"])
        assert facts.goals == [] and facts.indicators == []
        assert "inga mål att bedöma för 2031" in facts.goals_note
        assert "mandatperioden 2031–2034" in facts.goals_note
        assert term_for_year(session, facts.unit.municipality_id, 2031) is None
        # The secretary's page says it where the goals would be.
        page = load_page(session, Linked(requests["bun"], ()), "t", "")
        html = form_page(session, page, now=dt.datetime(2031, 8, 20, 9, tzinfo=STOCKHOLM), limit=1)
        assert "Måluppfyllelse" in html and "mandatperioden 2031–2034" in html
        assert 'name="goals.' not in html


@pytest.mark.parametrize("year", [2026, 2027])
def test_the_follow_up_records_and_reports_only_the_years_term(applied: Engine, year: int) -> None:
    with Session(applied) as session:
        ctx, requests = _requests(session, year)
        store_submission(
            session,
            request=requests["bun"],
            data={
                "goals": {"bun-1": {"attainment": "uppfyllt", "motivation": "Enligt plan."}},
                # Another unit's indicator is not this unit's to report.
                "indicators": {"bun-1-a": 81.0, "sn-1-a": 50.0},
            },
            submitted_by="bun@arboga.example",
            as_of=ctx.as_of,
        )
        record_goal_answers(ctx)
        term = session.exec(
            select(Term).where(Term.start_year <= year, Term.end_year >= year)
        ).one()
        (assessment,) = session.exec(select(GoalAssessment)).all()
        goal = session.get(Goal, assessment.goal_id)
        assert goal is not None and goal.term_id == term.id and goal.title == BUN_1[year]
        (value,) = session.exec(select(IndicatorValue)).all()
        assert value.year == year and value.value == 81.0
        reports = _goals(ctx)
        in_term = session.exec(select(Goal).where(Goal.term_id == term.id)).all()
        assert sorted(r.title for r in reports) == sorted(g.title for g in in_term)
        assert sum(1 for r in reports if r.key == "1.1") == 1
        bun = next(r for r in reports if r.key == "bun-1")
        assert bun.title == BUN_1[year] and bun.attainment == "uppfyllt"
        assert bun.indicators[0].target == (90 if year == 2026 else 74)
        # Nothing about the goals is missing. No Kolada values are imported here, so each
        # indicator with a key figure is named in the log as lacking its comparison.
        assert [m for m in ctx.missing if not m.startswith("Kolada-jämförelse")] == []
        assert {m.split()[3] for m in ctx.missing} == {"2.1-a", "2.2-a", "bun-1-a"}
        assert bun.indicators[0].comparison is not None
        assert not bun.indicators[0].comparison.has_values


def test_a_follow_up_outside_every_term_has_no_goals_and_says_so(applied: Engine) -> None:
    with Session(applied) as session:
        ctx, requests = _requests(session, 2031)
        store_submission(
            session,
            request=requests["bun"],
            data={"goals": {"bun-1": {"attainment": "uppfyllt", "motivation": "x"}}},
            submitted_by="bun@arboga.example",
            as_of=ctx.as_of,
        )
        record_goal_answers(ctx)
        assert session.exec(select(GoalAssessment)).all() == []
        assert _goals(ctx) == ()
        assert any("mandatperioden 2031–2034" in m for m in ctx.missing)
