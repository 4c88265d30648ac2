"""Recording a body's decision at a stage: immutable, corrected only by a new one."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlmodel import Session, col, select

from arshjul.errors import ArshjulError
from arshjul.formats import format_date, format_tkr
from arshjul.mail.outbox import enqueue
from arshjul.models import (
    AuditEntry,
    BudgetFrame,
    Decision,
    FrameStatus,
    Municipality,
    OrgUnit,
    StageInstance,
    StageState,
    UnitKind,
)
from arshjul.queries.organisation import recipients_for_request

# Which body decides at which stage, and what status its frames get.
DECIDING_BODY = {
    "ks-beslut": (UnitKind.EXECUTIVE_BOARD, FrameStatus.EXECUTIVE_BOARD),
    "kf-beslut": (UnitKind.COUNCIL, FrameStatus.COUNCIL),
    "budgetdag": (UnitKind.EXECUTIVE_BOARD, FrameStatus.PROPOSED),
}
# The council sets the tax rate with the budget (KL 11 kap.); the board may propose one.
TAX_RATE_DECIDED_BY = "kf-beslut"
TAX_RATE_PROPOSED_BY = ("ks-beslut",)
# No Swedish municipality's rate has been near these bounds; outside them it is a typo.
TAX_RATE_RANGE = (Decimal(15), Decimal(40))


def check_tax_rate(slug: str, tax_rate: Decimal | None) -> None:
    """The council's budget decision carries the tax rate; any rate lies within 15–40 %."""
    if tax_rate is None:
        if slug == TAX_RATE_DECIDED_BY:
            raise ArshjulError(
                "Kommunfullmäktige beslutar skattesatsen med budgeten: ange den med "
                "--skattesats, t.ex. --skattesats 22,41. Inget har registrerats."
            )
        return
    if slug != TAX_RATE_DECIDED_BY and slug not in TAX_RATE_PROPOSED_BY:
        raise ArshjulError(f"Vid {slug} beslutas ingen skattesats. Inget har registrerats.")
    low, high = TAX_RATE_RANGE
    if not low <= tax_rate <= high:
        raise ArshjulError(
            f"Skattesatsen {str(tax_rate).replace('.', ',')} ligger utanför 15–40 kronor per "
            "100 kronor; skriv t.ex. 22,41. Inget har registrerats."
        )


_PREVIOUS_STATUS = {
    FrameStatus.PROPOSED: (FrameStatus.PRELIMINARY,),
    FrameStatus.EXECUTIVE_BOARD: (FrameStatus.PROPOSED, FrameStatus.PRELIMINARY),
    FrameStatus.COUNCIL: (
        FrameStatus.EXECUTIVE_BOARD,
        FrameStatus.PROPOSED,
        FrameStatus.PRELIMINARY,
    ),
}


def _body(session: Session, municipality_id: int, kind: str) -> OrgUnit:
    body = session.exec(
        select(OrgUnit).where(OrgUnit.municipality_id == municipality_id, OrgUnit.kind == kind)
    ).first()
    if body is None:
        raise ArshjulError(f"Organisationen saknar {kind}: kontrollera konfigurationen.")
    return body


def record_decision(
    session: Session,
    *,
    municipality: Municipality,
    stage: StageInstance,
    budget_year: int,
    decided_on: dt.date,
    paragraph: str,
    summary: str,
    actor: str,
    frame_changes: dict[str, int] | None = None,
    corrects: Decision | None = None,
    details: dict[str, Any] | None = None,
) -> Decision:
    """Record the decision and the frames it adopted (the proposal, with any changes).

    The decision adopts the frames of the budget year and of the two plan years.
    ``frame_changes`` maps a unit's key to its adopted operating frame for the budget
    year, in kronor, where the body changed the proposal. A correction that changes a frame
    an earlier decision adopted records both amounts (``details["changed_frames"]``).
    """
    if stage.slug not in DECIDING_BODY:
        raise ArshjulError(f"Vid skedet {stage.name} registreras inget beslut om ramar.")
    kind, status = DECIDING_BODY[stage.slug]
    mid = municipality.id
    assert mid is not None
    if not paragraph.strip():
        raise ArshjulError("Ange beslutets paragraf, t.ex. ”§ 87”.")
    body = _body(session, mid, kind)
    existing = session.exec(
        select(Decision).where(
            Decision.municipality_id == mid,
            Decision.body_unit_id == body.id,
            Decision.decided_on == decided_on,
            Decision.paragraph == paragraph.strip(),
        )
    ).first()
    if existing is not None:
        return existing
    years = (budget_year, budget_year + 1, budget_year + 2)
    adoption = _plan_adoption(session, mid, years, status, frame_changes or {})
    changed = {f"{key}/{year}": [old, new] for key, year, old, new in adoption.changed}
    decision = Decision(
        municipality_id=mid,
        stage_instance_id=stage.id,
        body_unit_id=body.id,  # type: ignore[arg-type]
        decided_on=decided_on,
        paragraph=paragraph.strip(),
        summary=summary,
        details={
            **(details or {}),
            "frame_changes": frame_changes or {},
            # What this decision changed in frames an earlier decision had adopted.
            "changed_frames": changed,
        },
        corrects_id=corrects.id if corrects else None,
        recorded_by=actor,
    )
    session.add(decision)
    session.flush()
    adoption.apply(session, decision)
    stage.state = StageState.DECIDED
    session.add(stage)
    session.add(
        AuditEntry(
            municipality_id=mid,
            actor=actor,
            origin="cli",
            action="decision.record",
            entity="decision",
            entity_id=decision.id,
            details={"stage": stage.slug, "paragraph": decision.paragraph},
        )
    )
    session.flush()
    return decision


class _Adoption:
    """The frames a decision adopts: new rows, and rows of its status it changes."""

    def __init__(self, status: FrameStatus) -> None:
        self.status = status
        self.rows: list[tuple[BudgetFrame | None, BudgetFrame, int]] = []  # existing, source, kr
        self.changed: list[tuple[str, int, int, int]] = []  # unit key, year, old, new

    def apply(self, session: Session, decision: Decision) -> None:
        for existing, source, amount in self.rows:
            if existing is not None:
                existing.amount_kr, existing.decision_id = amount, decision.id
                session.add(existing)
                continue
            session.add(
                BudgetFrame(
                    municipality_id=source.municipality_id,
                    unit_id=source.unit_id,
                    budget_year=source.budget_year,
                    kind=source.kind,
                    area=source.area,
                    status=self.status,
                    amount_kr=amount,
                    explanation=source.explanation,
                    decision_id=decision.id,
                )
            )


def _plan_adoption(
    session: Session,
    mid: int,
    years: tuple[int, ...],
    status: FrameStatus,
    changes: dict[str, int],
) -> _Adoption:
    """What the decision will adopt: for the budget year and the plan years, every frame of
    the status before it (the proposal), the budget year's operating frames changed where
    the body changed them. Nothing is written here."""
    units = {u.id: u for u in session.exec(select(OrgUnit).where(OrgUnit.municipality_id == mid))}
    keys = {u.key for u in units.values()}
    unknown = sorted(set(changes) - keys)
    if unknown:
        raise ArshjulError(f"Okända enheter i beslutet: {', '.join(unknown)}.")
    frames = session.exec(
        select(BudgetFrame).where(
            BudgetFrame.municipality_id == mid,
            BudgetFrame.budget_year.in_(years),  # type: ignore[attr-defined]
        )
    ).all()
    source: dict[tuple[int, int, str, str], BudgetFrame] = {}
    for previous in _PREVIOUS_STATUS[status]:
        for frame in frames:
            if frame.status == previous:
                source.setdefault((frame.budget_year, frame.unit_id, frame.kind, frame.area), frame)
    if not any(year == years[0] for year, *_ in source):
        raise ArshjulError(
            f"Det finns inga föreslagna ramar för budgetår {years[0]} att besluta om: "
            "importera eller räkna fram dem först."
        )
    adopted = {(f.budget_year, f.unit_id, f.kind, f.area): f for f in frames if f.status == status}
    adoption = _Adoption(status)
    for (year, unit_id, kind, area), frame in source.items():
        amount = frame.amount_kr
        unit_key = units[unit_id].key
        if year == years[0] and kind == "operations" and unit_key in changes:
            amount = changes[unit_key]
        existing = adopted.get((year, unit_id, kind, area))
        if existing is not None and existing.amount_kr != amount:
            label = f"{unit_key}/{area}" if area else unit_key
            adoption.changed.append((label, year, existing.amount_kr, amount))
        adoption.rows.append((existing, frame, amount))
    return adoption


def notify_council_decision(
    session: Session, *, municipality: Municipality, decision: Decision, as_of: dt.datetime
) -> int:
    """Tell every committee its adopted frame and that its budget work begins; once each."""

    mid = municipality.id
    frames = {
        f.unit_id: f.amount_kr
        for f in session.exec(
            select(BudgetFrame).where(
                BudgetFrame.decision_id == decision.id, BudgetFrame.kind == "operations"
            )
        )
    }
    sent = 0
    for unit in session.exec(
        select(OrgUnit)
        .where(
            OrgUnit.municipality_id == mid,
            OrgUnit.kind.in_((UnitKind.COMMITTEE, UnitKind.EXECUTIVE_BOARD)),  # type: ignore[attr-defined]
        )
        .order_by(col(OrgUnit.sort_order))
    ):
        if unit.id not in frames:
            continue
        people = recipients_for_request(session, unit)
        if not people:
            continue
        message = enqueue(
            session,
            municipality=municipality,
            dedup_key=f"kf-beslut:{decision.id}:{unit.id}",
            purpose="notification",
            template="notification",
            context={
                "municipality_name": municipality.name,
                "subject_text": f"Fullmäktiges beslut om ram för {unit.name}",
                "heading": "Kommunfullmäktige har beslutat om Strategisk och ekonomisk plan",
                "paragraphs": [
                    f"Kommunfullmäktige beslutade den {format_date(decision.decided_on)} "
                    f"({decision.paragraph}) om Strategisk och ekonomisk plan.",
                    f"{unit.name} har en driftram på {format_tkr(frames[unit.id])}.",
                    "Nämndens arbete med sin budget inom ramen börjar nu; en begäran om "
                    "underlag kommer i ett eget e-brev.",
                ],
            },
            to=[(p.name, p.email) for p in people],
        )
        sent += message is not None
    return sent
