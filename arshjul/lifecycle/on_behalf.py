"""Storing an answer on a committee's behalf: validated by its form, kept as a new version."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlmodel import Session

from arshjul.forms.on_behalf import validated
from arshjul.lifecycle.submissions import store_submission
from arshjul.models import Submission, SubmissionRequest


def submit_on_behalf(
    session: Session,
    *,
    request: SubmissionRequest,
    data: dict[str, Any],
    submitted_by: str,
    as_of: dt.datetime,
    channel: str = "cli",
    on_behalf: bool = True,
) -> Submission:
    """Validate through the form and store a new version, recorded as made by ``submitted_by``."""

    stored = validated(session, request=request, data=data, submitted_by=submitted_by)
    return store_submission(
        session,
        request=request,
        data=stored,
        submitted_by=submitted_by,
        as_of=as_of,
        channel=channel,
        origin=channel,
        on_behalf=on_behalf,
    )
