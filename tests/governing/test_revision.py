"""``arshjul decide styrdokument``: a new decision on a revised governing document is a new
version, the old one kept; a decision that cannot stand is refused in Swedish and changes
nothing (#18, item 5), on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select
from typer.testing import CliRunner

from arshjul.config.apply import apply_config
from arshjul.config.loader import load_config
from arshjul.errors import ArshjulError
from arshjul.imports.governing_revision import record_revision
from arshjul.models import AuditEntry, GoverningDocument, Municipality

STOCKHOLM = ZoneInfo("Europe/Stockholm")
AS_OF = dt.datetime(2027, 5, 10, 9, 0, tzinfo=STOCKHOLM)


def _versions(session: Session, key: str) -> list[tuple[str, str, str, dt.date]]:
    return [
        (d.state, d.paragraph, d.deciding_body, d.next_review_on)
        for d in session.exec(
            select(GoverningDocument)
            .where(GoverningDocument.key == key)
            .order_by(col(GoverningDocument.decided_on))
        )
    ]


def _arboga(engine: Engine) -> tuple[Session, Municipality]:
    session = Session(engine, expire_on_commit=False)
    municipality = apply_config(session, load_config()).municipality
    session.commit()
    return session, municipality


def test_a_revision_is_a_new_version_and_the_old_one_is_kept(engine: Engine) -> None:
    session, municipality = _arboga(engine)
    with session:
        revision = record_revision(
            session,
            municipality=municipality,
            key="politiskt-program",
            decided_on=dt.date(2027, 5, 4),
            paragraph="KF § 52",
            as_of=AS_OF,
            actor="controller",
            file="https://www.arboga.example/styrdokument/politiskt-program-2027-2030.pdf",
        )
        session.commit()
        assert revision.new.replaces_id == revision.replaced.id
        assert revision.new.replaces == "Politiskt program (KF § 14, 23 februari 2023)"
        assert _versions(session, "politiskt-program") == [
            ("superseded", "KF § 14", "council", dt.date(2027, 2, 23)),
            ("in_force", "KF § 52", "council", dt.date(2031, 5, 4)),  # once per term after
        ]
        (entry,) = session.exec(
            select(AuditEntry).where(AuditEntry.action == "decide.styrdokument")
        ).all()
        assert entry.details["replaces_id"] == revision.replaced.id


@pytest.mark.parametrize(
    ("key", "date", "body", "message"),
    [
        ("finns-inte", "2027-05-04", None, "--dokument: ”finns-inte” är inget styrdokument"),
        ("politiskt-program", "2027-06-01", None, "--date: beslutet 2027-06-01 ligger i framtiden"),
        (
            "politiskt-program",
            "2022-12-01",
            None,
            "--date: det nya beslutet om ”Politiskt program” ska vara fattat efter det som "
            "gäller (KF § 14, 23 februari 2023)",
        ),
        ("politiskt-program", "2027-05-04", "kommundirektören", "--beslutat-av: "),
        ("politiskt-program", "2027-05-04", "ingen", "--beslutat-av: ”ingen” är inget beslutande"),
    ],
)
def test_a_decision_that_cannot_stand_is_refused_and_changes_nothing(
    engine: Engine, key: str, date: str, body: str | None, message: str
) -> None:
    session, municipality = _arboga(engine)
    with session:
        before = _versions(session, "politiskt-program")
        with pytest.raises(ArshjulError) as refused:
            record_revision(
                session,
                municipality=municipality,
                key=key,
                decided_on=dt.date.fromisoformat(date),
                paragraph="KF § 52",
                as_of=AS_OF,
                actor="controller",
                body=body,
            )
        assert str(refused.value).startswith(message)
        session.rollback()
        assert _versions(session, "politiskt-program") == before


def test_the_command_line_registers_the_decision_and_says_what_it_did(engine: Engine) -> None:
    """Decided today or earlier (the command registers what has been decided)."""
    from arshjul.cli import app

    session, _ = _arboga(engine)
    session.close()
    result = CliRunner().invoke(
        app,
        [
            "decide",
            "styrdokument",
            "--dokument",
            "politiskt-program",
            "--date",
            "2026-11-26",
            "--paragraph",
            "KF § 140",
        ],
    )
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "Nytt beslut registrerat: Politiskt program, KF § 140, 26 november 2026.",
        "Versionen från 23 februari 2023 (KF § 14) är sparad och gäller inte längre.",
        "Nästa översyn: senast 26 november 2030.",
    ]
    missing = CliRunner().invoke(
        app, ["decide", "styrdokument", "--date", "2027-05-04", "--paragraph", "x"]
    )
    # In process the error itself comes back; the console script prints it (test_cli.py).
    assert isinstance(missing.exception, ArshjulError)
    assert str(missing.exception).startswith("--dokument: ange styrdokumentets nyckel")
