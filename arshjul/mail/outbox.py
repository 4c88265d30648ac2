"""Queueing an e-mail: a row in the caller's transaction, sent later by the sender.

The message is rendered now (subject, text, HTML) and stored whole, so what is
delivered is what was decided in that transaction, even if a template changes
later. The only thing left open is the personal link: the stored body holds
:data:`~arshjul.links.LINK_PLACEHOLDER`, never a live link, and the
sender derives the link at delivery from the request's salt and the secret key.

What became of the messages is read here too: those a server refused
(:func:`undelivered`), the controller's one notice about them per run
(:func:`queue_failure_notice`), and what still waits after an outage (:func:`waiting`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, and_, exists, func, or_, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import Select

from arshjul.calendar.workdays import WORKING_DAYS
from arshjul.config.stored import municipality_config
from arshjul.deployments import WATCH_CRON
from arshjul.formats import format_datetime
from arshjul.links import LINK_PLACEHOLDER
from arshjul.mail.render import render
from arshjul.models.audit import AuditEntry
from arshjul.models.base import stored_id
from arshjul.models.cycle import Cycle, StageInstance
from arshjul.models.db import session_scope
from arshjul.models.organisation import ContactRole, Municipality, OrgUnit
from arshjul.models.outbox import MessageState, OutboxAttachment, OutboxMessage
from arshjul.models.submissions import SubmissionRequest
from arshjul.queries.organisation import contacts, controller_for
from arshjul.timezone import STOCKHOLM

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
                message_id=stored_id(message),
                filename=filename,
                content_type=content_type or "application/octet-stream",
                content=content,
            )
        )


# The purpose of the controller's notice about refused messages. A refused
# notice is never itself the subject of a notice: that would loop, one notice
# a run, to an address that refuses them all.
FAILURE_NOTICE = "leveransfel"
# The audit action that records "the controller has been told about this message".
NOTIFIED = "mail.failure_notified"
# pg_advisory_xact_lock key: "notice" in ASCII, apart from the sender's pass lock.
_NOTICE_LOCK = 0x6E6F74696365
# A notice lists at most this many messages; the rest are counted.
NOTICE_LINES = 100

PURPOSE_SV = {
    "request": "begäran om underlag",
    "reminder": "påminnelse",
    "escalation": "eskalering",
    "receipt": "kvitto",
    "deviation_escalation": "avvikelse över tröskelvärdet",
    "notification": "meddelande",
    FAILURE_NOTICE: "besked om e-post som inte kom fram",
}


@dataclass(frozen=True)
class Undelivered:
    """A message a mail server refused: wholly, or for some of its recipients (``partly``)."""

    id: int
    municipality_id: int
    purpose: str
    request_id: int | None
    unit_id: int | None
    unit: str
    stage: str
    recipients: tuple[str, ...]
    reason: str
    partly: bool

    def line(self) -> str:
        """``Socialnämnden, Tertialuppföljning 2027: begäran om underlag till … – skälet``."""
        what = PURPOSE_SV.get(self.purpose, self.purpose)
        about = ", ".join(part for part in (self.unit, self.stage) if part)
        head = f"{about}: {what}" if about else what[:1].upper() + what[1:]
        return f"{head} till {', '.join(self.recipients)} – {self.reason}"


def _refused() -> ColumnElement[bool]:
    """Refused outright, or delivered with some recipients refused (noted in last_error)."""
    return or_(
        col(OutboxMessage.state) == MessageState.FAILED,
        and_(col(OutboxMessage.state) == MessageState.SENT, col(OutboxMessage.last_error) != ""),
    )


def undelivered_ids(session: Session) -> set[int]:
    """Every refused message so far: a command compares before and after its run."""
    found = session.exec(select(col(OutboxMessage.id)).where(_refused())).all()
    return {mid for mid in found if mid is not None}  # a stored row always has its id


def undelivered(
    session: Session,
    *,
    municipality_id: int | None = None,
    ids: Collection[int] | None = None,
    unnotified: bool = False,
) -> list[Undelivered]:
    """Refused messages, oldest first; ``unnotified``: those no notice has told of yet."""
    # select() is typed for four columns at most; Select is what it builds for more.
    statement: Select[*tuple[Any, ...]] = (
        Select(
            col(OutboxMessage.id),
            col(OutboxMessage.municipality_id),
            col(OutboxMessage.purpose),
            col(OutboxMessage.request_id),
            col(OutboxMessage.to),
            col(OutboxMessage.cc),
            col(OutboxMessage.state),
            col(OutboxMessage.last_error),
            col(OrgUnit.id),
            col(OrgUnit.name),
            col(StageInstance.name),
            col(Cycle.year),
        )
        .outerjoin(SubmissionRequest, col(SubmissionRequest.id) == OutboxMessage.request_id)
        .outerjoin(OrgUnit, col(OrgUnit.id) == SubmissionRequest.unit_id)
        .outerjoin(StageInstance, col(StageInstance.id) == SubmissionRequest.stage_instance_id)
        .outerjoin(Cycle, col(Cycle.id) == StageInstance.cycle_id)
        .where(_refused())
        .order_by(col(OutboxMessage.id))
    )
    if municipality_id is not None:
        statement = statement.where(OutboxMessage.municipality_id == municipality_id)
    if ids is not None:
        if not ids:
            return []
        statement = statement.where(col(OutboxMessage.id).in_(list(ids)))
    if unnotified:
        told = exists().where(
            col(AuditEntry.municipality_id) == OutboxMessage.municipality_id,
            col(AuditEntry.action) == NOTIFIED,
            col(AuditEntry.entity_id) == OutboxMessage.id,
        )
        statement = statement.where(OutboxMessage.purpose != FAILURE_NOTICE, ~told)
    found = []
    for row in session.exec(statement).all():
        mid, municipality, purpose, request_id, to, cc, state, reason = row[:8]
        unit_id, unit, stage, year = row[8:]
        found.append(
            Undelivered(
                id=mid,
                municipality_id=municipality,
                purpose=purpose,
                request_id=request_id,
                unit_id=unit_id,
                unit=unit or "",
                stage=f"{stage} {year}" if stage else "",
                recipients=tuple(f"{name} <{addr}>" if name else addr for name, addr in [*to, *cc]),
                reason=reason or "okänt skäl",
                partly=state == MessageState.SENT,
            )
        )
    return found


def _count_sv(n: int) -> str:
    return "ett e-brev" if n == 1 else f"{n} e-brev"


def _notice_context(
    municipality: Municipality, failures: list[Undelivered], as_of: dt.datetime
) -> dict[str, Any]:
    """The notice as the generic notification template's subject, heading and paragraphs."""

    n = len(failures)
    whole = [f for f in failures if not f.partly]
    about = {f"{f.unit}, {f.stage}" for f in failures if f.unit}
    subject = "E-post kom inte fram: " + (next(iter(about)) if n == 1 and about else _count_sv(n))
    it = "det" if n == 1 else "dem"
    intro = (
        f"{_count_sv(n).capitalize()} från Årshjul kom inte fram "
        f"({format_datetime(as_of.astimezone(STOCKHOLM))}): e-postservern "
        f"vägrade ta emot {it}"
        + ("" if whole else " för en del av mottagarna")
        + f". Årshjul skickar inte om {it} av sig självt."
    )
    lines = [f.line() for f in failures[:NOTICE_LINES]]
    if n > NOTICE_LINES:
        lines.append(f"… och {n - NOTICE_LINES} till (arshjul status).")
    advice = [
        "Är en adress fel, rätta den i kommunens konfigurationsfil och kör arshjul init: "
        "påminnelser och eskaleringar går sedan till den nya adressen."
    ]
    if any(f.request_id is not None and f.purpose in ("request", "reminder") for f in whole):
        advice.insert(
            0,
            "Begäranden vars länk inte har nått nämnden visas som ”e-post misslyckades” "
            "i arshjul status och i skedets översikt tills ett e-brev med länken kommer fram. "
            "Hör gärna av dig till nämnden direkt under tiden.",
        )
    return {
        "municipality_name": municipality.name,
        "subject_text": subject,
        "heading": "E-post som inte kom fram",
        "paragraphs": [intro, *lines, *advice],
    }


def queue_failure_notice(
    session: Session,
    *,
    municipality: Municipality,
    as_of: dt.datetime,
    run_key: str | None = None,
) -> OutboxMessage | None:
    """Queue one notice to the controllers of every refusal not told of before; caller commits."""
    mid = municipality.id
    assert mid is not None
    if session.connection().dialect.name == "postgresql":
        # Two runs at once (the watch and a stage, on two workers) would each tell
        # of the same refusals under their own key: the second waits, then finds
        # them told of. Released at the caller's commit.
        session.connection().execute(
            text("SELECT pg_advisory_xact_lock(:key)"), {"key": _NOTICE_LOCK}
        )
    failures = undelivered(session, municipality_id=mid, unnotified=True)
    if not failures:
        return None
    central = contacts(session, municipality_id=mid, unit_id=None, role=ContactRole.CONTROLLER)
    to = [(c.name, c.email) for c in central] or [
        ("Controller", municipality_config(municipality).mail.reply_to)
    ]
    cc = []
    for unit_id in dict.fromkeys(f.unit_id for f in failures if f.unit_id is not None):
        unit = session.get(OrgUnit, unit_id)
        controller = controller_for(session, unit) if unit else None
        if controller is not None:
            cc.append((controller.name, controller.email))
    # Keyed by the flow run: one notice a run, a retried run included (a refusal
    # later in the same run waits for the next run's notice). Outside a run, by
    # the messages it tells of, so two passes at once queue it once. The audit
    # entries, in the notice's transaction, mark those messages as told of.
    if run_key:
        key = f"{FAILURE_NOTICE}:{run_key}"
    else:
        told = ",".join(str(f.id) for f in failures)
        key = f"{FAILURE_NOTICE}:{hashlib.sha256(told.encode()).hexdigest()[:16]}"
    message = enqueue(
        session,
        municipality=municipality,
        dedup_key=key,
        purpose=FAILURE_NOTICE,
        template="notification",
        context=_notice_context(municipality, failures, as_of),
        to=to,
        cc=cc,
    )
    if message is None:
        return None
    for failure in failures:
        session.add(
            AuditEntry(
                municipality_id=mid,
                actor="utkorgen",
                origin="flow",
                action=NOTIFIED,
                entity="outbox_message",
                entity_id=failure.id,
                details={"notice": key, "as_of": as_of.isoformat()},
            )
        )
    session.flush()
    return message


def queue_failure_notices(engine: Engine, *, as_of: dt.datetime, run_key: str | None = None) -> int:
    """A notice for each municipality with refusals not told of yet; how many were queued."""

    with session_scope(engine) as session:
        pending = exists().where(
            col(AuditEntry.municipality_id) == Municipality.id,
            col(AuditEntry.action) == NOTIFIED,
            col(AuditEntry.entity_id) == OutboxMessage.id,
        )
        ids = session.exec(
            select(col(Municipality.id))
            .join(OutboxMessage, col(OutboxMessage.municipality_id) == Municipality.id)
            .where(_refused(), OutboxMessage.purpose != FAILURE_NOTICE, ~pending)
            .distinct()
        ).all()
    queued = 0
    for mid in ids:
        # One transaction per municipality: one that fails keeps the others' notices.
        with session_scope(engine) as session:
            municipality = session.get(Municipality, mid)
            if municipality is not None and queue_failure_notice(
                session, municipality=municipality, as_of=as_of, run_key=run_key
            ):
                queued += 1
    return queued


@dataclass(frozen=True)
class Waiting:
    """Messages still queued (an outage, a server's "try later"), and when they are next tried."""

    count: int
    next_try: dt.datetime | None
    reason: str

    def line(self) -> str:
        """``3 e-brev väntar i utkorgen; nästa försök vid bevakningen 14 april 2027 kl. 07.00``."""

        if not self.count:
            return "Inga e-brev väntar i utkorgen."
        shown = f"{_count_sv(self.count).capitalize()} väntar i utkorgen"
        if self.next_try is not None:
            when = format_datetime(self.next_try.astimezone(STOCKHOLM))
            shown += f"; nästa försök vid bevakningen {when}"
        return shown + (f" ({self.reason})" if self.reason else "") + "."


def waiting(session: Session, *, as_of: dt.datetime, municipality_id: int | None = None) -> Waiting:
    """What is still queued after a delivery pass at ``as_of``, and its next try."""
    where = [OutboxMessage.state == MessageState.QUEUED]
    if municipality_id is not None:
        where.append(OutboxMessage.municipality_id == municipality_id)
    count, untried, earliest = session.exec(
        select(
            func.count(),
            func.count().filter(col(OutboxMessage.next_attempt_at).is_(None)),
            func.min(OutboxMessage.next_attempt_at),
        ).where(*where)
    ).one()
    if not count:
        return Waiting(0, None, "")
    due = as_of if untried or earliest is None else max(earliest, as_of)
    # The latest reason recorded: the backoff is set with it, so the latest try comes last.
    reason = session.exec(
        select(OutboxMessage.last_error)
        .where(*where, OutboxMessage.last_error != "")
        .where(col(OutboxMessage.next_attempt_at).is_not(None))
        .order_by(col(OutboxMessage.next_attempt_at).desc())
        .limit(1)
    ).first()
    return Waiting(count, next_watch(after=as_of, not_before=due), reason or "")


def next_due(engine: Engine, *, as_of: dt.datetime, purpose: str) -> dt.datetime | None:
    """When a queued message of ``purpose`` is next due: ``as_of`` if one is due already,
    None if none is queued. The portal sleeps until then between its receipts' passes."""
    queued = (OutboxMessage.state == MessageState.QUEUED, OutboxMessage.purpose == purpose)
    when = col(OutboxMessage.next_attempt_at)
    with session_scope(engine) as session:
        due = session.exec(
            select(func.count()).where(*queued, or_(when.is_(None), when <= as_of))
        ).one()
        if due:
            return as_of
        # The earliest by ORDER BY, not MIN(): SQLite's MIN() gives the stored text back.
        return session.exec(
            select(when).where(*queued, when.is_not(None)).order_by(when).limit(1)
        ).first()


def next_watch(*, after: dt.datetime, not_before: dt.datetime) -> dt.datetime:
    """The first daily watch later than ``after`` that is not before ``not_before``."""
    # Between the stages' own runs only the watch delivers mail: every working day
    # at the time of its schedule.

    minute, hour = (int(part) for part in WATCH_CRON.split()[:2])
    at = dt.time(hour, minute)
    day = max(after, not_before).astimezone(STOCKHOLM).date()
    while True:
        moment = dt.datetime.combine(day, at, STOCKHOLM)
        if moment > after and moment >= not_before and WORKING_DAYS.is_working_day(day):
            return moment
        day += dt.timedelta(days=1)
