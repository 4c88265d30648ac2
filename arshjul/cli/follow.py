"""Following the year: the daily watch and where every request stands."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from arshjul.cli.common import AsOfOption, app, parse_as_of
from arshjul.timezone import STOCKHOLM


@app.command("watch")
def watch_command(as_of: AsOfOption = None) -> None:
    """Den dagliga bevakningen: påminnelser, eskaleringar, det som är klart."""
    moment = parse_as_of(as_of)
    from arshjul.runtime import prepare_prefect

    prepare_prefect()
    from arshjul.flows.bevakning import bevakning

    totals = bevakning(as_of=moment)
    typer.echo(
        f"Bevakning {moment:%Y-%m-%d}: {totals['reminders']} påminnelser, "
        f"{totals['escalations']} eskaleringar, {totals['ready']} skeden klara att sammanställa, "
        f"{totals['mail_sent']} e-brev skickade"
        + (f", {totals['mail_failed']} misslyckade" if totals["mail_failed"] else "")
        + (f", {totals['mail_deferred']} väntar" if totals["mail_deferred"] else "")
    )


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
    if as_json:
        typer.echo(json.dumps([r.as_json() for r in rows], ensure_ascii=False, indent=2))
        return
    if not rows:
        typer.echo("Inga öppna begäranden." if not all_requests else "Inga begäranden.")
        return
    from arshjul.formats import format_datetime
    from arshjul.textable import render

    typer.echo(
        render(
            ["Skede", "Enhet", "Sista dag", "Status", "Sen", "Versioner"],
            [
                [
                    f"{r.stage_name} {r.year}",
                    r.unit,
                    format_datetime(r.deadline.astimezone(STOCKHOLM)),
                    r.state_sv,
                    f"{r.working_days_late} dgr" if r.working_days_late else "",
                    str(r.versions),
                ]
                for r in rows
            ],
        )
    )
