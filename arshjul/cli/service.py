"""Long-running services and the simulated year: the portal, serve, demo."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from arshjul.cli.common import app, check_year


@app.command("portal")
def portal_command(
    host: Annotated[str, typer.Option("--host", help="Adressen att lyssna på.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Porten.")] = 8000,
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers",
            min=1,
            max=32,
            help="Antal serverprocesser; standard: en per kärna med PostgreSQL "
            "(högst 4), en med SQLite.",
        ),
    ] = None,
) -> None:
    """Webbsidan där nämndsekreterarna lämnar underlag (bakom HTTPS i drift)."""
    import os

    from arshjul.portal.app import serve
    from arshjul.settings import get_settings

    on_sqlite = get_settings().database_url.startswith("sqlite")
    if workers is None:
        # One process keeps a core busy; SQLite has one writer whatever their number.
        # The cores this process may run on (a container's share, not the host's);
        # at most four, each holding up to eight database connections.
        workers = 1 if on_sqlite else min(len(os.sched_getaffinity(0)), 4)
    elif workers > 1 and on_sqlite:
        typer.echo(
            "Obs: med SQLite turas processerna om att skriva; flera processer "
            "lönar sig först med PostgreSQL (ARSHJUL_DATABASE_URL).",
            err=True,
        )
    # serve() says where the links in the e-mail go (the municipality's [portal] url).
    typer.echo(
        f"Inlämningssidan: http://{host}:{port}/ i {workers} "
        f"{'process' if workers == 1 else 'processer'}"
    )
    serve(host=host, port=port, settings=get_settings(), workers=workers)


@app.command("serve")
def serve_command() -> None:
    """Kör alla skeden och den dagliga bevakningen i en process (Prefects serve)."""
    from arshjul.runtime import prepare_prefect

    prepare_prefect()
    from prefect import serve

    from arshjul.deployments import runner_deployments

    serve(*runner_deployments())


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

    check_year(year)
    from arshjul.demo.run import print_summary, run_demo

    started = time.monotonic()
    summary = run_demo(year, out, typer.echo)
    print_summary(summary, time.monotonic() - started, typer.echo)
