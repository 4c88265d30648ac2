"""The annual cycle's calendar: stages, Swedish working days, dates per year, ICS and tables.

No database and no Prefect here: the CLI imports this to print a calendar fast.
"""

from arshjul.calendar.rules import CalendarConfig, DateRule, ExplicitDates, StageRule
from arshjul.calendar.schedule import (
    ScheduledStage,
    YearSchedule,
    action_plan_deadline,
    build_schedule,
    deadline_at,
    election_day,
    is_election_year,
)
from arshjul.calendar.stages import STAGES, StageDef, get_stage
from arshjul.calendar.workdays import WORKING_DAYS, WorkingDays

__all__ = [
    "STAGES",
    "WORKING_DAYS",
    "CalendarConfig",
    "DateRule",
    "ExplicitDates",
    "ScheduledStage",
    "StageDef",
    "StageRule",
    "WorkingDays",
    "YearSchedule",
    "action_plan_deadline",
    "build_schedule",
    "deadline_at",
    "election_day",
    "get_stage",
    "is_election_year",
]
