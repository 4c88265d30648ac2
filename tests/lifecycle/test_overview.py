"""The year at a glance and "Behöver åtgärd", read from a database a test filled, on both engines.

Tertial 2027 opened 13 April (deadline 7 May, 16:00); the overview is read on
12 May, when the requests not answered are three working days late.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, text
from sqlmodel import Session, select

from arshjul.config.apply import apply_config
from arshjul.config.loader import load_config
from arshjul.lifecycle.cycle import ensure_stage_instance
from arshjul.lifecycle.overview import year_overview
from arshjul.lifecycle.requests import open_requests
from arshjul.lifecycle.submissions import store_submission
from arshjul.models import (
    ActionPlan,
    Deviation,
    GeneratedDocument,
    Municipality,
    OrgUnit,
    StageInstance,
    SubmissionRequest,
)
from arshjul.tasks.overview import attention_markdown, overview_markdown

STOCKHOLM = ZoneInfo("Europe/Stockholm")
KEY = b"k" * 48
PORTAL = "https://arshjul.arboga.example"


def at(day: str, clock: str = "07:00") -> dt.datetime:
    return dt.datetime.fromisoformat(f"{day}T{clock}").replace(tzinfo=STOCKHOLM)


def _request(session: Session, stage: StageInstance, unit_key: str) -> SubmissionRequest:
    unit = session.exec(select(OrgUnit).where(OrgUnit.key == unit_key)).one()
    return session.exec(
        select(SubmissionRequest).where(
            SubmissionRequest.stage_instance_id == stage.id, SubmissionRequest.unit_id == unit.id
        )
    ).one()


def _tertial_in_may(session: Session) -> tuple[Municipality, StageInstance]:
    """Two answers (one on time, one late), a deviation with a plan asked for, a document."""
    apply_config(session, load_config())
    municipality = session.exec(select(Municipality)).one()
    stage = ensure_stage_instance(session, municipality=municipality, year=2027, slug="tertial")
    open_requests(
        session, municipality=municipality, stage=stage, as_of=at("2027-04-13"), link_key=KEY
    )
    session.commit()
    for unit, day in (("bun", "2027-04-20"), ("sn", "2027-05-10")):
        store_submission(
            session,
            request=_request(session, stage, unit),
            data={"prognos_kr": 1_000_000},
            submitted_by=f"{unit}@arboga.example",
            as_of=at(day, "09:30"),
        )
    sn = session.exec(select(OrgUnit).where(OrgUnit.key == "sn")).one()
    deviation = Deviation(
        municipality_id=municipality.id,  # type: ignore[arg-type]
        stage_instance_id=stage.id,  # type: ignore[arg-type]
        unit_id=sn.id,  # type: ignore[arg-type]
        kind="operations",
        budget_kr=300_000_000,
        forecast_kr=309_000_000,
        deviation_kr=-9_000_000,
        threshold_kr=3_000_000,
        beyond_threshold=True,
        detected_on=dt.date(2027, 5, 10),
    )
    session.add(deviation)
    session.flush()
    session.add(
        ActionPlan(
            municipality_id=municipality.id,  # type: ignore[arg-type]
            deviation_id=deviation.id,  # type: ignore[arg-type]
            unit_id=sn.id,  # type: ignore[arg-type]
        )
    )
    session.add(
        GeneratedDocument(
            municipality_id=municipality.id,  # type: ignore[arg-type]
            stage_instance_id=stage.id,  # type: ignore[arg-type]
            kind="tertial",
            title="Tertialuppföljning 2027",
            path="utdata/tertial.docx",
            sha256="0" * 64,
            missing=["prognos för Valnämnden"],
        )
    )
    session.commit()
    return municipality, stage


def test_the_year_shows_every_stage_and_counts_what_the_database_holds(engine: Engine) -> None:
    with Session(engine) as session:
        municipality, stage = _tertial_in_may(session)
        overview = year_overview(
            session, municipality=municipality, year=2027, as_of=at("2027-05-12"), portal_url=PORTAL
        )
    with engine.connect() as db:
        count = lambda sql: db.execute(text(sql), {"s": stage.id}).scalar_one()  # noqa: E731
        asked = count("select count(*) from submission_request where stage_instance_id = :s")
        answered = count(
            "select count(*) from submission_request where stage_instance_id = :s"
            " and state = 'submitted'"
        )
        late = count(
            "select count(*) from submission_request where stage_instance_id = :s and late"
        )

    assert overview.title == "Årshjulet 2027 – Arboga kommun"
    # Every stage of the calendar, begun or not, in the order they open.
    slugs = [row.slug for row in overview.rows]
    assert {"ramar", "tertial", "delar", "kf-beslut", "ekonomirapport-november"} <= set(slugs)
    assert [r.opens_on for r in overview.rows] == sorted(r.opens_on for r in overview.rows)
    tertial = next(row for row in overview.rows if row.slug == "tertial")
    assert (tertial.requests, tertial.answered, tertial.answered_late) == (asked, answered, late)
    assert (asked, answered, late) == (tertial.requests, 2, 1)
    assert tertial.open_requests == tertial.overdue == asked - 2
    assert tertial.deviations_beyond == 1 and tertial.open_action_plans == 1
    assert tertial.state_sv == "öppet, väntar på underlag"
    [document] = tertial.documents
    assert document.url == f"{PORTAL}/personal/dokument/{document.id}"
    delar = next(row for row in overview.rows if row.slug == "delar")
    assert delar.state_sv == "planerat" and delar.requests == 0

    table = overview_markdown(overview)
    assert (
        "| Tertialuppföljning" in table
        and f"| 2 av {asked}, 1 sen |" in table
        and "| 1, 1 åtgärdsplan |" in table
    )
    listed = f"[Tertialuppföljning 2027 (version 1)]({document.url})"
    assert f"- Tertialuppföljning (t.o.m. april): {listed}" in table
    assert "file://" not in table


def test_what_needs_action_today(engine: Engine) -> None:
    with Session(engine) as session:
        municipality, _ = _tertial_in_may(session)
        may = year_overview(
            session, municipality=municipality, year=2027, as_of=at("2027-05-12"), portal_url=PORTAL
        )
        # 2027's council decision is due in August; in September it is missing.
        autumn = year_overview(
            session, municipality=municipality, year=2027, as_of=at("2027-09-01"), portal_url=PORTAL
        )
    things = [f"{a.stage}: {a.what}" for a in may.attention]
    late = [t for t in things if "arbetsdagar sent" in t]
    assert len(late) == next(r for r in may.rows if r.slug == "tertial").overdue
    assert any("Kultur" in t or "nämnd" in t for t in late)
    assert any("uppgift saknas – prognos för Valnämnden" in t for t in things)
    assert not any("inte registrerat" in t for t in things)  # no decision is due yet
    missing = [a for a in autumn.attention if "inte registrerat" in a.what]
    assert {a.todo.split()[5] for a in missing} == {"budgetdag", "ks-beslut", "kf-beslut"}

    text_ = attention_markdown([may])
    assert text_.startswith("# Behöver åtgärd – Arboga kommun")
    assert "arbetsdagar sent" in text_ and "uppgift saknas" in text_


def test_nothing_to_do_is_said_in_words(engine: Engine) -> None:
    with Session(engine) as session:
        apply_config(session, load_config())
        municipality = session.exec(select(Municipality)).one()
        quiet = year_overview(
            session, municipality=municipality, year=2027, as_of=at("2027-01-04"), portal_url=PORTAL
        )
    assert quiet.attention == ()
    assert all(row.state_sv == "planerat" for row in quiet.rows)
    assert "Inget behöver åtgärdas i dag." in attention_markdown([quiet])
