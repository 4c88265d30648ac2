"""A year's schedule as an iCalendar file (RFC 5545) that Outlook and others import.

Written by hand: all-day events only, so no time-zone component is needed.
"""

from __future__ import annotations

import datetime as dt

from arshjul.calendar.schedule import ScheduledStage, YearSchedule
from arshjul.formats import format_datetime

CRLF = "\r\n"
MAX_OCTETS = 75
PRODID = "-//Arshjul//Arshjul kalender//SV"
# (uid part, summary prefix, the stage's date attribute)
KINDS: tuple[tuple[str, str, str], ...] = (
    ("oppnar", "Öppnar", "opens"),
    ("sista-dag", "Sista dag", "deadline"),
    ("beslut", "Beslut", "decision"),
)


def escape_text(value: str) -> str:
    """Escape a TEXT value per RFC 5545 3.3.11: backslash, semicolon, comma, newline."""
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def fold_line(line: str) -> str:
    """Fold a content line at 75 octets (RFC 5545 3.1) without splitting a UTF-8 character."""
    parts: list[str] = []
    current = ""
    size = 0
    # Continuation lines start with a space, which counts against their 75 octets.
    limit = MAX_OCTETS
    for char in line:
        octets = len(char.encode("utf-8"))
        if size + octets > limit:
            parts.append(current)
            current, size, limit = "", 0, MAX_OCTETS - 1
        current += char
        size += octets
    parts.append(current)
    return (CRLF + " ").join(parts)


def _date(value: dt.date) -> str:
    return value.strftime("%Y%m%d")


def _event(
    schedule: YearSchedule,
    stage: ScheduledStage,
    kind: str,
    prefix: str,
    day: dt.date,
    stamp: str,
    municipality_name: str,
) -> list[str]:
    description = f"{stage.stage.description} {municipality_name}, årshjul {schedule.year}."
    if kind == "sista-dag":
        description += f" Sista dag {format_datetime(stage.deadline_at)}."
    return [
        "BEGIN:VEVENT",
        f"UID:{stage.slug}-{schedule.year}-{kind}@arshjul",
        f"DTSTAMP:{stamp}",
        f"DTSTART;VALUE=DATE:{_date(day)}",
        f"DTEND;VALUE=DATE:{_date(day + dt.timedelta(days=1))}",
        f"SUMMARY:{escape_text(f'{prefix}: {stage.name}')}",
        f"DESCRIPTION:{escape_text(description)}",
        f"CATEGORIES:{escape_text(stage.process.capitalize())}",
        # All-day markers must not show the whole day as busy.
        "TRANSP:TRANSPARENT",
        "END:VEVENT",
    ]


def to_ics(
    schedule: YearSchedule, municipality_name: str, *, stamp: dt.datetime | None = None
) -> str:
    """The schedule's opening, deadline and decision days as all-day events, CRLF, folded."""
    moment = (stamp or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
    stamp_text = moment.strftime("%Y%m%dT%H%M%SZ")
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape_text(f'Årshjul {schedule.year} – {municipality_name}')}",
        "X-WR-TIMEZONE:Europe/Stockholm",
    ]
    for stage in schedule.stages:
        for kind, prefix, attribute in KINDS:
            day: dt.date = getattr(stage, attribute)
            lines.extend(_event(schedule, stage, kind, prefix, day, stamp_text, municipality_name))
    lines.append("END:VCALENDAR")
    return "".join(fold_line(line) + CRLF for line in lines)
