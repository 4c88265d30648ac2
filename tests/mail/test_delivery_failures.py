"""Refused and delayed mail is seen: the request's status, the controller's one notice, the queue.

A real SMTP server on loopback (aiosmtpd) refuses one committee secretary with
550; stopped, it is an outage. Plain functions here, on SQLite and PostgreSQL;
the commands and the Prefect artifacts are in test_delivery_failures_cli.py.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select
from test_mail import make_settings, parse
from test_mail_smtp import Server

from arshjul.config.apply import apply_config
from arshjul.config.loader import load_config
from arshjul.lifecycle.cycle import ensure_stage_instance
from arshjul.lifecycle.requests import open_requests
from arshjul.lifecycle.status import request_statuses
from arshjul.lifecycle.watch import run_watch
from arshjul.mail.outbox import FAILURE_NOTICE, queue_failure_notices, waiting
from arshjul.mail.sender import deliver_queued
from arshjul.models import Municipality, OutboxMessage
from arshjul.settings import Settings
from arshjul.tasks.artifacts import stage_artifacts, stage_view
from arshjul.timezone import STOCKHOLM

OPENED = dt.datetime(2027, 4, 13, 7, 0, tzinfo=STOCKHOLM)  # a Tuesday; tertial opens
BUN = "bun.sekreterare@arboga.example"
CONTROLLER = "controller@arboga.example"
REASON = "550 5.1.1 Mottagaren finns inte här"


@pytest.fixture
def server() -> Iterator[Server]:
    smtp = Server()
    smtp.handler.refuse = {BUN}
    smtp.start()
    yield smtp
    smtp.stop()


def settings_for(tmp_path: Path, server: Server) -> Settings:
    return make_settings(
        tmp_path, smtp_host="127.0.0.1", smtp_port=server.port, smtp_timeout_seconds=5
    )


def open_tertial(engine: Engine, settings: Settings) -> None:
    """Arboga from the shipped file, and the 2027 tertial's ten requests queued."""
    with Session(engine) as session:
        apply_config(session, load_config())
        municipality = session.exec(select(Municipality)).one()
        stage = ensure_stage_instance(session, municipality=municipality, year=2027, slug="tertial")
        open_requests(
            session,
            municipality=municipality,
            stage=stage,
            as_of=OPENED,
            link_key=settings.link_key(),
        )
        session.commit()


def statuses(engine: Engine, as_of: dt.datetime) -> dict[str, tuple[str, str]]:
    with Session(engine) as session:
        rows = request_statuses(session, as_of=as_of, year=2027)
    return {r.unit: (r.state_sv, r.mail_error) for r in rows}


def notices(server: Server) -> list:  # type: ignore[type-arg]
    found = [parse(r.data) for r in server.handler.received]
    return [m for m in found if m["Subject"].startswith("E-post kom inte fram")]


def test_a_refused_request_is_marked_and_told_to_the_controller_once(
    engine: Engine, tmp_path: Path, server: Server
) -> None:
    settings = settings_for(tmp_path, server)
    open_tertial(engine, settings)

    report = deliver_queued(engine, settings=settings, as_of=OPENED)
    assert (report.sent, report.failed, report.deferred) == (9, 1, 0)

    # The controller's view: the one committee that never got its link.
    shown = statuses(engine, OPENED)
    state, reason = shown["Barn- och utbildningsnämnden"]
    assert state == "e-post misslyckades"
    assert reason.startswith(f"Mottagaren avvisades: {REASON}") and BUN in reason
    assert shown["Socialnämnden"] == ("väntar", "")
    with Session(engine) as session:
        [bun] = [
            r.as_json()
            for r in request_statuses(session, as_of=OPENED, year=2027)
            if r.unit == "Barn- och utbildningsnämnden"
        ]
    assert bun["state_sv"] == "e-post misslyckades" and bun["mail_failed"] is True

    # One notice, however often the pass runs; delivered to the controllers.
    assert queue_failure_notices(engine, as_of=OPENED) == 1
    assert queue_failure_notices(engine, as_of=OPENED) == 0
    assert deliver_queued(engine, settings=settings, as_of=OPENED).sent == 1
    assert queue_failure_notices(engine, as_of=OPENED) == 0
    [notice] = notices(server)
    assert notice["Subject"] == (
        "E-post kom inte fram: Barn- och utbildningsnämnden, Tertialuppföljning (t.o.m. april) 2027"
    )
    assert [a.addr_spec for a in notice["To"].addresses] == [CONTROLLER]
    assert [a.addr_spec for a in notice["Cc"].addresses] == ["bun.controller@arboga.example"]
    text = notice.get_body(("plain",)).get_content()
    assert "Ett e-brev från Årshjul kom inte fram (13 april 2027 kl. 07.00)" in text
    assert (
        "Barn- och utbildningsnämnden, Tertialuppföljning (t.o.m. april) 2027: begäran om "
        f"underlag till Nämndsekreterare BUN (exempel) <{BUN}> – Mottagaren avvisades: {REASON}"
    ) in text
    assert "”e-post misslyckades” i arshjul status" in text
    assert "Mottagaren avvisades" in notice.get_body(("html",)).get_content()

    # The stage's artifact names it too.
    view = stage_view(engine, code="1984", year=2027, slug="tertial", as_of=OPENED)
    assert view is not None
    artifacts = {a.key: a for a in stage_artifacts(view, year=2027, slug="tertial")}
    rows = artifacts["tertial-2027-1984-begaranden"].content
    [bun_row] = [r for r in rows if r["Enhet"] == "Barn- och utbildningsnämnden"]
    assert bun_row["Status"] == "e-post misslyckades"
    mail = artifacts["tertial-2027-1984-e-post"].content
    assert "**E-post misslyckades: 1**" in mail
    assert f"- Barn- och utbildningsnämnden: Mottagaren avvisades: {REASON}" in mail
    assert "Inga e-brev väntar i utkorgen." in mail


def test_a_refused_notice_is_not_itself_noticed_and_a_link_that_arrives_clears_it(
    engine: Engine, tmp_path: Path, server: Server
) -> None:
    settings = settings_for(tmp_path, server)
    open_tertial(engine, settings)
    deliver_queued(engine, settings=settings, as_of=OPENED)
    # The controllers' own addresses refuse too: the notice fails, and no notice follows it.
    server.handler.refuse |= {CONTROLLER, "bun.controller@arboga.example"}
    for _ in range(3):
        queue_failure_notices(engine, as_of=OPENED)
        deliver_queued(engine, settings=settings, as_of=OPENED)
    with Session(engine) as session:
        told = session.exec(
            select(OutboxMessage).where(OutboxMessage.purpose == FAILURE_NOTICE)
        ).all()
    assert [(m.state, m.attempts) for m in told] == [("failed", 1)]
    assert notices(server) == []

    # The address is corrected: the reminder five working days before 7 May arrives,
    # and BUN has its link; the status goes back to what it would be.
    server.handler.refuse = set()
    reminder_day = dt.datetime(2027, 4, 29, 7, 0, tzinfo=STOCKHOLM)
    with Session(engine) as session:
        municipality = session.exec(select(Municipality)).one()
        assert run_watch(session, municipality=municipality, as_of=reminder_day).reminders == 10
        session.commit()
    assert deliver_queued(engine, settings=settings, as_of=reminder_day).sent == 10
    assert statuses(engine, reminder_day)["Barn- och utbildningsnämnden"] == ("väntar", "")


def test_an_outage_is_counted_with_the_next_try_and_fails_nothing(
    engine: Engine, tmp_path: Path, server: Server
) -> None:
    settings = settings_for(tmp_path, server)
    server.handler.refuse = set()
    open_tertial(engine, settings)
    server.stop()

    report = deliver_queued(engine, settings=settings, as_of=OPENED)
    assert (report.sent, report.failed, report.deferred) == (0, 0, 10)
    assert queue_failure_notices(engine, as_of=OPENED) == 0
    with Session(engine) as session:
        queued = waiting(session, as_of=OPENED)
    # Tried again no sooner than a minute later, and that is the next morning's watch.
    assert queued.count == 10
    assert queued.next_try == dt.datetime(2027, 4, 14, 7, 0, tzinfo=STOCKHOLM)
    assert queued.line().startswith(
        "10 e-brev väntar i utkorgen; nästa försök vid bevakningen 14 april 2027 kl. 07.00 "
        f"(Kunde inte ansluta till e-postservern 127.0.0.1:{server.port}"
    )
    assert set(statuses(engine, OPENED).values()) == {("väntar", "")}

    view = stage_view(engine, code="1984", year=2027, slug="tertial", as_of=OPENED)
    assert view is not None
    [mail] = [a for a in stage_artifacts(view, year=2027, slug="tertial") if a.kind == "markdown"]
    assert mail.key == "tertial-2027-1984-e-post"
    assert "Ingen begäran har e-post som inte kom fram." in mail.content
    assert "**10 e-brev väntar i utkorgen; nästa försök vid bevakningen 14 april 2027" in (
        mail.content
    )

    # Back up: the next pass sends all ten, each once, and nothing waits.
    server.start()
    later = deliver_queued(engine, settings=settings, as_of=queued.next_try)
    assert (later.sent, later.failed, later.deferred) == (10, 0, 0)
    assert len(server.message_ids()) == 10
    with Session(engine) as session:
        assert waiting(session, as_of=queued.next_try).count == 0


def test_the_next_try_skips_holidays_and_waits_out_the_backoff() -> None:
    from arshjul.mail.outbox import next_watch

    def at(text: str) -> dt.datetime:
        return dt.datetime.fromisoformat(text).replace(tzinfo=STOCKHOLM)

    # Wednesday before Ascension Day: Thursday is a holiday, Friday is the next watch.
    assert next_watch(after=at("2027-05-05 10:00"), not_before=at("2027-05-05 10:01")) == at(
        "2027-05-07 07:00"
    )
    # A run at 05:00 whose backoff ends at 09:00 misses the 07:00 watch that day.
    assert next_watch(after=at("2027-04-13 05:00"), not_before=at("2027-04-13 09:00")) == at(
        "2027-04-14 07:00"
    )
    assert next_watch(after=at("2027-04-13 05:00"), not_before=at("2027-04-13 05:01")) == at(
        "2027-04-13 07:00"
    )
    # Friday evening: Monday morning.
    assert next_watch(after=at("2027-04-16 18:00"), not_before=at("2027-04-16 18:00")) == at(
        "2027-04-19 07:00"
    )
