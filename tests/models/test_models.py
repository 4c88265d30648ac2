"""The data model on SQLite and PostgreSQL: schema, keys, time zones, immutability."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, SQLModel, select

from arshjul.config.apply import apply_config
from arshjul.config.loader import load_config
from arshjul.errors import ArshjulError
from arshjul.models import (
    Cycle,
    Decision,
    Municipality,
    OrgUnit,
    StageInstance,
    Submission,
    SubmissionRequest,
)

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def test_migrations_create_exactly_the_models(engine: Engine) -> None:
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
    assert diff == [], f"the models and the migrations differ: {diff}"


def _stage(session: Session) -> tuple[StageInstance, OrgUnit]:
    apply_config(session, load_config())
    municipality = session.exec(select(Municipality)).one()
    cycle = Cycle(municipality_id=municipality.id, year=2027)
    session.add(cycle)
    session.flush()
    deadline = dt.datetime(2027, 5, 7, 16, 0, tzinfo=STOCKHOLM)
    stage = StageInstance(
        municipality_id=municipality.id,
        cycle_id=cycle.id,
        slug="tertial",
        name="Tertialuppföljning",
        opens_on=dt.date(2027, 4, 13),
        deadline_on=deadline.date(),
        deadline_at=deadline,
    )
    session.add(stage)
    session.flush()
    unit = session.exec(select(OrgUnit).where(OrgUnit.key == "bun")).one()
    return stage, unit


def test_timestamps_keep_their_moment_across_time_zones(engine: Engine) -> None:
    with Session(engine) as session:
        stage, _ = _stage(session)
        session.commit()
        stage_id = stage.id
    with Session(engine) as session:
        again = session.get(StageInstance, stage_id)
        assert again is not None and again.deadline_at.tzinfo is not None
        assert again.deadline_at == dt.datetime(2027, 5, 7, 16, 0, tzinfo=STOCKHOLM)
        assert again.deadline_at.astimezone(STOCKHOLM).hour == 16


def test_a_naive_timestamp_is_refused(engine: Engine) -> None:
    with Session(engine) as session:
        stage, _ = _stage(session)
        stage.deadline_at = dt.datetime(2027, 5, 7, 16, 0)
        session.add(stage)
        with pytest.raises(Exception, match="naive datetime"):
            session.flush()


def test_one_request_per_stage_and_unit(engine: Engine) -> None:
    with Session(engine) as session:
        stage, unit = _stage(session)
        for token in ("a" * 64, "b" * 64):
            session.add(
                SubmissionRequest(
                    municipality_id=stage.municipality_id,
                    stage_instance_id=stage.id,
                    unit_id=unit.id,
                    deadline_at=stage.deadline_at,
                    grace_until=stage.deadline_at,
                    token_hash=token,
                    opened_at=stage.deadline_at,
                )
            )
        with pytest.raises(IntegrityError):
            session.flush()


def test_every_submission_version_is_kept(engine: Engine) -> None:
    with Session(engine) as session:
        stage, unit = _stage(session)
        request = SubmissionRequest(
            municipality_id=stage.municipality_id,
            stage_instance_id=stage.id,
            unit_id=unit.id,
            deadline_at=stage.deadline_at,
            grace_until=stage.deadline_at,
            token_hash="c" * 64,
            opened_at=stage.deadline_at,
        )
        session.add(request)
        session.flush()
        for version in (1, 2):
            session.add(
                Submission(
                    municipality_id=stage.municipality_id,
                    request_id=request.id,
                    version=version,
                    is_current=version == 2,
                    data={"prognos_kr": 1000 * version, "kommentar": "åäö <b>"},
                    submitted_at=stage.deadline_at,
                    submitted_by="bun.sekreterare@arboga.example",
                )
            )
        session.commit()
        rows = session.exec(select(Submission).order_by(Submission.version)).all()
        assert [(r.version, r.is_current) for r in rows] == [(1, False), (2, True)]
        assert rows[0].data["kommentar"] == "åäö <b>"


def test_foreign_keys_are_enforced(engine: Engine) -> None:
    with Session(engine) as session:
        session.add(OrgUnit(municipality_id=999, key="x", name="X", kind="committee"))
        with pytest.raises(IntegrityError):
            session.flush()


def test_decisions_are_immutable_and_corrected_by_new_ones(engine: Engine) -> None:
    with Session(engine) as session:
        stage, _ = _stage(session)
        council = session.exec(select(OrgUnit).where(OrgUnit.key == "kf")).one()
        decision = Decision(
            municipality_id=stage.municipality_id,
            stage_instance_id=stage.id,
            body_unit_id=council.id,
            decided_on=dt.date(2027, 8, 26),
            paragraph="§ 45",
            summary="Strategisk och ekonomisk plan 2028–2030",
        )
        session.add(decision)
        session.commit()
        decision.summary = "ändrad i efterhand"
        with pytest.raises(ArshjulError, match="nytt beslut"):
            session.commit()
        session.rollback()
        correction = Decision(
            municipality_id=stage.municipality_id,
            stage_instance_id=stage.id,
            body_unit_id=council.id,
            decided_on=dt.date(2027, 9, 23),
            paragraph="§ 61",
            summary="Rättelse av § 45",
            corrects_id=decision.id,
        )
        session.add(correction)
        session.commit()
        assert session.get(Decision, decision.id).summary.startswith("Strategisk")  # type: ignore[union-attr]


def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from arshjul.models.db import get_engine

    with get_engine(f"sqlite:///{tmp_path / 'wal.db'}").connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
