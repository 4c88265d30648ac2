"""Shared fixtures: a fresh database on SQLite and on PostgreSQL.

The PostgreSQL tests never skip: this machine and CI run PostgreSQL on
127.0.0.1:5432 (trust authentication). Each test gets its own database, made
from the migrations, and dropped afterwards. The migrations run once per session
into a template database that each test's database is copied from: migrating
afresh cost 0.8–1.5 s a test, 135 times.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy import Engine

PG_ADMIN_URL = os.environ.get(
    "ARSHJUL_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


@pytest.fixture(autouse=True)
def _isolated_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No test reads the developer's environment or writes in the checkout."""
    for name in list(os.environ):
        if name.startswith("ARSHJUL_") and name != "ARSHJUL_TEST_POSTGRES_URL":
            monkeypatch.delenv(name)
    monkeypatch.setenv("ARSHJUL_DATABASE_URL", f"sqlite:///{tmp_path / 'arshjul.db'}")
    monkeypatch.setenv("ARSHJUL_MAIL_DIR", str(tmp_path / "e-post"))
    monkeypatch.setenv("ARSHJUL_OUTPUT_DIR", str(tmp_path / "utdata"))
    monkeypatch.setenv("ARSHJUL_PDF", "0")  # LibreOffice only where a test asks for it
    from arshjul.settings import get_settings

    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def _sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'test.db'}"


def _postgres_url(template: str | None = None) -> Iterator[str]:
    name = f"arshjul_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        copy_of = f' TEMPLATE "{template}"' if template else ""
        conn.execute(sa.text(f'CREATE DATABASE "{name}"{copy_of}'))
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    try:
        yield url
    finally:
        from arshjul.models.db import get_engine

        get_engine(url).dispose()
        get_engine.cache_clear()
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def _migrated_postgres_template() -> Iterator[str]:
    """A PostgreSQL database at the newest migration, for test databases to copy."""
    from arshjul.models.db import get_engine, upgrade

    for url in _postgres_url():
        engine = get_engine(url)
        upgrade(engine)
        engine.dispose()  # a template with a connection open cannot be copied
        yield url.rsplit("/", 1)[1]


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A migrated, empty database: once on SQLite, once on PostgreSQL."""
    if request.param == "sqlite":
        yield _sqlite_url(tmp_path)
    else:
        yield from _postgres_url(template=request.getfixturevalue("_migrated_postgres_template"))


@pytest.fixture
def engine(db_url: str, monkeypatch: pytest.MonkeyPatch) -> Engine:
    """The migrated database, and the settings pointing at it (as the flows' steps read them)."""
    from arshjul.models.db import get_engine, upgrade
    from arshjul.settings import get_settings

    monkeypatch.setenv("ARSHJUL_DATABASE_URL", db_url)
    if db_url.startswith("postgresql") and "ARSHJUL_SECRET_KEY" not in os.environ:
        monkeypatch.setenv("ARSHJUL_SECRET_KEY", "t" * 40)  # production settings demand one
    get_settings.cache_clear()
    engine = get_engine(db_url)
    upgrade(engine)
    return engine


@pytest.fixture(scope="session")
def prefect_harness() -> Iterator[None]:
    """One temporary Prefect server per test worker (its migrations take 10–25 s)."""
    os.environ.setdefault("DO_NOT_TRACK", "1")
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings
    from prefect.testing.utilities import prefect_test_harness

    # Without the heartbeat thread a flow ends about a second sooner (PREFECT.md).
    with (
        prefect_test_harness(server_startup_timeout=120),
        temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}),
    ):
        yield


@pytest.fixture
def arboga(tmp_path: Path) -> Iterator[Engine]:
    """The shipped Arboga configuration in a fresh SQLite database of the settings."""
    from sqlmodel import Session

    from arshjul.config.apply import apply_config
    from arshjul.config.loader import load_config
    from arshjul.models.db import default_engine, get_engine, upgrade

    engine = default_engine()
    upgrade(engine)
    with Session(engine) as session:
        apply_config(session, load_config())
        session.commit()
    yield engine
    engine.dispose()
    get_engine.cache_clear()


class _Inbox:
    """What a real SMTP server on loopback received."""

    def __init__(self) -> None:
        self.messages: list[object] = []

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]  # noqa: N802
        from email import policy
        from email.parser import BytesParser

        self.messages.append(BytesParser(policy=policy.default).parsebytes(envelope.content))
        return "250 OK"

    def subjects(self) -> list[str]:
        return [str(m["Subject"]) for m in self.messages]  # type: ignore[index]


@pytest.fixture
def smtp_inbox(monkeypatch: pytest.MonkeyPatch) -> Iterator[_Inbox]:
    """An aiosmtpd server on a free loopback port; the settings point the outbox at it."""
    import socket

    from aiosmtpd.controller import Controller

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setenv("ARSHJUL_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("ARSHJUL_SMTP_PORT", str(port))
    from arshjul.settings import get_settings

    get_settings.cache_clear()
    try:
        yield inbox
    finally:
        controller.stop()
        get_settings.cache_clear()


@pytest.fixture
def postgres_url(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A fresh, empty PostgreSQL database, and the settings pointing at it."""
    for url in _postgres_url():
        monkeypatch.setenv("ARSHJUL_DATABASE_URL", url)
        monkeypatch.setenv("ARSHJUL_SECRET_KEY", "p" * 40)
        from arshjul.settings import get_settings

        get_settings.cache_clear()
        yield url
