"""Running the stages: trigger one, record a decision, write its document."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

import typer

from arshjul.cli.common import AsOfOption, KommunOption, app, check_year, parse_as_of
from arshjul.cli.outcome import EXIT_NOT_DUE, VerboseOption, reported, run_flow
from arshjul.errors import ArshjulError


def load_flow(slug: str) -> Callable[..., dict[str, Any]]:
    """The Prefect flow of a stage, by its slug: called, it returns what it did per municipality."""
    from arshjul.calendar.stages import get_stage
    from arshjul.deployments import flow_for

    get_stage(slug)
    return flow_for(slug)


@app.command("run")
def run_command(
    stage: Annotated[
        str,
        typer.Argument(metavar="SKEDE", help="Skedets slug, t.ex. tertial (se arshjul calendar)."),
    ],
    year: Annotated[int, typer.Option("--year", help="Årshjulets år.")],
    as_of: AsOfOption = None,
    kommun: KommunOption = None,
    verbose: VerboseOption = False,
) -> None:
    """Kör ett skede: öppna det som ska öppnas, skicka, sammanställ det som är klart."""
    from arshjul.runtime import prepare_prefect, quiet_prefect_console

    with reported(verbose):
        check_year(year)
        moment = parse_as_of(as_of)
        prepare_prefect()
        with quiet_prefect_console(not verbose):
            stage_flow = load_flow(stage)
            from arshjul.cli.follow import outbox_mark, report_mail

            mark = outbox_mark()
            results = run_flow(stage_flow, year=year, as_of=moment, municipality=kommun)
            not_due = _show_results(stage, year, moment, results)
            code = report_mail(mark, moment)
    if code:
        raise typer.Exit(code)
    if not_due:
        raise typer.Exit(EXIT_NOT_DUE)


def _show_results(stage: str, year: int, moment: dt.datetime, results: dict[str, Any]) -> bool:
    """What the run did per municipality; whether nothing was due yet (the stage opens later)."""
    from arshjul.calendar.stages import get_stage
    from arshjul.formats import format_date
    from arshjul.models.cycle import STAGE_STATE_SV

    name = get_stage(stage).name
    day = format_date(moment.date())
    if not results:
        typer.echo(f"{name} {year}: inget att göra ännu den {day}.")
    for where, result in results.items():
        if "opens_on" in result:
            opens = format_date(dt.date.fromisoformat(result["opens_on"]))
            typer.echo(f"{name} {year} ({where}): öppnar {opens}; inget att göra den {day}.")
            continue
        state = STAGE_STATE_SV.get(result["state"], result["state"])
        typer.echo(f"{name} {year} ({where}): {state}")
        for path in result["documents"]:
            typer.echo(f"  dokument: {path}")
        for what in result.get("missing", []):
            typer.echo(f"  saknas i underlaget: {what}")
    return bool(results) and all("opens_on" in r for r in results.values())


@app.command("decide")
def decide_command(
    stage: Annotated[
        str,
        typer.Argument(
            metavar="SKEDE",
            help="ks-beslut, kf-beslut eller budgetdag; styrdokument för ett nytt beslut om "
            "ett styrdokument (med --dokument).",
        ),
    ],
    date: Annotated[str, typer.Option("--date", help="Sammanträdets datum, ÅÅÅÅ-MM-DD.")],
    paragraph: Annotated[str, typer.Option("--paragraph", help="Paragraf, t.ex. ”§ 87”.")],
    year: Annotated[
        int | None, typer.Option("--year", help="Årshjulets år (krävs för ett skede).")
    ] = None,
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
    tax_rate: Annotated[
        str | None,
        typer.Option(
            "--skattesats", help="Skattesatsen i kronor per 100 kronor, t.ex. 22,41 (krävs för KF)."
        ),
    ] = None,
    document: Annotated[
        str | None,
        typer.Option("--dokument", help="Styrdokumentets nyckel (med SKEDE styrdokument)."),
    ] = None,
    body: Annotated[
        str | None,
        typer.Option(
            "--beslutat-av",
            help="Vem som beslutade styrdokumentet: KF, KS, en nämnds nyckel, kommundirektören "
            "…; utan: samma som förra gången.",
        ),
    ] = None,
    file: Annotated[
        str | None, typer.Option("--fil", help="Var det reviderade styrdokumentet finns.")
    ] = None,
) -> None:
    """Registrera ett beslut (datum, paragraf, ändrade ramar); ett beslut ändras aldrig."""
    if stage == "styrdokument":
        _decide_document(document, date, paragraph, body, file, kommun, actor)
        return
    if year is None:
        raise ArshjulError("--year: ange årshjulets år för beslutet i skedet, t.ex. --year 2027.")
    check_year(year)
    decided_on = _meeting_date(date)
    changes = _frame_changes(frame or [])
    rate = _tax_rate(tax_rate) if tax_rate is not None else None
    from arshjul.calendar.stages import get_stage
    from arshjul.models import stored_id
    from arshjul.models.db import session_scope
    from arshjul.queries.organisation import get_municipality
    from arshjul.settings import get_settings
    from arshjul.stages.decide import decide

    with session_scope() as session:
        decided = decide(
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
            tax_rate=rate,
        )
        number, cited = stored_id(decided.decision), decided.decision.paragraph
    typer.echo(f"Beslut nr {number} registrerat: {get_stage(stage).name}, {cited}, {date}.")
    for path in decided.documents:
        typer.echo(f"Dokument skrivet: {path}")
    for what in decided.missing:
        typer.echo(f"Saknas i underlaget: {what}")


def _meeting_date(text: str) -> dt.date:
    """``--date``: the day the body decided."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ArshjulError(f"--date: ”{text}” är inget datum (ÅÅÅÅ-MM-DD).") from None


def _decide_document(
    key: str | None,
    date: str,
    paragraph: str,
    body: str | None,
    file: str | None,
    kommun: str | None,
    actor: str,
) -> None:
    """A new decision on a governing document: a new version, the old one kept."""
    if not key:
        raise ArshjulError("--dokument: ange styrdokumentets nyckel (kolumnen nyckel i registret).")
    decided_on = _meeting_date(date)
    from arshjul.formats import format_date
    from arshjul.imports.governing_revision import record_revision
    from arshjul.models.db import session_scope
    from arshjul.queries.organisation import get_municipality

    with session_scope() as session:
        revision = record_revision(
            session,
            municipality=get_municipality(session, kommun),
            key=key,
            decided_on=decided_on,
            paragraph=paragraph,
            as_of=parse_as_of(None),
            actor=actor,
            body=body,
            file=file,
        )
        new, old = revision.new, revision.replaced
        lines = [
            f"Nytt beslut registrerat: {new.title}, {new.paragraph}, "
            f"{format_date(new.decided_on)}.",
            f"Versionen från {format_date(old.decided_on)} ({old.paragraph}) är sparad och "
            "gäller inte längre.",
            f"Nästa översyn: senast {format_date(new.next_review_on)}.",
        ]
    for line in lines:
        typer.echo(line)


def _tax_rate(text: str) -> Decimal:
    cleaned = text.strip().replace(",", ".").replace(" ", "")
    try:
        rate = Decimal(cleaned)
    except InvalidOperation:
        raise ArshjulError(
            f"--skattesats: ”{text}” är ingen skattesats; skriv t.ex. 22,41."
        ) from None
    if not rate.is_finite():
        raise ArshjulError(f"--skattesats: ”{text}” är ingen skattesats; skriv t.ex. 22,41.")
    return rate


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


@app.command("document")
def document_command(
    stage: Annotated[str, typer.Argument(metavar="SKEDE", help="Skedets slug, t.ex. ramar.")],
    year: Annotated[int, typer.Option("--year", help="Årshjulets år.")],
    as_of: AsOfOption = None,
    kommun: KommunOption = None,
) -> None:
    """Skriv ett skedes dokument på nytt från det som finns i databasen nu."""
    check_year(year)
    moment = parse_as_of(as_of)
    from arshjul.models.db import session_scope
    from arshjul.queries.organisation import get_municipality
    from arshjul.settings import get_settings
    from arshjul.stages.base import stage_context
    from arshjul.stages.catalogue import get_spec
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
        if spec.write is None:
            raise ArshjulError(f"Skedet {ctx.stage.name} har inget eget dokument.")
        if not is_due(ctx):
            raise ArshjulError(
                f"{ctx.stage.name} {year} har inte öppnat ännu (öppnar {ctx.stage.opens_on})."
            )
        paths = spec.write(ctx)
        missing = list(dict.fromkeys(ctx.missing))
    for path in paths:
        typer.echo(f"Dokument skrivet: {path}")
    for what in missing:
        typer.echo(f"Saknas i underlaget: {what}")
