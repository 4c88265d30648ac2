"""Prefect's environment, set before Prefect is first imported, and which server it talks to.

PREFECT.md measured why: a fresh ephemeral server migrates for 20–25 s, longer
than Prefect's default start-up timeout, and telemetry tries the network.

Which Prefect server a command uses, in this order:

1. ``PREFECT_API_URL`` as the user set it (the environment, or the active profile
   in Prefect's ``profiles.toml``): theirs, never overridden;
2. the local server that ``arshjul server start`` started in this ``PREFECT_HOME``,
   when it answers: :func:`prepare_prefect` exports its address for this process
   (and the processes it starts) only;
3. otherwise Prefect's temporary server, started by the run itself (the demo's
   embedded default).

Why (2) is a discovery and not ``prefect config set PREFECT_API_URL=…`` in the
profile: a profile entry outlives the server. After a reboot, a crash or a
``prefect server stop`` every command would fail to connect, instead of falling back
to the temporary server; and the profile is shared with every other Prefect project
of the account. The discovery costs one HTTP request to loopback (a few
milliseconds) and follows the server's life.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from arshjul.timezone import now

# Prefect's console handler (logging.yml: ``handlers.console``, on the root logger)
# as an environment variable: Prefect reads it when it is first imported, and a
# temporary server started by the run inherits it.
CONSOLE_LEVEL_VARIABLE = "PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL"
QUIET_CONSOLE_LEVEL = "CRITICAL"


def prepare_prefect(*, local_server: bool = True) -> None:
    """Defaults for Prefect that a user's own environment can still override.

    With ``local_server`` (the default), a running ``arshjul server start`` server is
    used when the user chose no server of their own (see the module); ``False`` keeps
    Prefect's own choice (the temporary server when nothing is configured).
    """
    from arshjul.settings import get_settings  # pydantic-settings: not for `server status`

    settings = get_settings()
    no_telemetry()
    os.environ.setdefault(
        "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS",
        str(settings.prefect_startup_timeout_seconds),
    )
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "INFO")
    # Once Prefect is imported it has read its settings (a test harness, a long-lived
    # process): an address exported now would reach only part of it.
    if local_server and "prefect" not in sys.modules:
        use_local_server()


def no_telemetry() -> None:
    """Prefect's telemetry and analytics off (they try the network), unless the user chose."""
    os.environ.setdefault("DO_NOT_TRACK", "1")
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")


# ---------------------------------------------------------------- the local server

API_URL_VARIABLE = "PREFECT_API_URL"
# Beside Prefect's own server.pid, in the same PREFECT_HOME: a server belongs to a home.
SERVER_FILE_NAME = "arshjul-server.json"
PREFECT_PID_FILE_NAME = "server.pid"  # prefect.cli._server_utils.SERVER_PID_FILE_NAME
# The warm process beside it (arshjul/launcher.py): its socket and its log.
WARM_SOCKET_NAME = "arshjul-warm.sock"
WARM_LOG_NAME = "arshjul-warm.log"
# Loopback answers at once or is refused at once; a server busy with a SQLite lock
# may take a moment, and giving up on it would send the run to a temporary server.
HEALTH_TIMEOUT_SECONDS = 5.0


@dataclass(frozen=True)
class LocalServer:
    """A server that ``arshjul server start`` started: where it answers, and its process."""

    url: str  # the web interface, e.g. http://127.0.0.1:4200
    pid: int
    home: Path

    @property
    def api_url(self) -> str:
        return f"{self.url}/api"


def process_alive(pid: int) -> bool:
    """Whether the process runs (a zombie, left unreaped by a container's init, does not)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process of that number
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True  # no /proc (not Linux): the signal said it exists
    return stat.rsplit(")", 1)[-1].split()[0] != "Z"


def prefect_home() -> Path:
    """Prefect's home folder (its database, profiles and the server's files)."""
    return Path(os.environ.get("PREFECT_HOME") or "~/.prefect").expanduser()


def warm_socket(home: Path | None = None) -> Path:
    """Where the warm process of ``arshjul server start`` listens for commands."""
    return (home or prefect_home()) / WARM_SOCKET_NAME


def server_file(home: Path | None = None) -> Path:
    return (home or prefect_home()) / SERVER_FILE_NAME


def read_local_server(home: Path | None = None) -> LocalServer | None:
    """The server recorded by ``arshjul server start``, or None; whether it runs is not checked."""
    path = server_file(home)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return LocalServer(url=str(data["url"]), pid=int(data["pid"]), home=path.parent)
    except (OSError, ValueError, KeyError, TypeError):
        return None


def write_local_server(server: LocalServer) -> None:
    path = server_file(server.home)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"url": server.url, "pid": server.pid}) + "\n", encoding="utf-8")


def answers(api_url: str, timeout: float = HEALTH_TIMEOUT_SECONDS) -> bool:
    """Whether a Prefect server answers its health check at ``api_url``."""
    # http.client, not httpx or urllib.request: this runs before every flow command,
    # and both of those import far more (ssl, e-mail parsing) than one GET needs.
    import http.client
    from urllib.parse import urlsplit

    parts = urlsplit(api_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return False
    kind = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    connection = kind(parts.hostname, parts.port, timeout=timeout)
    try:
        connection.request("GET", parts.path.rstrip("/") + "/health")
        response = connection.getresponse()
        return response.status == 200 and response.read().strip() == b"true"
    except (OSError, http.client.HTTPException):
        return False
    finally:
        connection.close()


def configured_api_url() -> tuple[str, str] | None:
    """The Prefect server the user chose, and where it is set; None when they chose none.

    The environment, then the active profile of Prefect's ``profiles.toml`` (what
    ``prefect config set`` writes). Read as text, not through Prefect, whose import
    costs about 2 s (PREFECT.md).
    """
    if os.environ.get(API_URL_VARIABLE):
        return os.environ[API_URL_VARIABLE], "miljövariabeln PREFECT_API_URL"
    import tomllib

    path = Path(
        os.environ.get("PREFECT_PROFILES_PATH") or prefect_home() / "profiles.toml"
    ).expanduser()
    try:
        profiles = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None  # no file: Prefect's built-in profiles, none of which sets a server
    name = os.environ.get("PREFECT_PROFILE") or profiles.get("active") or "ephemeral"
    profile = profiles.get("profiles", {}).get(name, {})
    url = profile.get(API_URL_VARIABLE) if isinstance(profile, dict) else None
    if url:
        return str(url), f"Prefect-profilen ”{name}” i {path}"
    return None


def use_local_server() -> LocalServer | None:
    """Export the local server's address for this process when it runs and nothing else is set.

    A recorded server that no longer answers (stopped with ``prefect server stop``,
    a reboot) leaves the temporary server in charge, with one line saying why the
    run is slower and missing from the shared interface.
    """
    if configured_api_url() is not None:
        return None
    server = read_local_server()
    if server is None:
        return None
    if not answers(server.api_url):
        print(
            f"Obs: Prefect-servern från arshjul server start ({server.url}) svarar inte; "
            "körningen använder en tillfällig server. Starta om den med: arshjul server start",
            file=sys.stderr,
        )
        return None
    os.environ[API_URL_VARIABLE] = server.api_url
    return server


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
