"""What every task needs: the database engine and the settings of this process."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from sqlalchemy import Engine

from arshjul.lifecycle.tokens import ensure_link_key
from arshjul.models.db import get_engine
from arshjul.settings import Settings, get_settings
from arshjul.timezone import STOCKHOLM

_CHECKED: set[tuple[str, str]] = set()
# A flow run without Prefect on a database other than the settings' (the demo's, a test's).
_DATABASE: ContextVar[Engine | None] = ContextVar("arshjul_database", default=None)


@contextmanager
def on_database(engine: Engine | None) -> Iterator[None]:
    """Steps called inside use this engine instead of ARSHJUL_DATABASE_URL's."""
    token = _DATABASE.set(engine)
    try:
        yield
    finally:
        _DATABASE.reset(token)


def engine_and_settings() -> tuple[Engine, Settings]:
    """The engine for ARSHJUL_DATABASE_URL and the settings, with the link key checked.

    A flow may run in a worker or a served subprocess that no CLI command checked: the
    key is checked (or, on a database with no link yet, made) before any link is, once
    per process and database, so a lost key file is never quietly replaced.
    """

    settings = get_settings()
    engine = _DATABASE.get() or get_engine(settings.database_url)
    checked = (engine.url.render_as_string(hide_password=False), str(settings.key_file))
    if checked not in _CHECKED:
        ensure_link_key(engine, settings)
        _CHECKED.add(checked)
    return engine, settings


def resolve_as_of(as_of: dt.datetime | dt.date | None) -> dt.datetime:
    """A flow's ``as_of``: aware, in Stockholm; a date means 07:00 that day."""
    if as_of is None:
        return dt.datetime.now(STOCKHOLM)
    if isinstance(as_of, dt.datetime):
        return as_of if as_of.tzinfo else as_of.replace(tzinfo=STOCKHOLM)
    return dt.datetime.combine(as_of, dt.time(7, 0), STOCKHOLM)


def run_name(prefix: str) -> Callable[[], str]:
    """A flow-run namer from the run's parameters: ``prefix-YEAR``, or ``prefix-YYYY-MM-DD``.

    A run as of a given moment (a simulated date, a rerun) says that date in its
    name, ``tertial-2027 per 2027-04-13``: the UI shows only the real clock.
    """

    def name() -> str:
        from prefect.runtime import flow_run

        params = flow_run.parameters or {}
        given = _parse(params.get("as_of"))
        moment = resolve_as_of(given)
        if params.get("year"):
            dated = f" per {moment:%Y-%m-%d}" if given is not None else ""
            return f"{prefix}-{params['year']}{dated}"
        return f"{prefix}-{moment:%Y-%m-%d}"

    return name


def _parse(value: object) -> dt.datetime | dt.date | None:
    """A run parameter as Prefect stored it (ISO text from a deployment) back to a date or
    moment for ``resolve_as_of``; unreadable text gives None (the run is named for today)."""
    if value is None or isinstance(value, dt.date):
        return value
    import pendulum

    try:
        parsed = pendulum.parse(str(value), exact=True, tz=None)
    except (ValueError, TypeError):  # pendulum 3.3 raises TypeError for "0:" and the like
        return None
    # Plain stdlib values from here on: pendulum's types are subclasses with other behaviour.
    if isinstance(parsed, dt.datetime):
        offset = parsed.utcoffset()
        zone = None if offset is None else dt.timezone(offset)
        return dt.datetime.combine(parsed.date(), parsed.time(), zone)
    if isinstance(parsed, dt.date):
        return dt.date(parsed.year, parsed.month, parsed.day)
    return None
