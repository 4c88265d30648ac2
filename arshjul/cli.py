"""The ``arshjul`` command line.

Heavy imports (the database, Prefect, python-docx) happen inside the commands
that need them, so that ``arshjul --help`` and ``arshjul calendar`` start fast.
Every :class:`~arshjul.errors.ArshjulError` is caught here and shown as its
Swedish message with a non-zero exit code.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo

import typer

from arshjul.errors import ArshjulError

_STOCKHOLM = ZoneInfo("Europe/Stockholm")

app = typer.Typer(
    name="arshjul",
    help="Årshjul: kommunens planering och uppföljning som Prefect-flöden.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)

ConfigOption = Annotated[
    Path | None,
    typer.Option(
        "--config",
        help="Kommunens TOML-fil (standard: ARSHJUL_CONFIG_FILE, annars Arboga-exemplet).",
        dir_okay=False,
    ),
]


def _config_path(option: Path | None) -> Path | None:
    if option is not None:
        return option
    from arshjul.settings import get_settings

    return get_settings().config_file


@app.command("init")
def init_command(config: ConfigOption = None) -> None:
    """Skapa eller uppgradera databasen och läs in kommunens konfiguration."""
    from arshjul.config.loader import load_config

    loaded = load_config(_config_path(config))
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
    _check_year(year)
    from arshjul.calendar.render import render_table, to_json
    from arshjul.calendar.schedule import build_schedule
    from arshjul.config.loader import load_config

    loaded = load_config(_config_path(config))
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


AsOfOption = Annotated[
    str | None,
    typer.Option("--as-of", help="Kör som om det vore detta datum (ÅÅÅÅ-MM-DD); standard: nu."),
]


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
                    format_datetime(r.deadline.astimezone(_STOCKHOLM)),
                    r.state_sv,
                    f"{r.working_days_late} dgr" if r.working_days_late else "",
                    str(r.versions),
                ]
                for r in rows
            ],
        )
    )


KommunOption = Annotated[
    str | None, typer.Option("--kommun", help="Kommunkod när databasen har flera kommuner.")
]


def load_flow(slug: str):  # type: ignore[no-untyped-def]
    """The Prefect flow of a stage, by its slug."""
    from arshjul.calendar.stages import get_stage
    from arshjul.deployments import flow_for

    get_stage(slug)
    return flow_for(slug)


@app.command("portal")
def portal_command(
    host: Annotated[str, typer.Option("--host", help="Adressen att lyssna på.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Porten.")] = 8000,
) -> None:
    """Webbsidan där nämndsekreterarna lämnar underlag (bakom HTTPS i drift)."""
    from arshjul.portal.app import serve
    from arshjul.settings import get_settings

    typer.echo(
        f"Inlämningssidan: http://{host}:{port}/ (länkarna i e-posten börjar med "
        f"{get_settings().portal_url})"
    )
    serve(host=host, port=port, settings=get_settings())


@app.command("serve")
def serve_command() -> None:
    """Kör alla skeden och den dagliga bevakningen i en process (Prefects serve)."""
    from arshjul.runtime import prepare_prefect

    prepare_prefect()
    from prefect import serve

    from arshjul.deployments import runner_deployments

    serve(*runner_deployments())


@app.command("document")
def document_command(
    stage: Annotated[str, typer.Argument(help="Skedets slug, t.ex. ramar.")],
    year: Annotated[int, typer.Option("--year", help="Årshjulets år.")],
    as_of: AsOfOption = None,
    kommun: KommunOption = None,
) -> None:
    """Skriv ett skedes dokument på nytt från det som finns i databasen nu."""
    _check_year(year)
    moment = parse_as_of(as_of)
    from arshjul.lifecycle.context import get_municipality
    from arshjul.models.db import session_scope
    from arshjul.settings import get_settings
    from arshjul.stages.base import get_spec, stage_context
    from arshjul.stages.reconcile import is_due

    with session_scope() as session:
        ctx = stage_context(
            session,
            municipality=get_municipality(session, kommun),
            year=year,
            slug=stage,
            as_of=moment,
            settings=get_settings(),
        )
        spec = get_spec(stage)
        if spec.compile is None:
            raise ArshjulError(f"Skedet {ctx.stage.name} har inget eget dokument.")
        if not is_due(ctx):
            raise ArshjulError(
                f"{ctx.stage.name} {year} har inte öppnat ännu (öppnar {ctx.stage.opens_on})."
            )
        paths = spec.compile(ctx)
    for path in paths:
        typer.echo(f"Dokument skrivet: {path}")


@app.command("run")
def run_command(
    stage: Annotated[
        str, typer.Argument(help="Skedets slug, t.ex. tertial (se arshjul calendar).")
    ],
    year: Annotated[int, typer.Option("--year", help="Årshjulets år.")],
    as_of: AsOfOption = None,
    kommun: KommunOption = None,
) -> None:
    """Kör ett skede: öppna det som ska öppnas, skicka, sammanställ det som är klart."""
    _check_year(year)
    moment = parse_as_of(as_of)
    from arshjul.runtime import prepare_prefect

    prepare_prefect()
    from prefect import tags

    stage_flow = load_flow(stage)
    with tags("arshjul", str(year), stage):  # the flow run's own tags, for the UI's filters
        results = stage_flow(year=year, as_of=moment, municipality=kommun)
    from arshjul.calendar.stages import get_stage

    name = get_stage(stage).name
    if not results:
        typer.echo(f"{name} {year}: inget att göra ännu den {moment:%Y-%m-%d}.")
    for where, result in results.items():
        state = _STAGE_STATE_SV.get(result["state"], result["state"])
        typer.echo(f"{name} {year} ({where}): {state}")
        for path in result["documents"]:
            typer.echo(f"  dokument: {path}")


_STAGE_STATE_SV = {
    "planned": "planerat",
    "open": "öppet, väntar på underlag",
    "ready": "klart att sammanställa",
    "compiled": "sammanställt",
    "decided": "beslutat",
}


@app.command("submit")
def submit_command(
    stage: Annotated[str, typer.Argument(help="Skedets slug, t.ex. tertial.")],
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
) -> None:
    """Lämna underlag för en nämnds räkning (sparas som ny version, loggas som ditt)."""
    _check_year(year)
    moment = parse_as_of(as_of)
    from sqlmodel import select

    from arshjul.lifecycle.context import get_municipality
    from arshjul.lifecycle.on_behalf import read_answer_file, submit_on_behalf
    from arshjul.models import Cycle, OrgUnit, StageInstance, SubmissionRequest
    from arshjul.models.db import session_scope

    data = read_answer_file(file)
    with session_scope() as session:
        municipality = get_municipality(session, kommun)
        request = session.exec(
            select(SubmissionRequest)
            .join(StageInstance, StageInstance.id == SubmissionRequest.stage_instance_id)
            .join(Cycle, Cycle.id == StageInstance.cycle_id)
            .join(OrgUnit, OrgUnit.id == SubmissionRequest.unit_id)
            .where(
                Cycle.municipality_id == municipality.id,
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
        submission = submit_on_behalf(
            session, request=request, data=data, submitted_by=actor, as_of=moment
        )
        late = " (sent)" if submission.late else ""
        typer.echo(f"Sparat som version {submission.version}{late}; kvitto köat till nämnden.")


@app.command("import")
def import_command(
    kind: Annotated[
        str,
        typer.Argument(
            help="ramar, utfall, prognos, befolkning, volymer, index eller finansiella-mal."
        ),
    ],
    file: Annotated[Path, typer.Argument(help="CSV- eller Excel-fil (.xlsx).", dir_okay=False)],
    as_of: AsOfOption = None,
    kommun: KommunOption = None,
    actor: Annotated[str, typer.Option("--av", help="Vem som importerar.")] = "controller",
    dry_run: Annotated[
        bool, typer.Option("--prova", help="Kontrollera filen utan att spara något.")
    ] = False,
) -> None:
    """Läs in ramar, utfall, prognoser eller planeringsunderlag från en CSV- eller Excel-fil."""
    moment = parse_as_of(as_of)
    from arshjul.imports import import_file
    from arshjul.lifecycle.context import get_municipality
    from arshjul.models.db import session_scope

    with session_scope() as session:
        report = import_file(
            session,
            municipality=get_municipality(session, kommun),
            kind=kind,
            path=file,
            as_of=moment,
            actor=actor,
            dry_run=dry_run,
        )
    typer.echo(str(report))


@app.command("decide")
def decide_command(
    stage: Annotated[str, typer.Argument(help="ks-beslut, kf-beslut eller budgetdag.")],
    year: Annotated[int, typer.Option("--year", help="Årshjulets år.")],
    date: Annotated[str, typer.Option("--date", help="Sammanträdets datum, ÅÅÅÅ-MM-DD.")],
    paragraph: Annotated[str, typer.Option("--paragraph", help="Paragraf, t.ex. ”§ 87”.")],
    summary: Annotated[str, typer.Option("--summary", help="Beslutet i en mening.")] = "",
    frame: Annotated[
        list[str] | None,
        typer.Option("--ram", help="Ändrad driftram: ENHET=TKR, t.ex. bun=412 500. Upprepas."),
    ] = None,
    kommun: KommunOption = None,
    actor: Annotated[str, typer.Option("--av", help="Vem som registrerar.")] = "controller",
    corrects: Annotated[
        int | None, typer.Option("--rattar", help="Numret på beslutet som detta rättar.")
    ] = None,
) -> None:
    """Registrera ett beslut (datum, paragraf, ändrade ramar); ett beslut ändras aldrig."""
    _check_year(year)
    try:
        decided_on = dt.date.fromisoformat(date)
    except ValueError:
        raise ArshjulError(f"--date: ”{date}” är inget datum (ÅÅÅÅ-MM-DD).") from None
    changes = _frame_changes(frame or [])
    from arshjul.calendar.stages import get_stage
    from arshjul.lifecycle.context import get_municipality
    from arshjul.models.db import session_scope
    from arshjul.settings import get_settings
    from arshjul.stages.decide import decide

    with session_scope() as session:
        decision = decide(
            session,
            municipality=get_municipality(session, kommun),
            year=year,
            slug=stage,
            decided_on=decided_on,
            paragraph=paragraph,
            summary=summary or f"Strategisk och ekonomisk plan {year + 1}–{year + 3}",
            actor=actor,
            settings=get_settings(),
            as_of=parse_as_of(None),
            frame_changes=changes,
            corrects_id=corrects,
        )
        number = decision.id
    typer.echo(
        f"Beslut nr {number} registrerat: {get_stage(stage).name}, {decision.paragraph}, {date}."
    )


def _frame_changes(values: list[str]) -> dict[str, int]:
    from arshjul.formats import parse_tkr

    changes = {}
    for value in values:
        key, sep, amount = value.partition("=")
        if not sep or not key.strip():
            raise ArshjulError(f"--ram: ”{value}” ska skrivas ENHET=TKR, t.ex. bun=412 500.")
        try:
            changes[key.strip()] = parse_tkr(amount)
        except ValueError as exc:
            raise ArshjulError(f"--ram {key.strip()}: {exc}.") from None
    return changes


@app.command("demo")
def demo_command(
    year: Annotated[
        int, typer.Option("--year", help="Året att simulera; 2026 är ett valår.")
    ] = 2027,
    out: Annotated[
        Path,
        typer.Option("--out", help="Mappen för databas, e-post och dokument.", file_okay=False),
    ] = Path("arshjul-demo"),
) -> None:
    """Hela årshjulet, simulerat för Arboga på inbyggda standardvärden."""
    import time

    _check_year(year)
    from arshjul.demo.run import print_summary, run_demo

    started = time.monotonic()
    summary = run_demo(year, out, typer.echo)
    print_summary(summary, time.monotonic() - started, typer.echo)


def _check_year(year: int) -> None:
    if not 2000 <= year <= 2100:
        raise ArshjulError(f"Året {year} ligger utanför vad Årshjul räknar med (2000–2100).")


def parse_as_of(text: str | None) -> dt.datetime:
    """``--as-of`` as an aware moment in Europe/Stockholm (a date means 07:00 that day)."""
    from zoneinfo import ZoneInfo

    zone = ZoneInfo("Europe/Stockholm")
    if text is None:
        return dt.datetime.now(zone)
    try:
        if len(text) == 10:
            return dt.datetime.combine(dt.date.fromisoformat(text), dt.time(7, 0), zone)
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        raise ArshjulError(f"--as-of: ”{text}” är inget datum (ÅÅÅÅ-MM-DD).") from None
    return value if value.tzinfo else value.replace(tzinfo=zone)


def main() -> None:
    """Entry point of the console script: Swedish message and exit code for user errors."""
    try:
        app()
    except ArshjulError as error:
        typer.echo(f"Fel: {error}", err=True)
        sys.exit(error.exit_code)
