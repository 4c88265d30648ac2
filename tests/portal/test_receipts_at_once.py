"""Receipts at once, and one portal address (issue 14, item 3), over real HTTP and real SMTP.

The portal (uvicorn on loopback) delivers a receipt itself, in the background,
right after the post commits; nobody runs a flow. The outbox row stays the
truth: with the mail server down the receipt waits, and a later pass sends it
once. Two portal processes and a watch at once send each message once. Every
link begins with the one address: ``[portal] url`` of the municipality's file,
or ``ARSHJUL_PORTAL_URL`` over it; a local one with a mail server is refused.
On SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import re
import socket
import threading
import time
from collections import Counter
from email import policy
from email.parser import BytesParser
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select
from test_portal import BEFORE, _setup, form, post
from test_portal_limits import KEY, _configure, serving, wait_for

from arshjul.mail.address import LocalPortalAddress
from arshjul.mail.sender import deliver_queued
from arshjul.models import MessageState, OutboxMessage, Submission
from arshjul.models.db import get_engine
from arshjul.portal.app import announcement, create_app
from arshjul.settings import Settings

ADDRESS = "https://inlamning.arboga.example"  # the municipality's own, not the shipped example
RECEIPT_SUBJECT = "Kvitto: Tertialuppföljning (t.o.m. april) 2027 – Barn- och utbildningsnämnden"


@pytest.fixture
def engine(arboga_engine: Engine) -> Engine:
    """Every test here starts from Arboga's shipped configuration: applied once per
    session and copied (tests/conftest.py), not applied again in each test."""
    return arboga_engine


class TickingClock:
    """The portal's clock: a moment the test sets, going on in real time from there."""

    def __init__(self, now: dt.datetime) -> None:
        self.set(now)

    def set(self, now: dt.datetime) -> None:
        self._base, self._at = now, time.monotonic()

    def __call__(self) -> dt.datetime:
        return self._base + dt.timedelta(seconds=time.monotonic() - self._at)


def free_port() -> int:
    """A loopback port nobody listens on (the mail server down)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def rows(engine: Engine, purpose: str = "receipt") -> list[OutboxMessage]:
    with Session(engine) as session:
        found = session.exec(
            select(OutboxMessage).where(OutboxMessage.purpose == purpose).order_by(OutboxMessage.id)  # type: ignore[arg-type]
        ).all()
        return list(found)


def body_of(message: object) -> str:
    return message.get_body(("plain",)).get_content()  # type: ignore[attr-defined, no-any-return]


def text_of_file(path: Path) -> str:
    """The plain-text body of an .eml file, decoded."""
    return body_of(BytesParser(policy=policy.default).parsebytes(path.read_bytes()))


def links_in(text: str) -> list[str]:
    return re.findall(r"https?://\S+/begaran/\d+/[A-Za-z0-9_-]{43}", text)


# --------------------------------------------------------------------------- at once
def test_a_receipt_arrives_at_once_with_the_configured_address(  # type: ignore[no-untyped-def]
    engine: Engine, tmp_path: Path, smtp_inbox
) -> None:
    ids, tokens, _ = _setup(engine, KEY.encode())
    _configure(engine, tmp_path, {"url": ADDRESS})
    with (
        serving(engine, TickingClock(BEFORE), portal_url=None) as served,
        httpx.Client(timeout=30) as client,
    ):
        url = f"{served.base}/begaran/{ids['bun']}/{tokens['bun']}"
        started = time.monotonic()
        assert post(client, url, form()).status_code == 303
        wait_for(lambda: len(smtp_inbox.messages) == 1, seconds=5)
        took = time.monotonic() - started
    print(f"kvittot kom efter {took:.2f} s")
    (receipt,) = smtp_inbox.messages
    assert str(receipt["Subject"]) == f"{RECEIPT_SUBJECT}, version 1"  # type: ignore[index]
    # The link begins with the municipality's address, not with where the page listened.
    assert links_in(body_of(receipt)) == [f"{ADDRESS}/begaran/{ids['bun']}/{tokens['bun']}"]
    assert [r.state for r in rows(engine)] == [MessageState.SENT]
    # Only the receipt: the stage's requests stay with the run that queued them.
    assert {r.state for r in rows(engine, "request")} == {MessageState.QUEUED}


def test_the_newest_receipt_goes_when_the_window_ends_without_a_watch(  # type: ignore[no-untyped-def]
    engine: Engine, tmp_path: Path, smtp_inbox
) -> None:
    """A revision within five minutes of the receipt waits for the window, then goes by
    itself (the portal's own timer), naming the newest version."""
    ids, tokens, _ = _setup(engine, KEY.encode())
    _configure(engine, tmp_path, {"receipt_minutes": 5})
    clock = TickingClock(BEFORE)
    with (
        serving(engine, clock, portal_url=None) as served,
        httpx.Client(timeout=30) as client,
    ):
        url = f"{served.base}/begaran/{ids['bun']}/{tokens['bun']}"
        assert post(client, url, form()).status_code == 303
        wait_for(lambda: len(smtp_inbox.messages) == 1)
        (first,) = rows(engine)
        assert first.sent_at is not None
        # Two revisions two seconds before the window ends: both wait, the newest goes.
        clock.set(first.sent_at + dt.timedelta(minutes=5, seconds=-2))
        for measures in ("Ny plan", "Ny plan, rättad"):
            assert post(client, url, form(measures=measures)).status_code == 303
        assert len(smtp_inbox.messages) == 1
        wait_for(lambda: len(smtp_inbox.messages) == 2, seconds=8)
    newest = smtp_inbox.messages[1]
    assert str(newest["Subject"]) == f"{RECEIPT_SUBJECT}, version 3"  # type: ignore[index]
    assert "Ny plan, rättad" in body_of(newest)
    assert [r.state for r in rows(engine)] == ["sent", "superseded", "sent"]


# ---------------------------------------------------------------- the outbox is the truth
def test_with_the_mail_server_down_the_receipt_waits_and_a_later_pass_sends_it_once(  # type: ignore[no-untyped-def]
    engine: Engine, tmp_path: Path, smtp_inbox
) -> None:
    ids, tokens, _ = _setup(engine, KEY.encode())
    _configure(engine, tmp_path, {})
    down = free_port()
    with (
        serving(engine, TickingClock(BEFORE), portal_url=None, smtp_port=down) as served,
        httpx.Client(timeout=30) as client,
    ):
        url = f"{served.base}/begaran/{ids['bun']}/{tokens['bun']}"
        assert post(client, url, form()).status_code == 303  # the page does not wait for mail
        wait_for(lambda: rows(engine)[0].attempts == 1)
    # The portal is gone (stopped, or dead): the receipt is queued, with why and when.
    (waiting,) = rows(engine)
    assert waiting.state == MessageState.QUEUED
    assert f"Kunde inte ansluta till e-postservern 127.0.0.1:{down}" in waiting.last_error
    assert waiting.next_attempt_at is not None
    assert smtp_inbox.messages == []

    # The next pass (the watch's, a stage run's) sends it, once; another sends nothing.
    settings = Settings(secret_key=KEY)  # the environment: the SMTP server that is up
    later = waiting.next_attempt_at
    assert deliver_queued(engine, settings=settings, as_of=later, purpose="receipt").sent == 1
    assert deliver_queued(engine, settings=settings, as_of=later).sent == 10  # the requests
    assert deliver_queued(engine, settings=settings, as_of=later).sent == 0
    receipts = [m for m in smtp_inbox.messages if str(m["Subject"]).startswith("Kvitto")]  # type: ignore[index]
    assert len(receipts) == 1
    assert links_in(body_of(receipts[0])) == [
        f"https://arshjul.arboga.example/begaran/{ids['bun']}/{tokens['bun']}"
    ]
    assert [r.state for r in rows(engine)] == [MessageState.SENT]


@pytest.mark.parametrize("window", [0, 5])
def test_two_portal_processes_and_a_watch_at_once_send_each_message_once(  # type: ignore[no-untyped-def]
    engine: Engine, tmp_path: Path, smtp_inbox, window: int
) -> None:
    """Two portals, each with its own engine (its own connections, as a process has), and
    a watch passing all the while; posts to three links through both portals at once."""
    ids, tokens, _ = _setup(engine, KEY.encode())
    _configure(engine, tmp_path, {"receipt_minutes": window, "posts_per_minute": 1000})
    url = engine.url.render_as_string(hide_password=False)
    engines = [get_engine.__wrapped__(url) for _ in range(2)]  # not the cached one: two pools
    clock = TickingClock(BEFORE)
    settings = Settings(secret_key=KEY)
    posting = threading.Event()
    watch_passes: list[int] = []

    def watch() -> None:
        while posting.is_set():
            watch_passes.append(deliver_queued(engine, settings=settings, as_of=clock()).sent)

    statuses: list[int] = []
    with (
        serving(engines[0], clock, portal_url=None) as one,
        serving(engines[1], clock, portal_url=None) as two,
    ):

        def secretary(base: str, unit: str) -> None:
            with httpx.Client(timeout=60) as client:
                for n in range(6):
                    link = f"{base}/begaran/{ids[unit]}/{tokens[unit]}"
                    statuses.append(post(client, link, form(measures=f"{unit} {n}")).status_code)

        posting.set()
        watcher = threading.Thread(target=watch)
        watcher.start()
        posters = [
            threading.Thread(target=secretary, args=(served.base, unit))
            for unit in ("bun", "fkn", "sn")
            for served in (one, two)
        ]
        for thread in posters:
            thread.start()
        for thread in posters:
            thread.join(120)
        posting.clear()
        watcher.join(60)
        if window == 0:  # every receipt at once, by the portals or the watch
            wait_for(lambda: all(r.state == MessageState.SENT for r in rows(engine)))
    for other in engines:
        other.dispose()
    # What waits out its window goes with a later pass: the watch's, an hour on.
    deliver_queued(engine, settings=settings, as_of=BEFORE + dt.timedelta(hours=1))
    assert statuses == [303] * 36 and len(watch_passes) >= 1

    arrived = Counter(str(m["Message-ID"]) for m in smtp_inbox.messages)  # type: ignore[index]
    assert max(arrived.values()) == 1, arrived.most_common(3)  # nothing twice
    with Session(engine) as session:
        outbox = session.exec(select(OutboxMessage)).all()
        sent = {r.message_id for r in outbox if r.state == MessageState.SENT}
        assert {r.state for r in outbox} <= {MessageState.SENT, MessageState.SUPERSEDED}
        assert set(arrived) == sent  # the rows tell what went out, and all of it
        current = {
            s.request_id: s.version
            for s in session.exec(select(Submission).where(Submission.is_current == True))  # noqa: E712
        }
    assert sorted(current.values()) == [12, 12, 12]
    receipts = [r for r in outbox if r.purpose == "receipt"]
    assert len(receipts) == 36
    if window == 0:
        assert all(r.state == MessageState.SENT for r in receipts)
    # Each request's newest version has gone out in a receipt.
    for request_id, version in current.items():
        assert any(
            r.request_id == request_id
            and r.state == MessageState.SENT
            and r.subject.endswith(f"version {version}")
            for r in receipts
        ), request_id


# --------------------------------------------------------------------------- one address
def test_a_local_portal_address_with_a_mail_server_is_refused(  # type: ignore[no-untyped-def]
    engine: Engine, tmp_path: Path, smtp_inbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    _setup(engine, KEY.encode())  # ten requests queued, with their links
    path = _configure(engine, tmp_path, {})

    # ARSHJUL_PORTAL_URL on this machine, a mail server set (smtp_inbox's).
    monkeypatch.setenv("ARSHJUL_PORTAL_URL", "http://127.0.0.1:8000")
    settings = Settings(secret_key=KEY)  # the environment's database, mail server and address
    with pytest.raises(LocalPortalAddress) as caught:
        deliver_queued(engine, settings=settings, as_of=BEFORE)
    message = str(caught.value)
    assert message.startswith(
        "E-posten skickas inte: länkarna i e-posten till Arboga kommun skulle börja med "
        "http://127.0.0.1:8000, "
        "en adress som bara fungerar på den här datorn, men e-posten går till riktiga "
        "mottagare via e-postservern 127.0.0.1 (ARSHJUL_SMTP_HOST)."
    )
    assert "Sätt ARSHJUL_PORTAL_URL till webbsidans riktiga adress" in message
    with pytest.raises(LocalPortalAddress):  # the portal does not start either
        create_app(settings=settings, engine=engine)

    # The municipality's file says localhost: the message names the file and the key.
    monkeypatch.delenv("ARSHJUL_PORTAL_URL")
    _configure(engine, tmp_path, {"url": "http://localhost:8000"})
    settings = Settings(secret_key=KEY)
    with pytest.raises(LocalPortalAddress) as caught:
        deliver_queued(engine, settings=settings, as_of=BEFORE)
    message = str(caught.value)
    assert "länkarna i e-posten till Arboga kommun skulle börja med http://localhost:8000" in (
        message
    )
    assert f"Adressen kommer från url under [portal] i {path}." in message
    assert f"Skriv webbsidans riktiga adress som url under [portal] i {path}" in message
    assert "och kör arshjul init, eller sätt ARSHJUL_PORTAL_URL" in message
    for bad in ("http://[::1]:8000", "http://127.0.0.2", "http://app.localhost:8000"):
        _configure(engine, tmp_path, {"url": bad})
        with pytest.raises(LocalPortalAddress):
            deliver_queued(engine, settings=settings, as_of=BEFORE)

    # Nothing was sent, nothing was touched: every message waits as it was.
    assert smtp_inbox.messages == []
    for row in rows(engine, "request"):
        assert (row.state, row.attempts, row.last_error) == (MessageState.QUEUED, 0, "")

    # Written as .eml files (the demo, a first try), a local address is fine.
    files = Settings(secret_key=KEY, smtp_host=None, mail_dir=tmp_path / "eml")
    assert deliver_queued(engine, settings=files, as_of=BEFORE).sent == 10
    written = sorted((tmp_path / "eml").glob("*.eml"))
    assert "http://app.localhost:8000/begaran/" in text_of_file(written[0])


def test_the_environment_overrides_the_configuration_in_links_and_origin(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids, tokens, _ = _setup(engine, KEY.encode())
    _configure(engine, tmp_path, {"url": ADDRESS})
    override = "https://arshjul.kommunen.example/inlamning"
    key = {"secret_key": KEY, "mail_dir": tmp_path / "e-post"}

    def links(settings: Settings) -> set[str]:
        with Session(engine) as session:
            for row in session.exec(select(OutboxMessage)).all():
                row.state, row.sent_at = MessageState.QUEUED, None
                session.add(row)
            session.commit()
        found: set[str] = set()
        for written in deliver_queued(engine, settings=settings, as_of=BEFORE).written_files:
            found.update(links_in(text_of_file(written)))
        return {link.rsplit("/begaran/", 1)[0] for link in found}

    assert links(Settings(**key)) == {ADDRESS}  # type: ignore[arg-type]
    monkeypatch.setenv("ARSHJUL_PORTAL_URL", override + "/")
    assert links(Settings(**key)) == {override}  # type: ignore[arg-type]

    # The portal takes posts from the same address the links begin with.
    def origin_status(settings: Settings, origin: str) -> int:
        with serving(engine, TickingClock(BEFORE), portal_url=settings.portal_url) as served:
            link = f"{served.base}/begaran/{ids['bun']}/{tokens['bun']}"
            with httpx.Client(timeout=30) as client:
                return client.post(link, data=form(), headers={"Origin": origin}).status_code

    with_override = Settings(**key)  # type: ignore[arg-type]
    assert origin_status(with_override, "https://arshjul.kommunen.example") == 303
    assert origin_status(with_override, ADDRESS) == 403
    monkeypatch.delenv("ARSHJUL_PORTAL_URL")
    assert origin_status(Settings(**key), ADDRESS) == 303  # type: ignore[arg-type]


def test_the_portal_says_where_the_links_go(engine: Engine, tmp_path: Path) -> None:
    from arshjul.mail.address import installation_addresses

    _setup(engine, KEY.encode())
    path = _configure(engine, tmp_path, {"url": ADDRESS})
    found = installation_addresses(engine, Settings(secret_key=KEY))
    assert announcement(found, host="127.0.0.1", port=8000) == [
        f"Länkarna i e-posten börjar med {ADDRESS} (från url under [portal] i {path}).",
        "Obs: sidan lyssnar bara på den här datorn (http://127.0.0.1:8000/) men tar emot "
        f"inlämningar bara från {ADDRESS}. För att prova i en webbläsare på den här datorn: "
        "ARSHJUL_PORTAL_URL=http://127.0.0.1:8000",
    ]
    local = installation_addresses(engine, Settings(portal_url="http://127.0.0.1:8000"))
    assert announcement(local, host="127.0.0.1", port=8000) == [
        "Länkarna i e-posten börjar med http://127.0.0.1:8000 (från ARSHJUL_PORTAL_URL)."
    ]
