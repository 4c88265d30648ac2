"""Prefect's environment, set before Prefect is first imported.

PREFECT.md measured why: a fresh ephemeral server migrates for 20–25 s, longer
than Prefect's default start-up timeout, and telemetry tries the network.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager

from arshjul.settings import get_settings
from arshjul.timezone import now

# Prefect's console handler (logging.yml: ``handlers.console``, on the root logger)
# as an environment variable: Prefect reads it when it is first imported, and a
# temporary server started by the run inherits it.
CONSOLE_LEVEL_VARIABLE = "PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL"
QUIET_CONSOLE_LEVEL = "CRITICAL"


def prepare_prefect() -> None:
    """Defaults for Prefect that a user's own environment can still override."""

    settings = get_settings()
    os.environ.setdefault("DO_NOT_TRACK", "1")
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault(
        "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS",
        str(settings.prefect_startup_timeout_seconds),
    )
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "INFO")


@contextmanager
def quiet_prefect_console(quiet: bool = True) -> Iterator[None]:
    """Keep Prefect's log lines off the terminal (only CRITICAL ones pass) while inside.

    Everything still reaches the run's log in Prefect (its API handler); only the
    console handler is turned down, for the lines of this process and those of the
    temporary server it starts. Call it before Prefect is imported, so that the lines
    Prefect writes at exit ("Stopping temporary server") stay off as well. A user
    who set ``PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL`` keeps their own level; with
    ``quiet=False`` (``--verbose``) nothing changes.
    """

    if not quiet or os.environ.get(CONSOLE_LEVEL_VARIABLE):
        yield
        return
    os.environ[CONSOLE_LEVEL_VARIABLE] = QUIET_CONSOLE_LEVEL
    from prefect.logging.handlers import PrefectConsoleHandler  # configures logging once

    handlers = [h for h in logging.getLogger().handlers if isinstance(h, PrefectConsoleHandler)]
    before = [h.level for h in handlers]
    for handler in handlers:
        handler.setLevel(max(handler.level, logging.CRITICAL))
    try:
        yield
    finally:
        # In a long-lived process (a test's CliRunner) Prefect's console comes back as it was.
        for handler, level in zip(handlers, before, strict=True):
            handler.setLevel(level)
        os.environ.pop(CONSOLE_LEVEL_VARIABLE, None)


def now_stockholm() -> dt.datetime:
    """The default ``as_of``: now in Europe/Stockholm."""

    return now()
