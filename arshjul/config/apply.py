"""Bringing the database in line with a validated municipality configuration.

Idempotent: loading the same file twice changes nothing; an edited file updates
what changed. Nothing is deleted that history may point at: a unit missing from
the file is marked inactive, goals and indicators stay (a target the file no longer
has is removed). Each term of the file (the top-level ``[term]`` and every
``[[terms]]``) gets its own areas, goals, indicators and targets; a goal is found
again by its term and key.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import inspect
from sqlmodel import Session, select

from arshjul.config.loader import LoadedConfig
from arshjul.config.schema import IndicatorConfig, MunicipalityConfig, Person, TermGoalsConfig
from arshjul.governance.documents import (
    BODY_OF_UNIT_KIND,
    DecidingBody,
    next_review,
    review_years,
)
from arshjul.models import (
    AuditEntry,
    Contact,
    ContactRole,
    Goal,
    GoalLevel,
    Indicator,
    IndicatorTarget,
    Municipality,
    OrgUnit,
    StrategicArea,
    Term,
)
from arshjul.models.base import Stored, stored_id, utc_now
from arshjul.queries.governing import store_version

M = TypeVar("M", bound=Stored)


@dataclass
class ApplyReport:
    """What loading a configuration changed, counted per table."""

    municipality: Municipality
    created: Counter[str] = field(default_factory=Counter)
    updated: Counter[str] = field(default_factory=Counter)
    removed: Counter[str] = field(default_factory=Counter)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.removed)


class _Upserter:
    def __init__(self, session: Session) -> None:
        self.session = session
        self.created: Counter[str] = Counter()
        self.updated: Counter[str] = Counter()
        self.removed: Counter[str] = Counter()
        self._new_rows: set[tuple[str, int]] = set()

    def __call__(self, model: type[M], keys: dict[str, Any], values: dict[str, Any]) -> M:
        statement = select(model)
        for name, value in keys.items():
            statement = statement.where(getattr(model, name) == value)
        row = self.session.exec(statement).first()
        table: str = inspect(model).local_table.name
        if row is None:
            row = model(**keys, **values)
            self.session.add(row)
            self.session.flush()
            self.created[table] += 1
            self._new_rows.add((table, stored_id(row)))
            return row
        dirty = False
        for name, value in values.items():
            if getattr(row, name) != value:
                setattr(row, name, value)
                dirty = True
        if dirty:
            self.session.add(row)
            self.session.flush()
            if (table, stored_id(row)) not in self._new_rows:
                self.updated[table] += 1
        return row


def apply_config(
    session: Session, loaded: LoadedConfig, *, actor: str = "arshjul init"
) -> ApplyReport:
    """Create or update one municipality and everything its file describes."""
    cfg: MunicipalityConfig = loaded.config
    info = cfg.municipality
    upsert = _Upserter(session)
    config_json = cfg.model_dump(mode="json")
    municipality = upsert(
        Municipality,
        {"code": info.code},
        {
            "name": info.name,
            "short_name": info.short_name,
            "vision": info.vision,
            "mail_from_name": cfg.mail.from_name,
            "mail_from_address": cfg.mail.from_address,
            "config_source": str(loaded.path),
            "config": config_json,
        },
    )
    report = ApplyReport(municipality, upsert.created, upsert.updated, upsert.removed)
    mid = municipality.id
    assert mid is not None

    units = _apply_units(session, upsert, report, cfg, mid)
    _apply_central_contacts(session, upsert, report, cfg, mid)
    for _, goals in cfg.goal_terms():
        term = upsert(
            Term,
            {"municipality_id": mid, "start_year": goals.start_year},
            {"end_year": goals.end_year, "political_programme": goals.political_programme},
        )
        _apply_goals(upsert, goals, mid, stored_id(term), units)
    _apply_governing_documents(session, report, cfg, mid, units)

    if report.changed or municipality.config_digest != loaded.digest:
        municipality.config_digest = loaded.digest
        municipality.updated_at = utc_now()
        session.add(municipality)
        session.add(
            AuditEntry(
                municipality_id=mid,
                actor=actor,
                origin="cli",
                action="config.load",
                entity="municipality",
                entity_id=mid,
                details={
                    "file": str(loaded.path),
                    "sha256": loaded.digest,
                    "created": dict(report.created),
                    "updated": dict(report.updated),
                    "removed": dict(report.removed),
                },
            )
        )
    session.flush()
    return report


def _apply_units(
    session: Session, upsert: _Upserter, report: ApplyReport, cfg: MunicipalityConfig, mid: int
) -> dict[str, OrgUnit]:
    units: dict[str, OrgUnit] = {}
    for order, unit in enumerate(cfg.units):
        units[unit.key] = upsert(
            OrgUnit,
            {"municipality_id": mid, "key": unit.key},
            {
                "name": unit.name,
                "kind": unit.kind,
                "ownership_percent": unit.ownership_percent,
                "municipal_purpose": unit.municipal_purpose,
                "sort_order": order,
                "active": True,
            },
        )
    for unit in cfg.units:
        parent_id = units[unit.parent].id if unit.parent else None
        upsert(OrgUnit, {"id": units[unit.key].id}, {"parent_id": parent_id})
    for row in session.exec(select(OrgUnit).where(OrgUnit.municipality_id == mid)):
        if row.key not in units and row.active:
            row.active = False
            session.add(row)
            report.updated["org_unit"] += 1
    for unit in cfg.units:
        wanted: dict[tuple[str, str], str] = {(c.role, c.email): c.name for c in unit.contacts}
        _sync_contacts(session, upsert, report, mid, units[unit.key].id, wanted)
    return units


def _apply_central_contacts(
    session: Session, upsert: _Upserter, report: ApplyReport, cfg: MunicipalityConfig, mid: int
) -> None:
    people: list[tuple[ContactRole, Person]] = [
        (ContactRole.CHIEF_EXECUTIVE, cfg.central.chief_executive),
        (ContactRole.FINANCE_DIRECTOR, cfg.central.finance_director),
        *((ContactRole.CONTROLLER, p) for p in cfg.central.controllers),
    ]
    wanted = {(str(role), p.email): p.name for role, p in people}
    _sync_contacts(session, upsert, report, mid, None, wanted)


def _sync_contacts(
    session: Session,
    upsert: _Upserter,
    report: ApplyReport,
    mid: int,
    unit_id: int | None,
    wanted: dict[tuple[str, str], str],
) -> None:
    existing = session.exec(
        select(Contact).where(Contact.municipality_id == mid, Contact.unit_id == unit_id)
    ).all()
    for contact in existing:
        if (contact.role, contact.email) not in wanted:
            session.delete(contact)
            report.removed["contact"] += 1
    for (role, email), name in wanted.items():
        upsert(
            Contact,
            {"municipality_id": mid, "unit_id": unit_id, "role": role, "email": email},
            {"name": name},
        )


def _apply_goals(
    upsert: _Upserter, cfg: TermGoalsConfig, mid: int, term_id: int, units: dict[str, OrgUnit]
) -> None:
    """One term's strategic areas, goals, indicators and targets."""
    areas: dict[str, StrategicArea] = {}
    for order, area in enumerate(cfg.strategic_areas):
        areas[area.key] = upsert(
            StrategicArea,
            {"term_id": term_id, "key": area.key},
            {"municipality_id": mid, "name": area.name, "sort_order": order},
        )
    council: dict[str, Goal] = {}
    for order, goal in enumerate(cfg.council_goals):
        council[goal.key] = row = upsert(
            Goal,
            {"term_id": term_id, "key": goal.key},
            {
                "municipality_id": mid,
                "level": GoalLevel.COUNCIL,
                "title": goal.title,
                "description": goal.description,
                "strategic_area_id": areas[goal.area].id,
                "unit_id": None,
                "council_goal_id": None,
                "sort_order": order,
            },
        )
        _apply_indicators(upsert, mid, row, goal.indicators)
    for order, unit_goal in enumerate(cfg.unit_goals):
        unit = units[unit_goal.unit]
        served = council[unit_goal.serves]
        row = upsert(
            Goal,
            {"term_id": term_id, "key": unit_goal.key},
            {
                "municipality_id": mid,
                "level": GoalLevel.COMPANY if unit.kind == "company" else GoalLevel.COMMITTEE,
                "title": unit_goal.title,
                "description": unit_goal.description,
                "strategic_area_id": served.strategic_area_id,
                "unit_id": unit.id,
                "council_goal_id": served.id,
                "sort_order": order,
            },
        )
        _apply_indicators(upsert, mid, row, unit_goal.indicators)


def _apply_indicators(
    upsert: _Upserter, mid: int, goal: Goal, indicators: list[IndicatorConfig]
) -> None:
    for ind in indicators:
        row = upsert(
            Indicator,
            {"goal_id": goal.id, "key": ind.key},
            {
                "municipality_id": mid,
                "name": ind.name,
                "unit_of_measure": ind.unit_of_measure,
                "higher_is_better": ind.higher_is_better,
                "kolada_kpi": ind.kolada_kpi,
            },
        )
        targets: dict[int | None, float] = dict(ind.year_targets.items())
        if ind.term_target is not None:
            targets[None] = ind.term_target
        # A target the file no longer has goes (nothing points at a target).
        for stale in upsert.session.exec(
            select(IndicatorTarget).where(IndicatorTarget.indicator_id == row.id)
        ).all():
            if stale.year not in targets:
                upsert.session.delete(stale)
                upsert.removed["indicator_target"] += 1
        for year, value in targets.items():
            upsert(
                IndicatorTarget,
                {"indicator_id": row.id, "year": year},
                {"municipality_id": mid, "value": value},
            )


def _apply_governing_documents(
    session: Session,
    report: ApplyReport,
    cfg: MunicipalityConfig,
    mid: int,
    units: dict[str, OrgUnit],
) -> None:
    """The register's documents from the file (checked by the schema: units and bodies).

    A document the file no longer lists stays: the register is history, and a
    document leaves it by a decision to repeal it, not by an edited file.
    """
    register = cfg.governing_documents
    for doc in register.documents:
        if doc.decided_by == "chief_executive":
            body, deciding_unit_id = DecidingBody.CHIEF_EXECUTIVE, None
        else:
            unit = units[doc.decided_by]
            body, deciding_unit_id = BODY_OF_UNIT_KIND[unit.kind], unit.id
        years = review_years(doc.kind, register.review_years)
        stored = store_version(
            session,
            municipality_id=mid,
            key=doc.key,
            decided_on=doc.decided_on,
            values={
                "kind": doc.kind.value,
                "title": doc.title,
                "owner_unit_id": stored_id(units[doc.owner]),
                "deciding_body": body.value,
                "deciding_unit_id": deciding_unit_id,
                "paragraph": doc.paragraph,
                "review_interval_years": years,
                "next_review_on": doc.next_review or next_review(doc.decided_on, years),
                "file": doc.file,
                "replaces": doc.replaces,
            },
            source="config",
        )
        if stored.outcome == "created":
            report.created["governing_document"] += 1
        elif stored.outcome == "updated":
            report.updated["governing_document"] += 1
