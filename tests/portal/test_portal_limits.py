"""The submission page's limits, over real HTTP on SQLite and PostgreSQL (issue 15, item 5).

A link may store so many versions a minute and so many in all, and so many
bytes of attachments; the receipts of a burst of versions become one e-mail
naming the newest; a post from another site is refused; X-Forwarded-For is
believed only from a configured proxy; and an unexpected error answers 500
without dropping the connection. Each refusal is Swedish and stores nothing.

The portal runs as ``arshjul portal`` runs it (``server_options()``), on a
socket bound before the app is made, so that ``ARSHJUL_PORTAL_URL`` can name
its real port. With a mail server (``smtp_inbox``) it cannot: a local address is
refused then (tests/portal/test_receipts_at_once.py), and the links and the
origin are the configuration's ``[portal] url``.
"""

from __future__ import annotations

import datetime as dt
import http.client
import logging
import re
import socket
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import uvicorn
from sqlalchemy import Engine
from sqlmodel import Session, select
from test_portal import BEFORE, PDF, Clock, _setup, counts, form, post, text_of

from arshjul.config.apply import apply_config
from arshjul.config.loader import load_config, shipped_config_path
from arshjul.errors import ArshjulError, ConfigError
from arshjul.mail.sender import deliver_queued
from arshjul.models import AuditEntry, OutboxMessage, Submission
from arshjul.portal.app import create_app, server_options
from arshjul.portal.intake import client_address
from arshjul.portal.middleware import origin_of
from arshjul.portal.state import Portal
from arshjul.settings import Settings, get_settings

KEY = "test-nyckel-" + "x" * 40
FILE_LIMIT = 700 * 1024


@pytest.fixture
def engine(arboga_engine: Engine) -> Engine:
    """Every test here starts from Arboga's shipped configuration: applied once per
    session and copied (tests/conftest.py), not applied again in each test."""
    return arboga_engine


@dataclass
class Site:
    base: str
    engine: Engine
    clock: Clock
    url: str
    token: str
    portal: Portal

    def counts(self) -> tuple[int, int]:
        return counts(self.engine)


def _configure(engine: Engine, tmp_path: Path, portal: dict[str, int | str]) -> Path:
    """The municipality edits its [portal] section and loads the file again; the file."""
    text = shipped_config_path().read_text(encoding="utf-8")
    for name, value in portal.items():
        shown = f'"{value}"' if isinstance(value, str) else str(value)
        text, found = re.subn(rf'(?m)^{name} = (\d+|"[^"]*")', f"{name} = {shown}", text)
        assert found == 1, name
    path = tmp_path / "kommun.toml"
    path.write_text(text, encoding="utf-8")
    with Session(engine) as session:
        apply_config(session, load_config(path))
        session.commit()
    return path


@dataclass
class Served:
    base: str
    portal: Portal


@contextmanager
def serving(
    engine: Engine, clock: Callable[[], dt.datetime], **settings: object
) -> Iterator[Served]:
    """The portal on a port of its own, its URL the settings' ARSHJUL_PORTAL_URL.

    ``portal_url=None``: the configuration's address instead (a mail server refuses
    the local one); other keywords are settings too (``smtp_port`` …).
    """
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    base = f"http://127.0.0.1:{sock.getsockname()[1]}"
    settings.setdefault("portal_url", base)
    app = create_app(
        settings=Settings(
            database_url=engine.url.render_as_string(hide_password=False),
            secret_key=KEY,
            max_attachment_bytes=FILE_LIMIT,
            **settings,  # type: ignore[arg-type]
        ),
        engine=engine,
        clock=clock,
    )
    config = uvicorn.Config(app, log_level="warning", lifespan="on", **server_options())
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn startade inte")
        time.sleep(0.01)
    try:
        yield Served(base, app.state.portal)
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


@contextmanager
def site(
    engine: Engine, tmp_path: Path, portal: dict[str, int], **settings: object
) -> Iterator[Site]:
    ids, tokens, _ = _setup(engine, KEY.encode())
    _configure(engine, tmp_path, portal)
    clock = Clock(BEFORE)
    with serving(engine, clock, **settings) as served:
        url = f"{served.base}/begaran/{ids['bun']}/{tokens['bun']}"
        yield Site(served.base, engine, clock, url, tokens["bun"], served.portal)


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with httpx.Client(follow_redirects=False, timeout=60) as c:
        yield c


def versions(engine: Engine) -> list[int]:
    with Session(engine) as session:
        return sorted(session.exec(select(Submission.version)).all())


def receipts(engine: Engine) -> list[tuple[str, str]]:
    """(state, subject) of every receipt in the outbox, oldest first."""
    with Session(engine) as session:
        rows = session.exec(
            select(OutboxMessage.state, OutboxMessage.subject)
            .where(OutboxMessage.purpose == "receipt")
            .order_by(OutboxMessage.id)  # type: ignore[arg-type]
        ).all()
        return [(state, subject) for state, subject in rows]


# --------------------------------------------------------------------------- versions
def test_five_clients_flooding_one_link_store_only_the_minutes_allowance(
    engine: Engine, tmp_path: Path
) -> None:
    """As found: five clients made 905 versions in 40 s. Now a minute takes three."""
    with site(engine, tmp_path, {"posts_per_minute": 3}) as s:
        statuses: list[int] = []
        barrier = threading.Barrier(5)

        def flood() -> None:
            with httpx.Client(timeout=60) as c:
                barrier.wait()
                for _ in range(6):
                    statuses.append(post(c, s.url, form()).status_code)

        threads = [threading.Thread(target=flood) for _ in range(5)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        assert sorted(statuses) == [303] * 3 + [429] * 27
        assert versions(engine) == [1, 2, 3]
        assert len(receipts(engine)) == 3

        before = s.counts()
        with httpx.Client(timeout=60) as c:
            refused = post(c, s.url, form())
            assert refused.status_code == 429
            assert refused.headers["retry-after"] == "60"  # the clock stands still
            page = text_of(refused.text)
            assert "För många inlämningar på kort tid" in page
            assert "har skickats in 3 gånger den senaste minuten" in page
            assert "Det du skickade nu har inte sparats" in page
            assert "Vänta 60 sekunder och skicka igen" in page
            assert s.counts() == before

            s.clock.now = BEFORE + dt.timedelta(seconds=45)
            refused = post(c, s.url, form())
            assert refused.status_code == 429 and refused.headers["retry-after"] == "15"
            assert "Vänta 15 sekunder" in text_of(refused.text)

            s.clock.now = BEFORE + dt.timedelta(seconds=61)  # a minute on: room again
            assert post(c, s.url, form()).status_code == 303
        assert versions(engine) == [1, 2, 3, 4]


def test_a_request_takes_so_many_versions_in_all(
    engine: Engine, tmp_path: Path, client: httpx.Client
) -> None:
    with site(engine, tmp_path, {"max_versions": 3}) as s:
        for minute in range(3):
            s.clock.now = BEFORE + dt.timedelta(minutes=minute)
            assert post(client, s.url, form()).status_code == 303
        before = s.counts()
        s.clock.now = BEFORE + dt.timedelta(days=1)
        refused = post(client, s.url, form(forecast_kr="420 000", deviation_explanation="Fler"))
        assert refused.status_code == 409
        page = text_of(refused.text)
        assert "Underlaget har redan så många versioner som tas emot" in page
        assert "Tertialuppföljning (t.o.m. april) 2027 har 3 versioner, och fler än 3 tas" in page
        assert "Version 3 är den som gäller" in page
        assert "Det du skickade nu har inte sparats" in page
        assert re.search(r"Kontakta .+ \(.+@arboga\.example\), som kan lämna ändringen", page)
        assert s.counts() == before
        assert versions(engine) == [1, 2, 3]


# --------------------------------------------------------------------------- receipts
def wait_for(condition: Callable[[], bool], seconds: float = 5.0) -> None:
    """Until ``condition()`` holds, or fail after ``seconds``."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "väntade förgäves"
        time.sleep(0.02)


def settled(portal: Portal) -> None:
    """Until the portal's receipt thread has made a pass after everything posted so far."""
    wanted = portal.receipts.started + 1  # the pass in hand may have begun before the post
    portal.receipts.wake()
    wait_for(lambda: portal.receipts.passes >= wanted)


def test_a_burst_of_versions_gets_one_receipt_naming_the_newest(  # type: ignore[no-untyped-def]
    engine: Engine, tmp_path: Path, client: httpx.Client, smtp_inbox
) -> None:
    """As found: about 900 receipts to one contact. Now the first at once, then one per
    five minutes, the newest (the window comes from the file; the portal's clock stands
    still here, so the watch's pass sends the second)."""
    config = {"posts_per_minute": 10, "receipt_minutes": 5}
    with site(engine, tmp_path, config, portal_url=None) as s:
        settings = Settings(secret_key=KEY)  # the SMTP server of smtp_inbox, the portal's key
        deliver_queued(engine, settings=settings, as_of=BEFORE)  # the requests themselves
        smtp_inbox.messages.clear()
        assert post(client, s.url, form()).status_code == 303
        wait_for(lambda: len(smtp_inbox.messages) == 1)  # the first at once, by the portal
        for _ in range(5):  # five more versions within five minutes of it
            assert post(client, s.url, form()).status_code == 303
        settled(s.portal)
        assert deliver_queued(engine, settings=settings, as_of=BEFORE).sent == 0
        assert smtp_inbox.subjects() == [
            "Kvitto: Tertialuppföljning (t.o.m. april) 2027 – Barn- och utbildningsnämnden, "
            "version 1"
        ]

        # Two more a minute later: within five minutes of the last receipt they wait …
        for minute in (1, 2):
            s.clock.now = BEFORE + dt.timedelta(minutes=minute)
            assert post(client, s.url, form()).status_code == 303
        settled(s.portal)
        assert deliver_queued(engine, settings=settings, as_of=s.clock.now).sent == 0
        assert len(smtp_inbox.messages) == 1
        # … and then one goes out, naming the newest version, with its link.
        after = BEFORE + dt.timedelta(minutes=5)
        assert deliver_queued(engine, settings=settings, as_of=after).sent == 1
        assert len(smtp_inbox.messages) == 2
        newest = smtp_inbox.messages[1]
        assert str(newest["Subject"]).endswith("version 8")  # type: ignore[index]
        body = newest.get_body(("plain",)).get_content()  # type: ignore[attr-defined]
        assert "Version: 8" in body
        assert "https://arshjul.arboga.example" + s.url.removeprefix(s.base) in body
        # Every version has its receipt row: the replaced ones say so and were never sent.
        states = [state for state, _ in receipts(engine)]
        assert states == ["sent"] + ["superseded"] * 6 + ["sent"]
        assert versions(engine) == list(range(1, 9))


def test_without_a_window_every_version_gets_its_receipt_at_once(
    engine: Engine, tmp_path: Path, client: httpx.Client
) -> None:
    with site(engine, tmp_path, {"receipt_minutes": 0}) as s:
        for _ in range(3):
            assert post(client, s.url, form()).status_code == 303
        wait_for(lambda: [state for state, _ in receipts(engine)] == ["sent"] * 3)
        written = sorted((tmp_path / "e-post").glob("*Kvitto*.eml"))
        assert [p.name.rsplit("version ", 1)[1] for p in written] == ["1.eml", "2.eml", "3.eml"]


# --------------------------------------------------------------------------- the upload quota
def test_attachments_of_all_versions_share_a_quota(
    engine: Engine, tmp_path: Path, client: httpx.Client
) -> None:
    big = PDF + b"0" * (600 * 1024 - len(PDF))  # 600 kB; the quota is 1 MB
    with site(engine, tmp_path, {"upload_quota_mb": 1}) as s:
        first = post(client, s.url, form(), ("Bilaga.pdf", big, "application/pdf"))
        assert first.status_code == 303
        before = s.counts()

        s.clock.now = BEFORE + dt.timedelta(minutes=1)
        refused = post(
            client,
            s.url,
            form(forecast_kr="420 000", deviation_explanation="Fler barn"),
            ("Ny bilaga.pdf", big, "application/pdf"),
        )
        assert refused.status_code == 413
        error = re.search(r'id="f-attachment-error">(.*?)</p>', refused.text, re.S)
        assert error is not None
        message = text_of(error.group(1))
        assert "Filen (600\u00a0kB) ryms inte" in message
        assert "får tillsammans vara högst 1\u00a0MB, och 600\u00a0kB är redan sparat" in message
        assert "Välj en mindre fil" in message
        assert "Underlaget sparades inte" in refused.text
        assert "Fler barn</textarea>" in refused.text  # what was typed is kept
        assert s.counts() == before

        # Keeping the file would store it again: refused too, with what to do instead.
        kept = post(client, s.url, {**form(), "keep_attachment": "ja"})
        assert kept.status_code == 413
        assert "Ta bort bocken vid ”Behåll den bifogade filen”" in kept.text
        assert s.counts() == before

        # New figures without a file still go in.
        assert post(client, s.url, form(measures="Ny plan")).status_code == 303
        assert versions(engine) == [1, 2]


# --------------------------------------------------------------------------- origin
def test_a_post_from_another_site_is_refused_and_stores_nothing(
    engine: Engine, tmp_path: Path, client: httpx.Client
) -> None:
    with site(engine, tmp_path, {}) as s:
        before = s.counts()
        page = client.get(s.url)
        # A browser then sends its Origin (under no-referrer it would send "null").
        assert page.headers["referrer-policy"] == "same-origin"
        foreign = [
            {"Origin": "https://angripare.example"},
            {"Origin": "null"},
            {"Origin": s.base.replace("127.0.0.1", "localhost")},
            {"Origin": s.base.replace("http://", "https://")},
            {"Referer": "https://angripare.example/sida"},
        ]
        for headers in foreign:
            refused = client.post(s.url, data=form(), headers=headers)
            assert refused.status_code == 403, headers
            text = text_of(refused.text)
            assert "Formuläret skickades från en annan webbplats" in text
            assert "Inget har sparats" in text
        assert s.counts() == before

        own = [{"Origin": s.base}, {"Referer": s.url}, {}]  # {}: no browser (curl, a script)
        for headers in own:
            assert client.post(s.url, data=form(), headers=headers).status_code == 303, headers
        assert versions(engine) == [1, 2, 3]


def test_origins_compare_as_browsers_send_them() -> None:
    assert origin_of("https://Portal.Kommun.se/begaran/1") == ("https", "portal.kommun.se", 443)
    assert origin_of("https://portal.kommun.se:443") == origin_of("https://portal.kommun.se")
    assert origin_of("http://[::1]:8000") == ("http", "::1", 8000)
    ascii_host = "inlämning".encode("idna").decode() + ".kommun.se"
    assert origin_of("https://Inlämning.kommun.se") == ("https", ascii_host, 443)
    assert origin_of(f"https://{ascii_host}") == origin_of("https://inlämning.kommun.se")
    for nonsense in ("null", "", "file:///etc/passwd", "https://", "http://x:99999"):
        assert origin_of(nonsense) is None


# --------------------------------------------------------------------------- who posted
def _audit_origins(engine: Engine) -> list[str]:
    with Session(engine) as session:
        return list(
            session.exec(
                select(AuditEntry.origin)
                .where(AuditEntry.action == "submission.store")
                .order_by(AuditEntry.id)  # type: ignore[arg-type]
            ).all()
        )


def test_x_forwarded_for_is_believed_only_from_a_trusted_proxy(
    engine: Engine, tmp_path: Path, client: httpx.Client
) -> None:
    spoofed = {"X-Forwarded-For": "198.51.100.7"}
    with site(engine, tmp_path, {}) as s:  # no proxy configured: the header is anyone's
        assert client.post(s.url, data=form(), headers=spoofed).status_code == 303
    assert _audit_origins(engine) == ["portal 127.0.0.1"]

    clock = Clock(BEFORE + dt.timedelta(minutes=1))
    with serving(engine, clock, trusted_proxies="127.0.0.0/8, 10.0.0.0/24") as served:
        url = s.url.replace(s.base, served.base)
        # The client wrote the left entry itself; the proxies appended the rest.
        chain = {"X-Forwarded-For": "192.0.2.1, 203.0.113.9, 10.0.0.4"}
        assert client.post(url, data=form(), headers=chain).status_code == 303
    assert _audit_origins(engine)[1] == "portal 203.0.113.9 via 127.0.0.1"


def test_the_client_address_reads_the_chain_from_the_right() -> None:
    proxies = Settings(trusted_proxies="10.0.0.0/24,::1").trusted_proxy_networks()
    assert client_address("192.0.2.5", ["198.51.100.7"], proxies) == "192.0.2.5"
    assert client_address("10.0.0.2", [], proxies) == "10.0.0.2"
    assert client_address("10.0.0.2", ["1.2.3.4, 203.0.113.9"], proxies) == (
        "203.0.113.9 via 10.0.0.2"
    )
    assert client_address("::1", ["[2001:db8::7]:4711", "10.0.0.3"], proxies) == (
        "2001:db8::7 via ::1"
    )
    assert client_address("::ffff:10.0.0.2", ["203.0.113.9"], proxies) == (
        "203.0.113.9 via ::ffff:10.0.0.2"
    )
    assert client_address("10.0.0.2", ["inte-en-adress"], proxies) == "10.0.0.2"
    assert client_address("10.0.0.2", ["10.0.0.9"], proxies) == "10.0.0.2"
    assert client_address(None, [], proxies) == "okänd"


def test_a_mistyped_trusted_proxy_stops_the_start(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ARSHJUL_TRUSTED_PROXIES", "10.0.0.5, proxy.kommun.se")
    get_settings.cache_clear()
    with pytest.raises(ArshjulError) as caught:
        get_settings()
    message = str(caught.value)
    assert "ARSHJUL_TRUSTED_PROXIES: ”proxy.kommun.se” är varken en IP-adress eller ett nät" in (
        message
    )
    monkeypatch.delenv("ARSHJUL_TRUSTED_PROXIES")
    assert Settings().trusted_proxy_networks() == ()  # default: no proxy believed


# --------------------------------------------------------------------------- errors
def _request(
    conn: http.client.HTTPConnection, method: str, path: str, body: str | None = None
) -> tuple[int, str, dict[str, str]]:
    headers = {"Content-Type": "application/x-www-form-urlencoded"} if body else {}
    conn.request(method, path, body=body, headers=headers)
    response = conn.getresponse()
    text = response.read().decode()
    return response.status, text, {k.lower(): v for k, v in response.getheaders()}


def test_an_unexpected_error_answers_500_and_keeps_the_connection(
    engine: Engine,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """As found: after a 500 the keep-alive connection was dropped (a proxy's 502)."""

    def broken(*args: object, **kwargs: object) -> str:
        raise RuntimeError("ett fel i koden")

    with site(engine, tmp_path, {}) as s:
        before = s.counts()
        monkeypatch.setattr("arshjul.portal.routes.receipt_page", broken)
        monkeypatch.setattr("arshjul.portal.routes.check", broken)
        path = urllib.parse.urlsplit(s.url).path
        conn = http.client.HTTPConnection(urllib.parse.urlsplit(s.base).netloc, timeout=30)
        try:
            with caplog.at_level(logging.ERROR, logger="arshjul.portal"):
                status, html, headers = _request(conn, "GET", f"{path}/kvitto/1")
                sock = conn.sock
                assert status == 500 and sock is not None
                assert headers.get("connection", "") != "close"
                assert headers["content-security-policy"].startswith("default-src 'none'")
                page = text_of(html)
                assert "Något gick fel" in page and "Försök igen om en stund" in page

                status, html, _ = _request(conn, "GET", path)  # the same connection
                assert status == 200 and "Tertialuppföljning" in html
                assert conn.sock is sock

                body = urllib.parse.urlencode(form())
                status, html, _ = _request(conn, "POST", path, body)
                assert status == 500 and "Något gick fel" in html
                status, _, _ = _request(conn, "GET", path)
                assert status == 200 and conn.sock is sock
        finally:
            conn.close()
        assert s.counts() == before
        logged = [r.getMessage() for r in caplog.records if r.name == "arshjul.portal"]
        assert len(logged) == 2 and all("Oväntat fel" in m for m in logged)
        assert all(s.token not in m for m in logged)  # the personal token stays out of the log
        assert any(r.exc_info for r in caplog.records)  # the traceback is there for the operator


# --------------------------------------------------------------------------- configuration
def test_the_limits_come_from_the_municipalitys_file(tmp_path: Path) -> None:
    portal = load_config().config.portal
    assert (portal.posts_per_minute, portal.max_versions) == (10, 100)
    assert (portal.upload_quota_mb, portal.receipt_minutes) == (100, 5)
    text = shipped_config_path().read_text(encoding="utf-8")
    without = re.sub(r"(?ms)^\[portal\]\n.*?\n\n", "", text)
    assert "[portal]" not in without
    path = tmp_path / "utan.toml"
    path.write_text(without, encoding="utf-8")
    # The defaults, when left out; the address then comes from the default (or the environment).
    assert load_config(path).config.portal == portal.model_copy(update={"url": None})
    assert portal.url == "https://arshjul.arboga.example"

    path.write_text(text.replace("posts_per_minute = 10", "posts_per_minute = 0"), "utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert "portal.posts_per_minute" in str(caught.value) and "≥ 1" in str(caught.value)
