"""Swedish working days: weekends, public holidays and the three eves are off.

Public holidays follow lag (1989:253); midsommarafton, julafton and nyårsafton
count as Sundays (semesterlagen 7 §), which the ``holidays`` package files
under its DE_FACTO category. The package is pinned in pyproject.toml so that a
new release cannot move a deadline silently.
"""

from __future__ import annotations

import datetime as dt

from holidays import DE_FACTO, PUBLIC, Sweden

from arshjul.formats import WEEKDAYS

_ONE_DAY = dt.timedelta(days=1)


class WorkingDays:
    """Working-day arithmetic for Sweden; holiday years are computed once and cached."""

    def __init__(self) -> None:
        # Two sets per year: the half-day rule looks at public holidays only.
        self._public: dict[int, dict[dt.date, str]] = {}
        self._eves: dict[int, dict[dt.date, str]] = {}

    def _load(self, year: int) -> None:
        self._public[year] = dict(
            Sweden(years=year, categories=(PUBLIC,), include_sundays=False, language="sv")
        )
        self._eves[year] = dict(
            Sweden(years=year, categories=(DE_FACTO,), include_sundays=False, language="sv")
        )

    def _public_name(self, day: dt.date) -> str | None:
        if day.year not in self._public:
            self._load(day.year)
        return self._public[day.year].get(day)

    def holiday_name(self, day: dt.date) -> str | None:
        """The Swedish name of the holiday or eve on this day (``Midsommarafton``), or None."""
        if day.year not in self._eves:
            self._load(day.year)
        return self._public[day.year].get(day) or self._eves[day.year].get(day)

    def is_public_holiday(self, day: dt.date) -> bool:
        """True on a public holiday by lag (1989:253); the eves are not counted here."""
        return self._public_name(day) is not None

    def is_working_day(self, day: dt.date) -> bool:
        """True on Monday–Friday that is neither a public holiday nor one of the three eves."""
        return day.weekday() < 5 and self.holiday_name(day) is None

    def why_not_working(self, day: dt.date) -> str | None:
        """Why a day is no working day, in Swedish (``en söndag``, ``Julafton``); None if it is."""
        name = self.holiday_name(day)
        if name is not None:
            return name
        if day.weekday() >= 5:
            return f"en {WEEKDAYS[day.weekday()]}"
        return None

    def previous_working_day(self, day: dt.date) -> dt.date:
        """The day itself when it is a working day, else the nearest working day before it."""
        while not self.is_working_day(day):
            day -= _ONE_DAY
        return day

    def next_working_day(self, day: dt.date) -> dt.date:
        """The day itself when it is a working day, else the nearest working day after it."""
        while not self.is_working_day(day):
            day += _ONE_DAY
        return day

    def add_working_days(self, day: dt.date, n: int) -> dt.date:
        """The n:th working day after (n > 0) or before (n < 0) the day; n = 0 gives the day."""
        step = _ONE_DAY if n >= 0 else -_ONE_DAY
        remaining = abs(n)
        while remaining:
            day += step
            if self.is_working_day(day):
                remaining -= 1
        return day

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """Working days after start up to and including end; negative when end is earlier."""
        if end < start:
            return -self.working_days_between(end, start)
        count = 0
        day = start
        while day < end:
            day += _ONE_DAY
            if self.is_working_day(day):
                count += 1
        return count

    def is_half_day(self, day: dt.date) -> bool:
        """True on a working day right before a public holiday (the town hall closes at 12:00)."""
        # That gives trettondagsafton, skärtorsdagen, valborgsmässoafton, the day before
        # Kristi himmelsfärdsdag, the day before Nationaldagen and allhelgonaafton; the
        # days before the three eves stay full days, as in the municipal agreements.
        return self.is_working_day(day) and self.is_public_holiday(day + _ONE_DAY)


# One shared instance: the holiday tables are the same for everybody.
WORKING_DAYS = WorkingDays()
