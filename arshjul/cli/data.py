"""Figures in: imports from the finance system, submissions on a committee's behalf."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from arshjul.cli.common import AsOfOption, KommunOption, app, check_year, parse_as_of
from arshjul.errors import ArshjulError


@app.command("import")
def import_command(
    kind: Annotated[
        str,
        typer.Argument(
            metavar="SLAG",
            help=(
                "ramar, utfall, prognos, befolkning, volymer, index, finansiella-mal, "
                "risker, kontroller, saldobalans, koncerninternt, resultatbudget, "
                "resultatprognos, nyckeltal, sjukfranvaro, styrdokument eller kolada."
            ),
        ),
    ],
    file: Annotated[
        Path,
        typer.Argument(
            metavar="FIL",
            help="CSV- eller Excel-fil (.xlsx); för kolada Koladas JSON-svar eller CSV.",
            dir_okay=False,
        ),
    ],
    as_of: AsOfOption = None,
    kommun: KommunOption = None,
    actor: Annotated[str, typer.Option("--av", help="Vem som importerar.")] = "controller",
    dry_run: Annotated[
        bool, typer.Option("--prova", help="Kontrollera filen utan att spara något.")
    ] = False,
    company: Annotated[
        str | None,
        typer.Option(
            "--bolag", help="Saldobalans: bolagets eller förbundets nyckel (utan: kommunens)."
        ),
    ] = None,
) -> None:
    """Läs in ramar, utfall, saldobalans, prognoser, planeringsunderlag eller Kolada-värden."""
    moment = parse_as_of(as_of)
    from arshjul.config.stored import municipality_config
    from arshjul.imports import import_file, import_trial_balance
    from arshjul.imports.columns import fold
    from arshjul.models.db import session_scope
    from arshjul.queries.organisation import get_municipality

    trial_balance = fold(kind) == "saldobalans"
    kolada = fold(kind) == "kolada"
    governing = fold(kind) == "styrdokument"
    if company and not trial_balance:
        raise ArshjulError("--bolag gäller bara saldobalans.")
    with session_scope() as session:
        municipality = get_municipality(session, kommun)
        if kolada:
            # Kolada's values, not a table of the municipality's own: arshjul/kolada/files.py.
            from arshjul.kolada.files import import_kolada_file

            report: object = import_kolada_file(
                session,
                municipality=municipality,
                path=file,
                as_of=moment,
                actor=actor,
                dry_run=dry_run,
            )
        elif governing:
            # The register of governing documents: versions by key and decision date, not
            # figures by year (arshjul/imports/governing.py).
            from arshjul.imports.governing import import_governing_documents

            report = import_governing_documents(
                session,
                municipality=municipality,
                path=file,
                as_of=moment,
                actor=actor,
                dry_run=dry_run,
            )
        elif trial_balance:
            report = import_trial_balance(
                session,
                municipality=municipality,
                config=municipality_config(municipality),
                path=file,
                as_of=moment,
                actor=actor,
                entity=company or "",
                dry_run=dry_run,
            )
        else:
            report = import_file(
                session,
                municipality=municipality,
                kind=kind,
                path=file,
                as_of=moment,
                actor=actor,
                dry_run=dry_run,
            )
    typer.echo(str(report))


def _print_template(value: str | None) -> None:
    """``--mall SKEDE``: the stage's answer file with every field's label, then stop."""
    if value is None:
        return
    from arshjul.cli.answers import template

    typer.echo(json.dumps(template(value), ensure_ascii=False, indent=2))
    raise typer.Exit()


@app.command("submit")
def submit_command(
    stage: Annotated[
        str,
        typer.Argument(metavar="SKEDE", help="Skedets slug, t.ex. tertial (se arshjul calendar)."),
    ],
    unit: Annotated[str, typer.Option("--enhet", help="Enhetens nyckel, t.ex. bun.")],
    file: Annotated[
        Path, typer.Option("--fil", help="JSON-fil, eller Excel med kolumnerna fält och värde.")
    ],
    year: Annotated[int, typer.Option("--year", help="Årshjulets år.")],
    actor: Annotated[str, typer.Option("--av", help="Controllerns namn (loggas).")],
    as_of: AsOfOption = None,
    kommun: KommunOption = None,
    instance: Annotated[
        str, typer.Option("--instans", help="För åtgärdsplaner: enhetens nyckel.")
    ] = "",
    template: Annotated[
        str | None,
        typer.Option(
            "--mall",
            metavar="SKEDE",
            is_eager=True,
            callback=_print_template,
            help="Skriv ut en JSON-mall för skedet, med varje fälts svenska namn, och avsluta "
            "(inget annat behöver anges).",
        ),
    ] = None,
) -> None:
    """Lämna underlag för en nämnds räkning (sparas som ny version, loggas som ditt).

    Filen är ett JSON-objekt med formulärets fält; arshjul submit --mall SKEDE skriver
    ut en mall med varje fälts svenska namn.
    """
    check_year(year)
    moment = parse_as_of(as_of)
    from sqlmodel import col, select

    from arshjul.cli.answers import check_answers, read_answers
    from arshjul.lifecycle.on_behalf import submit_on_behalf
    from arshjul.models import Cycle, OrgUnit, StageInstance, SubmissionRequest, stored_id
    from arshjul.models.db import session_scope
    from arshjul.queries.organisation import get_municipality

    data = read_answers(file)
    with session_scope() as session:
        municipality = get_municipality(session, kommun)
        request = session.exec(
            select(SubmissionRequest)
            .join(StageInstance, col(StageInstance.id) == SubmissionRequest.stage_instance_id)
            .join(Cycle, col(Cycle.id) == StageInstance.cycle_id)
            .join(OrgUnit, col(OrgUnit.id) == SubmissionRequest.unit_id)
            .where(
                Cycle.municipality_id == stored_id(municipality),
                Cycle.year == year,
                StageInstance.slug == stage,
                StageInstance.instance_key == instance,
                OrgUnit.key == unit,
            )
        ).first()
        if request is None:
            raise ArshjulError(
                f"Det finns ingen begäran om underlag för {unit} i {stage} {year}: "
                "kontrollera enheten och skedet (arshjul status --alla)."
            )
        check_answers(session, request=request, data=data, submitted_by=actor)
        submission = submit_on_behalf(
            session, request=request, data=data, submitted_by=actor, as_of=moment
        )
        late = " (sent)" if submission.late else ""
        typer.echo(f"Sparat som version {submission.version}{late}; kvitto köat till nämnden.")
