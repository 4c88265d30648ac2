"""Governing documents (styrdokument): their kinds, who may decide each, when to review them.

The governance model (section 6) has eight kinds. Five are political decisions, taken
by the council for the whole municipality and by the executive board or a committee for
its own area; three are administrative decisions, taken by the chief executive (after
consulting the management group) when they apply to every administration and by a
head of administration when they apply to one. This module is the one place that says
which deciding body fits which kind; the configuration, the import and the register's
checks call :func:`body_problem`.

A political document is reviewed once per term by default (the new council decides
whether its predecessors' programmes and policies still hold); an administrative one
every two years (an instruction or routine follows practice, which changes faster).
Both are defaults: ``[governing_documents] review_years`` sets them per kind.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from enum import StrEnum
from typing import TYPE_CHECKING

from arshjul.calendar.workdays import WORKING_DAYS
from arshjul.errors import ArshjulError
from arshjul.formats import format_date
from arshjul.governance.terms import TERM_YEARS
from arshjul.timezone import STOCKHOLM

if TYPE_CHECKING:  # the rows only as types: `arshjul calendar` loads no database layer
    from arshjul.models.governing import DocumentReview, GoverningDocument


class ReviewOutcome(StrEnum):
    """The owner's answer to a review request (stored as its value)."""

    UNCHANGED = "unchanged"
    REVISE = "revise"
    REPEAL = "repeal"


REVIEW_OUTCOME_SV = {
    ReviewOutcome.UNCHANGED: "oförändrat",
    ReviewOutcome.REVISE: "ska revideras",
    ReviewOutcome.REPEAL: "ska upphävas",
}


class DocumentKind(StrEnum):
    """The eight kinds of section 6 (the code's words; the users see :data:`KIND_SV`)."""

    POLICY = "policy"
    PROGRAMME = "programme"
    PLAN = "plan"  # handlingsplan/strategi
    GUIDELINE = "guideline"  # riktlinje
    REGULATION = "regulation"  # kommunal föreskrift: reglemente, delegationsordning, taxa
    JOINT_INSTRUCTION = "joint_instruction"  # gemensam anvisning (every administration)
    INSTRUCTION = "instruction"  # anvisning (one administration)
    ROUTINE = "routine"  # rutin


KIND_SV: dict[DocumentKind, str] = {
    DocumentKind.POLICY: "policy",
    DocumentKind.PROGRAMME: "program",
    DocumentKind.PLAN: "handlingsplan/strategi",
    DocumentKind.GUIDELINE: "riktlinje",
    DocumentKind.REGULATION: "kommunal föreskrift",
    DocumentKind.JOINT_INSTRUCTION: "gemensam anvisning",
    DocumentKind.INSTRUCTION: "anvisning",
    DocumentKind.ROUTINE: "rutin",
}

#: The Swedish words a register may use for a kind (folded: lower case, å ä ö as a a o),
#: the section's headings and the names of what it says a kind covers.
KIND_WORDS: dict[str, DocumentKind] = {
    **{kind.value: kind for kind in DocumentKind},
    "policy": DocumentKind.POLICY,
    "program": DocumentKind.PROGRAMME,
    "handlingsplan": DocumentKind.PLAN,
    "strategi": DocumentKind.PLAN,
    "handlingsplan strategi": DocumentKind.PLAN,
    "plan": DocumentKind.PLAN,
    "riktlinje": DocumentKind.GUIDELINE,
    "riktlinjer": DocumentKind.GUIDELINE,
    "kommunal foreskrift": DocumentKind.REGULATION,
    "kommunala foreskrifter": DocumentKind.REGULATION,
    "foreskrift": DocumentKind.REGULATION,
    "reglemente": DocumentKind.REGULATION,
    "delegationsordning": DocumentKind.REGULATION,
    "taxa": DocumentKind.REGULATION,
    "gemensam anvisning": DocumentKind.JOINT_INSTRUCTION,
    "gemensamma anvisningar": DocumentKind.JOINT_INSTRUCTION,
    "anvisning": DocumentKind.INSTRUCTION,
    "anvisningar": DocumentKind.INSTRUCTION,
    "rutin": DocumentKind.ROUTINE,
    "rutiner": DocumentKind.ROUTINE,
}

POLITICAL_KINDS = frozenset(
    {
        DocumentKind.POLICY,
        DocumentKind.PROGRAMME,
        DocumentKind.PLAN,
        DocumentKind.GUIDELINE,
        DocumentKind.REGULATION,
    }
)


class DecidingBody(StrEnum):
    """Who decides a governing document."""

    COUNCIL = "council"
    EXECUTIVE_BOARD = "executive_board"
    COMMITTEE = "committee"
    CHIEF_EXECUTIVE = "chief_executive"
    HEAD_OF_ADMINISTRATION = "head_of_administration"


BODY_SV: dict[DecidingBody, str] = {
    DecidingBody.COUNCIL: "kommunfullmäktige",
    DecidingBody.EXECUTIVE_BOARD: "kommunstyrelsen",
    DecidingBody.COMMITTEE: "en nämnd",
    DecidingBody.CHIEF_EXECUTIVE: "kommundirektören",
    DecidingBody.HEAD_OF_ADMINISTRATION: "en förvaltningschef",
}

#: The body a unit of the organisation decides as: an administration's decision is its
#: head's. A company or federation decides no governing document of the municipality's.
BODY_OF_UNIT_KIND: dict[str, DecidingBody] = {
    "council": DecidingBody.COUNCIL,
    "executive_board": DecidingBody.EXECUTIVE_BOARD,
    "committee": DecidingBody.COMMITTEE,
    "administration": DecidingBody.HEAD_OF_ADMINISTRATION,
}

#: The political bodies: a political document is decided by one of them.
POLITICAL_BODIES = frozenset(
    {DecidingBody.COUNCIL, DecidingBody.EXECUTIVE_BOARD, DecidingBody.COMMITTEE}
)

#: Section 6: political kinds by the council, the board or a committee; a joint
#: instruction (every administration) by the chief executive; an instruction (one
#: administration) by its head; a routine (an administration's, an operation's or a
#: unit's process) by its head, or by the chief executive for the central office's own.
FITTING_BODIES: dict[DocumentKind, frozenset[DecidingBody]] = {
    **{kind: POLITICAL_BODIES for kind in POLITICAL_KINDS},
    DocumentKind.JOINT_INSTRUCTION: frozenset({DecidingBody.CHIEF_EXECUTIVE}),
    DocumentKind.INSTRUCTION: frozenset({DecidingBody.HEAD_OF_ADMINISTRATION}),
    DocumentKind.ROUTINE: frozenset(
        {DecidingBody.CHIEF_EXECUTIVE, DecidingBody.HEAD_OF_ADMINISTRATION}
    ),
}

#: Administrative documents are reviewed every two years unless configured otherwise.
ADMINISTRATIVE_REVIEW_YEARS = 2
#: How many days before its review date a document's owner is asked to review it.
DEFAULT_NOTICE_DAYS = 90


def is_political(kind: DocumentKind) -> bool:
    """A political decision (policy … föreskrift), not an administrative one."""
    return kind in POLITICAL_KINDS


def kind_phrase(kind: DocumentKind) -> str:
    """``en policy, ett politiskt styrdokument`` as a message names a kind."""
    nature = "ett politiskt styrdokument" if is_political(kind) else "ett förvaltningsbeslut"
    article = "ett" if kind == DocumentKind.PROGRAMME else "en"
    return f"{article} {KIND_SV[kind]}, {nature}"


def _listing(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " eller " + words[-1]


def fitting_bodies_phrase(kind: DocumentKind) -> str:
    """``kommunfullmäktige, kommunstyrelsen eller en nämnd``: who may decide ``kind``."""
    return _listing([BODY_SV[b] for b in DecidingBody if b in FITTING_BODIES[kind]])


def body_problem(
    kind: DocumentKind, body: DecidingBody, *, title: str, body_name: str | None = None
) -> str | None:
    """The Swedish reason a body may not decide a document of ``kind``; None when it may.

    ``body_name`` is the body as the user wrote or the register knows it
    (``Socialnämnden``); without it the body's generic name is used.
    """
    if body in FITTING_BODIES[kind]:
        return None
    named = body_name or BODY_SV[body].removeprefix("en ")
    return (
        f"”{title}” är {kind_phrase(kind)}, och beslutas av {fitting_bodies_phrase(kind)}, "
        f"inte av {named}"
    )


def default_review_years(kind: DocumentKind) -> int:
    """Once per term (four years) for a political document; two years for an administrative."""
    return TERM_YEARS if is_political(kind) else ADMINISTRATIVE_REVIEW_YEARS


def review_years(kind: DocumentKind, configured: Mapping[DocumentKind, int]) -> int:
    """The review interval for ``kind``: the configured one, else the default."""
    return configured.get(kind, default_review_years(kind))


def next_review(decided_on: dt.date, years: int) -> dt.date:
    """The day ``years`` after the decision (29 February → 28 February)."""
    try:
        return decided_on.replace(year=decided_on.year + years)
    except ValueError:
        return decided_on.replace(year=decided_on.year + years, day=28)


def review_date_problem(decided_on: dt.date, next_review_on: dt.date) -> str | None:
    """A review date on or before the decision is a mistake (a swapped column, a typo)."""
    if next_review_on <= decided_on:
        return (
            f"nästa översyn {next_review_on.isoformat()} ligger inte efter beslutet "
            f"{decided_on.isoformat()}"
        )
    return None


class ReviewStatus(StrEnum):
    """Where a document in force stands with its review on a given day."""

    CURRENT = "current"  # not yet time to ask
    DUE = "due"  # within the notice period: the owner is asked
    OVERDUE = "overdue"  # the review date has passed without an answer


REVIEW_STATUS_SV = {
    ReviewStatus.CURRENT: "aktuell",
    ReviewStatus.DUE: "översyn begärd",
    ReviewStatus.OVERDUE: "översyn försenad",
}


def review_status(
    next_review_on: dt.date, today: dt.date, *, notice_days: int = DEFAULT_NOTICE_DAYS
) -> ReviewStatus:
    """Current until ``notice_days`` before the review date, due until it, overdue after."""
    if today > next_review_on:
        return ReviewStatus.OVERDUE
    if today >= next_review_on - dt.timedelta(days=notice_days):
        return ReviewStatus.DUE
    return ReviewStatus.CURRENT


def review_working_days_late(next_review_on: dt.date, today: dt.date) -> int:
    """Swedish working days since the review date, 0 on or before it (as a late submission)."""
    if today <= next_review_on:
        return 0
    return WORKING_DAYS.working_days_between(next_review_on, today)


def answer_review(
    review: DocumentReview,
    document: GoverningDocument,
    *,
    outcome: ReviewOutcome,
    answered_by: str,
    as_of: dt.datetime,
    revise_by: dt.date | None = None,
    comment: str = "",
) -> None:
    """The owner's answer and what it means for the document, set on both (the caller
    stores them).

    Unchanged: reviewed today, next review one interval from today. To be revised:
    ``revise_by`` is required (and after today); the version stays in force until the
    revised one is decided. To be repealed: the proposal is recorded; the document
    stays in force until the deciding body repeals it. A review answered once is not
    answered again (a second answer is refused, naming the first).
    """
    today = as_of.astimezone(STOCKHOLM).date()
    if review.outcome is not None:
        first = REVIEW_OUTCOME_SV[ReviewOutcome(review.outcome)]
        raise ArshjulError(f"Översynen av ”{document.title}” är redan besvarad: {first}.")
    if outcome == ReviewOutcome.REVISE and (revise_by is None or revise_by <= today):
        raise ArshjulError(
            f"”{document.title}” ska revideras: ange ett datum efter {format_date(today)} "
            "då det reviderade dokumentet ska vara klart."
        )
    review.outcome = outcome
    review.revise_by = revise_by if outcome == ReviewOutcome.REVISE else None
    review.comment = comment
    review.answered_at = as_of
    review.answered_by = answered_by
    document.last_reviewed_on = today
    if outcome == ReviewOutcome.UNCHANGED:
        document.next_review_on = next_review(today, document.review_interval_years)
