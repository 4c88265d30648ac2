"""The year at a glance, and what needs a manager today: read from the database, nothing else.

A manager should not have to know artifact keys or run ``arshjul status`` to see
where the year stands. :func:`year_overview` gives one row per stage instance of
a municipality's cycle (dates, state, answers, late answers, open requests,
deviations beyond the threshold, open action plans, decision, documents) and
:func:`needs_action` lists only what someone must do today. The Prefect
artifacts (``arshjul/tasks/overview.py``) show both; every number here is a
count of rows a reconciliation test can count again.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from arshjul.calendar.schedule import ScheduledStage, build_schedule
from arshjul.calendar.stages import CATALOGUE_ORDER
from arshjul.config.stored import municipality_config
from arshjul.formats import format_date
from arshjul.governance.decisions import RECORDED_DECISIONS
from arshjul.kolada.store import last_fetch
from arshjul.lifecycle.reviews import RegisterCounts, register_counts
from arshjul.lifecycle.status import RequestStatus, request_statuses
from arshjul.models import (
    ActionPlan,
    Cycle,
    Decision,
    Deviation,
    GeneratedDocument,
    Municipality,
    StageInstance,
    stored_id,
)
from arshjul.models.cycle import STAGE_STATE_SV, StageState
from arshjul.models.money import ActionPlanState
from arshjul.timezone import STOCKHOLM

# The staff path of the portal that serves a generated document (portal/staff.py).
DOCUMENT_PATH = "/personal/dokument/{id}"


@dataclass(frozen=True)
class DocumentLink:
    """The newest version of one of a stage's documents, and where the portal serves it."""

    id: int
    title: str
    version: int
    url: str
    missing: tuple[str, ...]


@dataclass(frozen=True)
class StageRow:
    """One stage instance of the year as the overview shows it."""

    stage_instance_id: int
    slug: str
    name: str
    opens_on: dt.date
    deadline_on: dt.date
    decision_on: dt.date | None
    state: str
    state_sv: str
    requests: int
    answered: int
    answered_late: int
    open_requests: int
    overdue: int
    deviations_beyond: int
    open_action_plans: int
    decision: str
    documents: tuple[DocumentLink, ...] = field(default=())


@dataclass(frozen=True)
class Attention:
    """One thing a manager must act on today: what, about which stage, and what to do."""

    stage: str
    what: str
    todo: str


@dataclass(frozen=True)
class YearOverview:
    """A municipality's cycle: its stages in calendar order, as of a moment."""

    municipality: str
    code: str
    year: int
    as_of: dt.datetime
    rows: tuple[StageRow, ...]
    attention: tuple[Attention, ...]
    # Legal checks the calendar breaks and the configuration accepts, with the reason.
    waivers: tuple[str, ...] = ()
    governing: RegisterCounts | None = None
    kolada: str = ""  # the latest Kolada fetch in words, or "" when none is recorded

    @property
    def title(self) -> str:
        return f"Årshjulet {self.year} – {self.municipality}"


def year_overview(
    session: Session,
    *,
    municipality: Municipality,
    year: int,
    as_of: dt.datetime,
    portal_url: str,
) -> YearOverview:
    """The year's stages (begun or only in the calendar) and what needs action today."""

    cycle = session.exec(
        select(Cycle).where(Cycle.municipality_id == municipality.id, Cycle.year == year)
    ).first()
    stages = (
        session.exec(select(StageInstance).where(StageInstance.cycle_id == cycle.id)).all()
        if cycle is not None
        else []
    )
    ids = [s.id for s in stages]
    requests = request_statuses(session, as_of=as_of, municipality_id=municipality.id, year=year)
    per_stage: dict[int, list[RequestStatus]] = defaultdict(list)
    for r in requests:
        per_stage[r.stage_instance_id].append(r)

    beyond = Counter(
        d.stage_instance_id
        for d in session.exec(
            select(Deviation).where(
                col(Deviation.stage_instance_id).in_(ids),
                col(Deviation.beyond_threshold).is_(True),
            )
        )
    )
    # An action plan belongs to the stage that found its deviation.
    plans = session.exec(
        select(ActionPlan, Deviation)
        .join(Deviation, col(Deviation.id) == ActionPlan.deviation_id)
        .where(col(Deviation.stage_instance_id).in_(ids))
    ).all()
    open_plans = Counter(d.stage_instance_id for p, d in plans if p.state != ActionPlanState.CLOSED)
    decisions: dict[int, Decision] = {}
    for recorded in session.exec(
        select(Decision)
        .where(col(Decision.stage_instance_id).in_(ids))
        .order_by(col(Decision.recorded_at), col(Decision.id))
    ):
        decisions[recorded.stage_instance_id] = recorded  # type: ignore[index]  # newest wins
    documents: dict[int, dict[str, GeneratedDocument]] = defaultdict(dict)
    for doc in session.exec(
        select(GeneratedDocument)
        .where(col(GeneratedDocument.stage_instance_id).in_(ids))
        .order_by(col(GeneratedDocument.version))
    ):
        documents[doc.stage_instance_id][doc.kind] = doc  # the newest version of each kind

    base = portal_url.rstrip("/")
    schedule = build_schedule(year, municipality_config(municipality).calendar)
    begun = {s.slug for s in stages}
    rows = [_planned(s) for s in schedule.stages if s.slug not in begun]
    for stage in stages:
        assert stage.id is not None
        asked = per_stage.get(stage.id, [])
        latest = decisions.get(stage.id)
        rows.append(
            StageRow(
                stage_instance_id=stage.id,
                slug=stage.slug,
                name=stage.name,
                opens_on=stage.opens_on,
                deadline_on=stage.deadline_on,
                decision_on=stage.decision_on,
                state=stage.state,
                state_sv=STAGE_STATE_SV[StageState(stage.state)],
                requests=len(asked),
                answered=sum(r.state == "submitted" for r in asked),
                answered_late=sum(r.state == "submitted" and r.late for r in asked),
                open_requests=sum(r.state == "open" for r in asked),
                overdue=sum(r.state == "open" and r.working_days_late > 0 for r in asked),
                deviations_beyond=beyond[stage.id],
                open_action_plans=open_plans[stage.id],
                decision=f"{latest.paragraph}, {latest.decided_on:%Y-%m-%d}" if latest else "",
                documents=tuple(
                    DocumentLink(
                        id=doc.id,  # type: ignore[arg-type]
                        title=doc.title,
                        version=doc.version,
                        url=base + DOCUMENT_PATH.format(id=doc.id),
                        missing=tuple(doc.missing),
                    )
                    for doc in documents[stage.id].values()
                ),
            )
        )
    rows.sort(key=lambda r: (r.opens_on, CATALOGUE_ORDER.get(r.slug, 99), r.name))
    today = as_of.astimezone(STOCKHOLM).date()
    attention = _attention(rows, requests, today, year)
    governing = governing_document_counts(
        session, municipality=municipality, year=year, as_of=as_of
    )
    attention += [
        Attention(
            "Styrdokument",
            f"Översynen är försenad: {title}",
            "Påminn ägaren eller registrera beskedet (arshjul import styrdokument).",
        )
        for title in governing.overdue_titles
    ]
    kolada, failed = _kolada(session, stored_id(municipality))
    if failed:
        attention.append(
            Attention(
                "Kolada-hämtning",
                kolada,
                "Jämförelserna använder de värden som redan fanns. Rätta kolada_kpi eller "
                "nätverket och kör Kolada-hämtningen igen, eller läs in Koladas fil "
                "(arshjul import kolada).",
            )
        )
    return YearOverview(
        municipality=municipality.name,
        code=municipality.code,
        year=year,
        as_of=as_of,
        rows=tuple(rows),
        attention=tuple(attention),
        waivers=tuple(w.sentence() for w in schedule.waived),
        governing=governing,
        kolada=kolada,
    )


def _kolada(session: Session, municipality_id: int) -> tuple[str, bool]:
    """The latest Kolada fetch in words, and whether a key figure failed in it."""
    fetch = last_fetch(session, municipality_id)
    if fetch is None:
        return "", False
    when = format_date(fetch.at.astimezone(STOCKHOLM).date())
    failed: dict[str, str] = fetch.details.get("failed", {})
    if failed:
        return (
            f"Kolada-hämtningen {when} misslyckades för {', '.join(failed)}: "
            + "; ".join(failed.values()),
            True,
        )
    return (
        f"Kolada-hämtningen {when} lyckades ({fetch.details.get('created', 0)} nya värden).",
        False,
    )


def _planned(stage: ScheduledStage) -> StageRow:
    """A stage the calendar holds and nothing has touched: its dates, nothing counted."""
    return StageRow(
        stage_instance_id=0,
        slug=stage.slug,
        name=stage.name,
        opens_on=stage.opens,
        deadline_on=stage.deadline,
        decision_on=stage.decision,
        state=StageState.PLANNED,
        state_sv=STAGE_STATE_SV[StageState.PLANNED],
        requests=0,
        answered=0,
        answered_late=0,
        open_requests=0,
        overdue=0,
        deviations_beyond=0,
        open_action_plans=0,
        decision="",
    )


def _attention(
    rows: list[StageRow],
    requests: list[RequestStatus],
    today: dt.date,
    year: int,
) -> list[Attention]:
    """What must be done today, most pressing first: mail, late answers, stages, decisions.

    An action plan asked for is a request of its own stage: it appears here when
    that request is late, and the stage when every plan is in.
    """
    found: list[Attention] = []
    by_id = {row.stage_instance_id: row for row in rows}
    for r in requests:
        if r.state != "open":
            continue
        stage = by_id[r.stage_instance_id].name
        if r.mail_failed:
            found.append(
                Attention(
                    stage,
                    f"{r.unit}: e-post misslyckades ({r.mail_error})",
                    "Rätta adressen i kommunens konfiguration och kör arshjul init.",
                )
            )
        elif r.working_days_late > 0:
            found.append(
                Attention(
                    stage,
                    f"{r.unit}: underlaget är {r.working_days_late} "
                    f"{'arbetsdag' if r.working_days_late == 1 else 'arbetsdagar'} sent "
                    f"(sista dag {r.deadline.astimezone(STOCKHOLM):%Y-%m-%d})",
                    "Kontakta enhetens kontaktperson eller chef.",
                )
            )
    for row in rows:
        if row.state == StageState.READY:
            found.append(
                Attention(
                    row.name,
                    "alla underlag är inne, skedet är inte sammanställt",
                    f"Kör arshjul run {row.slug} --year {year}.",
                )
            )
        if (
            row.slug in RECORDED_DECISIONS
            and row.decision_on is not None
            and row.decision_on <= today
            and not row.decision
        ):
            found.append(
                Attention(
                    row.name,
                    f"beslutet {row.decision_on:%Y-%m-%d} är inte registrerat",
                    f"Registrera det med arshjul decide {row.slug} --year {year}.",
                )
            )
        for doc in row.documents:
            if doc.missing:
                found.append(
                    Attention(
                        row.name,
                        f"{doc.title}: uppgift saknas – {'; '.join(doc.missing)}",
                        "Importera eller begär det som saknas och skriv dokumentet på nytt.",
                    )
                )
    return found


def governing_document_counts(
    session: Session, *, municipality: Municipality, year: int, as_of: dt.datetime
) -> RegisterCounts:
    """The register of governing documents for the year's overview: reviewed in ``year``,
    due and overdue as of ``as_of`` (counted by ``arshjul/lifecycle/reviews.py``)."""
    return register_counts(session, municipality=municipality, year=year, as_of=as_of)
