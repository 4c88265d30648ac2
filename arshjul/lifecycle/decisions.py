"""Recording a body's decision at a stage: immutable, corrected only by a new one."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlmodel import Session, select

from arshjul.errors import ArshjulError
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

# Which body decides at which stage, and what status its frames get.
DECIDING_BODY = {
    "ks-beslut": (UnitKind.EXECUTIVE_BOARD, FrameStatus.EXECUTIVE_BOARD),
    "kf-beslut": (UnitKind.COUNCIL, FrameStatus.COUNCIL),
    "budgetdag": (UnitKind.EXECUTIVE_BOARD, FrameStatus.PROPOSED),
}
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

    ``frame_changes`` maps a unit's key to its adopted operating frame in kronor
    where the body changed the proposal.
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
    decision = Decision(
        municipality_id=mid,
        stage_instance_id=stage.id,
        body_unit_id=body.id,  # type: ignore[arg-type]
        decided_on=decided_on,
        paragraph=paragraph.strip(),
        summary=summary,
        details={**(details or {}), "frame_changes": frame_changes or {}},
        corrects_id=corrects.id if corrects else None,
        recorded_by=actor,
    )
    session.add(decision)
    session.flush()
    _adopt_frames(session, mid, budget_year, status, decision, frame_changes or {})
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


def _adopt_frames(
    session: Session,
    mid: int,
    budget_year: int,
    status: FrameStatus,
    decision: Decision,
    changes: dict[str, int],
) -> None:
    units = {u.id: u for u in session.exec(select(OrgUnit).where(OrgUnit.municipality_id == mid))}
    keys = {u.key for u in units.values()}
    unknown = sorted(set(changes) - keys)
    if unknown:
        raise ArshjulError(f"Okända enheter i beslutet: {', '.join(unknown)}.")
    frames = session.exec(
        select(BudgetFrame).where(
            BudgetFrame.municipality_id == mid, BudgetFrame.budget_year == budget_year
        )
    ).all()
    source: dict[tuple[int, str, str], BudgetFrame] = {}
    for previous in _PREVIOUS_STATUS[status]:
        for frame in frames:
            if frame.status == previous:
                source.setdefault((frame.unit_id, frame.kind, frame.area), frame)
    if not source:
        raise ArshjulError(
            f"Det finns inga föreslagna ramar för budgetår {budget_year} att besluta om: "
            "importera eller räkna fram dem först."
        )
    existing = {(f.unit_id, f.kind, f.area) for f in frames if f.status == status}
    for (unit_id, kind, area), frame in source.items():
        amount = frame.amount_kr
        unit_key = units[unit_id].key
        if kind == "operations" and unit_key in changes:
            amount = changes[unit_key]
        if (unit_id, kind, area) in existing:
            row = next(
                f
                for f in frames
                if (f.unit_id, f.kind, f.area, f.status) == (unit_id, kind, area, status)
            )
            row.amount_kr, row.decision_id = amount, decision.id
        else:
            row = BudgetFrame(
                municipality_id=mid,
                unit_id=unit_id,
                budget_year=budget_year,
                kind=kind,
                area=area,
                status=status,
                amount_kr=amount,
                explanation=frame.explanation,
                decision_id=decision.id,
            )
        session.add(row)


def notify_council_decision(
    session: Session, *, municipality: Municipality, decision: Decision, as_of: dt.datetime
) -> int:
    """Tell every committee its adopted frame and that its budget work begins; once each."""
    from arshjul.formats import format_date, format_tkr
    from arshjul.lifecycle.context import recipients_for_request
    from arshjul.mail.outbox import enqueue

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
        .order_by(OrgUnit.sort_order)
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
