"""The receipt page: what one version of a request holds, as stored."""

from __future__ import annotations

from sqlmodel import Session, select

from arshjul.forms.present import describe
from arshjul.models import Submission
from arshjul.portal.access import Page
from arshjul.portal.errors import Refusal
from arshjul.portal.form import file_names
from arshjul.portal.views import render


def receipt_page(session: Session, page: Page, version: str) -> str:
    """What one version holds, as stored; a 404 :class:`Refusal` for one that does not exist."""
    number = int(version) if version.isascii() and version.isdigit() and len(version) < 9 else 0
    submission = session.exec(
        select(Submission).where(
            Submission.request_id == page.request.id, Submission.version == number
        )
    ).first()
    if submission is None:
        raise Refusal(
            404,
            "Versionen finns inte",
            [f"Det finns ingen version {version} av underlaget.", "Använd länken i e-posten."],
        )
    return render(
        "receipt.html.j2",
        **page.base_context(session, f"Kvitto version {submission.version}"),
        submission=submission,
        items=describe(page.form, submission.data, page.facts.context(), attachment=False),
        files=file_names(session, submission),
        form_link=page.link,
    )
