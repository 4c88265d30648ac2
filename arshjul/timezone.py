"""The one time zone of the annual cycle: the municipality's, Europe/Stockholm.

Deadlines, the daily watch, "today" in imports and the dates in documents and e-mail are
all Swedish local time. A leaf module, so that every layer (the calendar included) can
import it without a cycle and the CLI starts without loading anything else.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

TIMEZONE_NAME = "Europe/Stockholm"
STOCKHOLM = ZoneInfo(TIMEZONE_NAME)


def now() -> dt.datetime:
    """Now in Europe/Stockholm: the default ``as_of`` (read at the edge, never deep inside)."""
    return dt.datetime.now(STOCKHOLM)
