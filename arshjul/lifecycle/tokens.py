"""The personal links in request e-mails, and the key they are made with.

A link is ``/begaran/{request id}/{token}``. The token is an HMAC of the request
and a random salt under the installation's secret key; the database keeps only
the salt and the token's SHA-256, so a copy of the database alone opens no
form. Deriving the token (instead of storing it) lets a reminder carry the same
link as the request, and the outbox keep a placeholder instead of the link.

Because every link hangs on the key, the key is guarded: the database records
its fingerprint (never the key), and a command that makes or checks links first
calls :func:`ensure_link_key`, which refuses a missing or different key instead
of quietly making a new one that would break every link already sent. A new
key is issued only on purpose (:func:`issue_key`, ``arshjul nyckel ny``), which
sends the live links again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import os
import secrets
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from arshjul.config.stored import municipality_config
from arshjul.errors import ArshjulError
from arshjul.formats import format_date
from arshjul.lifecycle.requests import request_context
from arshjul.links import LINK_PLACEHOLDER, derive_token, hash_token, tokens_match
from arshjul.mail.outbox import enqueue
from arshjul.models import (
    AuditEntry,
    Cycle,
    LinkKey,
    MessageState,
    Municipality,
    OrgUnit,
    OutboxMessage,
    RequestState,
    StageInstance,
    SubmissionRequest,
)
from arshjul.queries.organisation import controller_for, recipients_for_request
from arshjul.timezone import STOCKHOLM

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlmodel import Session

    from arshjul.models import LinkKey, OutboxMessage, SubmissionRequest
    from arshjul.settings import Settings

# --------------------------------------------------------------------------- the key
ENV_SOURCE = "ARSHJUL_SECRET_KEY"
FILE_SOURCE = "fil"
# An HMAC under the key of a fixed label: it names the key and reveals nothing a
# token hash in the same database does not already.
_FINGERPRINT_LABEL = b"arshjul:nyckelns-fingeravtryck"
# Shown to people: enough to tell two keys apart in a message or a log.
SHOWN = 12


def fingerprint(key: bytes) -> str:
    """The key's fingerprint: 64 hex digits, stored in the database; never the key."""
    return hmac.new(key, _FINGERPRINT_LABEL, hashlib.sha256).hexdigest()


def make_key() -> bytes:
    """A fresh random key: 64 URL-safe characters."""
    return secrets.token_urlsafe(48).encode()


def write_private(path: Path, data: bytes, *, replace: bool) -> bool:
    """Write ``data`` readable by the owner only (0600), whatever the umask.

    ``replace=False`` creates the file only if it does not exist (O_EXCL: two
    processes starting at once agree on one file) and returns False if it did.
    ``replace=True`` writes a temporary file beside it and renames it into
    place, so a crash leaves the old file or the new one, never half of one.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    if not replace:
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return False
        with os.fdopen(fd, "wb") as handle:
            # The mode given to open() is masked by the umask; set it outright.
            os.fchmod(handle.fileno(), 0o600)
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        return True
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".ny")
    try:
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), 0o600)  # mkstemp makes 0600; say so whatever it does
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return True


@dataclass(frozen=True)
class KeySource:
    """Where this process takes its key from, and the key if it is there."""

    key: bytes | None
    from_env: bool
    path: Path | None

    @property
    def name(self) -> str:
        """How a person finds it: the variable, or the file's path."""
        return ENV_SOURCE if self.from_env else str(self.path)

    @property
    def source(self) -> str:
        return ENV_SOURCE if self.from_env else FILE_SOURCE


def key_source(settings: Settings) -> KeySource:
    """The key of the settings (ARSHJUL_SECRET_KEY, else the key file), without making one."""
    if settings.secret_key is not None:
        return KeySource(settings.secret_key.get_secret_value().encode(), True, None)
    path = settings.key_file.absolute()
    try:
        key = path.read_bytes().strip()  # as Settings.link_key reads it
    except FileNotFoundError:
        return KeySource(None, False, path)
    except OSError as exc:
        raise ArshjulError(f"Nyckelfilen {path} kunde inte läsas: {exc.strerror}.") from None
    return KeySource(key or None, False, path)


class LinkKeyError(ArshjulError):
    """The key at hand is not the one the links were made with."""


@dataclass(frozen=True)
class KeyCheck:
    """The key a command may make and check links with."""

    key: bytes
    fingerprint: str
    created: bool = False  # the key file was made now, the first time
    recorded: bool = False  # its fingerprint was recorded now


def require_schema(engine: Engine) -> None:
    """The database has the key table (migration 0005), or a Swedish word to run init."""
    from sqlalchemy import inspect

    with engine.connect() as connection:
        if inspect(connection).has_table("link_key"):
            return
    where = engine.url.render_as_string(hide_password=True)
    raise ArshjulError(
        f"Databasen {where} är inte skapad eller inte uppgraderad för den här versionen "
        "av Årshjul: kör arshjul init."
    )


def recorded_key(session: Session) -> LinkKey | None:
    """The key in use as the database knows it: the newest fingerprint recorded."""
    from sqlmodel import select

    return session.exec(select(LinkKey).order_by(LinkKey.id.desc()).limit(1)).first()  # type: ignore[union-attr]


def _newest_link(session: Session) -> SubmissionRequest | None:
    from sqlmodel import select

    return session.exec(
        select(SubmissionRequest)
        .where(SubmissionRequest.token_hash.is_not(None))  # type: ignore[union-attr]
        .order_by(SubmissionRequest.id.desc())  # type: ignore[union-attr]
        .limit(1)
    ).first()


def opens(key: bytes, request: SubmissionRequest) -> bool:
    """True if ``key`` makes the link the database holds for ``request``."""
    token = derive_token(key, request.id, request.token_salt)  # type: ignore[arg-type]
    return request.token_hash is not None and tokens_match(token, request.token_hash)


def ensure_link_key(engine: Engine, settings: Settings) -> KeyCheck:
    """The key to make and check links with, once it is known to be the right one.

    With a fingerprint recorded, the key at hand must have it. With none (a new
    database, or one upgraded from before fingerprints) the key must open the
    links already made, if any; a key file is made only when no link exists
    yet. Either way the fingerprint is recorded. Anything else is a
    :class:`LinkKeyError` that says how to restore the key or issue a new one.
    """
    from sqlmodel import Session

    require_schema(engine)
    source = key_source(settings)
    with Session(engine, expire_on_commit=False) as session:
        recorded = recorded_key(session)
        if recorded is not None:
            if source.key is None:
                raise _refusal(source, recorded, missing=True)
            if not hmac.compare_digest(fingerprint(source.key), recorded.fingerprint):
                raise _refusal(source, recorded, missing=False)
            return KeyCheck(source.key, recorded.fingerprint)
        linked = _newest_link(session)
        key, created = source.key, False
        if key is None:
            if linked is not None:
                raise _refusal(source, None, missing=True)
            assert source.path is not None  # the variable, when set, is never empty
            # No link exists yet, so a new key loses nothing; an empty file (a
            # truncated copy, say) is replaced rather than taken for a key.
            empty = source.path.exists()
            created = write_private(source.path, make_key(), replace=empty)
            key = _read_written(source.path)
        elif linked is not None and not opens(key, linked):
            raise _refusal(source, None, missing=False)
        key_print = fingerprint(key)
        session.add(LinkKey(fingerprint=key_print, source=source.source))
        session.commit()
        return KeyCheck(key, key_print, created=created, recorded=True)


def _read_written(path: Path) -> bytes:
    """The key on disk, made here or by a process that won the race to make it.

    That process creates the file before it writes the key: wait the moment it
    takes rather than take an empty file for the key.
    """
    for _ in range(50):
        key = path.read_bytes().strip()
        if key:
            return key
        time.sleep(0.02)
    raise ArshjulError(f"Nyckelfilen {path} är tom: ta bort den och försök igen.")


def _refusal(source: KeySource, recorded: LinkKey | None, *, missing: bool) -> LinkKeyError:
    """Why the engine will not start, and the two ways out, in Swedish."""

    if source.from_env:
        problem = "Nyckeln i ARSHJUL_SECRET_KEY är inte den som de personliga länkarna gjordes med."
        restore = "Sätt tillbaka det tidigare värdet i ARSHJUL_SECRET_KEY."
        renew = (
            "Eller utfärda medvetet en ny nyckel: behåll det nya värdet och kör "
            "”arshjul nyckel ny”."
        )
    else:
        if missing:
            problem = (
                f"Nyckeln till de personliga länkarna saknas: {source.path} "
                "finns inte eller är tom."
            )
        else:
            problem = f"Nyckeln i {source.path} är inte den som de personliga länkarna gjordes med."
        restore = (
            f"Lägg tillbaka nyckelfilen från en säkerhetskopia som {source.path} "
            "(rättigheter 600, bara ägaren får läsa den)."
        )
        renew = "Eller utfärda medvetet en ny nyckel med ”arshjul nyckel ny”."
    renew += (
        " Då slutar länkarna som redan har skickats att fungera, och de öppna "
        "begärandena får nya länkar med e-post."
    )
    if recorded is not None:
        since = format_date(recorded.recorded_at.astimezone(STOCKHOLM).date())
        known = (
            f"Databasen har nyckeln med fingeravtrycket {recorded.fingerprint[:SHOWN]} "
            f"registrerad sedan {since}; länkarna som har skickats fungerar bara med den."
        )
    else:
        known = (
            "Databasen har länkar som redan har skickats; de fungerar bara med den gamla nyckeln."
        )
    return LinkKeyError(
        problem + " Inga länkar skapas eller kontrolleras förrän det är löst.",
        details=[known, restore, renew],
    )


# --------------------------------------------------------------------------- a new key
@dataclass
class NewKeyReport:
    """What issuing a key did."""

    fingerprint: str
    already_recorded: bool = False
    rehashed: int = 0
    # Outbox messages queued now with a new link, one per live request.
    queued: list[int] = field(default_factory=list)


def resend_dedup_key(request_id: int, key_fingerprint: str) -> str:
    """One re-sent link per request and key: a rerun for the same key sends nothing more."""
    return f"ny-nyckel:{request_id}:{key_fingerprint[:16]}"


def issue_key(
    session: Session,
    *,
    key: bytes,
    source: str,
    as_of: dt.datetime,
    actor: str = "controller",
) -> NewKeyReport:
    """Make ``key`` the key of every link, in the caller's transaction.

    Every request's stored token hash is made anew under ``key``, the key's
    fingerprint is recorded, and each live request whose link has gone out
    (not closed, within its grace, a message with the link sent) gets its new
    link through the outbox. A request whose link mail is still queued needs
    nothing: the sender makes its link with the key in use when it sends.
    """
    from sqlmodel import select

    key_print = fingerprint(key)
    current = recorded_key(session)
    already = current is not None and current.fingerprint == key_print
    report = NewKeyReport(key_print, already_recorded=already)
    requests = session.exec(
        select(SubmissionRequest)
        .where(SubmissionRequest.token_hash.is_not(None))  # type: ignore[union-attr]
        .order_by(SubmissionRequest.id)  # type: ignore[arg-type]
    ).all()
    for request in requests:
        wanted = hash_token(derive_token(key, request.id, request.token_salt))  # type: ignore[arg-type]
        if request.token_hash != wanted:
            request.token_hash = wanted
            session.add(request)
            report.rehashed += 1
    session.flush()

    sent_with_link = set(
        session.exec(
            select(OutboxMessage.request_id).where(
                OutboxMessage.request_id.is_not(None),  # type: ignore[union-attr]
                OutboxMessage.state == MessageState.SENT,
                OutboxMessage.body_text.contains(LINK_PLACEHOLDER, autoescape=True),  # type: ignore[attr-defined]
            )
        ).all()
    )
    live = [
        r
        for r in requests
        if r.state != RequestState.CLOSED and r.grace_until >= as_of and r.id in sent_with_link
    ]
    resent_by_municipality: dict[int, int] = {}
    for request in live:
        message = _resend(session, request, key_print)
        if message is not None:
            report.queued.append(message.id)  # type: ignore[arg-type]
            resent_by_municipality[request.municipality_id] = (
                resent_by_municipality.get(request.municipality_id, 0) + 1
            )
    if not report.already_recorded:
        session.add(LinkKey(fingerprint=key_print, source=source, resent=len(report.queued)))
    for municipality_id, n in resent_by_municipality.items():
        session.add(
            AuditEntry(
                municipality_id=municipality_id,
                actor=actor,
                origin="cli",
                action="links.new_key",
                entity="link_key",
                details={"fingerprint": key_print[:SHOWN], "resent": n, "as_of": as_of.isoformat()},
            )
        )
    session.flush()
    return report


def _resend(
    session: Session, request: SubmissionRequest, key_fingerprint: str
) -> OutboxMessage | None:
    """Queue the request's new link to the unit's recipients; None if queued before."""

    unit = session.get(OrgUnit, request.unit_id)
    stage = session.get(StageInstance, request.stage_instance_id)
    municipality = session.get(Municipality, request.municipality_id)
    assert unit is not None and stage is not None and municipality is not None
    cycle = session.get(Cycle, stage.cycle_id)
    assert cycle is not None
    recipients = [(c.name, c.email) for c in recipients_for_request(session, unit)]
    if not recipients:
        return None
    controller = controller_for(session, unit)
    context = request_context(
        municipality=municipality,
        unit=unit,
        stage=stage,
        request=request,
        year=cycle.year,
        controller=controller,
    )
    context["submitted"] = request.state == RequestState.SUBMITTED
    config = municipality_config(municipality)
    return enqueue(
        session,
        municipality=municipality,
        dedup_key=resend_dedup_key(request.id, key_fingerprint),  # type: ignore[arg-type]
        purpose="new_link",
        template="new_link",
        context=context,
        to=recipients,
        reply_to=controller.email if controller else config.mail.reply_to,
        request_id=request.id,
    )
