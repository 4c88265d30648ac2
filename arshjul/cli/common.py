"""What every command shares: the Typer app, its options, dates and years."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Annotated

import typer

from arshjul.cli.swedish import SwedishTyper
from arshjul.errors import ArshjulError
from arshjul.timezone import STOCKHOLM

app = SwedishTyper(
    name="arshjul", help="Årshjul: kommunens planering och uppföljning som Prefect-flöden."
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


# A year, a month or a week alone is no day: pendulum would take its first day silently.
_REDUCED_DATE = re.compile(r"\d{4}(-?\d{2})?|\d{4}-?W\d{2}")


def parse_as_of(text: str | None) -> dt.datetime:
    """``--as-of`` as an aware moment in Europe/Stockholm (a date means 07:00 that day).

    Parsed by pendulum (ISO 8601: ``2027-05-07``, ``20270507``, ``2027-W18-5``, a time and
    an offset), returned as a plain ``datetime`` so that Prefect parameters, pydantic and
    SQLAlchemy see the same type as from anywhere else.
    """
    zone = STOCKHOLM
    if text is None:
        return dt.datetime.now(zone)
    import pendulum

    refusal = ArshjulError(f"--as-of: ”{text}” är inget datum (ÅÅÅÅ-MM-DD).")
    if _REDUCED_DATE.fullmatch(text.strip()):
        raise refusal
    try:
        value = pendulum.parse(text.strip(), exact=True, tz=None)
    except (ValueError, TypeError):  # pendulum 3.3 raises TypeError for "0:" and the like
        raise refusal from None
    if isinstance(value, dt.datetime):
        offset = value.utcoffset()
        return dt.datetime.combine(
            value.date(), value.time(), zone if offset is None else dt.timezone(offset)
        )
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time(7, 0), zone)
    raise refusal  # a time, a duration or an interval alone
