"""Setting up: the database and the municipality, and the year's calendar."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from arshjul.cli.common import ConfigOption, app, check_year, config_path
from arshjul.errors import ArshjulError


@app.command("init")
def init_command(config: ConfigOption = None) -> None:
    """Skapa eller uppgradera databasen och läs in kommunens konfiguration."""
    from arshjul.config.loader import load_config

    loaded = load_config(config_path(config))
    from arshjul.config.apply import apply_config
    from arshjul.models.db import default_engine, session_scope, upgrade

    engine = default_engine()
    upgrade(engine)
    with session_scope(engine) as session:
        report = apply_config(session, loaded)
    m = report.municipality
    typer.echo(f"Databas: {engine.url.render_as_string(hide_password=True)}")
    typer.echo(f"{m.name} ({m.code}) inläst från {loaded.path}")
    if not report.changed:
        typer.echo("Inget ändrat: databasen stämmer redan med filen.")
        return
    for label, counts in (("Nytt", report.created), ("Ändrat", report.updated)):
        if counts:
            typer.echo(
                f"{label}: "
                + ", ".join(f"{n} {_TABLE_SV.get(t, t)}" for t, n in sorted(counts.items()))
            )
    if report.removed:
        typer.echo(
            "Borttaget: "
            + ", ".join(f"{n} {_TABLE_SV.get(t, t)}" for t, n in sorted(report.removed.items()))
        )


_TABLE_SV = {
    "municipality": "kommun",
    "org_unit": "enheter",
    "contact": "kontakter",
    "term": "mandatperiod",
    "strategic_area": "strategiska områden",
    "goal": "mål",
    "indicator": "indikatorer",
    "indicator_target": "målvärden",
}


@app.command("calendar")
def calendar_command(
    year: Annotated[int, typer.Argument(help="Året, t.ex. 2027.")],
    as_json: Annotated[bool, typer.Option("--json", help="Skriv ut som JSON.")] = False,
    ics: Annotated[
        Path | None, typer.Option("--ics", help="Skriv en iCalendar-fil (Outlook).", dir_okay=False)
    ] = None,
    config: ConfigOption = None,
) -> None:
    """Årets skeden med datum; valår upptäcks."""
    check_year(year)
    from arshjul.calendar.render import render_table, to_json
    from arshjul.calendar.schedule import build_schedule
    from arshjul.config.loader import load_config

    loaded = load_config(config_path(config))
    schedule = build_schedule(year, loaded.config.calendar)
    name = loaded.config.municipality.name
    if ics is not None:
        from arshjul.calendar.ics import to_ics

        try:
            ics.write_bytes(to_ics(schedule, name).encode("utf-8"))
        except OSError as exc:
            raise ArshjulError(f"Kunde inte skriva {ics}: {exc.strerror}.") from None
        typer.echo(f"Kalendern för {year} är skriven till {ics}", err=as_json)
    if as_json:
        typer.echo(json.dumps(to_json(schedule), ensure_ascii=False, indent=2))
    elif ics is None:
        typer.echo(render_table(schedule, name))
