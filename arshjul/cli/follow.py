"""Following the year: the daily watch and where every request stands."""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING, Annotated

import typer

from arshjul.cli.common import AsOfOption, app, parse_as_of
from arshjul.cli.outcome import EXIT_MAIL_FAILED, VerboseOption, reported, run_flow
from arshjul.timezone import STOCKHOLM

if TYPE_CHECKING:
    from sqlmodel import Session


def outbox_mark() -> tuple[set[int], int]:
    """The refused messages and the newest message before a run, to tell its own apart."""
    from sqlalchemy import func
    from sqlmodel import select

    from arshjul.mail.outbox import undelivered_ids
    from arshjul.models import OutboxMessage
    from arshjul.models.db import session_scope

    with session_scope() as session:
        newest = session.exec(select(func.max(OutboxMessage.id))).one()
        return undelivered_ids(session), newest or 0


def report_mail(mark: tuple[set[int], int], as_of: dt.datetime) -> int:
    """Print what the run's mail left behind (refusals, notice, queue); the exit code."""
    from sqlmodel import col, select

    from arshjul.mail.outbox import FAILURE_NOTICE, undelivered, undelivered_ids, waiting
    from arshjul.models import OutboxMessage
    from arshjul.models.db import session_scope

    before, newest = mark
    with session_scope() as session:
        refused = undelivered(session, ids=undelivered_ids(session) - before)
        notices = session.exec(
            select(OutboxMessage).where(
                OutboxMessage.purpose == FAILURE_NOTICE, col(OutboxMessage.id) > newest
            )
        ).all()
        queued = waiting(session, as_of=as_of)
    failed = [r for r in refused if not r.partly]
    partly = [r for r in refused if r.partly]
    if refused:
        parts = [f"{len(failed)} e-brev kom inte fram"] if failed else []
        if partly:
            parts.append(f"{len(partly)} kom inte fram till alla mottagare")
        label = "E-post misslyckades" if failed else "E-post"
        typer.echo(f"{label}: {', '.join(parts)}", err=True)
        for r in refused:
            typer.echo(f"  – {r.line()}", err=True)
    for notice in notices:
        to = ", ".join(addr for _, addr in [*notice.to, *notice.cc])
        if notice.state == "sent":
            typer.echo(f"Controllern har fått ett e-brev om det som inte kom fram ({to}).")
        elif notice.state == "queued":
            typer.echo(
                f"E-brevet till controllern ({to}) om det som inte kom fram väntar i utkorgen."
            )
    if queued.count:
        typer.echo(f"E-post väntar: {queued.line()}")
    return EXIT_MAIL_FAILED if failed else 0


@app.command("watch")
def watch_command(as_of: AsOfOption = None, verbose: VerboseOption = False) -> None:
    """Den dagliga bevakningen: påminnelser, eskaleringar, det som är klart."""
    from arshjul.runtime import prepare_prefect, quiet_prefect_console

    with reported(verbose):
        moment = parse_as_of(as_of)
        prepare_prefect()
        with quiet_prefect_console(not verbose):
            from arshjul.flows.bevakning import bevakning

            mark = outbox_mark()
            totals = run_flow(bevakning, as_of=moment)
            typer.echo(
                f"Bevakning {moment:%Y-%m-%d}: {totals['reminders']} påminnelser, "
                f"{totals['escalations']} eskaleringar, {totals['ready']} skeden klara att "
                f"sammanställa, {totals['mail_sent']} e-brev skickade"
                + (f", {totals['mail_failed']} misslyckade" if totals["mail_failed"] else "")
                + (f", {totals['mail_deferred']} väntar" if totals["mail_deferred"] else "")
            )
            code = report_mail(mark, moment)
    if code:
        raise typer.Exit(code)


def unit_keys(session: Session) -> dict[tuple[str, str], str]:
    """Each unit's key (what ``submit --enhet`` takes) by its municipality's name and its own.

    The status rows name the unit and the municipality; two units of one name in one
    municipality show both keys.
    """
    from sqlmodel import col, select

    from arshjul.models import Municipality, OrgUnit

    found: dict[tuple[str, str], list[str]] = {}
    for municipality, unit, key in session.exec(
        select(Municipality.name, OrgUnit.name, OrgUnit.key)
        .join(Municipality, col(Municipality.id) == OrgUnit.municipality_id)
        .order_by(col(OrgUnit.key))
    ):
        found.setdefault((municipality, unit), []).append(key)
    return {where: " / ".join(keys) for where, keys in found.items()}


def _with_unit_key(row: dict[str, object], key: str) -> dict[str, object]:
    """A status row as JSON with ``unit_key`` right after ``unit``."""
    shown: dict[str, object] = {}
    for name, value in row.items():
        shown[name] = value
        if name == "unit":
            shown["unit_key"] = key
    return shown


@app.command("status")
def status_command(
    year: Annotated[int | None, typer.Option("--year", help="Bara detta år.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Skriv ut som JSON.")] = False,
    all_requests: Annotated[
        bool, typer.Option("--alla", help="Även inlämnade och stängda begäranden.")
    ] = False,
    as_of: AsOfOption = None,
) -> None:
    """Varje öppen begäran och hur det står till med den."""
    moment = parse_as_of(as_of)
    from arshjul.lifecycle.status import request_statuses
    from arshjul.models.db import session_scope

    with session_scope() as session:
        rows = request_statuses(session, as_of=moment, year=year, only_open=not all_requests)
        keys = unit_keys(session)
    if as_json:
        shown = [_with_unit_key(r.as_json(), keys.get((r.municipality, r.unit), "")) for r in rows]
        typer.echo(json.dumps(shown, ensure_ascii=False, indent=2))
        return
    if not rows:
        typer.echo("Inga öppna begäranden." if not all_requests else "Inga begäranden.")
        return
    from arshjul.formats import format_datetime
    from arshjul.textable import render

    typer.echo(
        render(
            ["Skede", "Enhet", "Nyckel", "Sista dag", "Status", "Sen", "Versioner"],
            [
                [
                    f"{r.stage_name} {r.year}",
                    r.unit,
                    keys.get((r.municipality, r.unit), ""),
                    format_datetime(r.deadline.astimezone(STOCKHOLM)),
                    r.state_sv,
                    f"{r.working_days_late} dgr" if r.working_days_late else "",
                    str(r.versions),
                ]
                for r in rows
            ],
        )
    )
    for r in rows:
        if r.mail_failed and r.state == "open":
            typer.echo(
                f"E-post misslyckades till {r.unit} ({r.stage_name} {r.year}): {r.mail_error}"
            )
