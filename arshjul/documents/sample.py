"""Demo data for the ramar document: Arboga's committees with invented frames (demo figures).

The total follows the public 1 001 005 tkr of the Strategisk och ekonomisk plan
2024–2026; the split per committee, the changes and the forecasts are invented.
Used by tests, the benchmark and, later, ``arshjul demo``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from arshjul.documents.ramar_data import (
    AnalysisInstructions,
    ChangeKind,
    CommitteeFrame,
    Decision,
    FinancialStartingPoints,
    FrameChange,
    RamarDocumentData,
    TimetableRow,
)

T = 1000  # kronor per tkr
V, D, P, B = ChangeKind.VOLUME, ChangeKind.DEMOGRAPHY, ChangeKind.PRICE_WAGE, ChangeKind.DECISION


def sample_committees() -> tuple[CommitteeFrame, ...]:
    """Arboga's five committees, frames in whole kronor."""
    return (
        CommitteeFrame(
            "Kommunstyrelsen",
            221_300 * T,
            (
                FrameChange("Pris- och löneuppräkning", 5_100 * T, P),
                FrameChange("Drift av nytt ärendehanteringssystem", 2_800 * T, B),
                FrameChange("Effektivisering av administrationen", -800 * T, B),
            ),
            228_400 * T,
            62_000 * T,
        ),
        CommitteeFrame(
            "Barn- och utbildningsnämnden",
            418_900 * T,
            (
                FrameChange("Fler elever i grundskolan", 4_200 * T, V),
                FrameChange("Färre barn i förskoleåldern", -3_100 * T, D),
                FrameChange("Pris- och löneuppräkning", 11_250 * T, P),
            ),
            431_250 * T,
            18_500 * T,
        ),
        CommitteeFrame(
            "Fritids- och kulturnämnden",
            45_600 * T,
            (FrameChange("Pris- och löneuppräkning", 1_200 * T, P),),
            46_800 * T,
            4_200 * T,
        ),
        CommitteeFrame(
            "Socialnämnden",
            283_455 * T,
            (
                FrameChange("Fler invånare över 80 år", 5_900 * T, D),
                FrameChange("Pris- och löneuppräkning", 7_700 * T, P),
                FrameChange("Minskade placeringskostnader", -3_500 * T, B),
            ),
            293_555 * T,
            3_800 * T,
        ),
        CommitteeFrame("Valnämnden", 1_000 * T, (), 1_000 * T, 0),
    )


def sample_timetable(year: int = 2027) -> tuple[TimetableRow, ...]:
    """The stages with Arboga-like dates (working days in 2027; other years: weekdays)."""

    def d(month: int, day: int) -> dt.date:
        date = dt.date(year, month, day)
        while date.weekday() >= 5:
            date -= dt.timedelta(days=1)
        return date

    return (
        TimetableRow(
            "Preliminära ramar och anvisningar", d(1, 11), d(3, 5), (Decision("KS", d(3, 2)),)
        ),
        TimetableRow("Nämndernas analyser", d(3, 8), d(4, 23)),
        TimetableRow("Ledningsdialog (vår)", d(3, 15), d(3, 26)),
        TimetableRow("Budgetdag och budgetberedning", d(5, 10), d(5, 28)),
        TimetableRow(
            "KS beslut om Strategisk och ekonomisk plan", None, None, (Decision("KS", d(6, 8)),)
        ),
        TimetableRow(
            "KF beslut om Strategisk och ekonomisk plan", None, None, (Decision("KF", d(8, 26)),)
        ),
        TimetableRow("Nämndernas budget", d(8, 30), d(12, 10), (Decision("Nämnderna", d(12, 15)),)),
        TimetableRow("Ledningsdialog (höst)", d(9, 13), d(9, 24)),
    )


def sample_ramar_data(year: int = 2027, *, demo: bool = True) -> RamarDocumentData:
    """A complete, consistent data set for Arboga (cycle year ``year``)."""
    committees = sample_committees()
    return RamarDocumentData(
        municipality="Arboga kommun",
        cycle_year=year,
        financial=FinancialStartingPoints(
            tax_rate=Decimal("22.41"),
            tax_revenue=742_300 * T,
            state_grants=281_900 * T,
            result_goal_share=Decimal("0.02"),
            total_frame=sum(c.preliminary_frame for c in committees),
        ),
        committees=committees,
        timetable=sample_timetable(year),
        instructions=AnalysisInstructions(
            items=(
                "Nuläge: verksamhetens resultat, kvalitet och ekonomi",
                "Framtid: förändrade behov, volymer och demografi de kommande tre åren",
                "Konsekvenser av den preliminära ramen och förslag till prioriteringar",
                "Investeringsbehov och de driftkostnader investeringarna för med sig",
                "Lokalbehov inför revideringen av lokalförsörjningsplanen",
                "Barnkonsekvensanalys för större förändringar",
            ),
            deadline=dt.date(year, 4, 23),
            submit_to="ekonomiavdelningen",
        ),
        meeting_date=dt.date(year, 3, 2),
        demo=demo,
    )
