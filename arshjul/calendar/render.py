"""A year's schedule as a Swedish table for the terminal, and as JSON-ready dicts."""

from __future__ import annotations

from collections import Counter
from typing import Any

from arshjul.calendar.schedule import ScheduledStage, YearSchedule
from arshjul.formats import format_date
from arshjul.textable import render

HEADERS = ("Skede", "Öppnar", "Sista dag", "Beslut")
AS_NEEDED = "vid behov"


def _clock(stage: ScheduledStage) -> str:
    return f"{stage.deadline_at:%H.%M}"


def render_table(schedule: YearSchedule, municipality_name: str | None = None) -> str:
    """A plain-text table of the year's stages with Swedish dates, for the terminal.

    Each stage's slug (what ``arshjul run`` and ``arshjul submit`` take) stands after
    its name. Under the table: the dates a rule put on a non-working day, with the
    rule's day, and the legal checks the configuration accepts, with its reason.
    """
    title = f"Årshjul {schedule.year}"
    if municipality_name:
        title += f" – {municipality_name}"
    lines = [title]
    if schedule.election_year and schedule.election_day and schedule.new_council_from:
        lines.append(
            f"(valår: allmänna val {format_date(schedule.election_day)}, "
            # "15 oktober": the year is the same as the header's.
            f"nytt fullmäktige från {format_date(schedule.new_council_from).rsplit(' ', 1)[0]})"
        )
    lines.append(f"Planering inför budgetår {schedule.year + 1}, uppföljning av {schedule.year}.")
    # Deadlines show their time only when it differs from the usual one (half days).
    usual = Counter(_clock(s) for s in schedule.stages).most_common(1)
    usual_clock = usual[0][0] if usual else ""
    rows: list[tuple[str, str, str, str, str]] = []
    for stage in schedule.stages:
        deadline = format_date(stage.deadline)
        if _clock(stage) != usual_clock:
            deadline += f" kl. {_clock(stage)}"
        rows.append(
            (
                stage.name,
                stage.slug,
                format_date(stage.opens),
                deadline,
                format_date(stage.decision),
            )
        )
    for event in schedule.event_driven:
        rows.append(
            (
                event.name,
                event.slug,
                AS_NEEDED,
                f"{schedule.action_plan_working_days} arbetsdagar efter öppning",
                AS_NEEDED,
            )
        )
    lines.append("")
    lines.append(render((HEADERS[0], "Slug", *HEADERS[1:]), rows))
    if usual_clock:
        lines.append("")
        lines.append(f"Sista dag gäller till kl. {usual_clock} om inget annat anges.")
    moved = [(stage, move) for stage in schedule.stages for move in stage.moved]
    if moved:
        lines += ["", "Flyttade från en dag som inte är arbetsdag:"]
        lines += [f"  {stage.name}: {move.sentence()}" for stage, move in moved]
    if schedule.waived:
        lines += ["", "Avsteg från lagen som konfigurationen godtar, med skäl:"]
        lines += [f"  {waived.sentence()}" for waived in schedule.waived]
    return "\n".join(lines) + "\n"


def to_json(schedule: YearSchedule) -> list[dict[str, Any]]:
    """The schedule as JSON-ready dicts: ISO dates, the deadline moment with its offset."""
    entries: list[dict[str, Any]] = [
        {
            "slug": stage.slug,
            "name": stage.name,
            "process": stage.process,
            "opens": stage.opens.isoformat(),
            "deadline": stage.deadline.isoformat(),
            "decision": stage.decision.isoformat(),
            "deadline_at": stage.deadline_at.isoformat(),
            "election_year": schedule.election_year,
            "budget_year": stage.budget_year,
            "event_driven": False,
            "moved": [
                {
                    "field": move.field,
                    "rule_day": move.rule_day.isoformat(),
                    "day": move.day.isoformat(),
                    "why": move.why,
                }
                for move in stage.moved
            ],
        }
        for stage in schedule.stages
    ]
    entries.extend(
        {
            "slug": stage.slug,
            "name": stage.name,
            "process": stage.process,
            "opens": None,
            "deadline": None,
            "decision": None,
            "deadline_at": None,
            "election_year": schedule.election_year,
            "budget_year": schedule.year,
            "event_driven": True,
            "deadline_working_days": schedule.action_plan_working_days,
        }
        for stage in schedule.event_driven
    )
    return entries


def overrides_json(schedule: YearSchedule) -> list[dict[str, str]]:
    """The legal checks the configuration waives this year, with the law and the reason."""
    return [
        {
            "check": w.breach.check,
            "law": w.breach.law.law,
            "stage": w.breach.slug,
            "message": w.breach.message,
            "reason": w.reason,
        }
        for w in schedule.waived
    ]
