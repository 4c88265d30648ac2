"""Kolada's values into ``kolada_value``: new ones added, changed ones updated in place.

A value Kolada gives as missing (null) is never stored and never replaces one stored
before: Kolada blanks a figure while it revises it, and a report that had the figure
last month must not lose it because of that. The same holds for Kolada's update date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from sqlmodel import Session, col, delete, select

from arshjul.kolada.values import KoladaRow
from arshjul.models import AuditEntry, Municipality, stored_id
from arshjul.models.kolada import KoladaGroupMember, KoladaValue


@dataclass
class StoreReport:
    """What storing did; ``str()`` is a Swedish summary."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    missing: int = 0  # values Kolada gave as missing: not stored, nothing overwritten

    @property
    def stored(self) -> int:
        return self.created + self.updated + self.unchanged

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)

    def __str__(self) -> str:
        text = f"{self.created} nya värden, {self.updated} ändrade, {self.unchanged} oförändrade"
        if self.missing:
            text += f", {self.missing} saknas hos Kolada (inget skrevs över)"
        return text


def store_values(
    session: Session,
    rows: Iterable[KoladaRow],
    *,
    source: str,
    fetched_at: dt.datetime,
    dry_run: bool = False,
) -> StoreReport:
    """Upsert the rows on (kpi, municipality, year, sex) in the caller's transaction.

    A second call with the same rows changes no value; it marks them as fetched again
    (``fetched_at``, ``source``), which is when Kolada last confirmed them. ``dry_run``:
    count what would change, write nothing.
    """
    report = StoreReport()
    latest: dict[tuple[str, str, int, str], KoladaRow] = {}
    for row in rows:
        if row.value is None:
            report.missing += 1
        else:
            latest[row.key] = row  # the last of a key's duplicates wins, as on a re-fetch
    if not latest:
        return report
    kpis = sorted({key[0] for key in latest})
    stored = {
        (v.kpi, v.municipality_code, v.year, v.gender): v
        for v in session.exec(select(KoladaValue).where(col(KoladaValue.kpi).in_(kpis))).all()
    }
    for key, row in latest.items():
        value = row.value
        assert value is not None
        old = stored.get(key)
        if old is None:
            report.created += 1
            if dry_run:
                continue
            session.add(
                KoladaValue(
                    kpi=row.kpi,
                    municipality_code=row.municipality_code,
                    year=row.year,
                    gender=row.gender,
                    value=value,
                    kolada_updated=row.kolada_updated,
                    source=source[:300],
                    fetched_at=fetched_at,
                )
            )
            continue
        newer_date = row.kolada_updated is not None and row.kolada_updated != old.kolada_updated
        if dry_run:
            changed = old.value != value or newer_date
            report.updated += changed
            report.unchanged += not changed
            continue
        if old.value != value or newer_date:
            old.value = value
            if row.kolada_updated is not None:
                old.kolada_updated = row.kolada_updated
            report.updated += 1
        else:
            report.unchanged += 1
        old.source = source[:300]
        old.fetched_at = fetched_at
        session.add(old)
    session.flush()
    return report


def store_group_members(
    session: Session, group_id: str, members: Iterable[str], *, fetched_at: dt.datetime
) -> None:
    """Replace a Kolada group's members with those Kolada gave now, in the caller's transaction.

    An empty answer replaces nothing: as with a missing value, what Kolada cannot give
    today must not erase what it gave before.
    """
    codes = sorted(set(members))
    if not codes:
        return
    session.exec(delete(KoladaGroupMember).where(col(KoladaGroupMember.group_id) == group_id))
    for code in codes:
        session.add(
            KoladaGroupMember(group_id=group_id, municipality_code=code, fetched_at=fetched_at)
        )
    session.flush()


#: The audit action of a fetch; the year's overview reads the latest one.
FETCH_ACTION = "kolada.fetch"


def record_fetch(
    session: Session,
    *,
    municipality: Municipality,
    as_of: dt.datetime,
    stored: StoreReport,
    failed: dict[str, str],
) -> None:
    """Note a fetch, and what failed in it, in the audit log: the overview shows a failure
    until a later fetch succeeds, since the run's own failure is seen only in Prefect."""
    session.add(
        AuditEntry(
            municipality_id=stored_id(municipality),
            at=as_of,
            actor="Kolada-hämtning",
            origin="flow",
            action=FETCH_ACTION,
            entity="kolada_value",
            details={
                "created": stored.created,
                "updated": stored.updated,
                "unchanged": stored.unchanged,
                "missing": stored.missing,
                "failed": dict(sorted(failed.items())),
            },
        )
    )
    session.flush()


def last_fetch(session: Session, municipality_id: int) -> AuditEntry | None:
    """The municipality's latest recorded fetch, if any."""
    return session.exec(
        select(AuditEntry)
        .where(AuditEntry.municipality_id == municipality_id, AuditEntry.action == FETCH_ACTION)
        .order_by(col(AuditEntry.at).desc(), col(AuditEntry.id).desc())
    ).first()
