"""Reviews of governing documents in the daily watch (#18, item 5), on SQLite and PostgreSQL.

The shipped Arboga register has the political programme (KF § 14, 23 February 2023)
due for review on 23 February 2027, once per term after its decision; with 90 days'
notice its owner (the executive board) is asked from 25 November 2026. Nothing else
in the register is due before January, so the watch of 1 December 2026 asks once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from email import policy
from email.parser import BytesParser
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from arshjul.config.apply import apply_config
from arshjul.config.loader import load_config, shipped_config_path
from arshjul.errors import ArshjulError
from arshjul.governance.documents import ReviewOutcome
from arshjul.imports.governing import TEMPLATE, import_governing_documents
from arshjul.lifecycle.overview import governing_document_counts, year_overview
from arshjul.lifecycle.reviews import (
    political_documents_due_in_term,
    record_review_answer,
    register_counts,
)
from arshjul.lifecycle.watch import run_watch
from arshjul.mail.sender import deliver_queued
from arshjul.models import (
    DocumentReview,
    GoverningDocument,
    Municipality,
    OutboxMessage,
)
from arshjul.settings import Settings
from arshjul.tasks.overview import overview_markdown

STOCKHOLM = ZoneInfo("Europe/Stockholm")
FIRST_ASKED = dt.datetime(2026, 12, 1, 7, 0, tzinfo=STOCKHOLM)
REVIEW_DATE = dt.date(2027, 2, 23)


@pytest.fixture
def db(engine: Engine, tmp_path: Path) -> Iterator[tuple[Session, Municipality]]:
    """Arboga with the watch asking owners (the shipped file does not: made-up dates)."""
    shipped = shipped_config_path().read_text(encoding="utf-8")
    asking = shipped.replace("ask_owners = false", "ask_owners = true")
    assert asking != shipped
    path = tmp_path / "arboga.toml"
    path.write_text(asking, encoding="utf-8")
    with Session(engine, expire_on_commit=False) as session:
        municipality = apply_config(session, load_config(path)).municipality
        session.commit()
        yield session, municipality


def _watch(db: tuple[Session, Municipality], as_of: dt.datetime) -> tuple[int, int]:
    session, municipality = db
    report = run_watch(session, municipality=municipality, as_of=as_of)
    session.commit()
    return report.review_requests, report.review_escalations


def _mail(session: Session, purpose: str) -> list[OutboxMessage]:
    return list(
        session.exec(
            select(OutboxMessage).where(OutboxMessage.purpose == purpose).order_by(OutboxMessage.id)  # type: ignore[arg-type]
        ).all()
    )


def test_the_watch_asks_the_owner_once_and_the_mail_is_an_eml_file(
    db: tuple[Session, Municipality], engine: Engine, tmp_path: Path
) -> None:
    session, _ = db
    assert _watch(db, FIRST_ASKED) == (1, 0)
    assert _watch(db, FIRST_ASKED) == (0, 0)
    assert _watch(db, FIRST_ASKED + dt.timedelta(days=1)) == (0, 0)
    [review] = session.exec(select(DocumentReview)).all()
    document = session.get(GoverningDocument, review.document_id)
    assert document is not None and document.title == "Politiskt program"
    assert review.due_on == REVIEW_DATE and review.outcome is None
    [message] = _mail(session, "review_request")

    settings = Settings(
        secret_key="en-hemlig-nyckel-bara-for-testerna-0123456789",  # type: ignore[arg-type]
        mail_dir=tmp_path / "e-post",  # type: ignore[arg-type]
        portal_url="https://arshjul.arboga.example",  # type: ignore[arg-type]
    )
    delivered = deliver_queued(engine, settings=settings, as_of=FIRST_ASKED)
    [path] = [p for p in delivered.written_files if "Översyn" in p.name]
    mail = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
    assert mail["Subject"] == (
        "Översyn av styrdokument: Politiskt program, senast 23 februari 2027"
    )
    assert mail["To"].addresses[0].addr_spec == "ks.sekreterare@arboga.example"
    body = mail.get_body(preferencelist=("plain",))
    assert body is not None
    text = body.get_content()
    assert "Kommunstyrelsen äger styrdokumentet Politiskt program (program, KF § 14" in text
    assert "oförändrat" in text and "ska revideras" in text and "ska upphävas" in text
    assert message.purpose == "review_request"


def test_an_overdue_review_is_escalated_to_the_head_then_the_chief_once_each(
    db: tuple[Session, Municipality],
) -> None:
    session, municipality = db
    assert _watch(db, FIRST_ASKED) == (1, 0)
    # The review date is Tuesday 23 February 2027; a working day later the head is told.
    assert _watch(db, dt.datetime(2027, 2, 23, 7, 0, tzinfo=STOCKHOLM))[1] == 0
    requests, escalations = _watch(db, dt.datetime(2027, 2, 24, 7, 0, tzinfo=STOCKHOLM))
    assert escalations == 1
    assert _watch(db, dt.datetime(2027, 2, 24, 7, 0, tzinfo=STOCKHOLM))[1] == 0
    [first] = _mail(session, "review_escalation")
    assert first.subject == "Eskalering: översynen av Politiskt program är försenad"
    assert "kommundirektor@arboga.example" in str(first.to)
    # Three working days late (the configured chief_escalation_after_working_days).
    assert _watch(db, dt.datetime(2027, 3, 1, 7, 0, tzinfo=STOCKHOLM))[1] == 1
    assert len(_mail(session, "review_escalation")) == 2
    counts = governing_document_counts(
        session,
        municipality=municipality,
        year=2027,
        as_of=dt.datetime(2027, 3, 1, 7, 0, tzinfo=STOCKHOLM),
    )
    assert counts.overdue == 1 and counts.reviewed == 0
    assert counts.overdue_titles == (
        "Politiskt program (program, KF § 14, 23 februari 2023): översyn senast 23 februari 2027",
    )
    # The year's overview names it among what needs action, and counts the register.
    overview = year_overview(
        session,
        municipality=municipality,
        year=2027,
        as_of=dt.datetime(2027, 3, 1, 7, 0, tzinfo=STOCKHOLM),
        portal_url="http://portal.example",
    )
    assert [a.what for a in overview.attention if a.stage == "Styrdokument"] == [
        "Översynen är försenad: " + counts.overdue_titles[0]
    ]
    text = overview_markdown(overview)
    assert (
        f"Översedda 2027: 0. Ska ses över (inom framförhållningen): {counts.due}. Försenade: 1."
        in text
    )
    assert "- Försenad: Politiskt program (program, KF § 14" in text


def test_an_answer_ends_the_escalation_and_moves_the_next_review(
    db: tuple[Session, Municipality],
) -> None:
    session, municipality = db
    _watch(db, FIRST_ASKED)
    [review] = session.exec(select(DocumentReview)).all()
    answered = dt.datetime(2027, 1, 20, 10, 0, tzinfo=STOCKHOLM)
    with pytest.raises(ArshjulError, match="ska revideras: ange ett datum efter"):
        record_review_answer(
            session,
            review=review,
            outcome=ReviewOutcome.REVISE,
            answered_by="ks.sekreterare@arboga.example",
            as_of=answered,
        )
    document = record_review_answer(
        session,
        review=review,
        outcome=ReviewOutcome.UNCHANGED,
        answered_by="ks.sekreterare@arboga.example",
        as_of=answered,
    )
    session.commit()
    assert document.last_reviewed_on == dt.date(2027, 1, 20)
    assert document.next_review_on == dt.date(2031, 1, 20)
    # Three more come near meanwhile (the premises plan, the regulation, the guideline).
    assert _watch(db, dt.datetime(2027, 3, 1, 7, 0, tzinfo=STOCKHOLM)) == (3, 0)
    assert _mail(session, "review_escalation") == []
    counts = register_counts(
        session,
        municipality=municipality,
        year=2027,
        as_of=dt.datetime(2027, 3, 1, 7, 0, tzinfo=STOCKHOLM),
    )
    assert counts.reviewed == 1 and counts.overdue == 0
    with pytest.raises(ArshjulError, match="redan besvarad: oförändrat"):
        record_review_answer(
            session,
            review=review,
            outcome=ReviewOutcome.REPEAL,
            answered_by="x",
            as_of=answered,
        )


def test_the_shipped_example_asks_nobody(engine: Engine) -> None:
    with Session(engine) as session:
        municipality = apply_config(session, load_config()).municipality
        report = run_watch(session, municipality=municipality, as_of=FIRST_ASKED)
        assert (report.review_requests, report.review_escalations) == (0, 0)
        assert session.exec(select(DocumentReview)).all() == []


def test_the_election_years_political_review_lists_the_political_documents_due_in_the_term(
    db: tuple[Session, Municipality],
) -> None:
    session, municipality = db
    # A routine (administrative) beside the eighteen political documents of section 6.1.
    import_governing_documents(
        session,
        municipality=municipality,
        path=TEMPLATE,
        as_of=FIRST_ASKED,
        actor="test",
    )
    due = political_documents_due_in_term(session, municipality=municipality, election_year=2026)
    # The term 2027–2030: every seeded document is reviewed by then (the latest in 2029).
    assert len(due) == 18
    assert "Rutin för attest av fakturor" not in {d.title for d in due}
    assert [d.next_review_on for d in due] == sorted(d.next_review_on for d in due)


def test_a_promised_revision_that_does_not_come_is_escalated_until_it_is_decided(
    db: tuple[Session, Municipality], tmp_path: Path
) -> None:
    session, municipality = db
    _watch(db, FIRST_ASKED)
    [review] = session.exec(select(DocumentReview)).all()
    record_review_answer(
        session,
        review=review,
        outcome=ReviewOutcome.REVISE,
        revise_by=dt.date(2027, 4, 30),
        answered_by="ks.sekreterare@arboga.example",
        as_of=dt.datetime(2027, 2, 10, 10, 0, tzinfo=STOCKHOLM),
    )
    session.commit()
    # Answered: no escalation at the review date (23 February) …
    assert _watch(db, dt.datetime(2027, 3, 1, 7, 0, tzinfo=STOCKHOLM))[1] == 0
    # … but a working day after the promised date (Friday 30 April → Monday 3 May) there is
    # (beside the premises plan's and the regulation's, overdue since April, unanswered).
    _watch(db, dt.datetime(2027, 5, 3, 7, 0, tzinfo=STOCKHOLM))
    [message] = _revision_escalations(session)
    assert message.subject == "Eskalering: revideringen av Politiskt program är försenad"
    assert "ska revideras senast 30 april 2027" in message.body_text
    # The revised programme is decided and registered: a new version, the old one kept.
    revised = tmp_path / "program.csv"
    revised.write_text(
        "nyckel;titel;slag;ägare;beslutat_av;beslutsdatum;paragraf\n"
        "politiskt-program;Politiskt program;program;ks;KF;2027-05-04;KF § 52\n",
        encoding="utf-8",
    )
    import_governing_documents(
        session,
        municipality=municipality,
        path=revised,
        as_of=dt.datetime(2027, 5, 5, 9, 0, tzinfo=STOCKHOLM),
        actor="test",
    )
    session.commit()
    versions = session.exec(
        select(GoverningDocument)
        .where(GoverningDocument.key == "politiskt-program")
        .order_by(GoverningDocument.decided_on)  # type: ignore[arg-type]
    ).all()
    assert [(v.paragraph, v.state) for v in versions] == [
        ("KF § 14", "superseded"),
        ("KF § 52", "in_force"),
    ]
    # Three working days after the promise the chief would be told; the decision ended it.
    _watch(db, dt.datetime(2027, 5, 10, 7, 0, tzinfo=STOCKHOLM))
    assert len(_revision_escalations(session)) == 1


def _revision_escalations(session: Session) -> list[OutboxMessage]:
    return [
        m
        for m in _mail(session, "review_escalation")
        if m.dedup_key.startswith("oversyn-revidering:")
    ]
