"""Listings that name what the next command takes: slugs, unit keys, a form's fields.

`arshjul calendar` shows each stage's slug, `arshjul status` each unit's key,
`arshjul submit --mall SKEDE` an answer file with every field and its Swedish
label, and a refused submission names its fields by those labels.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
from sqlalchemy import Engine
from test_cli import run

from arshjul.timezone import STOCKHOLM


def test_calendar_shows_each_stage_slug_beside_its_name(tmp_path: Path) -> None:
    from arshjul.calendar.render import render_table
    from arshjul.calendar.schedule import build_schedule
    from arshjul.config.loader import load_config

    for year in (2026, 2027):
        result = run("calendar", str(year), cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        lines = result.stdout.rstrip("\n").splitlines()
        header = next(line for line in lines if line.startswith("Skede"))
        assert header.split() == ["Skede", "Slug", "Öppnar", "Sista", "dag", "Beslut"]
        schedule = build_schedule(year, load_config().config.calendar)
        stages = [*schedule.stages, *schedule.event_driven]
        for stage in stages:
            row = next(line for line in lines if line.startswith(stage.name + "  "))
            cells = re.split(r"\s{2,}", row)
            assert cells[1] == stage.slug, row
        # One table for the terminal: the command prints what calendar.render says.
        assert result.stdout.startswith(render_table(schedule, "Arboga kommun"))


def _open(slug: str, year: int, as_of: dt.datetime) -> None:
    """The stage's own flow run without Prefect, as `arshjul run` runs it: requests opened."""
    from arshjul.deployments import flow_for
    from arshjul.tasks.step import run_directly

    run_directly(flow_for(slug), year=year, as_of=as_of, municipality="1984")


def test_status_shows_each_unit_key_beside_its_name(arboga: Engine, tmp_path: Path) -> None:
    _open("tertial", 2027, dt.datetime(2027, 4, 13, 8, tzinfo=STOCKHOLM))
    result = run("status", "--as-of", "2027-04-20", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split()[:4] == ["Skede", "Enhet", "Nyckel", "Sista"]
    bun = next(line for line in lines if "Barn- och utbildningsnämnden" in line)
    assert re.split(r"\s{2,}", bun)[1:3] == ["Barn- och utbildningsnämnden", "bun"]
    shown = json.loads(run("status", "--json", cwd=tmp_path).stdout)
    keys = {row["unit"]: row["unit_key"] for row in shown}
    assert keys["Barn- och utbildningsnämnden"] == "bun"
    assert keys["Kommunstyrelsen"] == "ks"
    assert list(shown[0])[list(shown[0]).index("unit") + 1] == "unit_key"


def test_template_lists_every_field_with_its_label(tmp_path: Path) -> None:
    result = run("submit", "--mall", "atgardsplan", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    template = json.loads(result.stdout)
    labels = template["_etiketter"]
    assert labels["measures"].startswith("Åtgärder – en lista med en rad per åtgärd, minst en")
    assert labels["measures.N.effect_kr"].startswith("Effekt (tkr) – belopp i tkr")
    assert labels["needs_executive_board"].startswith(
        "Behövs beslut av kommunstyrelsen? – ja eller nej; krävs"
    )
    assert template["measures"] == [{"text": "", "effect_kr": "", "decided_by": "", "when": ""}]
    assert "--instans ENHET" in template["_anvisning"]
    assert "submitted_by" not in template and "attachment" not in template
    unknown = run("submit", "--mall", "ramar", cwd=tmp_path)
    assert unknown.returncode == 3
    assert unknown.stderr.strip() == (
        "Fel: Skedet ”ramar” tar inte emot något underlag via formulär."
    )


@pytest.mark.parametrize(
    "slug",
    [
        "tertial",
        "delar",
        "arsredovisning",
        "ekonomirapport-mars",
        "atgardsplan",
        "ledningsdialog-mars",
        "namndanalys",
        "namndbudget",
        "politisk-oversyn",
    ],
)
def test_every_form_field_is_in_its_template(slug: str) -> None:
    from arshjul.cli.answers import NOT_IN_FILE, template
    from arshjul.forms.fields import kind_of, row_model
    from arshjul.forms.registry import form_for

    shown = template(slug)
    form = form_for(slug)
    for name, field in form.model_fields.items():
        if name in NOT_IN_FILE:
            assert name not in shown
            continue
        assert name in shown, name
        assert shown["_etiketter"][name].startswith(str(field.title)), name
        if kind_of(field) == "rows":
            for column, sub in row_model(field).model_fields.items():
                assert shown["_etiketter"][f"{name}.N.{column}"].startswith(str(sub.title))
    assert set(shown) - set(form.model_fields) == {"_anvisning", "_etiketter"}


def test_input_names_get_their_labels() -> None:
    from arshjul.cli.answers import input_label
    from arshjul.forms.registry import form_for

    context = {"indicators": [{"key": "bun-1-a", "name": "Behöriga elever"}]}
    delar, plan = form_for("delar"), form_for("atgardsplan")
    assert input_label(plan, "measures.0.effect_kr", {}) == "Åtgärder, åtgärd 1: Effekt (tkr)"
    assert input_label(plan, "measures", {}) == "Åtgärder"
    assert (
        input_label(delar, "goals.bun-1.motivation", {}) == "Måluppfyllelse, mål bun-1: Motivering"
    )
    assert input_label(delar, "indicators.bun-1-a", context) == (
        "Indikatorer, bun-1-a (Behöriga elever)"
    )
    assert input_label(form_for("arsredovisning"), "controls.k1.outcome", {}) == (
        "Internkontrollplanens kontroller, kontroll k1: Utfall"
    )
    assert input_label(plan, "submitted_by", {}) == "--av (Inlämnat av)"
    assert input_label(plan, "__form__", {}) == "Underlaget"


def test_a_refused_submission_names_the_fields_in_swedish(arboga: Engine, tmp_path: Path) -> None:
    _open("namndanalys", 2027, dt.datetime(2027, 3, 16, 8, tzinfo=STOCKHOLM))
    answers = tmp_path / "svar.json"
    filled = {"present": "Nuläget", "future": "Framtiden", "economy": "Ryms i ramen"}
    args = ("submit", "namndanalys", "--enhet", "bun", "--year", "2027", "--av", "Eva Ek")
    answers.write_text(json.dumps({**filled, "services_change": "kanske"}), encoding="utf-8")
    result = run(*args, "--fil", str(answers), "--as-of", "2027-03-20", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "Fel: Underlaget från Barn- och utbildningsnämnden till Nämndernas analyser sparades inte:",
        "  – Innebär analysen förändringar i verksamheten som berör barn?: Välj ja eller nej",
    ]
    answers.write_text(json.dumps({**filled, "services_change": "ja"}), encoding="utf-8")
    result = run(*args, "--fil", str(answers), "--as-of", "2027-03-20", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.splitlines()[1:] == [
        "  – Barnkonsekvensanalys: Verksamheten förändras: skriv en barnkonsekvensanalys"
    ]
    for internal in ("services_change", "child_impact", "present"):
        assert internal not in result.stderr


def test_a_filled_template_is_accepted_as_it_is(arboga: Engine, tmp_path: Path) -> None:
    _open("tertial", 2027, dt.datetime(2027, 4, 13, 8, tzinfo=STOCKHOLM))
    answers = tmp_path / "svar.json"
    result = run("submit", "--mall", "tertial", cwd=tmp_path)
    template = json.loads(result.stdout)
    template.update(forecast_kr="412 500", deviation_explanation="Fler elever än planerat")
    answers.write_text(json.dumps(template, ensure_ascii=False, indent=2), encoding="utf-8")
    args = ("submit", "tertial", "--enhet", "bun", "--year", "2027", "--av", "Eva Ek")
    result = run(*args, "--fil", str(answers), "--as-of", "2027-04-20", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Sparat som version 1")
    from sqlmodel import Session, select

    from arshjul.models import Submission

    with Session(arboga) as session:
        stored = session.exec(select(Submission)).one()
    assert stored.data["forecast_kr"] == 412_500_000
    assert "_etiketter" not in stored.data and "_anvisning" not in stored.data


@pytest.mark.parametrize(
    ("written", "stored_kr"),
    [(412500, 412_500_000), (412500.5, 412_500_500), (-1200, None)],
)
def test_a_number_in_a_file_is_read_as_the_label_says_tkr(
    arboga: Engine, tmp_path: Path, written: float, stored_kr: int | None
) -> None:
    """JSON's 412500 under "Helårsprognos (tkr)" is 412 500 tkr, never 412,5 tkr."""
    _open("tertial", 2027, dt.datetime(2027, 4, 13, 8, tzinfo=STOCKHOLM))
    answers = tmp_path / "svar.json"
    answers.write_text(
        json.dumps({"forecast_kr": written, "deviation_explanation": "Fler elever"}),
        encoding="utf-8",
    )
    args = ("submit", "tertial", "--enhet", "bun", "--year", "2027", "--av", "Eva Ek")
    result = run(*args, "--fil", str(answers), "--as-of", "2027-04-20", cwd=tmp_path)
    from sqlmodel import Session, select

    from arshjul.models import Submission

    with Session(arboga) as session:
        stored = session.exec(select(Submission)).all()
    if stored_kr is None:  # a negative forecast is refused, in Swedish, and nothing is stored
        assert result.returncode == 2 and "negativt" in result.stderr and stored == []
        return
    assert result.returncode == 0, result.stderr
    assert [s.data["forecast_kr"] for s in stored] == [stored_kr]
