"""Reminders and escalations tell the working days left or late on the Swedish calendar."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy import Engine
from sqlmodel import Session, select

from arshjul.config.apply import apply_config
from arshjul.config.loader import load_config
from arshjul.lifecycle.cycle import ensure_stage_instance
from arshjul.lifecycle.requests import open_requests
from arshjul.lifecycle.watch import run_watch
from arshjul.models import Municipality, OrgUnit, OutboxMessage, SubmissionRequest

STOCKHOLM = ZoneInfo("Europe/Stockholm")
KEY = b"k" * 48


def _at(day: str) -> dt.datetime:
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time(7, 0), STOCKHOLM)


def _body(session: Session, purpose: str, unit: str) -> str:
    unit_id = session.exec(select(OrgUnit.id).where(OrgUnit.key == unit)).one()
    message = session.exec(
        select(OutboxMessage)
        .join(SubmissionRequest, SubmissionRequest.id == OutboxMessage.request_id)  # type: ignore[arg-type]
        .where(OutboxMessage.purpose == purpose, SubmissionRequest.unit_id == unit_id)
    ).first()
    assert message is not None, f"inget {purpose} till {unit}"
    return message.body_text


def test_a_late_watch_tells_the_working_days_actually_left(engine: Engine) -> None:
    """Tertial 2027: deadline Friday 7 May; 6 May is Ascension Day."""
    with Session(engine) as session:
        apply_config(session, load_config())
        municipality = session.exec(select(Municipality)).one()
        stage = ensure_stage_instance(session, municipality=municipality, year=2027, slug="tertial")
        open_requests(
            session, municipality=municipality, stage=stage, as_of=_at("2027-04-13"), link_key=KEY
        )
        session.commit()
        # The watch missed 29 April (the five-day reminder's day) and runs on Monday 3 May:
        # the reminder tells the three working days left (4, 5 and 7 May), not five.
        run_watch(session, municipality=municipality, as_of=_at("2027-05-03"))
        session.commit()
        text = _body(session, "reminder", "sn")
        assert "Sista dag är 7 maj 2027 kl. 16.00, om 3 arbetsdagar." in text
        # Wednesday 12 May: three working days late (10, 11 and 12 May).
        run_watch(session, municipality=municipality, as_of=_at("2027-05-12"))
        session.commit()
        text = _body(session, "escalation", "sn")
        assert "Sista dag var 7 maj 2027 kl. 16.00, för 3 arbetsdagar sedan." in text
