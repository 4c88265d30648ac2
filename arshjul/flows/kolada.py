"""Kolada-hämtning: the configured key figures from Kolada, once a month."""

# No ``from __future__ import annotations``: Prefect reads the parameters' types through
# fails_in_swedish's wrapper, whose globals are flows/common.py's, where Years and
# BaseUrl below are unknown; evaluated annotations need no lookup.
from typing import Annotated

from prefect import flow
from pydantic import Field

from arshjul.flows.common import AsOf, MunicipalityCode, fails_in_swedish
from arshjul.tasks.common import resolve_as_of, run_name
from arshjul.tasks.kolada import fetch, read_kpis, report, store

Years = Annotated[
    list[int] | None,
    Field(description="Åren att hämta; standard: de år [kolada] years anger, t.o.m. i fjol."),
]
BaseUrl = Annotated[
    str | None,
    Field(description="Koladas API-adress; standard: [kolada] base_url i konfigurationen."),
]


@flow(
    name="Kolada-hämtning",
    flow_run_name=run_name("kolada-hamtning"),
    description=(
        "Hämta de nyckeltal som indikatorerna anger från Kolada, för kommunen, "
        "jämförelsekommunerna och riket, och spara dem."
    ),
)
@fails_in_swedish
def kolada(
    as_of: AsOf = None,
    municipality: MunicipalityCode = None,
    years: Years = None,
    base_url: BaseUrl = None,
) -> dict[str, int]:
    """Read the key figures, fetch them, store what came, report what failed.

    Nothing else in the engine waits for this: the documents use whatever is stored. A
    key figure that fails fails the run in Swedish after the others are stored, and the
    values stored before stay (``arshjul/kolada/store.py``).
    """
    moment = resolve_as_of(as_of)
    run = read_kpis(moment, municipality, years, base_url)
    run = fetch(run)
    run = store(run)
    return report(run)
