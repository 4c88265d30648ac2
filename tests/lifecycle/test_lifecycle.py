"""The submission lifecycle through its plain functions, on SQLite and PostgreSQL.

A simulated tertial round: the watch runs every day from opening until weeks
after the deadline; secretaries answer on time, after a reminder, late within
grace, or never. Each reminder and escalation must go exactly once.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from arshjul import links
from arshjul.config.apply import apply_config
from arshjul.config.loader import load_config
from arshjul.errors import ArshjulError
from arshjul.lifecycle.cycle import ensure_stage_instance
from arshjul.lifecycle.requests import open_requests
from arshjul.lifecycle.status import request_statuses
from arshjul.lifecycle.submissions import store_submission
from arshjul.lifecycle.watch import run_watch
from arshjul.models import (
    Municipality,
    OrgUnit,
    OutboxMessage,
    RequestState,
    StageInstance,
    StageState,
    Submission,
    SubmissionRequest,
)

STOCKHOLM = ZoneInfo("Europe/Stockholm")
KEY = b"k" * 48


def at(day: str, clock: str = "07:00") -> dt.datetime:
    return dt.datetime.fromisoformat(f"{day}T{clock}").replace(tzinfo=STOCKHOLM)


def _setup(session: Session) -> tuple[Municipality, StageInstance]:
    apply_config(session, load_config())
    municipality = session.exec(select(Municipality)).one()
    stage = ensure_stage_instance(session, municipality=municipality, year=2027, slug="tertial")
    return municipality, stage


def _request(session: Session, stage: StageInstance, key: str) -> SubmissionRequest:
    unit = session.exec(select(OrgUnit).where(OrgUnit.key == key)).one()
    return session.exec(
        select(SubmissionRequest).where(
            SubmissionRequest.stage_instance_id == stage.id, SubmissionRequest.unit_id == unit.id
        )
    ).one()


def _outbox(session: Session) -> Counter[str]:
    return Counter(m.purpose for m in session.exec(select(OutboxMessage)))


def test_opening_twice_creates_and_sends_nothing_more(engine: Engine) -> None:
    with Session(engine) as session:
        municipality, stage = _setup(session)
        first = open_requests(
            session, municipality=municipality, stage=stage, as_of=at("2027-04-13"), link_key=KEY
        )
        session.commit()
        second = open_requests(
            session, municipality=municipality, stage=stage, as_of=at("2027-04-14"), link_key=KEY
        )
        session.commit()
        asked = {
            u.key
            for u in session.exec(select(OrgUnit))
            if u.kind in ("committee", "executive_board", "company")
        }
        assert len(first.created) == len(asked) == 10
        assert second.created == [] and len(second.existing) == 10
        assert _outbox(session) == Counter({"request": 10})
        assert stage.state == StageState.OPEN
        # The database keeps no token, only its hash; the e-mail keeps a placeholder.
        request = _request(session, stage, "bun")
        token = links.derive_token(KEY, request.id, request.token_salt)  # type: ignore[arg-type]
        assert request.token_hash == links.hash_token(token)
        bodies = " ".join(m.body_text + m.body_html for m in session.exec(select(OutboxMessage)))
        assert token not in bodies and links.LINK_PLACEHOLDER in bodies


def test_a_month_of_daily_watches_sends_each_reminder_and_escalation_once(engine: Engine) -> None:
    with Session(engine) as session:
        municipality, stage = _setup(session)
        open_requests(
            session, municipality=municipality, stage=stage, as_of=at("2027-04-13"), link_key=KEY
        )
        session.commit()

        answers = {  # unit key → when its secretary submits
            "bun": at("2027-04-20", "09:30"),
            "fkn": at("2027-04-30", "10:00"),
            "vn": at("2027-04-30", "10:05"),
            "radhuset": at("2027-04-30", "11:00"),
            "vatten": at("2027-04-30", "11:00"),
            "kommunalteknik": at("2027-04-30", "11:00"),
            "arbogabostader": at("2027-04-30", "11:00"),
            "kommunfastigheter": at("2027-04-30", "11:00"),
            "ks": at("2027-05-10", "10:00"),  # late, within the two working days' grace
        }  # sn never answers
        day = dt.date(2027, 4, 13)
        while day <= dt.date(2027, 6, 11):
            for _ in range(2):  # the watch may run twice a day: nothing more happens
                run_watch(session, municipality=municipality, as_of=at(day.isoformat()))
                session.commit()
            for key, when in answers.items():
                if when.date() == day:
                    store_submission(
                        session,
                        request=_request(session, stage, key),
                        data={"prognos_kr": 1_000_000},
                        submitted_by=f"{key}@arboga.example",
                        as_of=when,
                    )
                    session.commit()
            day += dt.timedelta(days=1)

        reminders = Counter(
            m.dedup_key.rsplit(":", 1)[1]
            for m in session.exec(select(OutboxMessage).where(OutboxMessage.purpose == "reminder"))
        )
        # Five working days before 7 May 2027 is 29 April (6 May is Ascension Day):
        # everyone but BUN is reminded; one working day before (5 May) only KS and SN.
        assert reminders == Counter({"5": 9, "1": 2})
        escalations = Counter(
            m.dedup_key.rsplit(":", 1)[1]
            for m in session.exec(
                select(OutboxMessage).where(OutboxMessage.purpose == "escalation")
            )
        )
        assert escalations == Counter({"1": 2, "2": 1})  # KS and SN; then SN to the chief
        chief = session.exec(
            select(OutboxMessage).where(
                OutboxMessage.purpose == "escalation",
                OutboxMessage.dedup_key.endswith(":2"),  # type: ignore[attr-defined]
            )
        ).one()
        assert "kommundirektor@arboga.example" in str(chief.to)
        assert "Socialnämnden" in chief.subject
        assert _outbox(session)["receipt"] == 9
        assert _request(session, stage, "ks").late is True
        assert _request(session, stage, "sn").state == RequestState.CLOSED
        session.refresh(stage)
        assert stage.state == StageState.READY
        assert stage.ready_at == at("2027-05-12")


def test_revisions_keep_every_version_and_late_ones_are_marked(engine: Engine) -> None:
    with Session(engine) as session:
        municipality, stage = _setup(session)
        open_requests(
            session, municipality=municipality, stage=stage, as_of=at("2027-04-13"), link_key=KEY
        )
        request = _request(session, stage, "bun")
        for when, amount in ((at("2027-05-03", "10:00"), 1), (at("2027-05-10", "09:00"), 2)):
            store_submission(
                session, request=request, data={"prognos_kr": amount}, submitted_by="x", as_of=when
            )
            session.commit()
        rows = session.exec(
            select(Submission)
            .where(Submission.request_id == request.id)
            .order_by(Submission.version)
        ).all()
        assert [(r.version, r.is_current, r.late) for r in rows] == [
            (1, False, False),
            (2, True, True),
        ]
        with pytest.raises(ArshjulError, match="Tiden för att lämna underlag har gått ut"):
            store_submission(
                session,
                request=request,
                data={"prognos_kr": 3},
                submitted_by="x",
                as_of=at("2027-05-12", "09:00"),
            )
        session.rollback()
        # A controller may still store it on the committee's behalf, marked late.
        store_submission(
            session,
            request=request,
            data={"prognos_kr": 3},
            submitted_by="controller@arboga.example",
            as_of=at("2027-05-12", "09:00"),
            channel="cli",
            on_behalf=True,
        )
        session.commit()
        statuses = request_statuses(session, as_of=at("2027-05-12"), year=2027)
        bun = next(s for s in statuses if s.unit == "Barn- och utbildningsnämnden")
        assert bun.versions == 3 and bun.state_sv == "inlämnad sent"
