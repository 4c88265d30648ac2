"""The calendar's legal checks (issue 17, item 2): each breach refused, each waiver shown."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError
from test_cli import run

from arshjul.calendar import legal
from arshjul.calendar.render import overrides_json, render_table
from arshjul.calendar.rules import CalendarConfig
from arshjul.calendar.schedule import build_schedule
from arshjul.calendar.stages import FollowUpPeriod
from arshjul.config.loader import load_config, shipped_config_path
from arshjul.errors import ConfigError

REASON = "Fullmäktige beslutade 2026-03-02 § 14 om särskilda skäl för det här året."

# Each check: the calendar that breaks it in 2027, and what the refusal says.
BREAKING: dict[str, tuple[dict[str, Any], str]] = {
    # KF on 15 June, the board's proposal on 18 June (the example).
    "ks-fore-kf": (
        {
            "standard": {
                "kf-beslut": {"opens": "06-01", "deadline": "06-04", "decision": "06-15"},
                "ks-beslut": {"decision": "06-18"},
            }
        },
        "fullmäktiges beslut 2027-06-15 är inte efter kommunstyrelsens förslag 2027-06-18",
    ),
    "forslag-oktober": (
        {"standard": {"ks-beslut": {"decision": "11-05"}, "kf-beslut": {"decision": "11-24"}}},
        "kommunstyrelsens förslag 2027-11-05 är efter 31 oktober 2027",
    ),
    "delar-tva-manader": (
        {"standard": {"delar": {"decision": "11-05"}}},
        "beslut 2027-11-05 är efter 2027-10-31",
    ),
    "ansvarsfrihet-juni": (
        {"standard": {"arsredovisning": {"decision": "07-05"}}},
        "årsredovisningen 2028-07-05 är efter 2028-06-30",
    ),
}


def _waived(settings: dict[str, Any], check: str, year: int | None = 2027) -> CalendarConfig:
    override: dict[str, Any] = {"check": check, "reason": REASON}
    if year is not None:
        override["year"] = year
    return CalendarConfig.model_validate({**settings, "override": [override]})


def test_the_shipped_calendar_keeps_the_law_every_year_2020_to_2045() -> None:
    config = load_config().config.calendar
    for year in range(2020, 2046):
        schedule = build_schedule(year, config)
        assert schedule.waived == (), year


@pytest.mark.parametrize("check", sorted(BREAKING))
def test_a_breach_is_refused_with_the_stage_the_dates_and_the_law(check: str) -> None:
    settings, said = BREAKING[check]
    with pytest.raises(ConfigError) as caught:
        build_schedule(2027, CalendarConfig.model_validate(settings))
    text = str(caught.value) + "\n".join(caught.value.details)
    assert said in text
    assert legal.CHECKS[check].law in text
    assert "[[calendar.override]]" in text and check in text


@pytest.mark.parametrize("check", sorted(BREAKING))
def test_an_override_with_a_reason_is_accepted_and_shown(check: str) -> None:
    settings, said = BREAKING[check]
    schedule = build_schedule(2027, _waived(settings, check))
    [waived] = schedule.waived
    assert waived.breach.check == check and waived.reason == REASON
    table = render_table(schedule, "Arboga kommun")
    assert "Avsteg från lagen som konfigurationen godtar, med skäl:" in table
    assert said in table and REASON in table
    assert overrides_json(schedule)[0]["reason"] == REASON
    # An override for another year accepts nothing in this one.
    with pytest.raises(ConfigError):
        build_schedule(2027, _waived(settings, check, year=2028))


def test_a_council_decision_in_december_needs_a_reason() -> None:
    late = {"standard": {"kf-beslut": {"decision": "12-02"}}}
    with pytest.raises(ValidationError) as caught:
        CalendarConfig.model_validate(late)
    assert "30 november" in str(caught.value) and "budget-november" in str(caught.value)
    schedule = build_schedule(2027, _waived(late, "budget-november", year=None))
    [waived] = schedule.waived
    assert waived.breach.check == "budget-november"
    assert "2027-12-02" in waived.sentence() and REASON in waived.sentence()


def test_the_interim_report_period_is_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    # The period is not configurable yet (stages as configuration); the check stands ready.
    monkeypatch.setattr(legal, "follow_up_period", lambda slug: FollowUpPeriod(through=4))
    with pytest.raises(ConfigError) as caught:
        build_schedule(2027)
    assert "delårsrapporten omfattar 4 månader" in "\n".join(caught.value.details)
    # Four months end in April: the report in October is also too late for that period.
    both = CalendarConfig.model_validate(
        {
            "override": [
                {"check": "delar-period", "reason": REASON},
                {"check": "delar-tva-manader", "reason": REASON},
            ]
        }
    )
    schedule = build_schedule(2027, both)
    assert [w.breach.check for w in schedule.waived] == ["delar-period", "delar-tva-manader"]


def test_an_override_needs_a_known_check_and_a_written_reason() -> None:
    with pytest.raises(ValidationError) as caught:
        CalendarConfig.model_validate({"override": [{"check": "kf-fore-ks", "reason": REASON}]})
    assert "okänd kontroll ”kf-fore-ks”" in str(caught.value) and "ks-fore-kf" in str(caught.value)
    with pytest.raises(ValidationError) as caught:
        CalendarConfig.model_validate({"override": [{"check": "ks-fore-kf", "reason": "ok"}]})
    assert "skriftligt skäl" in str(caught.value)


def test_the_committees_budgets_may_be_due_in_january() -> None:
    config = CalendarConfig.model_validate(
        {"dates": {2027: {"namndbudget": {"deadline": "2028-01-31", "decision": "2028-02-09"}}}}
    )
    stage = build_schedule(2027, config).get("namndbudget")
    assert stage is not None and stage.deadline == dt.date(2028, 1, 31)
    with pytest.raises(ValidationError) as caught:
        CalendarConfig.model_validate({"dates": {2027: {"tertial": {"deadline": "2028-01-31"}}}})
    assert "ligger inte i 2027" in str(caught.value)


def test_calendar_shows_moved_dates_and_waivers(tmp_path: Path) -> None:
    text = shipped_config_path().read_text(encoding="utf-8")
    text += (
        '\n[[calendar.override]]\ncheck = "delar-tva-manader"\nyear = 2027\n'
        f'reason = "{REASON}"\n\n[calendar.standard.delar]\ndecision = "11-05"\n'
    )
    config = tmp_path / "kommun.toml"
    config.write_text(text, encoding="utf-8")
    result = run("calendar", "2027", "--config", str(config), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    moved = "sista dag 8 maj 2027 (en lördag) flyttas till 7 maj 2027"
    assert f"Tertialuppföljning (t.o.m. april): {moved}" in result.stdout
    assert f"Skäl: {REASON}" in result.stdout
    as_json = run("calendar", "2027", "--json", "--config", str(config), cwd=tmp_path)
    shown = json.loads(as_json.stdout)
    assert shown["overrides"][0]["check"] == "delar-tva-manader"
    tertial = next(s for s in shown["stages"] if s["slug"] == "tertial")
    assert tertial["moved"] == [
        {"field": "deadline", "rule_day": "2027-05-08", "day": "2027-05-07", "why": "en lördag"}
    ]


def test_init_refuses_a_calendar_that_breaks_the_law_and_stores_nothing(tmp_path: Path) -> None:
    text = shipped_config_path().read_text(encoding="utf-8")
    text += '\n[calendar.standard.ks-beslut]\ndecision = "11-05"\n'
    config = tmp_path / "kommun.toml"
    config.write_text(text, encoding="utf-8")
    result = run("init", "--config", str(config), "--as-of", "2027-01-04", cwd=tmp_path)
    assert result.returncode == 2, result.stdout + result.stderr
    assert (
        "ks-beslut: kommunstyrelsens förslag 2027-11-05 är efter 31 oktober 2027" in result.stderr
    )
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "arshjul.db").exists()
