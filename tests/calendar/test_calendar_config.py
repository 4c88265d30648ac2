"""The [calendar] section: TOML shape, overrides, and one Swedish message per mistake."""

from __future__ import annotations

import datetime as dt
import tomllib
from typing import Any

import pytest
from pydantic import ValidationError

from arshjul.calendar.rules import (
    DEFAULT_ELECTION_YEAR,
    DEFAULT_STANDARD,
    CalendarConfig,
    DateRule,
)
from arshjul.calendar.schedule import build_schedule
from arshjul.calendar.stages import STAGES
from arshjul.errors import ConfigError

EXAMPLE = """
[calendar]
roll = "före"
deadline_time = "15:00"
half_day_deadline_time = "11.30"
action_plan_working_days = 10

[calendar.standard.tertial]
opens = "04-06"
deadline = "05-07"

[calendar.standard.arsredovisning]
deadline = "02-20"
decision = { month_day = "04-22", year_offset = 1 }

[calendar.election_year.namndbudget]
decision = "12-17"

[calendar.dates.2027.delar]
deadline = 2027-09-24
decision = "2027-10-28"
"""


def _config(toml: str) -> CalendarConfig:
    return CalendarConfig.model_validate(tomllib.loads(toml))


def _error(data: dict[str, Any] | str) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        if isinstance(data, str):
            _config(data)
        else:
            CalendarConfig.model_validate(data)
    return caught.value


def _messages(error: ValidationError) -> str:
    return " | ".join(e["msg"] for e in error.errors())


def test_defaults_cover_every_dated_stage() -> None:
    dated = {s.slug for s in STAGES if not s.event_driven and not s.election_only}
    assert set(DEFAULT_STANDARD) == dated
    assert set(DEFAULT_ELECTION_YEAR) == {
        "ks-beslut",
        "kf-beslut",
        "namndbudget",
        "politisk-oversyn",
    }
    config = CalendarConfig()
    assert config.roll == "före"
    assert config.deadline_time == dt.time(16, 0)
    assert config.half_day_deadline_time == dt.time(12, 0)
    assert config.action_plan_working_days == 15
    assert config.allow_council_decision_after_november is False


def test_example_toml_is_applied() -> None:
    config = CalendarConfig.model_validate(tomllib.loads(EXAMPLE)["calendar"])
    assert config.deadline_time == dt.time(15, 0)
    assert config.half_day_deadline_time == dt.time(11, 30)
    year = build_schedule(2027, config)
    tertial = year.get("tertial")
    assert (tertial.opens, tertial.deadline) == (dt.date(2027, 4, 6), dt.date(2027, 5, 7))
    assert tertial.decision == dt.date(2027, 6, 9)  # the default keeps what is not overridden
    assert tertial.deadline_at.time() == dt.time(15, 0)
    annual = year.get("arsredovisning")
    # A plain "02-20" means the stage's usual year, the year after for arsredovisning.
    assert annual.deadline == dt.date(2028, 2, 18)  # 20 Feb 2028 is a Sunday: rolled before
    assert annual.decision == dt.date(2028, 4, 21)  # 22 April 2028 is a Saturday
    delar = year.get("delar")
    assert (delar.deadline, delar.decision) == (dt.date(2027, 9, 24), dt.date(2027, 10, 28))
    assert build_schedule(2026, config).get("namndbudget").decision == dt.date(2026, 12, 17)
    # A standard override reaches election years for stages the election year leaves alone.
    # (6 April 2026 is Annandag påsk: an opening moves to the next working day.)
    assert build_schedule(2026, config).get("tertial").opens == dt.date(2026, 4, 7)
    assert build_schedule(2026, config).get("tertial").deadline == dt.date(2026, 5, 7)


def test_roll_after() -> None:
    # 14 August 2027 is a Saturday: the KF deadline moves to Friday 13 or Monday 16.
    assert build_schedule(2027).get("kf-beslut").deadline == dt.date(2027, 8, 13)
    after = CalendarConfig(roll="efter")
    assert build_schedule(2027, after).get("kf-beslut").deadline == dt.date(2027, 8, 16)


def test_unknown_slug() -> None:
    error = _error({"standard": {"tertail": {"deadline": "05-08"}}})
    message = _messages(error)
    assert "okänt skede ”tertail”" in message
    assert "tertial" in message and "ledningsdialog-september" in message
    assert error.errors()[0]["loc"][:2] == ("standard", "tertail")


def test_bad_month_day() -> None:
    error = _error({"standard": {"tertial": {"deadline": "13-45"}}})
    assert "”13-45” är inget datum" in _messages(error)
    assert error.errors()[0]["loc"][:3] == ("standard", "tertial", "deadline")
    assert "MM-DD" in _messages(_error({"standard": {"tertial": {"deadline": "8 maj"}}}))
    assert "02-29" in _messages(_error({"standard": {"ramar": {"deadline": "02-29"}}}))


def test_explicit_deadline_on_a_sunday() -> None:
    message = _messages(_error({"dates": {2027: {"tertial": {"deadline": "2027-05-09"}}}}))
    assert "2027-05-09 är en söndag" in message
    assert "tertial" in message


def test_explicit_deadline_on_a_holiday() -> None:
    message = _messages(_error({"dates": {2027: {"tertial": {"deadline": "2027-05-06"}}}}))
    assert "2027-05-06 är Kristi himmelsfärdsdag" in message
    midsummer = _messages(_error({"dates": {2026: {"ks-beslut": {"decision": "2026-06-19"}}}}))
    assert "beslut 2026-06-19 är Midsommarafton" in midsummer


def test_explicit_date_outside_its_year() -> None:
    message = _messages(_error({"dates": {2027: {"tertial": {"deadline": "2028-05-08"}}}}))
    assert "ligger inte i 2027" in message
    # The annual report for 2027 is made in 2028.
    config = CalendarConfig.model_validate(
        {"dates": {2027: {"arsredovisning": {"deadline": "2028-02-14"}}}}
    )
    assert build_schedule(2027, config).get("arsredovisning").deadline == dt.date(2028, 2, 14)
    wrong = _messages(_error({"dates": {2027: {"arsredovisning": {"deadline": "2027-02-12"}}}}))
    assert "ligger inte i 2028" in wrong


def test_council_decision_in_december_needs_the_flag() -> None:
    message = _messages(_error({"standard": {"kf-beslut": {"decision": "12-10"}}}))
    assert "30 november" in message and "allow_council_decision_after_november" in message
    explicit = _messages(_error({"dates": {2027: {"kf-beslut": {"decision": "2027-12-09"}}}}))
    assert "2027-12-09" in explicit and "30 november" in explicit
    allowed = CalendarConfig.model_validate(
        {
            "allow_council_decision_after_november": True,
            "standard": {"kf-beslut": {"decision": "12-10"}},
        }
    )
    assert build_schedule(2027, allowed).get("kf-beslut").decision == dt.date(2027, 12, 10)


def test_council_decision_pushed_into_december_by_rolling() -> None:
    # 30 November 2031 is a Sunday; rolling after lands on 1 December.
    config = CalendarConfig(roll="efter", standard={"kf-beslut": {"decision": "11-30"}})
    assert build_schedule(2029, config).get("kf-beslut").decision == dt.date(2029, 11, 30)
    with pytest.raises(ConfigError) as caught:
        build_schedule(2031, config)
    text = str(caught.value)
    assert "kf-beslut" in text and "2031-12-01" in text and "söndag" in text


def test_election_year_council_decision_before_16_october() -> None:
    message = _messages(_error({"election_year": {"kf-beslut": {"decision": "10-10"}}}))
    assert "15 oktober" in message and "nyvalda" in message
    explicit = _messages(_error({"dates": {2026: {"kf-beslut": {"decision": "2026-10-15"}}}}))
    assert "2026-10-15" in explicit and "nyvalda" in explicit
    # 16 October 2038 is a Saturday: rolled before, the rule lands on the 15th.
    # (The board proposes first, on the 12th: the council decides after it.)
    config = CalendarConfig.model_validate(
        {
            "election_year": {
                "ks-beslut": {"decision": "10-12"},
                "kf-beslut": {"opens": "10-01", "deadline": "10-05", "decision": "10-16"},
            }
        }
    )
    assert build_schedule(2030, config).get("kf-beslut").decision == dt.date(2030, 10, 16)
    with pytest.raises(ConfigError) as caught:
        build_schedule(2038, config)
    assert "2038-10-15" in str(caught.value) and "lördag" in str(caught.value)


def test_opens_after_deadline() -> None:
    message = _messages(_error({"standard": {"tertial": {"opens": "05-20"}}}))
    assert "öppnar 05-20 är efter sista dag 05-08" in message
    assert message.count("öppnar 05-20") == 1  # reported once, not again for election years
    explicit = _messages(
        _error({"dates": {2027: {"tertial": {"opens": "2027-05-20", "deadline": "2027-05-07"}}}})
    )
    assert "öppnar 2027-05-20 är efter sista dag 2027-05-07" in explicit


def test_explicit_date_against_a_rule_is_checked_when_building() -> None:
    config = CalendarConfig.model_validate(
        {"dates": {2027: {"tertial": {"deadline": "2027-04-01"}}}}
    )
    with pytest.raises(ConfigError) as caught:
        build_schedule(2027, config)
    assert "öppnar 2027-04-13 är efter sista dag 2027-04-01" in str(caught.value)
    assert build_schedule(2028, config).get("tertial").deadline == dt.date(2028, 5, 8)


def test_stages_that_take_no_rules_here() -> None:
    plan = _messages(_error({"standard": {"atgardsplan": {"deadline": "05-08"}}}))
    assert "vid behov" in plan and "action_plan_working_days" in plan
    review = _messages(_error({"standard": {"politisk-oversyn": {"deadline": "05-08"}}}))
    assert "bara i valår" in review
    off_year = _messages(_error({"dates": {2027: {"politisk-oversyn": {"opens": "2027-02-01"}}}}))
    assert "2027 är inget valår" in off_year


def test_other_fields() -> None:
    assert "”före” eller ”efter”" in _messages(_error({"roll": "fore"}))
    assert "klockslag" in _messages(_error({"deadline_time": "25:00"}))
    assert "mellan 1 och 120" in _messages(_error({"action_plan_working_days": 0}))
    assert "year_offset" in _messages(
        _error({"standard": {"ramar": {"opens": {"month_day": "01-08", "year_offset": 2}}}})
    )
    assert _error({"standard": {"ramar": {"oppens": "01-08"}}}).errors()[0]["type"] == (
        "extra_forbidden"
    )


def test_date_rule_shorthand() -> None:
    rule = DateRule.model_validate("5-8")
    assert rule.month_day == "05-08"
    assert rule.on(2027, "tertial") == dt.date(2027, 5, 8)
    assert rule.on(2027, "arsredovisning") == dt.date(2028, 5, 8)
    assert DateRule(month_day="05-08", year_offset=0).on(2027, "arsredovisning").year == 2027
