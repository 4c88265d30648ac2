"""`arshjul server start|stop|status`: one local Prefect server for every later command.

A thin wrapper around Prefect's own ``prefect server start --background`` and
``prefect server stop``, with the project's defaults (no telemetry, analytics off,
loopback). ``start`` waits until the server answers and records its address beside
Prefect's ``server.pid`` in ``PREFECT_HOME``; every later ``arshjul`` command finds it
there (:func:`arshjul.runtime.use_local_server`), so its runs land in the one
interface the managers watch, and no command starts a temporary server of its own.
Why a record and not ``prefect config set PREFECT_API_URL``: see :mod:`arshjul.runtime`.

Exit codes as :mod:`arshjul.cli.outcome`: 0 done (also "already runs" and "nothing
to stop"), 1 the server did not come up, 2 what was given is wrong (a port in use, a
configured server that does not answer), 3 ``status``: no server runs.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Annotated

import typer

from arshjul.cli.common import app
from arshjul.cli.outcome import EXIT_DONE, EXIT_FAULT, EXIT_INPUT, EXIT_NOT_FOUND
from arshjul.cli.swedish import SwedishTyper
from arshjul.runtime import (
    PREFECT_PID_FILE_NAME,
    WARM_LOG_NAME,
    LocalServer,
    answers,
    configured_api_url,
    no_telemetry,
    prefect_home,
    process_alive,
    read_local_server,
    server_file,
    warm_socket,
    write_local_server,
)

server_app = SwedishTyper(
    name="server",
    help="Den lokala Prefect-servern (och webbgränssnittet) som alla arshjul-kommandon använder.",
)
app.add_typer(server_app, name="server")

DEFAULT_PORT = 4200  # Prefect's own default: the address its documentation shows
# uvicorn finishes its requests and Prefect stops its services before the port closes.
STOP_WAIT_SECONDS = 20.0


def _prefect(*arguments: str) -> subprocess.CompletedProcess[str]:
    """Prefect's own command line, in this Python, with the project's Prefect defaults."""
    # Only what the server needs of prepare_prefect(): Årshjul's own settings (a database,
    # SMTP) have nothing to do with starting or stopping it.
    no_telemetry()
    return subprocess.run(
        [sys.executable, "-m", "prefect", *arguments],
        env=os.environ.copy(),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        # Its own session: the server outlives this command and the terminal it ran in,
        # and a Ctrl-C meant for a later foreground command does not reach it.
        start_new_session=True,
        check=False,
    )


def _prefect_pid(home: Path) -> int | None:
    try:
        return int((home / PREFECT_PID_FILE_NAME).read_text().strip())
    except (OSError, ValueError):
        return None


def _port_free(host: str, port: int) -> bool:
    # As Prefect checks before it starts; done here so that the answer is Swedish.
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, socket.AF_UNSPEC, socket.SOCK_STREAM
        )[0]
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind(address)
    except OSError:
        return False
    return True


def _url_host(host: str) -> str:
    """The host in the address that this machine's commands use."""
    if host in ("0.0.0.0", "::", ""):  # noqa: S104  (listening everywhere: reach it on loopback)
        return "127.0.0.1"
    return f"[{host}]" if ":" in host else host


def _fail(message: str, code: int) -> typer.Exit:
    typer.echo(f"Fel: {message}", err=True)
    return typer.Exit(code)


def _configured_elsewhere() -> tuple[str, str] | None:
    """The server the user chose with PREFECT_API_URL, unless it is the recorded local one."""
    configured = configured_api_url()
    local = read_local_server()
    if configured and local and configured[0].rstrip("/") == local.api_url:
        return None
    return configured


@server_app.command("start")
def start_command(
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="Porten.")] = DEFAULT_PORT,
    host: Annotated[
        str,
        typer.Option(
            "--host",
            help="Adressen att lyssna på; bara den egna datorn som standard. "
            "Andra datorer når gränssnittet genom en omvänd proxy med inloggning.",
        ),
    ] = "127.0.0.1",
    timeout: Annotated[
        int,
        typer.Option("--timeout", min=1, help="Sekunder att vänta på att servern svarar."),
    ] = 120,
) -> None:
    """Starta Prefects server i bakgrunden; alla arshjul-kommandon använder den sedan."""
    home = prefect_home()
    configured = _configured_elsewhere()
    if configured is not None:
        url, where = configured
        if answers(url):
            typer.echo(
                f"arshjul-kommandona använder redan Prefect-servern {url} ({where}); "
                "ingen lokal server startas."
            )
            raise typer.Exit(EXIT_DONE)
        raise _fail(
            f"{where[:1].upper()}{where[1:]} pekar på {url}, som inte svarar, "
            "och går före en lokal server. Starta servern där, eller ta bort inställningen "
            "(unset PREFECT_API_URL; prefect config unset PREFECT_API_URL) och kör "
            "arshjul server start igen.",
            EXIT_INPUT,
        )

    running = read_local_server(home)
    if running is not None and answers(running.api_url):
        typer.echo(f"Prefect-servern kör redan: {running.url}")
        _start_warm_process(home)
        _say_how_it_is_found(running)
        raise typer.Exit(EXIT_DONE)
    # What a stopped or crashed server left behind would stop Prefect from starting.
    pid = _prefect_pid(home)
    if pid is not None and process_alive(pid) and running is not None and running.pid == pid:
        raise _fail(
            f"Prefect-servern (process {pid}) kör men svarar inte på {running.url}. "
            "Vänta en stund, eller starta om den: arshjul server stop; arshjul server start",
            EXIT_INPUT,
        )
    if pid is not None and process_alive(pid):
        raise _fail(
            f"En Prefect-server som inte startades med arshjul kör redan i bakgrunden "
            f"(process {pid}, {home / PREFECT_PID_FILE_NAME}). Stoppa den med "
            "arshjul server stop, eller använd den: export PREFECT_API_URL=http://…/api",
            EXIT_INPUT,
        )
    (home / PREFECT_PID_FILE_NAME).unlink(missing_ok=True)
    server_file(home).unlink(missing_ok=True)
    if not _port_free(host, port):
        raise _fail(
            f"Porten {port} på {host} används redan av ett annat program; "
            "välj en annan med --port.",
            EXIT_INPUT,
        )

    url = f"http://{_url_host(host)}:{port}"
    first = "" if (home / "prefect.db").exists() else f"; dess databas i {home} skapas: 20–25 s"
    typer.echo(f"Startar Prefect-servern på {url}{first} …")
    started = time.monotonic()
    # The UI asks /ui-settings where the API is; a background server answers Prefect's
    # default port there, whatever --port said (seen: a server on 4300 whose UI showed
    # "Can't connect to Server API at http://127.0.0.1:4200/api"). A user's own value,
    # such as a reverse proxy's address, goes first.
    os.environ.setdefault("PREFECT_UI_API_URL", f"{url}/api")
    result = _prefect(
        "server", "start", "--background", "--host", host, "--port", str(port), "--analytics-off"
    )
    pid = _prefect_pid(home)
    if result.returncode != 0 or pid is None:
        typer.echo((result.stdout + result.stderr).strip(), err=True)
        raise _fail("prefect server start misslyckades (Prefects svar ovan).", EXIT_FAULT)
    server = LocalServer(url=url, pid=pid, home=home)
    while not answers(server.api_url, timeout=2.0):
        if not process_alive(pid) or time.monotonic() - started > timeout:
            why = "avslutades" if not process_alive(pid) else f"svarade inte inom {timeout} s"
            _terminate(pid)
            (home / PREFECT_PID_FILE_NAME).unlink(missing_ok=True)
            raise _fail(
                f"Prefect-servern {why}. Starta den i förgrunden för att se varför: "
                f"prefect server start --port {port}",
                EXIT_FAULT,
            )
        time.sleep(0.25)
    write_local_server(server)
    typer.echo(f"Prefect-servern kör (klar på {time.monotonic() - started:.0f} s).")
    _start_warm_process(home)
    _say_how_it_is_found(server)


def _start_warm_process(home: Path) -> None:
    """The process that has imported Prefect and the flows once, for run and watch.

    It ends by itself when the server stops (arshjul/launcher.py says why it exists).
    """
    if warm_socket(home).exists():
        return  # one from before answers, or the launcher falls back and this one is stale
    with (home / WARM_LOG_NAME).open("ab") as log:
        subprocess.Popen(
            [sys.executable, "-m", "arshjul.launcher", "--warm"],
            env=os.environ.copy(),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # outlives this command and its terminal, as the server
        )


def _say_how_it_is_found(server: LocalServer) -> None:
    typer.echo(
        f"  Webbgränssnittet: {server.url} (körningar, loggar, artefakter)\n"
        f"  arshjul-kommandona (run, watch, serve, demo …) hittar servern själva genom "
        f"{server_file(server.home)}, så länge den svarar; ingen PREFECT_API_URL behövs. "
        "Utan server startar varje körning en tillfällig server.\n"
        f"  För Prefects egna kommandon (prefect flow-run logs …): "
        f"export PREFECT_API_URL={server.api_url}\n"
        "  Stoppa den med: arshjul server stop"
    )


@server_app.command("status")
def status_command() -> None:
    """Visa om Prefect-servern kör och var; slutkod 3 när ingen kör."""
    configured = _configured_elsewhere()
    if configured is not None:
        url, where = configured
        up = answers(url)
        typer.echo(
            f"arshjul-kommandona använder Prefect-servern {url} ({where}); "
            + ("den svarar." if up else "den svarar inte.")
        )
        raise typer.Exit(EXIT_DONE if up else EXIT_NOT_FOUND)
    running = read_local_server()
    if running is not None and answers(running.api_url):
        typer.echo(f"Prefect-servern kör: {running.url} (process {running.pid}).")
        _say_how_it_is_found(running)
        return
    if running is not None:
        typer.echo(f"Prefect-servern på {running.url} svarar inte (stoppad eller kraschad).")
    typer.echo(
        "Ingen Prefect-server kör: varje arshjul-kommando som kör ett flöde startar en "
        "tillfällig server (långsammare, och körningarna syns inte i ett gemensamt "
        "gränssnitt). Starta en med: arshjul server start"
    )
    raise typer.Exit(EXIT_NOT_FOUND)


@server_app.command("stop")
def stop_command() -> None:
    """Stoppa Prefect-servern som arshjul server start startade."""
    home = prefect_home()
    running = read_local_server(home)
    pid = _prefect_pid(home)
    if pid is None or not process_alive(pid):
        (home / PREFECT_PID_FILE_NAME).unlink(missing_ok=True)
        server_file(home).unlink(missing_ok=True)
        typer.echo("Ingen Prefect-server kör i bakgrunden; inget att stoppa.")
        return
    result = _prefect("server", "stop")
    if result.returncode != 0:
        typer.echo((result.stdout + result.stderr).strip(), err=True)
        raise _fail("prefect server stop misslyckades (Prefects svar ovan).", EXIT_FAULT)
    if not _wait_until_gone(pid, STOP_WAIT_SECONDS):
        _terminate(pid, force=True)
    server_file(home).unlink(missing_ok=True)
    where = f" ({running.url})" if running else ""
    typer.echo(
        f"Prefect-servern är stoppad{where}. Utan server startar varje arshjul-kommando "
        "som kör ett flöde en tillfällig server; starta den igen med: arshjul server start"
    )


def _wait_until_gone(pid: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while process_alive(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def _terminate(pid: int, *, force: bool = False) -> None:
    try:
        os.kill(pid, signal.SIGKILL if force else signal.SIGTERM)
    except ProcessLookupError:
        return
    _wait_until_gone(pid, 5.0)
