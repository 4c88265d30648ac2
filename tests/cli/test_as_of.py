"""--as-of as a user types it and a run parameter as Prefect keeps it (pendulum parses)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from arshjul.cli.common import parse_as_of
from arshjul.errors import ArshjulError
from arshjul.tasks.common import _parse, resolve_as_of

STOCKHOLM = ZoneInfo("Europe/Stockholm")


@pytest.mark.parametrize("text", ["2027-05-07", "20270507", "2027-W18-5", " 2027-05-07 "])
def test_a_date_means_seven_in_the_morning_in_stockholm(text: str) -> None:
    moment = parse_as_of(text)
    assert moment == dt.datetime(2027, 5, 7, 7, 0, tzinfo=STOCKHOLM)
    assert type(moment) is dt.datetime and moment.tzinfo is STOCKHOLM


def test_a_moment_keeps_its_offset_or_gets_stockholms() -> None:
    assert parse_as_of("2027-01-15T10:30") == dt.datetime(2027, 1, 15, 10, 30, tzinfo=STOCKHOLM)
    assert parse_as_of("2027-01-15 10:30").utcoffset() == dt.timedelta(hours=1)
    utc = parse_as_of("2027-05-07T08:00Z")
    assert utc == dt.datetime(2027, 5, 7, 10, 0, tzinfo=STOCKHOLM)
    assert type(utc) is dt.datetime and utc.utcoffset() == dt.timedelta(0)
    assert parse_as_of("2027-05-07T10:00+02:00").utcoffset() == dt.timedelta(hours=2)
    now = parse_as_of(None)
    assert type(now) is dt.datetime and now.tzinfo is STOCKHOLM


@pytest.mark.parametrize(
    "text",
    ["31/12", "2027", "2027-05", "202705", "2027-W18", "2027-02-30", "10:00", "P1D", "0:", ""],
)
def test_what_is_no_day_is_refused_in_swedish(text: str) -> None:
    with pytest.raises(ArshjulError) as refused:
        parse_as_of(text)
    assert str(refused.value) == f"--as-of: ”{text}” är inget datum (ÅÅÅÅ-MM-DD)."


def test_a_run_parameter_reads_back_as_the_same_moment() -> None:
    """Prefect keeps a deployment's ``as_of`` as ISO text; the run's name is read from it."""
    moment = dt.datetime(2027, 5, 7, 8, 0, tzinfo=STOCKHOLM)
    parsed = _parse(moment.isoformat())
    assert parsed == moment and type(parsed) is dt.datetime
    day = _parse("2027-05-07")
    assert day == dt.date(2027, 5, 7) and type(day) is dt.date
    assert resolve_as_of(day) == dt.datetime(2027, 5, 7, 7, 0, tzinfo=STOCKHOLM)
    assert resolve_as_of(_parse("2027-05-07T08:00")) == moment
    assert _parse("i morgon") is None and _parse("0:") is None
