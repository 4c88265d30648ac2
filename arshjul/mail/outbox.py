"""Queueing an e-mail: a row in the caller's transaction, sent later by the sender.

The message is rendered now (subject, text, HTML) and stored whole, so what is
delivered is what was decided in that transaction, even if a template changes
later. The only thing left open is the personal link: the stored body holds
:data:`~arshjul.lifecycle.tokens.LINK_PLACEHOLDER`, never a live link, and the
sender derives the link at delivery from the request's salt and the secret key.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from arshjul.lifecycle.tokens import LINK_PLACEHOLDER
from arshjul.mail.render import render
from arshjul.models.organisation import Municipality
from arshjul.models.outbox import OutboxAttachment, OutboxMessage

_NOT_ATOM = re.compile(r"[^A-Za-z0-9_+=-]+")


def message_id_for(municipality: Municipality, dedup_key: str) -> str:
    """A stable RFC 5322 Message-ID: the same dedup key always gives the same ID.

    ``<begaran.42.1f0c3a9e7b.1984.9c2e41d0@arboga.example>``: the readable part is
    the key with everything outside dot-atom text turned into dots; the short hash
    keeps two keys that read alike (``a:b``, ``a/b``) apart; the municipality's
    random mail token keeps another installation's (or a rebuilt database's) apart.
    """
    readable = _NOT_ATOM.sub(".", dedup_key).strip(".")[:150] or "meddelande"
    digest = hashlib.sha256(dedup_key.encode()).hexdigest()[:10]
    code = _NOT_ATOM.sub("", municipality.code) or "0"
    domain = municipality.mail_from_address.rpartition("@")[2].strip().lower()
    try:
        domain = domain.encode("idna").decode("ascii") if domain else ""
    except UnicodeError:
        domain = ""
    token = _NOT_ATOM.sub("", municipality.mail_token)
    local = f"{readable}.{digest}.{code}" + (f".{token}" if token else "")
    return f"<{local}@{domain or 'arshjul.invalid'}>"


def _pairs(people: Sequence[tuple[str, str]], *, skip: set[str]) -> list[list[str]]:
    """Recipients as JSON-able pairs, each address once (case-insensitively)."""
    out: list[list[str]] = []
    for name, addr in people:
        key = addr.strip().lower()
        if key and key not in skip:
            skip.add(key)
            out.append([name.strip(), addr.strip()])
    return out


def _begin_for_savepoint(session: Session) -> None:
    """Make sure a SAVEPOINT nests inside the caller's transaction on SQLite.

    The sqlite3 driver opens its transaction lazily, at the first write. A
    SAVEPOINT issued before any write would start a transaction of its own,
    and releasing it would commit the message behind the caller's back. Starting
    the transaction explicitly keeps "both or neither" true.
    """
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        return
    dbapi = connection.connection.dbapi_connection
    if dbapi is not None and not getattr(dbapi, "in_transaction", True):
        connection.exec_driver_sql("BEGIN")


def _exists(session: Session, municipality_id: int, dedup_key: str) -> bool:
    statement = select(OutboxMessage.id).where(
        OutboxMessage.municipality_id == municipality_id,
        OutboxMessage.dedup_key == dedup_key,
    )
    return session.exec(statement).first() is not None


def enqueue(
    session: Session,
    *,
    municipality: Municipality,
    dedup_key: str,
    purpose: str,
    template: str,
    context: dict[str, Any],
    to: Sequence[tuple[str, str]],
    cc: Sequence[tuple[str, str]] = (),
    reply_to: str | None = None,
    request_id: int | None = None,
    attachments: Sequence[tuple[str, str, bytes]] = (),
    new_key: bool = False,
) -> OutboxMessage | None:
    """Queue one e-mail in the caller's transaction; None if ``dedup_key`` was queued before.

    Nothing is committed (the caller commits the message with what it is
    about). ``to``/``cc`` are (display name, address) pairs; ``attachments``
    (file name, content type, bytes). A template that shows the personal link
    takes ``context["link"] = LINK_PLACEHOLDER`` and needs ``request_id``.

    ``new_key`` says that no other transaction can hold ``dedup_key`` (it is
    made from a row this transaction created): the look-up and the savepoint
    that guard against a twin are skipped, and a clash would be a bug, raised.
    """
    if municipality.id is None:
        raise ValueError("kommunen är inte sparad (saknar id)")
    if not municipality.mail_from_address:
        raise ValueError(f"{municipality.name} saknar avsändaradress ([mail] from_address)")
    if not new_key and _exists(session, municipality.id, dedup_key):
        return None

    full_context = {
        "municipality_name": municipality.name,
        "sender_name": municipality.mail_from_name or municipality.name,
        **context,
    }
    rendered = render(template, full_context)
    if LINK_PLACEHOLDER in rendered.subject:
        raise ValueError("den personliga länken hör inte hemma i ämnesraden")
    if request_id is None and (
        LINK_PLACEHOLDER in rendered.text or LINK_PLACEHOLDER in rendered.html
    ):
        raise ValueError(f"{template}: en personlig länk kräver request_id")

    seen: set[str] = set()
    to_pairs = _pairs(to, skip=seen)
    cc_pairs = _pairs(cc, skip=seen)  # someone in both To and Cc gets one copy
    if not to_pairs:
        raise ValueError(f"{template}: meddelandet {dedup_key!r} har ingen mottagare")

    message = OutboxMessage(
        municipality_id=municipality.id,
        dedup_key=dedup_key,
        purpose=purpose,
        request_id=request_id,
        message_id=message_id_for(municipality, dedup_key),
        from_name=municipality.mail_from_name or municipality.name,
        from_address=municipality.mail_from_address,
        reply_to=reply_to or "",
        to=to_pairs,
        cc=cc_pairs,
        subject=rendered.subject,
        body_text=rendered.text,
        body_html=rendered.html,
    )
    if new_key:
        _add(session, message, attachments)
        return message
    _begin_for_savepoint(session)
    try:
        # The unique key is the final guard against a concurrent twin; the
        # savepoint keeps its IntegrityError from spoiling the caller's transaction.
        with session.begin_nested():
            _add(session, message, attachments)
            session.flush()
    except IntegrityError:
        if _exists(session, municipality.id, dedup_key):
            return None
        raise
    return message


def _add(
    session: Session, message: OutboxMessage, attachments: Sequence[tuple[str, str, bytes]]
) -> None:
    """Add a message and its attachments (the message is flushed for its id)."""
    session.add(message)
    if not attachments:
        return
    session.flush()
    for filename, content_type, content in attachments:
        session.add(
            OutboxAttachment(
                municipality_id=message.municipality_id,
                message_id=message.id,  # type: ignore[arg-type]
                filename=filename,
                content_type=content_type or "application/octet-stream",
                content=content,
            )
        )
