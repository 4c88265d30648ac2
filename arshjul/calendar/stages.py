"""The stage catalogue of the annual cycle and the legal frame its dates live in.

The slugs and Swedish names are those of GLOSSARY.md; other tools call the
slugs, so they never change. The catalogue order is the order of the
governance model (planning first, then follow-up) and breaks ties when two
stages open on the same day.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from arshjul.errors import NotFoundError

Process = Literal["planering", "uppföljning"]
UnitKind = Literal["committee", "executive_board", "company", "administration"]

UNIT_KINDS: tuple[UnitKind, ...] = ("committee", "executive_board", "company", "administration")

# Ordinary elections: every fourth year counted from this one (vallagen).
ELECTION_YEAR_ANCHOR = 2022
# The newly elected council takes office on this day of the election year (KL 5 kap. 9 §).
NEW_COUNCIL_TAKES_OFFICE = (10, 15)
# KF adopts the budget before the end of November (KL 11 kap.).
COUNCIL_BUDGET_LATEST = (11, 30)


@dataclass(frozen=True, slots=True)
class FollowUpPeriod:
    """The months a follow-up stage reports on, from January.

    ``through``: the last month of actuals, and the month whose full-year forecast the
    committees give. ``forecast_basis``: the month of actuals the forecast is made on,
    when that is earlier (the tertial report forecasts in April on actuals through March).
    """

    through: int
    forecast_basis: int | None = None


@dataclass(frozen=True, slots=True)
class StageDef:
    """One stage of the annual cycle as the governance model defines it."""

    slug: str
    name: str
    process: Process
    asks: tuple[UnitKind, ...]
    description: str
    election_only: bool = False
    event_driven: bool = False
    period: FollowUpPeriod | None = None  # a follow-up stage's months

    @property
    def is_planning(self) -> bool:
        """True for a planning stage (it prepares the next budget year)."""
        return self.process == "planering"


STAGES: tuple[StageDef, ...] = (
    StageDef(
        slug="ramar",
        name="Preliminära ramar och anvisningar",
        process="planering",
        # Controllers import the figures themselves; nobody is asked.
        asks=(),
        description=(
            "Preliminära ekonomiska ramar, befolkningsprognos och anvisningar "
            "för nämndernas underlag tas fram."
        ),
    ),
    StageDef(
        slug="ledningsdialog-mars",
        name="Ledningsdialog (vår)",
        process="planering",
        asks=("administration", "company"),
        description=(
            "Ledningsdialog om nuläget och framtidens förutsättningar och utmaningar "
            "i verksamhet och ekonomi."
        ),
    ),
    StageDef(
        slug="namndanalys",
        name="Nämndernas analyser",
        process="planering",
        asks=("committee", "executive_board", "company"),
        description=(
            "Kommunstyrelsen, nämnderna och bolagen analyserar verksamhetens nuläge, "
            "framtid och ekonomi mot den preliminära ramen."
        ),
    ),
    StageDef(
        slug="budgetdag",
        name="Budgetdag och budgetberedning",
        process="planering",
        # Only compiles the analyses already submitted.
        asks=(),
        description=(
            "Budgetdag med de ekonomiska förutsättningarna och analyserna, "
            "därefter budgetberedning."
        ),
    ),
    StageDef(
        slug="ks-beslut",
        name="KS beslut om Strategisk och ekonomisk plan",
        process="planering",
        asks=(),
        description=(
            "Kommunstyrelsen beslutar om Strategisk och ekonomisk plan med politisk "
            "inriktning och resursfördelning."
        ),
    ),
    StageDef(
        slug="kf-beslut",
        name="KF beslut om Strategisk och ekonomisk plan",
        process="planering",
        asks=(),
        description="Kommunfullmäktige beslutar om Strategisk och ekonomisk plan och budget.",
    ),
    StageDef(
        slug="ledningsdialog-september",
        name="Ledningsdialog (höst)",
        process="planering",
        asks=("administration", "company"),
        description=(
            "Ledningsdialog om nuläget och framtidens förutsättningar och utmaningar "
            "inför den operativa planeringen."
        ),
    ),
    StageDef(
        slug="namndbudget",
        name="Nämndernas budget",
        process="planering",
        asks=("committee", "executive_board"),
        description=(
            "Kommunstyrelsen och nämnderna konkretiserar fullmäktiges beslut i sin egen budget."
        ),
    ),
    StageDef(
        slug="politisk-oversyn",
        name="Översyn av politisk organisation och politiskt program",
        process="planering",
        asks=("executive_board",),
        description=(
            "Inför en ny mandatperiod ses den politiska organisationen och "
            "det politiska programmet över."
        ),
        election_only=True,
    ),
    StageDef(
        slug="tertial",
        name="Tertialuppföljning (t.o.m. april)",
        process="uppföljning",
        asks=("committee", "executive_board", "company"),
        description=(
            "Uppföljning till och med april med årsprognos utifrån utfall till och med mars."
        ),
        period=FollowUpPeriod(4, forecast_basis=3),
    ),
    StageDef(
        slug="delar",
        name="Delårsrapport (t.o.m. augusti)",
        process="uppföljning",
        asks=("committee", "executive_board", "company"),
        description=("Delårsrapport till och med augusti med årsprognos och uppföljning av målen."),
        period=FollowUpPeriod(8),
    ),
    StageDef(
        slug="arsredovisning",
        name="Årsredovisning (t.o.m. december)",
        process="uppföljning",
        asks=("committee", "executive_board", "company"),
        description="Årsredovisning för hela året med uppföljning av målen.",
        period=FollowUpPeriod(12),
    ),
    StageDef(
        slug="ekonomirapport-mars",
        name="Ekonomirapport till KS (mars)",
        process="uppföljning",
        # The stage itself narrows this to the units with an action plan in force.
        asks=("committee", "executive_board"),
        description=(
            "Ekonomirapport till kommunstyrelsen med det ekonomiska läget och "
            "nämndernas åtgärdsplaner."
        ),
        period=FollowUpPeriod(2),
    ),
    StageDef(
        slug="ekonomirapport-juni",
        name="Ekonomirapport till KS (juni)",
        process="uppföljning",
        asks=("committee", "executive_board"),
        description=(
            "Ekonomirapport till kommunstyrelsen med det ekonomiska läget och "
            "nämndernas åtgärdsplaner."
        ),
        period=FollowUpPeriod(5),
    ),
    StageDef(
        slug="ekonomirapport-november",
        name="Ekonomirapport till KS (november)",
        process="uppföljning",
        asks=("committee", "executive_board"),
        description=(
            "Ekonomirapport till kommunstyrelsen med det ekonomiska läget och "
            "nämndernas åtgärdsplaner."
        ),
        period=FollowUpPeriod(10),
    ),
    StageDef(
        slug="atgardsplan",
        name="Åtgärdsplan",
        process="uppföljning",
        asks=("committee", "executive_board"),
        description=(
            "Åtgärdsplan när en avvikelse inte kan åtgärdas inom förvaltningens delegation."
        ),
        event_driven=True,
    ),
)

_BY_SLUG: dict[str, StageDef] = {stage.slug: stage for stage in STAGES}
SLUGS: tuple[str, ...] = tuple(_BY_SLUG)
CATALOGUE_ORDER: dict[str, int] = {slug: index for index, slug in enumerate(SLUGS)}


def follow_up_period(slug: str) -> FollowUpPeriod:
    """The months a follow-up stage reports on; every follow-up stage that reports has one."""
    period = get_stage(slug).period
    if period is None:
        raise NotFoundError(f"Skedet {slug} följer inte upp någon period.")
    return period


def valid_slugs_text() -> str:
    """The valid slugs as one Swedish list for error messages."""
    return ", ".join(SLUGS)


def get_stage(slug: str) -> StageDef:
    """The stage with this slug; NotFoundError with the valid slugs otherwise."""
    try:
        return _BY_SLUG[slug]
    except KeyError:
        raise NotFoundError(
            f"Det finns inget skede som heter ”{slug}”. Giltiga skeden: {valid_slugs_text()}."
        ) from None


def election_day(year: int) -> dt.date | None:
    """The day of the ordinary general election (second Sunday of September), or None."""
    if not is_election_year(year):
        return None
    first = dt.date(year, 9, 1)
    first_sunday = first + dt.timedelta(days=(6 - first.weekday()) % 7)
    return first_sunday + dt.timedelta(days=7)


def is_election_year(year: int) -> bool:
    """True when an ordinary general election is held this year (2022, 2026, 2030, …)."""
    return (year - ELECTION_YEAR_ANCHOR) % 4 == 0
