"""The portal's addresses, each a thin function over the modules that do the work.

* ``GET  /``: a page that points to the link in the e-mail
* ``GET  /begaran/{id}/{token}``: the form, prefilled with the current version
* ``POST /begaran/{id}/{token}``: validate; 422 with the errors, or store a new
  version and redirect (303) to its receipt
* ``GET  /begaran/{id}/{token}/kvitto/{version}``: the receipt of a version
* ``GET  /halsa``: health (the database answers)
* ``GET  /static/portal.css``: the one stylesheet

Each request gets its own synchronous database session; the endpoints are
``def`` functions run in FastAPI's thread pool. Only reading the posted body
is ``async`` (:func:`arshjul.portal.intake.read_posted`).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from sqlalchemy import text
from sqlmodel import Session

from arshjul.lifecycle.submissions import SubmissionClosed, SubmissionLimited
from arshjul.portal.access import authorise, load_page
from arshjul.portal.checking import check
from arshjul.portal.errors import Refusal, message_response
from arshjul.portal.form import form_page
from arshjul.portal.intake import Posted, client_of, read_posted
from arshjul.portal.receipt import receipt_page
from arshjul.portal.state import portal_of, root_of
from arshjul.portal.storing import refused_version, store_version
from arshjul.portal.views import stylesheet

router = APIRouter()


@router.get("/halsa")
def health(request: Request) -> JSONResponse:
    """Whether the database answers (for a load balancer or a monitor)."""
    try:
        with portal_of(request).engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception:  # the database does not answer
        return JSONResponse({"status": "fel", "databas": "svarar inte"}, status_code=503)
    return JSONResponse({"status": "ok", "databas": "ok"})


@router.get("/static/portal.css")
def css() -> Response:
    """The one stylesheet."""
    return Response(
        stylesheet(),
        media_type="text/css; charset=utf-8",
        headers={"Cache-Control": "public, max-age=3600"},
    )


@router.get("/", response_class=HTMLResponse)
def home(request: Request) -> HTMLResponse:
    """The portal's front page: the form is reached only through a personal link."""
    refusal = Refusal(
        200,
        "Inlämning av underlag",
        ["Öppna formuläret med den personliga länken i e-posten om begäran om underlag."],
    )
    return message_response(request, refusal)


@router.get("/begaran/{request_id}/{token}", response_class=HTMLResponse)
def show(request_id: str, token: str, request: Request) -> HTMLResponse:
    """The form of a request, prefilled with its current version."""
    portal = portal_of(request)
    now = portal.clock()
    with Session(portal.engine, expire_on_commit=False) as session:
        try:
            found = authorise(session, request_id, token, now)
        except Refusal as refusal:
            return message_response(request, refusal)
        page = load_page(session, found, token, root_of(request))
        return HTMLResponse(form_page(session, page, now=now, limit=portal.limit))


@router.post("/begaran/{request_id}/{token}", response_class=HTMLResponse)
def post(
    request_id: str,
    token: str,
    request: Request,
    posted: Annotated[Posted, Depends(read_posted)],
) -> Response:
    """A post of the form: the form again with its errors, or a new version and its receipt."""
    portal = portal_of(request)
    now = portal.clock()
    with Session(portal.engine, expire_on_commit=False) as session:
        try:
            found = authorise(session, request_id, token, now)
        except Refusal as refusal:
            return message_response(request, refusal)
        page = load_page(session, found, token, root_of(request))
        if posted.problem:
            return message_response(
                request, Refusal(400, "Formuläret kunde inte läsas", [posted.problem])
            )
        checked = check(session, page, posted, now=now, limit=portal.limit)
        if isinstance(checked, str):
            session.rollback()
            return HTMLResponse(checked, status_code=422)
        try:
            version = store_version(
                portal, session, page, checked, now=now, client=client_of(request)
            )
        except (SubmissionClosed, SubmissionLimited) as exc:
            return refused_version(session, page, posted, exc, now=now, limit=portal.limit)
        return RedirectResponse(f"{page.link}/kvitto/{version}", status_code=303)


@router.get("/begaran/{request_id}/{token}/kvitto/{version}", response_class=HTMLResponse)
def receipt(request_id: str, token: str, version: str, request: Request) -> HTMLResponse:
    """The receipt of one version of a request."""
    portal = portal_of(request)
    now = portal.clock()
    with Session(portal.engine, expire_on_commit=False) as session:
        try:
            found = authorise(session, request_id, token, now)
            page = load_page(session, found, token, root_of(request))
            return HTMLResponse(receipt_page(session, page, version))
        except Refusal as refusal:
            return message_response(request, refusal)
