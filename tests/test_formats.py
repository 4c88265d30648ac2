"""Swedish formats: what a reader sees in every document, e-mail and page."""

from __future__ import annotations

import datetime as dt

import pytest

from arshjul.formats import format_date, format_percent, format_tkr, parse_tkr


def test_dates_and_amounts_read_as_swedish() -> None:
    assert format_date(dt.date(2027, 5, 15)) == "15 maj 2027"
    assert format_tkr(1_234_500) == "1\u00a0234,5\u00a0tkr"
    assert format_tkr(-1_234_500) == "\u22121\u00a0234,5\u00a0tkr"  # a real minus sign
    assert format_tkr(12_250) == "12,3\u00a0tkr"  # half up, as accounts round
    assert format_percent(0.005) == "0,5\u00a0%"


@pytest.mark.parametrize(
    ("typed", "kronor"),
    [
        ("1 234,5", 1_234_500),
        ("−12", -12_000),
        ("0,001", 1),
        ("1\u00a0000 tkr", 1_000_000),
        (7, 7000),
    ],
)
def test_amounts_typed_by_a_swede(typed: str | int, kronor: int) -> None:
    assert parse_tkr(typed) == kronor


@pytest.mark.parametrize("typed", ["tolv", "", "1,2,3", "nan", "inf"])
def test_text_is_no_amount(typed: str) -> None:
    with pytest.raises(ValueError):
        parse_tkr(typed)
