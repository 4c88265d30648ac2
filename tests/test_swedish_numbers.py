"""One number parser for the portal, the imports, submit and the CLI: a number is read
exactly as a Swede writes it, or refused with a Swedish sentence, never guessed."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arshjul.formats import format_number, parse_tkr
from arshjul.swedish_numbers import NumberError, parse_number


@pytest.mark.parametrize(
    ("written", "value"),
    [
        ("1 234,5", Decimal("1234.5")),
        ("1\u00a0234\u00a0567", Decimal(1234567)),
        ("\u22121 234", Decimal(-1234)),
        ("\u2013 4", Decimal(-4)),
        ("87.5", Decimal("87.5")),  # a dot that can only be a decimal point
        ("12 345.6", Decimal("12345.6")),
        ("87,5 %", Decimal("87.5")),
        ("0,05", Decimal("0.05")),
    ],
)
def test_what_a_swede_writes_is_read_exactly(written: str, value: Decimal) -> None:
    assert parse_number(written, suffixes=("%",)) == value


@pytest.mark.parametrize(
    ("written", "said"),
    [
        ("412.500", "är tvetydigt: punkt är ingen tusentalsavgränsare; skriv 412 500"),
        ("1.234.567", "är tvetydigt"),
        ("1.234,5", "blandar punkt och komma"),
        ("1,234.5", "blandar punkt och komma"),
        ("1e3", "skriv siffrorna ut (inte 1e3 eller 1_000)"),
        ("1_000", "skriv siffrorna ut"),
        ("5 00", "har mellanslag på fel ställe"),
        ("12 34,5", "har mellanslag på fel ställe"),
        ("inf", "är inget tal"),
        ("NaN", "är inget tal"),
        ("tolv", "är inget tal"),
        ("1,2,3", "är inget tal"),
        ("9" * 16, "är orimligt stort"),
        ("1" * 10_000, "är för långt"),
        ("", "värde saknas"),
        ("²", "är inget tal"),
    ],
)
def test_what_is_no_number_is_refused_in_swedish(written: str, said: str) -> None:
    with pytest.raises(NumberError) as caught:
        parse_number(written)
    assert said in str(caught.value)


def test_values_from_a_spreadsheet_are_taken_as_they_are_but_must_be_finite() -> None:
    assert parse_number(12) == 12 and parse_number(0.25) == Decimal("0.25")
    for bad in (float("inf"), float("nan"), Decimal("Infinity"), True):
        with pytest.raises(NumberError):
            parse_number(bad)


@settings(max_examples=500, deadline=None)
@given(
    st.decimals(
        min_value=Decimal("-999999999999.999"),
        max_value=Decimal("999999999999.999"),
        places=3,
        allow_nan=False,
        allow_infinity=False,
    )
)
def test_every_number_the_documents_print_reads_back_as_itself(value: Decimal) -> None:
    """What the engine writes (``−1 234 567,891``) the engine reads back exactly."""
    assert parse_number(format_number(value, 3)) == value


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=30))
def test_any_text_is_a_number_or_a_swedish_refusal(text: str) -> None:
    """Never another exception, never a guess: a refusal is a NumberError in Swedish."""
    try:
        value = parse_number(text, suffixes=("%",))
    except NumberError as refused:
        assert str(refused)
        return
    assert value.is_finite()
    assert abs(value) < Decimal(10) ** 15


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=-(10**12), max_value=10**12))
def test_an_amount_in_tkr_is_kept_in_whole_kronor(kronor: int) -> None:
    assert parse_tkr(format_number(Decimal(kronor) / 1000, 3) + " tkr") == kronor
