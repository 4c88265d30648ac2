"""The portal's message pages: a :class:`Refusal`, an HTTP error, the middleware's own.

Every error a visitor can meet is a whole Swedish page with the portal's
look, never Starlette's English text or JSON. A :class:`Refusal` is such a
page raised or returned instead of the form: a bad or expired link, a version
that does not exist, a post that was not stored.
"""

from __future__ import annotations

from functools import lru_cache

from fastapi.responses import HTMLResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request

from arshjul.models import Contact
from arshjul.portal.state import root_of
from arshjul.portal.views import render


class Refusal(Exception):
    """A page that answers instead of the form: a bad or expired link, a closed request."""

    def __init__(self, status: int, heading: str, paragraphs: list[str]) -> None:
        super().__init__(heading)
        self.status, self.heading, self.paragraphs = status, heading, paragraphs


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


_ERROR_PAGES: dict[int, tuple[str, list[str]]] = {
    400: ("Felaktig förfrågan", ["Använd länken i e-posten och formuläret på sidan."]),
    404: (
        "Sidan finns inte",
        ["Adressen leder inte till någon sida. Använd länken i e-posten."],
    ),
    405: (
        "Det går inte att göra så här",
        ["Använd formuläret på sidan som länken leder till."],
    ),
    413: (
        "Inlämningen är för stor",
        [
            "Det som skickades var större än vad formuläret tar emot. "
            "Gå tillbaka och välj en mindre fil."
        ],
    ),
}
# Any other status, above all the 500 of an unexpected error.
_UNEXPECTED = (
    "Något gick fel",
    [
        "Ett oväntat fel uppstod hos oss, och sidan kunde inte visas.",
        "Försök igen om en stund. Hade du skickat formuläret? Öppna länken i "
        "e-posten igen: där syns varje version som har sparats.",
        "Kvarstår felet: kontakta kommunens controller.",
    ],
)
_FOREIGN_ORIGIN = Refusal(
    403,
    "Formuläret skickades från en annan webbplats",
    [
        "Underlag tas bara emot från formuläret på kommunens egen sida för inlämning. "
        "Inget har sparats.",
        "Öppna den personliga länken i e-posten och skicka formuläret därifrån. "
        "Fungerar det ändå inte? Kontakta kommunens controller.",
    ],
)


def error_refusal(status: int) -> Refusal:
    """What the page of an HTTP error status says."""
    heading, paragraphs = _ERROR_PAGES.get(status, _UNEXPECTED)
    return Refusal(status, heading, paragraphs)


def message_response(request: Request, refusal: Refusal) -> HTMLResponse:
    """A message page at the request's root, with the refusal's status."""
    return HTMLResponse(message_page(refusal, root=root_of(request)), status_code=refusal.status)


def http_error(request: Request, exc: Exception) -> HTMLResponse:
    """Starlette's HTTP errors (404, 405, 413 …) as the portal's pages."""
    assert isinstance(exc, StarletteHTTPException)  # registered for these only
    return message_response(request, error_refusal(exc.status_code))


def bad_request(request: Request, exc: Exception) -> HTMLResponse:
    """A path or form FastAPI cannot read (``RequestValidationError``): 400, whatever it was."""
    return message_response(request, error_refusal(400))


@lru_cache(maxsize=32)
def middleware_page(status: int, root: str) -> bytes:
    """The pages the middleware answers with itself (its 403 is the foreign origin)."""
    refusal = _FOREIGN_ORIGIN if status == 403 else error_refusal(status)
    return message_page(refusal, root=root).encode()
