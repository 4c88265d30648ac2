"""``arshjul decide styrdokument --dokument NYCKEL``: a new decision on a governing document.

The revised document is a new version of the one in force: same key, kind, title and
owner, its own decision date and paragraph, the next review one interval after the
decision. The version it replaces is kept, marked superseded
(:func:`arshjul.queries.governing.store_version`, which ``arshjul import styrdokument``
uses too), and a promised revision ("ska revideras") is then fulfilled: the watch no
longer escalates it. A decision is never changed; a wrong one is corrected by a new one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlmodel import Session, col, select

from arshjul.config.stored import municipality_config
from arshjul.errors import ArshjulError
from arshjul.formats import format_date
from arshjul.governance.documents import (
    DecidingBody,
    DocumentKind,
    body_problem,
    next_review,
    review_years,
)
from arshjul.imports.apply import cell_context
from arshjul.imports.governing import deciding_body_of
from arshjul.models import (
    AuditEntry,
    DocumentState,
    GoverningDocument,
    Municipality,
    OrgUnit,
    stored_id,
)
from arshjul.queries.governing import REGISTER_FIELDS, store_version
from arshjul.timezone import STOCKHOLM


@dataclass(frozen=True)
class Revision:
    """The new version and the one it replaced."""

    new: GoverningDocument
    replaced: GoverningDocument


def record_revision(
    session: Session,
    *,
    municipality: Municipality,
    key: str,
    decided_on: dt.date,
    paragraph: str,
    as_of: dt.datetime,
    actor: str,
    body: str | None = None,
    file: str | None = None,
) -> Revision:
    """Register the decision in the caller's transaction; refused in Swedish, writing nothing.

    ``body`` names the deciding body as the register's ``beslutat_av`` column does
    (``KF``, ``KS``, a committee's key, ``kommundirektören`` …); left out, the body that
    decided the version in force decides again.
    """
    mid = stored_id(municipality)
    in_force = session.exec(
        select(GoverningDocument).where(
            GoverningDocument.municipality_id == mid,
            GoverningDocument.key == key.strip(),
            GoverningDocument.state == DocumentState.IN_FORCE,
        )
    ).first()
    if in_force is None:
        known = session.exec(
            select(GoverningDocument.key)
            .where(GoverningDocument.municipality_id == mid)
            .distinct()
            .order_by(col(GoverningDocument.key))
        ).all()
        raise ArshjulError(
            f"--dokument: ”{key}” är inget styrdokument som gäller i registret; nycklarna: "
            f"{', '.join(known) or 'registret är tomt'}."
        )
    today = as_of.astimezone(STOCKHOLM).date()
    if decided_on > today:
        raise ArshjulError(f"--date: beslutet {decided_on.isoformat()} ligger i framtiden.")
    if decided_on <= in_force.decided_on:
        raise ArshjulError(
            f"--date: det nya beslutet om ”{in_force.title}” ska vara fattat efter det som "
            f"gäller ({in_force.paragraph or 'utan paragraf'}, {format_date(in_force.decided_on)})."
        )
    if not paragraph.strip():
        raise ArshjulError("--paragraph: ange beslutets paragraf, t.ex. ”KF § 52”.")
    kind = DocumentKind(in_force.kind)
    owner = session.get(OrgUnit, in_force.owner_unit_id)
    assert owner is not None
    deciding_body, deciding_unit = DecidingBody(in_force.deciding_body), in_force.deciding_unit_id
    if body is not None:
        _, context = cell_context(session, municipality=municipality, as_of=as_of)
        found = deciding_body_of(body, owner, context)
        if isinstance(found, str):
            raise ArshjulError(f"--beslutat-av: {found}.")
        deciding_body, unit, name = found
        problem = body_problem(kind, deciding_body, title=in_force.title, body_name=name)
        if problem:
            raise ArshjulError(f"--beslutat-av: {problem}.")
        deciding_unit = unit.id if unit is not None else None
    years = in_force.review_interval_years or review_years(
        kind, municipality_config(municipality).governing_documents.review_years
    )
    values = {name: getattr(in_force, name) for name in REGISTER_FIELDS}
    values.update(
        deciding_body=deciding_body.value,
        deciding_unit_id=deciding_unit,
        paragraph=paragraph.strip(),
        review_interval_years=years,
        next_review_on=next_review(decided_on, years),
        file=in_force.file if file is None else file.strip(),
        replaces=f"{in_force.title} ({in_force.paragraph}, {format_date(in_force.decided_on)})",
    )
    stored = store_version(
        session,
        municipality_id=mid,
        key=in_force.key,
        decided_on=decided_on,
        values=values,
        source=f"beslut {paragraph.strip()}"[:300],
    )
    session.add(
        AuditEntry(
            municipality_id=mid,
            actor=actor,
            origin="cli",
            action="decide.styrdokument",
            entity="governing_document",
            entity_id=stored_id(stored.document),
            details={
                "key": in_force.key,
                "decided_on": decided_on.isoformat(),
                "paragraph": paragraph.strip(),
                "replaces_id": in_force.id,
            },
        )
    )
    session.flush()
    return Revision(new=stored.document, replaced=in_force)
