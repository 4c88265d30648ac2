"""Delivery to a real SMTP server (aiosmtpd on 127.0.0.1): content, outages, refusals.

No mocks of the client: aiosmtplib talks to an aiosmtpd server in a thread.
(STARTTLS with login is not tested here: aiosmtpd would need a certificate.)
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import random
import socket
import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import Engine
from sqlmodel import Session, select
from test_mail import (
    AS_OF,
    PDF,
    PDF_NAME,
    SUBJECT,
    db,
    enqueue_request,
    make_settings,
    make_world,
    parse,
    token_in,
)

from arshjul import links
from arshjul.mail.sender import deliver_queued
from arshjul.models.outbox import MessageState, OutboxMessage
from arshjul.settings import Settings

REFUSED = "finns.inte@arboga.example"


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes


@dataclass
class Handler:
    """Collects what arrives; refuses some recipients; can fail or stop on cue."""

    received: list[Received] = field(default_factory=list)
    refuse: set[str] = field(default_factory=lambda: {REFUSED})
    temporary_for: set[str] = field(default_factory=set)  # Message-IDs answered with 451
    stop_after: int | None = None  # stop the server when this many have arrived
    controller: Controller | None = None
    stopping: threading.Thread | None = None

    async def handle_MAIL(  # noqa: N802 (aiosmtpd's hook names)
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        if self.stop_after is not None and len(self.received) >= self.stop_after:
            # The server goes away in the middle of the batch, between two messages.
            assert self.controller is not None
            self.stopping = threading.Thread(target=self.controller.stop)
            self.stopping.start()
            await asyncio.sleep(30)  # cancelled by the stop
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 OK"

    async def handle_RCPT(  # noqa: N802
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        if address in self.refuse:
            return "550 5.1.1 Mottagaren finns inte här"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        data = envelope.original_content
        if any(message_id.encode() in data for message_id in self.temporary_for):
            return "451 4.3.0 Försök igen senare"
        self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), data))
        return "250 OK: queued"


def free_port() -> int:
    """A free port below Linux's ephemeral range, in a band of this test worker's own.

    The server is stopped and started again on its port. While it is down, a
    port the kernel hands out (``bind(("", 0))``: the other xdist worker's SMTP
    and HTTP servers) could otherwise be this very one.
    """
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw")
    band = 20_000 + 1_000 * (int(worker) % 12 if worker.isdigit() else 0)
    for port in random.sample(range(band, band + 1_000), 1_000):
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"ingen ledig port mellan {band} och {band + 999}")


class Server:
    """An aiosmtpd server on a fixed port that can be stopped and started again."""

    def __init__(self) -> None:
        self.port = free_port()
        self.handler = Handler()
        self.controller: Controller | None = None

    def start(self) -> None:
        if self.handler.stopping is not None:  # a stop from inside the handler: let it finish
            self.handler.stopping.join(timeout=10)
            self.handler.stopping = None
        self.controller = Controller(
            self.handler, hostname="127.0.0.1", port=self.port, ready_timeout=10
        )
        self.handler.controller = self.controller
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None and self.controller._thread is not None:
            self.controller.stop()

    def message_ids(self) -> Counter[str]:
        return Counter(parse(r.data)["Message-ID"] for r in self.handler.received)


@pytest.fixture
def server() -> Iterator[Server]:
    smtp = Server()
    smtp.start()
    yield smtp
    smtp.stop()


def smtp_settings(tmp_path: Path, server: Server) -> Settings:
    return make_settings(
        tmp_path, smtp_host="127.0.0.1", smtp_port=server.port, smtp_timeout_seconds=5
    )


def states(engine: Engine) -> dict[str, tuple[str, int, str]]:
    with Session(engine) as session:
        rows = session.exec(select(OutboxMessage)).all()
        return {r.dedup_key: (r.state, r.attempts, r.last_error) for r in rows}


def test_what_arrives_is_the_whole_message(engine: Engine, tmp_path: Path, server: Server) -> None:
    settings = smtp_settings(tmp_path, server)
    with db(engine) as session:
        world = make_world(session, settings)
        row = enqueue_request(session, world)
        assert row is not None
        session.commit()

    report = deliver_queued(engine, settings=settings, as_of=AS_OF)
    assert (report.sent, report.failed, report.deferred, report.error) == (1, 0, 0, "")
    assert report.written_files == []
    assert not (tmp_path / "e-post").exists()

    [arrived] = server.handler.received
    assert arrived.mail_from == "ekonomi@arboga.example"
    assert sorted(arrived.rcpt_tos) == [
        "bun.controller@arboga.example",
        "bun.sekreterare@arboga.example",
    ]
    arrived.data.decode("ascii")
    msg = parse(arrived.data)
    assert msg["Subject"] == SUBJECT
    assert msg["From"].addresses[0].display_name == "Ekonomiavdelningen, Arboga kommun"
    assert msg["To"].addresses[0].display_name == "Nämndsekreterare BUN (exempel)"
    assert msg["Reply-To"].addresses[0].addr_spec == "bun.controller@arboga.example"
    assert msg["Message-ID"] == row.message_id
    text = msg.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "Tertialuppföljning 2027" in text and "försenat" in text
    token = token_in(text, world.request.id)  # type: ignore[arg-type]
    assert links.tokens_match(token, world.request.token_hash)  # type: ignore[arg-type]
    [attachment] = list(msg.iter_attachments())
    assert (attachment.get_filename(), attachment.get_content()) == (PDF_NAME, PDF)

    with Session(engine) as session:
        stored = session.exec(select(OutboxMessage)).one()
        assert (stored.state, stored.sent_at, stored.attempts) == (MessageState.SENT, AS_OF, 1)
        assert token not in stored.body_text

    # The .eml file of the same message at the same moment is the same bytes.
    with Session(engine) as session:
        stored.state = MessageState.QUEUED
        session.add(stored)
        session.commit()
    files = deliver_queued(engine, settings=make_settings(tmp_path), as_of=AS_OF)
    assert files.written_files[0].read_bytes() == arrived.data


def test_a_server_that_stops_mid_batch_delivers_each_message_exactly_once(
    engine: Engine, tmp_path: Path, server: Server
) -> None:
    settings = smtp_settings(tmp_path, server)
    with db(engine) as session:
        world = make_world(session, settings)
        for n in range(10):
            enqueue_request(session, world, key=f"m:{n}", attachments=())
        session.commit()

    server.handler.stop_after = 4
    first = deliver_queued(engine, settings=settings, as_of=AS_OF)
    assert (first.sent, first.failed, first.deferred) == (4, 0, 6)
    assert first.error.startswith("Förbindelsen med e-postservern bröts")
    after = states(engine)
    assert [after[f"m:{n}"][0] for n in range(10)] == ["sent"] * 4 + ["queued"] * 6
    assert after["m:4"][1:] == (1, first.error)  # the message in hand: one attempt, the reason
    assert all(after[f"m:{n}"][1:] == (0, "") for n in range(5, 10))  # the rest: untouched

    # Still down: nothing is lost, nothing fails; the oldest due message carries the error.
    down = deliver_queued(engine, settings=settings, as_of=AS_OF + dt.timedelta(minutes=1))
    assert (down.sent, down.failed, down.deferred) == (0, 0, 6)
    assert down.error.startswith("Kunde inte ansluta till e-postservern 127.0.0.1")
    assert states(engine)["m:4"][1] == 2

    server.handler.stop_after = None
    server.start()
    later = deliver_queued(engine, settings=settings, as_of=AS_OF + dt.timedelta(hours=1))
    assert (later.sent, later.failed, later.deferred, later.error) == (6, 0, 0, "")
    assert all(state == "sent" for state, _, _ in states(engine).values())
    counts = server.message_ids()
    assert len(counts) == 10 and set(counts.values()) == {1}
    assert deliver_queued(engine, settings=settings, as_of=AS_OF + dt.timedelta(days=1)).sent == 0


def test_one_pass_delivers_more_than_its_batch_size(
    engine: Engine, tmp_path: Path, server: Server
) -> None:
    """A stage that queues more than a batch sends all of it today, each message once."""
    settings = smtp_settings(tmp_path, server)
    with db(engine) as session:
        world = make_world(session, settings)
        for n in range(7):
            enqueue_request(session, world, key=f"m:{n}", attachments=())
        session.commit()

    report = deliver_queued(engine, settings=settings, as_of=AS_OF, limit=3)
    assert (report.sent, report.failed, report.deferred, report.error) == (7, 0, 0, "")
    counts = server.message_ids()
    assert len(counts) == 7 and set(counts.values()) == {1}
    assert all(state == "sent" for state, _, _ in states(engine).values())


def test_a_refused_recipient_fails_only_its_message(
    engine: Engine, tmp_path: Path, server: Server
) -> None:
    settings = smtp_settings(tmp_path, server)
    with db(engine) as session:
        world = make_world(session, settings)
        enqueue_request(session, world, key="före")
        enqueue_request(session, world, key="avvisad", to=[("Ingen", REFUSED)], cc=())
        enqueue_request(
            session,
            world,
            key="delvis",
            to=[("Sekreteraren", "bun.sekreterare@arboga.example"), ("Ingen", REFUSED)],
            cc=(),
        )
        enqueue_request(session, world, key="efter")
        session.commit()

    report = deliver_queued(engine, settings=settings, as_of=AS_OF)
    assert (report.sent, report.failed, report.deferred) == (3, 1, 0)
    after = states(engine)
    state, attempts, reason = after["avvisad"]
    assert (state, attempts) == ("failed", 1)
    assert reason.startswith("Mottagaren avvisades: 550 5.1.1 Mottagaren finns inte här")
    assert REFUSED in reason
    state, _, note = after["delvis"]
    assert state == "sent" and note.startswith("Mottagaren avvisades: 550") and "övriga" in note
    assert after["före"][0] == after["efter"][0] == "sent"
    partly = [r for r in server.handler.received if REFUSED in parse(r.data)["To"]]
    assert [r.rcpt_tos for r in partly] == [["bun.sekreterare@arboga.example"]]


def test_a_temporary_refusal_is_retried_with_backoff_then_given_up(
    engine: Engine, tmp_path: Path, server: Server
) -> None:
    settings = smtp_settings(tmp_path, server)
    with db(engine) as session:
        world = make_world(session, settings)
        slow = enqueue_request(session, world, key="tillfalligt")
        enqueue_request(session, world, key="vanligt")
        session.commit()
    assert slow is not None
    server.handler.temporary_for = {slow.message_id}

    first = deliver_queued(engine, settings=settings, as_of=AS_OF, max_attempts=3)
    assert (first.sent, first.failed, first.deferred) == (1, 0, 1)  # the batch went on
    with Session(engine) as session:
        row = session.get(OutboxMessage, slow.id)
        assert row is not None and row.state == MessageState.QUEUED
        assert row.attempts == 1 and row.next_attempt_at == AS_OF + dt.timedelta(minutes=1)
        assert row.last_error.startswith("Tillfälligt fel: 451 4.3.0 Försök igen senare")

    assert deliver_queued(engine, settings=settings, as_of=AS_OF, max_attempts=3).deferred == 0
    second_at = AS_OF + dt.timedelta(minutes=1)
    deliver_queued(engine, settings=settings, as_of=second_at, max_attempts=3)
    with Session(engine) as session:
        row = session.get(OutboxMessage, slow.id)
        assert row is not None and row.attempts == 2
        assert row.next_attempt_at == second_at + dt.timedelta(minutes=5)
    third_at = second_at + dt.timedelta(minutes=5)
    third = deliver_queued(engine, settings=settings, as_of=third_at, max_attempts=3)
    assert (third.sent, third.failed) == (0, 1)
    with Session(engine) as session:
        row = session.get(OutboxMessage, slow.id)
        assert row is not None and (row.state, row.attempts) == (MessageState.FAILED, 3)
        assert row.last_error.startswith("Gav upp efter 3 försök: Tillfälligt fel: 451")
    assert len(server.handler.received) == 1
