"""The parameters every stage's flow takes, described in Swedish for the Prefect UI."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import Field

Year = Annotated[
    int | None, Field(description="Årshjulets år (planeringen gäller året efter); standard: i år.")
]
AsOf = Annotated[
    dt.datetime | dt.date | None,
    Field(description="Kör som om det vore detta ögonblick; standard: nu (Europe/Stockholm)."),
]
MunicipalityCode = Annotated[
    str | None, Field(description="Kommunkod, t.ex. 1984; standard: alla kommuner i databasen.")
]
