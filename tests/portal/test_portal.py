"""The submission page over real HTTP (uvicorn in a thread, httpx), on SQLite and PostgreSQL.

Every bad input must get a clear Swedish answer and change nothing: the
submissions and the outbox are counted before and after.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import threading
import time
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from sqlalchemy import Engine, func
from sqlmodel import Session, select

from arshjul import links as link_tokens
from arshjul.config.apply import apply_config
from arshjul.config.loader import load_config
from arshjul.lifecycle.cycle import ensure_stage_instance
from arshjul.lifecycle.requests import open_requests
from arshjul.models import (
    Attachment,
    BudgetFrame,
    FinancialFigure,
    Municipality,
    OrgUnit,
    OutboxMessage,
    RequestState,
    Submission,
    SubmissionRequest,
)
from arshjul.portal.app import create_app
from arshjul.settings import Settings

STOCKHOLM = ZoneInfo("Europe/Stockholm")
OPENED = dt.datetime(2027, 4, 13, 8, 0, tzinfo=STOCKHOLM)
BEFORE = dt.datetime(2027, 5, 3, 10, 12, tzinfo=STOCKHOLM)
BUDGET_KR = 412_300_000
LIMIT = 20_000
NBSP = "\u00a0"
DOCX_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
XLSX_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
DOCM_MAIN = "application/vnd.ms-word.document.macroEnabled.main+xml"


class Clock:
    """The portal's clock, set by the test."""

    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


@contextmanager
def serving(app: FastAPI) -> Iterator[str]:
    """Run the app with uvicorn on a free port in a thread; yield its base URL."""
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn started inte")
        time.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


@dataclass
class World:
    base: str
    engine: Engine
    clock: Clock
    ids: dict[str, int]
    tokens: dict[str, str]
    deadline: dt.datetime
    grace_until: dt.datetime

    def url(
        self, unit: str = "bun", *, token: str | None = None, rid: int | str | None = None
    ) -> str:
        return f"{self.base}/begaran/{rid or self.ids[unit]}/{token or self.tokens[unit]}"


def _office(main_type: str, part: str, extra: dict[str, bytes] | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/{part}" ContentType="{main_type}"/></Types>',
        )
        archive.writestr(part, "<document/>")
        for name, content in (extra or {}).items():
            archive.writestr(name, content)
    return buffer.getvalue()


DOCX = _office(DOCX_MAIN, "word/document.xml")
XLSX = _office(XLSX_MAIN, "xl/workbook.xml")
PDF = b"%PDF-1.7\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


def _setup(engine: Engine, key: bytes) -> tuple[dict[str, int], dict[str, str], SubmissionRequest]:
    with Session(engine) as session:
        municipality = session.exec(select(Municipality)).first()
        if municipality is None:  # a plain migrated database; the shipped one is applied
            apply_config(session, load_config())
            municipality = session.exec(select(Municipality)).one()
        units = {u.key: u for u in session.exec(select(OrgUnit))}
        session.add(
            BudgetFrame(
                municipality_id=municipality.id,
                unit_id=units["bun"].id,
                budget_year=2027,
                kind="operations",
                status="council",
                amount_kr=BUDGET_KR,
            )
        )
        for month in range(1, 5):
            session.add(
                FinancialFigure(
                    municipality_id=municipality.id,
                    unit_id=units["bun"].id,
                    year=2027,
                    month=month,
                    kind="actual",
                    amount_kr=34_000_000,
                )
            )
        stage = ensure_stage_instance(session, municipality=municipality, year=2027, slug="tertial")
        report = open_requests(
            session, municipality=municipality, stage=stage, as_of=OPENED, link_key=key
        )
        session.commit()
        by_unit = {r.unit_id: r for r in report.created}
        ids, links = {}, {}
        for unit_key in ("bun", "fkn", "sn"):
            request = by_unit[units[unit_key].id]
            ids[unit_key] = request.id
            links[unit_key] = link_tokens.derive_token(key, request.id, request.token_salt)
        return ids, links, by_unit[units["bun"].id]


@pytest.fixture
def world(arboga_engine: Engine) -> Iterator[World]:
    engine = arboga_engine
    settings = Settings(
        database_url=engine.url.render_as_string(hide_password=False),
        secret_key="test-nyckel-" + "x" * 40,
        max_attachment_bytes=LIMIT,
    )
    ids, links, request = _setup(engine, settings.link_key())
    clock = Clock(BEFORE)
    app = create_app(settings=settings, engine=engine, clock=clock)
    with serving(app) as base:
        yield World(base, engine, clock, ids, links, request.deadline_at, request.grace_until)


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with httpx.Client(follow_redirects=False, timeout=30) as c:
        yield c


def counts(engine: Engine) -> tuple[int, int]:
    """(submissions, e-mails in the outbox)."""
    with Session(engine) as session:
        submissions = session.exec(select(func.count()).select_from(Submission)).one()
        messages = session.exec(select(func.count()).select_from(OutboxMessage)).one()
        return submissions, messages


def form(**values: str) -> dict[str, str]:
    base = {
        "submitted_by": "Anna Andersson, nämndsekreterare",
        "forecast_kr": "412 300",
        "deviation_explanation": "",
        "measures": "",
    }
    return {**base, **values}


def post(
    client: httpx.Client,
    url: str,
    data: dict[str, str],
    file: tuple[str, bytes, str] | None = None,
) -> httpx.Response:
    """Post as a browser does: multipart, with an empty file input when no file is chosen."""
    files = {"attachment": file or ("", b"", "application/octet-stream")}
    return client.post(url, data=data, files=files)


def text_of(html: str) -> str:
    """The page's text, roughly as read aloud (tags out, entities of interest in)."""
    return re.sub(r"<[^>]+>", " ", html).replace("&nbsp;", NBSP)


# --------------------------------------------------------------------------- the page
def test_the_form_shows_unit_stage_deadline_and_known_figures(
    world: World, client: httpx.Client
) -> None:
    response = client.get(world.url())
    assert response.status_code == 200
    html = response.text
    assert '<html lang="sv">' in html and html.count("<h1") == 1
    assert "Arboga kommun" in html
    assert "Barn- och utbildningsnämnden" in html
    assert "Tertialuppföljning (t.o.m. april) 2027" in html
    # The tab names the stage once (not "Tertialuppföljning – Tertialuppföljning …").
    title = re.search(r"<title>(.*?)</title>", html, re.S)
    assert title and title[1].strip() == (
        "Tertialuppföljning (t.o.m. april) 2027 – Barn- och utbildningsnämnden"
    )
    assert "7 maj 2027 kl. 16.00" in html
    assert f"412{NBSP}300,0{NBSP}tkr" in html  # the council's frame
    assert f"136{NBSP}000,0{NBSP}tkr" in html  # actuals January–April
    assert "Utfall januari–april 2027" in html
    assert "<script" not in html and "http" not in html.split("</head>")[0].replace(
        'href="/static', ""
    )
    assert re.search(r'<label class="label" for="f-forecast_kr">', html)
    assert "sent inlämnat" not in html
    headers = response.headers
    assert "default-src 'none'" in headers["content-security-policy"]
    assert "form-action 'self'" in headers["content-security-policy"]
    assert headers["referrer-policy"] == "same-origin"  # the link never leaves the site
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["cache-control"] == "no-store"
    css = client.get(f"{world.base}/static/portal.css")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")


def test_a_unit_without_figures_sees_uppgift_saknas(world: World, client: httpx.Client) -> None:
    html = client.get(world.url("fkn")).text
    assert "Fritids- och kulturnämnden" in html
    known = html.split('<aside class="known"')[1].split("</aside>")[0]
    assert known.count("uppgift saknas") == 2


def test_health(world: World, client: httpx.Client) -> None:
    response = client.get(f"{world.base}/halsa")
    assert response.status_code == 200 and response.json()["status"] == "ok"


# --------------------------------------------------------------------------- storing
def test_a_valid_submission_is_stored_and_answered_with_a_receipt(
    world: World, client: httpx.Client
) -> None:
    before = counts(world.engine)
    response = post(
        client, world.url(), form(forecast_kr="415 000,5", deviation_explanation="Fler barn")
    )
    assert response.status_code == 303
    assert response.headers["location"] == world.url().removeprefix(world.base) + "/kvitto/1"
    assert counts(world.engine) == (before[0] + 1, before[1] + 1)
    receipt = client.get(world.base + response.headers["location"])
    assert receipt.status_code == 200
    page = text_of(receipt.text)
    assert "Kvitto: version 1 är inlämnad" in page
    assert "3 maj 2027 kl. 10.12" in page
    assert "Anna Andersson, nämndsekreterare" in page
    assert f"415{NBSP}000,5{NBSP}tkr" in page and "Fler barn" in page
    assert "Ja (sista dag 7 maj 2027 kl. 16.00)" in page
    with Session(world.engine) as session:
        stored = session.exec(select(Submission)).one()
        assert stored.data["forecast_kr"] == 415_000_500
        assert stored.data["deviation_explanation"] == "Fler barn"
        assert stored.submitted_by == "Anna Andersson, nämndsekreterare"
        assert stored.channel == "portal" and stored.late is False and stored.is_current
        request = session.get(SubmissionRequest, world.ids["bun"])
        assert request is not None and request.state == RequestState.SUBMITTED
        mail = session.exec(select(OutboxMessage).where(OutboxMessage.purpose == "receipt")).one()
        assert "version 1" in mail.subject
        assert "Helårsprognos" in mail.body_text and "Fler barn" in mail.body_text


def test_revising_before_the_deadline_keeps_every_version(
    world: World, client: httpx.Client
) -> None:
    assert post(client, world.url(), form()).status_code == 303
    world.clock.now = BEFORE + dt.timedelta(days=1, hours=2)
    second = post(
        client, world.url(), form(forecast_kr="420 000", deviation_explanation="Ny prognos")
    )
    assert second.headers["location"].endswith("/kvitto/2")
    with Session(world.engine) as session:
        rows = session.exec(select(Submission).order_by(Submission.version)).all()
        assert [(r.version, r.is_current) for r in rows] == [(1, False), (2, True)]
        assert [r.data["forecast_kr"] for r in rows] == [412_300_000, 420_000_000]
    page = client.get(world.url()).text
    assert "Version 2 inlämnad 4 maj 2027 kl. 12.12 av Anna Andersson" in page
    assert f'value="420{NBSP}000,0"' in page  # the current version prefilled
    assert "Ny prognos</textarea>" in page
    assert "Alla inlämnade versioner" in page
    old = client.get(f"{world.url()}/kvitto/1").text
    assert "ersatt av en senare version" in old


def test_the_same_form_posted_twice_at_once_keeps_both(world: World) -> None:
    results: list[int] = []
    barrier = threading.Barrier(2)

    def send() -> None:
        with httpx.Client(timeout=60) as c:
            barrier.wait()
            results.append(post(c, world.url(), form()).status_code)

    threads = [threading.Thread(target=send) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert results == [303, 303]
    with Session(world.engine) as session:
        rows = session.exec(select(Submission)).all()
        assert sorted(r.version for r in rows) == [1, 2]
        assert sum(r.is_current for r in rows) == 1
        assert next(r for r in rows if r.is_current).version == 2
    with Session(world.engine) as session:
        receipts = session.exec(
            select(OutboxMessage).where(OutboxMessage.purpose == "receipt")
        ).all()
        assert len(receipts) == 2


def test_a_late_submission_within_grace_is_stored_and_marked_late(
    world: World, client: httpx.Client
) -> None:
    world.clock.now = world.deadline + dt.timedelta(hours=20)
    page = client.get(world.url()).text
    assert "sent inlämnat, tas emot till 11 maj 2027 kl. 16.00" in page
    response = post(client, world.url(), form())
    assert response.status_code == 303
    receipt = text_of(client.get(world.base + response.headers["location"]).text)
    assert "sent inlämnad" in receipt and "Nej" in receipt
    with Session(world.engine) as session:
        stored = session.exec(select(Submission)).one()
        assert stored.late is True
        assert session.get(SubmissionRequest, world.ids["bun"]).late is True  # type: ignore[union-attr]
        mail = session.exec(select(OutboxMessage).where(OutboxMessage.purpose == "receipt")).one()
        assert "försenat" in mail.body_text


# --------------------------------------------------------------------------- bad links
def test_bad_links_are_refused_alike_and_store_nothing(world: World, client: httpx.Client) -> None:
    token = world.tokens["bun"]
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")
    bad = [
        world.url(token=tampered),
        world.url(rid=999_999),  # an id that does not exist, with a real token
        world.url(token=world.tokens["fkn"]),  # another committee's token on this request
        world.url(rid="abc"),
        world.url(token="x" * 500),
    ]
    before = counts(world.engine)
    bodies = set()
    for url in bad:
        for response in (client.get(url), post(client, url, form())):
            assert response.status_code == 403, url
            assert "Länken gäller inte" in response.text
            bodies.add(response.text)
    assert len(bodies) == 1  # nothing tells an existing id from a missing one
    assert counts(world.engine) == before
    assert client.get(f"{world.url()}/kvitto/1").status_code == 404  # no version yet


def test_an_expired_link_is_refused_and_stores_nothing(world: World, client: httpx.Client) -> None:
    before = counts(world.engine)
    world.clock.now = world.grace_until + dt.timedelta(minutes=1)
    for response in (client.get(world.url()), post(client, world.url(), form())):
        assert response.status_code == 410
        page = text_of(response.text)
        assert "Tiden för att lämna underlag har gått ut" in page
        assert "7 maj 2027 kl. 16.00" in page and "11 maj 2027 kl. 16.00" in page
    assert counts(world.engine) == before
    world.clock.now = BEFORE
    with Session(world.engine) as session:
        request = session.get(SubmissionRequest, world.ids["bun"])
        assert request is not None
        request.state = RequestState.CLOSED
        session.add(request)
        session.commit()
    assert client.get(world.url()).status_code == 410
    assert post(client, world.url(), form()).status_code == 410
    assert counts(world.engine) == before


# --------------------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"forecast_kr": "fyrahundra"}, "forecast_kr", "är inget belopp"),
        ({"forecast_kr": "-412 300"}, "forecast_kr", "Beloppet får inte vara negativt"),
        ({"forecast_kr": "1 000 000 000 000"}, "forecast_kr", "Orimligt stort belopp"),
        ({"forecast_kr": ""}, "forecast_kr", "Fältet måste fyllas i"),
        ({"submitted_by": "   "}, "submitted_by", "Fältet måste fyllas i"),
        ({"forecast_kr": "415 000"}, "deviation_explanation", "förklara avvikelsen"),
    ],
)
def test_bad_input_is_shown_beside_its_field_and_nothing_is_stored(
    world: World, client: httpx.Client, values: dict[str, str], field: str, message: str
) -> None:
    before = counts(world.engine)
    response = post(client, world.url(), form(**values))
    assert response.status_code == 422
    html = response.text
    assert counts(world.engine) == before
    assert 'role="alert"' in html and "Underlaget sparades inte" in html
    assert f'href="#f-{field}"' in html  # the summary links to the field
    error = re.search(rf'<p class="error-message" id="f-{field}-error">(.*?)</p>', html)
    assert error is not None and message in error.group(1)
    assert re.search(rf'id="f-{field}"[^>]*aria-describedby="[^"]*f-{field}-error"', html)
    assert re.search(rf'id="f-{field}"[^>]*aria-invalid="true"', html)
    for name, typed in values.items():
        if typed.strip() and name != "deviation_explanation":
            assert f'value="{typed}"' in html  # what was typed is kept


def test_markup_typed_in_every_field_is_shown_as_text(world: World, client: httpx.Client) -> None:
    evil = '<script>alert("x")</script><b onmouseover=alert(1)>fet</b>'
    values = form(
        forecast_kr="415 000",
        deviation_explanation=evil,
        measures=evil,
        submitted_by=evil,
    )
    # First with an error elsewhere: the form comes back with the markup as text.
    again = post(client, world.url(), {**values, "forecast_kr": evil})
    assert again.status_code == 422
    for html in (again.text,):
        assert "<script>alert" not in html and "<b onmouseover" not in html
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html
    response = post(client, world.url(), values)
    assert response.status_code == 303
    receipt = client.get(world.base + response.headers["location"]).text
    page = client.get(world.url()).text
    for html in (receipt, page):
        assert "<script>" not in html and "<b onmouseover" not in html
        assert "&lt;script&gt;" in html
    with Session(world.engine) as session:
        mail = session.exec(select(OutboxMessage).where(OutboxMessage.purpose == "receipt")).one()
        assert "<script>" not in mail.body_html and "<b onmouseover" not in mail.body_html
        assert "&lt;script&gt;" in mail.body_html
        stored = session.exec(select(Submission)).one()
        assert stored.data["measures"] == evil  # kept as typed: escaping is the page's job
        assert stored.submitted_by == evil


# --------------------------------------------------------------------------- attachments
@pytest.mark.parametrize(
    ("filename", "content", "message"),
    [
        (
            "rapport.docx",
            b"Det har ar bara text, inget Word-dokument.",
            "är varken Word (.docx), PDF eller Excel (.xlsx)",
        ),
        ("rapport.docx", b"PK\x03\x04 trasig zip", "är varken Word"),
        ("bild.docx", _office("image/png", "word/document.xml"), "är varken Word"),
        ("makro.docm", _office(DOCM_MAIN, "word/document.xml"), "Filer med makron tas inte emot"),
        (
            "makro.docx",
            _office(DOCX_MAIN, "word/document.xml", {"word/vbaProject.bin": b"\x00" * 10}),
            "Filer med makron tas inte emot",
        ),
        ("stor.pdf", PDF + b"0" * LIMIT, "Filen är större än 19,5" + NBSP + "kB"),
    ],
)
def test_refused_attachments_store_nothing(
    world: World, client: httpx.Client, filename: str, content: bytes, message: str
) -> None:
    before = counts(world.engine)
    response = post(client, world.url(), form(), (filename, content, "application/octet-stream"))
    assert response.status_code == 422
    error = re.search(r'<p class="error-message" id="f-attachment-error">(.*?)</p>', response.text)
    assert error is not None and message in error.group(1), response.text
    assert counts(world.engine) == before
    with Session(world.engine) as session:
        assert session.exec(select(func.count()).select_from(Attachment)).one() == 0


@pytest.mark.parametrize(
    ("filename", "content", "stored_as", "content_type"),
    [
        ("Budget april.docx", DOCX, "Budget april.docx", "wordprocessingml.document"),
        ("../../etc/Ekonomi <2027>.xlsx", XLSX, "Ekonomi 2027.xlsx", "spreadsheetml.sheet"),
        ("Rapport.pdf", PDF, "Rapport.pdf", "application/pdf"),
        ("felnamn.pdf", DOCX, "felnamn.docx", "wordprocessingml.document"),
    ],
)
def test_accepted_attachments_are_checked_by_content(
    world: World,
    client: httpx.Client,
    filename: str,
    content: bytes,
    stored_as: str,
    content_type: str,
) -> None:
    response = post(client, world.url(), form(), (filename, content, "text/plain"))
    assert response.status_code == 303
    with Session(world.engine) as session:
        attachment = session.exec(select(Attachment)).one()
        assert attachment.filename == stored_as
        assert content_type in attachment.content_type
        assert attachment.content == content and attachment.size == len(content)
    assert (
        stored_as.replace("<", "&lt;") in client.get(world.base + response.headers["location"]).text
    )


def test_a_revision_keeps_the_attachment_unless_told_otherwise(
    world: World, client: httpx.Client
) -> None:
    assert (
        post(client, world.url(), form(), ("Bilaga.pdf", PDF, "application/pdf")).status_code == 303
    )
    page = client.get(world.url()).text
    assert "Bilaga.pdf" in page and 'name="keep_attachment" value="ja" checked' in page
    assert post(client, world.url(), {**form(), "keep_attachment": "ja"}).status_code == 303
    assert post(client, world.url(), form()).status_code == 303
    with Session(world.engine) as session:
        rows = session.exec(
            select(Submission.version, Attachment.filename)
            .join(Attachment, Attachment.submission_id == Submission.id, isouter=True)
            .order_by(Submission.version)
        ).all()
        assert [tuple(r) for r in rows] == [(1, "Bilaga.pdf"), (2, "Bilaga.pdf"), (3, None)]


def test_a_post_far_over_the_limit_is_refused_before_it_is_read(
    world: World, client: httpx.Client
) -> None:
    before = counts(world.engine)
    huge = b"%PDF-" + b"0" * (LIMIT + 3 * 1024 * 1024)
    response = post(client, world.url(), form(), ("stor.pdf", huge, "application/pdf"))
    assert response.status_code == 413
    assert "Inlämningen är för stor" in response.text
    assert counts(world.engine) == before


# --------------------------------------------------------------------------- other stages
def test_namndbudget_distribution_must_equal_the_frame(
    engine: Engine, client: httpx.Client
) -> None:
    settings = Settings(
        database_url=engine.url.render_as_string(hide_password=False),
        secret_key="test-nyckel-" + "y" * 40,
    )
    key = settings.link_key()
    with Session(engine) as session:
        apply_config(session, load_config())
        municipality = session.exec(select(Municipality)).one()
        bun = session.exec(select(OrgUnit).where(OrgUnit.key == "bun")).one()
        session.add(
            BudgetFrame(
                municipality_id=municipality.id,
                unit_id=bun.id,
                budget_year=2028,
                kind="operations",
                status="council",
                amount_kr=420_000_000,
            )
        )
        stage = ensure_stage_instance(
            session, municipality=municipality, year=2027, slug="namndbudget"
        )
        report = open_requests(
            session,
            municipality=municipality,
            stage=stage,
            as_of=dt.datetime(2027, 9, 1, 8, tzinfo=STOCKHOLM),
            link_key=key,
        )
        session.commit()
        request = next(r for r in report.created if r.unit_id == bun.id)
        rid, token = request.id, link_tokens.derive_token(key, request.id, request.token_salt)
    clock = Clock(dt.datetime(2027, 10, 1, 9, tzinfo=STOCKHOLM))
    with serving(create_app(settings=settings, engine=engine, clock=clock)) as base:
        url = f"{base}/begaran/{rid}/{token}"
        page = client.get(url).text
        assert "Ram 2028 enligt KF" in page and f"420{NBSP}000,0{NBSP}tkr" in page
        assert 'name="distribution.7.amount_kr"' in page  # eight rows, no JavaScript
        values = {
            "submitted_by": "Anna",
            "goals_text": "Alla barn ska nå målen",
            "distribution.0.activity": "Förskola",
            "distribution.0.amount_kr": "150 000",
            "distribution.1.activity": "Grundskola",
            "distribution.1.amount_kr": "269 000",
            "distribution.2.activity": "",
            "distribution.2.amount_kr": "",
            "activities.0.title": "Läsfrämjande",
            "activities.0.goal": "",
            "activities.0.responsible": "",
            "activities.1.title": "",
            "activities.1.goal": "Mål 2",
            "activities.1.responsible": "",
        }
        response = post(client, url, values)
        assert response.status_code == 422
        html = text_of(response.text)
        assert f"419{NBSP}000,0{NBSP}tkr" in html and f"420{NBSP}000,0{NBSP}tkr" in html
        assert "Fyll i även detta fält, eller töm hela raden" in html  # activities row 2
        assert counts(engine)[0] == 0
        values.update({"distribution.1.amount_kr": "270 000", "activities.1.goal": ""})
        response = post(client, url, values)
        assert response.status_code == 303
    with Session(engine) as session:
        stored = session.exec(select(Submission)).one()
        assert [r["amount_kr"] for r in stored.data["distribution"]] == [150_000_000, 270_000_000]
        assert stored.data["activities"] == [
            {"title": "Läsfrämjande", "goal": "", "responsible": ""}
        ]


# --------------------------------------------------------------------------- content checks
def test_attachment_checks_without_a_server() -> None:
    from arshjul.portal.attachments import (
        AttachmentRefused,
        check_attachment,
        format_size,
        safe_filename,
    )

    ten_mb = 10 * 1024 * 1024
    with pytest.raises(AttachmentRefused, match=f"Filen är större än 10{NBSP}MB"):
        check_attachment("stor.pdf", PDF + b"0" * ten_mb, limit=ten_mb)
    assert check_attachment("liten.pdf", PDF, limit=ten_mb).content_type == "application/pdf"
    xlsm = _office("application/vnd.ms-excel.sheet.macroEnabled.main+xml", "xl/workbook.xml")
    with pytest.raises(AttachmentRefused, match="makron"):
        check_attachment("kalkyl.xlsx", xlsm, limit=ten_mb)
    with pytest.raises(AttachmentRefused, match="”tom.pdf” är tom"):
        check_attachment("tom.pdf", b"", limit=ten_mb)
    with pytest.raises(AttachmentRefused, match="”bild.png” är varken"):
        check_attachment("C:\\Users\\anna\\bild.png", b"\x89PNG\r\n\x1a\n", limit=ten_mb)
    # A main part declared but missing from the archive is no document.
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            "[Content_Types].xml",
            f'<Types><Override PartName="/word/saknas.xml" ContentType="{DOCX_MAIN}"/></Types>',
        )
    broken = buffer.getvalue()
    with pytest.raises(AttachmentRefused, match="varken"):
        check_attachment("tom.docx", broken, limit=ten_mb)
    assert safe_filename("../../a\x00b<c>.docx", ".pdf") == "a b c.pdf"
    assert safe_filename("...", ".docx") == "bilaga.docx"
    assert safe_filename("Årsredovisning ÅÄÖ.pdf", ".pdf") == "Årsredovisning ÅÄÖ.pdf"
    assert format_size(1536 * 1024) == f"1,5{NBSP}MB"


def test_unknown_pages_and_versions_answer_in_swedish(world: World, client: httpx.Client) -> None:
    missing = client.get(f"{world.base}/finns-inte")
    assert missing.status_code == 404 and "Sidan finns inte" in missing.text
    assert missing.headers["content-type"].startswith("text/html")
    assert post(client, world.url(), form()).status_code == 303
    for version in ("9", "x", "9" * 40):
        response = client.get(f"{world.url()}/kvitto/{version}")
        assert response.status_code == 404 and "Versionen finns inte" in response.text
    assert client.get(world.url(rid="9" * 5000)).status_code == 403
    home = client.get(f"{world.base}/")
    assert home.status_code == 200 and "personliga länken" in home.text


def test_the_annual_report_asks_for_each_controls_outcome(
    engine: Engine, client: httpx.Client
) -> None:
    from arshjul.models import Control, Risk

    settings = Settings(
        database_url=engine.url.render_as_string(hide_password=False),
        secret_key="test-nyckel-" + "z" * 40,
    )
    key = settings.link_key()
    with Session(engine) as session:
        apply_config(session, load_config())
        municipality = session.exec(select(Municipality)).one()
        bun = session.exec(select(OrgUnit).where(OrgUnit.key == "bun")).one()
        risk = Risk(
            municipality_id=municipality.id,
            unit_id=bun.id,
            year=2027,
            key="r1",
            description="Intrång i elevregistret",
            category="IT",
            probability=4,
            consequence=4,
        )
        session.add(risk)
        session.flush()
        session.add(
            Control(
                municipality_id=municipality.id,
                risk_id=risk.id,
                key="k1",
                method="Behörighetskontroll",
            )
        )
        stage = ensure_stage_instance(
            session, municipality=municipality, year=2027, slug="arsredovisning"
        )
        report = open_requests(
            session,
            municipality=municipality,
            stage=stage,
            as_of=dt.datetime(2028, 1, 12, 8, tzinfo=STOCKHOLM),
            link_key=key,
        )
        session.commit()
        request = next(r for r in report.created if r.unit_id == bun.id)
        rid, token = request.id, link_tokens.derive_token(key, request.id, request.token_salt)
    clock = Clock(dt.datetime(2028, 1, 20, 9, tzinfo=STOCKHOLM))
    with serving(create_app(settings=settings, engine=engine, clock=clock)) as base:
        url = f"{base}/begaran/{rid}/{token}"
        page = client.get(url).text
        assert "Behörighetskontroll" in page and 'name="controls.k1.outcome"' in page
        values = {
            "submitted_by": "Anna",
            "result_comment": "Året slutade nära budget.",
            "internal_control": "Planen genomfördes.",
            "goals.bun-1.attainment": "uppfyllt",
            "goals.bun-1.motivation": "Målvärdet nåddes.",
            "indicators.bun-1-a": "88",
            "controls.k1.outcome": "",
            "controls.k1.measure": "",
        }
        response = post(client, url, values)
        assert response.status_code == 422 and "Fältet måste fyllas i" in text_of(response.text)
        assert counts(engine)[0] == 0
        values["controls.k1.outcome"] = "Inga obehöriga konton hittades."
        assert post(client, url, values).status_code == 303
    with Session(engine) as session:
        stored = session.exec(select(Submission)).one()
        assert stored.data["controls"]["k1"]["outcome"] == "Inga obehöriga konton hittades."
