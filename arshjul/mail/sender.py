"""Delivering queued messages: over one SMTP connection, or as ``.eml`` files.

Each message's outcome is committed right after it is sent, so a crash in the
middle of a batch neither re-sends what was delivered nor loses what was not.
(The one gap no outbox can close: a crash after the server accepted a message
and before the commit sends it again; it carries the same Message-ID, so the
receiving side can tell.)

Outcomes:

* accepted (by at least one recipient): ``sent``; refused recipients in ``last_error``;
* a permanent refusal (5xx, an address that cannot be sent): ``failed`` with the reason;
* the sender refused (530 "log in" or "STARTTLS first", a sender the relay does not
  accept): the installation's settings, not the message, so like an outage below;
* a temporary refusal (4xx): stays ``queued`` with a backoff; ``failed`` once it has
  been tried ``max_attempts`` times;
* the server unreachable or the connection lost: the message in hand stays
  ``queued`` with a backoff, the batch stops, the rest are left untouched. An
  outage alone never fails a message (DESIGN.md, principle 5: it delays mail,
  it never loses it).

One pass at a time per database, whoever runs it (a stage run, the watch, each
portal process delivering its receipts): an advisory lock on PostgreSQL, a lock
file beside the database on SQLite (:func:`_one_pass_at_a_time`). A second pass
waits, then finds sent what the first one sent: no message goes out twice.

The links begin with the address :mod:`arshjul.mail.address` gives each
message's municipality, the same in every process; with an SMTP server set, a
pass refuses to start when that address is one only this machine reaches.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import email.errors
import logging
import os
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiosmtplib
from markupsafe import escape
from sqlalchemy import Connection, Engine, or_, select, text, update

from arshjul.links import (
    LINK_PLACEHOLDER,
    REVIEW_PLACEHOLDER,
    derive_review_token,
    derive_token,
    portal_link,
    review_link,
    review_placeholder,
)
from arshjul.mail.address import PortalAddress, addresses, refuse_local_links
from arshjul.mail.eml import EmlWriter, MailParts, message_bytes
from arshjul.models.base import core_table
from arshjul.models.governing import DocumentReview
from arshjul.models.outbox import MessageState, OutboxAttachment, OutboxMessage
from arshjul.models.submissions import SubmissionRequest
from arshjul.settings import Settings

log = logging.getLogger(__name__)

MESSAGES = core_table(OutboxMessage)
ATTACHMENTS = core_table(OutboxAttachment)
REQUESTS = core_table(SubmissionRequest)
REVIEWS = core_table(DocumentReview)

# Minutes to wait after the n-th failed attempt; the last value repeats.
BACKOFF_MINUTES = (1, 5, 15, 60, 240)


def backoff(attempts: int) -> dt.timedelta:
    """The wait before the next try after ``attempts`` failed tries."""
    index = min(max(attempts, 1), len(BACKOFF_MINUTES)) - 1
    return dt.timedelta(minutes=BACKOFF_MINUTES[index])


@dataclass
class DeliveryReport:
    """What one delivery pass did. ``deferred``: due messages left queued for later."""

    sent: int = 0
    failed: int = 0
    deferred: int = 0
    written_files: list[Path] = field(default_factory=list)
    error: str = ""  # why the pass stopped early (the server unreachable), else empty


class _Permanent(Exception):
    """This message cannot be delivered as it is: fail it with the reason."""


class _Temporary(Exception):
    """Try this message again later; ``connection_down``: stop the pass too."""

    def __init__(self, reason: str, *, connection_down: bool, server_reply: bool) -> None:
        super().__init__(reason)
        self.connection_down = connection_down
        # A 4xx answer about this message counts towards max_attempts; an outage does not.
        self.server_reply = server_reply


class _Delivered:
    """Accepted by the server for at least one recipient; ``refused``: the others."""

    def __init__(self, refused: dict[str, Any]) -> None:
        self.note = ""
        if refused:
            details = [(addr, r.code, r.message) for addr, r in refused.items()]
            self.note = f"{_refusals(details)} (levererat till övriga mottagare)"


class _Batch:
    """The due messages of one pass and what their delivery needs from the database."""

    def __init__(
        self,
        conn: Connection,
        settings: Settings,
        as_of: dt.datetime,
        limit: int,
        purpose: str | None = None,
    ):
        self.conn = conn
        self.settings = settings
        self.as_of = as_of
        due = (
            select(MESSAGES)
            .where(
                MESSAGES.c.state == MessageState.QUEUED,
                or_(MESSAGES.c.next_attempt_at.is_(None), MESSAGES.c.next_attempt_at <= as_of),
            )
            .order_by(MESSAGES.c.created_at, MESSAGES.c.id)
            .limit(limit)
        )
        if purpose is not None:
            due = due.where(MESSAGES.c.purpose == purpose)
        self.rows: list[Any] = list(conn.execute(due))
        ids = [row.id for row in self.rows]
        self.with_attachments: set[int] = set()
        self.salts: dict[int, str] = {}
        # Each municipality's portal address, read with the batch: the same in every process.
        self.addresses: dict[int, PortalAddress] = {}
        if ids:
            self.addresses = addresses(conn, settings, {row.municipality_id for row in self.rows})
            self.with_attachments = set(
                conn.execute(
                    select(ATTACHMENTS.c.message_id)
                    .where(ATTACHMENTS.c.message_id.in_(ids))
                    .distinct()
                ).scalars()
            )
            wanted = {
                row.request_id for row in self.rows if row.request_id is not None and _has_link(row)
            }
            if wanted:
                found = conn.execute(
                    select(REQUESTS.c.id, REQUESTS.c.token_salt).where(REQUESTS.c.id.in_(wanted))
                )
                self.salts = {request_id: salt for request_id, salt in found}
        conn.rollback()  # end the read; each message gets its own transaction
        self._key: bytes | None = None

    def _link(self, row: Any) -> str:
        request_id: int | None = row.request_id
        salt = self.salts.get(request_id) if request_id is not None else None
        if request_id is None or salt is None:
            raise _Permanent(f"Begäran {request_id} som länken gäller finns inte")
        if self._key is None:
            self._key = self.settings.link_key()
        token = derive_token(self._key, request_id, salt)
        return portal_link(self.addresses[row.municipality_id].url, request_id, token)

    def _review_link(self, row: Any, review_id: int) -> str:
        """The answer link of a governing document's review (arshjul/lifecycle/reviews.py)."""
        salt = self.conn.execute(
            select(REVIEWS.c.token_salt).where(
                REVIEWS.c.id == review_id, REVIEWS.c.municipality_id == row.municipality_id
            )
        ).scalar()
        if not salt:
            raise _Permanent(f"Översynen {review_id} som länken gäller finns inte")
        if self._key is None:
            self._key = self.settings.link_key()
        token = derive_review_token(self._key, review_id, salt)
        return review_link(self.addresses[row.municipality_id].url, review_id, token)

    def claim(self, row: Any) -> bool:
        """True if the row is still queued: another pass may have sent it meanwhile.

        On PostgreSQL the pass holds an advisory lock (see :func:`_one_pass_at_a_time`),
        so no other pass runs and there is nothing to re-read. On SQLite the pass
        holds a file lock; the state is re-read before each message all the same
        (cheap there, and a guard where the lock cannot reach, a database file on a
        network share), and the final update is conditional, so two passes at once
        would re-send at most the message in flight.
        """
        if self.conn.dialect.name == "postgresql":
            return True
        found = self.conn.execute(
            select(MESSAGES.c.id).where(
                MESSAGES.c.id == row.id, MESSAGES.c.state == MessageState.QUEUED
            )
        ).first()
        if found is None:
            self.conn.rollback()
            return False
        return True

    def message(self, row: Any) -> tuple[bytes, list[str]]:
        """The bytes to send (live link in place) and the envelope recipients."""
        text, html = row.body_text, row.body_html
        if _has_link(row):
            link = self._link(row)
            text = text.replace(LINK_PLACEHOLDER, link)
            html = html.replace(LINK_PLACEHOLDER, str(escape(link)))
        for review_id in sorted({int(m) for m in REVIEW_PLACEHOLDER.findall(text + html)}):
            link = self._review_link(row, review_id)
            text = text.replace(review_placeholder(review_id), link)
            html = html.replace(review_placeholder(review_id), str(escape(link)))
        attachments: Sequence[tuple[str, str, bytes]] = ()
        if row.id in self.with_attachments:
            found = self.conn.execute(
                select(ATTACHMENTS.c.filename, ATTACHMENTS.c.content_type, ATTACHMENTS.c.content)
                .where(ATTACHMENTS.c.message_id == row.id)
                .order_by(ATTACHMENTS.c.id)
            )
            attachments = [(name, kind, bytes(content)) for name, kind, content in found]
        to = [tuple(pair) for pair in row.to]
        cc = [tuple(pair) for pair in row.cc]
        parts = MailParts(
            message_id=row.message_id,
            from_name=row.from_name,
            from_address=row.from_address,
            to=to,
            cc=cc,
            reply_to=row.reply_to,
            subject=row.subject,
            text=text,
            html=html,
            attachments=attachments,
        )
        try:
            data = message_bytes(parts, date=self.as_of)
        except (ValueError, TypeError, email.errors.MessageError) as exc:
            raise _Permanent(f"Ogiltig adress eller rubrik: {exc}") from exc
        return data, [addr for _, addr in to + cc]

    def prepare(self, row: Any) -> tuple[bytes, list[str]] | _Permanent | None:
        """Claim and build one message: None if it is no longer queued."""
        if not self.claim(row):
            return None
        try:
            return self.message(row)
        except _Permanent as problem:
            return problem

    def record(
        self, row: Any, result: _Delivered | _Permanent | _Temporary, max_attempts: int
    ) -> str:
        """Commit one message's outcome: ``sent``, ``failed`` or ``deferred``."""
        if isinstance(result, _Delivered):
            self.sent(row, result.note)
            return "sent"
        if isinstance(result, _Permanent):
            self.failed(row, str(result))
            return "failed"
        return "deferred" if self.retry_later(row, result, max_attempts) else "failed"

    def _finish(
        self, row: Any, *, was: Sequence[str] = (MessageState.QUEUED,), **values: Any
    ) -> None:
        result = self.conn.execute(
            update(MESSAGES)
            .where(MESSAGES.c.id == row.id, MESSAGES.c.state.in_(list(was)))
            .values(**values)
        )
        self.conn.commit()
        if result.rowcount == 0:  # another sender got there first (SQLite only)
            log.warning("Meddelande %s hanterades samtidigt av en annan sändning", row.message_id)

    def sent(self, row: Any, note: str = "") -> None:
        """Record a delivery, also of a receipt superseded while it was being sent.

        A newer version's receipt may replace a queued one (lifecycle.submissions)
        between this pass's read and its send; what went out is then recorded as
        sent, so the row tells the truth and the next receipt waits out the window.
        """
        self._finish(
            row,
            was=(MessageState.QUEUED, MessageState.SUPERSEDED),
            state=MessageState.SENT,
            sent_at=self.as_of,
            attempts=row.attempts + 1,
            last_error=note,
            next_attempt_at=None,
        )

    def failed(self, row: Any, reason: str) -> None:
        log.warning("Meddelande %s kunde inte levereras: %s", row.message_id, reason)
        self._finish(row, state=MessageState.FAILED, attempts=row.attempts + 1, last_error=reason)

    def retry_later(self, row: Any, problem: _Temporary, max_attempts: int) -> bool:
        """Record a temporary failure; True when the message stays queued."""
        attempts = row.attempts + 1
        reason = str(problem)
        if problem.server_reply and attempts >= max_attempts:
            self.failed(row, f"Gav upp efter {attempts} försök: {reason}")
            return False
        log.info("Meddelande %s försöks igen senare: %s", row.message_id, reason)
        self._finish(
            row,
            attempts=attempts,
            last_error=reason,
            next_attempt_at=self.as_of + backoff(attempts),
        )
        return True


# pg_advisory_lock key: "outbox" in ASCII; any fixed number shared by all senders works.
_PASS_LOCK = 0x6F7574626F78
# Beside a SQLite file: the lock that one pass at a time holds.
SQLITE_LOCK_SUFFIX = "-utkorg.lock"


@contextmanager
def _one_pass_at_a_time(conn: Connection) -> Iterator[None]:
    """One delivery pass at a time per database (workers on many machines, portal processes).

    PostgreSQL: a session-level advisory lock. A second pass waits, then finds
    sent what the first one sent. It lasts across the per-message commits and is
    released when the pass ends or its connection dies. Cheaper than locking each
    row: one round trip per pass instead of one per message.

    SQLite has no such lock, and its own write lock must not be held while a
    message is sent (the portal's posts would wait on the mail server). Every
    process on a SQLite file is on its machine, so an exclusive ``flock`` on a
    file beside it serves: the portal delivering a receipt and the watch running
    at once take turns instead of both sending the message in hand. The kernel
    releases it when the pass ends or its process dies.
    """
    if conn.dialect.name == "sqlite":
        with _sqlite_pass_lock(conn.engine.url.database):
            yield
        return
    if conn.dialect.name != "postgresql":
        yield
        return
    conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": _PASS_LOCK})
    conn.commit()
    try:
        yield
    finally:
        try:
            conn.rollback()
            conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": _PASS_LOCK})
            conn.commit()
        except Exception:  # a dead connection has released the lock already
            log.warning("Utkorgens lås kunde inte släppas; förbindelsen stängs", exc_info=True)
            conn.invalidate()


@contextmanager
def _sqlite_pass_lock(database: str | None) -> Iterator[None]:
    """An exclusive flock on ``DATABASE-utkorg.lock`` (none for an in-memory database)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not on Windows; the re-read in claim() remains
        fcntl = None  # type: ignore[assignment]
    if fcntl is None or not database or database == ":memory:" or database.startswith("file:"):
        yield
        return
    # One description per pass (flock locks belong to it, not to the process), so two
    # passes in threads of one process exclude each other too. Private, as the database.
    fd = os.open(f"{database}{SQLITE_LOCK_SUFFIX}", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock


def _has_link(row: Any) -> bool:
    return LINK_PLACEHOLDER in row.body_text or LINK_PLACEHOLDER in row.body_html


def _refusals(refused: Sequence[tuple[str, int, str]]) -> str:
    """``Mottagaren avvisades: 550 5.1.1 Okänd <x@y>`` (several joined by ``; ``)."""
    label = "Mottagaren avvisades" if len(refused) == 1 else "Mottagarna avvisades"
    details = "; ".join(f"{code} {message.strip()} <{addr}>" for addr, code, message in refused)
    return f"{label}: {details}"


def _classify(exc: BaseException) -> _Permanent | _Temporary:
    """Turn what aiosmtplib raised while sending one message into an outcome."""
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused):
        refused = [(r.recipient, r.code, r.message) for r in exc.recipients]
        reason = _refusals(refused)
        if all(500 <= code < 600 for _, code, _ in refused):
            return _Permanent(reason)
        return _Temporary(reason, connection_down=False, server_reply=True)
    if isinstance(exc, aiosmtplib.SMTPSenderRefused):
        # The server refuses us, not the recipient (530: log in or STARTTLS first; a
        # sender address the relay does not accept): the installation's settings are
        # wrong and every message would meet the same answer. Failing them would lose
        # them all; they wait like in an outage until the settings are put right.
        return _Temporary(
            f"E-postservern vägrade avsändaren (kontrollera SMTP-inställningarna): "
            f"{exc.code} {exc.message.strip()}",
            connection_down=True,
            server_reply=False,
        )
    if isinstance(exc, aiosmtplib.SMTPResponseException):
        label = {
            aiosmtplib.SMTPDataError: "Meddelandet avvisades",
            aiosmtplib.SMTPRecipientRefused: "Mottagaren avvisades",
        }.get(type(exc), "E-postservern svarade")
        reply = f"{exc.code} {exc.message.strip()}"
        if exc.code == 421:  # the server is closing the connection
            return _Temporary(
                f"E-postservern stängde förbindelsen: {reply}",
                connection_down=True,
                server_reply=False,
            )
        if 400 <= exc.code < 500:
            return _Temporary(f"Tillfälligt fel: {reply}", connection_down=False, server_reply=True)
        return _Permanent(f"{label}: {reply}")
    if isinstance(exc, aiosmtplib.SMTPNotSupported | ValueError):
        return _Permanent(f"Adressen kan inte skickas: {exc}")
    if isinstance(exc, aiosmtplib.SMTPTimeoutError | TimeoutError):
        return _Temporary(
            f"E-postservern svarade inte i tid: {exc}", connection_down=True, server_reply=False
        )
    return _Temporary(
        f"Förbindelsen med e-postservern bröts: {exc.__class__.__name__}: {exc}",
        connection_down=True,
        server_reply=False,
    )


_SEND_ERRORS = (aiosmtplib.SMTPException, OSError, ValueError)


async def _connect(settings: Settings) -> aiosmtplib.SMTP:
    password = settings.smtp_password.get_secret_value() if settings.smtp_password else None
    smtp = aiosmtplib.SMTP(
        hostname=settings.smtp_host,
        port=settings.smtp_port,
        timeout=settings.smtp_timeout_seconds,
        # Explicit: None would upgrade whenever offered, and fail on an internal
        # relay's self-signed certificate when no TLS was asked for.
        start_tls=settings.smtp_starttls,
        username=settings.smtp_username or None,
        password=password if settings.smtp_username else None,
    )
    await smtp.connect()
    return smtp


def _connect_error(settings: Settings, exc: BaseException) -> str:
    where = f"{settings.smtp_host}:{settings.smtp_port}"
    if isinstance(exc, aiosmtplib.SMTPAuthenticationError):
        return f"Inloggningen på e-postservern {where} misslyckades: {exc.code} {exc.message}"
    return f"Kunde inte ansluta till e-postservern {where}: {exc.__class__.__name__}: {exc}"


async def _deliver_smtp(
    batch: _Batch, report: DeliveryReport, settings: Settings, max_attempts: int
) -> None:
    """Send the batch over one connection, committing each outcome before the next send.

    (Overlapping the commit of one message with the sending of the next was
    measured: no gain on this kind of machine, where the GIL and two cores
    serialise the work anyway, and it would widen what a crash can re-send.)
    """
    rows = batch.rows
    try:
        smtp = await _connect(settings)
    except _SEND_ERRORS as exc:
        report.error = _connect_error(settings, exc)
        log.warning("%s", report.error)
        # The oldest message carries the error (and its backoff) for whoever looks;
        # the rest stay untouched. An outage alone never fails a message.
        if batch.claim(rows[0]):
            problem = _Temporary(report.error, connection_down=True, server_reply=False)
            batch.record(rows[0], problem, max_attempts)
        report.deferred += len(rows)
        return
    try:
        for index, row in enumerate(rows):
            prepared = batch.prepare(row)
            if prepared is None:  # sent meanwhile by another pass
                continue
            result: _Delivered | _Permanent | _Temporary
            if isinstance(prepared, _Permanent):
                result = prepared
            else:
                data, recipients = prepared
                try:
                    errors, _ = await smtp.sendmail(row.from_address, recipients, data)
                    result = _Delivered(errors)
                except _SEND_ERRORS as exc:
                    result = _classify(exc)
            _count(report, batch.record(row, result, max_attempts))
            if isinstance(result, _Temporary) and result.connection_down:
                report.error = str(result)
                report.deferred += len(rows) - index - 1
                return
    finally:
        try:
            await smtp.quit()
        except _SEND_ERRORS:
            smtp.close()


def _count(report: DeliveryReport, outcome: str) -> None:
    if outcome == "sent":
        report.sent += 1
    elif outcome == "failed":
        report.failed += 1
    else:
        report.deferred += 1


def _deliver_files(batch: _Batch, report: DeliveryReport, settings: Settings) -> None:
    """Write each message as an ``.eml`` file and mark it sent, one commit per file."""
    writer = EmlWriter(Path(settings.mail_dir))
    for row in batch.rows:
        prepared = batch.prepare(row)
        if prepared is None:
            continue
        if isinstance(prepared, _Permanent):
            _count(report, batch.record(row, prepared, 1))
            continue
        data, _ = prepared
        report.written_files.append(writer.write(data, subject=row.subject, when=batch.as_of))
        _count(report, batch.record(row, _Delivered({}), 1))


async def deliver_queued_async(
    engine: Engine,
    *,
    settings: Settings,
    as_of: dt.datetime,
    limit: int = 1000,
    max_attempts: int = 8,
    purpose: str | None = None,
) -> DeliveryReport:
    """Deliver every queued message due at ``as_of``, oldest first, ``limit`` at a time.

    Over one SMTP connection per ``limit`` messages when ``settings.smtp_host``
    is set, else as ``.eml`` files in ``settings.mail_dir``. ``Date`` and
    ``sent_at`` are ``as_of``. The pass goes on until nothing due is left, so a
    stage that queues more than ``limit`` requests sends them all today rather
    than leaving the rest for tomorrow's watch; an SMTP outage ends it.
    ``purpose``: only the messages of that purpose (the portal's receipts).

    With an SMTP server set, a batch whose links would begin with an address
    only this machine reaches raises :class:`~arshjul.mail.address.LocalPortalAddress`
    before anything is sent; the messages stay queued as they were.
    """
    if as_of.tzinfo is None:
        raise ValueError("as_of måste ha en tidszon")
    report = DeliveryReport()
    with engine.connect() as conn, _one_pass_at_a_time(conn):
        while True:
            batch = _Batch(conn, settings, as_of, limit, purpose)
            if not batch.rows:
                break
            refuse_local_links(settings, batch.addresses.values())
            done = report.sent + report.failed
            if settings.mail_to_files:
                _deliver_files(batch, report, settings)
            else:
                await _deliver_smtp(batch, report, settings, max_attempts)
            # A deferred message is due again only after its backoff, so each
            # round takes new rows; the checks below are the guard all the same.
            if report.error or len(batch.rows) < limit or report.sent + report.failed == done:
                break
    if not report.sent and not report.failed and not report.deferred:
        return report
    log.info(
        "E-post: %d skickade, %d misslyckade, %d väntar",
        *(report.sent, report.failed, report.deferred),
    )
    return report


def deliver_queued(
    engine: Engine,
    *,
    settings: Settings,
    as_of: dt.datetime,
    limit: int = 1000,
    max_attempts: int = 8,
    purpose: str | None = None,
) -> DeliveryReport:
    """:func:`deliver_queued_async` from synchronous code.

    Inside a running event loop (a Prefect async task, say) ``asyncio.run``
    is not allowed, so the pass then runs in a worker thread with its own loop.
    """

    def run() -> DeliveryReport:
        return asyncio.run(
            deliver_queued_async(
                engine,
                settings=settings,
                as_of=as_of,
                limit=limit,
                max_attempts=max_attempts,
                purpose=purpose,
            )
        )

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return run()
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="arshjul-e-post") as pool:
        return pool.submit(run).result()
