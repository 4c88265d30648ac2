"""The key behind the personal links: the check before links are made, and a new key.

Every command that makes or checks links first calls :func:`require_link_key`
(``arshjul.cli`` wraps them), so a lost or replaced key stops the engine with a
Swedish explanation instead of breaking every link already sent.
``arshjul nyckel ny`` is the deliberate way out: a new key, and the live links
sent again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from arshjul.cli.common import AsOfOption, app, parse_as_of
from arshjul.cli.swedish import SwedishTyper

if TYPE_CHECKING:
    import datetime as dt

    from sqlalchemy import Engine

    from arshjul.settings import Settings

keys_app = SwedishTyper(name="nyckel", help="Nyckeln bakom de personliga länkarna i e-posten.")
app.add_typer(keys_app, name="nyckel")

BACKUP_ADVICE = "säkerhetskopiera den: utan den slutar länkarna i e-posten att fungera."


def require_link_key() -> None:
    """Go on only with the key the database knows; say so when it was made just now."""
    from arshjul.lifecycle.tokens import SHOWN, ensure_link_key, key_source
    from arshjul.models.db import default_engine
    from arshjul.settings import get_settings

    settings = get_settings()
    check = ensure_link_key(default_engine(), settings)
    if check.created:
        typer.echo(
            f"Nyckeln till de personliga länkarna är skapad i {key_source(settings).name} "
            f"(fingeravtryck {check.fingerprint[:SHOWN]}); {BACKUP_ADVICE}",
            err=True,
        )


@keys_app.command("ny")
def new_key_command(
    as_of: AsOfOption = None,
    actor: Annotated[str, typer.Option("--av", help="Vem som byter nyckel (loggas).")] = (
        "controller"
    ),
) -> None:
    """Utfärda en ny nyckel och skicka nya länkar till de öppna begärandena.

    Utan ARSHJUL_SECRET_KEY skrivs en ny nyckelfil bredvid databasen. Med
    ARSHJUL_SECRET_KEY registreras variabelns nuvarande värde: sätt det nya
    värdet först. Länkarna som redan har skickats slutar att fungera.
    """
    moment = parse_as_of(as_of)
    from arshjul.lifecycle.tokens import (
        SHOWN,
        issue_key,
        key_source,
        make_key,
        require_schema,
        write_private,
    )
    from arshjul.models.db import default_engine, session_scope
    from arshjul.settings import get_settings

    settings = get_settings()
    engine = default_engine()
    require_schema(engine)
    source = key_source(settings)
    key = source.key if source.from_env and source.key else make_key()
    with session_scope(engine) as session:
        report = issue_key(session, key=key, source=source.source, as_of=moment, actor=actor)
        if not source.from_env:
            assert source.path is not None
            # Written before the commit: if the commit fails, the engine refuses the
            # new file and a rerun issues another key; no mail names a key never kept.
            write_private(source.path, key, replace=True)
    shown = report.fingerprint[:SHOWN]
    if not source.from_env:
        typer.echo(f"Ny nyckel utfärdad i {source.path} (fingeravtryck {shown}); {BACKUP_ADVICE}")
        typer.echo("Länkarna som har skickats tidigare fungerar inte längre.")
    elif report.already_recorded:
        typer.echo(
            f"Nyckeln i ARSHJUL_SECRET_KEY är redan den registrerade (fingeravtryck {shown}). "
            "Sätt ett nytt värde i ARSHJUL_SECRET_KEY (minst 32 tecken) och kör kommandot "
            "igen för att byta nyckel."
        )
    else:
        typer.echo(
            f"Nyckeln i ARSHJUL_SECRET_KEY är registrerad (fingeravtryck {shown}). "
            "Länkarna som har skickats tidigare fungerar inte längre; ge portalen och "
            "alla workers samma värde."
        )
    typer.echo(_resent_line(engine, settings, report.queued, moment, report.already_recorded))


def _resent_line(
    engine: Engine, settings: Settings, queued: list[int], moment: dt.datetime, rerun: bool
) -> str:
    """Send what was queued now and say, in one line, how many live links went out again."""
    if not queued:
        if rerun:
            return "Inga länkar behövde skickas om."
        return "Inga öppna begäranden hade länkar ute; inget behövde skickas om."
    from sqlmodel import Session, col, select

    from arshjul.mail.sender import deliver_queued
    from arshjul.models import MessageState, OutboxMessage

    # Now, not at the next watch: the links the committees hold stopped working.
    deliver_queued(engine, settings=settings, as_of=moment)
    with Session(engine) as session:
        states = list(
            session.exec(select(OutboxMessage.state).where(col(OutboxMessage.id).in_(queued)))
        )
    sent = states.count(MessageState.SENT)
    waiting = states.count(MessageState.QUEUED)
    failed = states.count(MessageState.FAILED)
    n = len(queued)
    requests = "öppen begäran" if n == 1 else "öppna begäranden"
    line = f"Nya länkar till {n} {requests}: {sent} skickade"
    if waiting:
        line += f", {waiting} väntar på nytt försök (skickas vid nästa bevakning)"
    if failed:
        line += f", {failed} kunde inte skickas (se arshjul status)"
    return line + "."
