"""An indicator's Kolada key figure compared with the municipality's group and the country.

The rules of the comparison live here: which years (the last five up to the report's
year that the municipality has a value for), which group (the configured codes, or the
members of the configured Kolada group as its last fetch found them), the group's
unweighted mean (Kolada's "ovägt medel"), and the rank (highest value first, in the
latest year both the municipality and its group have values). Only the total for both
sexes (``T``) is compared; Kolada's sexes stay in the database for later use.
"""

from __future__ import annotations

from statistics import fmean

from sqlmodel import Session, col, select

from arshjul.config.schema import KoladaConfig
from arshjul.documents.comparison import KeyFigureComparison
from arshjul.models.kolada import COUNTRY_CODE, KoladaGroupMember, KoladaValue
from arshjul.timezone import STOCKHOLM

#: How many years the comparison shows (seed 2.5: "över tid").
YEARS_SHOWN = 5
TOTAL = "T"


def comparison_group(session: Session, config: KoladaConfig, own_code: str) -> tuple[str, ...]:
    """The codes of the municipality's comparison group, the municipality itself left out."""
    if config.comparison_group:
        members = session.exec(
            select(KoladaGroupMember.municipality_code).where(
                KoladaGroupMember.group_id == config.comparison_group
            )
        ).all()
    else:
        members = list(config.comparison_municipalities)
    return tuple(sorted(c for c in set(members) if c != own_code))


def key_figure_comparison(
    session: Session,
    *,
    kpi: str,
    own_code: str,
    municipality: str,
    unit_of_measure: str,
    group: tuple[str, ...],
    up_to_year: int,
) -> KeyFigureComparison:
    """The comparison of one key figure for the years up to ``up_to_year``, from the database."""
    kpi = kpi.strip().upper()
    codes = {own_code, COUNTRY_CODE, *group}
    stored = session.exec(
        select(KoladaValue).where(
            KoladaValue.kpi == kpi,
            KoladaValue.gender == TOTAL,
            col(KoladaValue.municipality_code).in_(codes),
            col(KoladaValue.year) <= up_to_year,
        )
    ).all()
    values = {(v.municipality_code, v.year): v for v in stored}
    own_years = [year for code, year in values if code == own_code]
    any_years = [year for _, year in values]
    if not any_years:
        return KeyFigureComparison(kpi, municipality, unit_of_measure, group_size=len(group))
    last = max(own_years or any_years)
    years = tuple(range(last - YEARS_SHOWN + 1, last + 1))

    def value(code: str, year: int) -> float | None:
        found = values.get((code, year))
        return None if found is None else found.value

    def group_values(year: int) -> list[float]:
        return [v for code in group if (v := value(code, year)) is not None]

    own = tuple(value(own_code, y) for y in years)
    means = tuple(fmean(found) if (found := group_values(y)) else None for y in years)
    rank = ranked = 0
    rank_year = None
    for year, mine in zip(reversed(years), reversed(own), strict=True):
        others = group_values(year)
        if mine is not None and others:
            rank = 1 + sum(1 for v in others if v > mine)
            ranked, rank_year = len(others) + 1, year
            break
    shown = [v for (code, year), v in values.items() if year in years]
    updates = [v.kolada_updated for v in shown if v.kolada_updated is not None]
    return KeyFigureComparison(
        kpi=kpi,
        municipality=municipality,
        unit_of_measure=unit_of_measure,
        years=years,
        own=own,
        group_mean=means,
        country=tuple(value(COUNTRY_CODE, y) for y in years),
        group_size=len(group),
        rank=rank or None,
        ranked=ranked,
        rank_year=rank_year,
        updated=max(updates, default=None),
        retrieved=max((v.fetched_at.astimezone(STOCKHOLM).date() for v in shown), default=None),
    )


def what_is_missing(comparison: KeyFigureComparison, indicator: str) -> list[str]:
    """What the stage's log names when a comparison lacks its figures (Swedish)."""
    where = f"Kolada-jämförelse för indikator {indicator} ({comparison.kpi})"
    if not comparison.has_values:
        return [
            f"{where}: inga värden är hämtade eller importerade "
            "(kör Kolada-hämtningen eller 'arshjul import kolada FIL')"
        ]
    problems = []
    if comparison.latest() is None:
        problems.append(f"{where}: kommunens egna värden saknas")
    if not comparison.group_size:
        problems.append(
            f"{where}: inga jämförelsekommuner (comparison_municipalities eller "
            "comparison_group under [kolada])"
        )
    elif all(v is None for v in comparison.group_mean):
        problems.append(f"{where}: jämförelsekommunernas värden saknas")
    if all(v is None for v in comparison.country):
        problems.append(f"{where}: rikets värden saknas")
    return problems
