"""The database: one engine per URL, one session helper, schema upgrades with Alembic."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event, make_url
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session, create_engine

from arshjul import models  # noqa: F401  (registers every table on SQLModel.metadata)
from arshjul.errors import ArshjulError
from arshjul.models.cycle import Decision
from arshjul.settings import get_settings

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    # Several writers (portal workers, a flow, the CLI) share one file: wait, don't fail.
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _private_sqlite_file(dialect: Any, _record: Any, cargs: Any, cparams: Any) -> None:
    """Create a new SQLite file 0600, whatever the umask: it holds submissions and links.

    SQLite would create it with the umask's mode (0644 as a rule), readable by
    every user on the machine; its -wal and -shm files take the main file's mode.
    Runs before each connection is opened, and does nothing once the file exists.
    """
    database = cparams.get("database") or (cargs[0] if cargs else None)
    if not database or database == ":memory:" or str(database).startswith("file:"):
        return
    path = Path(database)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except (FileExistsError, FileNotFoundError, NotADirectoryError, PermissionError):
        return  # there already; or SQLite itself says why it cannot open it
    try:
        os.fchmod(fd, 0o600)  # open()'s mode is masked by the umask
    finally:
        os.close(fd)


CONNECT_TIMEOUT_SECONDS = 10


class DatabaseUnreachable(ArshjulError):
    """The database could not be connected to; the message names where, never the password."""


_REASONS = (
    ("connection refused", "ingen tar emot anslutningar där"),
    ("could not translate host name", "värdnamnet finns inte"),
    ("name or service not known", "värdnamnet finns inte"),
    ("nodename nor servname", "värdnamnet finns inte"),
    ("temporary failure in name resolution", "värdnamnet kunde inte slås upp"),
    ("timeout expired", f"ingen svarade inom {CONNECT_TIMEOUT_SECONDS} sekunder"),
    ("timed out", "ingen svarade i tid"),
    ("no route to host", "nätverket når inte dit"),
    ("network is unreachable", "nätverket når inte dit"),
    ("password authentication failed", "inloggningen nekades (användare eller lösenord)"),
    ("no password supplied", "servern kräver ett lösenord"),
    ("does not exist", "databasen eller användaren finns inte där"),
    ("too many connections", "servern tar inte emot fler anslutningar just nu"),
    ("unable to open database file", "mappen finns inte, eller får inte skrivas i"),
)


def unreachable_message(url: Any, original: BaseException) -> str:
    """One Swedish line: which database, where, and why in a word; never the password."""
    text = str(original).lower()
    reason = next((sv for en, sv in _REASONS if en in text), "anslutningen misslyckades")
    if url.get_backend_name() == "sqlite":
        return f"SQLite-databasen {url.database} kunde inte öppnas: {reason}."
    host = url.host or "localhost"
    port = url.port or (5432 if url.get_backend_name() == "postgresql" else None)
    where = f"{host}:{port}" if port else host
    name = f" {url.database}" if url.database else ""
    return (
        f"Kunde inte ansluta till databasen{name} på {where}: {reason}. "
        "Kontrollera ARSHJUL_DATABASE_URL och att databasservern är igång."
    )


def _unreachable(context: Any) -> BaseException | None:
    """A failure to connect becomes one Swedish line instead of a driver's traceback.

    Only connecting (no connection yet): an error in a statement stays what it
    is. A failed pre-ping is left alone, so that the pool reconnects; if that
    fails too, it comes here as a failure to connect.
    """
    if context.connection is not None or context.execution_context is not None:
        return None
    if context.is_pre_ping or context.engine is None:
        return None
    return DatabaseUnreachable(unreachable_message(context.engine.url, context.original_exception))


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
        event.listen(engine, "do_connect", _private_sqlite_file)
    else:
        connect_args: dict[str, Any] = {}
        if url.startswith("postgresql") and "connect_timeout" not in make_url(url).query:
            # A host that drops packets would otherwise hold a command for minutes.
            connect_args["connect_timeout"] = CONNECT_TIMEOUT_SECONDS
        engine = create_engine(
            url, pool_pre_ping=True, pool_size=10, max_overflow=20, connect_args=connect_args
        )
    event.listen(engine, "handle_error", _unreachable)
    return engine


def default_engine() -> Engine:

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
