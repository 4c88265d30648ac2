"""What the simulated year left behind, counted in the database and on disk.

No Prefect here: `arshjul demo` imports this before it prepares Prefect.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine, func
from sqlmodel import Session, col, select

from arshjul.calendar.stages import is_election_year
from arshjul.models import (
    ActionPlan,
    Decision,
    Deviation,
    GeneratedDocument,
    OutboxMessage,
    Submission,
    SubmissionRequest,
)


@dataclass
class DemoSummary:
    """What the simulated year did, counted in the database and on disk."""

    year: int
    election_year: bool
    stages: list[str] = field(default_factory=list)
    requests: int = 0
    submissions: int = 0
    late_submissions: int = 0
    emails: int = 0
    reminders: int = 0
    escalations: int = 0
    deviations: int = 0
    action_plans: int = 0
    decisions: int = 0
    documents: list[Path] = field(default_factory=list)
    mail_dir: Path | None = None
    database: str = ""


def summarize(engine: Engine, year: int, folder: Path, mail_dir: Path) -> DemoSummary:
    """Count what the year left behind."""

    def count(session: Session, model, *where) -> int:  # type: ignore[no-untyped-def]
        return session.exec(select(func.count()).select_from(model).where(*where)).one()

    with Session(engine) as session:
        documents = session.exec(
            select(GeneratedDocument).order_by(col(GeneratedDocument.id))
        ).all()
        return DemoSummary(
            year=year,
            election_year=is_election_year(year),
            requests=count(session, SubmissionRequest),
            submissions=count(session, Submission),
            late_submissions=count(session, Submission, Submission.late == True),  # noqa: E712
            emails=count(session, OutboxMessage, OutboxMessage.state == "sent"),
            reminders=count(session, OutboxMessage, OutboxMessage.purpose == "reminder"),
            escalations=count(
                session,
                OutboxMessage,
                col(OutboxMessage.purpose).in_(("escalation", "deviation_escalation")),
            ),
            deviations=count(session, Deviation, Deviation.beyond_threshold == True),  # noqa: E712
            action_plans=count(session, ActionPlan),
            decisions=count(session, Decision),
            documents=list(dict.fromkeys(Path(d.path) for d in documents)),
            mail_dir=mail_dir,
            database=str(engine.url),
        )
