"""What every answer passes through: security headers, the origin and size of a post, errors.

A plain ASGI middleware (cheaper than Starlette's ``BaseHTTPMiddleware``).
The token is in the URL, so no page may leak it to another site, be cached,
or load anything from elsewhere.

* A post must come from the portal's own page: its ``Origin`` (else its
  ``Referer``) must be the origin of the portal's address, the one the links in
  the e-mails begin with (:mod:`arshjul.mail.address`). Every browser in
  use sends ``Origin`` with a form's POST, so a page on another site that
  posts to a link shows its own origin, or ``null``, and is refused before
  the body is read. A post with neither header comes from no browser; a
  script can write any header it likes, so refusing it would stop only
  scripts that are honest about themselves, and it is let through.
* An unexpected error becomes a Swedish 500 page here, inside Starlette's
  outermost error layer: that layer re-raises after answering, and uvicorn
  then closes the connection (a proxy shows the next request on it as a 502).
  Caught here, the answer is complete and the connection stays usable.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from urllib.parse import urlsplit

from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("arshjul.portal")

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
        "base-uri 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    # same-origin, not no-referrer: under no-referrer a browser posts the form
    # with "Origin: null" (Fetch standard), which the origin check must refuse.
    # same-origin still never sends the link (with its token) to another site.
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
    "Cache-Control": "no-store",
}
_DEFAULT_PORTS = {"http": 80, "https": 443}

Origin = tuple[str, str, int]


def origin_of(url: str) -> Origin | None:
    """(scheme, host, port) of a URL or an ``Origin`` header; None for ``null`` or nonsense.

    The host in its ASCII form, as browsers send it: ``inlämning.kommun.se``
    in the settings matches ``xn--inlmning-…`` from the browser.
    """
    try:
        parts = urlsplit(url.strip())
        scheme, host = parts.scheme.lower(), parts.hostname
        port = parts.port or _DEFAULT_PORTS.get(scheme)
    except ValueError:
        return None
    if scheme not in _DEFAULT_PORTS or not host or port is None:
        return None
    try:
        host = host.encode("idna").decode("ascii")
    except UnicodeError:
        return None
    return scheme, host.lower(), port


def _shown(origin: Origin) -> str:
    return "://".join(origin[:2]) + f":{origin[2]}"


def shown_path(path: str) -> str:
    """A path for the log without the personal token: ``/begaran/42/…/kvitto/1``."""
    parts = path.split("/")
    if len(parts) > 3 and parts[1] == "begaran":
        parts[3] = "…"
    return "/".join(parts)[:200]


class BodyTooLarge(HTTPException):
    """More was posted than a form with its largest allowed file can hold."""

    def __init__(self) -> None:
        super().__init__(status_code=413)


class PortalMiddleware:
    """Security headers; refuses a post from another origin or over ``max_body`` bytes;
    answers an unexpected error with the 500 page and keeps the connection."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        max_body: int,
        allowed_origins: frozenset[Origin],
        pages: Callable[[int, str], bytes],
    ) -> None:
        self.app = app
        self.max_body = max_body
        self.allowed_origins = allowed_origins
        self.pages = pages

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    if name not in headers:
                        headers[name] = value
            await send(message)

        try:
            await self._dispatch(scope, receive, send_with_headers)
        except ClientDisconnect:
            return  # nobody to answer
        except Exception:
            if started:
                raise  # half an answer is out: only closing the connection ends it
            log.exception("Oväntat fel: %s %s", scope["method"], shown_path(scope["path"]))
            await self._answer(scope, send_with_headers, 500, close=False)

    async def _dispatch(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["method"] not in ("POST", "PUT", "PATCH", "DELETE"):
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        if not self._same_origin(headers):
            # Read the refused body first: closing with it unread makes the kernel
            # reset the connection, and the browser shows a network error instead
            # of the page saying why.
            drained = await self._drain(receive)
            await self._answer(scope, send, 403, close=not drained)
            return
        declared = headers.get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_body):
            await self._answer(scope, send, 413, close=True)
            return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body:
                    raise BodyTooLarge()
            return message

        await self.app(scope, limited_receive, send)

    async def _drain(self, receive: Receive) -> bool:
        """Read and drop a request's body; False when it passes the size limit (left unread)."""
        received = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return False
            received += len(message.get("body", b""))
            if received > self.max_body:
                return False
            if not message.get("more_body", False):
                return True

    def _same_origin(self, headers: dict[bytes, bytes]) -> bool:
        if not self.allowed_origins:
            return True
        origin, referer = headers.get(b"origin"), headers.get(b"referer")
        if origin is None and referer is None:
            return True  # no browser (see the module's docstring)
        seen = origin_of((origin if origin is not None else referer or b"").decode("latin-1"))
        if seen in self.allowed_origins:
            return True
        log.warning(
            "Inlämning vägrad: formuläret postades från %s, inte från portalens adress (%s; "
            "ARSHJUL_PORTAL_URL eller url under [portal])",
            _shown(seen) if seen else "null eller oläslig",
            ", ".join(sorted(_shown(o) for o in self.allowed_origins)),
        )
        return False

    async def _answer(self, scope: Scope, send: Send, status: int, *, close: bool) -> None:
        """A whole page; ``close`` when the body was left unread (the connection cannot go on).

        ``pages(status, root)`` gives it: 403 here is only the foreign origin's page.
        """
        body = self.pages(status, str(scope.get("root_path", "")).rstrip("/"))
        headers = [
            (b"content-type", b"text/html; charset=utf-8"),
            (b"content-length", str(len(body)).encode()),
        ]
        if close:
            headers.append((b"connection", b"close"))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})
