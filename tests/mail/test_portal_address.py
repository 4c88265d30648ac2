"""One address for every link (issue 14, item 3): the rule, the sender's use of it, the locks.

The address comes from ``ARSHJUL_PORTAL_URL``, else the municipality's ``[portal] url``
as stored by ``arshjul init``, else http://127.0.0.1:8000; each message's link
is made with its own municipality's address, whichever process sends it.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from sqlalchemy import Engine, update
from sqlmodel import Session, select
from test_mail import AS_OF, DEADLINE, GRACE, db, enqueue_request, make_world, parse

from arshjul import links
from arshjul.config.apply import apply_config
from arshjul.config.loader import load_config, shipped_config_path
from arshjul.errors import ArshjulError
from arshjul.mail import sender as sender_module
from arshjul.mail.address import DEFAULT_PORTAL_URL, portal_address
from arshjul.mail.sender import SQLITE_LOCK_SUFFIX, deliver_queued
from arshjul.models import (
    Cycle,
    MessageState,
    Municipality,
    OrgUnit,
    OutboxMessage,
    StageInstance,
    SubmissionRequest,
)
from arshjul.settings import Settings, get_settings, is_local_url

KEY = "en-hemlig-nyckel-bara-for-testerna-0123456789"


def settings_for(tmp_path: Path, **overrides: object) -> Settings:
    values: dict[str, object] = {"secret_key": KEY, "mail_dir": tmp_path / "e-post"}
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


def links_of(report_files: list[Path]) -> list[str]:
    found = []
    for path in report_files:
        body = parse(path.read_bytes()).get_body(("plain",))
        assert body is not None
        text = body.get_content()
        found += [w for w in text.split() if "/begaran/" in w]
    return found


def test_the_rule_environment_then_configuration_then_default() -> None:
    config = load_config().config
    bare = Settings()
    assert portal_address(bare, config).url == "https://arshjul.arboga.example"
    assert portal_address(bare, config).source == "config"
    assert portal_address(bare, None).url == DEFAULT_PORTAL_URL
    assert portal_address(bare, None).local
    over = Settings(portal_url="https://portal.kommun.se/")
    assert over.portal_url == "https://portal.kommun.se"
    assert portal_address(over, config).url == "https://portal.kommun.se"
    assert portal_address(over, config).setting() == "ARSHJUL_PORTAL_URL"


@pytest.mark.parametrize(
    ("url", "local"),
    [
        ("http://127.0.0.1:8000", True),
        ("http://127.3.4.5", True),
        ("http://localhost:8000/", True),
        ("http://LOCALHOST.", True),
        ("http://[::1]:8000", True),
        ("http://0.0.0.0:8000", True),
        ("http://portal.localhost", True),
        ("https://arshjul.arboga.se", False),
        ("http://10.0.0.5:8000", False),  # the municipality's network reaches it
        ("https://localhost.arboga.se", False),
    ],
)
def test_what_only_this_machine_reaches(url: str, local: bool) -> None:
    assert is_local_url(url) is local


def test_the_environment_variable_is_checked_at_start(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ARSHJUL_PORTAL_URL", "arshjul.kommun.se")
    get_settings.cache_clear()
    with pytest.raises(ArshjulError) as caught:
        get_settings()
    assert "ARSHJUL_PORTAL_URL: ”arshjul.kommun.se” är ingen webbadress" in str(caught.value)
    monkeypatch.setenv("ARSHJUL_PORTAL_URL", "")  # set but empty: unset
    get_settings.cache_clear()
    assert get_settings().portal_url is None


def _second_municipality(session: Session, tmp_path: Path, url: str) -> SubmissionRequest:
    """Köping beside Arboga in the same database, with its own address and one open request."""
    text = shipped_config_path().read_text(encoding="utf-8")
    text = text.replace('code = "1984"', 'code = "1983"').replace(
        'url = "https://arshjul.arboga.example"', f'url = "{url}"'
    )
    text = text.replace('name = "Arboga kommun"', 'name = "Köpings kommun"')
    path = tmp_path / "koping.toml"
    path.write_text(text, encoding="utf-8")
    apply_config(session, load_config(path))
    municipality = session.exec(select(Municipality).where(Municipality.code == "1983")).one()
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
    unit = session.exec(
        select(OrgUnit).where(OrgUnit.municipality_id == municipality.id, OrgUnit.key == "bun")
    ).one()
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
    return request


def test_each_message_takes_its_own_municipalitys_address(engine: Engine, tmp_path: Path) -> None:
    koping = "https://underlag.koping.example"
    settings = settings_for(tmp_path)
    with db(engine) as session:
        world = make_world(session, settings)
        enqueue_request(session, world, key="arboga", attachments=())
        request = _second_municipality(session, tmp_path, koping)
        arboga_request = world.request
        world.municipality = session.get(Municipality, request.municipality_id)  # type: ignore[assignment]
        world.request = request
        enqueue_request(session, world, key="koping", attachments=())
        session.commit()
    report = deliver_queued(engine, settings=settings, as_of=AS_OF)
    assert report.sent == 2
    found = sorted(links_of(report.written_files))
    assert [link.rsplit("/", 1)[0] for link in found] == [
        f"https://arshjul.arboga.example/begaran/{arboga_request.id}",
        f"{koping}/begaran/{request.id}",
    ]


def test_a_receipt_superseded_while_it_was_sent_is_recorded_as_sent(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A newer version replaces the queued receipt between the pass's read and its send
    (lifecycle.submissions): what went out is recorded, so the next receipt waits its window."""
    settings = settings_for(tmp_path)
    with db(engine) as session:
        world = make_world(session, settings)
        message = enqueue_request(session, world, key="kvitto:1", attachments=())
        assert message is not None
        message.purpose = "receipt"
        session.add(message)
        session.commit()
        message_id = message.id

    building = sender_module._Batch.message

    def replaced_meanwhile(self: sender_module._Batch, row: object) -> tuple[bytes, list[str]]:
        with engine.begin() as conn:
            conn.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == message_id)  # type: ignore[arg-type]
                .values(state=MessageState.SUPERSEDED)
            )
        return building(self, row)

    monkeypatch.setattr(sender_module._Batch, "message", replaced_meanwhile)
    assert deliver_queued(engine, settings=settings, as_of=AS_OF, purpose="receipt").sent == 1
    with Session(engine) as session:
        row = session.get(OutboxMessage, message_id)
        assert row is not None and row.state == MessageState.SENT and row.sent_at is not None


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # PostgreSQL: an advisory lock
def test_a_pass_on_sqlite_holds_a_private_lock_file(engine: Engine, tmp_path: Path) -> None:
    settings = settings_for(tmp_path)
    with db(engine) as session:
        enqueue_request(session, make_world(session, settings), attachments=())
        session.commit()
    assert deliver_queued(engine, settings=settings, as_of=AS_OF).sent == 1
    lock = Path(f"{engine.url.database}{SQLITE_LOCK_SUFFIX}")
    assert lock.is_file() and stat.S_IMODE(os.stat(lock).st_mode) == 0o600
