"""What every request of the portal needs: settings, the engine, the clock, the write lock.

:func:`arshjul.portal.app.create_app` makes one :class:`Portal` and keeps it in
``app.state``; the routes and the post's reader find it there.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext

from sqlalchemy import Engine
from starlette.requests import Request

from arshjul.mail.address import PortalAddress, installation_addresses
from arshjul.portal.receipt_mail import ReceiptMail
from arshjul.settings import IPNetwork, Settings
from arshjul.timezone import STOCKHOLM


def stockholm_now() -> dt.datetime:
    """Now, in Swedish time."""
    return dt.datetime.now(STOCKHOLM)


class Portal:
    """What every request needs: settings, the engine and the clock.

    On SQLite the posts of one process take turns at writing: SQLite has one
    writer at a time, and a writer kept waiting by another polls with growing
    sleeps (its busy timeout), which turns a queue of a few milliseconds into
    seconds. PostgreSQL locks the request's row instead.

    ``addresses``: where the links in the e-mails begin, read once at start
    (:func:`~arshjul.mail.address.installation_addresses`): the page takes posts
    from these origins. ``receipts``: the thread that delivers the receipts.
    """

    def __init__(
        self, settings: Settings, engine: Engine, clock: Callable[[], dt.datetime]
    ) -> None:
        self.settings, self.engine, self.clock = settings, engine, clock
        self.write_lock: AbstractContextManager[object] = (
            threading.Lock() if engine.dialect.name == "sqlite" else nullcontext()
        )
        self.trusted_proxies: tuple[IPNetwork, ...] = settings.trusted_proxy_networks()
        self.addresses: list[PortalAddress] = installation_addresses(engine, settings)
        self.receipts = ReceiptMail(engine, settings, clock)

    @property
    def limit(self) -> int:
        """The largest attachment, in bytes."""
        return self.settings.max_attachment_bytes


def portal_of(request: Request) -> Portal:
    """The portal the request came to."""
    portal: Portal = request.app.state.portal
    return portal


def root_of(request: Request) -> str:
    """The path the portal is mounted at (behind a proxy), without a trailing slash."""
    return str(request.scope.get("root_path", "")).rstrip("/")
