"""Shared fixtures: a fresh database on SQLite and on PostgreSQL.

The PostgreSQL tests never skip: this machine and CI run PostgreSQL on
127.0.0.1:5432 (trust authentication). Each test gets its own database, made
from the migrations, and dropped afterwards.
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
    from arshjul.settings import get_settings

    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def _sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'test.db'}"


def _postgres_url() -> Iterator[str]:
    name = f"arshjul_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
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


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A migrated, empty database: once on SQLite, once on PostgreSQL."""
    if request.param == "sqlite":
        yield _sqlite_url(tmp_path)
    else:
        yield from _postgres_url()


@pytest.fixture
def engine(db_url: str) -> Engine:
    from arshjul.models.db import get_engine, upgrade

    engine = get_engine(db_url)
    upgrade(engine)
    return engine
