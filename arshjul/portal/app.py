"""The submission page (`arshjul portal`): a FastAPI app of plain HTML forms.

Routes:

* ``GET  /begaran/{id}/{token}``: the form, prefilled with the current version
* ``POST /begaran/{id}/{token}``: validate; 422 with the errors, or store a new
  version and redirect (303) to its receipt
* ``GET  /begaran/{id}/{token}/kvitto/{version}``: the receipt of a version
* ``GET  /halsa``: health (the database answers)
* ``GET  /static/portal.css``: the one stylesheet

Each request gets its own synchronous database session; the endpoints are
``def`` functions run in FastAPI's thread pool. Only reading the posted body
is ``async`` (a dependency), so that the file is read at most up to its limit.

Limits: a post from another origin is refused before it is read
(:mod:`arshjul.portal.middleware`); the versions a minute, the versions in all
and the attachment quota of a link are the municipality's ``[portal]``
section, checked when a version is stored (:mod:`arshjul.lifecycle.submissions`).
The client's address in the audit entry is the connection's, or, from a
proxy named in ``ARSHJUL_TRUSTED_PROXIES``, the one it forwarded.
"""

from __future__ import annotations

import datetime as dt
import gc
import ipaddress
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractContextManager, asynccontextmanager, nullcontext
from functools import lru_cache
from typing import Annotated, Any

import anyio.to_thread
from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from sqlalchemy import Engine, text
from sqlmodel import Session
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect

from arshjul.lifecycle.submissions import SubmissionClosed, SubmissionLimited, portal_limits
from arshjul.models.db import get_engine
from arshjul.portal.middleware import PortalMiddleware, origin_of
from arshjul.portal.pages import (
    Checked,
    Page,
    Posted,
    Refusal,
    authorise,
    check,
    closed_page,
    form_page,
    limited_page,
    load_page,
    message_page,
    quota_page,
    receipt_page,
    store,
)
from arshjul.portal.views import stylesheet
from arshjul.settings import IPNetwork, Settings, get_settings
from arshjul.timezone import STOCKHOLM

# Room for the text fields of a post besides its file.
FIELDS_MARGIN = 2 * 1024 * 1024
MAX_FIELDS = 2000
# Endpoint threads: enough to overlap database round trips, few enough for the GIL.
WORKER_THREADS = 8


def stockholm_now() -> dt.datetime:
    """Now, in Swedish time."""
    return dt.datetime.now(STOCKHOLM)


class Portal:
    """What every request needs: settings, the engine and the clock.

    On SQLite the posts of one process take turns at writing: SQLite has one
    writer at a time, and a writer kept waiting by another polls with growing
    sleeps (its busy timeout), which turns a queue of a few milliseconds into
    seconds. PostgreSQL locks the request's row instead.
    """

    def __init__(
        self, settings: Settings, engine: Engine, clock: Callable[[], dt.datetime]
    ) -> None:
        self.settings, self.engine, self.clock = settings, engine, clock
        self.write_lock: AbstractContextManager[object] = (
            threading.Lock() if engine.dialect.name == "sqlite" else nullcontext()
        )
        self.trusted_proxies: tuple[IPNetwork, ...] = settings.trusted_proxy_networks()

    @property
    def limit(self) -> int:
        return self.settings.max_attachment_bytes


def _portal(request: Request) -> Portal:
    return request.app.state.portal


def _root(request: Request) -> str:
    return str(request.scope.get("root_path", "")).rstrip("/")


def _html(body: str, status: int = 200, headers: dict[str, str] | None = None) -> HTMLResponse:
    return HTMLResponse(body, status_code=status, headers=headers)


def _address(text: str) -> IPNetwork | None:
    """An address from a socket or an X-Forwarded-For entry (``[::1]:443``, ``10.0.0.5:80``).

    As a network of one, to compare with the trusted networks; an IPv4 address
    seen through a dual-stack socket (``::ffff:10.0.0.5``) as the IPv4 one.
    """
    text = text.strip()
    if text.startswith("[") and "]" in text:
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return ipaddress.ip_network(address)


def _inside(address: IPNetwork, net: IPNetwork) -> bool:
    """Within the network; an address of the other IP version never is."""
    if isinstance(address, ipaddress.IPv4Network) and isinstance(net, ipaddress.IPv4Network):
        return address.subnet_of(net)
    if isinstance(address, ipaddress.IPv6Network) and isinstance(net, ipaddress.IPv6Network):
        return address.subnet_of(net)
    return False


def _trusted(address: IPNetwork | None, proxies: tuple[IPNetwork, ...]) -> bool:
    return address is not None and any(_inside(address, net) for net in proxies)


def client_address(peer: str | None, forwarded: list[str], proxies: tuple[IPNetwork, ...]) -> str:
    """Who posted, for the audit entry: ``10.1.2.3``, or ``203.0.113.9 via 10.0.0.5``.

    ``X-Forwarded-For`` is read only when the connection comes from a trusted
    proxy, and then from the right: each trusted proxy appends the address it
    was reached from, so the first entry from the right that is not a trusted
    proxy is the client. Entries further left are whatever the client wrote.
    """
    if not peer:
        return "okänd"
    if not forwarded or not _trusted(_address(peer), proxies):
        return peer
    hops = [hop.strip() for value in forwarded for hop in value.split(",") if hop.strip()]
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:
            break  # a trusted proxy writes addresses: the rest is not to be believed
        if not _trusted(address, proxies):
            return f"{address.network_address} via {peer}"
    return peer


def _refused(request: Request, refusal: Refusal) -> HTMLResponse:
    return _html(message_page(refusal, root=_root(request)), refusal.status)


async def read_posted(request: Request) -> Posted:
    """The posted fields, and the first ``limit + 1`` bytes of an attached file."""
    limit = _portal(request).limit
    try:
        form = await request.form(max_files=1, max_fields=MAX_FIELDS, max_part_size=256 * 1024)
    except StarletteHTTPException as exc:
        if exc.status_code == 413:
            raise
        return Posted(problem="Formuläret kunde inte läsas. Ladda om sidan och försök igen.")
    except ClientDisconnect:
        return Posted(problem="Anslutningen bröts innan formuläret kommit fram.")
    posted = Posted()
    try:
        for name, value in form.multi_items():
            if isinstance(value, UploadFile):
                if value.filename and posted.filename is None:
                    posted.filename = value.filename
                    posted.content = await value.read(limit + 1)
            elif name not in posted.fields:
                posted.fields[name] = value
    finally:
        await form.close()
    return posted


def _error_page(status: int) -> Refusal:
    pages = {
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
    heading, paragraphs = pages.get(
        status,
        (
            "Något gick fel",
            [
                "Ett oväntat fel uppstod hos oss, och sidan kunde inte visas.",
                "Försök igen om en stund. Hade du skickat formuläret? Öppna länken i "
                "e-posten igen: där syns varje version som har sparats.",
                "Kvarstår felet: kontakta kommunens controller.",
            ],
        ),
    )
    return Refusal(status, heading, paragraphs)


def _store(
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


@lru_cache(maxsize=32)
def _middleware_page(status: int, root: str) -> bytes:
    """The pages the middleware answers with itself (its 403 is the foreign origin)."""
    if status == 403:
        refusal = Refusal(
            403,
            "Formuläret skickades från en annan webbplats",
            [
                "Underlag tas bara emot från formuläret på kommunens egen sida för inlämning. "
                "Inget har sparats.",
                "Öppna den personliga länken i e-posten och skicka formuläret därifrån. "
                "Fungerar det ändå inte? Kontakta kommunens controller.",
            ],
        )
    else:
        refusal = _error_page(status)
    return message_page(refusal, root=root).encode()


@asynccontextmanager
async def _startup(app: FastAPI) -> AsyncIterator[None]:
    """Run the endpoints on a few threads; keep what was loaded out of the garbage collector.

    Threads: the work is Python holding the GIL; anyio's default forty threads
    taking turns only starve the event loop (which then misses its own sockets)
    and queue for database connections. A few keep every core busy and the
    loop responsive.

    ``gc.freeze()``: the ~160 000 objects of the loaded libraries (SQLAlchemy's
    mappers, FastAPI, the templates) live as long as the process, yet every
    full collection walked them all, 90–100 ms each, a dozen times a minute
    under load: the posts caught in one waited that long (bench_portal's p99).
    """
    anyio.to_thread.current_default_thread_limiter().total_tokens = WORKER_THREADS
    gc.collect()
    gc.freeze()
    yield


def create_app(
    *,
    settings: Settings | None = None,
    engine: Engine | None = None,
    clock: Callable[[], dt.datetime] | None = None,
) -> FastAPI:
    """The portal on an engine (default: the settings' database) and a clock (default: now)."""
    settings = settings or get_settings()
    portal = Portal(settings, engine or get_engine(settings.database_url), clock or stockholm_now)
    app = FastAPI(
        title="Årshjul – inlämning",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        lifespan=_startup,
    )
    app.state.portal = portal
    app.add_middleware(
        PortalMiddleware,
        max_body=portal.limit + FIELDS_MARGIN,
        allowed_origin=origin_of(settings.portal_url),
        pages=_middleware_page,
    )

    @app.exception_handler(StarletteHTTPException)
    def _http_error(request: Request, exc: StarletteHTTPException) -> HTMLResponse:
        return _refused(request, _error_page(exc.status_code))

    @app.exception_handler(RequestValidationError)
    def _bad_request(request: Request, exc: RequestValidationError) -> HTMLResponse:
        return _refused(request, _error_page(400))

    # No handler for Exception: Starlette's would answer and then re-raise, and
    # uvicorn drops the connection; PortalMiddleware answers those instead.

    @app.get("/halsa")
    def health() -> JSONResponse:
        try:
            with portal.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        except Exception:  # the database does not answer
            return JSONResponse({"status": "fel", "databas": "svarar inte"}, status_code=503)
        return JSONResponse({"status": "ok", "databas": "ok"})

    @app.get("/static/portal.css")
    def css() -> Response:
        return Response(
            stylesheet(),
            media_type="text/css; charset=utf-8",
            headers={"Cache-Control": "public, max-age=3600"},
        )

    @app.get("/", response_class=HTMLResponse)
    def home(request: Request) -> HTMLResponse:
        refusal = Refusal(
            200,
            "Inlämning av underlag",
            ["Öppna formuläret med den personliga länken i e-posten om begäran om underlag."],
        )
        return _refused(request, refusal)

    @app.get("/begaran/{request_id}/{token}", response_class=HTMLResponse)
    def show(request_id: str, token: str, request: Request) -> HTMLResponse:
        now = portal.clock()
        with Session(portal.engine, expire_on_commit=False) as session:
            try:
                found = authorise(session, request_id, token, now)
            except Refusal as refusal:
                return _refused(request, refusal)
            page = load_page(session, found, token, _root(request))
            return _html(form_page(session, page, now=now, limit=portal.limit))

    @app.post("/begaran/{request_id}/{token}", response_class=HTMLResponse)
    def post(
        request_id: str,
        token: str,
        request: Request,
        posted: Annotated[Posted, Depends(read_posted)],
    ) -> Response:
        now = portal.clock()
        with Session(portal.engine, expire_on_commit=False) as session:
            try:
                found = authorise(session, request_id, token, now)
            except Refusal as refusal:
                return _refused(request, refusal)
            page = load_page(session, found, token, _root(request))
            if posted.problem:
                return _refused(
                    request, Refusal(400, "Formuläret kunde inte läsas", [posted.problem])
                )
            checked = check(session, page, posted, now=now, limit=portal.limit)
            if isinstance(checked, str):
                session.rollback()
                return _html(checked, 422)
            client = client_address(
                request.client.host if request.client else None,
                request.headers.getlist("x-forwarded-for"),
                portal.trusted_proxies,
            )
            try:
                version = _store(portal, session, page, checked, now=now, client=client)
            except SubmissionClosed as exc:
                return _html(closed_page(session, page, exc), 410)
            except SubmissionLimited as exc:
                if exc.kind == "quota":
                    page_html = quota_page(session, page, posted, exc, now=now, limit=portal.limit)
                    return _html(page_html, 413)
                retry = {"Retry-After": str(exc.retry_after)} if exc.retry_after else None
                status = 429 if exc.kind == "rate" else 409
                return _html(limited_page(session, page, exc), status, retry)
            return RedirectResponse(f"{page.link}/kvitto/{version}", status_code=303)

    @app.get("/begaran/{request_id}/{token}/kvitto/{version}", response_class=HTMLResponse)
    def receipt(request_id: str, token: str, version: str, request: Request) -> HTMLResponse:
        now = portal.clock()
        with Session(portal.engine, expire_on_commit=False) as session:
            try:
                found = authorise(session, request_id, token, now)
                page = load_page(session, found, token, _root(request))
                return _html(receipt_page(session, page, version))
            except Refusal as refusal:
                return _refused(request, refusal)

    return app


def app_from_environment() -> FastAPI:
    """The portal on the settings of the environment (uvicorn's factory for its workers)."""
    return create_app(settings=get_settings())


def server_options() -> dict[str, Any]:
    """How uvicorn serves the portal (the tests serve it the same way).

    No access log: every URL carries a personal token. No ``proxy_headers``:
    uvicorn would believe X-Forwarded-For from 127.0.0.1 by default, and the
    portal reads it itself, from ``ARSHJUL_TRUSTED_PROXIES`` only.
    """
    return {"proxy_headers": False, "access_log": False}


def serve(*, host: str, port: int, settings: Settings, workers: int = 1) -> None:
    """Run the portal with uvicorn until stopped (put HTTPS in front of it).

    More than one worker process pays on PostgreSQL; on SQLite the workers
    would only queue for its single writer.
    """
    import uvicorn

    options = dict(host=host, port=port, log_level="info", **server_options())
    if workers > 1:
        # Each worker builds its app from the same environment variables.
        uvicorn.run(
            "arshjul.portal.app:app_from_environment", factory=True, workers=workers, **options
        )
        return
    uvicorn.run(create_app(settings=settings), **options)
