"""The watch's four steps as plain functions, and the flow's body, on SQLite and PostgreSQL.

Tertial 2027: requests opened 13 April, deadline Friday 7 May 16:00 (6 May is
Ascension Day), two working days' grace (to 11 May), reminders five and one
working days before (29 April, 5 May), the chief executive after three working
days late (12 May).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from arshjul.config.apply import apply_config
from arshjul.config.loader import load_config, shipped_config_path
from arshjul.flows.bevakning import bevakning
from arshjul.lifecycle.cycle import ensure_stage_instance
from arshjul.lifecycle.requests import open_requests
from arshjul.lifecycle.submissions import store_submission
from arshjul.lifecycle.tokens import ensure_link_key
from arshjul.lifecycle.watch import (
    close_expired_requests,
    mark_ready_stages,
    queue_escalations,
    queue_reminders,
    run_watch,
)
from arshjul.models import (
    Municipality,
    OrgUnit,
    OutboxMessage,
    RequestState,
    StageInstance,
    StageState,
    SubmissionRequest,
)
from arshjul.settings import get_settings
from arshjul.tasks import watch as watch_tasks
from arshjul.tasks.step import run_directly

STOCKHOLM = ZoneInfo("Europe/Stockholm")
KEY = b"k" * 48
Step = Callable[..., Any]


@pytest.fixture
def engine(arboga_engine: Engine) -> Engine:
    """Every test here starts from Arboga's shipped configuration: applied once per
    session and copied (tests/conftest.py), not applied again in each test."""
    return arboga_engine


def at(day: str, clock: str = "07:00") -> dt.datetime:
    return dt.datetime.fromisoformat(f"{day}T{clock}").replace(tzinfo=STOCKHOLM)


def _opened(session: Session, key: bytes = KEY) -> tuple[Municipality, StageInstance]:
    """Arboga's tertial 2027 opened on 13 April; Barn- och utbildningsnämnden has answered."""
    municipality = session.exec(select(Municipality)).one()  # applied: the engine below
    stage = ensure_stage_instance(session, municipality=municipality, year=2027, slug="tertial")
    open_requests(
        session, municipality=municipality, stage=stage, as_of=at("2027-04-13"), link_key=key
    )
    session.commit()
    store_submission(
        session,
        request=_request(session, stage, "bun"),
        data={"prognos_kr": 1_000_000},
        submitted_by="bun@arboga.example",
        as_of=at("2027-04-20", "09:30"),
    )
    session.commit()
    return municipality, stage


def _request(session: Session, stage: StageInstance, unit_key: str) -> SubmissionRequest:
    unit = session.exec(select(OrgUnit).where(OrgUnit.key == unit_key)).one()
    return session.exec(
        select(SubmissionRequest).where(
            SubmissionRequest.stage_instance_id == stage.id, SubmissionRequest.unit_id == unit.id
        )
    ).one()


def _keys(session: Session, purpose: str) -> list[str]:
    return sorted(
        m.dedup_key
        for m in session.exec(select(OutboxMessage).where(OutboxMessage.purpose == purpose))
    )


def _states(session: Session) -> Counter[str]:
    return Counter(r.state for r in session.exec(select(SubmissionRequest)))


def _twice(session: Session, work: Step, municipality: Municipality, as_of: dt.datetime) -> Any:
    """The step, committed; then again, committed: the second result is returned too."""
    first = work(session, municipality=municipality, as_of=as_of)
    session.commit()
    second = work(session, municipality=municipality, as_of=as_of)
    session.commit()
    return first, second


def test_closing_closes_what_passed_its_grace_once(engine: Engine) -> None:
    with Session(engine) as session:
        municipality, _ = _opened(session)
        # 11 May is the last day of grace: nothing closes yet.
        before = close_expired_requests(session, municipality=municipality, as_of=at("2027-05-11"))
        assert before == 0
        first, second = _twice(session, close_expired_requests, municipality, at("2027-05-12"))
        assert (first, second) == (9, 0)
        assert _states(session) == Counter({RequestState.CLOSED: 9, RequestState.SUBMITTED: 1})
        assert _keys(session, "reminder") == _keys(session, "escalation") == []


def test_reminding_queues_the_reminder_due_once(engine: Engine) -> None:
    with Session(engine) as session:
        municipality, stage = _opened(session)
        assert queue_reminders(session, municipality=municipality, as_of=at("2027-04-28")) == 0
        first, second = _twice(session, queue_reminders, municipality, at("2027-04-29"))
        assert (first, second) == (9, 0)  # not BUN, who has answered
        bun = _request(session, stage, "bun").id
        keys = _keys(session, "reminder")
        assert len(keys) == 9 and all(k.endswith(":5") for k in keys)
        assert f"paminnelse:{bun}:5" not in keys
        # The next day nothing is due; the one-day reminder on 5 May, once.
        assert _twice(session, queue_reminders, municipality, at("2027-04-30")) == (0, 0)
        assert _twice(session, queue_reminders, municipality, at("2027-05-05")) == (9, 0)
        # After the deadline there is nothing to remind of.
        assert _twice(session, queue_reminders, municipality, at("2027-05-10")) == (0, 0)
        assert len(_keys(session, "reminder")) == 18
        assert _states(session)[RequestState.OPEN] == 9  # reminding closes nothing


def test_escalating_queues_each_level_once(engine: Engine) -> None:
    with Session(engine) as session:
        municipality, _ = _opened(session)
        assert queue_escalations(session, municipality=municipality, as_of=at("2027-05-07")) == 0
        # Monday 10 May, one working day late: the heads of administration.
        assert _twice(session, queue_escalations, municipality, at("2027-05-10")) == (9, 0)
        assert all(k.endswith(":1") for k in _keys(session, "escalation"))
        # Closed or not, three working days late: the chief executive, once each.
        close_expired_requests(session, municipality=municipality, as_of=at("2027-05-12"))
        session.commit()
        assert _twice(session, queue_escalations, municipality, at("2027-05-12")) == (9, 0)
        assert _twice(session, queue_escalations, municipality, at("2027-05-20")) == (0, 0)
        levels = Counter(k.rsplit(":", 1)[1] for k in _keys(session, "escalation"))
        assert levels == Counter({"1": 9, "2": 9})


def test_marking_ready_follows_the_readiness_rule_once(engine: Engine) -> None:
    with Session(engine) as session:
        municipality, stage = _opened(session)
        # Within grace, with nine outstanding: not ready.
        assert mark_ready_stages(session, municipality=municipality, as_of=at("2027-05-11")) == []
        first, second = _twice(session, mark_ready_stages, municipality, at("2027-05-12"))
        assert [s.id for s in first] == [stage.id] and second == []
        session.refresh(stage)
        assert stage.state == StageState.READY and stage.ready_at == at("2027-05-12")
        # A later watch leaves the moment it became ready alone.
        assert mark_ready_stages(session, municipality=municipality, as_of=at("2027-05-13")) == []
        session.refresh(stage)
        assert stage.ready_at == at("2027-05-12")


def test_every_step_a_second_time_changes_nothing(engine: Engine) -> None:
    """All four on each day of the round, then all four again: nothing more is queued or changed."""
    steps: list[Step] = [
        close_expired_requests,
        queue_reminders,
        queue_escalations,
        mark_ready_stages,
    ]
    with Session(engine) as session:
        municipality, stage = _opened(session)
        for day in ("2027-04-29", "2027-05-05", "2027-05-10", "2027-05-12", "2027-05-20"):
            for work in steps:
                work(session, municipality=municipality, as_of=at(day))
                session.commit()
            before = _snapshot(session)
            for work in steps:
                again = work(session, municipality=municipality, as_of=at(day))
                assert not again, (work.__name__, day, again)
                session.commit()
            assert _snapshot(session) == before
        session.refresh(stage)
        assert stage.state == StageState.READY


def _snapshot(session: Session) -> tuple[object, ...]:
    session.expire_all()
    messages = session.exec(select(OutboxMessage.dedup_key).order_by(col(OutboxMessage.id))).all()
    requests = session.exec(
        select(SubmissionRequest.id, SubmissionRequest.state).order_by(col(SubmissionRequest.id))
    ).all()
    stages = session.exec(
        select(StageInstance.id, StageInstance.state, StageInstance.ready_at)
    ).all()
    return tuple(messages), tuple(requests), tuple(stages)


def test_the_steps_in_any_order_do_what_run_watch_does(engine: Engine, tmp_path: Path) -> None:
    """No step depends on another's result within a pass.

    Arboga watched by ``run_watch`` (close, remind, escalate, mark ready), its copy
    Kungsör by the steps in reverse, on the same days: the same mail, states and counts.
    """
    _two_municipalities(engine, tmp_path)
    steps: list[Step] = [
        mark_ready_stages,
        queue_escalations,
        queue_reminders,
        close_expired_requests,
    ]
    with Session(engine) as session:
        arboga = session.exec(select(Municipality).where(Municipality.code == "1984")).one()
        kungsor = session.exec(select(Municipality).where(Municipality.code == "1983")).one()
        for municipality in (arboga, kungsor):
            stage = session.exec(
                select(StageInstance).where(StageInstance.municipality_id == municipality.id)
            ).one()
            request = session.exec(
                select(SubmissionRequest)
                .join(OrgUnit, col(OrgUnit.id) == SubmissionRequest.unit_id)
                .where(SubmissionRequest.stage_instance_id == stage.id, OrgUnit.key == "bun")
            ).one()
            store_submission(
                session,
                request=request,
                data={"prognos_kr": 1},
                submitted_by="bun@example",
                as_of=at("2027-04-20", "09:30"),
            )
        session.commit()
        for day in ("2027-04-29", "2027-05-05", "2027-05-10", "2027-05-11", "2027-05-12"):
            report = run_watch(session, municipality=arboga, as_of=at(day))
            session.commit()
            done: dict[str, Any] = {}
            for work in steps:
                done[work.__name__] = work(session, municipality=kungsor, as_of=at(day))
                session.commit()
            assert (
                report.closed,
                report.reminders,
                report.escalations,
                len(report.ready),
            ) == (
                done["close_expired_requests"],
                done["queue_reminders"],
                done["queue_escalations"],
                len(done["mark_ready_stages"]),
            ), day
        assert _outcome(session, arboga) == _outcome(session, kungsor)
        assert _outcome(session, arboga)[2] == (StageState.READY, at("2027-05-12"))


def _outcome(session: Session, municipality: Municipality) -> tuple[object, ...]:
    """Its reminders and escalations by unit and level; its requests' and stage's states."""
    session.expire_all()
    mail = session.exec(
        select(OrgUnit.key, OutboxMessage.purpose, OutboxMessage.dedup_key)
        .join(SubmissionRequest, col(SubmissionRequest.id) == OutboxMessage.request_id)
        .join(OrgUnit, col(OrgUnit.id) == SubmissionRequest.unit_id)
        .where(
            OutboxMessage.municipality_id == municipality.id,
            col(OutboxMessage.purpose).in_(["reminder", "escalation"]),
        )
    ).all()
    requests = session.exec(
        select(OrgUnit.key, SubmissionRequest.state)
        .join(OrgUnit, col(OrgUnit.id) == SubmissionRequest.unit_id)
        .where(SubmissionRequest.municipality_id == municipality.id)
    ).all()
    stage = session.exec(
        select(StageInstance).where(StageInstance.municipality_id == municipality.id)
    ).one()
    return (
        sorted((unit, purpose, key.rsplit(":", 1)[1]) for unit, purpose, key in mail),
        sorted(requests),
        (stage.state, stage.ready_at),
    )


# --------------------------------------------------------------------------- the flow's body
def _two_municipalities(engine: Engine, tmp_path: Path) -> bytes:
    """Arboga and a copy, Kungsör, both with tertial 2027 opened on 13 April."""
    key = ensure_link_key(engine, get_settings()).key  # as arshjul init makes it
    other = tmp_path / "kungsor.toml"
    text = shipped_config_path().read_text(encoding="utf-8")
    text = text.replace('code = "1984"', 'code = "1983"', 1).replace("Arboga", "Kungsör")
    other.write_text(text.replace("arboga.example", "kungsor.example"), encoding="utf-8")
    with Session(engine) as session:
        apply_config(session, load_config())
        apply_config(session, load_config(other))
        for municipality in session.exec(select(Municipality).order_by(Municipality.code)):
            stage = ensure_stage_instance(
                session, municipality=municipality, year=2027, slug="tertial"
            )
            open_requests(
                session,
                municipality=municipality,
                stage=stage,
                as_of=at("2027-04-13"),
                link_key=key,
            )
        session.commit()
    return key


def _reminders_per_municipality(engine: Engine) -> dict[str, int]:
    with Session(engine) as session:
        rows = session.exec(
            select(Municipality.code, OutboxMessage.dedup_key)
            .join(Municipality, col(Municipality.id) == OutboxMessage.municipality_id)
            .where(OutboxMessage.purpose == "reminder")
        ).all()
    return dict(Counter(code for code, _ in rows))


def test_the_flow_body_runs_the_steps_once_a_day(engine: Engine, tmp_path: Path) -> None:
    _two_municipalities(engine, tmp_path)
    first = run_directly(bevakning, engine=engine, as_of=dt.date(2027, 4, 29))
    again = run_directly(bevakning, engine=engine, as_of=dt.date(2027, 4, 29))
    assert first == {
        "reminders": 20,
        "escalations": 0,
        "closed": 0,
        "ready": 0,
        "mail_sent": 40,  # the twenty requests and the twenty reminders
        "mail_failed": 0,
        "mail_deferred": 0,
        "mail_notices": 0,
    }
    assert again == dict.fromkeys(first, 0)
    later = run_directly(bevakning, engine=engine, as_of=dt.date(2027, 5, 12))
    assert (later["closed"], later["escalations"], later["ready"]) == (20, 40, 2)
    assert run_directly(bevakning, engine=engine, as_of=dt.date(2027, 5, 12)) == dict.fromkeys(
        first, 0
    )
    # Not a working day: no watch at all.
    sunday = run_directly(bevakning, engine=engine, as_of=dt.date(2027, 5, 16))
    assert sunday == dict.fromkeys(first, 0)


def test_a_step_that_fails_halfway_is_redone_by_the_next_watch(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Reminders fail for the second municipality: its part rolls back, the first's stays."""
    _two_municipalities(engine, tmp_path)

    def failing(session: Session, *, municipality: Municipality, as_of: dt.datetime) -> int:
        queued = queue_reminders(session, municipality=municipality, as_of=as_of)
        if municipality.code == "1984":  # the second in code order, after Kungsör (1983)
            raise RuntimeError("avbrott mitt i påminnelserna")
        return queued

    monkeypatch.setattr(watch_tasks, "queue_reminders", failing)
    with pytest.raises(RuntimeError, match="avbrott"):
        run_directly(bevakning, engine=engine, as_of=dt.date(2027, 4, 29))
    assert _reminders_per_municipality(engine) == {"1983": 10}
    with Session(engine) as session:
        sent = session.exec(select(OutboxMessage).where(OutboxMessage.state == "sent")).all()
    assert sent == []  # the run stopped before the delivery: the mail waits in the outbox

    monkeypatch.setattr(watch_tasks, "queue_reminders", queue_reminders)
    redone = run_directly(bevakning, engine=engine, as_of=dt.date(2027, 4, 29))
    assert redone["reminders"] == 10  # Arboga's; Kungsör's were queued before
    assert redone["mail_sent"] == 40  # both municipalities' requests and reminders
    assert _reminders_per_municipality(engine) == {"1983": 10, "1984": 10}
    assert run_directly(bevakning, engine=engine, as_of=dt.date(2027, 4, 29))["reminders"] == 0
