"""The calendar: stage catalogue, working days, schedules 2020–2045, table, JSON and ICS."""

from __future__ import annotations

import datetime as dt
import json
import re
from zoneinfo import ZoneInfo

import holidays
import icalendar
import pytest

from arshjul.calendar.ics import to_ics
from arshjul.calendar.render import render_table, to_json
from arshjul.calendar.rules import CalendarConfig
from arshjul.calendar.schedule import (
    YearSchedule,
    action_plan_deadline,
    build_schedule,
    election_day,
    is_election_year,
)
from arshjul.calendar.stages import STAGES, get_stage
from arshjul.calendar.workdays import WorkingDays
from arshjul.errors import NotFoundError

YEARS = range(2020, 2046)
STOCKHOLM = ZoneInfo("Europe/Stockholm")
GLOSSARY_SLUGS = {
    "ramar",
    "ledningsdialog-mars",
    "namndanalys",
    "budgetdag",
    "ks-beslut",
    "kf-beslut",
    "ledningsdialog-september",
    "namndbudget",
    "tertial",
    "delar",
    "arsredovisning",
    "ekonomirapport-mars",
    "ekonomirapport-juni",
    "ekonomirapport-november",
    "atgardsplan",
    "politisk-oversyn",
}

# Independent of our own WorkingDays: the holidays package directly.
_REFERENCE = holidays.Sweden(
    years=range(2019, 2048),
    categories=(holidays.PUBLIC, holidays.DE_FACTO),
    include_sundays=False,
)


def _is_working(day: dt.date) -> bool:
    return day.weekday() < 5 and day not in _REFERENCE


@pytest.fixture(scope="module")
def schedules() -> dict[int, YearSchedule]:
    return {year: build_schedule(year) for year in YEARS}


# --- catalogue ---------------------------------------------------------------


def test_catalogue_has_exactly_the_glossary_slugs() -> None:
    assert {s.slug for s in STAGES} == GLOSSARY_SLUGS
    assert len(STAGES) == len(GLOSSARY_SLUGS)


def test_catalogue_flags_and_asks() -> None:
    assert get_stage("tertial").name == "Tertialuppföljning (t.o.m. april)"
    assert get_stage("ramar").asks == ()
    assert get_stage("budgetdag").asks == ()
    assert get_stage("kf-beslut").asks == ()
    assert set(get_stage("ledningsdialog-mars").asks) == {"administration", "company"}
    assert set(get_stage("namndbudget").asks) == {"committee", "executive_board"}
    assert "company" in get_stage("delar").asks
    assert get_stage("atgardsplan").event_driven
    assert get_stage("politisk-oversyn").election_only
    assert get_stage("ks-beslut").process == "planering"
    assert get_stage("arsredovisning").process == "uppföljning"
    for stage in STAGES:
        assert stage.description.endswith(".")


def test_unknown_stage_lists_the_valid_slugs() -> None:
    with pytest.raises(NotFoundError) as caught:
        get_stage("tertail")
    assert "tertail" in str(caught.value)
    assert "tertial" in str(caught.value) and "arsredovisning" in str(caught.value)


# --- elections ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("year", "day"),
    [
        (2022, dt.date(2022, 9, 11)),
        (2026, dt.date(2026, 9, 13)),
        (2030, dt.date(2030, 9, 8)),
        (2034, dt.date(2034, 9, 10)),
    ],
)
def test_election_day(year: int, day: dt.date) -> None:
    assert election_day(year) == day
    assert day.weekday() == 6


def test_election_years() -> None:
    assert [y for y in YEARS if is_election_year(y)] == [2022, 2026, 2030, 2034, 2038, 2042]
    assert election_day(2027) is None


# --- working days ------------------------------------------------------------


def test_eves_and_holidays_are_not_working_days() -> None:
    days = WorkingDays()
    for off in (
        dt.date(2026, 6, 19),  # midsommarafton
        dt.date(2026, 12, 24),  # julafton
        dt.date(2026, 12, 31),  # nyårsafton
        dt.date(2026, 5, 14),  # Kristi himmelsfärdsdag
        dt.date(2026, 5, 16),  # a Saturday
        dt.date(2026, 5, 17),  # a Sunday
    ):
        assert not days.is_working_day(off), off
    assert days.holiday_name(dt.date(2026, 6, 19)) == "Midsommarafton"
    assert days.holiday_name(dt.date(2026, 5, 14)) == "Kristi himmelsfärdsdag"
    assert days.holiday_name(dt.date(2026, 5, 13)) is None
    assert days.is_working_day(dt.date(2026, 5, 13))


def test_half_days() -> None:
    days = WorkingDays()
    assert days.is_half_day(dt.date(2026, 5, 13))  # before Kristi himmelsfärdsdag
    assert days.is_half_day(dt.date(2026, 4, 30))  # valborgsmässoafton
    assert days.is_half_day(dt.date(2026, 4, 2))  # skärtorsdagen
    assert not days.is_half_day(dt.date(2026, 5, 12))
    assert not days.is_half_day(dt.date(2026, 5, 14))  # the holiday itself


def test_working_day_arithmetic() -> None:
    days = WorkingDays()
    ascension = dt.date(2026, 5, 14)
    assert days.previous_working_day(ascension) == dt.date(2026, 5, 13)
    assert days.next_working_day(ascension) == dt.date(2026, 5, 15)
    assert days.previous_working_day(dt.date(2026, 5, 13)) == dt.date(2026, 5, 13)
    # Over the midsummer weekend: Fri 19 (eve) and Sat–Sun are off.
    assert days.add_working_days(dt.date(2026, 6, 18), 1) == dt.date(2026, 6, 22)
    assert days.add_working_days(dt.date(2026, 6, 22), -1) == dt.date(2026, 6, 18)
    assert days.add_working_days(dt.date(2026, 6, 18), 0) == dt.date(2026, 6, 18)
    # Over the new year: 31 Dec, 1 Jan and the weekend are off.
    assert days.add_working_days(dt.date(2026, 12, 30), 1) == dt.date(2027, 1, 4)
    assert days.working_days_between(dt.date(2026, 6, 18), dt.date(2026, 6, 22)) == 1
    assert days.working_days_between(dt.date(2026, 6, 22), dt.date(2026, 6, 18)) == -1
    assert days.working_days_between(dt.date(2026, 5, 11), dt.date(2026, 5, 18)) == 4
    start = dt.date(2026, 3, 2)
    for n in range(-30, 31):
        assert days.working_days_between(start, days.add_working_days(start, n)) == n


def test_working_days_agree_with_the_package_over_the_years() -> None:
    days = WorkingDays()
    day = dt.date(2020, 1, 1)
    while day.year < 2046:
        assert days.is_working_day(day) == _is_working(day), day
        day += dt.timedelta(days=1)


def test_action_plan_deadline() -> None:
    assert action_plan_deadline(dt.date(2026, 6, 1)) == dt.date(2026, 6, 23)
    config = CalendarConfig(action_plan_working_days=5)
    assert action_plan_deadline(dt.date(2026, 5, 11), config) == dt.date(2026, 5, 19)


# --- schedules 2020–2045 -----------------------------------------------------


def test_every_deadline_and_decision_is_a_working_day(
    schedules: dict[int, YearSchedule],
) -> None:
    for year, schedule in schedules.items():
        for stage in schedule.stages:
            assert _is_working(stage.deadline), (year, stage.slug, stage.deadline)
            assert _is_working(stage.decision), (year, stage.slug, stage.decision)


def test_each_stage_opens_before_its_deadline_and_decision(
    schedules: dict[int, YearSchedule],
) -> None:
    for year, schedule in schedules.items():
        for stage in schedule.stages:
            assert stage.opens <= stage.deadline <= stage.decision, (year, stage.slug)


def test_council_budget_decision_follows_the_law(schedules: dict[int, YearSchedule]) -> None:
    for year, schedule in schedules.items():
        decision = schedule.get("kf-beslut").decision
        assert decision <= dt.date(year, 11, 30), year
        if is_election_year(year):
            assert decision > dt.date(year, 10, 15), year
            # KS proposes before the end of October.
            assert schedule.get("ks-beslut").decision <= dt.date(year, 10, 31), year
        else:
            assert decision.month == 8, year


def test_planning_order(schedules: dict[int, YearSchedule]) -> None:
    order = ["ramar", "ledningsdialog-mars", "namndanalys", "budgetdag", "ks-beslut", "kf-beslut"]
    for year, schedule in schedules.items():
        stages = [schedule.get(slug) for slug in order]
        for earlier, later in zip(stages, stages[1:], strict=False):
            assert earlier.opens < later.opens, (year, earlier.slug, later.slug)
            assert earlier.decision < later.decision, (year, earlier.slug, later.slug)
        assert schedule.get("kf-beslut").decision <= schedule.get("namndbudget").opens, year
        september = schedule.get("ledningsdialog-september")
        assert {september.opens.month, september.deadline.month, september.decision.month} == {9}


def test_follow_up_order(schedules: dict[int, YearSchedule]) -> None:
    for year, schedule in schedules.items():
        tertial, delar = schedule.get("tertial"), schedule.get("delar")
        assert tertial.decision < delar.opens, year
        assert delar.decision <= dt.date(year, 10, 31), year
        annual = schedule.get("arsredovisning")
        for day in (annual.opens, annual.deadline, annual.decision):
            assert day.year == year + 1 and day <= dt.date(year + 1, 4, 30), (year, day)
        reports = [schedule.get(f"ekonomirapport-{m}") for m in ("mars", "juni", "november")]
        assert [r.decision.month for r in reports] == [3, 6, 11], year


def test_budget_years(schedules: dict[int, YearSchedule]) -> None:
    schedule = schedules[2027]
    assert schedule.get("kf-beslut").budget_year == 2028
    assert schedule.get("tertial").budget_year == 2027
    assert schedule.get("arsredovisning").budget_year == 2027


def test_political_review_only_in_election_years(schedules: dict[int, YearSchedule]) -> None:
    for year, schedule in schedules.items():
        assert (schedule.get("politisk-oversyn") is not None) == is_election_year(year), year
        assert schedule.election_year == is_election_year(year)


def test_schedule_is_chronological_and_keeps_action_plans_apart(
    schedules: dict[int, YearSchedule],
) -> None:
    schedule = schedules[2027]
    opens = [s.opens for s in schedule.stages]
    assert opens == sorted(opens)
    assert "atgardsplan" not in {s.slug for s in schedule.stages}
    assert [s.slug for s in schedule.event_driven] == ["atgardsplan"]
    assert schedule.get("atgardsplan") is None
    with pytest.raises(NotFoundError):
        schedule.get("tertail")


def test_rolling_after_keeps_the_law_too() -> None:
    config = CalendarConfig(roll="efter")
    for year in YEARS:
        schedule = build_schedule(year, config)
        for stage in schedule.stages:
            assert _is_working(stage.deadline) and _is_working(stage.decision), stage
            assert stage.opens <= stage.deadline <= stage.decision, stage
        decision = schedule.get("kf-beslut").decision
        assert decision <= dt.date(year, 11, 30)
        assert schedule.get("delar").decision <= dt.date(year, 10, 31)


def test_deadline_time_and_half_day() -> None:
    normal = build_schedule(2027).get("tertial")
    assert normal.deadline_at == dt.datetime.combine(
        normal.deadline, dt.time(16, 0), tzinfo=STOCKHOLM
    )
    config = CalendarConfig.model_validate(
        {"dates": {2026: {"budgetdag": {"deadline": "2026-05-13"}}}}
    )
    budget_day = build_schedule(2026, config).get("budgetdag")
    assert budget_day.deadline == dt.date(2026, 5, 13)
    assert budget_day.deadline_at == dt.datetime(2026, 5, 13, 12, 0, tzinfo=STOCKHOLM)
    assert budget_day.deadline_at.utcoffset() == dt.timedelta(hours=2)
    # An earlier usual time than the half-day limit stays as it is.
    early = CalendarConfig.model_validate(
        {"deadline_time": "11:00", "dates": {2026: {"budgetdag": {"deadline": "2026-05-13"}}}}
    )
    assert build_schedule(2026, early).get("budgetdag").deadline_at.time() == dt.time(11, 0)


# --- render --------------------------------------------------------------------


def test_table_2027() -> None:
    text = render_table(build_schedule(2027), "Arboga kommun")
    assert text.startswith("Årshjul 2027 – Arboga kommun")
    assert "Tertialuppföljning" in text
    assert "7 maj 2027" in text
    assert "vid behov" in text
    assert "valår" not in text
    for header in ("Skede", "Öppnar", "Sista dag", "Beslut"):
        assert header in text


def test_table_2026_is_an_election_year() -> None:
    text = render_table(build_schedule(2026))
    assert text.splitlines()[0] == "Årshjul 2026"
    assert "valår" in text and "13 september 2026" in text and "15 oktober" in text
    assert "Översyn av politisk organisation" in text
    # The ekonomirapport-juni deadline falls on the day before Nationaldagen, a half day.
    assert "5 juni 2026 kl. 12.00" in text


def test_json() -> None:
    entries = to_json(build_schedule(2026))
    json.dumps(entries)
    tertial = next(e for e in entries if e["slug"] == "tertial")
    assert tertial["opens"] == "2026-04-13"
    assert dt.datetime.fromisoformat(tertial["deadline_at"]).tzinfo is not None
    assert tertial["election_year"] is True
    assert tertial["budget_year"] == 2026
    assert {"slug", "name", "opens", "deadline", "decision", "deadline_at"} <= set(tertial)
    plan = next(e for e in entries if e["slug"] == "atgardsplan")
    assert plan["event_driven"] is True and plan["deadline"] is None


# --- ics -----------------------------------------------------------------------


# RFC 5545 3.1: a content line is at most 75 octets, continuation lines included.
MAX_OCTETS = 75


def _unfold(text: str) -> list[str]:
    return text.replace("\r\n ", "").replace("\r\n\t", "").split("\r\n")[:-1]


def test_ics_structure_and_folding() -> None:
    schedule = build_schedule(2026)
    name = "Arboga kommun; Västra Mälardalen, test\\" + " åäö" * 30
    stamp = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    text = to_ics(schedule, name, stamp=stamp)
    raw = text.encode("utf-8")
    assert raw.endswith(b"\r\n")
    assert b"\n" not in raw.replace(b"\r\n", b"") and b"\r" not in raw.replace(b"\r\n", b"")
    for physical in raw.split(b"\r\n"):
        assert len(physical) <= MAX_OCTETS
        physical.decode("utf-8")  # a folded line never splits a character
    lines = _unfold(text)
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-1] == "END:VCALENDAR"
    for required in ("VERSION:2.0", "CALSCALE:GREGORIAN", "METHOD:PUBLISH"):
        assert required in lines
    assert any(line.startswith("PRODID:") for line in lines)
    calname = next(line for line in lines if line.startswith("X-WR-CALNAME:"))
    assert calname == (
        "X-WR-CALNAME:Årshjul 2026 – Arboga kommun\\; Västra Mälardalen\\, test\\\\" + " åäö" * 30
    )
    assert lines.count("BEGIN:VEVENT") == lines.count("END:VEVENT") == 3 * len(schedule.stages)
    uids = [line for line in lines if line.startswith("UID:")]
    assert len(uids) == len(set(uids))
    assert "UID:tertial-2026-sista-dag@arshjul" in uids
    assert all(line == "DTSTAMP:20260102T030405Z" for line in lines if "DTSTAMP" in line)


def test_ics_events_match_the_schedule() -> None:
    schedule = build_schedule(2027)
    lines = _unfold(to_ics(schedule, "Arboga kommun"))
    events: dict[str, dict[str, str]] = {}
    current: dict[str, str] = {}
    for line in lines:
        if line == "BEGIN:VEVENT":
            current = {}
        elif line == "END:VEVENT":
            events[current["UID"]] = current
        else:
            key, _, value = line.partition(":")
            current[key] = value
    for stage in schedule.stages:
        for kind, prefix, day in (
            ("oppnar", "Öppnar", stage.opens),
            ("sista-dag", "Sista dag", stage.deadline),
            ("beslut", "Beslut", stage.decision),
        ):
            event = events[f"{stage.slug}-2027-{kind}@arshjul"]
            assert event["DTSTART;VALUE=DATE"] == f"{day:%Y%m%d}"
            assert event["DTEND;VALUE=DATE"] == f"{day + dt.timedelta(days=1):%Y%m%d}"
            assert event["SUMMARY"] == f"{prefix}: {stage.name}".replace(",", "\\,")
    summary = events["tertial-2027-sista-dag@arshjul"]["SUMMARY"]
    assert summary == "Sista dag: Tertialuppföljning (t.o.m. april)"
    assert re.search(r"kl\. 16\.00", events["tertial-2027-sista-dag@arshjul"]["DESCRIPTION"])


def test_ics_reads_back_with_icalendar() -> None:
    """What Outlook would import: parsed by the icalendar library, dates and names intact."""
    schedule = build_schedule(2027)
    stamp = dt.datetime(2027, 1, 4, 8, 0, tzinfo=STOCKHOLM)
    parsed = icalendar.Calendar.from_ical(to_ics(schedule, "Arboga kommun", stamp=stamp))
    assert str(parsed["X-WR-CALNAME"]) == "Årshjul 2027 – Arboga kommun"
    assert str(parsed["X-WR-TIMEZONE"]) == "Europe/Stockholm"
    events = {str(e["UID"]): e for e in parsed.walk("VEVENT")}
    assert len(events) == 3 * len(schedule.stages)
    deadline = events["tertial-2027-sista-dag@arshjul"]
    assert deadline.decoded("DTSTART") == dt.date(2027, 5, 7) == schedule.get("tertial").deadline
    assert deadline.decoded("DTEND") == dt.date(2027, 5, 8)
    assert str(deadline["SUMMARY"]) == "Sista dag: Tertialuppföljning (t.o.m. april)"
    assert "Sista dag 7 maj 2027 kl. 16.00." in str(deadline["DESCRIPTION"])
    assert deadline.decoded("DTSTAMP") == stamp.astimezone(dt.UTC)
    opens = events["kf-beslut-2027-oppnar@arshjul"]
    assert str(opens["SUMMARY"]).startswith("Öppnar: KF beslut om Strategisk och ekonomisk plan")
    assert opens.decoded("DTSTART") == schedule.get("kf-beslut").opens


def test_ics_uids_are_the_same_in_every_export() -> None:
    """A re-import updates the events instead of adding copies: UIDs never change."""
    schedule = build_schedule(2027)
    first = to_ics(schedule, "Arboga kommun", stamp=dt.datetime(2027, 1, 4, tzinfo=dt.UTC))
    later = to_ics(schedule, "Arboga kommun", stamp=dt.datetime(2027, 3, 1, tzinfo=dt.UTC))

    def uids(text: str) -> list[str]:
        return [str(e["UID"]) for e in icalendar.Calendar.from_ical(text).walk("VEVENT")]

    assert uids(first) == uids(later) and first != later


def test_each_follow_up_stage_names_its_period_once() -> None:
    """The months a report covers are data on the stage; the stages and the portal read it."""
    from arshjul.calendar.stages import STAGES, follow_up_period

    reporting = [s for s in STAGES if s.process == "uppföljning" and not s.event_driven]
    assert {s.slug: s.period.through for s in reporting if s.period} == {
        "tertial": 4,
        "delar": 8,
        "arsredovisning": 12,
        "ekonomirapport-mars": 2,
        "ekonomirapport-juni": 5,
        "ekonomirapport-november": 10,
    }
    # The interim report covers at least half and at most two thirds of the year (LKBR 13 kap. 1 §).
    assert 6 <= follow_up_period("delar").through <= 8
    assert follow_up_period("tertial").forecast_basis == 3
    with pytest.raises(NotFoundError, match="följer inte upp någon period"):
        follow_up_period("ramar")
