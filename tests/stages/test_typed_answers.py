"""The stages read the committees' answers as their forms' models, built from what was
stored (``StageForm.from_stored``) and never validated again."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from arshjul.config.apply import apply_config
from arshjul.config.loader import load_config
from arshjul.forms.base import GoalJudgement, StageForm, validate_form
from arshjul.forms.figures import stage_facts
from arshjul.forms.followup import (
    ArsredovisningForm,
    AtgardsplanForm,
    ControlAnswer,
    DelarForm,
    ForecastForm,
    MeasureRow,
    TertialForm,
)
from arshjul.forms.planning import InvestmentRow, NamndanalysForm, NamndbudgetForm
from arshjul.forms.registry import FORMS, form_for
from arshjul.lifecycle.cycle import ensure_stage_instance
from arshjul.lifecycle.on_behalf import submit_on_behalf
from arshjul.lifecycle.requests import open_requests
from arshjul.lifecycle.submissions import store_submission
from arshjul.models import Municipality, OrgUnit
from arshjul.stages.answers import answers_by_unit

STOCKHOLM = ZoneInfo("Europe/Stockholm")

GOALS = [{"key": "bun-1", "title": "Nämndmål 1"}, {"key": "bun-2", "title": "Nämndmål 2"}]
INDICATORS = [
    {"key": "bun-1-a", "name": "Andel behöriga", "unit": "procent", "goal": "bun-1"},
    {"key": "bun-1-b", "name": "Antal", "unit": "antal", "goal": "bun-1"},
]
JUDGED = {
    "bun-1": {"attainment": "delvis uppfyllt", "motivation": "Halvvägs."},
    "bun-2": {"attainment": "ej bedömd", "motivation": "Mäts i december."},
}

# Every field of every form filled as a person would type it, with the context it needs.
VALID: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
    "TertialForm": (
        {
            "forecast_kr": "412 500,5",
            "deviation_explanation": "Fler placeringar",
            "measures": "Vakansprövning",
            "attachment": "tertial.docx",
        },
        {"budget_kr": 400_000_000, "unit_kind": "committee"},
    ),
    "DelarForm": (
        {
            "forecast_kr": "1 000",
            "deviation_explanation": "",
            "measures": "Inga",
            "significant_events": "Ny skola invigd",
            "expected_development": "Stabilt",
            "goals": JUDGED,
            "indicators": {"bun-1-a": "87,5", "bun-1-b": ""},
        },
        {"budget_kr": 1_000_000, "goals": GOALS, "indicators": INDICATORS},
    ),
    "ArsredovisningForm": (
        {
            "result_comment": "Ett år i balans.",
            "goals": JUDGED,
            "indicators": {"bun-1-a": "90", "bun-1-b": "1 200"},
            "internal_control": "Alla kontroller gjorda.",
            "purpose_assessment": "Enligt ändamålet.",
            "purpose_matched": "ja",
            "controls": {
                "k1": {"outcome": "Inga brister."},
                "r2/k1": {"outcome": "Brister i behörigheter.", "measure": "Ny rutin"},
            },
            "significant_events": "Brand i skolan",
            "overview": "Ett år av förändring",
            "important_circumstances": "Befolkningen växer",
            "personnel": "Färre vakanser",
            "expected_development": "Svårare år",
        },
        {
            "goals": GOALS,
            "indicators": INDICATORS,
            "controls": [{"key": "k1"}, {"key": "r2/k1"}],
            "unit_kind": "executive_board",
        },
    ),
    "EkonomirapportForm": (
        {"progress": "Planen följs", "remaining_deviation_kr": "-800"},
        {"deviation_kr": -3_000_000},
    ),
    "AtgardsplanForm": (
        {
            "measures": [
                {
                    "text": "Färre placeringar",
                    "effect_kr": "3 000",
                    "decided_by": "Socialnämnden",
                    "when": "2027-06-15",
                },
                {},  # a blank row is no row
                {
                    "text": "Vakansprövning",
                    "effect_kr": "1 234,567",
                    "decided_by": "Förvaltningschefen",
                    "when": "2027-06-01",
                },
            ],
            "needs_executive_board": "nej",
        },
        {},
    ),
    "LedningsdialogForm": (
        {"present": "Nuläget", "future": "Framtiden", "challenges": "Utmaningarna"},
        {},
    ),
    "NamndanalysForm": (
        {
            "present": "Nuläget",
            "future": "Framtiden",
            "economy": "Ramen räcker inte",
            "funding_requests": [
                {
                    "title": "Förskola",
                    "amount_kr": "2 500",
                    "reason": "Fler barn",
                    "consequences": "Kö",
                },
                {
                    "title": "Lärare",
                    "amount_kr": "4 000",
                    "reason": "Behörighet",
                    "consequences": "Färre behöriga",
                },
            ],
            "investment_needs": [
                {"project": "Ny förskola", "amount_kr": "30 000", "operating_cost_kr": "1 200"},
                {"project": "Idrottshall", "amount_kr": "12 000", "operating_cost_kr": ""},
            ],
            "premises_needs": "Två avdelningar",
            "services_change": "ja",
            "child_impact": "Kortare köer",
        },
        {"frame_kr": 500_000_000},
    ),
    "NamndbudgetForm": (
        {
            "distribution": [
                {"activity": "Kärnverksamhet", "amount_kr": "700"},
                {"activity": "Stöd", "amount_kr": "300,5"},
            ],
            "goals_text": "Målen",
            "activities": [
                {"title": "Läsfrämjande", "goal": "bun-1", "responsible": "Rektor"},
                {"title": "Digitalisering", "goal": "", "responsible": ""},
            ],
        },
        {"frame_kr": 1_000_500},
    ),
    "OversynForm": ({"comment": "Färre nämnder"}, {}),
}


def _valid(form: type[StageForm]) -> StageForm:
    values, context = VALID[form.__name__]
    model, errors = validate_form(form, {"submitted_by": "Anna Andersson", **values}, context)
    assert errors == {} and model is not None
    return model


FORM_CLASSES = sorted(set(FORMS.values()), key=lambda form: form.__name__)


def test_every_registered_form_has_a_valid_answer_here() -> None:
    assert {form.__name__ for form in FORM_CLASSES} == set(VALID)


@pytest.mark.parametrize("form", FORM_CLASSES, ids=lambda form: form.__name__)
def test_a_stored_answer_reads_back_as_the_validated_model(form: type[StageForm]) -> None:
    valid = _valid(form)
    # What the database gives back: the stored JSON.
    stored = json.loads(json.dumps(valid.stage_data()))
    read = form.from_stored(stored)
    assert type(read) is form
    for name in form.model_fields:
        if name == "submitted_by":  # not stored: the version's own column
            assert read.submitted_by == ""
            continue
        assert getattr(read, name) == getattr(valid, name), name
        assert type(getattr(read, name)) is type(getattr(valid, name)), name
    assert read == valid.model_copy(update={"submitted_by": ""})
    assert read.stage_data() == valid.stage_data()
    assert form.from_stored(read.stage_data()) == read


def test_rows_dates_and_answers_per_item_are_their_models() -> None:
    plan = AtgardsplanForm.from_stored(_valid(AtgardsplanForm).stage_data())
    assert [type(m) for m in plan.measures] == [MeasureRow, MeasureRow]
    assert plan.measures[0].when == dt.date(2027, 6, 15)
    assert plan.measures[1].effect_kr == 1_234_567
    assert plan.total_effect_kr == 4_234_567  # computed again, not read
    report = ArsredovisningForm.from_stored(_valid(ArsredovisningForm).stage_data())
    assert report.goals["bun-1"] == GoalJudgement(
        attainment="delvis uppfyllt", motivation="Halvvägs."
    )
    assert report.controls["r2/k1"] == ControlAnswer(
        outcome="Brister i behörigheter.", measure="Ny rutin"
    )
    assert report.controls["k1"].measure == ""
    assert report.indicators == {"bun-1-a": 90.0, "bun-1-b": 1200.0}
    assert report.purpose_matched is True
    analysis = NamndanalysForm.from_stored(_valid(NamndanalysForm).stage_data())
    assert analysis.investment_needs[1] == InvestmentRow(
        project="Idrottshall", amount_kr=12_000_000, operating_cost_kr=None
    )


def test_a_stored_answer_is_taken_as_stored_without_the_forms_rules() -> None:
    """Validation would read a stored text as tkr and check the request's context; a
    stored answer has neither to offer, and was checked when it was stored."""
    tertial = TertialForm.from_stored({"forecast_kr": 412_500_000, "deviation_explanation": ""})
    assert tertial.forecast_kr == 412_500_000  # no explanation asked against a budget
    # A distribution stored against last year's frame reads as stored.
    budget = NamndbudgetForm.from_stored(_valid(NamndbudgetForm).stage_data())
    assert sum(row.amount_kr for row in budget.distribution) == 1_000_500
    with pytest.raises(ValueError, match="ramen"):
        NamndbudgetForm.model_validate(
            {"submitted_by": "x", **budget.stage_data()}, context={"frame_kr": 2_000_000}
        )


def test_what_an_older_version_lacks_reads_as_the_fields_default() -> None:
    # The annual report before the board's texts and the controls were asked for.
    older = ArsredovisningForm.from_stored(
        {
            "result_comment": "Ett år i balans.",
            "goals": {"bun-1": {"attainment": "uppfyllt", "motivation": "Nåddes."}},
            "internal_control": "Gjord.",
            "dropped_since": "ignored",
        }
    )
    assert older.controls == {} and older.indicators == {}
    assert older.overview == "" and older.significant_events == ""
    assert older.purpose_matched is None and older.attachment is None
    assert "dropped_since" not in older.stage_data()
    # Two models never share a default.
    older.controls["k1"] = ControlAnswer(outcome="x", measure="")
    assert ArsredovisningForm.from_stored({}).controls == {}
    # A required field no form ever stored without reads blank.
    blank = DelarForm.from_stored({"goals": {"bun-1": {"motivation": "Saknar bedömning"}}})
    assert blank.forecast_kr is None and blank.deviation_explanation == ""
    assert blank.goals["bun-1"].attainment is None


# --------------------------------------------------------------------------- from the database
@pytest.fixture
def applied(engine: Engine) -> Engine:
    with Session(engine) as session:
        apply_config(session, load_config())
        session.commit()
    return engine


def test_answers_by_unit_gives_each_units_current_answer_as_the_stages_form(
    applied: Engine,
) -> None:
    as_of = dt.datetime(2027, 8, 20, 8, tzinfo=STOCKHOLM)
    with Session(applied) as session:
        municipality = session.exec(select(Municipality)).one()
        stage = ensure_stage_instance(session, municipality=municipality, year=2027, slug="delar")
        assert answers_by_unit(session, stage, DelarForm) == {}
        opened = open_requests(
            session, municipality=municipality, stage=stage, as_of=as_of, link_key=b"k" * 32
        )
        units = {u.key: u.id for u in session.exec(select(OrgUnit))}
        requests = {r.unit_id: r for r in opened.created}
        bun = requests[units["bun"]]
        facts = stage_facts(session, bun)
        answer: dict[str, Any] = {
            "forecast_kr": "412 500",
            "deviation_explanation": "Fler barn",
            "goals": {
                g["key"]: {"attainment": "uppfyllt", "motivation": "Enligt plan."}
                for g in facts.goals
            },
            "indicators": {i["key"]: "87,5" for i in facts.indicators},
        }
        for forecast in ("400 000", "412 500"):  # the second version counts
            submit_on_behalf(
                session,
                request=bun,
                data={**answer, "forecast_kr": forecast},
                submitted_by="Controller",
                as_of=as_of,
            )
        session.commit()

        answers = answers_by_unit(session, stage, DelarForm)
        assert list(answers) == [units["bun"]]
        read = answers[units["bun"]]
        assert type(read) is DelarForm
        assert read.forecast_kr == 412_500_000 and read.deviation_explanation == "Fler barn"
        assert read.goals and all(j.attainment == "uppfyllt" for j in read.goals.values())
        assert set(read.indicators.values()) == {87.5}
        # A form the stage's derives from reads the same models; one it does not is refused.
        assert answers_by_unit(session, stage, ForecastForm) == answers
        assert answers_by_unit(session, stage, StageForm) == answers
        with pytest.raises(TypeError, match="DelarForm"):
            answers_by_unit(session, stage, ArsredovisningForm)
        # A version stored without the form (by hand) reads too.
        store_submission(
            session,
            request=requests[units["sn"]],
            data={"forecast_kr": 5_000_000},
            submitted_by="sn",
            as_of=as_of,
        )
        by_hand = answers_by_unit(session, stage, DelarForm)[units["sn"]]
        assert by_hand.forecast_kr == 5_000_000 and by_hand.goals == {}
        assert form_for(stage.slug) is DelarForm
