"""The Kolada fetch's steps as tasks: read the key figures, fetch, store, report.

One task per step covering every municipality of the run (a task run costs Prefect
about 10 ms; bench/tertial_scale.md). The fetch is one task for all key figures: it
waits on Kolada, and its client already asks for several key figures at once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from arshjul.config.stored import municipality_config
from arshjul.formats import format_date, format_number
from arshjul.kolada.client import KoladaError
from arshjul.kolada.fetch import FetchOutcome, FetchPlan, default_years, fetch_values, plan_for
from arshjul.kolada.store import StoreReport, record_fetch, store_group_members, store_values
from arshjul.models.db import session_scope
from arshjul.queries.organisation import get_municipality
from arshjul.tasks.common import engine_and_settings
from arshjul.tasks.stage import municipality_codes, tag_flow_run
from arshjul.tasks.step import step, step_logger, without_a_server
from arshjul.timezone import STOCKHOLM


@dataclass
class KoladaRun:
    """One fetch: its moment, and per municipality the plan, what came and what was stored."""

    as_of: dt.datetime
    plans: dict[str, FetchPlan] = field(default_factory=dict)  # municipality code → plan
    outcomes: dict[str, FetchOutcome] = field(default_factory=dict)
    stored: dict[str, StoreReport] = field(default_factory=dict)

    @property
    def day(self) -> str:
        return f"{self.as_of.astimezone(STOCKHOLM):%Y-%m-%d}"


@step("Läs nyckeltalen", "läs-nyckeltal-{as_of:%Y-%m-%d}")
def read_kpis(
    as_of: dt.datetime,
    municipality: str | None,
    years: list[int] | None,
    base_url: str | None,
) -> KoladaRun:
    """The key figures each municipality's indicators name, and the years and areas to ask."""
    codes = municipality_codes(municipality)
    tag_flow_run("arshjul", "kolada", *(f"kommun-{code}" for code in codes))
    engine, _ = engine_and_settings()
    run = KoladaRun(as_of)
    logger = step_logger()
    with session_scope(engine) as session:
        for code in codes:
            found = get_municipality(session, code)
            config = municipality_config(found).kolada
            asked = tuple(years) if years else default_years(as_of.date(), config.years)
            plan = plan_for(session, found, config, years=asked, base_url=base_url)
            run.plans[code] = plan
            if plan.kpis:
                logger.info("%s: %s.", found.name, plan.describe())
            else:
                logger.warning(
                    "%s: ingen indikator har ett Kolada-nyckeltal (kolada_kpi): inget att hämta.",
                    found.name,
                )
    return run


@step("Hämta från Kolada", "hämta-kolada-{run.day}")
def fetch(run: KoladaRun) -> KoladaRun:
    """Ask Kolada for every plan's key figures; what failed is kept to be reported."""
    logger = step_logger()
    for code, plan in run.plans.items():
        if not plan.kpis:
            continue
        try:
            outcome = fetch_values(plan)
        except KoladaError as error:
            # Nothing could be asked (the comparison group): every key figure failed.
            outcome = FetchOutcome(failed={kpi: str(error) for kpi in plan.kpis})
        run.outcomes[code] = outcome
        for message in outcome.failed.values():
            logger.error("%s: %s", code, message)
        logger.info(
            "%s: %s värden hämtade i %d anrop till Kolada.",
            code,
            format_number(len(outcome.rows)),
            outcome.requests,
        )
    return run


@step("Spara värdena", "spara-kolada-{run.day}")
def store(run: KoladaRun) -> KoladaRun:
    """Store what came, one transaction per municipality; a missing value overwrites nothing."""
    engine, _ = engine_and_settings()
    for code, outcome in run.outcomes.items():
        with session_scope(engine) as session:
            run.stored[code] = store_values(
                session, outcome.rows, source="api", fetched_at=run.as_of
            )
            if (group := run.plans[code].comparison_group) and outcome.members:
                store_group_members(session, group, outcome.members, fetched_at=run.as_of)
            record_fetch(
                session,
                municipality=get_municipality(session, code),
                as_of=run.as_of,
                stored=run.stored[code],
                failed=outcome.failed,
            )
        step_logger().info("%s: %s.", code, run.stored[code])
    return run


@step("Rapportera", "rapport-kolada-{run.day}")
def report(run: KoladaRun) -> dict[str, int]:
    """The run's result as a table in the UI; a failed key figure fails the run in Swedish.

    Raised after storing, so what did come is kept, and the values stored before stay
    for every key figure that failed.
    """
    failed = {
        kpi: message
        for outcome in run.outcomes.values()
        for kpi, message in sorted(outcome.failed.items())
    }
    totals = {
        "kpis": sum(len(p.kpis) for p in run.plans.values()),
        "values": sum(len(o.rows) for o in run.outcomes.values()),
        "created": sum(s.created for s in run.stored.values()),
        "updated": sum(s.updated for s in run.stored.values()),
        "missing": sum(s.missing for s in run.stored.values()),
        "failed": len(failed),
    }
    if not without_a_server():
        _publish(run, failed)
    for outcome in run.outcomes.values():
        for kpi in outcome.empty:
            step_logger().warning("%s: Kolada har inga värden för de år som efterfrågades.", kpi)
    if failed:
        raise KoladaError(
            f"Kolada-hämtningen {format_date(run.as_of.astimezone(STOCKHOLM).date())} "
            f"misslyckades för {len(failed)} av {totals['kpis']} nyckeltal; de värden som "
            "redan fanns är kvar.",
            details=list(failed.values()),
        )
    return totals


def _publish(run: KoladaRun, failed: dict[str, str]) -> None:
    from prefect.artifacts import create_table_artifact

    table: list[dict[str, str]] = []
    for code, plan in run.plans.items():
        outcome = run.outcomes.get(code, FetchOutcome())
        for kpi in plan.kpis:
            if kpi in outcome.failed:
                state = "misslyckades"
            elif kpi in outcome.empty:
                state = "inga värden"
            else:
                state = "hämtat"
            count = sum(1 for r in outcome.rows if r.kpi == kpi and r.value is not None)
            table.append(
                {
                    "Kommun": code,
                    "Nyckeltal": kpi,
                    "Namn": outcome.titles.get(kpi, ""),
                    "Värden": format_number(count),
                    "Läge": state,
                }
            )
    create_table_artifact(
        key="kolada-hamtning",
        table=table,
        description="Källa: Kolada (RKA). "
        + (f"{len(failed)} nyckeltal misslyckades." if failed else "Alla nyckeltal hämtade."),
    )
