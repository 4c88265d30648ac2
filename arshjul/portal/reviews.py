"""The page where a governing document's owner answers its review (``/oversyn/{id}/{token}``).

The watch asks the owner by e-mail (``arshjul/lifecycle/reviews.py``); the link opens a
page with the document and three answers: unchanged, to be revised by a date, to be
repealed, and a comment. The answer is stored by the same rule as an imported one
(:func:`arshjul.lifecycle.reviews.record_review_answer`) and is final: the page then
shows it, and a changed mind goes through the controller.

The token is an HMAC of the review and its salt under the installation's key
(:func:`arshjul.links.derive_review_token`), compared in constant time; every link that
does not open a review gets the same answer as a bad request link.
"""

from __future__ import annotations

import datetime as dt
import hmac
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session

from arshjul.errors import ArshjulError
from arshjul.formats import format_date
from arshjul.governance.documents import (
    KIND_SV,
    REVIEW_OUTCOME_SV,
    DocumentKind,
    ReviewOutcome,
)
from arshjul.lifecycle.reviews import record_review_answer
from arshjul.links import derive_review_token
from arshjul.models import (
    DocumentReview,
    DocumentState,
    GoverningDocument,
    Municipality,
    OrgUnit,
)
from arshjul.portal.access import bad_link
from arshjul.portal.errors import Refusal, message_response
from arshjul.portal.intake import Posted, client_of, read_posted
from arshjul.portal.state import portal_of, root_of
from arshjul.portal.views import render

router = APIRouter()

#: The answers in the order the page offers them.
OUTCOMES = (ReviewOutcome.UNCHANGED, ReviewOutcome.REVISE, ReviewOutcome.REPEAL)
COMMENT_MAX = 2000
NAME_MAX = 200


@dataclass
class Opened:
    """What a review link opens."""

    review: DocumentReview
    document: GoverningDocument
    municipality: Municipality
    owner: OrgUnit
    link: str


def _open(request: Request, session: Session, review_id: str, token: str) -> Opened:
    """The review the link opens, or a :class:`Refusal` (the same for every bad link)."""
    portal = portal_of(request)
    plain = review_id.isascii() and review_id.isdigit() and len(review_id) <= 18
    review = session.get(DocumentReview, int(review_id)) if plain else None
    try:
        key = portal.settings.link_key()
    except ArshjulError:
        raise Refusal(
            503,
            "Översynen kan inte besvaras just nu",
            ["Webbsidan saknar nyckeln till länkarna. Kontakta kommunens controller."],
        ) from None
    salt = review.token_salt if review is not None and review.token_salt else "-"
    # Derived and compared even for a review that does not exist: a miss takes as long.
    expected = derive_review_token(key, int(review_id) if plain else 0, salt)
    matches = len(token) <= 128 and hmac.compare_digest(token.encode(), expected.encode())
    if review is None or not review.token_salt or not matches:
        raise bad_link()
    document = session.get(GoverningDocument, review.document_id)
    municipality = session.get(Municipality, review.municipality_id)
    assert document is not None and municipality is not None
    owner = session.get(OrgUnit, document.owner_unit_id)
    assert owner is not None
    link = f"{root_of(request)}/oversyn/{review_id}/{token}"
    return Opened(review, document, municipality, owner, link)


def _page(
    request: Request,
    opened: Opened,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> HTMLResponse:
    document, review = opened.document, opened.review
    facts = [
        ("Styrdokument", document.title),
        ("Slag", KIND_SV[DocumentKind(document.kind)]),
        (
            "Beslut",
            ", ".join(p for p in (document.paragraph, format_date(document.decided_on)) if p),
        ),
        ("Ägare", opened.owner.name),
        ("Översyn senast", format_date(review.due_on)),
    ]
    answered = None
    if review.outcome is not None and review.answered_at is not None:
        answered = {
            "outcome": REVIEW_OUTCOME_SV[ReviewOutcome(review.outcome)],
            "revise_by": format_date(review.revise_by) if review.revise_by else "",
            "at": review.answered_at,
            "by": review.answered_by,
            "comment": review.comment,
        }
    closed = document.state != DocumentState.IN_FORCE and answered is None
    html = render(
        "review.html.j2",
        page_title=f"Översyn av {document.title}",
        root=root_of(request),
        municipality_name=opened.municipality.name,
        controller=None,
        facts=facts,
        file=document.file,
        answered=answered,
        closed=closed,
        outcomes=[(o.value, REVIEW_OUTCOME_SV[o]) for o in OUTCOMES],
        values=values or {},
        errors=errors or {},
    )
    return HTMLResponse(html, status_code=status)


def _checked(
    posted: Posted, today: dt.date
) -> tuple[ReviewOutcome, dt.date | None, str, str] | dict[str, str]:
    """The posted answer, or the errors by field (Swedish)."""
    fields = posted.fields
    errors: dict[str, str] = {}
    outcome = None
    try:
        outcome = ReviewOutcome(fields.get("besked", ""))
    except ValueError:
        errors["besked"] = "Välj ett av de tre beskeden."
    revise_by = None
    text = fields.get("revideras_senast", "").strip()
    if outcome == ReviewOutcome.REVISE:
        try:
            revise_by = dt.date.fromisoformat(text)
        except ValueError:
            errors["revideras_senast"] = (
                "Ange när det reviderade dokumentet ska vara klart, som ÅÅÅÅ-MM-DD."
                if text
                else "Ange när det reviderade dokumentet ska vara klart."
            )
        else:
            if revise_by <= today:
                errors["revideras_senast"] = "Datumet ska ligga efter i dag."
    comment = fields.get("kommentar", "").strip()
    if len(comment) > COMMENT_MAX:
        errors["kommentar"] = f"Högst {COMMENT_MAX} tecken."
    name = fields.get("namn", "").strip()
    if not name:
        errors["namn"] = "Skriv ditt namn, så att det syns vem som lämnade beskedet."
    elif len(name) > NAME_MAX:
        errors["namn"] = f"Högst {NAME_MAX} tecken."
    if errors or outcome is None:
        return errors
    return outcome, revise_by, comment, name


@router.get("/oversyn/{review_id}/{token}", response_class=HTMLResponse)
def show_review(review_id: str, token: str, request: Request) -> HTMLResponse:
    """The review: the document, and the answer or the form for it."""
    with Session(portal_of(request).engine) as session:
        try:
            opened = _open(request, session, review_id, token)
        except Refusal as refusal:
            return message_response(request, refusal)
        return _page(request, opened)


@router.post("/oversyn/{review_id}/{token}", response_class=HTMLResponse)
def answer_review(
    review_id: str,
    token: str,
    request: Request,
    posted: Annotated[Posted, Depends(read_posted)],
) -> Response:
    """Store the answer (303 back to the page, which shows it), or the form with its errors."""
    portal = portal_of(request)
    now = portal.clock()
    with portal.write_lock, Session(portal.engine, expire_on_commit=False) as session:
        try:
            opened = _open(request, session, review_id, token)
        except Refusal as refusal:
            return message_response(request, refusal)
        if posted.problem:
            return message_response(
                request, Refusal(400, "Formuläret kunde inte läsas", [posted.problem])
            )
        if opened.review.outcome is not None or opened.document.state != DocumentState.IN_FORCE:
            return _page(request, opened, status=409)
        checked = _checked(posted, now.date())
        if isinstance(checked, dict):
            return _page(request, opened, values=posted.fields, errors=checked, status=422)
        outcome, revise_by, comment, name = checked
        try:
            record_review_answer(
                session,
                review=opened.review,
                outcome=outcome,
                revise_by=revise_by,
                comment=comment,
                answered_by=f"{name} (webbsidan, {client_of(request)})"[:NAME_MAX],
                as_of=now,
            )
        except ArshjulError as refused:
            session.rollback()
            return _page(
                request, opened, values=posted.fields, errors={"besked": str(refused)}, status=422
            )
        session.commit()
        return RedirectResponse(opened.link, status_code=303)
