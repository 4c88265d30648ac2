"""The staff pages: the generated documents, for managers and controllers, behind a password.

* ``GET /personal/dokument``: every document's newest version, by municipality, year and stage
* ``GET /personal/dokument/{id}``: one version's Word file
* ``GET /personal/dokument/{id}/pdf``: its PDF for publication, where LibreOffice wrote one

The artifacts in the Prefect UI link here: a manager's browser opens no
``file://`` path on the server. HTTP basic auth with ``ARSHJUL_STAFF_USER``
(default ``personal``) and ``ARSHJUL_STAFF_PASSWORD``; without a password the
pages are closed. In production the portal runs behind HTTPS (a reverse proxy),
so the password never crosses the network in the clear. A file is served only
if it is still the one recorded (its SHA-256): a version since replaced on disk
says so and points to the newest.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import secrets
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, Response
from sqlmodel import Session, col, select

from arshjul.models import Cycle, GeneratedDocument, Municipality, StageInstance
from arshjul.portal.errors import Refusal, message_response
from arshjul.portal.state import portal_of, root_of
from arshjul.portal.views import render
from arshjul.settings import Settings

router = APIRouter(prefix="/personal")

REALM = 'Basic realm="Årshjul personal", charset="UTF-8"'
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _credentials(request: Request) -> tuple[str, str] | None:
    """The user and password of a basic Authorization header, or None."""
    header = request.headers.get("authorization", "")
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic" or not encoded:
        return None
    try:
        user, sep, password = base64.b64decode(encoded, validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return (user, password) if sep else None


def _refused(request: Request, settings: Settings) -> Response | None:
    """None for the right user and password; otherwise the page that says why not."""
    if settings.staff_password is None:
        return message_response(
            request,
            Refusal(
                403,
                "Personalsidorna är stängda",
                [
                    "Dokumenten visas här först när ett lösenord är satt: "
                    "ARSHJUL_STAFF_PASSWORD i webbsidans miljö (se README, Dokumenten på webben)."
                ],
            ),
        )
    given = _credentials(request)
    expected = (settings.staff_user, settings.staff_password.get_secret_value())
    # Both compared whatever the first gives, so the time taken tells nothing.
    if given is not None:
        right_user = secrets.compare_digest(given[0].encode(), expected[0].encode())
        right_password = secrets.compare_digest(given[1].encode(), expected[1].encode())
        if right_user and right_password:
            return None
    answer = message_response(
        request,
        Refusal(
            401,
            "Inloggning krävs",
            [
                "Dokumenten är bara för kommunens personal. Logga in med personalsidornas "
                "användarnamn och lösenord."
            ],
        ),
    )
    answer.headers["WWW-Authenticate"] = REALM
    return answer


def _file(document: GeneratedDocument) -> Path:
    return Path(document.path)


def _still_recorded(document: GeneratedDocument) -> bool:
    """The file on disk is the version the row recorded (not since replaced or removed)."""
    path = _file(document)
    return path.is_file() and hashlib.sha256(path.read_bytes()).hexdigest() == document.sha256


def _not_served(request: Request, session: Session, document: GeneratedDocument) -> Response:
    """Why a recorded version cannot be served, and where the newest is."""
    newest = session.exec(
        select(GeneratedDocument)
        .where(
            GeneratedDocument.stage_instance_id == document.stage_instance_id,
            GeneratedDocument.kind == document.kind,
        )
        .order_by(col(GeneratedDocument.version).desc())
    ).first()
    paragraphs = [f"{document.title}, version {document.version}, finns inte längre på servern."]
    if newest is not None and newest.id != document.id:
        paragraphs.append(
            f"Den har ersatts av version {newest.version}: "
            f"{root_of(request)}/personal/dokument/{newest.id}"
        )
    else:
        paragraphs.append(
            f"Filen {document.path} saknas eller har ändrats; skriv dokumentet "
            "på nytt med arshjul document."
        )
    return message_response(request, Refusal(410, "Versionen finns inte längre", paragraphs))


def _find(request: Request, document_id: str, session: Session) -> GeneratedDocument | Response:
    found = session.get(GeneratedDocument, int(document_id)) if document_id.isdigit() else None
    if found is None:
        return message_response(
            request,
            Refusal(404, "Dokumentet finns inte", [f"Inget dokument har nummer {document_id}."]),
        )
    if not _still_recorded(found):
        return _not_served(request, session, found)
    return found


def _document(request: Request, document_id: str) -> GeneratedDocument | Response:
    """The recorded version asked for, or the page that says why not (login, 404, 410)."""
    portal = portal_of(request)
    if (refused := _refused(request, portal.settings)) is not None:
        return refused
    with Session(portal.engine) as session:
        return _find(request, document_id, session)


@router.get("/dokument/{document_id}")
def word_file(document_id: str, request: Request) -> Response:
    """One recorded version of a document, as the Word file it was written as."""
    found = _document(request, document_id)
    if isinstance(found, Response):
        return found
    return FileResponse(_file(found), media_type=DOCX, filename=_file(found).name)


@router.get("/dokument/{document_id}/pdf")
def pdf_file(document_id: str, request: Request) -> Response:
    """The PDF written beside the Word file, where LibreOffice was installed."""
    found = _document(request, document_id)
    if isinstance(found, Response):
        return found
    pdf = _file(found).with_suffix(".pdf")
    if not pdf.is_file() or pdf.stat().st_mtime < _file(found).stat().st_mtime:
        return message_response(
            request,
            Refusal(
                404,
                "Ingen PDF",
                [
                    f"{found.title} har ingen PDF (LibreOffice saknades när den skrevs); "
                    "Word-filen finns."
                ],
            ),
        )
    return FileResponse(pdf, media_type="application/pdf", filename=pdf.name)


@router.get("/dokument", response_class=HTMLResponse)
def documents(request: Request) -> Response:
    """Every document's newest version, by municipality, year and stage, with links."""
    portal = portal_of(request)
    if (refused := _refused(request, portal.settings)) is not None:
        return refused
    root = root_of(request)
    with Session(portal.engine) as session:
        rows = session.exec(
            select(GeneratedDocument, StageInstance, Cycle, Municipality)
            .join(StageInstance, col(StageInstance.id) == GeneratedDocument.stage_instance_id)
            .join(Cycle, col(Cycle.id) == StageInstance.cycle_id)
            .join(Municipality, col(Municipality.id) == GeneratedDocument.municipality_id)
            .order_by(
                col(Municipality.name),
                col(Cycle.year).desc(),
                col(StageInstance.opens_on),
                col(GeneratedDocument.version),
            )
        ).all()
    newest: dict[tuple[int, str], tuple[GeneratedDocument, StageInstance, Cycle, Municipality]] = {}
    for doc, stage, cycle, municipality in rows:
        newest[(doc.stage_instance_id, doc.kind)] = (doc, stage, cycle, municipality)
    groups: dict[str, list[dict[str, object]]] = {}
    for doc, stage, cycle, municipality in newest.values():
        groups.setdefault(f"{municipality.name} – årshjulet {cycle.year}", []).append(
            {
                "link": f"{root}/personal/dokument/{doc.id}",
                "title": doc.title,
                "version": doc.version,
                "stage": stage.name,
                "pdf": _file(doc).with_suffix(".pdf").is_file(),
                "missing": "; ".join(doc.missing),
            }
        )
    return HTMLResponse(
        render(
            "documents.html.j2",
            page_title="Dokument – Årshjul",
            root=root,
            municipality_name=None,
            controller=None,
            groups=[{"heading": h, "documents": d} for h, d in groups.items()],
        )
    )
