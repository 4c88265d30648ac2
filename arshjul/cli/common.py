"""What every command shares: the Typer app, its options, dates and years."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from arshjul.errors import ArshjulError
from arshjul.timezone import STOCKHOLM

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
    ),
]


AsOfOption = Annotated[
    str | None,
    typer.Option("--as-of", help="Kör som om det vore detta datum (ÅÅÅÅ-MM-DD); standard: nu."),
]


KommunOption = Annotated[
    str | None, typer.Option("--kommun", help="Kommunkod när databasen har flera kommuner.")
]


def config_path(option: Path | None) -> Path | None:
    if option is not None:
        return option
    from arshjul.settings import get_settings

    return get_settings().config_file


def check_year(year: int) -> None:
    if not 2000 <= year <= 2100:
        raise ArshjulError(f"Året {year} ligger utanför vad Årshjul räknar med (2000–2100).")


def parse_as_of(text: str | None) -> dt.datetime:
    """``--as-of`` as an aware moment in Europe/Stockholm (a date means 07:00 that day)."""
    zone = STOCKHOLM
    if text is None:
        return dt.datetime.now(zone)
    try:
        if len(text) == 10:
            return dt.datetime.combine(dt.date.fromisoformat(text), dt.time(7, 0), zone)
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        raise ArshjulError(f"--as-of: ”{text}” är inget datum (ÅÅÅÅ-MM-DD).") from None
    return value if value.tzinfo else value.replace(tzinfo=zone)
