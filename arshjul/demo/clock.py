"""The simulated year's clock: the moment of a day things happen, and the days that matter.

The year does not pass hour by hour: it jumps from one day in :class:`Events` to
the next, and every action on that day happens at a fixed hour (:func:`at`).
"""

from __future__ import annotations

import datetime as dt
import heapq

from arshjul.timezone import STOCKHOLM


def at(day: dt.date, hour: int = 7, minute: int = 0) -> dt.datetime:
    """The moment on ``day`` something happens, in Europe/Stockholm."""
    return dt.datetime.combine(day, dt.time(hour, minute), STOCKHOLM)


class Events:
    """The days that matter, earliest first; a day's events in the order they were added.

    An event is a kind (``open``, ``decide``, ``actuals``, ``forecast``, ``watch``,
    ``answer``) and what it is about (a stage's slug, a month, or nothing).
    """

    def __init__(self) -> None:
        self._queue: list[tuple[dt.date, int, str, str]] = []
        self._seq = 0

    def __bool__(self) -> bool:
        return bool(self._queue)

    def add(self, day: dt.date, kind: str, what: str = "") -> None:
        self._seq += 1
        heapq.heappush(self._queue, (day, self._seq, kind, what))

    def add_once(self, today: dt.date, days: set[dt.date], kind: str) -> None:
        """An event of ``kind`` on each of ``days`` after today that has none yet."""
        for later in sorted(d for d in days if d > today):
            if not any(q[0] == later and q[2] == kind for q in self._queue):
                self.add(later, kind)

    def next_day(self) -> tuple[dt.date, list[tuple[str, str]]]:
        """The earliest day left, with all its events, taken off the queue."""
        day = self._queue[0][0]
        events = []
        while self._queue and self._queue[0][0] == day:
            events.append(heapq.heappop(self._queue))
        return day, [(kind, what) for _, _, kind, what in events]
