"""The submission page (`arshjul portal`): the FastAPI app assembled, and served by uvicorn.

A plain-HTML form behind a personal link. Its parts, roughly as a request meets them:

* :mod:`~arshjul.portal.middleware`: security headers, the origin and size of a post
* :mod:`~arshjul.portal.routes`: the addresses, each a thin function over the modules below
* :mod:`~arshjul.portal.access`: the request behind a link, checked (403, 410) and loaded
* :mod:`~arshjul.portal.form`: the form page, prefilled, with its errors and the versions so far
* :mod:`~arshjul.portal.intake`: reading a post within its limits, and who sent it
* :mod:`~arshjul.portal.checking`: validating a post: what to store, or the form again
* :mod:`~arshjul.portal.storing`: storing a version against the link's limits, or why not
* :mod:`~arshjul.portal.receipt`: the receipt page of a version
* :mod:`~arshjul.portal.receipt_mail`: the receipt e-mail, delivered at once in the background
* :mod:`~arshjul.portal.staff`: the generated documents for staff, behind a password
* :mod:`~arshjul.portal.errors`: every refusal and error as a Swedish page
* :mod:`~arshjul.portal.state`: the settings, engine and clock every request needs
* :mod:`~arshjul.portal.views`, :mod:`~arshjul.portal.attachments`: rendering; the file check
"""

from __future__ import annotations

import datetime as dt
import gc
import ipaddress
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import anyio.to_thread
import uvicorn
from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from sqlalchemy import Engine
from starlette.exceptions import HTTPException as StarletteHTTPException

from arshjul.mail.address import PortalAddress, installation_addresses, refuse_local_links
from arshjul.models.db import get_engine
from arshjul.portal.errors import bad_request, http_error, middleware_page
from arshjul.portal.intake import FIELDS_MARGIN
from arshjul.portal.middleware import PortalMiddleware, origin_of
from arshjul.portal.reviews import router as review_router
from arshjul.portal.routes import router
from arshjul.portal.staff import router as staff_router
from arshjul.portal.state import Portal, stockholm_now
from arshjul.settings import Settings, get_settings

# Endpoint threads: enough to overlap database round trips, few enough for the GIL.
WORKER_THREADS = 8


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
    portal: Portal = app.state.portal
    portal.receipts.start()
    try:
        yield
    finally:
        portal.receipts.stop()


def create_app(
    *,
    settings: Settings | None = None,
    engine: Engine | None = None,
    clock: Callable[[], dt.datetime] | None = None,
) -> FastAPI:
    """The portal on an engine (default: the settings' database) and a clock (default: now).

    Refuses (:class:`~arshjul.mail.address.LocalPortalAddress`) to serve with an
    SMTP server set and links to an address only this machine reaches: the
    receipts it sends would carry links that open nothing.
    """
    settings = settings or get_settings()
    portal = Portal(settings, engine or get_engine(settings.database_url), clock or stockholm_now)
    refuse_local_links(settings, portal.addresses)
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
        allowed_origins=frozenset(
            origin for a in portal.addresses if (origin := origin_of(a.url)) is not None
        ),
        pages=middleware_page,
    )
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(RequestValidationError, bad_request)
    # No handler for Exception: Starlette's would answer and then re-raise, and
    # uvicorn drops the connection; PortalMiddleware answers those instead.
    app.include_router(router)
    app.include_router(review_router)
    app.include_router(staff_router)
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


def announcement(addresses: list[PortalAddress], *, host: str, port: int) -> list[str]:
    """What ``arshjul portal`` says at start about the links' address (Swedish lines)."""
    lines = [
        f"Länkarna i e-posten börjar med {a.url}"
        + (f" för {a.municipality}" if a.municipality and len(addresses) > 1 else "")
        + f" (från {a.setting()})."
        for a in addresses
    ]
    try:
        here = ipaddress.ip_address(host).is_loopback
    except ValueError:
        here = host == "localhost"
    if here and not any(a.local for a in addresses):
        lines.append(
            f"Obs: sidan lyssnar bara på den här datorn (http://{host}:{port}/) men tar emot "
            f"inlämningar bara från {', '.join(a.url for a in addresses)}. För att prova i en "
            f"webbläsare på den här datorn: ARSHJUL_PORTAL_URL=http://{host}:{port}"
        )
    return lines


def serve(*, host: str, port: int, settings: Settings, workers: int = 1) -> None:
    """Run the portal with uvicorn until stopped (put HTTPS in front of it).

    More than one worker process pays on PostgreSQL; on SQLite the workers
    would only queue for its single writer. The address check runs here too,
    before any worker starts, so that a refusal is one message, not one per worker.
    """
    addresses = installation_addresses(get_engine(settings.database_url), settings)
    refuse_local_links(settings, addresses)
    for line in announcement(addresses, host=host, port=port):
        print(line, flush=True)
    options = dict(host=host, port=port, log_level="info", **server_options())
    if workers > 1:
        # Each worker builds its app from the same environment variables.
        uvicorn.run(
            "arshjul.portal.app:app_from_environment", factory=True, workers=workers, **options
        )
        return
    uvicorn.run(create_app(settings=settings), **options)
