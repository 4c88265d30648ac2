"""What the "Preliminära ramar och anvisningar" document shows: plain frozen data, validated.

All amounts are whole kronor. A committee's preliminary frame must equal last year's
frame plus its explained changes, so that a reader can follow every krona.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import NamedTuple

from arshjul.errors import ArshjulError
from arshjul.formats import format_tkr


class ChangeKind(StrEnum):
    """Why a frame changes, as the resource allocation model groups it."""

    VOLUME = "volym"
    DEMOGRAPHY = "demografi"
    PRICE_WAGE = "pris_lon"
    DECISION = "beslut"
    OTHER = "ovrigt"

    @property
    def label(self) -> str:
        """The Swedish word shown in the document."""
        return {
            "volym": "Volym",
            "demografi": "Demografi",
            "pris_lon": "Pris och lön",
            "beslut": "Beslut",
            "ovrigt": "Övrigt",
        }[self.value]


@dataclass(frozen=True)
class FrameChange:
    """One explained change of a committee's frame: ``reason``, ``amount`` in kronor."""

    reason: str
    amount: int
    kind: ChangeKind = ChangeKind.DECISION

    def __post_init__(self) -> None:
        try:
            object.__setattr__(self, "kind", ChangeKind(self.kind))
        except ValueError:
            known = ", ".join(k.value for k in ChangeKind)
            raise ArshjulError(
                f"Okänd typ av ramförändring ”{self.kind}” ({self.reason}); kända: {known}"
            ) from None


@dataclass(frozen=True)
class CommitteeFrame:
    """A committee's operating frame last year and next, and its investment frame."""

    name: str
    previous_frame: int
    changes: tuple[FrameChange, ...]
    preliminary_frame: int
    investment_frame: int = 0

    def __post_init__(self) -> None:
        changes = tuple(c if isinstance(c, FrameChange) else FrameChange(*c) for c in self.changes)
        object.__setattr__(self, "changes", changes)

    @property
    def change(self) -> int:
        """Preliminary frame minus last year's frame."""
        return self.preliminary_frame - self.previous_frame


@dataclass(frozen=True)
class FinancialStartingPoints:
    """The budget year's financial starting points (forecasts); None where missing.

    ``forecast`` names the tax-base forecast the revenue comes from.
    """

    tax_rate: Decimal | None  # kronor per 100 kronor of taxable income, e.g. Decimal("22.41")
    tax_revenue: int | None
    state_grants: int | None  # general state grants and equalisation
    result_goal_share: Decimal | None  # of tax revenue and general grants, e.g. Decimal("0.02")
    total_frame: int
    forecast: str = ""

    @property
    def taxes_and_grants(self) -> int | None:
        """Tax revenue plus general state grants (None if either is missing)."""
        if self.tax_revenue is None or self.state_grants is None:
            return None
        return self.tax_revenue + self.state_grants

    @property
    def result_goal(self) -> int | None:
        """The result goal in kronor, rounded to the krona."""
        taxes = self.taxes_and_grants
        if taxes is None or self.result_goal_share is None:
            return None
        return round(Decimal(taxes) * Decimal(str(self.result_goal_share)))


class Decision(NamedTuple):
    """A decision in the timetable: which body, on which day."""

    body: str
    date: dt.date


@dataclass(frozen=True)
class TimetableRow:
    """One stage of the year: opens, deadline, decisions."""

    stage: str
    opens: dt.date | None = None
    deadline: dt.date | None = None
    decisions: tuple[Decision, ...] = ()

    def __post_init__(self) -> None:
        decisions = tuple(d if isinstance(d, Decision) else Decision(*d) for d in self.decisions)
        object.__setattr__(self, "decisions", decisions)


@dataclass(frozen=True)
class AnalysisInstructions:
    """What the committees submit for their analyses, and by when."""

    items: tuple[str, ...]
    deadline: dt.date
    submit_to: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "items", tuple(self.items))


@dataclass(frozen=True)
class RamarDocumentData:
    """Everything the "Preliminära ramar och anvisningar" document shows."""

    municipality: str
    cycle_year: int
    financial: FinancialStartingPoints
    committees: tuple[CommitteeFrame, ...]
    timetable: tuple[TimetableRow, ...]
    instructions: AnalysisInstructions
    election_year: bool = False
    election_day: dt.date | None = None
    body: str | None = "Kommunstyrelsen"
    meeting_date: dt.date | None = None
    diary_number: str | None = None
    demo: bool = False
    investments_known: bool = True  # False: no investment frame for the year is imported
    # Legal checks the timetable breaks and the configuration accepts: "Avsteg: … Skäl: …".
    waivers: tuple[str, ...] = ()
    # The budget preparation's day (the budgetdag stage's decision) from the calendar: the
    # prose says when, not "i maj" (Arboga's month).
    preparation_on: dt.date | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "committees", tuple(self.committees))
        object.__setattr__(self, "timetable", tuple(self.timetable))
        problems = []
        if not self.committees:
            problems.append("det finns inga nämnder med ramar")
        names = [c.name for c in self.committees]
        problems += [
            f"nämnden ”{n}” finns flera gånger" for n in sorted(set(names)) if names.count(n) > 1
        ]
        for c in self.committees:
            explained = sum(change.amount for change in c.changes)
            if explained != c.change:
                problems.append(
                    f"{c.name}: ramen {format_tkr(c.previous_frame)} plus förändringarna "
                    f"{format_tkr(explained)} blir {format_tkr(c.previous_frame + explained)}, "
                    f"inte den preliminära ramen {format_tkr(c.preliminary_frame)}"
                )
        if problems:
            raise ArshjulError(
                f"Underlaget till Preliminära ramar och anvisningar {self.budget_year} "
                "går inte ihop:",
                details=problems,
            )

    @property
    def budget_year(self) -> int:
        """The year the frames are for: the cycle year plus one."""
        return self.cycle_year + 1

    @property
    def plan_years(self) -> tuple[int, int, int]:
        """The budget year and the two plan years after it."""
        return (self.budget_year, self.budget_year + 1, self.budget_year + 2)

    @property
    def committee_total(self) -> int:
        """The sum of the committees' preliminary frames."""
        return sum(c.preliminary_frame for c in self.committees)
