"""The request behind a link: found, checked, and loaded with what its pages show.

A link is checked before anything else is read or written: an unknown request,
a wrong token and another request's token all get the same 403; a request past
its grace period (or closed) gets 410. :func:`authorise` checks the link,
:func:`load_page` gathers what the form and the receipt show of the request.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import bindparam
from sqlmodel import Session, col
from sqlmodel.sql.expression import Select

from arshjul.forms.base import StageForm
from arshjul.forms.figures import StageFacts, stage_facts
from arshjul.forms.registry import form_for
from arshjul.links import hash_token, tokens_match
from arshjul.models import (
    Contact,
    Cycle,
    Municipality,
    OrgUnit,
    RequestState,
    StageInstance,
    SubmissionRequest,
)
from arshjul.portal.errors import Refusal
from arshjul.portal.views import datumtid
from arshjul.queries.organisation import controller_for

# Compared against when no request matches, so that a miss costs what a hit does.
_NO_HASH = hash_token("ingen begäran")


@dataclass(frozen=True)
class Linked:
    """A request a link opened, with what it belongs to.

    Holding the rows keeps them in the session's identity map (which holds
    weakly), so the pages and the receipt e-mail find them without asking the
    database again.
    """

    request: SubmissionRequest
    rows: tuple[object, ...]


@dataclass
class Page:
    """One request with everything its pages show."""

    linked: Linked
    request: SubmissionRequest
    token: str
    root: str
    municipality: Municipality
    facts: StageFacts
    form: type[StageForm]

    @property
    def link(self) -> str:
        return f"{self.root}/begaran/{self.request.id}/{self.token}"

    def controller(self, session: Session) -> Contact | None:
        """Who answers questions about the request (read only when a page shows it)."""
        return controller_for(session, self.facts.unit)

    def base_context(self, session: Session, title: str) -> dict[str, Any]:
        unit, stage = self.facts.unit, self.facts.stage
        # "Tertialuppföljning – Tertialuppföljning (t.o.m. april) 2027" said the stage
        # twice: a page title that the stage's name already begins with is left out.
        plain = title.removeprefix("Fel: ")
        lead = title[: len(title) - len(plain)] if stage.name.startswith(plain) else f"{title} – "
        return {
            "page_title": f"{lead}{stage.name} {self.facts.year} – {unit.name}",
            "root": self.root,
            "municipality_name": self.municipality.name,
            "controller": self.controller(session),
            "unit_name": unit.name,
            "stage_name": stage.name,
            "year": self.facts.year,
            "deadline": self.request.deadline_at,
            "grace_until": self.request.grace_until,
        }


def bad_link() -> Refusal:
    """The one answer to every link that does not open a request (the same for all)."""
    return Refusal(
        403,
        "Länken gäller inte",
        [
            "Länken kunde inte öppnas. Kontrollera att hela länken från e-posten kom med när "
            "du klickade på den eller kopierade den.",
            "Fungerar den ändå inte? Kontakta kommunens controller och be om en ny länk.",
        ],
    )


def authorise(session: Session, request_id: str, token: str, now: dt.datetime) -> Linked:
    """The request a link opens, or a :class:`Refusal` (403 bad link, 410 expired)."""
    plain = request_id.isascii() and request_id.isdigit() and len(request_id) <= 18
    linked = _load(session, int(request_id)) if plain else None
    found = linked.request if linked is not None else None
    expected = found.token_hash if found is not None and found.token_hash else _NO_HASH
    # Compare even when there is no request, so that a miss takes as long as a hit.
    matches = len(token) <= 128 and tokens_match(token, expected)
    if linked is None or found is None or not found.token_hash or not matches:
        raise bad_link()
    if found.state == RequestState.CLOSED or now > found.grace_until:
        raise _expired(session, found)
    return linked


@cache
def _load_statement() -> Select[SubmissionRequest, OrgUnit, StageInstance, Cycle, Municipality]:
    """Built once: every page and post asks it first."""
    # select() is typed for four entities at most; Select is what it builds for more.
    statement: Select[*tuple[Any, ...]] = (
        Select(SubmissionRequest, OrgUnit, StageInstance, Cycle, Municipality)
        .join(OrgUnit, col(OrgUnit.id) == SubmissionRequest.unit_id)
        .join(StageInstance, col(StageInstance.id) == SubmissionRequest.stage_instance_id)
        .join(Cycle, col(Cycle.id) == StageInstance.cycle_id)
        .join(Municipality, col(Municipality.id) == SubmissionRequest.municipality_id)
        .where(col(SubmissionRequest.id) == bindparam("request_id"))
    )
    return statement


def _load(session: Session, rid: int) -> Linked | None:
    """The request with its unit, stage, cycle and municipality, in one query."""
    row = session.exec(_load_statement(), params={"request_id": rid}).first()
    return Linked(row[0], tuple(row[1:])) if row is not None else None


def _expired(session: Session, request: SubmissionRequest) -> Refusal:
    """The 410 of a request past its grace period, naming whom to ask instead."""
    facts = stage_facts(session, request)
    controller = controller_for(session, facts.unit)
    contact = f"{controller.name} ({controller.email})" if controller else "kommunens controller"
    return Refusal(
        410,
        "Tiden för att lämna underlag har gått ut",
        [
            f"Underlaget från {facts.unit.name} till {facts.stage.name} {facts.year} "
            f"skulle lämnas senast {datumtid(request.deadline_at)}, och sena inlämningar "
            f"togs emot till {datumtid(request.grace_until)}.",
            f"Behövs underlaget ändå? Kontakta {contact}.",
        ],
    )


def load_page(session: Session, linked: Linked, token: str, root: str) -> Page:
    """Everything the request's pages show and check against."""
    request = linked.request
    facts = stage_facts(session, request)
    municipality = session.get(Municipality, request.municipality_id)
    assert municipality is not None
    return Page(
        linked=linked,
        request=request,
        token=token,
        root=root,
        municipality=municipality,
        facts=facts,
        form=form_for(facts.stage.slug),
    )
