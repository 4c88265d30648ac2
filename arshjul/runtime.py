"""Prefect's environment, set before Prefect is first imported.

PREFECT.md measured why: a fresh ephemeral server migrates for 20–25 s, longer
than Prefect's default start-up timeout, and telemetry tries the network.
"""

from __future__ import annotations

import datetime as dt
import os

from arshjul.settings import get_settings
from arshjul.timezone import now


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


def now_stockholm() -> dt.datetime:
    """The default ``as_of``: now in Europe/Stockholm."""

    return now()
