"""Swedish formats for everything a user reads: dates, amounts, percentages.

Built on Babel's CLDR data for ``sv_SE``. Amounts are kept in whole kronor
(integers) everywhere in the engine and shown in thousands (tkr) with one
decimal, a no-break space between thousands and a real minus sign (U+2212).
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from babel.dates import format_date as _babel_date
from babel.numbers import format_decimal

from arshjul.swedish_numbers import parse_number

LOCALE = "sv_SE"
MINUS = "\u2212"
NBSP = "\u00a0"

WEEKDAYS = ["måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag", "söndag"]


def _fix_minus(text: str) -> str:
    return text.replace("-", MINUS)


def format_date(value: dt.date) -> str:
    """``15 maj 2027``."""
    return _babel_date(value, "d MMMM y", locale=LOCALE)


def month_name(month: int) -> str:
    """``april``."""
    return _babel_date(dt.date(2000, month, 1), "MMMM", locale=LOCALE)


def format_date_long(value: dt.date) -> str:
    """``lördag 15 maj 2027``."""
    return _babel_date(value, "EEEE d MMMM y", locale=LOCALE)


def format_datetime(value: dt.datetime) -> str:
    """``15 maj 2027 kl. 16.00`` in the value's own time zone."""
    return f"{format_date(value.date())} kl. {value:%H.%M}"


def format_number(value: float | int | Decimal, decimals: int = 0) -> str:
    """``1 234`` or ``−1 234,5``."""
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    # Half up, as Swedish accounts round (Babel alone would round half to even).
    exact = Decimal(str(value)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    if exact == 0:
        exact = abs(exact)  # −0,0 for a few negative kronor would read as a deficit
    return _fix_minus(format_decimal(exact, format=pattern, locale=LOCALE))


def format_tkr(kronor: int | Decimal | float, *, unit: bool = True, decimals: int = 1) -> str:
    """Whole kronor shown as thousands: ``1 234 500`` → ``1 234,5 tkr``."""
    text = format_number(Decimal(kronor) / 1000, decimals)
    return f"{text}{NBSP}tkr" if unit else text


def format_mnkr(kronor: int | Decimal | float, *, decimals: int = 1) -> str:
    """Whole kronor shown as millions: ``1 001 005 000`` → ``1 001,0 mnkr``."""
    return f"{format_number(Decimal(kronor) / 1_000_000, decimals)}{NBSP}mnkr"


def format_percent(share: float | Decimal, decimals: int = 1) -> str:
    """A share shown as per cent: ``0.005`` → ``0,5 %``."""
    return f"{format_number(Decimal(str(share)) * 100, decimals)}{NBSP}%"


def parse_tkr(text: str | int | float | Decimal) -> int:
    """Thousands of kronor as typed by a Swede (``1 234,5``, ``−12``) → whole kronor.

    Read by :func:`arshjul.swedish_numbers.parse_number`; raises ``ValueError`` with a
    Swedish message when the text is no amount.
    """
    if isinstance(text, bool):
        raise ValueError("ska vara ett belopp i tkr")
    number = parse_number(text, what="belopp i tkr", suffixes=("tkr",))
    return int((number * 1000).quantize(Decimal(1), rounding=ROUND_HALF_UP))
