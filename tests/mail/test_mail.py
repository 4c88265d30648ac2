"""The outbox: enqueueing, the templates, and delivery as .eml files (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
import datetime as dt
import email.policy
import re
from dataclasses import dataclass
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, func
from sqlmodel import Session, select

from arshjul import links
from arshjul.config.apply import apply_config
from arshjul.config.loader import load_config
from arshjul.formats import NBSP
from arshjul.mail import outbox as outbox_module
from arshjul.mail.outbox import enqueue, message_id_for
from arshjul.mail.render import TEMPLATES, render
from arshjul.mail.sender import deliver_queued
from arshjul.models import (
    Cycle,
    Municipality,
    OrgUnit,
    StageInstance,
    SubmissionRequest,
)
from arshjul.models.outbox import MessageState, OutboxAttachment, OutboxMessage
from arshjul.settings import Settings

STOCKHOLM = ZoneInfo("Europe/Stockholm")
AS_OF = dt.datetime(2027, 4, 13, 7, 0, tzinfo=STOCKHOLM)
DEADLINE = dt.datetime(2027, 5, 7, 16, 0, tzinfo=STOCKHOLM)
GRACE = dt.datetime(2027, 5, 11, 16, 0, tzinfo=STOCKHOLM)
PORTAL = "https://arshjul.arboga.example"
PDF = b"%PDF-1.4\n% anvisningar\n" + bytes(range(256))
PDF_NAME = "Anvisningar för tertialuppföljning 2027.pdf"


def make_settings(tmp_path: Path, **overrides: object) -> Settings:
    """Settings for a test: a fixed key, a mail folder in tmp_path, .eml unless overridden."""
    values: dict[str, object] = {
        "secret_key": "en-hemlig-nyckel-bara-for-testerna-0123456789",
        "mail_dir": tmp_path / "e-post",
        "portal_url": PORTAL,
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


@dataclass
class World:
    municipality: Municipality
    stage: StageInstance
    unit: OrgUnit
    request: SubmissionRequest


def make_world(session: Session, settings: Settings, unit_name: str | None = None) -> World:
    """Arboga from the shipped config, a 2027 tertial stage and a request to BUN with a link."""
    apply_config(session, load_config())
    municipality = session.exec(select(Municipality)).one()
    cycle = Cycle(municipality_id=municipality.id, year=2027)
    session.add(cycle)
    session.flush()
    stage = StageInstance(
        municipality_id=municipality.id,
        cycle_id=cycle.id,
        slug="tertial",
        name="Tertialuppföljning",
        opens_on=AS_OF.date(),
        deadline_on=DEADLINE.date(),
        deadline_at=DEADLINE,
    )
    session.add(stage)
    session.flush()
    unit = session.exec(select(OrgUnit).where(OrgUnit.key == "bun")).one()
    if unit_name is not None:
        unit.name = unit_name
        session.add(unit)
    request = SubmissionRequest(
        municipality_id=municipality.id,
        stage_instance_id=stage.id,
        unit_id=unit.id,
        deadline_at=DEADLINE,
        grace_until=GRACE,
        opened_at=AS_OF,
        token_salt=links.new_salt(),
    )
    session.add(request)
    session.flush()
    token = links.derive_token(settings.link_key(), request.id, request.token_salt)
    request.token_hash = links.hash_token(token)
    session.add(request)
    session.flush()
    return World(municipality, stage, unit, request)


def request_context(world: World, **overrides: object) -> dict[str, object]:
    context: dict[str, object] = {
        "municipality_name": world.municipality.name,
        "unit_name": world.unit.name,
        "stage_name": world.stage.name,
        "year": 2027,
        "deadline": DEADLINE,
        "grace_until": GRACE,
        "link": links.LINK_PLACEHOLDER,
        "asks": ["Helårsprognos för driften", "Analys av avvikelser och åtgärder"],
        "controller_name": "Controller BUN (exempel)",
        "controller_email": "bun.controller@arboga.example",
        "document_name": PDF_NAME,
    }
    context.update(overrides)
    return context


def enqueue_request(
    session: Session, world: World, *, key: str | None = None, **overrides: object
) -> OutboxMessage | None:
    """Queue the request e-mail for the world's request, as the lifecycle would."""
    kwargs: dict[str, object] = {
        "to": [("Nämndsekreterare BUN (exempel)", "bun.sekreterare@arboga.example")],
        "cc": [("Controller BUN (exempel)", "bun.controller@arboga.example")],
        "reply_to": "bun.controller@arboga.example",
        "attachments": [(PDF_NAME, "application/pdf", PDF)],
    }
    kwargs.update(overrides)
    return enqueue(
        session,
        municipality=world.municipality,
        dedup_key=key or f"begaran:{world.request.id}",
        purpose="request",
        template="request",
        context=request_context(world),
        request_id=world.request.id,
        **kwargs,  # type: ignore[arg-type]
    )


def db(engine: Engine) -> Session:
    """A session whose objects stay readable after commit (the tests reuse them)."""
    return Session(engine, expire_on_commit=False)


def parse(data: bytes) -> EmailMessage:
    return BytesParser(policy=email.policy.default).parsebytes(data)  # type: ignore[return-value]


def token_in(text: str, request_id: int) -> str:
    found = re.search(rf"{re.escape(PORTAL)}/begaran/{request_id}/([A-Za-z0-9_-]{{43}})", text)
    assert found, f"no live link in {text!r}"
    return found.group(1)


def count_messages(engine: Engine) -> int:
    with db(engine) as session:
        return session.exec(select(func.count()).select_from(OutboxMessage)).one()


SUBJECT = (
    "Begäran om underlag: Tertialuppföljning 2027 – Barn- och utbildningsnämnden, senast 7 maj 2027"
)


# ---------------------------------------------------------------- enqueue


def test_enqueue_twice_with_the_same_key_gives_one_row(engine: Engine, tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    with db(engine) as session:
        world = make_world(session, settings)
        first = enqueue_request(session, world)
        assert first is not None and first.id is not None
        assert enqueue_request(session, world) is None
        session.commit()
        assert enqueue_request(session, world) is None  # also across transactions
        session.commit()
    assert count_messages(engine) == 1
    with db(engine) as session:
        attachments = session.exec(select(OutboxAttachment)).all()
        assert [(a.filename, a.content) for a in attachments] == [(PDF_NAME, PDF)]


def test_a_concurrent_twin_returns_none_and_keeps_the_callers_transaction(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = make_settings(tmp_path)
    with db(engine) as session:
        world = make_world(session, settings)
        session.commit()
    with db(engine) as other:
        assert enqueue_request(other, world) is not None
        other.commit()
    with db(engine) as session:
        unit = session.get(OrgUnit, world.unit.id)
        assert unit is not None
        unit.sort_order = 99  # the caller's own work in the same transaction
        session.add(unit)
        # The check ran before the twin committed: only the unique key can stop it now.
        real_exists = outbox_module._exists
        checks: list[bool] = []

        def first_check_misses(*args: object) -> bool:
            checks.append(real_exists(*args))  # type: ignore[arg-type]
            return checks[-1] if len(checks) > 1 else False

        monkeypatch.setattr(outbox_module, "_exists", first_check_misses)
        assert enqueue_request(session, world) is None
        assert checks == [True, True]  # missed once, then the insert failed and the re-check saw it
        session.commit()
    assert count_messages(engine) == 1
    with db(engine) as session:
        assert session.get(OrgUnit, world.unit.id).sort_order == 99  # type: ignore[union-attr]


def test_enqueue_commits_nothing_behind_the_callers_back(engine: Engine, tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    with db(engine) as session:
        world = make_world(session, settings)
        session.commit()
    with db(engine) as session:
        # enqueue is the first write of this transaction, then the caller changes its mind
        assert enqueue_request(session, world) is not None
        session.rollback()
    assert count_messages(engine) == 0


def test_the_stored_message_is_swedish_and_holds_no_live_link(
    engine: Engine, tmp_path: Path
) -> None:
    settings = make_settings(tmp_path)
    with db(engine) as session:
        world = make_world(session, settings)
        enqueue_request(session, world)
        session.commit()
    with db(engine) as session:
        row = session.exec(select(OutboxMessage)).one()
        assert row.subject == SUBJECT
        assert row.state == MessageState.QUEUED and row.next_attempt_at is None
        assert (row.from_name, row.from_address) == (
            "Ekonomiavdelningen, Arboga kommun",
            "ekonomi@arboga.example",
        )
        assert row.to == [["Nämndsekreterare BUN (exempel)", "bun.sekreterare@arboga.example"]]
        assert row.reply_to == "bun.controller@arboga.example"
        assert "Sista dag: 7 maj 2027 kl. 16.00" in row.body_text
        assert "11 maj 2027 kl. 16.00" in row.body_text  # the grace period
        assert "– Helårsprognos för driften" in row.body_text
        assert f"Bifogat: {PDF_NAME}" in row.body_text
        assert "Arboga kommun" in row.body_html and "Lämna underlag" in row.body_html
        for body in (row.body_text, row.body_html):
            assert links.LINK_PLACEHOLDER in body
            assert "/begaran/" not in body
        assert row.message_id == message_id_for(world.municipality, f"begaran:{world.request.id}")


def test_message_ids_are_stable_and_distinct() -> None:
    municipality = Municipality(code="1984", name="Arboga kommun", short_name="Arboga")
    municipality.mail_from_address = "ekonomi@arboga.example"
    one = message_id_for(municipality, "paminnelse:42:5")
    assert one == message_id_for(municipality, "paminnelse:42:5")
    assert re.fullmatch(
        r"<paminnelse\.42\.5\.[0-9a-f]{10}\.1984\.[0-9a-f]{8}@arboga\.example>", one
    )
    assert message_id_for(municipality, "a:b") != message_id_for(municipality, "a/b")
    assert message_id_for(municipality, "kvitto:1") != one


def test_message_ids_differ_between_installations() -> None:
    """#15: three databases gave the same ID to different requests; a mail system that drops
    a repeated Message-ID would have discarded real requests after a rebuild."""
    ids = set()
    for _ in range(3):
        installation = Municipality(code="1984", name="Arboga kommun", short_name="Arboga")
        installation.mail_from_address = "ekonomi@arboga.example"
        ids.add(message_id_for(installation, "begaran:1"))
    assert len(ids) == 3


def test_a_link_without_a_request_is_refused(engine: Engine, tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    with db(engine) as session:
        world = make_world(session, settings)
        with pytest.raises(ValueError, match="request_id"):
            enqueue(
                session,
                municipality=world.municipality,
                dedup_key="x",
                purpose="request",
                template="request",
                context=request_context(world),
                to=[("A", "a@arboga.example")],
            )


# ---------------------------------------------------------------- templates

SAMPLE_CONTEXTS: dict[str, dict[str, object]] = {
    "request": {
        "unit_name": "Barn- och utbildningsnämnden",
        "stage_name": "Tertialuppföljning",
        "year": 2027,
        "deadline": DEADLINE,
        "grace_until": GRACE,
        "link": links.LINK_PLACEHOLDER,
        "asks": ["Helårsprognos"],
        "controller_name": "Controller BUN",
        "controller_email": "bun.controller@arboga.example",
    },
    "receipt": {
        "unit_name": "Socialnämnden",
        "stage_name": "Delårsrapport",
        "year": 2027,
        "version": 2,
        "submitted_at": dt.datetime(2027, 9, 20, 14, 5, tzinfo=dt.UTC),
        "submitted_by": "sn.sekreterare@arboga.example",
        "late": True,
        "link": links.LINK_PLACEHOLDER,
        "summary": [("Helårsprognos", "−1 234,5 tkr"), ("Kommentar", "Ökade kostnader")],
    },
    "escalation": {
        "unit_name": "Kultur- och fritidsnämnden",
        "stage_name": "Tertialuppföljning",
        "year": 2027,
        "deadline": DEADLINE,
        "days_late": 3,
        "level": 2,
        "contacts_reached": ["Kommundirektören (exempel)", "Controller KS (exempel)"],
    },
    "deviation_escalation": {
        "unit_name": "Socialnämnden",
        "stage_name": "Delårsrapport",
        "year": 2027,
        "budget_kr": 250_000_000,
        "forecast_kr": 262_345_600,
        "deviation_kr": -12_345_600,
        "threshold_kr": 5_000_000,
        "explanation": "Fler placeringar än budgeterat.\nÅtgärder: se bilaga.",
    },
    "action_plan_request": {
        "unit_name": "Socialnämnden",
        "year": 2027,
        "deviation_kr": -12_345_600,
        "threshold_kr": 5_000_000,
        "deadline": dt.datetime(2027, 10, 29, 16, 0, tzinfo=STOCKHOLM),
        "link": links.LINK_PLACEHOLDER,
        "controller_name": "Controller SN",
        "controller_email": "sn.controller@arboga.example",
    },
    "notification": {
        "subject_text": "Beslut: Strategisk och ekonomisk plan 2028–2030",
        "heading": "Kommunfullmäktige har beslutat",
        "paragraphs": ["KF beslutade 26 augusti 2027, § 45.", "Planen är bifogad."],
    },
}
SAMPLE_CONTEXTS["reminder"] = {**SAMPLE_CONTEXTS["request"], "working_days_left": 3}
SAMPLE_CONTEXTS["new_link"] = {**SAMPLE_CONTEXTS["request"], "submitted": True}

EXPECTED_SUBJECTS = {
    "request": SUBJECT,
    "reminder": (
        "Påminnelse: Tertialuppföljning 2027 – Barn- och utbildningsnämnden, senast 7 maj 2027"
    ),
    "receipt": "Kvitto: Delårsrapport 2027 – Socialnämnden, version 2",
    "new_link": (
        "Ny länk: Tertialuppföljning 2027 – Barn- och utbildningsnämnden, senast 7 maj 2027"
    ),
    "escalation": (
        "Eskalering: Kultur- och fritidsnämnden har inte lämnat underlag till "
        "Tertialuppföljning 2027"
    ),
    "deviation_escalation": "Avvikelse över tröskelvärdet: Socialnämnden, Delårsrapport 2027",
    "action_plan_request": "Begäran om åtgärdsplan: Socialnämnden 2027, senast 29 oktober 2027",
    "notification": "Beslut: Strategisk och ekonomisk plan 2028–2030",
}


@pytest.mark.parametrize("template", TEMPLATES)
def test_every_template_renders_in_swedish(template: str) -> None:
    context = {"municipality_name": "Arboga kommun", **SAMPLE_CONTEXTS[template]}
    mail = render(template, context)
    assert mail.subject == EXPECTED_SUBJECTS[template]
    assert mail.html.startswith("<!DOCTYPE html>") and 'lang="sv"' in mail.html
    assert "Arboga kommun" in mail.html and "Arboga kommun" in mail.text
    assert "http" not in mail.html  # no external images or style sheets
    assert mail.text.endswith("\n") and "\n\n\n" not in mail.text


def test_template_details() -> None:
    base = {"municipality_name": "Arboga kommun"}
    receipt = render("receipt", {**base, **SAMPLE_CONTEXTS["receipt"]})
    assert "20 september 2027 kl. 16.05" in receipt.text  # UTC shown in Swedish time
    assert "markerat som försenat" in receipt.text
    assert "Helårsprognos: −1 234,5 tkr" in receipt.text
    deviation = render("deviation_escalation", {**base, **SAMPLE_CONTEXTS["deviation_escalation"]})
    assert f"Avvikelse:    −12{NBSP}345,6{NBSP}tkr" in deviation.text
    assert "Fler placeringar än budgeterat.\nÅtgärder: se bilaga." in deviation.text
    escalation = render("escalation", {**base, **SAMPLE_CONTEXTS["escalation"]})
    assert "för 3 arbetsdagar sedan" in escalation.text
    assert "kommundirektören" in escalation.text
    for left, phrase in (
        (0, "Sista dag är i dag"),
        (1, "om en arbetsdag"),
        (4, "om 4 arbetsdagar"),
    ):
        context = {**base, **SAMPLE_CONTEXTS["request"], "working_days_left": left}
        assert phrase in render("reminder", context).text
    with pytest.raises(Exception, match="working_days_left"):
        render("reminder", {**base, **SAMPLE_CONTEXTS["request"]})


def test_what_a_user_typed_is_escaped_in_html_and_intact_in_text(
    engine: Engine, tmp_path: Path
) -> None:
    settings = make_settings(tmp_path)
    name = "<script>alert('å')</script> & Barn"
    with db(engine) as session:
        world = make_world(session, settings, unit_name=name)
        row = enqueue_request(session, world)
        assert row is not None
        assert "<script>" not in row.body_html
        assert "&lt;script&gt;alert(&#39;å&#39;)&lt;/script&gt; &amp; Barn" in row.body_html
        assert name in row.body_text
        assert name in row.subject
        session.commit()
    deliver_queued(engine, settings=settings, as_of=AS_OF)
    [path] = list((tmp_path / "e-post").iterdir())
    parsed = parse(path.read_bytes())
    assert name in parsed["Subject"]
    assert "<script>" not in parsed.get_body(("html",)).get_content()  # type: ignore[union-attr]


# ---------------------------------------------------------------- .eml delivery


def test_eml_files_are_complete_readable_messages(engine: Engine, tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    with db(engine) as session:
        world = make_world(session, settings)
        row = enqueue_request(session, world)
        assert row is not None
        message_id, token_hash, request_id = (
            row.message_id,
            world.request.token_hash,
            row.request_id,
        )
        session.commit()

    report = deliver_queued(engine, settings=settings, as_of=AS_OF)
    assert (report.sent, report.failed, report.deferred) == (1, 0, 0)
    [path] = report.written_files
    assert path.parent == tmp_path / "e-post"
    assert path.name == (
        "2027-04-13 0001 Begäran om underlag – Tertialuppföljning 2027 – "
        "Barn- och utbildningsnämnden, senast 7 maj 2027.eml"
    )
    data = path.read_bytes()
    data.decode("ascii")  # 7-bit: encoded headers, quoted-printable and base64 bodies
    assert b"\r\n" in data
    msg = parse(data)
    assert msg["Subject"] == SUBJECT
    assert msg["From"].addresses[0].display_name == "Ekonomiavdelningen, Arboga kommun"
    assert msg["From"].addresses[0].addr_spec == "ekonomi@arboga.example"
    assert msg["To"].addresses[0].display_name == "Nämndsekreterare BUN (exempel)"
    assert msg["Cc"].addresses[0].addr_spec == "bun.controller@arboga.example"
    assert msg["Reply-To"].addresses[0].addr_spec == "bun.controller@arboga.example"
    assert msg["Message-ID"] == message_id
    assert msg["Date"].datetime == AS_OF
    assert msg["Auto-Submitted"] == "auto-generated"

    text = msg.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    html = msg.get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert "Tertialuppföljning 2027" in text and "Lämna underlag" in html
    token = token_in(text, request_id)  # type: ignore[arg-type]
    assert links.tokens_match(token, token_hash)  # type: ignore[arg-type]
    assert token_in(html, request_id) == token  # type: ignore[arg-type]
    assert links.LINK_PLACEHOLDER not in text + html
    [attachment] = list(msg.iter_attachments())
    assert attachment.get_filename() == PDF_NAME
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_content() == PDF

    with db(engine) as session:
        stored = session.exec(select(OutboxMessage)).one()
        assert stored.state == MessageState.SENT and stored.sent_at == AS_OF
        assert stored.attempts == 1 and stored.last_error == ""
        assert links.LINK_PLACEHOLDER in stored.body_text  # still no live link in the database
        assert token not in stored.body_text + stored.body_html
    again = deliver_queued(engine, settings=settings, as_of=AS_OF + dt.timedelta(days=1))
    assert (again.sent, again.written_files) == (0, [])


def test_eml_files_are_numbered_per_day_and_never_overwritten(
    engine: Engine, tmp_path: Path
) -> None:
    settings = make_settings(tmp_path)
    with db(engine) as session:
        world = make_world(session, settings)
        for n in range(2):
            enqueue_request(session, world, key=f"a:{n}")
        session.commit()
    first = deliver_queued(engine, settings=settings, as_of=AS_OF)
    with db(engine) as session:
        enqueue_request(session, world, key="b")
        session.commit()
    second = deliver_queued(engine, settings=settings, as_of=AS_OF + dt.timedelta(hours=2))
    names = sorted(p.name[:16] for p in first.written_files + second.written_files)
    assert names == ["2027-04-13 0001 ", "2027-04-13 0002 ", "2027-04-13 0003 "]
    assert len(list((tmp_path / "e-post").iterdir())) == 3


def test_a_bad_address_fails_the_message_and_not_the_batch(engine: Engine, tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    with db(engine) as session:
        world = make_world(session, settings)
        enqueue_request(session, world, key="trasig", to=[("Trasig", "inte en adress")])
        enqueue_request(session, world, key="hel")
        session.commit()
    report = deliver_queued(engine, settings=settings, as_of=AS_OF)
    assert (report.sent, report.failed) == (1, 1)
    with db(engine) as session:
        broken = session.exec(
            select(OutboxMessage).where(OutboxMessage.dedup_key == "trasig")
        ).one()
        assert broken.state == MessageState.FAILED
        assert broken.last_error.startswith("Ogiltig adress")


def test_only_due_messages_are_delivered(engine: Engine, tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    with db(engine) as session:
        world = make_world(session, settings)
        later = enqueue_request(session, world, key="senare")
        assert later is not None
        later.next_attempt_at = AS_OF + dt.timedelta(minutes=5)
        session.add(later)
        session.commit()
    assert deliver_queued(engine, settings=settings, as_of=AS_OF).sent == 0
    assert (
        deliver_queued(engine, settings=settings, as_of=AS_OF + dt.timedelta(minutes=5)).sent == 1
    )


def test_deliver_works_inside_a_running_event_loop(engine: Engine, tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    with db(engine) as session:
        world = make_world(session, settings)
        enqueue_request(session, world)
        session.commit()

    async def from_async_code() -> int:
        return deliver_queued(engine, settings=settings, as_of=AS_OF).sent

    assert asyncio.run(from_async_code()) == 1


def test_a_naive_as_of_is_refused(engine: Engine, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="tidszon"):
        deliver_queued(engine, settings=make_settings(tmp_path), as_of=dt.datetime(2027, 4, 13))


def test_headers_survive_hard_names_long_lists_and_long_subjects() -> None:
    from arshjul.mail.eml import MailParts, message_bytes

    hard = 'Åsa Öberg, "räkning" (BUN) <x>'
    many = [
        (f"Sekreterare {n} i Förvaltningen för ålderdom", f"s{n}@arboga.example") for n in range(30)
    ]
    subject = "Påminnelse: " + "Årsredovisning – Överförmyndarnämnden i Västmanland, " * 4
    data = message_bytes(
        MailParts(
            message_id="<test.1.1984@arboga.example>",
            from_name="Ekonomiavdelningen, Arboga kommun",
            from_address="ekonomi@arboga.example",
            to=[(hard, "asa@arboga.example"), *many],
            cc=[("", "kommun@arbogå.se")],
            reply_to="Controller Ö <controller@arboga.example>",
            subject=subject,
            text="Hej\n.\nFrom en rad som börjar med From\n",
            attachments=[("Bilaga – åäö.xlsx", "", b"\x00\x01")],
        ),
        date=AS_OF,
    )
    data.decode("ascii")
    assert all(len(line) <= 998 for line in data.split(b"\r\n"))
    msg = parse(data)
    assert msg["Subject"] == " ".join(subject.split())
    names = [a.display_name for a in msg["To"].addresses]
    assert names[0] == hard and names[1:] == [name for name, _ in many]
    assert msg["Cc"].addresses[0].addr_spec == "kommun@" + "arbogå.se".encode("idna").decode()
    assert msg["Reply-To"].addresses[0].display_name == "Controller Ö"
    body = msg.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    # CRLF as on the wire (a parser keeps a body's line ends); no ">From", no lost dot.
    assert body.replace("\r\n", "\n") == "Hej\n.\nFrom en rad som börjar med From\n"
    [attachment] = list(msg.iter_attachments())
    assert attachment.get_filename() == "Bilaga – åäö.xlsx"
    assert attachment.get_content_type() == "application/octet-stream"


@pytest.mark.postgres
@pytest.mark.parametrize("db_url", ["postgres"], indirect=True)
def test_two_passes_at_once_deliver_each_message_once(engine: Engine, tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    with db(engine) as session:
        world = make_world(session, settings)
        for n in range(60):
            enqueue_request(session, world, key=f"p:{n}", attachments=())
        session.commit()
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(2) as pool:
        runs = [
            pool.submit(deliver_queued, engine, settings=settings, as_of=AS_OF) for _ in range(2)
        ]
        reports = [run.result() for run in runs]
    assert sum(r.sent for r in reports) == 60
    files = list((tmp_path / "e-post").iterdir())
    assert len(files) == 60
    assert len({parse(f.read_bytes())["Message-ID"] for f in files}) == 60
