"""`arshjul demo`: set up Arboga in a folder and run its whole year."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
)

from arshjul.demo.summary import DemoSummary, summarize
from arshjul.settings import get_settings


def _progress() -> Progress:
    """A bar by compiled stage under the lines of the run (rich.progress).

    In a terminal the bar is redrawn in place; in a pipe or a file rich draws no
    animation and no colours: the stage lines come as they happen, the bar once at the end.
    """
    console = Console(highlight=False, markup=False, emoji=False)
    return Progress(
        TextColumn("Skeden", markup=False),
        BarColumn(),
        MofNCompleteColumn(separator="/"),
        TimeElapsedColumn(),
        TextColumn("{task.fields[label]}", markup=False),
        console=console,
    )


def run_demo(year: int, out: Path, echo: Callable[[str], None]) -> DemoSummary:
    """Everything on embedded defaults inside ``out``: database, e-mail, documents."""
    out = out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    os.environ["ARSHJUL_DATABASE_URL"] = f"sqlite:///{out / 'arshjul.db'}"
    os.environ["ARSHJUL_MAIL_DIR"] = str(out / "e-post")
    os.environ["ARSHJUL_OUTPUT_DIR"] = str(out / "dokument")
    # Flow-run logs go to the Prefect UI; the terminal shows the progress bar.
    os.environ.setdefault("PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL", "WARNING")
    # The year in about a minute: a PDF costs LibreOffice two passes of 2–4 s, which
    # for the year's fifteen documents would double it. ARSHJUL_PDF=1 asks for them.
    os.environ.setdefault("ARSHJUL_PDF", "0")
    get_settings.cache_clear()
    settings = get_settings()
    from arshjul.runtime import prepare_prefect

    prepare_prefect()
    # Deferred: Prefect reads its settings when first imported, so everything that
    # brings it in (the flows, through the demo's year) comes after prepare_prefect().
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings
    from sqlmodel import Session

    from arshjul.calendar.schedule import build_schedule
    from arshjul.config.apply import apply_config
    from arshjul.config.loader import load_config
    from arshjul.demo.year import Year
    from arshjul.models.db import get_engine, upgrade

    engine = get_engine(settings.database_url)
    if (out / "arshjul.db").exists() and _has_cycle(engine, year):
        from arshjul.errors import ArshjulError

        raise ArshjulError(
            f"{out} innehåller redan ett simulerat år {year}: välj en annan mapp med --out."
        )
    upgrade(engine)
    with Session(engine) as session:
        apply_config(session, load_config(settings.config_file))
        session.commit()
    total = len(build_schedule(year).stages)
    started = time.monotonic()
    names = {s.slug: s.name for s in build_schedule(year).stages}
    done: list[str] = []
    progress = _progress()
    bar = progress.add_task("skeden", total=total, label="")

    def report(what: str) -> None:
        # While the bar is shown, lines go through its console so that they land above it.
        say = progress.console.print
        if what.startswith("beslut:"):
            say(f"    beslut registrerat: {names.get(what[7:], what[7:])}")
            return
        if what in names:
            done.append(what)
        label = names.get(what, "Åtgärdsplan")
        say(f"{len(done):3d}/{total} {label}  ({time.monotonic() - started:.0f} s)")
        progress.update(bar, completed=len(done), label=label)

    echo(
        f"Årshjul {year} för {load_config(settings.config_file).config.municipality.name}"
        f" i {out} (databas, e-post och dokument)"
    )
    with (
        temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}),
        progress,
    ):
        Year(engine, year, out, report).run()
    summary = summarize(engine, year, out, settings.mail_dir)
    summary.stages = done
    engine.dispose()
    return summary


def _has_cycle(engine, year: int) -> bool:  # type: ignore[no-untyped-def]
    from sqlalchemy import inspect
    from sqlmodel import Session, select

    from arshjul.models import Cycle

    if "cycle" not in inspect(engine).get_table_names():
        return False
    with Session(engine) as session:
        return session.exec(select(Cycle).where(Cycle.year == year)).first() is not None


def print_summary(summary: DemoSummary, seconds: float, echo: Callable[[str], None]) -> None:
    """The end of the demo: what happened, and where to look."""
    valår = " (valår)" if summary.election_year else ""
    echo("")
    echo(f"Sammanfattning av årshjulet {summary.year}{valår}, {seconds:.0f} s:")
    echo(f"  skeden sammanställda: {len(summary.stages)}")
    echo(f"  begäranden om underlag: {summary.requests}")
    echo(f"  inlämningar: {summary.submissions} (varav {summary.late_submissions} sena)")
    echo(
        f"  e-brev: {summary.emails} skickade ({summary.reminders} påminnelser, "
        f"{summary.escalations} eskaleringar) i {summary.mail_dir}"
    )
    echo(
        f"  avvikelser över tröskelvärdet: {summary.deviations}; "
        f"åtgärdsplaner: {summary.action_plans}"
    )
    echo(f"  beslut registrerade: {summary.decisions}")
    echo(f"  dokument: {len(summary.documents)}")
    for path in summary.documents:
        echo(f"    {path}")
    if not get_settings().pdf:
        echo(
            "  PDF för publicering: inte i demon (ARSHJUL_PDF=1 arshjul demo skriver en "
            "PDF bredvid varje dokument med LibreOffice, några sekunder per dokument)"
        )
