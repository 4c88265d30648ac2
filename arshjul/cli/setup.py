"""Setting up: the database and the municipality, and the year's calendar."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from arshjul.cli.common import (
    AsOfOption,
    ConfigOption,
    app,
    check_year,
    config_path,
    parse_as_of,
)
from arshjul.errors import ArshjulError

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from arshjul.config.loader import LoadedConfig


def term_warnings(loaded: LoadedConfig, cycle_year: int) -> list[str]:
    """The cycle's warning when a plan year lies outside every term the file has goals for."""
    from arshjul.governance.terms import term_warning

    warning = term_warning(cycle_year, loaded.config.term_years())
    return [warning] if warning else []


@app.command("init")
def init_command(config: ConfigOption = None, as_of: AsOfOption = None) -> None:
    """Skapa eller uppgradera databasen och läs in kommunens konfiguration."""
    from arshjul.config.loader import load_config

    loaded = load_config(config_path(config))
    year = parse_as_of(as_of).year
    warnings = term_warnings(loaded, year)
    from arshjul.calendar.schedule import build_schedule

    # This year's and next year's calendars keep the law before anything is stored
    # (a breach is a ConfigError: one Swedish message, exit code 2, nothing changed).
    for cycle_year in (year, year + 1):
        waived = build_schedule(cycle_year, loaded.config.calendar).waived
        warnings += [f"Kalendern {cycle_year}: {w.sentence()}" for w in waived]
    from arshjul.config.apply import apply_config
    from arshjul.models.db import default_engine, session_scope, upgrade

    engine = default_engine()
    upgrade(engine)
    with session_scope(engine) as session:
        report = apply_config(session, loaded)
    m = report.municipality
    typer.echo(f"Databas: {engine.url.render_as_string(hide_password=True)}")
    typer.echo(f"{m.name} ({m.code}) inläst från {loaded.path}")
    terms = ", ".join(str(t) for t in loaded.config.term_years())
    typer.echo(f"Mandatperioder med mål: {terms}")
    _record_link_key(engine)
    for warning in warnings:
        typer.echo(warning, err=True)
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


def _record_link_key(engine: Engine) -> None:
    """Make the links' key on a new database and record its fingerprint.

    A missing or different key is only a warning here: init makes no links,
    and upgrading the database must work while the key is being restored.
    """
    from arshjul.cli.keys import BACKUP_ADVICE
    from arshjul.lifecycle.tokens import SHOWN, LinkKeyError, ensure_link_key, key_source
    from arshjul.settings import get_settings

    settings = get_settings()
    try:
        check = ensure_link_key(engine, settings)
    except LinkKeyError as error:
        typer.echo(f"Varning: {error}", err=True)
        return
    if check.recorded:
        source = key_source(settings)
        made = "skapad" if check.created else "registrerad"
        advice = "." if source.from_env else f"; {BACKUP_ADVICE}"
        typer.echo(
            f"Nyckeln till de personliga länkarna är {made}: {source.name} "
            f"(fingeravtryck {check.fingerprint[:SHOWN]}){advice}"
        )


_TABLE_SV = {
    "municipality": "kommun",
    "org_unit": "enheter",
    "contact": "kontakter",
    "term": "mandatperioder",
    "strategic_area": "strategiska områden",
    "goal": "mål",
    "indicator": "indikatorer",
    "indicator_target": "målvärden",
    "governing_document": "styrdokument",
}


@app.command("calendar")
def calendar_command(
    year: Annotated[int, typer.Argument(metavar="ÅR", help="Året, t.ex. 2027.")],
    as_json: Annotated[bool, typer.Option("--json", help="Skriv ut som JSON.")] = False,
    ics: Annotated[
        Path | None, typer.Option("--ics", help="Skriv en iCalendar-fil (Outlook).", dir_okay=False)
    ] = None,
    config: ConfigOption = None,
) -> None:
    """Årets skeden med datum; valår och planår utan mål i konfigurationen upptäcks."""
    check_year(year)
    from arshjul.calendar.render import overrides_json, render_table, to_json
    from arshjul.calendar.schedule import build_schedule
    from arshjul.config.loader import load_config

    loaded = load_config(config_path(config))
    schedule = build_schedule(year, loaded.config.calendar)
    warnings = term_warnings(loaded, year)
    name = loaded.config.municipality.name
    if ics is not None:
        from arshjul.calendar.ics import to_ics

        try:
            ics.write_bytes(to_ics(schedule, name).encode("utf-8"))
        except OSError as exc:
            raise ArshjulError(f"Kunde inte skriva {ics}: {exc.strerror}.") from None
        typer.echo(f"Kalendern för {year} är skriven till {ics}", err=as_json)
    if as_json:
        shown = {
            "year": year,
            "stages": to_json(schedule),
            "overrides": overrides_json(schedule),
            "warnings": warnings,
        }
        typer.echo(json.dumps(shown, ensure_ascii=False, indent=2))
        return
    if ics is None:
        typer.echo(render_table(schedule, name))
    for warning in warnings:
        typer.echo(warning, err=True)
