"""Checking a post against its form and its file: what to store, or the form again.

A post that validates becomes a :class:`Checked`, which
:mod:`arshjul.portal.storing` stores; one that does not gets the form back
with every error beside its field, and nothing is written.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from arshjul.forms.base import StageForm, validate_form
from arshjul.forms.present import collect
from arshjul.lifecycle.submissions import current_submission
from arshjul.models import Attachment, Submission, stored_id
from arshjul.portal.access import Page
from arshjul.portal.attachments import AttachmentRefused, check_attachment
from arshjul.portal.form import form_page
from arshjul.portal.intake import Posted


@dataclass
class Checked:
    """A post that validated: what will be stored."""

    model: StageForm
    files: list[tuple[str, str, bytes]]
    context: dict[str, Any]


def check(
    session: Session, page: Page, posted: Posted, *, now: dt.datetime, limit: int
) -> Checked | str:
    """Validate a post: what to store, or the form again with every error beside its field."""
    context = page.facts.context()
    data = collect(page.form, posted.fields, context)
    errors: dict[str, str] = {}
    files: list[tuple[str, str, bytes]] = []
    if posted.filename:
        try:
            checked = check_attachment(posted.filename, posted.content, limit=limit)
        except AttachmentRefused as exc:
            errors["attachment"] = exc.message
        else:
            files = [(checked.filename, checked.content_type, checked.content)]
    elif posted.fields.get("keep_attachment") == "ja":
        kept = _files(session, current_submission(session, stored_id(page.request)))
        files = [(a.filename, a.content_type, a.content) for a in kept]
    if files:
        data["attachment"] = files[0][0]
    model, problems = validate_form(page.form, data, context)
    errors = {**problems, **errors}
    if model is not None and not errors:
        return Checked(model, files, context)
    note = None
    if files and posted.filename and "attachment" not in errors:
        note = f"Filen ”{files[0][0]}” sparades inte eftersom formuläret hade fel: välj den igen."
    return form_page(
        session, page, now=now, limit=limit, values=posted.fields, errors=errors, file_note=note
    )


def _files(session: Session, submission: Submission | None) -> list[Attachment]:
    """A version's attachments with their content (to carry them to a new version)."""
    if submission is None:
        return []
    return list(
        session.exec(
            select(Attachment)
            .where(Attachment.submission_id == submission.id)
            .order_by(col(Attachment.id))
        ).all()
    )
