"""Reviews of governing documents as part of the year: asked, escalated, answered, counted.

The daily watch calls two steps (``arshjul/lifecycle/watch.py``):

1. :func:`queue_review_requests`: a document in force whose review is due (from
   ``[governing_documents] notice_days`` before its review date, or overdue) gets one
   :class:`~arshjul.models.DocumentReview` for that date and an e-mail to its owner's
   contact (the unit's secretary, an administration's head, as a submission request);
2. :func:`queue_review_escalations`: a review not answered a working day after the
   review date goes to the owner's head of administration (the controller in copy),
   ``chief_escalation_after_working_days`` later to the chief executive, as a late
   submission does.

Both only with ``[governing_documents] ask_owners`` (the default). The shipped Arboga
file turns it off: its register's dates are made up, and nobody should be e-mailed
about them.

**Idempotent.** A review is unique per document and review date, and each e-mail is
keyed in the outbox (``oversyn:{review}``, ``oversyn-eskalering:{review}:{level}``), so
any number of watches ask once and escalate once per level.

The owner's answer (:func:`record_review_answer`): unchanged (the next review is one
interval from the answer), to be revised by a date (the revised version is a new
decision, registered by ``arshjul import styrdokument`` and superseding this one), or
to be repealed. The rules of when a review is due and how late it is are
:mod:`arshjul.governance.documents`'.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import and_, or_
from sqlmodel import Session, col, select

from arshjul.config.stored import municipality_config
from arshjul.formats import format_date
from arshjul.governance.documents import (
    KIND_SV,
    REVIEW_OUTCOME_SV,
    DocumentKind,
    ReviewOutcome,
    ReviewStatus,
    answer_review,
    is_political,
    review_status,
    review_working_days_late,
)
from arshjul.governance.terms import term_of
from arshjul.links import new_salt, review_placeholder
from arshjul.mail.outbox import enqueue
from arshjul.models import (
    Contact,
    DocumentReview,
    DocumentState,
    GoverningDocument,
    Municipality,
    OrgUnit,
)
from arshjul.models.base import stored_id
from arshjul.queries.governing import documents_in_force
from arshjul.queries.organisation import (
    controller_for,
    escalation_recipients,
    recipients_for_request,
)
from arshjul.timezone import STOCKHOLM


def queue_review_requests(
    session: Session, *, municipality: Municipality, as_of: dt.datetime
) -> int:
    """Ask the owner of every document whose review is due; the number asked now.

    A document already asked for its present review date is not asked again; a
    document whose review date has moved (answered unchanged, or a new version) is
    asked again when the new date comes near.
    """
    register = municipality_config(municipality).governing_documents
    if not register.ask_owners:
        return 0
    mid = stored_id(municipality)
    notice = register.notice_days
    today = as_of.astimezone(STOCKHOLM).date()
    asked = 0
    for document in documents_in_force(session, municipality_id=mid):
        if review_status(document.next_review_on, today, notice_days=notice) == (
            ReviewStatus.CURRENT
        ):
            continue
        if _review_for(session, document) is not None:
            continue
        review = DocumentReview(
            municipality_id=mid,
            document_id=stored_id(document),
            due_on=document.next_review_on,
            requested_at=as_of,
            token_salt=new_salt(),
        )
        session.add(review)
        session.flush()
        owner = _unit(session, document.owner_unit_id)
        controller = controller_for(session, owner)
        to = [(c.name, c.email) for c in recipients_for_request(session, owner)]
        if not to and controller is not None:
            to = [(controller.name, controller.email)]
        if to and enqueue(
            session,
            municipality=municipality,
            dedup_key=f"oversyn:{review.id}",
            purpose="review_request",
            template="notification",
            context=_request_context(document, owner, controller, stored_id(review)),
            to=to,
            reply_to=controller.email if controller else None,
            new_key=True,
        ):
            asked += 1
    session.flush()
    return asked


def queue_review_escalations(
    session: Session, *, municipality: Municipality, as_of: dt.datetime
) -> int:
    """Escalate every unanswered review past its date, as a late submission; how many now.

    A review answered "to be revised" by a date that has passed while the version is
    still in force (no new decision registered) is late in the same way, counted from
    that date: the answer promised a revision, and none has come.
    """
    config = municipality_config(municipality)
    if not config.governing_documents.ask_owners:
        return 0
    mid = stored_id(municipality)
    chief_after = config.watch.chief_escalation_after_working_days
    today = as_of.astimezone(STOCKHOLM).date()
    queued = 0
    reviews = session.exec(
        select(DocumentReview)
        .where(
            DocumentReview.municipality_id == mid,
            or_(
                and_(col(DocumentReview.outcome).is_(None), col(DocumentReview.due_on) < today),
                and_(
                    col(DocumentReview.outcome) == ReviewOutcome.REVISE,
                    col(DocumentReview.revise_by) < today,
                ),
            ),
        )
        .order_by(col(DocumentReview.id))
    ).all()
    for review in reviews:
        document = session.get(GoverningDocument, review.document_id)
        assert document is not None
        if document.state != DocumentState.IN_FORCE:
            continue  # replaced or repealed meanwhile: nothing left to review
        since = review.revise_by if review.outcome == ReviewOutcome.REVISE else review.due_on
        assert since is not None
        late = review_working_days_late(since, today)
        for level, after in ((1, 1), (2, chief_after)):
            if late >= after and _escalate(session, municipality, review, document, level, late):
                queued += 1
    session.flush()
    return queued


def record_review_answer(
    session: Session,
    *,
    review: DocumentReview,
    outcome: ReviewOutcome,
    answered_by: str,
    as_of: dt.datetime,
    revise_by: dt.date | None = None,
    comment: str = "",
) -> GoverningDocument:
    """Store the owner's answer (the rule: :func:`governance.documents.answer_review`,
    which ``arshjul import styrdokument`` with an ``översyn`` column follows too)."""
    document = session.get(GoverningDocument, review.document_id)
    assert document is not None
    answer_review(
        review,
        document,
        outcome=outcome,
        answered_by=answered_by,
        as_of=as_of,
        revise_by=revise_by,
        comment=comment,
    )
    session.add(review)
    session.add(document)
    session.flush()
    return document


@dataclass(frozen=True)
class RegisterCounts:
    """The register in a year's overview: reviewed in the year, due and overdue now.

    The titles name the documents (``_what``: title, kind, paragraph, date), in the
    register's order, for the overview's list of what needs action and the annual
    report's section on governance.
    """

    reviewed: int
    due: int
    overdue: int
    in_force: int = 0
    reviewed_titles: tuple[str, ...] = ()
    due_titles: tuple[str, ...] = ()
    overdue_titles: tuple[str, ...] = ()


def register_counts(
    session: Session, *, municipality: Municipality, year: int, as_of: dt.datetime
) -> RegisterCounts:
    """Documents reviewed in ``year`` (answered reviews), and those due and overdue today.

    Due: in force, within the notice period and not answered for that date; overdue:
    past the review date and not answered.
    """
    mid = stored_id(municipality)
    notice = municipality_config(municipality).governing_documents.notice_days
    today = as_of.astimezone(STOCKHOLM).date()
    answered = session.exec(
        select(DocumentReview).where(
            DocumentReview.municipality_id == mid,
            col(DocumentReview.outcome).is_not(None),
        )
    ).all()
    reviewed = {
        r.document_id: r
        for r in sorted(answered, key=lambda r: r.document_id)
        if r.answered_at is not None and r.answered_at.astimezone(STOCKHOLM).year == year
    }
    reviewed_titles = []
    for document_id, answer in reviewed.items():
        document = session.get(GoverningDocument, document_id)
        assert document is not None and answer.outcome is not None
        reviewed_titles.append(
            f"{_what(document)}: {_outcome_sv(answer.outcome, answer.revise_by)}"
        )
    due: list[str] = []
    overdue: list[str] = []
    in_force = documents_in_force(session, municipality_id=mid)
    for document in in_force:
        review = _review_for(session, document)
        if review is not None and review.outcome is not None:
            # A promised revision whose date has passed, with no new decision, is overdue.
            if (
                review.outcome == ReviewOutcome.REVISE
                and review.revise_by is not None
                and review.revise_by < today
            ):
                overdue.append(
                    f"{_what(document)}: revidering utlovad {format_date(review.revise_by)}"
                )
            continue
        status = review_status(document.next_review_on, today, notice_days=notice)
        when = f"{_what(document)}: översyn senast {format_date(document.next_review_on)}"
        if status == ReviewStatus.DUE:
            due.append(when)
        elif status == ReviewStatus.OVERDUE:
            overdue.append(when)
    return RegisterCounts(
        reviewed=len(reviewed),
        due=len(due),
        overdue=len(overdue),
        in_force=len(in_force),
        reviewed_titles=tuple(reviewed_titles),
        due_titles=tuple(due),
        overdue_titles=tuple(overdue),
    )


def _outcome_sv(outcome: str, revise_by: dt.date | None) -> str:
    words = REVIEW_OUTCOME_SV[ReviewOutcome(outcome)]
    return f"{words} till {format_date(revise_by)}" if revise_by else words


# --------------------------------------------------------------------------- helpers
def _review_for(session: Session, document: GoverningDocument) -> DocumentReview | None:
    """The review asked for the document's present review date, if any."""
    return session.exec(
        select(DocumentReview).where(
            DocumentReview.document_id == document.id,
            DocumentReview.due_on == document.next_review_on,
        )
    ).first()


def _unit(session: Session, unit_id: int) -> OrgUnit:
    unit = session.get(OrgUnit, unit_id)
    assert unit is not None
    return unit


def _what(document: GoverningDocument) -> str:
    """``Finanspolicy (policy, KF § 112, 26 oktober 2023)``."""
    decided = ", ".join(
        part
        for part in (
            KIND_SV[DocumentKind(document.kind)],
            document.paragraph,
            format_date(document.decided_on),
        )
        if part
    )
    return f"{document.title} ({decided})"


def _request_context(
    document: GoverningDocument, owner: OrgUnit, controller: Contact | None, review_id: int
) -> dict[str, object]:
    asked = "controllern" if controller is not None else "ekonomiavdelningen"
    paragraphs = [
        f"{owner.name} äger styrdokumentet {_what(document)}. Det ska ses över senast "
        f"{format_date(document.next_review_on)}.",
        "Svara med ett av tre besked: oförändrat (dokumentet gäller som det är), ska "
        "revideras (ange när det reviderade dokumentet ska vara klart) eller ska upphävas.",
        "Lämna beskedet på sidan som länken öppnar; länken är personlig. Frågor besvaras av "
        f"{asked}. Ett nytt beslut om ett reviderat dokument registreras som en ny version; "
        "den gamla sparas.",
    ]
    if document.file:
        paragraphs.append(f"Dokumentet: {document.file}")
    return {
        "subject_text": (
            f"Översyn av styrdokument: {document.title}, senast "
            f"{format_date(document.next_review_on)}"
        ),
        "heading": f"Dags att se över {document.title}",
        "paragraphs": paragraphs,
        "link": review_placeholder(review_id),
        "link_text": "Lämna beskedet",
    }


def _escalate(
    session: Session,
    municipality: Municipality,
    review: DocumentReview,
    document: GoverningDocument,
    level: int,
    days_late: int,
) -> bool:
    """One escalation of a late review, at most once per level (the outbox's key)."""
    owner = _unit(session, document.owner_unit_id)
    controller = controller_for(session, owner)
    to, cc = escalation_recipients(session, owner, level)
    who = "förvaltningschef" if level == 1 else "kommundirektören"
    if not to:
        return False
    days = f"{days_late} {'arbetsdag' if days_late == 1 else 'arbetsdagar'}"
    if review.outcome == ReviewOutcome.REVISE and review.revise_by is not None:
        key = f"oversyn-revidering:{review.id}:{level}"
        subject = f"Eskalering: revideringen av {document.title} är försenad"
        heading = "Eskalering: reviderat styrdokument saknas"
        what = (
            f"{owner.name} svarade att {_what(document)} ska revideras senast "
            f"{format_date(review.revise_by)}, för {days} sedan. Inget nytt beslut är "
            "registrerat."
        )
    else:
        key = f"oversyn-eskalering:{review.id}:{level}"
        subject = f"Eskalering: översynen av {document.title} är försenad"
        heading = "Eskalering: översyn av styrdokument saknas"
        what = (
            f"{owner.name} har inte besvarat översynen av {_what(document)}. Den "
            f"skulle vara klar {format_date(review.due_on)}, för {days} sedan."
        )
    message = enqueue(
        session,
        municipality=municipality,
        dedup_key=key,
        purpose="review_escalation",
        template="notification",
        context={
            "subject_text": subject,
            "heading": heading,
            "paragraphs": [
                what,
                (
                    f"Du får det här som {who} för {owner.name}. Se till att ägaren svarar: "
                    "oförändrat, ska revideras (med datum) eller ska upphävas."
                    if level == 1
                    else "Översynen saknas fortfarande, trots en eskalering till "
                    "förvaltningschef och controller. Ärendet går därför vidare till "
                    "kommundirektören."
                ),
            ],
        },
        to=to,
        cc=cc,
        reply_to=controller.email if controller else None,
    )
    return message is not None


def political_documents_due_in_term(
    session: Session, *, municipality: Municipality, election_year: int
) -> list[GoverningDocument]:
    """The political documents in force whose review falls due before the new term ends.

    For the political review stage of an election year (``politisk-oversyn``): the new
    council's term is the four years after the election (2026 → 2027–2030), and every
    policy, programme, plan, guideline and regulation due by its end, or already
    overdue, is one it must take a position on. By review date, then title.
    """
    term = term_of(election_year + 1)
    last_day = dt.date(term.end, 12, 31)
    return [
        document
        for document in documents_in_force(session, municipality_id=stored_id(municipality))
        if is_political(DocumentKind(document.kind)) and document.next_review_on <= last_day
    ]
