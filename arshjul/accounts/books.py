"""The stored books: each entity's chart, its trial balances, and the group's members.

The query layer beneath the imports, the stages and the documents: plain functions that
take a session and return amounts in whole kronor. No Prefect and no documents here.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from sqlmodel import Session, col, select

from arshjul.accounts.chart import Chart, shipped_chart
from arshjul.models import GroupTransaction, OrgUnit, TrialBalanceLine, UnitKind
from arshjul.models.accounts import MUNICIPALITY_ENTITY

GROUP_KINDS = (UnitKind.COMPANY, UnitKind.FEDERATION)


# The parts of a municipality's configuration (arshjul.config.schema) the books read; the
# configuration validates its overrides against the shipped charts, so it sits above.
class _Overrides(Protocol):
    @property
    def lines(self) -> Mapping[str, str]: ...
    @property
    def groups(self) -> Mapping[str, str]: ...


class _Accounts(_Overrides, Protocol):
    @property
    def companies(self) -> Mapping[str, _Overrides]: ...


class _Unit(Protocol):
    @property
    def key(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def chart(self) -> str | None: ...


class Configured(Protocol):
    @property
    def accounts(self) -> _Accounts: ...
    @property
    def units(self) -> Sequence[_Unit]: ...


def chart_for(config: Configured, entity: str = MUNICIPALITY_ENTITY) -> Chart:
    """The chart an entity's books are read with: Kommun-Bas for the municipality (with its
    own prefixes), a company's or federation's chart with the overrides given for it."""
    if entity == MUNICIPALITY_ENTITY:
        return shipped_chart("kommunbas").with_overrides(
            config.accounts.lines, config.accounts.groups
        )
    unit = next((u for u in config.units if u.key == entity), None)
    kind = unit.kind if unit else "company"
    name = (unit.chart if unit else None) or ("kommunbas" if kind == "federation" else "bas")
    chart = shipped_chart(name)
    overrides = config.accounts.companies.get(entity)
    if overrides is not None:
        chart = chart.with_overrides(overrides.lines, overrides.groups)
    return chart


def balances(
    session: Session, *, municipality_id: int, entity: str, year: int, month: int
) -> dict[str, int] | None:
    """Every account's balance at a month's end, over all responsibilities; None if not
    imported."""
    rows = session.exec(
        select(TrialBalanceLine.account, TrialBalanceLine.balance_kr).where(
            TrialBalanceLine.municipality_id == municipality_id,
            TrialBalanceLine.entity == entity,
            TrialBalanceLine.year == year,
            TrialBalanceLine.month == month,
        )
    ).all()
    if not rows:
        return None
    found: dict[str, int] = defaultdict(int)
    for account, amount in rows:
        found[account] += amount
    return dict(found)


def balances_by_responsibility(
    session: Session, *, municipality_id: int, year: int, month: int
) -> dict[tuple[str, str], int]:
    """The municipality's balances at a month's end per (account, responsibility)."""
    rows = session.exec(
        select(
            TrialBalanceLine.account, TrialBalanceLine.responsibility, TrialBalanceLine.balance_kr
        ).where(
            TrialBalanceLine.municipality_id == municipality_id,
            TrialBalanceLine.entity == MUNICIPALITY_ENTITY,
            TrialBalanceLine.year == year,
            TrialBalanceLine.month == month,
        )
    ).all()
    found: dict[tuple[str, str], int] = defaultdict(int)
    for account, responsibility, amount in rows:
        found[(account, responsibility)] += amount
    return dict(found)


def months_held(session: Session, *, municipality_id: int, entity: str, year: int) -> set[int]:
    """The months of a year an entity has a trial balance for."""
    return set(
        session.exec(
            select(TrialBalanceLine.month)
            .where(
                TrialBalanceLine.municipality_id == municipality_id,
                TrialBalanceLine.entity == entity,
                TrialBalanceLine.year == year,
            )
            .distinct()
        ).all()
    )


@dataclass(frozen=True)
class GroupMember:
    """A company or federation of the municipal group, with the municipality's share."""

    key: str
    name: str
    kind: str
    share: Decimal

    @property
    def percent(self) -> Decimal:
        return self.share * 100


def group_members(session: Session, *, municipality_id: int) -> list[GroupMember]:
    """The companies and federations with an ownership share, in the configuration's order."""
    units = session.exec(
        select(OrgUnit)
        .where(
            OrgUnit.municipality_id == municipality_id,
            OrgUnit.active == True,  # noqa: E712
            col(OrgUnit.kind).in_(GROUP_KINDS),
        )
        .order_by(col(OrgUnit.sort_order), col(OrgUnit.id))
    ).all()
    return [
        GroupMember(u.key, u.name, u.kind, Decimal(str(u.ownership_percent)) / 100)
        for u in units
        if u.ownership_percent
    ]


def group_transactions(
    session: Session, *, municipality_id: int, year: int
) -> list[GroupTransaction]:
    """The year's transactions between the group's members."""
    return list(
        session.exec(
            select(GroupTransaction)
            .where(
                GroupTransaction.municipality_id == municipality_id,
                GroupTransaction.year == year,
            )
            .order_by(
                GroupTransaction.kind, GroupTransaction.from_entity, GroupTransaction.to_entity
            )
        ).all()
    )
