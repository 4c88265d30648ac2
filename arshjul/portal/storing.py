"""Storing a post's version against its link's limits, and the answer when one refuses it.

The limits are the municipality's ``[portal]`` section: versions a minute,
versions in all and the attachment quota of a link, counted and checked when
a version is stored (:mod:`arshjul.lifecycle.submissions`). A request past
its deadline and grace period is closed to new versions.
"""

from __future__ import annotations

import datetime as dt

from fastapi.responses import HTMLResponse
from sqlmodel import Session

from arshjul.config.schema import PortalConfig
from arshjul.forms.present import describe
from arshjul.lifecycle.submissions import (
    SubmissionClosed,
    SubmissionLimited,
    portal_limits,
    store_submission,
)
from arshjul.portal.access import Page
from arshjul.portal.attachments import format_size
from arshjul.portal.checking import Checked
from arshjul.portal.errors import Refusal, message_page
from arshjul.portal.form import form_page
from arshjul.portal.intake import Posted
from arshjul.portal.state import Portal

# Where a long text is cut in the receipt e-mail's summary of what was stored.
SUMMARY_LIMIT = 200


def store_version(
    portal: Portal, session: Session, page: Page, checked: Checked, *, now: dt.datetime, client: str
) -> int:
    """Store a checked post and commit; the new version's number.

    A refusal (closed, over a limit) is rolled back inside the write lock, so
    that SQLite's writer is free before the next post in this process goes on.
    Once the version and its receipt are committed, the receipt is on its way
    (:mod:`~arshjul.portal.receipt_mail`); the answer does not wait for it.
    """
    limits = portal_limits(page.municipality)
    with portal.write_lock:
        try:
            version = _store(
                session, page, checked, now=now, origin=f"portal {client}", limits=limits
            )
            session.commit()
        except (SubmissionClosed, SubmissionLimited):
            session.rollback()
            raise
    portal.receipts.wake()
    return version


def _store(
    session: Session,
    page: Page,
    checked: Checked,
    *,
    now: dt.datetime,
    origin: str,
    limits: PortalConfig,
) -> int:
    """Store a checked post as the new current version and queue its receipt; its number.

    Raises :class:`SubmissionClosed` past the grace period and
    :class:`SubmissionLimited` over one of ``limits``; the caller commits, or
    rolls back on either.
    """
    data = checked.model.stage_data()
    submission = store_submission(
        session,
        request=page.request,
        data=data,
        submitted_by=checked.model.submitted_by,
        as_of=now,
        channel="portal",
        origin=origin,
        attachments=checked.files,
        summary=describe(page.form, data, checked.context, limit=SUMMARY_LIMIT),
        limits=limits,
    )
    return submission.version


def refused_version(
    session: Session,
    page: Page,
    posted: Posted,
    exc: SubmissionClosed | SubmissionLimited,
    *,
    now: dt.datetime,
    limit: int,
) -> HTMLResponse:
    """The page for a version not stored: closed (410), over the quota (413, the form kept),
    too fast (429, with Retry-After) or too many (409)."""
    if isinstance(exc, SubmissionClosed):
        return HTMLResponse(_closed_page(session, page, exc), status_code=410)
    if exc.kind == "quota":
        return HTMLResponse(
            _quota_page(session, page, posted, exc, now=now, limit=limit), status_code=413
        )
    retry = {"Retry-After": str(exc.retry_after)} if exc.retry_after else None
    status = 429 if exc.kind == "rate" else 409
    return HTMLResponse(_limited_page(session, page, exc), status_code=status, headers=retry)


def _closed_page(session: Session, page: Page, exc: SubmissionClosed) -> str:
    """The answer when the request closed while the form was being filled in."""
    refusal = Refusal(410, "Tiden för att lämna underlag har gått ut", [exc.message])
    return message_page(
        refusal,
        root=page.root,
        municipality_name=page.municipality.name,
        controller=page.controller(session),
    )


def _quota_page(
    session: Session,
    page: Page,
    posted: Posted,
    exc: SubmissionLimited,
    *,
    now: dt.datetime,
    limit: int,
) -> str:
    """The form again, with why the file does not fit beside the file input."""
    room = (
        f"bilagorna i underlagets alla versioner får tillsammans vara högst "
        f"{format_size(exc.limit)}, och {format_size(exc.used)} är redan sparat."
    )
    if posted.filename:
        error = (
            f"Filen ({format_size(exc.adding)}) ryms inte: {room} "
            "Välj en mindre fil, eller kontakta kommunens controller."
        )
    else:
        error = (
            f"Den bifogade filen ({format_size(exc.adding)}) ryms inte i en ny version: {room} "
            "Ta bort bocken vid ”Behåll den bifogade filen”, eller kontakta kommunens controller."
        )
    return form_page(
        session,
        page,
        now=now,
        limit=limit,
        values=posted.fields,
        errors={"attachment": error},
    )


def _limited_page(session: Session, page: Page, exc: SubmissionLimited) -> str:
    """The answer to a post over the rate or the number of versions (nothing was stored)."""
    facts = page.facts
    if exc.kind == "rate":
        refusal = Refusal(
            429,
            "För många inlämningar på kort tid",
            [
                f"Underlaget från {facts.unit.name} har skickats in {exc.limit} gånger den "
                "senaste minuten, och fler tas inte emot så tätt. "
                "Det du skickade nu har inte sparats.",
                f"Vänta {_seconds(exc.retry_after or 60)} och skicka igen. Gå tillbaka i "
                "webbläsaren, så finns det du fyllt i oftast kvar (en vald fil behöver "
                "väljas på nytt).",
            ],
        )
    else:
        refusal = Refusal(
            409,
            "Underlaget har redan så många versioner som tas emot",
            [
                f"Underlaget från {facts.unit.name} till {facts.stage.name} {facts.year} har "
                f"{exc.used} versioner, och fler än {exc.limit} tas inte emot via webbsidan. "
                "Det du skickade nu har inte sparats.",
                f"Version {exc.used} är den som gäller. Behöver den ändras? Kontakta "
                f"{_contact(session, page)}, som kan lämna ändringen åt er.",
            ],
        )
    return message_page(
        refusal,
        root=page.root,
        municipality_name=page.municipality.name,
        controller=page.controller(session),
    )


def _contact(session: Session, page: Page) -> str:
    """Whom to ask, as a sentence names them."""
    controller = page.controller(session)
    return f"{controller.name} ({controller.email})" if controller else "kommunens controller"


def _seconds(n: int) -> str:
    return "1 sekund" if n == 1 else f"{n} sekunder"
