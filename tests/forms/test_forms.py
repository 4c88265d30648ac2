"""The stage forms as models: Swedish text in, kronor and Swedish errors out."""

from __future__ import annotations

import datetime as dt

import pytest

from arshjul.forms import FORMS, asks_for, form_for, validate_form
from arshjul.forms.errors import REQUIRED_IN_ROW
from arshjul.forms.present import collect, describe, values_from_data

NAME = {"submitted_by": "Anna Andersson"}


def _ok(slug: str, values: dict, context: dict | None = None) -> dict:
    model, errors = validate_form(form_for(slug), {**NAME, **values}, context or {})
    assert errors == {} and model is not None
    return model.stage_data()


def _errors(slug: str, values: dict, context: dict | None = None) -> dict[str, str]:
    model, errors = validate_form(form_for(slug), {**NAME, **values}, context or {})
    assert model is None
    return errors


def test_every_stage_that_asks_has_a_form_with_swedish_titles() -> None:
    from arshjul.calendar.stages import STAGES

    for stage in STAGES:
        if stage.asks:
            titles = asks_for(stage.slug)
            assert titles and all(t.strip() for t in titles), stage.slug
    assert form_for("ekonomirapport-mars") is form_for("ekonomirapport-november")
    assert "Helårsprognos" in asks_for("tertial")
    assert set(FORMS) >= {"tertial", "delar", "namndbudget", "atgardsplan"}


def test_amounts_are_typed_in_swedish_tkr_and_kept_in_kronor() -> None:
    data = _ok("tertial", {"forecast_kr": "1 234,5"}, {"budget_kr": 1_234_500})
    assert data["forecast_kr"] == 1_234_500
    assert _ok("tertial", {"forecast_kr": 1_234_500}, {"budget_kr": 1_234_500})["forecast_kr"] == (
        1_234_500
    )  # a stored value (kronor) validates to itself
    assert "submitted_by" not in data


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("tolv", "är inget belopp"),
        ("12 abc", "är inget belopp"),
        ("-5", "Beloppet får inte vara negativt"),
        ("\u2212 1 000", "Beloppet får inte vara negativt"),
        ("99 999 999 999", "Orimligt stort belopp"),
        ("", "Fältet måste fyllas i"),
        # #15: stored as 412,5 tkr without a word before; the import refused it already.
        ("412.500", "är tvetydigt: punkt är ingen tusentalsavgränsare; skriv 412 500"),
        ("1.234,5", "blandar punkt och komma"),
        ("1e3", "skriv siffrorna ut"),
        ("1_000", "skriv siffrorna ut"),
        ("5 00", "mellanslag på fel ställe"),
        ("9" * 30, "är orimligt stort för ett belopp i tkr"),
        ("1e308", "skriv siffrorna ut"),
        ("1" * 10_000, "är för långt"),
        ("inf", "är inget belopp"),
    ],
)
def test_bad_amounts_are_refused_in_swedish(typed: str, message: str) -> None:
    errors = _errors("tertial", {"forecast_kr": typed})
    assert message in errors["forecast_kr"]


def test_a_dot_that_can_only_be_a_decimal_point_is_read_as_one() -> None:
    assert (
        _ok("tertial", {"forecast_kr": "412.5"}, {"budget_kr": 412_500})["forecast_kr"] == 412_500
    )


def test_a_company_may_forecast_a_loss() -> None:
    data = _ok("tertial", {"forecast_kr": "-250"}, {"unit_kind": "company"})
    assert data["forecast_kr"] == -250_000


def test_tertial_explanation_required_when_forecast_differs_from_budget() -> None:
    context = {"budget_kr": 412_300_000}
    errors = _errors("tertial", {"forecast_kr": "415 000"}, context)
    assert "förklara avvikelsen" in errors["deviation_explanation"]
    assert "415\u00a0000,0\u00a0tkr" in errors["deviation_explanation"]
    assert "412\u00a0300,0\u00a0tkr" in errors["deviation_explanation"]
    _ok("tertial", {"forecast_kr": "412 300"}, context)  # on budget: nothing to explain
    _ok("tertial", {"forecast_kr": "415 000", "deviation_explanation": "Fler barn"}, context)
    _ok("tertial", {"forecast_kr": "415 000"}, {})  # no budget known: nothing to compare


def test_required_text_must_not_be_blank() -> None:
    errors = _errors(
        "ledningsdialog-mars", {"present": "  \n ", "future": "Framtid", "challenges": ""}
    )
    assert errors == {"present": "Fältet måste fyllas i", "challenges": "Fältet måste fyllas i"}
    too_long = _errors(
        "ledningsdialog-mars", {"present": "x" * 9000, "future": "a", "challenges": "b"}
    )
    assert "högst 8\u00a0000 tecken" in too_long["present"]


def test_text_keeps_markup_as_text_and_drops_control_characters() -> None:
    data = _ok(
        "ledningsdialog-mars",
        {"present": "<script>alert(1)</script>\x00", "future": "a\r\nb", "challenges": "c"},
    )
    assert data["present"] == "<script>alert(1)</script>"
    assert data["future"] == "a\nb"


def test_namndbudget_sum_must_equal_the_frame_to_the_krona() -> None:
    values = {
        "distribution": [
            {"activity": "Förskola", "amount_kr": "150 000"},
            {"activity": "Grundskola", "amount_kr": "269 999,999"},
            {"activity": "", "amount_kr": ""},
        ],
        "goals_text": "Alla barn ska nå målen.",
    }
    errors = _errors("namndbudget", values, {"frame_kr": 420_000_000})
    message = errors["distribution"]
    assert "419\u00a0999,999\u00a0tkr" in message and "420\u00a0000,0\u00a0tkr" in message
    assert "summan måste vara lika med ramen" in message
    values["distribution"][1]["amount_kr"] = "270 000"
    data = _ok("namndbudget", values, {"frame_kr": 420_000_000})
    assert [r["amount_kr"] for r in data["distribution"]] == [150_000_000, 270_000_000]


def test_blank_rows_are_ignored_and_a_half_filled_row_is_an_error_on_that_row() -> None:
    row = {"text": "Vakanshållning", "effect_kr": "1 200", "decided_by": "Nämnden", "when": ""}
    blank = {"text": "", "effect_kr": "", "decided_by": "", "when": ""}
    errors = _errors("atgardsplan", {"measures": [blank, row], "needs_executive_board": "nej"})
    assert errors == {"measures.1.when": REQUIRED_IN_ROW}
    row["when"] = "2027-06-30"
    data = _ok("atgardsplan", {"measures": [blank, row, blank], "needs_executive_board": "nej"})
    assert data["measures"] == [
        {
            "text": "Vakanshållning",
            "effect_kr": 1_200_000,
            "decided_by": "Nämnden",
            "when": "2027-06-30",
        }
    ]
    assert data["total_effect_kr"] == 1_200_000 and data["needs_executive_board"] is False
    none = _errors("atgardsplan", {"measures": [blank], "needs_executive_board": "ja"})
    assert none == {"measures": "Fyll i minst en åtgärd"}


def test_a_date_must_be_a_date() -> None:
    row = {"text": "x", "effect_kr": "1", "decided_by": "y", "when": "30 juni"}
    errors = _errors("atgardsplan", {"measures": [row], "needs_executive_board": "ja"})
    assert "ÅÅÅÅ-MM-DD" in errors["measures.0.when"]


def test_child_impact_required_when_services_change() -> None:
    values = {
        "present": "Nu",
        "future": "Sedan",
        "economy": "Ramen räcker inte",
        "services_change": "ja",
        "child_impact": "",
    }
    errors = _errors("namndanalys", values)
    assert errors == {"child_impact": "Verksamheten förändras: skriv en barnkonsekvensanalys"}
    assert _errors("namndanalys", {**values, "services_change": ""}) == {
        "services_change": "Välj ja eller nej"
    }
    _ok("namndanalys", {**values, "services_change": "nej"})
    data = _ok("namndanalys", {**values, "child_impact": "Barn i förskolan påverkas."})
    assert data["services_change"] is True


def test_funding_request_rows() -> None:
    values = {
        "present": "a",
        "future": "b",
        "economy": "c",
        "services_change": "nej",
        "funding_requests": [
            {"title": "Fler lärare", "amount_kr": "2 500", "reason": "", "consequences": ""}
        ],
    }
    errors = _errors("namndanalys", values)
    assert set(errors) == {"funding_requests.0.reason", "funding_requests.0.consequences"}


GOALS = {
    "goals": [{"key": "bun-1", "title": "Nämndmål 1"}, {"key": "bun-2", "title": "Nämndmål 2"}],
    "indicators": [
        {
            "key": "bun-1-a",
            "name": "Andel behöriga",
            "unit": "procent",
            "goal": "bun-1",
            "target": "",
        },
        {"key": "bun-1-b", "name": "Antal", "unit": "antal", "goal": "bun-1", "target": ""},
    ],
    "budget_kr": 1_000_000,
}


def test_delar_asks_every_goal_with_a_motivation_and_numeric_indicators() -> None:
    values = {
        "forecast_kr": "1 000",
        "goals": {"bun-1": {"attainment": "delvis uppfyllt", "motivation": ""}},
        "indicators": {"bun-1-a": "87,5", "bun-1-b": "många"},
    }
    errors = _errors("delar", values, GOALS)
    assert errors["goals.bun-1.motivation"] == "Fältet måste fyllas i"
    assert errors["goals.bun-2.attainment"] == "Välj ett av alternativen"
    assert "inget tal" in errors["indicators.bun-1-b"]
    values["goals"] = {
        "bun-1": {"attainment": "delvis uppfyllt", "motivation": "Halvvägs"},
        "bun-2": {"attainment": "ej bedömd", "motivation": "Mäts i december"},
    }
    values["indicators"] = {"bun-1-a": "187", "bun-1-b": ""}
    assert "mellan 0 och 100" in _errors("delar", values, GOALS)["indicators.bun-1-a"]
    values["indicators"] = {"bun-1-a": "87,5", "bun-1-b": ""}
    data = _ok("delar", values, GOALS)
    assert data["goals"]["bun-1"] == {"attainment": "delvis uppfyllt", "motivation": "Halvvägs"}
    assert data["indicators"] == {"bun-1-a": 87.5, "bun-1-b": None}
    bad_choice = {
        **values,
        "goals": {**values["goals"], "bun-1": {"attainment": "typ", "motivation": "x"}},
    }
    assert _errors("delar", bad_choice, GOALS) == {
        "goals.bun-1.attainment": "Välj ett av alternativen"
    }


def test_posted_inputs_round_trip_through_the_model() -> None:
    form = form_for("atgardsplan")
    posted = {
        "submitted_by": "Anna",
        "measures.0.text": "",
        "measures.0.effect_kr": "",
        "measures.0.decided_by": "",
        "measures.0.when": "",
        "measures.1.text": "Färre vikarier",
        "measures.1.effect_kr": "1 234,567",
        "measures.1.decided_by": "Nämnden",
        "measures.1.when": "2027-06-30",
        "needs_executive_board": "ja",
    }
    model, errors = validate_form(form, collect(form, posted, {}), {})
    assert errors == {} and model is not None
    data = model.stage_data()
    values = values_from_data(form, data, "Anna")
    assert values["measures.0.effect_kr"] == "1\u00a0234,567"
    assert values["needs_executive_board"] == "ja"
    again, errors = validate_form(form, collect(form, values, {}), {})
    assert errors == {} and again is not None and again.stage_data() == data
    lines = dict(describe(form, data, {}))
    assert (
        lines["Åtgärder, åtgärd 1"]
        == "Färre vikarier; 1\u00a0234,567\u00a0tkr; Nämnden; 2027-06-30"
    )
    assert lines["Behövs beslut av kommunstyrelsen?"] == "Ja"
    assert lines["Åtgärdernas sammanlagda effekt"] == "1\u00a0234,567\u00a0tkr"


def test_ekonomirapport_takes_a_negative_remaining_deviation() -> None:
    data = _ok(
        "ekonomirapport-juni", {"progress": "Planen följs", "remaining_deviation_kr": "-800"}
    )
    assert data["remaining_deviation_kr"] == -800_000


def test_company_only_fields_are_asked_only_of_companies() -> None:
    from arshjul.forms.present import fields_for

    form = form_for("arsredovisning")
    assert "purpose_assessment" in dict(fields_for(form, "company"))
    assert "purpose_assessment" not in dict(fields_for(form, "committee"))


def test_dates_far_off_are_refused() -> None:
    row = {"text": "x", "effect_kr": "1", "decided_by": "y", "when": "1999-01-01"}
    errors = _errors("atgardsplan", {"measures": [row], "needs_executive_board": "ja"})
    assert "measures.0.when" in errors
    row["when"] = dt.date(2027, 6, 30)
    assert (
        _ok("atgardsplan", {"measures": [row], "needs_executive_board": "ja"})["measures"][0][
            "when"
        ]
        == "2027-06-30"
    )


def test_the_form_caps_amounts_at_the_municipalitys_plausibility() -> None:
    errors = _errors("tertial", {"forecast_kr": "600 000"}, {"max_tkr": 500_000})
    assert "Orimligt stort belopp: högst 500\u00a0000\u00a0tkr" in errors["forecast_kr"]
    ok = _ok(
        "tertial",
        {"forecast_kr": "12 000 000"},
        {"max_tkr": 60_000_000, "budget_kr": 12_000_000_000},
    )
    assert ok["forecast_kr"] == 12_000_000_000
