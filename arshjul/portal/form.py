"""The form page: a request's inputs, prefilled, with their errors and the versions so far.

Shown prefilled with the current version when the link is opened, and again
with what was posted and each error beside its field when a post does not
validate (:mod:`arshjul.portal.checking`) or its file does not fit
(:mod:`arshjul.portal.storing`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlmodel import Session, col, select
from sqlmodel.sql.expression import Select

from arshjul.forms.present import values_from_data
from arshjul.lifecycle.submissions import current_submission
from arshjul.models import Attachment, Submission, SubmissionRequest, stored_id
from arshjul.models.organisation import UNIT_KIND_SV
from arshjul.portal.access import Page
from arshjul.portal.attachments import format_size
from arshjul.portal.views import InputView, build_inputs, error_summary, render


def form_page(
    session: Session,
    page: Page,
    *,
    now: dt.datetime,
    limit: int,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    file_note: str | None = None,
) -> str:
    """The form: prefilled with the current version, or with what was just posted."""
    errors = errors or {}
    current = current_submission(session, stored_id(page.request))
    if values is None:
        values = values_from_data(page.form, current.data, current.submitted_by) if current else {}
        keep = True
    else:
        keep = values.get("keep_attachment") == "ja"
    inputs = build_inputs(page.form, page.facts, values, errors)
    name_field = InputView(
        "text",
        "submitted_by",
        "Inlämnat av",
        hint="Ditt namn (och gärna din roll). Det står på kvittot.",
        required=True,
        value=values.get("submitted_by", ""),
        error=errors.get("submitted_by"),
        max_length=200,
    )
    file_field = _file_input(limit, errors.get("attachment"))
    summary = error_summary([*inputs, file_field, name_field], errors)
    versions = _history(session, page.request)
    title = page.form.title
    return render(
        "form.html.j2",
        **page.base_context(session, ("Fel: " if summary else "") + title),
        unit_kind_label=UNIT_KIND_SV.get(page.facts.unit.kind, "enhet").capitalize(),
        late_now=now > page.request.deadline_at,
        current=current,
        current_files=file_names(session, current),
        keep_attachment=keep,
        versions=versions,
        receipt_base=f"{page.link}/kvitto",
        figures=page.facts.figures,
        form_title=title,
        inputs=inputs,
        name_field=name_field,
        file_field=file_field,
        file_note=file_note,
        summary=summary,
    )


def _file_input(limit: int, error: str | None) -> InputView:
    """The file input, with what it takes."""
    return InputView(
        "file",
        "attachment",
        "Välj en fil",
        hint=f"Word (.docx), PDF eller Excel (.xlsx), högst {format_size(limit)}. "
        "Filer med makron tas inte emot.",
        error=error,
    )


def _history(session: Session, request: SubmissionRequest) -> list[Any]:
    """The request's versions, newest first, each with its receipt's few facts."""
    history: Select[*tuple[Any, ...]] = (
        Select(  # five columns: select() is typed for four at most
            col(Submission.version),
            col(Submission.submitted_at),
            col(Submission.submitted_by),
            col(Submission.late),
            col(Submission.is_current),
        )
        .where(Submission.request_id == request.id)
        .order_by(col(Submission.version).desc())
    )
    return list(session.exec(history).all())


def file_names(session: Session, submission: Submission | None) -> list[Any]:
    """A version's attachments as the pages show them: name and size, not the bytes."""
    if submission is None:
        return []
    return list(
        session.exec(
            select(Attachment.filename, Attachment.size)
            .where(Attachment.submission_id == submission.id)
            .order_by(col(Attachment.id))
        ).all()
    )
