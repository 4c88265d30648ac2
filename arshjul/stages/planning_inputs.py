"""The resource allocation model's inputs, read from the database and the configuration."""

from __future__ import annotations

from decimal import Decimal

from sqlmodel import Session, select

from arshjul.allocation import (
    AllocationInputs,
    CommitteeBase,
    DemographyDriver,
    PopulationGroup,
    ServiceVolume,
)
from arshjul.config.schema import MunicipalityConfig
from arshjul.errors import ArshjulError
from arshjul.models import BudgetFrame, FrameKind, FrameStatus, OrgUnit, PlanningFigure
from arshjul.stages.deviations import operating_frame
from arshjul.stages.economy import framed_units


def previous_frames(session: Session, *, municipality_id: int, budget_year: int) -> dict[int, int]:
    """This year's frame per unit: imported as "föregående" for the budget year, else decided."""
    found: dict[int, int] = {}
    for unit in framed_units(session, municipality_id):
        imported = session.exec(
            select(BudgetFrame).where(
                BudgetFrame.unit_id == unit.id,
                BudgetFrame.budget_year == budget_year,
                BudgetFrame.kind == FrameKind.OPERATIONS,
                BudgetFrame.status == FrameStatus.PREVIOUS,
            )
        ).first()
        frame = (
            imported.amount_kr
            if imported
            else operating_frame(session, unit_id=unit.id, budget_year=budget_year - 1)  # type: ignore[arg-type]
        )
        if frame is not None:
            found[unit.id] = frame  # type: ignore[index]
    return found


def _figures(
    session: Session, municipality_id: int, kind: str, year: int
) -> dict[tuple[str, str], float]:
    rows = session.exec(
        select(PlanningFigure).where(
            PlanningFigure.municipality_id == municipality_id,
            PlanningFigure.kind == kind,
            PlanningFigure.year == year,
        )
    ).all()
    return {(r.key, r.sub_key): r.value for r in rows}


def has_index(session: Session, *, municipality_id: int, year: int) -> bool:
    """Whether the price and wage index for a year has been imported."""
    index = _figures(session, municipality_id, "index", year)
    return ("price", "") in index and ("wage", "") in index


def allocation_inputs(
    session: Session,
    *,
    municipality_id: int,
    config: MunicipalityConfig,
    cycle_year: int,
    budget_year: int | None = None,
    base_frames: dict[int, int] | None = None,
) -> AllocationInputs:
    """Everything the model needs for a year: by default the budget year after the cycle
    year, from this year's frames; for a plan year, ``base_frames`` are the year before's
    (unit id → kronor) and the year's own population, volumes and index are read."""
    budget_year = budget_year or cycle_year + 1
    cycle_year = budget_year - 1
    units = {u.id: u for u in framed_units(session, municipality_id)}
    by_key: dict[str, OrgUnit] = {u.key: u for u in units.values()}
    frames = (
        base_frames
        if base_frames is not None
        else previous_frames(session, municipality_id=municipality_id, budget_year=budget_year)
    )
    if not frames:
        raise ArshjulError(
            f"Det finns inga ramar för {cycle_year} att utgå från: importera dem med "
            f"”arshjul import ramar” (status föregående, budgetår {budget_year})."
        )
    wage = config.allocation.wage_share_percent
    committees = tuple(
        CommitteeBase(units[uid].name, amount, Decimal(str(wage.get(units[uid].key, 0))) / 100)
        for uid, amount in frames.items()
    )
    now = _figures(session, municipality_id, "population", cycle_year)
    then = _figures(session, municipality_id, "population", budget_year)
    population = tuple(
        PopulationGroup(group, int(now[(group, sub)]), int(then[(group, sub)]))
        for group, sub in now
        if (group, sub) in then
    )
    groups = {p.age_group for p in population}
    demography = tuple(
        DemographyDriver(
            rule.age_group,
            by_key[rule.unit].name,
            rule.service,
            cost_per_inhabitant=round(rule.cost_per_inhabitant_tkr * 1000),
        )
        for rule in config.allocation.demography
        if rule.unit in by_key and rule.age_group in groups
    )
    volumes_now = _figures(session, municipality_id, "volume", cycle_year)
    volumes_then = _figures(session, municipality_id, "volume", budget_year)
    volumes = tuple(
        ServiceVolume(
            by_key[rule.unit].name,
            rule.service,
            volumes_now[(rule.unit, rule.service)],
            volumes_then[(rule.unit, rule.service)],
            unit=rule.volume_unit,
            cost_per_unit=round(rule.cost_per_unit_tkr * 1000),
        )
        for rule in config.allocation.volumes
        if rule.unit in by_key
        and (rule.unit, rule.service) in volumes_now
        and (rule.unit, rule.service) in volumes_then
    )
    index = _figures(session, municipality_id, "index", budget_year)
    return AllocationInputs(
        budget_year=budget_year,
        committees=committees,
        population=population,
        demography=demography,
        volumes=volumes,
        price_increase=Decimal(str(index.get(("price", ""), 0))) / 100,
        wage_increase=Decimal(str(index.get(("wage", ""), 0))) / 100,
    )
