"""What to fetch from Kolada for a municipality, and the fetch itself.

The plan is plain data read from the database and the configuration, so the flow can
log it and a test can build one by hand. The fetch asks Kolada for each key figure on
its own: one that fails (does not exist, Kolada down) is named in the outcome and the
others are still stored.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import datetime as dt
from collections.abc import Coroutine
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlmodel import Session, col, select

from arshjul.config.schema import KoladaConfig
from arshjul.kolada.client import KoladaClient, KoladaError
from arshjul.kolada.values import KoladaRow
from arshjul.models import Indicator, Municipality, stored_id
from arshjul.models.kolada import COUNTRY_CODE

T = TypeVar("T")

#: Key figures asked at once: Kolada is a shared public service, four is polite.
CONCURRENT_KPIS = 4


@dataclass(frozen=True)
class FetchPlan:
    """The key figures, areas and years one fetch asks Kolada for."""

    base_url: str
    municipality: str  # the municipality's code
    kpis: tuple[str, ...]
    years: tuple[int, ...]
    comparison: tuple[str, ...] = ()  # the comparison group's municipality codes
    comparison_group: str | None = None  # a Kolada group id, resolved at fetch time
    indicators: dict[str, tuple[str, ...]] = field(default_factory=dict)  # kpi → keys

    def codes(self, members: tuple[str, ...] = ()) -> list[str]:
        """Every area asked for: the municipality, its comparison group, the country."""
        codes = [self.municipality, *self.comparison, *members, COUNTRY_CODE]
        return list(dict.fromkeys(codes))

    def describe(self) -> str:
        """The plan in one Swedish sentence, for the run's log."""
        group = (
            f"kommungruppen {self.comparison_group}"
            if self.comparison_group
            else f"{len(self.comparison)} jämförelsekommuner"
        )
        years = f"{min(self.years)}–{max(self.years)}" if self.years else "inga år"
        return (
            f"{len(self.kpis)} nyckeltal ({', '.join(self.kpis) or 'inga'}) för kommun "
            f"{self.municipality}, {group} och riket, {years}, från {self.base_url}"
        )


@dataclass
class FetchOutcome:
    """What a fetch got: the values, and per key figure what went wrong or came empty."""

    rows: list[KoladaRow] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)  # kpi → Swedish message
    empty: list[str] = field(default_factory=list)  # key figures without any value
    titles: dict[str, str] = field(default_factory=dict)
    members: tuple[str, ...] = ()  # the comparison group's codes as Kolada gave them
    requests: int = 0


def default_years(as_of: dt.date, back: int) -> tuple[int, ...]:
    """The ``back`` calendar years before ``as_of``'s: Kolada publishes a year after it ends."""
    return tuple(range(as_of.year - back, as_of.year))


def plan_for(
    session: Session,
    municipality: Municipality,
    config: KoladaConfig,
    *,
    years: tuple[int, ...],
    base_url: str | None = None,
) -> FetchPlan:
    """The plan for a municipality: the key figures its indicators name (``kolada_kpi``)."""
    indicators = session.exec(
        select(Indicator)
        .where(
            Indicator.municipality_id == stored_id(municipality),
            col(Indicator.kolada_kpi).is_not(None),
        )
        .order_by(col(Indicator.kolada_kpi), col(Indicator.key))
    ).all()
    by_kpi: dict[str, list[str]] = {}
    for indicator in indicators:
        kpi = (indicator.kolada_kpi or "").strip().upper()
        # Two terms may both have an indicator 2.1-a: the log names each key once.
        if kpi and indicator.key not in by_kpi.setdefault(kpi, []):
            by_kpi[kpi].append(indicator.key)
    return FetchPlan(
        base_url=(base_url or config.base_url).rstrip("/"),
        municipality=municipality.code,
        kpis=tuple(by_kpi),
        years=tuple(sorted(set(years))),
        comparison=tuple(c for c in config.comparison_municipalities if c != municipality.code),
        comparison_group=config.comparison_group,
        indicators={k: tuple(v) for k, v in by_kpi.items()},
    )


def fetch_values(plan: FetchPlan, **client_options: Any) -> FetchOutcome:
    """Fetch the plan from Kolada (blocking); ``client_options`` go to :class:`KoladaClient`.

    Raises :class:`KoladaError` only when nothing can be fetched at all (the comparison
    group cannot be read); a key figure that fails is in ``outcome.failed``.
    """
    return _run(fetch_values_async(plan, **client_options))


async def fetch_values_async(plan: FetchPlan, **client_options: Any) -> FetchOutcome:
    """:func:`fetch_values` for a caller that already runs an event loop."""
    outcome = FetchOutcome()
    async with KoladaClient(plan.base_url, **client_options) as client:
        try:
            if plan.comparison_group:
                outcome.members = tuple(await client.group_members(plan.comparison_group))
            codes = plan.codes(outcome.members)
            gate = asyncio.Semaphore(CONCURRENT_KPIS)

            async def one(kpi: str) -> None:
                async with gate:
                    await _fetch_kpi(client, plan, kpi, codes, outcome)

            await asyncio.gather(*(one(kpi) for kpi in plan.kpis))
        finally:
            outcome.requests = client.requests
    return outcome


async def _fetch_kpi(
    client: KoladaClient, plan: FetchPlan, kpi: str, codes: list[str], outcome: FetchOutcome
) -> None:
    try:
        info = await client.kpi(kpi)
        if info is None:
            used = ", ".join(plan.indicators.get(kpi, ())) or "?"
            outcome.failed[kpi] = (
                f"Nyckeltalet {kpi} finns inte i Kolada: kontrollera kolada_kpi för "
                f"indikator {used} i konfigurationen."
            )
            return
        outcome.titles[kpi] = info.title
        rows = await client.values(kpi, codes, plan.years, kolada_updated=info.published)
    except KoladaError as error:
        outcome.failed[kpi] = f"{kpi}: {error}"
        return
    if not any(r.value is not None for r in rows):
        outcome.empty.append(kpi)
    outcome.rows.extend(rows)


def _run(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine to its end from plain code, also where a loop already runs.

    A Prefect task or a served flow may call this from a thread with a running event
    loop, where ``asyncio.run`` refuses: then the coroutine gets a thread of its own.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()
