"""The submission page's three answers: the form, a post of it, and the receipt.

Plain functions over a session; :mod:`arshjul.portal.routes` wires them to routes.
A link is checked before anything else is read or written: an unknown request,
a wrong token and another request's token all get the same 403; a request past
its grace period gets 410.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from sqlalchemy import bindparam
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import Select

from arshjul.config.schema import PortalConfig
from arshjul.forms.base import StageForm, validate_form
from arshjul.forms.figures import StageFacts, stage_facts
from arshjul.forms.present import collect, describe, values_from_data
from arshjul.forms.registry import form_for
from arshjul.lifecycle.submissions import (
    SubmissionClosed,
    SubmissionLimited,
    current_submission,
    store_submission,
)
from arshjul.links import hash_token, tokens_match
from arshjul.models import (
    Attachment,
    Contact,
    Cycle,
    Municipality,
    OrgUnit,
    RequestState,
    StageInstance,
    Submission,
    SubmissionRequest,
    stored_id,
)
from arshjul.models.organisation import UNIT_KIND_SV
from arshjul.portal.attachments import AttachmentRefused, check_attachment, format_size
from arshjul.portal.views import InputView, build_inputs, datumtid, error_summary, render
from arshjul.queries.organisation import controller_for

_NO_HASH = hash_token("ingen begäran")
SUMMARY_LIMIT = 200


class Refusal(Exception):
    """A page that answers instead of the form: a bad or expired link, a closed request."""

    def __init__(self, status: int, heading: str, paragraphs: list[str]) -> None:
        super().__init__(heading)
        self.status, self.heading, self.paragraphs = status, heading, paragraphs


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


@dataclass
class Posted:
    """What a post carried: its text fields and at most one file (its first bytes)."""

    fields: dict[str, str] = field(default_factory=dict)
    filename: str | None = None
    content: bytes = b""
    problem: str | None = None


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
        return {
            "page_title": f"{title} – {stage.name} {self.facts.year} – {unit.name}",
            "root": self.root,
            "municipality_name": self.municipality.name,
            "controller": self.controller(session),
            "unit_name": unit.name,
            "stage_name": stage.name,
            "year": self.facts.year,
            "deadline": self.request.deadline_at,
            "grace_until": self.request.grace_until,
        }


def message_page(
    refusal: Refusal,
    *,
    root: str = "",
    municipality_name: str | None = None,
    controller: Contact | None = None,
) -> str:
    """A page that only says something: why a link does not work, a page not found …"""
    return render(
        "message.html.j2",
        page_title=f"{refusal.heading} – inlämning av underlag",
        root=root,
        municipality_name=municipality_name,
        controller=controller,
        heading=refusal.heading,
        paragraphs=refusal.paragraphs,
        tone="info" if refusal.status < 400 else "warning" if refusal.status == 410 else "error",
        back_link=None,
        back_text="",
    )


# --------------------------------------------------------------------------- access
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


@dataclass(frozen=True)
class Linked:
    """A request a link opened, with what it belongs to.

    Holding the rows keeps them in the session's identity map (which holds
    weakly), so the pages and the receipt e-mail find them without asking the
    database again.
    """

    request: SubmissionRequest
    rows: tuple[object, ...]


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


def _file_names(session: Session, submission: Submission | None) -> list[Any]:
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


# --------------------------------------------------------------------------- the form
def _file_input(limit: int, error: str | None) -> InputView:
    return InputView(
        "file",
        "attachment",
        "Välj en fil",
        hint=f"Word (.docx), PDF eller Excel (.xlsx), högst {format_size(limit)}. "
        "Filer med makron tas inte emot.",
        error=error,
    )


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
    history: Select[*tuple[Any, ...]] = (
        Select(  # five columns: select() is typed for four at most
            col(Submission.version),
            col(Submission.submitted_at),
            col(Submission.submitted_by),
            col(Submission.late),
            col(Submission.is_current),
        )
        .where(Submission.request_id == page.request.id)
        .order_by(col(Submission.version).desc())
    )
    versions = session.exec(history).all()
    title = page.form.title
    return render(
        "form.html.j2",
        **page.base_context(session, ("Fel: " if summary else "") + title),
        unit_kind_label=UNIT_KIND_SV.get(page.facts.unit.kind, "enhet").capitalize(),
        late_now=now > page.request.deadline_at,
        current=current,
        current_files=_file_names(session, current),
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


# --------------------------------------------------------------------------- a post
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


def store(
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


def _contact(session: Session, page: Page) -> str:
    controller = page.controller(session)
    return f"{controller.name} ({controller.email})" if controller else "kommunens controller"


def _seconds(n: int) -> str:
    return "1 sekund" if n == 1 else f"{n} sekunder"


def limited_page(session: Session, page: Page, exc: SubmissionLimited) -> str:
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


def quota_page(
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


def closed_page(session: Session, page: Page, exc: SubmissionClosed) -> str:
    """The answer when the request closed while the form was being filled in."""
    refusal = Refusal(410, "Tiden för att lämna underlag har gått ut", [exc.message])
    return message_page(
        refusal,
        root=page.root,
        municipality_name=page.municipality.name,
        controller=page.controller(session),
    )


# --------------------------------------------------------------------------- the receipt
def receipt_page(session: Session, page: Page, version: str) -> str:
    """What one version holds, as stored."""
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
        files=_file_names(session, submission),
        form_link=page.link,
    )
