"""A year's schedule as an iCalendar file (RFC 5545) that Outlook and others import.

Written with the ``icalendar`` library, which escapes, folds at 75 octets and ends
lines with CRLF. All-day events only, so no time-zone component is needed; the
calendar names Europe/Stockholm for the programs that show it.
"""

from __future__ import annotations

import datetime as dt

from icalendar import Calendar, Event, vText

from arshjul.calendar.schedule import ScheduledStage, YearSchedule
from arshjul.formats import format_datetime
from arshjul.timezone import TIMEZONE_NAME

PRODID = "-//Arshjul//Arshjul kalender//SV"
# (uid part, summary prefix, the stage's date attribute)
KINDS: tuple[tuple[str, str, str], ...] = (
    ("oppnar", "Öppnar", "opens"),
    ("sista-dag", "Sista dag", "deadline"),
    ("beslut", "Beslut", "decision"),
)


def event_uid(schedule: YearSchedule, stage: ScheduledStage, kind: str) -> str:
    """Stable across runs, so that importing a newer file updates the same events."""
    return f"{stage.slug}-{schedule.year}-{kind}@arshjul"


def _event(
    schedule: YearSchedule,
    stage: ScheduledStage,
    kind: str,
    prefix: str,
    day: dt.date,
    stamp: dt.datetime,
    municipality_name: str,
) -> Event:
    description = f"{stage.stage.description} {municipality_name}, årshjul {schedule.year}."
    if kind == "sista-dag":
        description += f" Sista dag {format_datetime(stage.deadline_at)}."
    event = Event()
    event.add("uid", event_uid(schedule, stage, kind))
    event.add("dtstamp", stamp)
    # A date (not a datetime) makes an all-day event: DTSTART;VALUE=DATE.
    event.add("dtstart", day)
    event.add("dtend", day + dt.timedelta(days=1))
    event.add("summary", f"{prefix}: {stage.name}")
    event.add("description", description)
    event.add("categories", [stage.process.capitalize()])
    # All-day markers must not show the whole day as busy.
    event.add("transp", "TRANSPARENT")
    return event


def to_ics(
    schedule: YearSchedule, municipality_name: str, *, stamp: dt.datetime | None = None
) -> str:
    """The schedule's opening, deadline and decision days as all-day events, CRLF, folded."""
    moment = (stamp or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).replace(microsecond=0)
    calendar = Calendar()
    calendar.add("version", "2.0")
    calendar.add("prodid", PRODID)
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    # X- properties are written as given unless typed: vText escapes ; , and \ as TEXT.
    calendar.add("x-wr-calname", vText(f"Årshjul {schedule.year} – {municipality_name}"))
    calendar.add("x-wr-timezone", vText(TIMEZONE_NAME))
    for stage in schedule.stages:
        for kind, prefix, attribute in KINDS:
            day: dt.date = getattr(stage, attribute)
            calendar.add_component(
                _event(schedule, stage, kind, prefix, day, moment, municipality_name)
            )
    return calendar.to_ical().decode("utf-8")
