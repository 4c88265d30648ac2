"""The law's frame around a year's dates: each check, the breach it finds, and a waiver's reason.

A calendar may break a check only where the municipality's configuration says
so, with a written reason (``[[calendar.override]]``): the reason is then shown
wherever the dates are (``arshjul calendar``, the year's overview), so nobody
mistakes a decided exception for an oversight. Everything else that breaks the
law stops ``arshjul init`` and ``arshjul calendar`` with a Swedish message that
names the stage, the dates and the paragraph.

The checks read only the dates of one cycle year (the year the stages run in;
the annual report for it runs in the following spring).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from arshjul.calendar.stages import (
    COUNCIL_BUDGET_LATEST,
    NEW_COUNCIL_TAKES_OFFICE,
    follow_up_period,
    is_election_year,
)

# The executive board proposes the budget and the tax rate before October ends (KL 11 kap. 8 §).
PROPOSAL_LATEST = (10, 31)
# The annual report reaches the council and the auditors by 15 April; the council approves
# it and decides on discharge before June ends (KL 11 kap., 5 kap.; DOMAIN.md).
ANNUAL_REPORT_TO_COUNCIL_LATEST = (4, 15)
DISCHARGE_LATEST = (6, 30)
# An interim report covers at least half, at most two thirds of the year (LKBR 13 kap.).
INTERIM_MONTHS = (6, 8)
# ... and reaches the council within two months of the period's end (KL 11 kap. 16 §).
INTERIM_MONTHS_TO_COUNCIL = 2


@dataclass(frozen=True)
class LegalCheck:
    """One rule of the law the calendar must keep: its key, what it says, where it stands."""

    key: str
    rule: str
    law: str


CHECKS: dict[str, LegalCheck] = {
    check.key: check
    for check in (
        LegalCheck(
            "ks-fore-kf",
            "kommunstyrelsens budgetförslag kommer före fullmäktiges beslut",
            "KL 11 kap. 8 §",
        ),
        LegalCheck(
            "forslag-oktober",
            "kommunstyrelsen föreslår budgeten och skattesatsen före oktobers utgång",
            "KL 11 kap. 8 §",
        ),
        LegalCheck(
            "budget-november",
            "fullmäktige fastställer budgeten före novembers utgång, i valår det nyvalda "
            "fullmäktige som tillträder 15 oktober",
            "KL 11 kap., 5 kap. 9 §",
        ),
        LegalCheck(
            "delar-period",
            "delårsrapporten omfattar minst hälften och högst två tredjedelar av året",
            "LKBR 13 kap.",
        ),
        LegalCheck(
            "delar-tva-manader",
            "delårsrapporten når fullmäktige inom två månader efter periodens slut",
            "KL 11 kap. 16 §",
        ),
        LegalCheck(
            "ansvarsfrihet-juni",
            "fullmäktige godkänner årsredovisningen och beslutar om ansvarsfrihet "
            "före juni månads utgång",
            "KL 11 kap., 5 kap.",
        ),
    )
}


@dataclass(frozen=True)
class Breach:
    """A check the year's dates break: which, for which stage, and how (Swedish)."""

    check: str
    slug: str
    message: str

    @property
    def law(self) -> LegalCheck:
        return CHECKS[self.check]

    def sentence(self) -> str:
        """``kf-beslut: … (KL 11 kap. 8 §)``: the stage, what breaks, and the paragraph."""
        return f"{self.slug}: {self.message} ({self.law.law})"


@dataclass(frozen=True)
class Waived:
    """A breach the configuration accepts, and the reason it gives."""

    breach: Breach
    reason: str

    def sentence(self) -> str:
        """The breach and its reason, as ``calendar`` and the overview show it."""
        return f"Avsteg: {self.breach.sentence()}. Skäl: {self.reason}"


def council_decision_problem(
    decision: dt.date, cycle_year: int, *, allow_after_november: bool = False, note: str = ""
) -> str | None:
    """Why a council budget decision on this day breaks the law, or None (Swedish)."""
    latest = dt.date(cycle_year, *COUNCIL_BUDGET_LATEST)
    if decision > latest and not allow_after_november:
        return (
            f"fullmäktiges beslut {decision.isoformat()}{note} är efter 30 november "
            f"{cycle_year}: fullmäktige ska fastställa budgeten före novembers utgång"
        )
    takes_office = dt.date(cycle_year, *NEW_COUNCIL_TAKES_OFFICE)
    if is_election_year(cycle_year) and decision <= takes_office:
        return (
            f"fullmäktiges beslut {decision.isoformat()}{note} är inte efter 15 oktober "
            f"{cycle_year}: i valår ska det nyvalda fullmäktige, som tillträder 15 oktober, "
            "fastställa budgeten"
        )
    return None


def _months_later(day: dt.date, months: int) -> dt.date:
    """The last day of the month ``months`` after ``day``'s month (31 Aug + 2 → 31 Oct)."""
    month = day.month + months
    year, month = day.year + (month - 1) // 12, (month - 1) % 12 + 1
    following = dt.date(year + month // 12, month % 12 + 1, 1)
    return following - dt.timedelta(days=1)


def breaches(
    year: int,
    decisions: dict[str, dt.date],
    *,
    allow_council_after_november: bool = False,
) -> list[Breach]:
    """Every check the year's decision days break, in the order of :data:`CHECKS`.

    ``decisions``: each scheduled stage's decision day by slug (a stage that does not
    run this year is simply absent, and its checks are not made).
    """
    found: list[Breach] = []
    ks, kf = decisions.get("ks-beslut"), decisions.get("kf-beslut")
    if ks is not None and kf is not None and ks >= kf:
        found.append(
            Breach(
                "ks-fore-kf",
                "kf-beslut",
                f"fullmäktiges beslut {kf.isoformat()} är inte efter kommunstyrelsens förslag "
                f"{ks.isoformat()}: kommunstyrelsen bereder budgeten, fullmäktige beslutar sedan",
            )
        )
    if ks is not None and ks > dt.date(year, *PROPOSAL_LATEST):
        found.append(
            Breach(
                "forslag-oktober",
                "ks-beslut",
                f"kommunstyrelsens förslag {ks.isoformat()} är efter 31 oktober {year}: "
                "budgetförslaget och skattesatsen ska föreslås före oktobers utgång",
            )
        )
    if kf is not None:
        problem = council_decision_problem(
            kf, year, allow_after_november=allow_council_after_november
        )
        if problem:
            found.append(Breach("budget-november", "kf-beslut", problem))
    interim = decisions.get("delar")
    if interim is not None:
        months = follow_up_period("delar").through
        if not INTERIM_MONTHS[0] <= months <= INTERIM_MONTHS[1]:
            found.append(
                Breach(
                    "delar-period",
                    "delar",
                    f"delårsrapporten omfattar {months} månader: den ska omfatta minst 6 och "
                    "högst 8 av årets 12",
                )
            )
        period_end = _months_later(dt.date(year, months, 1), 0)
        latest = _months_later(period_end, INTERIM_MONTHS_TO_COUNCIL)
        if interim > latest:
            found.append(
                Breach(
                    "delar-tva-manader",
                    "delar",
                    f"beslut {interim.isoformat()} är efter {latest.isoformat()}: delårsrapporten "
                    f"för perioden till och med {period_end.isoformat()} ska nå fullmäktige "
                    "inom två månader",
                )
            )
    annual = decisions.get("arsredovisning")
    if annual is not None:
        latest = dt.date(year + 1, *DISCHARGE_LATEST)
        if annual > latest:
            found.append(
                Breach(
                    "ansvarsfrihet-juni",
                    "arsredovisning",
                    f"fullmäktiges beslut om årsredovisningen {annual.isoformat()} är efter "
                    f"{latest.isoformat()}: fullmäktige ska godkänna den och besluta om "
                    "ansvarsfrihet före juni månads utgång",
                )
            )
    return found


def explain_override() -> str:
    """How a configuration accepts a breach, for the end of an error message (Swedish)."""
    return (
        "Ändra datumen under [calendar], eller godta avsteget med ett skriftligt skäl: "
        '[[calendar.override]] med check = "NYCKEL", reason = "skälet" och '
        "vid behov year = ÅR. Nycklarna: " + ", ".join(CHECKS)
    )
