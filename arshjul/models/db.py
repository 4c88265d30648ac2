"""The database: one engine per URL, one session helper, schema upgrades with Alembic."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session, create_engine

from arshjul import models  # noqa: F401  (registers every table on SQLModel.metadata)
from arshjul.errors import ArshjulError
from arshjul.models.cycle import Decision

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    # Several writers (portal workers, a flow, the CLI) share one file: wait, don't fail.
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


@lru_cache(maxsize=8)
def get_engine(url: str) -> Engine:
    """The engine for ``url``: SQLite with foreign keys and WAL, or PostgreSQL."""
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    if url.startswith("sqlite"):
        # Room for every portal thread: a connection beyond the pool is opened
        # and closed per use, and opening one runs the pragmas below.
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": 30},
            pool_size=10,
            max_overflow=20,
        )
        event.listen(engine, "connect", _sqlite_pragmas)
    else:
        engine = create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)
    return engine


def default_engine() -> Engine:
    from arshjul.settings import get_settings

    return get_engine(get_settings().database_url)


@contextmanager
def session_scope(engine: Engine | None = None) -> Iterator[Session]:
    """A session that commits when the block ends and rolls back on any error."""
    with Session(engine or default_engine(), expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def upgrade(engine: Engine) -> None:
    """Create or upgrade the schema to the newest Alembic revision."""
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        cfg.attributes["connection"] = connection
        try:
            command.upgrade(cfg, "head")
        except Exception as exc:  # a database we cannot reach or migrate
            raise ArshjulError(
                f"Databasen {engine.url.render_as_string(hide_password=True)} kunde inte "
                f"skapas eller uppgraderas: {exc.__class__.__name__}: {exc}"
            ) from exc


@event.listens_for(OrmSession, "before_flush")
def _decisions_are_immutable(session: OrmSession, _context: Any, _instances: Any) -> None:
    for obj in session.dirty:
        if isinstance(obj, Decision) and session.is_modified(obj):
            raise ArshjulError(
                "Ett registrerat beslut ändras inte: registrera ett nytt beslut som rättar det."
            )
    for obj in session.deleted:
        if isinstance(obj, Decision):
            raise ArshjulError("Ett registrerat beslut tas inte bort.")
