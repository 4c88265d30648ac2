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

from arshjul.lifecycle.submissions import SubmissionClosed, SubmissionLimited, portal_limits
from arshjul.portal.pages import (
    Checked,
    Page,
    Posted,
    closed_page,
    limited_page,
    quota_page,
    store,
)
from arshjul.portal.state import Portal


def store_version(
    portal: Portal, session: Session, page: Page, checked: Checked, *, now: dt.datetime, client: str
) -> int:
    """Store a checked post and commit; the new version's number.

    A refusal (closed, over a limit) is rolled back inside the write lock, so
    that SQLite's writer is free before the next post in this process goes on.
    """
    limits = portal_limits(page.municipality)
    with portal.write_lock:
        try:
            version = store(
                session, page, checked, now=now, origin=f"portal {client}", limits=limits
            )
            session.commit()
        except (SubmissionClosed, SubmissionLimited):
            session.rollback()
            raise
    return version


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
        return HTMLResponse(closed_page(session, page, exc), status_code=410)
    if exc.kind == "quota":
        return HTMLResponse(
            quota_page(session, page, posted, exc, now=now, limit=limit), status_code=413
        )
    retry = {"Retry-After": str(exc.retry_after)} if exc.retry_after else None
    status = 429 if exc.kind == "rate" else 409
    return HTMLResponse(limited_page(session, page, exc), status_code=status, headers=retry)
